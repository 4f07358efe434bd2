"""§7.7 稠密连接网络（DenseNet） (d2l.ai §8.7 Densely Connected Networks (DenseNet))."""
import torch
from torch import nn


def conv_block(input_channels, num_channels):
    """DenseNet's convolution block (§7.7.2): BatchNorm2d(input_channels), ReLU,
    Conv2d(input_channels, num_channels, 3, padding=1), as an ``nn.Sequential`` (pre-activation order)."""
    raise NotImplementedError("conv_block (§7.7.2)")


class DenseBlock(nn.Module):
    """A dense block (§7.7.2) of ``num_convs`` blocks made by this module's ``conv_block``, held in ``self.net``
    (an ``nn.Sequential``).

    Block ``i`` maps ``input_channels + i * num_channels`` channels to
    ``num_channels``; ``forward`` concatenates each block's input and output along
    the channels (input first) and feeds that to the next block, so the output has
    ``input_channels + num_convs * num_channels`` channels: all earlier features
    are kept.
    """

    def __init__(self, num_convs, input_channels, num_channels):
        raise NotImplementedError("DenseBlock.__init__ (§7.7.2)")

    def forward(self, X):
        raise NotImplementedError("DenseBlock.forward (§7.7.2)")


def transition_block(input_channels, num_channels):
    """A transition layer (§7.7.3): BatchNorm2d(input_channels), ReLU, Conv2d(input_channels, num_channels, 1),
    AvgPool2d(2, stride=2), as an ``nn.Sequential``: fewer channels, half the height and width."""
    raise NotImplementedError("transition_block (§7.7.3)")


def densenet():
    """The book's DenseNet for 1-channel inputs and 10 classes (§7.7.4), an ``nn.Sequential``:

    b1 = Sequential(Conv2d(1, 64, 7, stride=2, padding=3), BatchNorm2d(64), ReLU,
    MaxPool2d(3, stride=2, padding=1)); then four ``DenseBlock(4, c, 32)`` (this
    module's; growth rate 32, c the current channels: 64, 96, 112, 120), a
    ``transition_block(c, c // 2)`` between consecutive ones (not after the last);
    then BatchNorm2d(248), ReLU, AdaptiveAvgPool2d((1, 1)), Flatten, Linear(248, 10).
    All in one flat ``nn.Sequential``: b1, the 7 blocks, then the head. Global
    *average* pooling, as the text, the paper and d2l.ai (the zh book's PyTorch code
    has ``AdaptiveMaxPool2d``: that costs the pooling check only).
    """
    raise NotImplementedError("densenet (§7.7.4)")
