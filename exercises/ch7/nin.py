"""§7.3 网络中的网络（NiN） (d2l.ai §8.3 Network in Network (NiN))."""
from torch import nn


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    """A NiN block (§7.3.1): Conv2d(in, out, kernel_size, strides, padding), ReLU,
    then twice Conv2d(out, out, 1), ReLU: an ``nn.Sequential`` of 6 layers."""
    raise NotImplementedError("nin_block (§7.3.1)")


def nin_net():
    """The book's NiN (§7.3.2) for 1-channel 224×224 inputs and 10 classes, an ``nn.Sequential``:

    nin_block(1, 96, 11, 4, 0), MaxPool2d(3, stride=2), nin_block(96, 256, 5, 1, 2),
    MaxPool2d(3, stride=2), nin_block(256, 384, 3, 1, 1), MaxPool2d(3, stride=2),
    Dropout(0.5), nin_block(384, 10, 3, 1, 1), AdaptiveAvgPool2d((1, 1)), Flatten.
    No fully connected layer: global average pooling gives the ``(B, 10)`` logits. The
    NiN blocks are made by this module's ``nin_block``.
    """
    raise NotImplementedError("nin_net (§7.3.2)")
