"""§2.5 自动微分 (d2l.ai §2.5 Automatic Differentiation)."""
import torch


def _leaf(x):
    """A fresh leaf copy of ``x`` that records gradients, so the caller's ``x`` stays as it was."""
    return x.detach().clone().requires_grad_(True)


def grad_scalar(f, x):
    """Gradient of the scalar ``f(x)`` w.r.t. ``x`` by autograd (§2.5.1), e.g. ``4x`` for ``2 xᵀx``.

    ``x``: a float tensor; returns a tensor shaped like ``x``. The caller's ``x`` is left
    untouched: its ``requires_grad`` and ``.grad`` are as before (work on a detached copy).
    No finite differences: use ``backward()`` or ``torch.autograd.grad``.
    """
    x = _leaf(x)
    f(x).backward()
    return x.grad


def grad_nonscalar(f, x):
    """Gradient w.r.t. ``x`` of the sum of the entries of the (non-scalar) ``f(x)`` (§2.5.2).

    What the book's ``y.sum().backward()`` (equivalently ``y.backward(torch.ones_like(y))``)
    computes; ``f(x)`` may have any shape. Returns a tensor shaped like ``x``; the caller's
    ``x`` is left untouched.
    """
    x = _leaf(x)
    f(x).sum().backward()
    return x.grad


def grad_detached(f, g, x):
    """Gradient w.r.t. ``x`` of ``f(u, x).sum()`` where ``u = g(x)`` is a constant (§2.5.3).

    The book's example is ``g(x) = x * x``, ``f(u, x) = u * x``: the gradient is ``u``, not
    ``3x²``. Detach ``u`` from the graph; gradients still flow through ``x`` inside ``f``.
    Returns a tensor shaped like ``x``; the caller's ``x`` is left untouched.
    """
    x = _leaf(x)
    u = g(x).detach()
    f(u, x).sum().backward()
    return x.grad


def control_flow_f(a):
    """The book's ``f(a)`` with Python control flow (§2.5.4).

    ``b = 2a``; double ``b`` while ``b.norm() < 1000``; return ``b`` if ``b.sum() > 0``,
    else ``100 * b``. ``a`` is a float tensor (0-dim in the book; any shape works);
    the result is a tensor of ``a``'s shape through which autograd flows, so that
    ``a.grad == f(a) / a``.
    """
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    return b if b.sum() > 0 else 100 * b
