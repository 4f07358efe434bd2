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
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


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
    if isinstance(net, nn.Module):
        net.eval()
        if device is None:
            device = next(iter(net.parameters())).device
    correct, total = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X = [x.to(device) for x in X] if isinstance(X, list) else X.to(device)
            y = y.to(device)
            correct += float((net(X).argmax(dim=1) == y).sum())
            total += y.numel()
    return correct / total


def _init_weights(m):
    if type(m) in (nn.Linear, nn.Conv2d):
        nn.init.xavier_uniform_(m.weight)


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
    net.apply(_init_weights)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    history = []
    for _ in range(num_epochs):
        net.train()
        loss_sum, correct, total = 0.0, 0.0, 0
        for X, y in train_iter:
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            with torch.no_grad():
                loss_sum += l.item() * X.shape[0]
                correct += float((y_hat.argmax(dim=1) == y).sum())
                total += X.shape[0]
        history.append((loss_sum / total, correct / total, evaluate_accuracy_gpu(net, test_iter, device)))
    return history
