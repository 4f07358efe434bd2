"""§3.2 线性回归的从零开始实现 (d2l.ai §3.4 Linear Regression Implementation from Scratch)."""
import torch


def synthetic_data(w, b, num_examples):
    """Generate ``y = Xw + b + noise`` (§3.2.1).

    ``w``: float tensor of shape ``(d,)``; ``b``: a number. Returns ``X`` of shape
    ``(num_examples, d)`` with entries from N(0, 1) and ``y`` of shape
    ``(num_examples, 1)`` with noise from N(0, 0.01²), both float32, drawn with
    torch's global random generator.
    """
    raise NotImplementedError("synthetic_data (§3.2.1)")


def data_iter(batch_size, features, labels):
    """Yield ``(X, y)`` minibatches of ``batch_size`` examples in a random order (§3.2.2).

    Every example appears exactly once per pass; the last batch holds the rest
    when ``batch_size`` does not divide the number of examples.
    """
    raise NotImplementedError("data_iter (§3.2.2)")


def linreg(X, w, b):
    """The linear regression model ``Xw + b`` (§3.2.4); ``X (n, d)``, ``w (d, 1)`` -> ``(n, 1)``."""
    raise NotImplementedError("linreg (§3.2.4)")


def squared_loss(y_hat, y):
    """Per-example squared loss ``(y_hat - y)² / 2`` (§3.2.5), shaped like ``y_hat``.

    ``y`` may be ``(n,)`` or ``(n, 1)``: reshape it to ``y_hat``'s shape first.
    """
    raise NotImplementedError("squared_loss (§3.2.5)")


def sgd(params, lr, batch_size):
    """Minibatch SGD (§3.2.6): ``p -= lr * p.grad / batch_size`` in place, then zero each grad.

    The parameters stay the same tensor objects (leaf tensors with ``requires_grad``).
    """
    raise NotImplementedError("sgd (§3.2.6)")
