"""§9.2 长短期记忆网络（LSTM） (d2l.ai §10.1 Long Short-Term Memory (LSTM))."""
import torch


def get_lstm_params(vocab_size, num_hiddens, device):
    """The LSTM's parameters (§9.2.2), in this order:
    ``[W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q]``
    (input, forget and output gates, candidate memory cell, output layer).

    ``W_x*``: ``(V, H)``, ``W_h*``: ``(H, H)``, ``b_*``: ``(H,)``, ``W_hq``:
    ``(H, V)``, ``b_q``: ``(V,)``; weights from N(0, 0.01²), biases zero;
    float32 leaf tensors on ``device`` with ``requires_grad=True``. The weights
    are drawn with torch's global generator in the order of the list
    (``torch.randn(shape, device=device) * 0.01``), so the same seed gives the
    book's weights.
    """
    raise NotImplementedError("get_lstm_params (§9.2.2)")


def init_lstm_state(batch_size, num_hiddens, device):
    """The initial state (§9.2.2): ``(H, C)``, two separate float32 zero tensors ``(batch_size, num_hiddens)``
    on ``device`` (not one tensor used twice: writing into ``H`` must leave ``C`` as it is)."""
    raise NotImplementedError("init_lstm_state (§9.2.2)")


def lstm(inputs, state, params):
    """Run the LSTM over all time steps (§9.2.2).

    ``inputs``: ``(T, B, V)``; ``state``: ``(H, C)``; ``params`` as from ``get_lstm_params``. At each step::

        I = sigmoid(X W_xi + H W_hi + b_i)      # input gate
        F = sigmoid(X W_xf + H W_hf + b_f)      # forget gate
        O = sigmoid(X W_xo + H W_ho + b_o)      # output gate
        C_tilde = tanh(X W_xc + H W_hc + b_c)   # candidate memory cell
        C = F * C + I * C_tilde                 # the cell is carried to the next step
        H = O * tanh(C)
        Y = H W_hq + b_q

    Returns ``(outputs (T * B, V), (H, C))``, outputs time-major as in ``rnn``.
    PyTorch's ``nn.LSTM`` computes exactly this; it stacks its gates as
    (i, f, g, o) in ``weight_ih_l0`` ``(4H, V)`` and ``weight_hh_l0`` ``(4H, H)``:
    ``W_xi, W_xf, W_xc, W_xo = weight_ih_l0.chunk(4)`` transposed (likewise
    ``W_h*``), and each bias is ``b_i* + b_h*`` (``g`` is the candidate ``c``).
    The outputs and the state are on the inputs' device. May not use PyTorch's
    recurrent layers (``nn.LSTM``, ``nn.LSTMCell``, ``torch.lstm_cell``, ...).
    """
    raise NotImplementedError("lstm (§9.2.2)")
