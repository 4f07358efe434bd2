"""§5.2 参数管理 (d2l.ai §6.2 Parameter Management)."""
import torch
from torch import nn


def init_normal(m):
    """For ``net.apply`` (§5.2.2.1): an ``nn.Linear`` gets weights from N(0, 0.01²) and zero bias.

    Draw the weight in place with the global generator, as
    ``nn.init.normal_(m.weight, mean=0, std=0.01)`` does (under one seed, the same
    numbers); draw nothing else. Other modules are left alone; nothing is printed.
    """
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, mean=0, std=0.01)
        nn.init.zeros_(m.bias)


def init_constant(m):
    """For ``net.apply`` (§5.2.2.1): an ``nn.Linear`` gets every weight equal to 1 and zero bias.

    Other modules are left alone.
    """
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 1)
        nn.init.zeros_(m.bias)


def my_init(m):
    """The book's custom initialisation (§5.2.2.2), for ``net.apply``: an ``nn.Linear``'s weight is
    drawn from U(-10, 10), then every entry with ``|w| < 5`` is set to 0.

    Draw with the global generator, as ``nn.init.uniform_(m.weight, -10, 10)`` does
    (under one seed, the same numbers). The bias and other modules are left alone;
    the weight stays the same ``nn.Parameter`` (change it in place, without recording
    gradients: it stays a leaf); nothing is printed (the book prints the layer's name).
    """
    if isinstance(m, nn.Linear):
        nn.init.uniform_(m.weight, -10, 10)
        with torch.no_grad():
            m.weight *= m.weight.abs() >= 5


def tied_net():
    """The network with a shared layer of §5.2.3: ``Sequential(Linear(4, 8), ReLU, shared, ReLU, shared, ReLU,
    Linear(8, 1))`` where ``shared = nn.Linear(8, 8)`` is ONE layer used twice (indices 2 and 4).

    Its parameters are counted once (121 numbers), changing ``net[2].weight`` changes
    ``net[4].weight``, and the gradient of ``shared``'s weight is the sum of the
    gradients of both uses.
    """
    shared = nn.Linear(8, 8)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1))
