"""Chapter 2 (预备知识), hidden checks: reference comparisons, gradients, edge cases, inputs left
unchanged, forbidden shortcuts and speed."""
import io

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from autograder.harness import (type_name, SEEDS, library_calls, Forbidden, assert_close, assert_gradients_match, assert_matches_reference,
                                assert_no_forbidden_calls, assert_tensor, check, randint, randn, reference, shape,
                                speed_check)

CUMSUM_FUNCS = Forbidden(
    "torch.cumsum / Tensor.cumsum / cumprod / logcumsumexp",
    functions=(torch.cumsum, torch.Tensor.cumsum, torch.Tensor.cumsum_, torch.cumprod, torch.Tensor.cumprod,
               torch.logcumsumexp, torch.Tensor.logcumsumexp),
    aten=("cumsum", "cumsum_", "cumprod", "cumprod_", "logcumsumexp", "_logcumsumexp"))
PRODUCT_FUNCS = Forbidden(
    "torch.dot / mv / mm / matmul / @ / bmm / einsum / tensordot / inner / F.linear",
    functions=(torch.dot, torch.vdot, torch.inner, torch.mv, torch.mm, torch.matmul, torch.bmm, torch.einsum,
               torch.tensordot, torch.addmm, torch.addmv, torch.addbmm, torch.baddbmm, torch.chain_matmul,
               torch.linalg.matmul, torch.linalg.vecdot, torch.linalg.multi_dot, F.linear,
               torch.Tensor.dot, torch.Tensor.vdot, torch.Tensor.inner, torch.Tensor.mv, torch.Tensor.mm,
               torch.Tensor.matmul, torch.Tensor.__matmul__, torch.Tensor.__rmatmul__, torch.Tensor.bmm),
    aten=("dot", "vdot", "inner", "mv", "mm", "matmul", "bmm", "addmm", "addmv", "addbmm", "baddbmm", "einsum",
          "tensordot", "linear", "linalg_vecdot", "_mm"))
NORM_FUNCS = Forbidden(
    "torch.norm / Tensor.norm / torch.linalg.*norm / torch.dist",
    functions=(torch.norm, torch.Tensor.norm, torch.linalg.norm, torch.linalg.vector_norm, torch.linalg.matrix_norm,
               torch.frobenius_norm, torch.dist, torch.Tensor.dist, F.normalize),
    aten=("norm", "linalg_vector_norm", "linalg_matrix_norm", "linalg_norm", "frobenius_norm", "nuclear_norm",
          "dist", "renorm", "_foreach_norm"))


def ref(name):
    return reference(f"ch2.{name}")


def assert_like_reference(fn, name, make_args, *, what, hint, wrt=(0,)):
    """``fn`` matches the reference ``name`` over ``SEEDS`` (inputs unchanged), and so do its gradients."""
    assert_matches_reference(fn, ref(name), make_args, what=what, seeds=SEEDS, hint=hint)
    assert_gradients_match(fn, ref(name), make_args(0), wrt=wrt, what=what)


# §2.1 data manipulation ----------------------------------------------------------------------------

@check("data_manipulation.arange_reshape")
def check_arange_reshape_layouts_and_errors(arange_reshape):
    ref_fn = ref("data_manipulation.arange_reshape")
    for n, rows in ((12, 4), (30, 5), (7, 7), (7, 1), (0, 3)):
        assert_close(arange_reshape(n, rows), ref_fn(n, rows), what=f"arange_reshape({n}, {rows})",
                     hint="torch.arange(n).reshape(rows, -1)")
    for n, rows in ((12, 5), (10, 3)):
        try:
            got = arange_reshape(n, rows)
        except ValueError:
            continue
        except NotImplementedError:
            raise
        except Exception as e:
            raise AssertionError(f"arange_reshape({n}, {rows}) raised {type_name(e)}; it should raise ValueError "
                                 f"({rows} rows cannot hold {n} elements): check n % rows first") from None
        raise AssertionError(f"arange_reshape({n}, {rows}) returned {got!r}; it should raise ValueError")


def broadcastable_pair(seed):
    """Two shapes that broadcast: suffixes of one shape, with some sizes replaced by 1 (sizes 0..4)."""
    g = torch.Generator().manual_seed(seed)
    full = torch.randint(0, 5, (torch.randint(0, 5, (), generator=g).item(),), generator=g).tolist()
    shapes = []
    for _ in range(2):
        ndim = torch.randint(0, len(full) + 1, (), generator=g).item()
        ones = torch.rand(ndim, generator=g) < 0.4
        shapes.append(tuple(1 if one else size for one, size in zip(ones.tolist(), full[len(full) - ndim:])))
    return tuple(shapes)


@check("data_manipulation.broadcast_shape", points=2)
def check_broadcast_shape_matches_torch(broadcast_shape):
    pairs = [broadcastable_pair(seed) for seed in range(40)] + [((2, 3), (3,)), ((), (4, 1)), ((5, 0), (1,)),
                                                                 ((1, 4, 1), (3, 1, 2))]
    for a, b in pairs:
        expected = tuple(torch.broadcast_shapes(a, b))
        try:
            got = broadcast_shape(a, b)
        except ValueError as e:
            raise AssertionError(f"broadcast_shape({a}, {b}) raised ValueError ({e}), but these shapes broadcast to "
                                 f"{expected}: compare sizes from the right (the last axes line up)") from None
        assert isinstance(got, tuple) and tuple(got) == expected, \
            (f"broadcast_shape({a}, {b}) returned {got!r}, expected {expected}: align the shapes on the right, "
             "pad the shorter one with 1s, and a size 1 stretches to the other size (even to 0)")
    for a, b in (((3,), (4,)), ((2, 3), (3, 2)), ((5, 1, 2), (4, 3)), ((0,), (2,))):
        try:
            got = broadcast_shape(a, b)
        except ValueError:
            continue
        except NotImplementedError:
            raise
        except Exception as e:
            raise AssertionError(f"broadcast_shape({a}, {b}) raised {type_name(e)}; it should raise "
                                 "ValueError") from None
        raise AssertionError(f"broadcast_shape({a}, {b}) returned {got!r}, but these shapes do not broadcast "
                             "(two different sizes, neither 1): raise ValueError")


@check("data_manipulation.broadcast_shape")
def check_broadcast_shape_plain_python(broadcast_shape):
    _, called = library_calls(broadcast_shape, (4, 1, 3), (5, 1))
    assert not called, (f"broadcast_shape must work out the shape from the tuples with plain Python, but it "
                        f"called {', '.join(sorted(called)[:5])}: no torch.broadcast_shapes, no tensors, no numpy")


@check("data_manipulation.add_inplace", points=2)
def check_add_inplace_writes_into_Y(add_inplace):
    for seed in SEEDS:
        base = randn((6, 5), seed)
        Y, X = base[1:4], randn((1, 5), seed + 1)
        X_before, base_before, ptr = X.clone(), base.clone(), Y.data_ptr()
        expected = X + Y
        got = add_inplace(X, Y)
        assert got is Y, "add_inplace(X, Y) must return the very same tensor Y"
        assert Y.data_ptr() == ptr, (f"Y's memory moved (data_ptr changed; seed {seed}): write into it with "
                                     "Y[:] = X + Y instead of giving Y new data")
        assert_close(Y, expected, what=f"Y after add_inplace(X (1, 5), Y (3, 5)) (seed {seed})",
                     hint="X broadcasts along the rows of Y")
        assert_close(base[1:4], expected, what="the tensor that Y is a view of, rows 1..3",
                     hint="Y[:] = ... writes through the view; Y.data = ... does not")
        assert torch.equal(base[[0, 4, 5]], base_before[[0, 4, 5]]), "rows outside Y must not change"
        assert torch.equal(X, X_before), "add_inplace must not modify X"


# §2.2 data preprocessing ---------------------------------------------------------------------------

def house_table(seed, rows=12):
    """A random CSV table like the Kaggle data: numeric and text columns with gaps, then the price."""
    rng = np.random.default_rng(seed)

    def gaps(values):
        values = pd.Series(values, dtype=object if isinstance(values[0], str) else float)
        values[rng.random(rows) < 0.3] = None if values.dtype == object else np.nan
        return values
    table = pd.DataFrame({
        "Area": gaps(rng.uniform(50, 200, rows).round(1)),
        "Style": gaps(list(rng.choice(["Ranch", "Loft", "Villa"], rows))),
        "Rooms": gaps(rng.integers(1, 7, rows).astype(float)),
        "Street": gaps(list(rng.choice(["Pave", "Grvl"], rows))),
        "Price": rng.integers(50_000, 300_000, rows),
    })
    return pd.read_csv(io.StringIO(table.to_csv(index=False)))  # the dtypes read_csv gives, as in §2.2.1


@check("data_preprocessing.preprocess", points=2)
def check_preprocess_matches_reference(preprocess):
    ref_fn = ref("data_preprocessing.preprocess")
    for seed in SEEDS:
        data = house_table(seed)
        expected = ref_fn(data.copy())
        got = preprocess(data)
        assert isinstance(got, tuple) and len(got) == 2, f"preprocess should return (X, y), got {type_name(got)}"
        label = f"for a table with columns {list(data.columns)} (seed {seed})"
        assert_close(got[0], expected[0], what=f"X {label}",
                     hint="every column but the last is an input; numeric NaN -> column mean; "
                          "pd.get_dummies(inputs, dummy_na=True); float64")
        assert_close(got[1], expected[1], what=f"y {label}", hint="the last column, as float64")


@check("data_preprocessing.preprocess")
def check_preprocess_leaves_data_unchanged(preprocess):
    data = house_table(7)
    before = data.copy()
    preprocess(data)
    try:
        pd.testing.assert_frame_equal(data, before)
    except AssertionError as e:
        raise AssertionError("preprocess modified the DataFrame it was given (fillna(..., inplace=True)?): "
                             f"work on a copy. pandas says: {str(e).splitlines()[0]}") from None


def gappy_table(seed):
    """Random columns with 0..5 missing values each, so ties for the most missing are common."""
    rng = np.random.default_rng(seed)
    columns = {}
    for name in "ABCDE":
        values = rng.normal(size=8)
        values[rng.choice(8, size=rng.integers(0, 4), replace=False)] = np.nan
        columns[name] = values
    return pd.DataFrame(columns)


@check("data_preprocessing.drop_most_missing", points=2)
def check_drop_most_missing_matches_reference(drop_most_missing):
    ref_fn = ref("data_preprocessing.drop_most_missing")
    for seed in range(12):
        data = gappy_table(seed)
        before = data.copy()
        expected = ref_fn(data.copy())
        got = drop_most_missing(data)
        missing = data.isna().sum().to_dict()
        assert isinstance(got, pd.DataFrame), f"drop_most_missing should return a DataFrame, got {type_name(got)}"
        assert list(got.columns) == list(expected.columns), \
            (f"with missing values per column {missing}, the columns left should be {list(expected.columns)}, "
             f"got {list(got.columns)} (on a tie, drop the leftmost column)")
        assert got.equals(expected), "the remaining columns should keep their values and rows"
        assert data.equals(before), "drop_most_missing modified the DataFrame it was given: return a new one"


# §2.3 linear algebra -------------------------------------------------------------------------------

def cumsum_args(seed):
    return randn(shape(seed, 3, 1, 6), seed), int(randint(-3, 3, (), seed + 50))


@check("linear_algebra.cumsum", points=2)
def check_cumsum_matches_reference(cumsum):
    assert_like_reference(cumsum, "linear_algebra.cumsum", cumsum_args, what="cumsum(A, axis)",
                          hint="out[i] = A[0] + ... + A[i] along the axis (negative axes count from the end)")
    A = randint(-9, 9, (4, 7), 11)
    assert_close(cumsum(A, 1), ref("linear_algebra.cumsum")(A, 1), what="cumsum(A, 1) for an int64 A",
                 hint="keep A's dtype")


@check("linear_algebra.cumsum")
def check_cumsum_no_builtin(cumsum):
    assert_no_forbidden_calls(cumsum, *cumsum_args(0), forbidden=CUMSUM_FUNCS, what="cumsum")


speed_check("linear_algebra.cumsum", lambda device: (randn((16, 2000), 0, device=device), 0),
            builtin=lambda A, axis: torch.cumsum(A, axis), limit=10,
            hint="add whole slices at a time (one loop step per position along the axis at most), "
                 "never one element at a time")


def product_args(seed):
    n, k, m = shape(seed, 3, 1, 7)
    return randn((n, k), seed), randn((k, m), seed + 1)


def vector_pair(seed):
    n = int(randint(1, 10, (), seed))
    return randn((n,), seed), randn((n,), seed + 1)


def matrix_vector(seed):
    A, B = product_args(seed)
    return A, B[:, 0]


@check("linear_algebra.dot")
def check_dot_matches_reference(dot):
    assert_like_reference(dot, "linear_algebra.dot", vector_pair, what="dot(x, y)", wrt=(0, 1),
                          hint="(x * y).sum(): a 0-dim tensor")


@check("linear_algebra.dot")
def check_dot_no_builtin(dot):
    assert_no_forbidden_calls(dot, *vector_pair(0), forbidden=PRODUCT_FUNCS, what="dot")


@check("linear_algebra.mv")
def check_mv_matches_reference(mv):
    assert_like_reference(mv, "linear_algebra.mv", matrix_vector, what="mv(A, x)", wrt=(0, 1),
                          hint="entry i is the dot product of row i of A with x")


@check("linear_algebra.mv")
def check_mv_no_builtin(mv):
    assert_no_forbidden_calls(mv, *matrix_vector(0), forbidden=PRODUCT_FUNCS, what="mv")


@check("linear_algebra.mm", points=2)
def check_mm_matches_reference(mm):
    def square(seed):
        return randn((4, 4), seed), randn((4, 4), seed + 1)
    for make_args in (product_args, square):
        assert_like_reference(mm, "linear_algebra.mm", make_args, what="mm(A, B)", wrt=(0, 1),
                              hint="entry (i, j) is the dot product of row i of A with column j of B")


@check("linear_algebra.mm")
def check_mm_no_builtin(mm):
    assert_no_forbidden_calls(mm, *product_args(0), forbidden=PRODUCT_FUNCS, what="mm")


speed_check("linear_algebra.mm", lambda device: (randn((128, 16), 0, device=device), randn((16, 32), 1, device=device)),
            builtin=torch.mm, limit=10,
            hint="broadcast A (n, k, 1) against B (1, k, m) and sum over k: no Python loop over the entries")


def norm_args(seed):
    return (randn((int(randint(1, 12, (), seed)),), seed),)


def matrix_args(seed):
    return (randn(shape(seed, 2, 1, 8), seed),)


@check("linear_algebra.l1_norm")
def check_l1_norm_matches_reference(l1_norm):
    assert_like_reference(l1_norm, "linear_algebra.l1_norm", norm_args, what="l1_norm(u)",
                          hint="the sum of |u_i|, a 0-dim tensor")


@check("linear_algebra.l1_norm")
def check_l1_norm_no_builtin(l1_norm):
    assert_no_forbidden_calls(l1_norm, *norm_args(0), forbidden=NORM_FUNCS, what="l1_norm")


@check("linear_algebra.l2_norm")
def check_l2_norm_matches_reference(l2_norm):
    assert_like_reference(l2_norm, "linear_algebra.l2_norm", norm_args, what="l2_norm(u)",
                          hint="sqrt of the sum of u_i², a 0-dim tensor")


@check("linear_algebra.l2_norm")
def check_l2_norm_no_builtin(l2_norm):
    assert_no_forbidden_calls(l2_norm, *norm_args(0), forbidden=NORM_FUNCS, what="l2_norm")


@check("linear_algebra.frobenius_norm")
def check_frobenius_norm_matches_reference(frobenius_norm):
    assert_like_reference(frobenius_norm, "linear_algebra.frobenius_norm", matrix_args, what="frobenius_norm(X)",
                          hint="sqrt of the sum of all x_ij², one number")


@check("linear_algebra.frobenius_norm")
def check_frobenius_norm_no_builtin(frobenius_norm):
    assert_no_forbidden_calls(frobenius_norm, *matrix_args(0), forbidden=NORM_FUNCS, what="frobenius_norm")


# §2.4 calculus -------------------------------------------------------------------------------------

@check("calculus.numerical_lim")
def check_numerical_lim_on_tensors(numerical_lim):
    def f(x):
        return x ** 3 - 2 * torch.sin(x)
    ref_fn = ref("calculus.numerical_lim")
    for seed in SEEDS:
        x, h = randn((5,), seed, dtype=torch.float64), 10.0 ** -(1 + seed)
        assert_close(numerical_lim(f, x, h), ref_fn(f, x, h),
                     what=f"numerical_lim(f, x, h={h:g}) for x (5,) float64 (seed {seed}) and f(x) = x³ - 2 sin x",
                     hint="return the quotient itself, elementwise, without rounding or converting to float")


# §2.5 automatic differentiation --------------------------------------------------------------------

SCALAR_FUNCTIONS = {
    "(x³).sum()": lambda x: (x ** 3).sum(),
    "(sin(x) · x).sum()": lambda x: (torch.sin(x) * x).sum(),
    "logsumexp(x)": lambda x: torch.logsumexp(x.reshape(-1), 0),
}
NONSCALAR_FUNCTIONS = {
    "x.cumsum(0)": lambda x: x.cumsum(0),
    "x.reshape(-1, 1) * x (an outer product)": lambda x: x.reshape(-1, 1) * x,
    "exp(x)[:2] * 3": lambda x: torch.exp(x)[:2] * 3,
}
DETACHED_FUNCTIONS = {  # (f(u, x), g(x))
    "u = sin(x), z = u * x²": (lambda u, x: u * x ** 2, torch.sin),
    "u = x.sum(), z = u * exp(x)": (lambda u, x: u * torch.exp(x), lambda x: x.sum()),
    "u = x³, z = (u - x)²": (lambda u, x: (u - x) ** 2, lambda x: x ** 3),
}


def compare_gradients(fn, ref_fn, functions, *, what, hint, vector_only=False):
    """``fn(*args, x)`` against the reference for every function in ``functions`` and a few x (float64)."""
    for name, args in functions.items():
        args = args if isinstance(args, tuple) else (args,)
        for seed in SEEDS[:3]:
            x = randn((5,) if vector_only or seed % 2 == 0 else (2, 3), seed, dtype=torch.float64)
            assert_close(fn(*args, x.clone()), ref_fn(*args, x.clone()), what=f"{what} for {name} at x "
                         f"{tuple(x.shape)} (seed {seed})", hint=hint)


def assert_x_untouched(fn, *args, what):
    """``fn(*args, x)`` twice, for an x without and with ``requires_grad``: x keeps its flags, .grad and values."""
    for requires_grad in (False, True):
        x = randn((4,), 5, dtype=torch.float64, requires_grad=requires_grad)
        before = x.detach().clone()
        first = fn(*args, x).detach().clone()
        second = fn(*args, x)
        assert x.requires_grad == requires_grad, \
            (f"{what} changed the caller's x.requires_grad to {x.requires_grad}: "
             "work on x.detach().clone().requires_grad_(True) instead")
        assert x.grad is None, f"{what} left a .grad on the caller's x (requires_grad={requires_grad}): use a copy"
        assert torch.equal(x.detach(), before), f"{what} changed the values of x"
        assert_close(second, first, what=f"{what} called a second time on the same x",
                     hint="gradients accumulate in .grad: compute them on a fresh copy of x each call")


@check("autograd.grad_scalar", points=2)
def check_grad_scalar_matches_reference(grad_scalar):
    compare_gradients(grad_scalar, ref("autograd.grad_scalar"), SCALAR_FUNCTIONS, what="grad_scalar(f, x)",
                      hint="autograd's exact gradient: f(x).backward(), then x.grad (no finite differences)")


@check("autograd.grad_scalar")
def check_grad_scalar_leaves_x_untouched(grad_scalar):
    assert_x_untouched(grad_scalar, lambda x: (x ** 2).sum(), what="grad_scalar(f, x)")


@check("autograd.grad_nonscalar", points=2)
def check_grad_nonscalar_matches_reference(grad_nonscalar):
    compare_gradients(grad_nonscalar, ref("autograd.grad_nonscalar"), NONSCALAR_FUNCTIONS, vector_only=True,
                      what="grad_nonscalar(f, x)",
                      hint="f(x) need not have x's shape: backpropagate f(x).sum() (not the mean)")


@check("autograd.grad_nonscalar")
def check_grad_nonscalar_leaves_x_untouched(grad_nonscalar):
    assert_x_untouched(grad_nonscalar, lambda x: x * x, what="grad_nonscalar(f, x)")


@check("autograd.grad_detached", points=2)
def check_grad_detached_matches_reference(grad_detached):
    compare_gradients(grad_detached, ref("autograd.grad_detached"), DETACHED_FUNCTIONS, what="grad_detached(f, g, x)",
                      hint="u = g(x).detach() is a constant; backpropagate f(u, x).sum() through x alone")


@check("autograd.grad_detached")
def check_grad_detached_leaves_x_untouched(grad_detached):
    assert_x_untouched(grad_detached, lambda u, x: u * x, lambda x: x * x, what="grad_detached(f, g, x)")


def control_flow_inputs():
    scalars = [randn((), seed, scale=3) for seed in SEEDS]
    return scalars + [torch.tensor(1500.0), torch.tensor(-0.001), randn((3,), 9)]


@check("autograd.control_flow_f")
def check_control_flow_f_matches_reference(control_flow_f):
    ref_fn = ref("autograd.control_flow_f")
    for a in control_flow_inputs():
        assert_close(control_flow_f(a.clone()), ref_fn(a.clone()), what=f"f(a) for a = {a.tolist()}",
                     hint="start from b = 2a (even when a is already large), double while b.norm() < 1000")


@check("autograd.control_flow_f")
def check_control_flow_f_gradient(control_flow_f):
    for a in control_flow_inputs():
        a = a.clone().requires_grad_(True)
        d = control_flow_f(a)
        assert isinstance(d, torch.Tensor) and d.requires_grad, \
            (f"f(a) for a = {a.tolist()} returned {type_name(d)} with no gradient attached: keep b a tensor "
             "computed from a (no .item(), float() or torch.tensor(...) on the way)")
        d.sum().backward()
        assert_close(a.grad, (d / a).detach(), what=f"a.grad after f(a).sum().backward() for a = {a.detach().tolist()}",
                     hint="f is linear in a piece by piece, so its gradient is f(a) / a")


# §2.6 probability ----------------------------------------------------------------------------------

@check("probability.die_roll_estimates")
def check_die_roll_estimates_counts(die_roll_estimates):
    torch.manual_seed(1)
    probs, groups, size = torch.tensor([0.2, 0.3, 0.5]), 50, 7
    estimates = die_roll_estimates(probs, groups, size)
    assert_tensor(estimates, what=f"die_roll_estimates(probs (3,), {groups}, {size})", shape=(groups, 3))
    rolls = torch.arange(1, groups + 1).reshape(-1, 1) * size
    counts = estimates.double() * rolls
    assert torch.allclose(counts, counts.round(), atol=1e-3), \
        ("row i times the number of rolls so far (7 (i + 1)) should give whole counts: "
         "divide the cumulative counts by the cumulative number of rolls")
    steps = torch.diff(counts.round(), dim=0, prepend=torch.zeros(1, 3, dtype=counts.dtype))
    assert (steps >= 0).all() and (steps.sum(1) == size).all(), \
        (f"between two rows the counts should grow by one group's {size} rolls: "
         "add each group's counts to the running total (cumsum along dim 0)")


@check("probability.die_roll_estimates")
def check_die_roll_estimates_statistics(die_roll_estimates):
    torch.manual_seed(2)
    probs = torch.tensor([0.05, 0.15, 0.3, 0.5])
    final = die_roll_estimates(probs, 1000, 100)[-1]
    tolerance = 5 * (probs * (1 - probs) / 100_000).sqrt()
    assert ((final - probs).abs() <= tolerance).all(), \
        (f"after 100,000 rolls of a die with probabilities {[round(p, 2) for p in probs.tolist()]} the estimates are "
         f"{[round(v, 4) for v in final.tolist()]}; each should be within 5 standard errors "
         f"({[round(v, 4) for v in tolerance.tolist()]}): sample with these probabilities (multinomial)")


@check("probability.die_roll_estimates")
def check_die_roll_estimates_reproducible(die_roll_estimates):
    probs = torch.ones(6) / 6
    runs = []
    for seed in (3, 3, 4):
        torch.manual_seed(seed)
        runs.append(die_roll_estimates(probs, 20, 10))
    assert torch.equal(runs[0], runs[1]), "the same torch.manual_seed should give the same estimates"
    assert not torch.equal(runs[0], runs[2]), \
        "different torch.manual_seed values gave the same estimates: draw from torch's global generator"
