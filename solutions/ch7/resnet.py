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
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = (nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
                      if use_1x1conv else None)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        return F.relu(Y + X)


def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    """A list of ``num_residuals`` blocks of this module's ``Residual`` (§7.6.3).

    Unless ``first_block``, the first one halves height and width and changes the
    channels: ``Residual(input_channels, num_channels, use_1x1conv=True, strides=2)``;
    every other one is ``Residual(num_channels, num_channels)``. (With
    ``first_block``, ``input_channels`` must equal ``num_channels``.) Returns a plain
    list, as the book, to be unpacked into ``nn.Sequential(*...)``.
    """
    return [Residual(input_channels, num_channels, use_1x1conv=True, strides=2)
            if i == 0 and not first_block else Residual(num_channels, num_channels)
            for i in range(num_residuals)]


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
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(*resnet_block(64, 64, 2, first_block=True))
    b3 = nn.Sequential(*resnet_block(64, 128, 2))
    b4 = nn.Sequential(*resnet_block(128, 256, 2))
    b5 = nn.Sequential(*resnet_block(256, 512, 2))
    return nn.Sequential(b1, b2, b3, b4, b5, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, 10))
