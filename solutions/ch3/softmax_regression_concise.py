"""§3.7 softmax回归的简洁实现 (d2l.ai §4.5 Concise Implementation of Softmax Regression)."""
import torch
from torch import nn


def init_weights(m):
    """For ``net.apply``: an ``nn.Linear`` gets weights from N(0, 0.01²) (§3.7.1); other modules are left alone."""
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=0.01)


def concise_classifier(lr=0.1):
    """``(net, loss, trainer)`` of §3.7: Flatten + Linear(784, 10) initialised with ``init_weights``,
    ``nn.CrossEntropyLoss(reduction='none')`` and SGD with learning rate ``lr``."""
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    net.apply(init_weights)
    return net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=lr)
