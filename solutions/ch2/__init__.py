"""Chapter 2, 预备知识 (Preliminaries)."""

# The exercises of this chapter, in book order: module.name -> (zh.d2l.ai section, clauses): the clauses of the
# exercise's contract, one property each, every one tested by its own checks (tests/test_contracts.py); the first
# is the main behaviour (its values). Everything else (stubs, checks' ids, the gradebook's columns, notebooks,
# docs/contracts.md) is derived from here.
EXERCISES = {
    "data_manipulation.arange_reshape": ("2.1.1", {
        "values": "0 .. n-1 row by row in a (rows, n // rows) tensor, as torch.arange(n).reshape(rows, -1)",
        "dtype": "an int64 tensor (what torch.arange(n) gives)",
        "errors": "ValueError giving n and rows unless rows is a positive divisor of n (rows 0 and negative too)",
    }),
    "data_manipulation.broadcast_shape": ("2.1.3", {
        "values": "the shape of A + B: aligned on the right, a missing or size-1 axis stretches (to 0 too)",
        "returns": "a tuple of Python ints (not a list or a torch.Size)",
        "errors": "ValueError when two aligned sizes differ and neither is 1",
        "plain_python": "plain Python on the tuples: no torch (broadcast_shapes, tensors), no numpy",
    }),
    "data_manipulation.add_inplace": ("2.1.5", {
        "values": "afterwards Y holds X + Y (X broadcasting to Y's shape)",
        "returns": "returns Y itself (id(Y) unchanged)",
        "memory": "the sum is written into Y's own memory: Y.data_ptr() stays, a Y that is a view updates its base",
        "pure": "X is left unchanged (its values and its shape)",
    }),
    "data_preprocessing.preprocess": ("2.2.2", {
        "values": "X: the inputs, numeric NaN -> the column mean, the rest one-hot (get_dummies, dummy_na=True, "
                  "numeric columns first); y: the last column",
        "dtype": "X and y are float64 (the book keeps the CSV's int64 prices)",
        "pure": "data is left unchanged",
    }),
    "data_preprocessing.drop_most_missing": ("2.2.5", {
        "values": "a new DataFrame: data without the column with the most missing values, rows and values kept",
        "ties": "on a tie, the leftmost of those columns goes",
        "pure": "data is left unchanged",
    }),
    "linear_algebra.cumsum": ("2.3.6", {
        "values": "out[i] = A[0] + ... + A[i] along axis, shaped like A",
        "axis": "axis may be negative (counted from the end)",
        "dtype": "the result has A's dtype (float64 and int64 too)",
        "device": "the result is on A's device (no tensor made elsewhere)",
        "pure": "A is left unchanged",
        "gradients": "autograd flows through it: the gradient is cumsum's",
        "no_builtin": "torch.cumsum, Tensor.cumsum, cumprod and logcumsumexp are not used",
        "fast": "whole slices at a time: no Python loop over single elements",
    }),
    "linear_algebra.dot": ("2.3.7", {
        "values": "the sum of x_i y_i, a 0-dim tensor",
        "gradients": "autograd flows through it to x and y",
        "no_builtin": "torch.dot, mv, mm, matmul, @, einsum, tensordot and inner are not used",
    }),
    "linear_algebra.mv": ("2.3.8", {
        "values": "entry i is the dot product of row i of A with x: shape (m,)",
        "gradients": "autograd flows through it to A and x",
        "no_builtin": "torch.mv, mm, matmul, @, einsum, dot and tensordot are not used",
        "fast": "no Python loop over rows or entries: a few tensor operations whatever the size",
    }),
    "linear_algebra.mm": ("2.3.9", {
        "values": "entry (i, j) is the dot product of row i of A with column j of B: shape (n, m)",
        "gradients": "autograd flows through it to A and B",
        "no_builtin": "torch.mm, matmul, @, bmm, einsum, mv, dot, tensordot and F.linear are not used",
        "fast": "one broadcast product and a sum: no Python loop over entries or rows",
    }),
    "linear_algebra.l1_norm": ("2.3.10", {
        "values": "the sum of |u_i| over all entries of u (a vector or not), a 0-dim tensor",
        "gradients": "autograd flows through it",
        "no_builtin": "torch.norm, Tensor.norm and torch.linalg.*norm are not used",
    }),
    "linear_algebra.l2_norm": ("2.3.10", {
        "values": "the square root of the sum of u_i² over all entries of u (a vector or not), a 0-dim tensor",
        "dtype": "the result has u's dtype (float64 too)",
        "gradients": "autograd flows through it",
        "no_builtin": "torch.norm, Tensor.norm and torch.linalg.*norm are not used",
    }),
    "linear_algebra.frobenius_norm": ("2.3.10", {
        "values": "the square root of the sum of the squares of all entries, a 0-dim tensor",
        "gradients": "autograd flows through it",
        "no_builtin": "torch.norm, Tensor.norm and torch.linalg.*norm are not used",
    }),
    "calculus.numerical_lim": ("2.4.1", {
        "values": "the forward difference (f(x + h) - f(x)) / h as it is (not central, not rounded)",
        "tensors": "x may be a tensor: the result is the tensor of elementwise quotients (x's dtype)",
    }),
    "autograd.grad_scalar": ("2.5.1", {
        "values": "autograd's gradient of the scalar f(x) w.r.t. x, shaped like x",
        "pure": "the caller's x is left untouched: its values, requires_grad and .grad as before",
    }),
    "autograd.grad_nonscalar": ("2.5.2", {
        "values": "the gradient of f(x).sum() w.r.t. x, shaped like x",
        "shapes": "f(x) may have any shape, not only x's",
        "pure": "the caller's x is left untouched: its values, requires_grad and .grad as before",
    }),
    "autograd.grad_detached": ("2.5.3", {
        "values": "the gradient of f(u, x).sum() w.r.t. x with u = g(x) held constant (detached)",
        "pure": "the caller's x is left untouched: its values, requires_grad and .grad as before",
    }),
    "autograd.control_flow_f": ("2.5.4", {
        "values": "the book's f(a): b = 2a doubled while b.norm() < 1000, then b if b.sum() > 0 else 100 b",
        "gradients": "autograd flows through it: a.grad == f(a) / a",
    }),
    "probability.die_roll_estimates": ("2.6.1", {
        "values": "row i: the cumulative counts of groups 0..i over the rolls so far (rows sum to 1), "
                  "shape (num_groups, k)",
        "distribution": "the rolls follow probs",
        "rng": "drawn from torch's global generator: the same torch.manual_seed repeats them, another changes them",
        "dtype": "the result has probs's dtype (float32 for the book's fair_probs, float64 too)",
    }),
}
