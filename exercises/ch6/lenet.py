"""§6.6 卷积神经网络（LeNet） (d2l.ai §7.6 Convolutional Neural Networks (LeNet))."""
import torch
from torch import nn


def lenet():
    """The book's LeNet-5 for Fashion-MNIST (§6.6.1) as an ``nn.Sequential`` of 12 layers:

    Conv2d(1, 6, 5, padding=2), Sigmoid, AvgPool2d(2, stride=2), Conv2d(6, 16, 5),
    Sigmoid, AvgPool2d(2, stride=2), Flatten, Linear(400, 120), Sigmoid,
    Linear(120, 84), Sigmoid, Linear(84, 10). Input ``(B, 1, 28, 28)``, output
    ``(B, 10)`` logits. (No ``Reshape`` layer in front: the inputs already come as
    ``(B, 1, 28, 28)``.)
    """
    raise NotImplementedError("lenet (§6.6.1)")


def evaluate_accuracy_gpu(net, data_iter, device=None):
    """Fraction of the examples of ``data_iter`` that ``net`` classifies right, on ``device`` (§6.6.2).

    ``data_iter`` yields ``(X, y)`` (``X`` a tensor, or a list of tensors, moved to
    ``device`` one by one); ``device`` defaults to that of the net's first parameter.
    An ``nn.Module`` is put in eval mode, and the forward passes run under
    ``torch.no_grad()`` (layers such as the book's ``BatchNorm`` read that as
    "inference"). The prediction is the argmax of each row of ``net(X)``; the
    result is a Python float: correct / total over all examples (not a mean of
    per-batch accuracies), each ``y`` moved to ``device`` too.
    """
    raise NotImplementedError("evaluate_accuracy_gpu (§6.6.2)")


def train_ch6(net, train_iter, test_iter, num_epochs, lr, device):
    """Train ``net`` on ``device`` (§6.6.2); return the history, one ``(train_loss, train_acc, test_acc)`` per epoch.

    As the book: first the weights of every ``nn.Linear`` and ``nn.Conv2d`` are
    re-initialised with ``nn.init.xavier_uniform_``, in ``net.apply`` order, with
    no other random draw before them (biases and other modules left as they
    are); the net is moved to ``device``, then plain SGD with learning rate
    ``lr`` on ``nn.CrossEntropyLoss()`` (the batch mean), one step per batch,
    the net in train mode for every step; each batch is moved to ``device``.
    The history is a list with one tuple per epoch: ``train_loss`` and
    ``train_acc`` averaged over the epoch's examples (not over its batches),
    ``test_acc`` is ``evaluate_accuracy_gpu(net, test_iter, device)`` after the
    epoch. Deviation from the book: no plot or prints; the history is returned instead.
    """
    raise NotImplementedError("train_ch6 (§6.6.2)")
