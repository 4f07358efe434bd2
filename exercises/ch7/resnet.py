"""§7.6 残差网络（ResNet） (d2l.ai §8.6 Residual Networks (ResNet) and ResNeXt)."""
import torch.nn.functional as F
from torch import nn


class Residual(nn.Module):
    """The residual block (§7.6.2): ``ReLU(bn2(conv2(ReLU(bn1(conv1(X))))) + shortcut(X))``.

    ``conv1``: Conv2d(input_channels, num_channels, 3, padding=1, stride=strides);
    ``conv2``: Conv2d(num_channels, num_channels, 3, padding=1); ``conv3`` (the
    shortcut projection, only when ``use_1x1conv``, else ``None`` and the shortcut
    is ``X`` itself): Conv2d(input_channels, num_channels, 1, stride=strides);
    ``bn1``, ``bn2``: ``nn.BatchNorm2d(num_channels)``. Register them in this order
    (conv1, conv2, conv3, bn1, bn2), as the book (a layer without parameters, such
    as the book's unused ``self.relu``, may sit anywhere). The shortcut is added
    *before* the last ReLU. Output ``(B, num_channels, H / strides, W / strides)``.
    """

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        raise NotImplementedError("Residual.__init__ (§7.6.2)")

    def forward(self, X):
        raise NotImplementedError("Residual.forward (§7.6.2)")


def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    """A list of ``num_residuals`` blocks of this module's ``Residual`` (§7.6.3).

    Unless ``first_block``, the first one halves height and width and changes the
    channels: ``Residual(input_channels, num_channels, use_1x1conv=True, strides=2)``;
    every other one is ``Residual(num_channels, num_channels)``. (With
    ``first_block``, ``input_channels`` must equal ``num_channels``.) Returns a plain
    list, as the book, to be unpacked into ``nn.Sequential(*...)``.
    """
    raise NotImplementedError("resnet_block (§7.6.3)")


def resnet18():
    """The book's ResNet-18 for 1-channel inputs and 10 classes (§7.6.3), an ``nn.Sequential`` of 8:

    b1 = Sequential(Conv2d(1, 64, 7, stride=2, padding=3), BatchNorm2d(64), ReLU,
    MaxPool2d(3, stride=2, padding=1)); b2..b5 = Sequential(*resnet_block(...)), made
    with this module's ``resnet_block``, with
    (64, 64, 2, first_block=True), (64, 128, 2), (128, 256, 2), (256, 512, 2); then
    AdaptiveAvgPool2d((1, 1)), Flatten, Linear(512, 10).
    On ``(1, 1, 224, 224)`` the blocks give (1, 64, 56, 56), (1, 64, 56, 56),
    (1, 128, 28, 28), (1, 256, 14, 14), (1, 512, 7, 7), (1, 512, 1, 1), (1, 512), (1, 10).
    """
    raise NotImplementedError("resnet18 (§7.6.3)")
