"""§9.4 双向循环神经网络 (d2l.ai §10.4 Bidirectional Recurrent Neural Networks)."""
import torch


def bidirectional_rnn(inputs, state, forward_params, backward_params):
    """A bidirectional tanh RNN from scratch (§9.4.1), laid out like ``nn.RNN(d, h, bidirectional=True)``.

    ``inputs``: ``(T, B, d)``; ``state``: ``(2, B, h)``, the initial states of the
    forward and the backward direction; ``forward_params`` and
    ``backward_params``: ``(W_xh (d, h), W_hh (h, h), b_h (h,))`` each. The
    forward direction reads steps ``0 .. T-1``; the backward one reads them in
    reverse, ``T-1 .. 0``, from its own initial state. Returns ``(outputs,
    state)``: ``outputs (T, B, 2h)``, at each step ``t`` the forward state after
    reading step ``t`` next to the backward state after reading step ``t``, and
    the final states ``(2, B, h)``: the forward one after step ``T-1``, the
    backward one after step 0, on the inputs' device. May not use PyTorch's
    recurrent layers.
    """
    raise NotImplementedError("bidirectional_rnn (§9.4)")
