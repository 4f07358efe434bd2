"""§3.2 线性回归的从零开始实现 (d2l.ai §3.4 Linear Regression Implementation from Scratch)."""
import torch


def synthetic_data(w, b, num_examples):
    """Generate ``y = Xw + b + noise`` (§3.2.1).

    ``w``: float32 tensor of shape ``(d,)``; ``b``: a number. Returns ``X`` of shape
    ``(num_examples, d)`` with entries from N(0, 1) and ``y`` of shape
    ``(num_examples, 1)`` with noise from N(0, 0.01²), both float32. Both are drawn
    from torch's global random generator, ``X`` first, then the noise, as
    ``torch.normal`` draws them: under a seed, the book's numbers.
    """
    raise NotImplementedError("synthetic_data (§3.2.1)")


def data_iter(batch_size, features, labels):
    """Yield ``(X, y)`` minibatches of ``batch_size`` examples in a random order (§3.2.2).

    Each batch pairs rows of ``features`` with the same rows of ``labels``. Every
    example appears exactly once per pass, in a new random order on every pass;
    the last batch holds the rest when ``batch_size`` does not divide the number
    of examples.
    """
    raise NotImplementedError("data_iter (§3.2.2)")


def linreg(X, w, b):
    """The linear regression model ``Xw + b`` (§3.2.4); ``X (n, d)``, ``w (d, 1)`` -> ``(n, 1)``.

    Autograd flows through it to ``X``, ``w`` and ``b``.
    """
    raise NotImplementedError("linreg (§3.2.4)")


def squared_loss(y_hat, y):
    """Per-example squared loss ``(y_hat - y)² / 2`` (§3.2.5), shaped like ``y_hat``.

    ``y`` may be ``(n,)`` or ``(n, 1)``: reshape it to ``y_hat``'s shape first (no
    ``(n, n)`` broadcast). Autograd flows through it to ``y_hat``.
    """
    raise NotImplementedError("squared_loss (§3.2.5)")


def sgd(params, lr, batch_size):
    """Minibatch SGD (§3.2.6): ``p -= lr * p.grad / batch_size`` for each parameter, then reset its gradient.

    Every parameter has a ``.grad`` (a backward pass came first). The update is in
    place: the parameters stay the same leaf tensors, with ``requires_grad`` and
    their storage. Each gradient is then reset (``p.grad.zero_()``, or
    ``p.grad = None``), so that the next backward does not add to it.
    """
    raise NotImplementedError("sgd (§3.2.6)")
