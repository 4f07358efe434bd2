"""§9.3 深度循环神经网络 (d2l.ai §10.3 Deep Recurrent Neural Networks)."""
import torch


def stacked_rnn(inputs, state, layers):
    """A deep (stacked) tanh RNN from scratch (§9.3.1), laid out like ``nn.RNN(d, h, num_layers=L)``.

    ``inputs``: ``(T, B, d)``; ``state``: ``(L, B, h)``, the initial hidden state
    of each layer; ``layers``: ``L`` triples ``(W_xh, W_hh, b_h)``, layer 0's
    ``W_xh`` of shape ``(d, h)`` and the others' ``(h, h)``. Layer ``l`` reads
    the hidden states of layer ``l - 1`` at the same step (layer 0 reads the
    inputs): ``H_t^l = tanh(H_t^{l-1} W_xh^l + H_{t-1}^l W_hh^l + b_h^l)``.
    Returns ``(outputs, state)``: the top layer's hidden states ``(T, B, h)`` and
    every layer's final hidden state ``(L, B, h)`` (layer 0 first), as ``nn.RNN``
    does, on the inputs' device. May not use PyTorch's recurrent layers.
    """
    raise NotImplementedError("stacked_rnn (§9.3)")
