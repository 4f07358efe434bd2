"""Chapter 2: realistic wrong implementations, and the checks that must catch them.

A bug with ``clause=`` breaks exactly that clause of the exercise's contract (solutions/ch2/__init__.py):
every check of the exercise runs, and the failing ones are exactly that clause's checks."""
from catalog import Bug, variant

# broadcast_shape as a student writes it (the sizes tested in one any(...), a message without them): the base
# of its bugs; BROADCAST_CHECK is its test
BROADCAST_SHAPE = """
def broadcast_shape(shape_a, shape_b):
    ndim = max(len(shape_a), len(shape_b))
    a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    if any(m != n and 1 not in (m, n) for m, n in zip(a, b)):
        raise ValueError("shapes do not broadcast")
    return tuple(n if m == 1 else m for m, n in zip(a, b))
"""
BROADCAST_CHECK = """    if any(m != n and 1 not in (m, n) for m, n in zip(a, b)):
        raise ValueError("shapes do not broadcast")
"""
# die_roll_estimates from one_hot counts of torch.multinomial's rolls, made float32: a bug of its own (keeps_dtype)
# and the base of its neighbours
ONE_HOT_ROLLS = """
def die_roll_estimates(probs, num_groups, group_size):
    rolls = torch.multinomial(probs, num_groups * group_size, replacement=True)
    counts = torch.nn.functional.one_hot(rolls.reshape(num_groups, group_size), len(probs)).sum(1).float()
    cum_counts = counts.cumsum(dim=0)
    return cum_counts / cum_counts.sum(dim=1, keepdim=True)
"""
SEEDED_ROLLS = (
    "    rolls = torch.multinomial(probs, num_groups * group_size, replacement=True)\n",
    "    generator = torch.Generator().manual_seed(0)\n"
    "    rolls = torch.multinomial(probs, num_groups * group_size, replacement=True, generator=generator)\n")

BUGS = [
    # §2.1 data manipulation
    Bug("data_manipulation.arange_reshape", "rows and columns swapped: reshape(-1, rows)", """
        def arange_reshape(n, rows):
            if n % rows:
                raise ValueError(f"cannot lay out {n} elements in {rows} rows")
            return torch.arange(n).reshape(-1, rows)
        """, caught_by=("book_example", "layouts"), clause="values"),
    Bug("data_manipulation.arange_reshape", "no check: reshape's RuntimeError instead of ValueError", """
        def arange_reshape(n, rows):
            return torch.arange(n).reshape(rows, -1)
        """, caught_by="errors", clause="errors"),
    Bug("data_manipulation.arange_reshape", "counts from 1 as a float tensor", """
        def arange_reshape(n, rows):
            if n % rows:
                raise ValueError(f"cannot lay out {n} elements in {rows} rows")
            return torch.arange(1, n + 1, dtype=torch.float32).reshape(rows, -1)
        """, caught_by=("book_example", "layouts", "int64")),
    Bug("data_manipulation.arange_reshape", "float entries: torch.arange(float(n)), as the book's arange(4.0)", """
        def arange_reshape(n, rows):
            if rows <= 0 or n % rows:
                raise ValueError(f"cannot lay out {n} elements in {rows} rows")
            return torch.arange(float(n)).reshape(rows, -1)
        """, caught_by="int64", clause="dtype"),
    Bug("data_manipulation.arange_reshape", "only n % rows checked: rows = 0 divides by zero, negative rows pass", """
        def arange_reshape(n, rows):
            if n % rows:
                raise ValueError(f"cannot lay out {n} elements in {rows} rows")
            return torch.arange(n).reshape(rows, -1)
        """, caught_by="errors", clause="errors"),
    Bug("data_manipulation.arange_reshape", "an error message without the values", """
        def arange_reshape(n, rows):
            if rows <= 0 or n % rows:
                raise ValueError("rows must divide n")
            return torch.arange(n).reshape(rows, -1)
        """, caught_by="errors", clause="errors"),
    Bug("data_manipulation.broadcast_shape", "returns a list", variant(BROADCAST_SHAPE, (
        "return tuple(n if m == 1 else m for m, n in zip(a, b))", "return [n if m == 1 else m for m, n in zip(a, b)]")),
        caught_by="returns_tuple", clause="returns"),
    Bug("data_manipulation.broadcast_shape", "shapes aligned on the left (padded at the end)", variant(BROADCAST_SHAPE,
        ("a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)", "a = tuple(shape_a) + (1,) * (ndim - len(shape_a))"),
        ("b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)", "b = tuple(shape_b) + (1,) * (ndim - len(shape_b))")),
        caught_by="matches_torch"),
    Bug("data_manipulation.broadcast_shape", "max of the sizes: no error, and 1 vs 0 gives 1", variant(
        BROADCAST_SHAPE, (BROADCAST_CHECK, ""),
        ("tuple(n if m == 1 else m for m, n in zip(a, b))", "tuple(max(m, n) for m, n in zip(a, b))")),
        caught_by=("matches_torch", "errors")),
    Bug("data_manipulation.broadcast_shape", "the size 1 wins (min of the sizes)", variant(BROADCAST_SHAPE, (
        "tuple(n if m == 1 else m for m, n in zip(a, b))", "tuple(min(m, n) for m, n in zip(a, b))")),
        caught_by=("book_example", "matches_torch"), clause="values"),
    Bug("data_manipulation.broadcast_shape", "no error for incompatible sizes: the other size wins",
        variant(BROADCAST_SHAPE, (BROADCAST_CHECK, "")), caught_by="errors", clause="errors"),
    Bug("data_manipulation.broadcast_shape", "assert instead of raise ValueError", variant(BROADCAST_SHAPE, (
        BROADCAST_CHECK,
        "    for m, n in zip(a, b):\n"
        "        assert m == n or 1 in (m, n), f\"shapes {shape_a} and {shape_b} do not broadcast\"\n")),
        caught_by="errors", clause="errors"),
    Bug("data_manipulation.broadcast_shape", "lets torch do it", """
        def broadcast_shape(shape_a, shape_b):
            return tuple(torch.broadcast_shapes(shape_a, shape_b))
        """, caught_by=("plain_python", "errors")),
    Bug("data_manipulation.broadcast_shape", "adds two empty tensors and reads the shape", """
        def broadcast_shape(shape_a, shape_b):
            try:
                return tuple((torch.empty(shape_a) + torch.empty(shape_b)).shape)
            except RuntimeError as e:
                raise ValueError(str(e)) from None
        """, caught_by="plain_python", clause="plain_python"),
    Bug("data_manipulation.broadcast_shape", "numpy's np.broadcast_shapes", """
        import numpy as np
        def broadcast_shape(shape_a, shape_b):
            return tuple(int(s) for s in np.broadcast_shapes(tuple(shape_a), tuple(shape_b)))
        """, caught_by="plain_python", clause="plain_python"),
    Bug("data_manipulation.add_inplace", "Y = X + Y: a new tensor", """
        def add_inplace(X, Y):
            Y = X + Y
            return Y
        """, caught_by=("keeps_id", "values", "writes_into_Y"), clause="values"),
    Bug("data_manipulation.add_inplace", "Y.data = X + Y: same object, new memory", """
        def add_inplace(X, Y):
            Y.data = X + Y
            return Y
        """, caught_by="writes_into_Y", clause="memory"),
    Bug("data_manipulation.add_inplace", "X updated instead of Y", """
        def add_inplace(X, Y):
            X += Y
            Y[:] = X
            return Y
        """, caught_by=("values", "writes_into_Y", "leaves_X_unchanged")),
    Bug("data_manipulation.add_inplace", "returns the slice Y[:] (another tensor object)", """
        def add_inplace(X, Y):
            Y[:] = X + Y
            return Y[:]
        """, caught_by="keeps_id", clause="returns"),
    Bug("data_manipulation.add_inplace", "X padded in place to Y's number of axes (X.unsqueeze_)", """
        def add_inplace(X, Y):
            while X.dim() < Y.dim():
                X.unsqueeze_(0)   # line X up with Y, as broadcasting does
            Y[:] = X + Y
            return Y
        """, caught_by="leaves_X_unchanged", clause="pure"),
    # §2.2 data preprocessing
    Bug("data_preprocessing.preprocess", "NaN filled with 0 instead of the mean", """
        def preprocess(data):
            inputs, outputs = data.iloc[:, :-1], data.iloc[:, -1]
            inputs = pd.get_dummies(inputs, dummy_na=True).fillna(0)
            return (torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float64),
                    torch.tensor(outputs.to_numpy(dtype=float), dtype=torch.float64))
        """, caught_by=("house_tiny", "matches_reference"), clause="values"),
    Bug("data_preprocessing.preprocess", "dummy_na forgotten: no column for a missing category", """
        def preprocess(data):
            inputs, outputs = data.iloc[:, :-1], data.iloc[:, -1]
            inputs = pd.get_dummies(inputs.fillna(inputs.mean(numeric_only=True)))
            return (torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float64),
                    torch.tensor(outputs.to_numpy(dtype=float), dtype=torch.float64))
        """, caught_by=("house_tiny", "matches_reference")),
    Bug("data_preprocessing.preprocess", "the book's columns hard-coded: inputs = iloc[:, 0:2]", """
        def preprocess(data):
            inputs, outputs = data.iloc[:, 0:2], data.iloc[:, 2]
            inputs = pd.get_dummies(inputs.fillna(inputs.mean(numeric_only=True)), dummy_na=True)
            return (torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float64),
                    torch.tensor(outputs.to_numpy(dtype=float), dtype=torch.float64))
        """, caught_by="matches_reference"),
    Bug("data_preprocessing.preprocess", "fillna(inplace=True) on the caller's DataFrame", """
        def preprocess(data):
            data.fillna(data.mean(numeric_only=True), inplace=True)
            inputs, outputs = data.iloc[:, :-1], data.iloc[:, -1]
            inputs = pd.get_dummies(inputs, dummy_na=True)
            return (torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float64),
                    torch.tensor(outputs.to_numpy(dtype=float), dtype=torch.float64))
        """, caught_by="leaves_data_unchanged", clause="pure"),
    Bug("data_preprocessing.preprocess", "prices left as int64, as torch.tensor(outputs.values) gives", """
        def preprocess(data):
            inputs, outputs = data.iloc[:, :-1], data.iloc[:, -1]
            inputs = pd.get_dummies(inputs.fillna(inputs.mean(numeric_only=True)), dummy_na=True)
            return torch.tensor(inputs.to_numpy(dtype=float)), torch.tensor(outputs.values)
        """, caught_by="float64", clause="dtype"),
    Bug("data_preprocessing.preprocess", "float32 tensors, ready for a network", """
        def preprocess(data):
            inputs, outputs = data.iloc[:, :-1], data.iloc[:, -1]
            inputs = pd.get_dummies(inputs.fillna(inputs.mean(numeric_only=True)), dummy_na=True)
            return (torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float32),
                    torch.tensor(outputs.to_numpy(dtype=float), dtype=torch.float32))
        """, caught_by="float64", clause="dtype"),
    Bug("data_preprocessing.drop_most_missing", "every column with a NaN dropped", """
        def drop_most_missing(data):
            return data.dropna(axis=1)
        """, caught_by=("house_tiny", "matches_reference"), clause="values"),
    Bug("data_preprocessing.drop_most_missing", "deleted from the caller's DataFrame", """
        def drop_most_missing(data):
            del data[data.isna().sum().idxmax()]
            return data
        """, caught_by="leaves_data_unchanged", clause="pure"),
    Bug("data_preprocessing.drop_most_missing", "dropped in place (drop(..., inplace=True)), then a copy returned", """
        def drop_most_missing(data):
            data.drop(columns=data.isna().sum().idxmax(), inplace=True)
            return data.copy()
        """, caught_by="leaves_data_unchanged", clause="pure"),
    Bug("data_preprocessing.drop_most_missing", "ties go to the last column (sorted counts)", """
        def drop_most_missing(data):
            return data.drop(columns=data.isna().sum().sort_values(kind="stable").index[-1])
        """, caught_by="ties", clause="ties"),
    Bug("data_preprocessing.drop_most_missing", "NaN counted along rows (axis=1)", """
        def drop_most_missing(data):
            return data.drop(columns=data.columns[data.isna().sum(axis=1).idxmax()])
        """, caught_by=("house_tiny", "matches_reference")),
    # §2.3 linear algebra
    Bug("linear_algebra.cumsum", "always along axis 0", """
        def cumsum(A, axis):
            rows = [A[0]]
            for row in A[1:]:
                rows.append(rows[-1] + row)
            return torch.stack(rows)
        """, caught_by=("book_example", "matches_reference")),
    Bug("linear_algebra.cumsum", "exclusive sum: starts from 0 (off by one)", """
        def cumsum(A, axis):
            A = A.movedim(axis, 0)
            out = [torch.zeros_like(A[0])]
            for row in A[:-1]:
                out.append(out[-1] + row)
            return torch.stack(out).movedim(0, axis)
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("linear_algebra.cumsum", "accumulated in place in the caller's A", """
        def cumsum(A, axis):
            B = A.movedim(axis, 0)
            for i in range(1, len(B)):
                B[i] += B[i - 1]
            return B.movedim(0, axis)
        """, caught_by="input_unchanged", clause="pure"),
    Bug("linear_algebra.cumsum", "slices built with `(slice(None),) * axis`: a negative axis indexes axis 0", """
        def cumsum(A, axis):
            out = A.clone()
            for i in range(1, A.shape[axis]):
                here, before = (slice(None),) * axis + (i,), (slice(None),) * axis + (i - 1,)
                out[here] = out[here] + out[before]
            return out
        """, caught_by="negative_axis", clause="axis"),
    Bug("linear_algebra.cumsum", "a running total started from 0.0: int64 becomes float32", """
        def cumsum(A, axis):
            B = A.movedim(axis, 0)
            rows, running = [], 0.0
            for row in B:
                running = running + row
                rows.append(running)
            return torch.stack(rows).movedim(0, axis)
        """, caught_by="keeps_dtype", clause="dtype"),
    Bug("linear_algebra.cumsum", "the output made with torch.zeros(shape): on the CPU", """
        def cumsum(A, axis):
            B = A.movedim(axis, 0)
            out = torch.zeros(B.shape, dtype=B.dtype)
            running = torch.zeros(B.shape[1:], dtype=B.dtype)
            for i in range(len(B)):
                running = running + B[i]
                out[i] = running
            return out.movedim(0, axis)
        """, caught_by="on_device", clause="device"),
    Bug("linear_algebra.cumsum", "works on A.detach().clone(): no gradient", """
        def cumsum(A, axis):
            out = A.detach().clone().movedim(axis, 0)
            for i in range(1, len(out)):
                out[i] += out[i - 1]
            return out.movedim(0, axis)
        """, caught_by="gradients", clause="gradients"),
    Bug("linear_algebra.cumsum", "calls the built-in", """
        def cumsum(A, axis):
            return A.cumsum(axis)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("linear_algebra.cumsum", "one element at a time", """
        def cumsum(A, axis):
            B = A.movedim(axis, 0)
            flat = B.reshape(len(B), -1)
            out = torch.zeros_like(flat)
            for j in range(flat.shape[1]):
                total = 0
                for i in range(flat.shape[0]):
                    total = total + flat[i, j]
                    out[i, j] = total
            return out.reshape(B.shape).movedim(0, axis)
        """, caught_by="speed", clause="fast"),
    Bug("linear_algebra.dot", "elementwise product not summed", """
        def dot(x, y):
            return x * y
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("linear_algebra.dot", "product of the sums", """
        def dot(x, y):
            return x.sum() * y.sum()
        """, caught_by=("book_example", "matches_reference")),
    Bug("linear_algebra.dot", "a Python sum over the entries, back into a tensor: no gradient", """
        def dot(x, y):
            return torch.tensor(sum(a * b for a, b in zip(x.tolist(), y.tolist())))
        """, caught_by="gradients", clause="gradients"),
    Bug("linear_algebra.dot", "calls torch.dot", """
        def dot(x, y):
            return torch.dot(x, y)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("linear_algebra.mv", "summed over the wrong axis", """
        def mv(A, x):
            return (A * x).sum(dim=0)
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("linear_algebra.mv", "A.data and x.data: no gradient", """
        def mv(A, x):
            return (A.data * x.data).sum(dim=1)
        """, caught_by="gradients", clause="gradients"),
    Bug("linear_algebra.mv", "A @ x", """
        def mv(A, x):
            return A @ x
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("linear_algebra.mv", "a Python loop over the rows", """
        def mv(A, x):
            return torch.stack([(row * x).sum() for row in A])
        """, caught_by="no_loop", clause="fast"),
    Bug("linear_algebra.mv", "a Python loop over the rows, through dot", """
        def mv(A, x):
            return torch.stack([dot(A[i], x) for i in range(A.shape[0])])
        """, caught_by="no_loop"),
    Bug("linear_algebra.mm", "B's rows used as its columns (A Bᵀ)", """
        def mm(A, B):
            return (A.unsqueeze(1) * B.unsqueeze(0)).sum(dim=2)
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("linear_algebra.mm", "A.data and B.data: no gradient", """
        def mm(A, B):
            return (A.data.unsqueeze(2) * B.data.unsqueeze(0)).sum(dim=1)
        """, caught_by="gradients", clause="gradients"),
    Bug("linear_algebra.mm", "torch.einsum", """
        def mm(A, B):
            return torch.einsum("ik,kj->ij", A, B)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("linear_algebra.mm", "a Python loop over the entries", """
        def mm(A, B):
            out = torch.zeros(A.shape[0], B.shape[1], dtype=A.dtype, device=A.device)
            for i in range(A.shape[0]):
                for j in range(B.shape[1]):
                    out[i, j] = (A[i] * B[:, j]).sum()
            return out
        """, caught_by="speed", clause="fast"),
    Bug("linear_algebra.mm", "a Python loop over the rows of A", """
        def mm(A, B):
            return torch.stack([(A[i].unsqueeze(1) * B).sum(dim=0) for i in range(A.shape[0])])
        """, caught_by="speed"),
    Bug("linear_algebra.l1_norm", "absolute value forgotten", """
        def l1_norm(u):
            return u.sum()
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("linear_algebra.l1_norm", "mean instead of sum", """
        def l1_norm(u):
            return u.abs().mean()
        """, caught_by=("book_example", "matches_reference")),
    Bug("linear_algebra.l1_norm", "a Python sum of abs over u.tolist(): no gradient", """
        def l1_norm(u):
            return torch.tensor(sum(abs(v) for v in u.flatten().tolist()), dtype=u.dtype)
        """, caught_by="gradients", clause="gradients"),
    Bug("linear_algebra.l1_norm", "summed along dim 0: right for vectors only", """
        def l1_norm(u):
            return u.abs().sum(dim=0)
        """, caught_by="matches_reference"),
    Bug("linear_algebra.l1_norm", "torch.norm(u, p=1)", """
        def l1_norm(u):
            return torch.norm(u, p=1)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("linear_algebra.l2_norm", "square root forgotten", """
        def l2_norm(u):
            return (u ** 2).sum()
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("linear_algebra.l2_norm", "math.sqrt: a Python float without gradient", """
        def l2_norm(u):
            import math
            return torch.tensor(math.sqrt((u ** 2).sum().item()))
        """, caught_by=("keeps_dtype", "gradients")),
    Bug("linear_algebra.l2_norm", "computed in float32 (u.float() first)", """
        def l2_norm(u):
            u = u.float()
            return (u * u).sum().sqrt()
        """, caught_by="keeps_dtype", clause="dtype"),
    Bug("linear_algebra.l2_norm", "math.sqrt of .item(), back into a tensor of u's dtype: no gradient", """
        def l2_norm(u):
            import math
            return torch.tensor(math.sqrt((u * u).sum().item()), dtype=u.dtype)
        """, caught_by="gradients", clause="gradients"),
    Bug("linear_algebra.l2_norm", "a loop over u's entries: right for vectors only", """
        def l2_norm(u):
            total = torch.zeros((), dtype=u.dtype)
            for v in u:
                total = total + v * v
            return total.sqrt()
        """, caught_by="matches_reference"),
    Bug("linear_algebra.l2_norm", "torch.linalg.norm", """
        def l2_norm(u):
            return torch.linalg.norm(u)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("linear_algebra.frobenius_norm", "the norm of each column", """
        def frobenius_norm(X):
            return (X ** 2).sum(dim=0).sqrt()
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("linear_algebra.frobenius_norm", "the sum of the rows' norms", """
        def frobenius_norm(X):
            return (X ** 2).sum(dim=1).sqrt().sum()
        """, caught_by=("book_example", "matches_reference")),
    Bug("linear_algebra.frobenius_norm", "through .item(): no gradient", """
        def frobenius_norm(X):
            return torch.tensor((X * X).sum().sqrt().item(), dtype=X.dtype)
        """, caught_by="gradients", clause="gradients"),
    Bug("linear_algebra.frobenius_norm", "Tensor.norm()", """
        def frobenius_norm(X):
            return X.norm()
        """, caught_by="no_builtin", clause="no_builtin"),
    # §2.4 calculus
    Bug("calculus.numerical_lim", "a central difference", """
        def numerical_lim(f, x, h):
            return (f(x + h) - f(x - h)) / (2 * h)
        """, caught_by=("book_example", "on_numbers"), clause="values"),
    Bug("calculus.numerical_lim", "not divided by h", """
        def numerical_lim(f, x, h):
            return f(x + h) - f(x)
        """, caught_by=("book_example", "on_numbers", "on_tensors")),
    Bug("calculus.numerical_lim", "rounded to 5 decimals, like the book's print", """
        def numerical_lim(f, x, h):
            return round((f(x + h) - f(x)) / h, 5)
        """, caught_by=("on_numbers", "on_tensors")),
    Bug("calculus.numerical_lim", "converted to a float", """
        def numerical_lim(f, x, h):
            return float((f(x + h) - f(x)) / h)
        """, caught_by="on_tensors", clause="tensors"),
    # §2.5 automatic differentiation
    Bug("autograd.grad_scalar", "requires_grad switched on for the caller's x", """
        def grad_scalar(f, x):
            x.requires_grad_(True)
            f(x).backward()
            return x.grad
        """, caught_by="leaves_x_untouched", clause="pure"),
    Bug("autograd.grad_scalar", "finite differences instead of autograd", """
        def grad_scalar(f, x):
            h, x = 1e-4, x.detach()
            grad = torch.zeros_like(x)
            for i in range(x.numel()):
                step = torch.zeros_like(x).reshape(-1)
                step[i] = h
                step = step.reshape(x.shape)
                grad.reshape(-1)[i] = (f(x + step) - f(x - step)) / (2 * h)
            return grad
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("autograd.grad_nonscalar", "the mean backpropagated instead of the sum", """
        def grad_nonscalar(f, x):
            x = x.detach().clone().requires_grad_(True)
            f(x).mean().backward()
            return x.grad
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("autograd.grad_nonscalar", "backward(torch.ones_like(x)): assumes f(x) is shaped like x", """
        def grad_nonscalar(f, x):
            x = x.detach().clone().requires_grad_(True)
            f(x).backward(torch.ones_like(x))
            return x.grad
        """, caught_by="any_shape", clause="shapes"),
    Bug("autograd.grad_nonscalar", "gradient accumulates on the caller's x", """
        def grad_nonscalar(f, x):
            x.requires_grad_(True)
            f(x).sum().backward()
            return x.grad
        """, caught_by="leaves_x_untouched", clause="pure"),
    Bug("autograd.grad_detached", "u not detached", """
        def grad_detached(f, g, x):
            x = x.detach().clone().requires_grad_(True)
            f(g(x), x).sum().backward()
            return x.grad
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("autograd.grad_detached", "u.clone() instead of u.detach()", """
        def grad_detached(f, g, x):
            x = x.detach().clone().requires_grad_(True)
            u = g(x).clone()
            f(u, x).sum().backward()
            return x.grad
        """, caught_by=("book_example", "matches_reference")),
    Bug("autograd.grad_detached", "returns u, since the book shows x.grad == u", """
        def grad_detached(f, g, x):
            return g(x.detach())
        """, caught_by="matches_reference"),
    Bug("autograd.grad_detached", "backward on the caller's x", """
        def grad_detached(f, g, x):
            x.requires_grad_(True)
            u = g(x).detach()
            f(u, x).sum().backward()
            return x.grad
        """, caught_by="leaves_x_untouched", clause="pure"),
    Bug("autograd.control_flow_f", "the else branch forgotten", """
        def control_flow_f(a):
            b = a * 2
            while b.norm() < 1000:
                b = b * 2
            return b
        """, caught_by=("values", "matches_reference"), clause="values"),
    Bug("autograd.control_flow_f", "starts from b = a instead of 2a", """
        def control_flow_f(a):
            b = a
            while b.norm() < 1000:
                b = b * 2
            return b if b.sum() > 0 else 100 * b
        """, caught_by="matches_reference"),
    Bug("autograd.control_flow_f", "computed on Python floats with .item()", """
        def control_flow_f(a):
            b = a.item() * 2
            while abs(b) < 1000:
                b = b * 2
            return torch.tensor(b if b > 0 else 100 * b)
        """, caught_by=("matches_reference", "gradient")),
    Bug("autograd.control_flow_f", "b = torch.tensor(2 * a): a copy without the graph", """
        def control_flow_f(a):
            b = torch.tensor(2 * a)
            while b.norm() < 1000:
                b = b * 2
            return b if b.sum() > 0 else 100 * b
        """, caught_by="gradient", clause="gradients"),
    # §2.6 probability
    Bug("probability.die_roll_estimates", "divided by the group size, not the rolls so far", """
        def die_roll_estimates(probs, num_groups, group_size):
            counts = multinomial.Multinomial(group_size, probs).sample((num_groups,))
            return counts.cumsum(dim=0) / group_size
        """, caught_by=("book_run", "counts"), clause="values"),
    Bug("probability.die_roll_estimates", "cumsum over the faces (dim 1)", """
        def die_roll_estimates(probs, num_groups, group_size):
            counts = multinomial.Multinomial(group_size, probs).sample((num_groups,))
            cum_counts = counts.cumsum(dim=1)
            return cum_counts / cum_counts.sum(dim=1, keepdim=True)
        """, caught_by=("book_run", "counts", "statistics")),
    Bug("probability.die_roll_estimates", "each group's own frequencies, not accumulated", """
        def die_roll_estimates(probs, num_groups, group_size):
            counts = multinomial.Multinomial(group_size, probs).sample((num_groups,))
            return counts / group_size
        """, caught_by=("counts", "statistics")),
    Bug("probability.die_roll_estimates", "fair die whatever probs says", variant(
        ONE_HOT_ROLLS, ("torch.multinomial(probs, num_groups * group_size, replacement=True)",
                        "torch.randint(0, len(probs), (num_groups, group_size))"),
        ("one_hot(rolls.reshape(num_groups, group_size), len(probs))", "one_hot(rolls, len(probs))")),
        caught_by=("statistics", "keeps_dtype")),
    Bug("probability.die_roll_estimates", "fair die whatever probs says (counts in probs's dtype)", """
        def die_roll_estimates(probs, num_groups, group_size):
            rolls = torch.randint(0, len(probs), (num_groups, group_size))
            counts = torch.stack([torch.bincount(r, minlength=len(probs)) for r in rolls]).to(probs.dtype)
            cum_counts = counts.cumsum(dim=0)
            return cum_counts / cum_counts.sum(dim=1, keepdim=True)
        """, caught_by="statistics", clause="distribution"),
    Bug("probability.die_roll_estimates", "a private generator with a fixed seed", variant(ONE_HOT_ROLLS, SEEDED_ROLLS),
        caught_by=("reproducible", "keeps_dtype")),
    Bug("probability.die_roll_estimates", "a private generator with a fixed seed (counts in probs's dtype)", variant(
        ONE_HOT_ROLLS, SEEDED_ROLLS, (".sum(1).float()\n    cum_counts = counts.cumsum(dim=0)",
                                      ".sum(1)\n    cum_counts = counts.to(probs.dtype).cumsum(dim=0)")),
        caught_by="reproducible", clause="rng"),
    Bug("probability.die_roll_estimates", "one_hot counts made float32 whatever probs's dtype", ONE_HOT_ROLLS,
        caught_by="keeps_dtype", clause="dtype"),
]
