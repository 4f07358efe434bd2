"""§9.1 门控循环单元（GRU） (d2l.ai §10.2 Gated Recurrent Units (GRU))."""
import torch


def get_params(vocab_size, num_hiddens, device):
    """The GRU's parameters (§9.1.2), in this order:
    ``[W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q]``
    (update gate, reset gate, candidate state, output layer).

    ``W_x*``: ``(V, H)``, ``W_h*``: ``(H, H)``, ``b_*``: ``(H,)``, ``W_hq``:
    ``(H, V)``, ``b_q``: ``(V,)`` with ``V = vocab_size``, ``H = num_hiddens``;
    weights from N(0, 0.01²), biases zero; float32 leaf tensors on ``device``
    with ``requires_grad=True``. The weights are drawn with torch's global
    generator in the order of the list (``torch.randn(shape, device=device) *
    0.01``), so the same seed gives the book's weights.
    """
    raise NotImplementedError("get_params (§9.1.2)")


def init_gru_state(batch_size, num_hiddens, device):
    """The initial state (§9.1.2): a 1-tuple ``(H,)``, ``H`` float32 zeros ``(batch_size, num_hiddens)`` on
    ``device``."""
    raise NotImplementedError("init_gru_state (§9.1.2)")


def gru(inputs, state, params):
    """Run the GRU over all time steps (§9.1.2), with the book's equations.

    ``inputs``: ``(T, B, V)``; ``state``: ``(H,)``; ``params`` as from ``get_params``. At each step::

        Z = sigmoid(X W_xz + H W_hz + b_z)            # update gate
        R = sigmoid(X W_xr + H W_hr + b_r)            # reset gate
        H_tilde = tanh(X W_xh + (R * H) W_hh + b_h)   # candidate state
        H = Z * H + (1 - Z) * H_tilde                 # Z near 1 keeps the old state
        Y = H W_hq + b_q

    Returns ``(outputs (T * B, V), (H,))``, outputs time-major as in ``rnn``.

    PyTorch's ``nn.GRU`` stacks its gates as (r, z, n) in ``weight_ih_l0``
    ``(3H, V)`` and ``weight_hh_l0`` ``(3H, H)``, and maps to these parameters as
    ``W_xr, W_xz, W_xh = weight_ih_l0.chunk(3)`` transposed (likewise ``W_h*``
    from ``weight_hh_l0``), ``b_r = b_ir + b_hr``, ``b_z = b_iz + b_hz``,
    ``b_h = b_in``. It keeps ``H = Z * H + (1 - Z) * n`` like the book, but
    applies the reset gate after the matrix product,
    ``n = tanh(X W_in + b_in + R * (H W_hn + b_hn))``, where the book has
    ``(R * H) W_hh``: the two agree exactly when ``b_hn = 0`` and ``R`` is the
    same for every hidden unit (the reset gate's rows of ``weight_ih_l0``,
    ``weight_hh_l0`` and the biases all equal, so ``R * (H W) = (R * H) W``),
    and in general differ. Follow the book's equations here. The outputs and
    the state are on the inputs' device. May not use PyTorch's recurrent
    layers (``nn.GRU``, ``nn.GRUCell``, ``torch.gru_cell``, ...).
    """
    raise NotImplementedError("gru (§9.1.2)")
