"""§3.6 softmax回归的从零开始实现 (d2l.ai §4.4 Softmax Regression Implementation from Scratch)."""
import torch


def softmax(X):
    """Row-wise softmax of a 2-D tensor ``X`` (§3.6.2): same shape, each row sums to 1.

    Subtracting each row's maximum first keeps ``exp`` from overflowing for large logits.
    The result has ``X``'s dtype and device, ``X`` is left unchanged, and autograd flows
    through it. Vectorized (no Python loop over the rows); may not use ``torch.softmax``,
    ``F.softmax`` or ``log_softmax`` (the exercise is to write it).
    """
    raise NotImplementedError("softmax (§3.6.2)")


def net(X, W, b):
    """Softmax regression (§3.6.3): flatten ``X`` to ``(-1, W.shape[0])``, then ``softmax(XW + b)``.

    ``softmax`` is this module's (the one written above).
    """
    raise NotImplementedError("net (§3.6.3)")


def cross_entropy(y_hat, y):
    """Per-example cross-entropy ``-log y_hat[i, y[i]]`` (§3.6.4): a vector of shape ``(n,)``.

    ``y_hat`` holds probabilities ``(n, q)``, ``y`` int64 labels ``(n,)``. Autograd flows
    through it to ``y_hat``. Vectorized (one fancy index, no Python loop over the
    examples); may not use ``F.cross_entropy``, ``F.nll_loss`` or ``nn.CrossEntropyLoss``.
    """
    raise NotImplementedError("cross_entropy (§3.6.4)")


def accuracy(y_hat, y):
    """Number of correct predictions, as a float (§3.6.5).

    ``y_hat`` holds class scores ``(n, q)`` (prediction: the argmax of each row)
    or predicted labels ``(n,)``.
    """
    raise NotImplementedError("accuracy (§3.6.5)")


class Accumulator:
    """Running sums of ``n`` numbers (§3.6.5).

    ``add(*args)`` adds each number (a Python number or a one-element tensor) to its
    sum; ``acc[i]`` is sum ``i``, a Python float; ``reset()`` sets all ``n`` sums back to 0.
    """

    def __init__(self, n):
        raise NotImplementedError("Accumulator.__init__ (§3.6.5)")

    def add(self, *args):
        raise NotImplementedError("Accumulator.add (§3.6.5)")

    def reset(self):
        raise NotImplementedError("Accumulator.reset (§3.6.5)")

    def __getitem__(self, idx):
        raise NotImplementedError("Accumulator.__getitem__ (§3.6.5)")


def evaluate_accuracy(net, data_iter):
    """Accuracy of ``net`` over all examples of ``data_iter`` (§3.6.5); an ``nn.Module`` is put in eval mode."""
    raise NotImplementedError("evaluate_accuracy (§3.6.5)")


def train_epoch_ch3(net, train_iter, loss, updater):
    """One training epoch (§3.6.6); returns ``(mean loss, accuracy)`` over the examples seen.

    For each minibatch: ``y_hat = net(X)``, ``l = loss(y_hat, y)`` (per-example losses),
    then the update. ``updater`` is a ``torch.optim.Optimizer`` (``zero_grad``, backward
    of the mean loss, ``step``) or a function ``updater(batch_size)`` (backward of the
    summed losses, then ``updater(X.shape[0])``). The returned numbers are the sums of
    the per-example losses and of the correct predictions (``accuracy``) over the epoch,
    each divided by the number of examples. An ``nn.Module`` is put in train mode.
    """
    raise NotImplementedError("train_epoch_ch3 (§3.6.6)")
