"""Recurrent layers: PyTorch's ``nn.RNN``/``nn.GRU``/``nn.LSTM`` weights in the book's from-scratch layout.

PyTorch stores a layer's weights as ``weight_ih_l{k}`` ``(G*H, d)``,
``weight_hh_l{k}`` ``(G*H, H)`` and two biases, gates stacked as (r, z, n) for
``nn.GRU`` and (i, f, g, o) for ``nn.LSTM``; the book multiplies row vectors
by ``(d, H)`` matrices, one per gate, with one bias. ``scratch_params`` maps
one to the other, so a from-scratch step can be compared with PyTorch's.
"""
from __future__ import annotations

import torch
from torch import nn


def layer_weights(layer: nn.RNNBase, k: int = 0, reverse: bool = False):
    """``(W_ih, W_hh, b_ih, b_hh)`` of layer ``k`` (the reverse direction with ``reverse``), detached."""
    suffix = f"_l{k}" + ("_reverse" if reverse else "")
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    return tuple(getattr(layer, f"{name}{suffix}").detach() for name in names)


def _gates(layer, k, reverse, names):
    W_ih, W_hh, b_ih, b_hh = layer_weights(layer, k, reverse)
    split = [t.chunk(len(names)) for t in (W_ih, W_hh, b_ih, b_hh)]
    return {name: (split[0][i].T, split[1][i].T, split[2][i], split[3][i]) for i, name in enumerate(names)}


def scratch_params(layer: nn.RNNBase, linear: nn.Linear | None = None, *, k: int = 0, reverse: bool = False):
    """The book's parameter list for layer ``k`` of ``layer`` (plus ``W_hq, b_q`` from ``linear``).

    - ``nn.RNN``: ``[W_xh, W_hh, b_h]``
    - ``nn.GRU``: ``[W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h]``, with
      ``b_h = b_in``: PyTorch's ``b_hn`` sits inside the reset gate's product and
      has no place in the book's equations, so it must be zero for them to agree.
    - ``nn.LSTM``: ``[W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c]``

    Fresh contiguous float tensors that do not require grad.
    """
    if isinstance(layer, nn.GRU):
        g = _gates(layer, k, reverse, "rzn")
        if g["n"][3].abs().max() > 0:
            raise ValueError("the GRU's bias_hh for the candidate state (b_hn) must be zero to map it to the book")
        params = [g["z"][0], g["z"][1], g["z"][2] + g["z"][3], g["r"][0], g["r"][1], g["r"][2] + g["r"][3],
                  g["n"][0], g["n"][1], g["n"][2]]
    elif isinstance(layer, nn.LSTM):
        g = _gates(layer, k, reverse, "ifgo")
        params = [t for gate in "ifog" for t in (g[gate][0], g[gate][1], g[gate][2] + g[gate][3])]
    else:
        W_ih, W_hh, b_ih, b_hh = layer_weights(layer, k, reverse)
        params = [W_ih.T, W_hh.T, b_ih + b_hh]
    if linear is not None:
        params += [linear.weight.detach().T, linear.bias.detach()]
    return [p.clone().contiguous() for p in params]


def book_compatible_gru(input_size: int, hidden_size: int, seed: int, **kwargs) -> nn.GRU:
    """An ``nn.GRU`` whose output equals the book's GRU equations: ``b_hn = 0`` and a reset gate that is the
    same for every hidden unit (all rows of its weights and biases equal), so ``R * (H W_hn) = (R * H) W_hn``."""
    torch.manual_seed(seed)
    layer = nn.GRU(input_size, hidden_size, **kwargs)
    H = hidden_size
    with torch.no_grad():
        for name, p in layer.named_parameters():
            p.mul_(2)  # livelier gates than the default init
            p[:H] = p[:1].expand_as(p[:H])  # the reset gate's rows, all equal
            if name.startswith("bias_hh"):
                p[2 * H:] = 0  # b_hn
    return layer
