"""§5.1 层和块 (d2l.ai §6.1 Layers and Modules)."""
import torch
import torch.nn.functional as F
from torch import nn


class MLP(nn.Module):
    """The MLP block of §5.1.1: ``hidden = nn.Linear(20, 256)``, ReLU, ``output = nn.Linear(256, 10)``.

    ``forward(X)``: ``output(relu(hidden(X)))`` for ``X (n, 20)`` -> ``(n, 10)``.
    The attribute names are part of the contract: ``state_dict()`` has the keys
    ``hidden.weight``, ``hidden.bias``, ``output.weight``, ``output.bias`` (§5.5 saves
    and loads by them). Both layers keep ``nn.Linear``'s default initialisation,
    ``hidden`` created first (under one seed, the same initial parameters as the book's).
    """

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.output = nn.Linear(256, 10)

    def forward(self, X):
        return self.output(F.relu(self.hidden(X)))


class MySequential(nn.Module):
    """A minimal ``nn.Sequential`` (§5.1.2): ``MySequential(*blocks)`` applies the blocks in order.

    The blocks themselves (not copies) must be registered as child modules (in
    ``self._modules``, or with ``add_module``/``nn.ModuleList``), in the order given,
    so that ``parameters()`` and ``state_dict()`` list their parameters and buffers in
    that order, and ``.to(device)``/``.to(dtype)`` and ``train()``/``eval()`` reach
    the very blocks that were passed in: a plain Python list hides them from all of these.
    """

    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self.add_module(str(idx), module)

    def forward(self, X):
        for block in self.children():
            X = block(X)
        return X


class FixedHiddenMLP(nn.Module):
    """The block with a constant hidden weight and control flow of §5.1.3.

    ``rand_weight``: a constant ``(20, 20)`` tensor from U(0, 1) (``torch.rand``, global
    generator), never trained: register it as a buffer (``register_buffer``) so that it
    moves with ``.to(device)`` and ``.to(dtype)`` and is saved in ``state_dict`` -- the
    book keeps a plain attribute, which does neither. ``linear = nn.Linear(20, 20)``
    (default initialisation) is used twice. ``rand_weight`` is drawn first, then
    ``linear`` is created, as in the book (under one seed, the same initial values).
    ``forward(X)``: ``X = linear(X)``; ``X = relu(X @ rand_weight + 1)``;
    ``X = linear(X)``; then halve ``X`` while ``X.abs().sum() > 1``; return ``X.sum()``
    (a 0-dim tensor).
    """

    def __init__(self):
        super().__init__()
        self.register_buffer("rand_weight", torch.rand((20, 20)))
        self.linear = nn.Linear(20, 20)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)
        while X.abs().sum() > 1:
            X = X / 2
        return X.sum()


class NestMLP(nn.Module):
    """Blocks inside blocks (§5.1.3): ``net = Sequential(Linear(20, 64), ReLU, Linear(64, 32), ReLU)``,
    then ``linear = nn.Linear(32, 16)``; ``forward(X) = linear(net(X))``, ``(n, 20)`` -> ``(n, 16)``.

    The attribute names ``net`` and ``linear`` are part of the contract (the ``state_dict``
    keys ``net.0.weight``, ..., ``linear.bias``). Every layer keeps ``nn.Linear``'s default
    initialisation, created in the order listed (``net`` first).
    """

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, X):
        return self.linear(self.net(X))


def chimera():
    """The book's mix of blocks (§5.1.3): ``nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())``,
    built from this module's ``NestMLP`` and ``FixedHiddenMLP`` (instances of those classes, not
    equivalent layers spelled out); ``(n, 20)`` -> a 0-dim tensor."""
    return nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())
