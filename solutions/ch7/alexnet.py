"""§7.1 深度卷积神经网络（AlexNet） (d2l.ai §8.1 Deep Convolutional Neural Networks (AlexNet))."""
from torch import nn


def alexnet():
    """The book's AlexNet for 1-channel 224×224 Fashion-MNIST images (§7.1.2), an ``nn.Sequential``:

    Conv2d(1, 96, 11, stride=4, padding=1), ReLU, MaxPool2d(3, stride=2),
    Conv2d(96, 256, 5, padding=2), ReLU, MaxPool2d(3, stride=2),
    Conv2d(256, 384, 3, padding=1), ReLU, Conv2d(384, 384, 3, padding=1), ReLU,
    Conv2d(384, 256, 3, padding=1), ReLU, MaxPool2d(3, stride=2), Flatten,
    Linear(6400, 4096), ReLU, Dropout(0.5), Linear(4096, 4096), ReLU, Dropout(0.5),
    Linear(4096, 10). Input ``(B, 1, 224, 224)``, output ``(B, 10)``.
    """
    return nn.Sequential(
        nn.Conv2d(1, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten(),
        nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 10))
