"""§5.4 自定义层 (d2l.ai §6.5 Custom Layers)."""
import torch
import torch.nn.functional as F
from torch import nn


class CenteredLayer(nn.Module):
    """A layer without parameters (§5.4.1): ``forward(X) = X - X.mean()`` (the mean over all entries).

    The output has ``X``'s shape and dtype (float64 in, float64 out) and mean 0;
    gradients flow to ``X``; the layer registers no parameters.
    """

    def __init__(self):
        raise NotImplementedError("CenteredLayer.__init__ (§5.4.1)")

    def forward(self, X):
        raise NotImplementedError("CenteredLayer.forward (§5.4.1)")


class MyLinear(nn.Module):
    """A fully connected layer with ReLU, from parameters (§5.4.2): ``relu(X @ weight + bias)``.

    ``weight``: ``nn.Parameter`` of shape ``(in_units, units)`` from N(0, 1);
    ``bias``: ``nn.Parameter`` of shape ``(units,)`` from N(0, 1) (``torch.randn``,
    global generator, weight first: under one seed, the book's initial values).
    Unlike the book, ``forward`` must use the parameters themselves, not
    ``.data``: through ``.data`` no gradient reaches them and the layer never learns.
    """

    def __init__(self, in_units, units):
        raise NotImplementedError("MyLinear.__init__ (§5.4.2)")

    def forward(self, X):
        raise NotImplementedError("MyLinear.forward (§5.4.2)")
