"""§4.2 多层感知机的从零开始实现 (d2l.ai §5.2 Implementation of Multilayer Perceptrons)."""
import torch
from torch import nn


def init_params(num_inputs=784, num_hiddens=256, num_outputs=10):
    """The parameters ``[W1, b1, W2, b2]`` of a one-hidden-layer MLP (§4.2.1), as ``nn.Parameter``s.

    ``W1 (num_inputs, num_hiddens)`` and ``W2 (num_hiddens, num_outputs)`` from
    N(0, 0.01²), drawn with torch's global random generator, ``W1`` first
    (``torch.randn(...) * 0.01`` as the book writes it: the same numbers under the
    same seed); ``b1 (num_hiddens,)`` and ``b2 (num_outputs,)`` zero. All float32
    leaves requiring gradients.
    """
    W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * 0.01)
    b1 = nn.Parameter(torch.zeros(num_hiddens))
    W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * 0.01)
    b2 = nn.Parameter(torch.zeros(num_outputs))
    return [W1, b1, W2, b2]


def relu(X):
    """``max(X, 0)`` elementwise (§4.2.2): same shape, dtype and device as ``X``; gradients flow through.

    ``X`` itself is not modified. Write it from elementwise operations: do not call
    ``torch.relu``, ``F.relu``, ``nn.ReLU``, ``clamp``/``clip`` or ``threshold``.
    """
    return torch.maximum(X, torch.zeros((), dtype=X.dtype, device=X.device))


def net(X, params):
    """The MLP of §4.2.3: flatten ``X`` to ``(-1, W1.shape[0])``, then ``relu(X W1 + b1) W2 + b2``.

    ``params`` is ``[W1, b1, W2, b2]`` as made by ``init_params``; returns the
    logits ``(n, num_outputs)``; gradients flow to every parameter. The book reads
    the parameters from globals; here they are an argument so the function can be
    checked on any weights. Trained from ``init_params`` with the book's loop
    (§4.2.5: SGD, lr 0.1, 10 epochs) it reaches about 0.84 test accuracy.
    """
    W1, b1, W2, b2 = params
    H = relu(X.reshape(-1, W1.shape[0]) @ W1 + b1)
    return H @ W2 + b2
