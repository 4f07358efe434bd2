"""§7.2 使用块的网络（VGG） (d2l.ai §8.2 Networks Using Blocks (VGG))."""
from torch import nn


def vgg_block(num_convs, in_channels, out_channels):
    """A VGG block (§7.2.1): ``num_convs`` × (Conv2d(3×3, padding 1), ReLU), then MaxPool2d(2, stride=2).

    The first convolution maps ``in_channels`` to ``out_channels``, the others keep
    ``out_channels``. Returns an ``nn.Sequential`` of ``2 * num_convs + 1`` layers; it
    keeps the height and width through the convolutions and halves them at the end.
    """
    layers = []
    for _ in range(num_convs):
        layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU()]
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def vgg_net(conv_arch):
    """The VGG network (§7.2.2; the book calls it ``vgg``) for 1-channel inputs and 10 classes.

    ``conv_arch``: a sequence of ``(num_convs, out_channels)``, one block each, made by
    this module's ``vgg_block``
    (the first takes 1 input channel), then Flatten,
    Linear(out_channels * 7 * 7, 4096), ReLU, Dropout(0.5), Linear(4096, 4096), ReLU,
    Dropout(0.5), Linear(4096, 10), all in one flat ``nn.Sequential`` (blocks first).
    The inputs must shrink to 7×7: 224×224 with the book's five blocks.
    """
    blocks, in_channels = [], 1
    for num_convs, out_channels in conv_arch:
        blocks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    return nn.Sequential(
        *blocks, nn.Flatten(),
        nn.Linear(in_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 10))
