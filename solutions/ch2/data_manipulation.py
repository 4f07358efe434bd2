"""§2.1 数据操作 (d2l.ai §2.1 Data Manipulation)."""
import torch


def arange_reshape(n, rows):
    """``torch.arange(n)`` laid out as a matrix of ``rows`` rows (§2.1.1).

    Returns an int64 tensor of shape ``(rows, n // rows)`` holding ``0 .. n-1`` row by
    row; let ``reshape`` infer the number of columns with ``-1``. Raises ``ValueError``,
    with a message that gives the values of ``n`` and ``rows``, unless ``rows`` is a
    positive divisor of ``n`` (so also for ``rows <= 0``; ``n = 0`` fits any ``rows >= 1``).
    """
    if rows <= 0 or n % rows:
        raise ValueError(f"cannot lay out {n} elements in {rows} rows")
    return torch.arange(n).reshape(rows, -1)


def broadcast_shape(shape_a, shape_b):
    """The shape of ``A + B`` for tensors of shapes ``shape_a`` and ``shape_b`` (§2.1.3).

    Shapes are tuples of ints; returns a ``tuple`` of Python ints (not a list or a
    ``torch.Size``). Broadcasting aligns the shapes
    on the right; a missing or size-1 axis stretches to the other size; two different
    sizes, neither 1, are incompatible: raise ``ValueError``. Work on the tuples with
    plain Python: no ``torch.broadcast_shapes`` / ``broadcast_tensors``, no numpy, no
    tensors at all.
    """
    ndim = max(len(shape_a), len(shape_b))
    a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    result = []
    for i, (m, n) in enumerate(zip(a, b)):
        if m != n and 1 not in (m, n):
            raise ValueError(f"shapes {tuple(shape_a)} and {tuple(shape_b)} do not broadcast: "
                             f"sizes {m} and {n} at axis {i - ndim}")
        result.append(n if m == 1 else m)
    return tuple(result)


def add_inplace(X, Y):
    """``Y[:] = X + Y`` (§2.1.5): add ``X`` to ``Y`` without allocating a new ``Y``.

    ``X`` broadcasts to ``Y``'s shape. Writes the sum into ``Y``'s own memory (``id(Y)``
    and ``Y.data_ptr()`` stay the same, and a ``Y`` that is a view updates its base)
    and returns ``Y`` itself. ``X`` is not modified (neither its values nor its shape).
    """
    Y[:] = X + Y
    return Y
