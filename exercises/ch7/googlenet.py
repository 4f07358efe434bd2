"""§7.4 含并行连结的网络（GoogLeNet） (d2l.ai §8.4 Multi-Branch Networks (GoogLeNet))."""
import torch
import torch.nn.functional as F
from torch import nn


class Inception(nn.Module):
    """The Inception block (§7.4.1): four parallel paths concatenated along the channels.

    ``c1``: int; ``c2``, ``c3``: pairs; ``c4``: int. Layers, registered in this order:
    ``p1_1`` Conv2d(in, c1, 1); ``p2_1`` Conv2d(in, c2[0], 1), ``p2_2`` Conv2d(c2[0], c2[1], 3, padding=1);
    ``p3_1`` Conv2d(in, c3[0], 1), ``p3_2`` Conv2d(c3[0], c3[1], 5, padding=2);
    ``p4_1`` MaxPool2d(3, stride=1, padding=1), ``p4_2`` Conv2d(in, c4, 1).
    Every convolution is followed by a ReLU. ``forward`` keeps height and width and
    returns ``c1 + c2[1] + c3[1] + c4`` channels, in the order of the paths.
    """

    def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
        raise NotImplementedError("Inception.__init__ (§7.4.1)")

    def forward(self, x):
        raise NotImplementedError("Inception.forward (§7.4.1)")


def googlenet():
    """The book's GoogLeNet (§7.4.2): ``nn.Sequential(b1, b2, b3, b4, b5, Linear(1024, 10))``, its nine
    Inception blocks this module's ``Inception``.

    b1: Conv2d(1, 64, 7, stride=2, padding=3), ReLU, MaxPool2d(3, stride=2, padding=1).
    b2: Conv2d(64, 64, 1), ReLU, Conv2d(64, 192, 3, padding=1), ReLU, MaxPool2d(3, 2, padding=1).
    b3: Inception(192, 64, (96, 128), (16, 32), 32), Inception(256, 128, (128, 192), (32, 96), 64),
    MaxPool2d(3, 2, padding=1).
    b4: Inception(480, 192, (96, 208), (16, 48), 64), Inception(512, 160, (112, 224), (24, 64), 64),
    Inception(512, 128, (128, 256), (24, 64), 64), Inception(512, 112, (144, 288), (32, 64), 64),
    Inception(528, 256, (160, 320), (32, 128), 128), MaxPool2d(3, 2, padding=1).
    b5: Inception(832, 256, (160, 320), (32, 128), 128), Inception(832, 384, (192, 384), (48, 128), 128),
    AdaptiveAvgPool2d((1, 1)), Flatten.
    On ``(1, 1, 96, 96)`` the blocks give (1, 64, 24, 24), (1, 192, 12, 12), (1, 480, 6, 6),
    (1, 832, 3, 3), (1, 1024), (1, 10).
    """
    raise NotImplementedError("googlenet (§7.4.2)")
