"""§4.3 多层感知机的简洁实现 (d2l.ai §5.2 Implementation of Multilayer Perceptrons)."""
from torch import nn


def concise_mlp(num_hiddens=256):
    """The concise MLP of §4.3: ``nn.Sequential(Flatten, Linear(784, num_hiddens), ReLU, Linear(num_hiddens, 10))``.

    Every ``nn.Linear`` gets weights from N(0, 0.01²) (the book's ``init_weights``,
    applied with ``net.apply`` after the layers are built, so the draws come in
    layer order); biases keep their default initialisation.
    """
    raise NotImplementedError("concise_mlp (§4.3)")
