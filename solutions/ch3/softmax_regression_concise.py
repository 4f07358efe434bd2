"""§3.7 softmax回归的简洁实现 (d2l.ai §4.5 Concise Implementation of Softmax Regression)."""
import torch
from torch import nn


def init_weights(m):
    """For ``net.apply``: an ``nn.Linear`` gets weights from N(0, 0.01²) (§3.7.1); other modules are left alone.

    The weights are drawn from torch's global random generator as ``nn.init.normal_``
    draws them (under a seed, the book's numbers); the layer's bias keeps its value.
    """
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=0.01)


def concise_classifier(lr=0.1):
    """``(net, loss, trainer)`` of §3.7.

    ``net`` is ``nn.Sequential(nn.Flatten(), nn.Linear(784, 10))``, initialised by
    ``net.apply(init_weights)`` with this module's ``init_weights`` (so, under a seed,
    the book's numbers: the layer's own initialisation, then the weights redrawn; the
    bias keeps PyTorch's default). ``loss`` is ``nn.CrossEntropyLoss(reduction='none')``
    (one loss per example, from unnormalised scores) and ``trainer`` is
    ``torch.optim.SGD`` over ``net``'s parameters with learning rate ``lr``.
    """
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    net.apply(init_weights)
    return net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=lr)
