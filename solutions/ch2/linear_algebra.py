"""§2.3 线性代数 (d2l.ai §2.3 Linear Algebra)."""
import torch


def cumsum(A, axis):
    """Cumulative sum of ``A`` along ``axis`` (§2.3.6.1), like ``A.cumsum(axis=axis)``.

    Same shape, dtype and device as ``A`` (float64 and int64 too); ``axis`` may be
    negative (counted from the end). Must not call
    ``torch.cumsum`` / ``Tensor.cumsum`` (or ``cumprod``, ``logcumsumexp``): build it from
    additions of whole slices, without a Python loop over single elements. Gradients
    flow through it; ``A`` is not modified.
    """
    out = A.movedim(axis, 0)
    shift = 1
    while shift < len(out):  # after this step, out[i] sums the 2*shift entries ending at i
        out = torch.cat([out[:shift], out[shift:] + out[:-shift]])
        shift *= 2
    return out.movedim(0, axis)


def dot(x, y):
    """Dot product of two vectors of the same length (§2.3.7): a 0-dim tensor.

    From an elementwise product and a sum: no ``torch.dot`` / ``mv`` / ``mm`` /
    ``matmul`` / ``@`` / ``einsum`` / ``tensordot`` / ``inner``. Gradients flow through it
    (to ``x`` and ``y``).
    """
    return (x * y).sum()


def mv(A, x):
    """Matrix-vector product (§2.3.8): ``A (m, n)``, ``x (n,)`` -> ``(m,)``.

    From elementwise products and sums (broadcasting): no ``torch.mv`` / ``mm`` /
    ``matmul`` / ``@`` / ``einsum`` / ``dot`` / ``tensordot``, no Python loop (over rows or
    entries). Gradients flow through it (to ``A`` and ``x``).
    """
    return (A * x).sum(dim=1)


def mm(A, B):
    """Matrix-matrix product (§2.3.9): ``A (n, k)``, ``B (k, m)`` -> ``(n, m)``.

    From elementwise products and sums (broadcasting): no ``torch.mm`` / ``matmul`` /
    ``@`` / ``bmm`` / ``einsum`` / ``mv`` / ``dot`` / ``tensordot`` / ``F.linear``, and no
    Python loop (over entries or rows): one broadcast product, one sum. Gradients flow
    through it (to ``A`` and ``B``).
    """
    return (A.unsqueeze(2) * B.unsqueeze(0)).sum(dim=1)


def l1_norm(u):
    """L1 norm (§2.3.10): the sum of the absolute values of ``u``'s entries, a 0-dim tensor.

    ``u`` is a vector in the book, but may have any shape: the sum runs over all its entries.
    Differentiable (gradients flow through it). No ``torch.norm`` / ``torch.linalg.*norm`` /
    ``Tensor.norm``.
    """
    return u.abs().sum()


def l2_norm(u):
    """L2 norm (§2.3.10): the square root of the sum of squares of ``u``'s entries.

    ``u`` is a vector in the book, but may have any shape: the sum runs over all its entries.
    A 0-dim tensor of ``u``'s dtype, differentiable. No ``torch.norm`` /
    ``torch.linalg.*norm`` / ``Tensor.norm``.
    """
    return (u * u).sum().sqrt()


def frobenius_norm(X):
    """Frobenius norm of a matrix (§2.3.10): the square root of the sum of squares of all
    its entries, a 0-dim tensor. Differentiable (gradients flow through it). No
    ``torch.norm`` / ``torch.linalg.*norm`` / ``Tensor.norm``.
    """
    return (X * X).sum().sqrt()
