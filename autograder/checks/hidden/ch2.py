"""Chapter 2 (预备知识), hidden checks: reference comparisons, one property each (values, dtypes, devices, errors,
inputs left unchanged, gradients, forbidden shortcuts, speed).

Where the property lives with the student's objects (a view and its base, a DataFrame changed in place,
gradients through the returned tensor, torch's global generator), the check runs a small function on the
student's side (``student_side``) and judges the plain values it returns."""
import io
import re

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from autograder.harness import (chapter_references, Forbidden, SEEDS, assert_close, assert_gradients_match,
                                assert_tensor, check, counted_call, device_check, dtype_check, gradients_check,
                                library_calls, no_builtin_check, pure_check, randint, randn, reference_check, shape,
                                speed_check, student_side, type_name)
from autograder.harness.session import StudentNotImplemented
from autograder.checks.public.ch2 import described_call, frame_parts, seeded_call

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
RIGHT = " (it must also be right for this check to count)"


ref = chapter_references("ch2")


def raised(fn, *args):
    """``(None, result)`` when ``fn(*args)`` returns, ``(exception, None)`` when it raises (a stub's
    ``NotImplementedError`` goes on up: the check reports "not implemented yet")."""
    try:
        return None, fn(*args)
    except StudentNotImplemented:
        raise
    except Exception as e:  # noqa: BLE001  (the student's exception, as the judge sees it)
        return e, None


def error_text(e) -> str:
    """What the student's code put in its exception (without our "fn raised Kind:" and "(at file:line)")."""
    text = str(e)
    text = re.sub(r"^\w+ raised \w+: ", "", text)
    return re.sub(r" \(at [^()]*\)$", "", text)


def error_kind(e) -> str:
    found = re.match(r"^\w+ raised (\w+): ", str(e))
    return found.group(1) if found else type_name(e)


# §2.1 data manipulation ----------------------------------------------------------------------------

def arange_hint(got, n, rows) -> str:
    if isinstance(got, torch.Tensor) and rows and n % rows == 0:
        if tuple(got.shape) == (n // rows, rows) and n // rows != rows:
            return "rows and columns are swapped: reshape(rows, -1) gives `rows` rows"
        if got.numel() == n and n and torch.equal(got.reshape(-1).double(), torch.arange(1, n + 1).double()):
            return "torch.arange(n) counts from 0 to n - 1"
    return "torch.arange(n).reshape(rows, -1)"


@check("data_manipulation.arange_reshape", clauses="values")
def check_arange_reshape_layouts(arange_reshape):
    ref_fn = ref("data_manipulation.arange_reshape")
    for n, rows in ((12, 4), (30, 5), (7, 7), (7, 1), (0, 3), (1, 1), (24, 6)):
        got = arange_reshape(n, rows)
        assert_close(got, ref_fn(n, rows), what=f"arange_reshape({n}, {rows})", check_dtype=False,
                     hint=arange_hint(got, n, rows))


@check("data_manipulation.arange_reshape", clauses="dtype")
def check_arange_reshape_int64(arange_reshape):
    ref_fn = ref("data_manipulation.arange_reshape")
    for n, rows in ((12, 3), (10, 2)):
        got = arange_reshape(n, rows)
        assert_close(got, ref_fn(n, rows), what=f"arange_reshape({n}, {rows})" + RIGHT, check_dtype=False)
        assert_tensor(got, what=f"arange_reshape({n}, {rows})", dtype=torch.int64)


@check("data_manipulation.arange_reshape", clauses="errors")
def check_arange_reshape_errors(arange_reshape):
    ref_fn = ref("data_manipulation.arange_reshape")
    for n, rows in ((7, 7), (7, 1), (0, 1)):    # the edge of what fits: right there too
        assert_close(arange_reshape(n, rows), ref_fn(n, rows), what=f"arange_reshape({n}, {rows})" + RIGHT,
                     check_dtype=False)
    for n, rows in ((12, 5), (10, 3), (1, 2), (12, 0), (0, 0), (12, -3), (12, -1)):
        e, got = raised(arange_reshape, n, rows)
        if e is None:
            raise AssertionError(f"arange_reshape({n}, {rows}) returned {got!r}; it should raise ValueError "
                                 f"({rows} is not a positive divisor of {n})")
        if not isinstance(e, ValueError):
            raise AssertionError(f"arange_reshape({n}, {rows}) raised {error_kind(e)} ({error_text(e)[:120]}); "
                                 "it should raise ValueError: check that rows > 0 and n % rows == 0 first, "
                                 "before reshape")
        text = error_text(e)
        missing = [name for name, v in (("n", n), ("rows", rows)) if not re.search(rf"(?<![\d-]){v}(?!\d)", text)]
        assert not missing, (f"arange_reshape({n}, {rows}) raised ValueError({text!r}): the message should give "
                             f"the value of {' and '.join(missing)}, e.g. f\"cannot lay out {{n}} elements in "
                             "{rows} rows\"")


def as_tuple(value):
    try:
        return tuple(value)
    except TypeError:
        return None


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


def left_aligned(a, b):
    n = max(len(a), len(b))
    a, b = tuple(a) + (1,) * (n - len(a)), tuple(b) + (1,) * (n - len(b))
    return tuple(y if x == 1 else x for x, y in zip(a, b))


def broadcast_hint(got, a, b) -> str:
    if got is not None and len(a) != len(b) and got == left_aligned(a, b):
        return "the shapes are aligned on the left: line them up on the right (pad the shorter one with 1s in front)"
    return "align the shapes on the right, pad the shorter one with 1s, and a size 1 stretches to the other size " \
           "(even to 0)"


@check("data_manipulation.broadcast_shape", points=2, clauses="values")
def check_broadcast_shape_matches_torch(broadcast_shape):
    pairs = [broadcastable_pair(seed) for seed in range(40)] + [((2, 3), (3,)), ((), (4, 1)), ((5, 0), (1,)),
                                                                 ((1, 4, 1), (3, 1, 2)), ((1,), (0,))]
    for a, b in pairs:
        expected = tuple(torch.broadcast_shapes(a, b))
        e, got = raised(broadcast_shape, a, b)
        if e is not None:
            raise AssertionError(f"broadcast_shape({a}, {b}) raised {error_kind(e)} ({error_text(e)[:120]}), but "
                                 f"these shapes broadcast to {expected}: compare sizes from the right (the last axes "
                                 "line up)")
        assert as_tuple(got) == expected, \
            f"broadcast_shape({a}, {b}) returned {got!r}, expected {expected}: {broadcast_hint(as_tuple(got), a, b)}"


@check("data_manipulation.broadcast_shape", clauses="returns")
def check_broadcast_shape_returns_tuple(broadcast_shape):
    for a, b in (((2, 3), (3,)), ((1, 4, 1), (3, 1, 2)), ((5,), ())):
        got, expected = broadcast_shape(a, b), tuple(torch.broadcast_shapes(a, b))
        assert as_tuple(got) == expected, f"broadcast_shape({a}, {b}) returned {got!r}, expected {expected}" + RIGHT
        assert type(got) is tuple and all(type(v) is int for v in got), \
            (f"broadcast_shape({a}, {b}) returned a {type_name(got)} of {sorted({type_name(v) for v in got})}: "
             "return a tuple of Python ints (tuple(result))")


@check("data_manipulation.broadcast_shape", clauses="errors")
def check_broadcast_shape_errors(broadcast_shape):
    for a, b in (((0,), (1,)), ((1, 3), (2, 1)), ((), (2, 0))):   # the edge: sizes 0 and 1 still broadcast
        expected = tuple(torch.broadcast_shapes(a, b))
        e, got = raised(broadcast_shape, a, b)
        assert e is None and as_tuple(got) == expected, \
            (f"broadcast_shape({a}, {b}) " + (f"raised {error_kind(e)}" if e is not None else f"returned {got!r}") +
             f", expected {expected}" + RIGHT)
    for a, b in (((3,), (4,)), ((2, 3), (3, 2)), ((5, 1, 2), (4, 3)), ((0,), (2,)), ((2, 0), (3, 1))):
        e, got = raised(broadcast_shape, a, b)
        if e is None:
            raise AssertionError(f"broadcast_shape({a}, {b}) returned {got!r}, but these shapes do not broadcast "
                                 "(two different sizes, neither 1): raise ValueError")
        assert isinstance(e, ValueError), \
            (f"broadcast_shape({a}, {b}) raised {error_kind(e)} ({error_text(e)[:120]}); it should raise "
             "ValueError (raise ValueError(...) yourself when two sizes differ and neither is 1)")


@check("data_manipulation.broadcast_shape", clauses="plain_python")
def check_broadcast_shape_plain_python(broadcast_shape):
    for a, b in (((4, 1, 3), (5, 1)), ((2, 1), (3, 1, 1))):
        got, called = library_calls(broadcast_shape, a, b)
        assert not called, (f"broadcast_shape must work out the shape from the tuples with plain Python, but it "
                            f"called {', '.join(sorted(called)[:5])}: no torch.broadcast_shapes, no tensors, no numpy")
        expected = tuple(torch.broadcast_shapes(a, b))
        assert as_tuple(got) == expected, f"broadcast_shape({a}, {b}) returned {got!r}, expected {expected}" + RIGHT


X_SHAPES = ((5,), (1, 5), (3, 5), (3, 1), (5,))   # X for a Y of shape (3, 5): broadcasting, and the same shape


@check("data_manipulation.add_inplace", clauses="values")
def check_add_inplace_values(add_inplace):
    for seed, x_shape in zip(SEEDS, X_SHAPES):
        X, Y = randn(x_shape, seed), randn((3, 5), seed + 10)
        expected = X + Y
        add_inplace(X.clone(), Y)
        assert_close(Y, expected, what=f"Y after add_inplace(X {x_shape}, Y (3, 5)) (seed {seed})",
                     hint="X broadcasts to Y's shape; write the sum into Y: Y[:] = X + Y "
                          "(Y = X + Y only rebinds the local name)")


def add_into_a_view(add_inplace, base, X):
    """Run on the student's side: ``add_inplace(X, Y)`` for a ``Y`` that is a view of ``base``."""
    Y = base[1:4]
    ptr = Y.data_ptr()
    add_inplace(X, Y)
    return {"ptr_kept": Y.data_ptr() == ptr, "Y": Y.detach().clone(), "base": base.detach().clone()}


@check("data_manipulation.add_inplace", clauses="memory")
def check_add_inplace_writes_into_Y(add_inplace):
    for seed, x_shape in zip(SEEDS[:3], X_SHAPES):
        base, X = randn((6, 5), seed), randn(x_shape, seed + 1)
        expected, outside = X + base[1:4], base[[0, 4, 5]].clone()
        seen = student_side(add_into_a_view, add_inplace, base.clone(), X.clone())
        assert_close(seen["Y"], expected, what=f"Y after add_inplace(X {x_shape}, Y (3, 5)) (seed {seed})" + RIGHT)
        assert seen["ptr_kept"], (f"Y's memory moved (Y.data_ptr() changed; seed {seed}): write into it with "
                                  "Y[:] = X + Y instead of giving Y new data (Y.data = ... or Y.set_(...))")
        assert_close(seen["base"][1:4], expected, what="the tensor that Y is a view of, rows 1..3",
                     hint="Y[:] = ... writes through the view; Y.data = ... does not")
        assert torch.equal(seen["base"][[0, 4, 5]], outside), "rows outside Y must not change"


@check("data_manipulation.add_inplace", clauses="pure")
def check_add_inplace_leaves_X_unchanged(add_inplace):
    for seed, x_shape in zip(SEEDS, X_SHAPES):
        X, Y = randn(x_shape, seed), randn((3, 5), seed + 10)
        X_before, expected = X.clone(), X + Y
        add_inplace(X, Y)
        assert_close(Y, expected, what=f"Y after add_inplace(X {x_shape}, Y (3, 5)) (seed {seed})" + RIGHT)
        assert X.shape == X_before.shape, \
            (f"add_inplace changed X's shape from {tuple(X_before.shape)} to {tuple(X.shape)} (unsqueeze_, resize_, "
             "X.data = ...?): broadcasting needs no change to X")
        assert torch.equal(X, X_before), "add_inplace modified X: only Y may change"


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


def preprocess_hint(X, expected) -> str:
    if isinstance(X, torch.Tensor) and X.dim() == 2 and X.shape[0] == expected.shape[0]:
        if X.shape[1] < expected.shape[1]:
            return "fewer columns than expected: pd.get_dummies(inputs, dummy_na=True) gives a _nan column per text " \
                   "column"
        if X.is_floating_point() and torch.isnan(X).any():
            return "NaN left in X: fill the numeric columns' gaps with their means first"
    return "every column but the last is an input; numeric NaN -> column mean; pd.get_dummies(inputs, dummy_na=True)"


def preprocess_values(got, expected, label, suffix=""):
    assert isinstance(got, tuple) and len(got) == 2, f"preprocess should return (X, y), got {type_name(got)}"
    assert_close(got[0], expected[0], what=f"X {label}{suffix}", check_dtype=False,
                 hint=preprocess_hint(got[0], expected[0]))
    assert_close(got[1], expected[1], what=f"y {label}{suffix}", check_dtype=False,
                 hint="y is the last column, one value per row: shape (n,)")


@check("data_preprocessing.preprocess", points=2, clauses="values")
def check_preprocess_matches_reference(preprocess):
    ref_fn = ref("data_preprocessing.preprocess")
    for seed in SEEDS:
        data = house_table(seed)
        preprocess_values(preprocess(data.copy()), ref_fn(data.copy()),
                          f"for a table with columns {list(data.columns)} (seed {seed})")


@check("data_preprocessing.preprocess", clauses="dtype")
def check_preprocess_float64(preprocess):
    ref_fn = ref("data_preprocessing.preprocess")
    for seed in SEEDS[:2]:
        data = house_table(seed)
        got = preprocess(data.copy())
        preprocess_values(got, ref_fn(data.copy()), f"(seed {seed})", RIGHT)
        for name, t in zip("Xy", got):
            assert t.dtype == torch.float64, \
                (f"{name} has dtype {t.dtype}, expected torch.float64: convert with "
                 "torch.tensor(frame.to_numpy(dtype=float)) (the CSV's integer prices too)")


@check("data_preprocessing.preprocess", clauses="pure")
def check_preprocess_leaves_data_unchanged(preprocess):
    data = house_table(7)
    got, (after,) = student_side(described_call, preprocess, data.copy())
    preprocess_values(got, ref("data_preprocessing.preprocess")(data.copy()), "(seed 7)", RIGHT)
    before = frame_parts(data)
    if after != before:
        changed = [c for c, a, b, ta, tb in zip(before["columns"], after["cells"], before["cells"], after["dtypes"],
                                                before["dtypes"]) if a != b or ta != tb] \
            if after.get("columns") == before["columns"] else "its columns"
        raise AssertionError(f"preprocess modified the DataFrame it was given ({changed} changed: "
                             "fillna(..., inplace=True) or data[col] = ...?): work on a copy")


def gappy_table(seed):
    """Random columns with 0..3 missing values each, so ties for the most missing are common."""
    rng = np.random.default_rng(seed)
    columns = {}
    for name in "ABCDE":
        values = rng.normal(size=8)
        values[rng.choice(8, size=rng.integers(0, 4), replace=False)] = np.nan
        columns[name] = values
    return pd.DataFrame(columns)


def gappy_tables(tied: bool, count: int = 8):
    """The first ``count`` tables whose largest count of missing values is (``tied``) or is not shared."""
    found = []
    for seed in range(100):
        table = gappy_table(seed)
        counts = table.isna().sum()
        if (int((counts == counts.max()).sum()) > 1) == tied:
            found.append((seed, table))
        if len(found) == count:
            return found
    raise AssertionError("not enough tables")


def assert_dropped_right(got, expected, data, suffix=""):
    """``got``: the ``frame_parts`` of what drop_most_missing returned."""
    missing = {k: int(v) for k, v in data.isna().sum().items()}
    expected = frame_parts(expected)
    assert isinstance(got, dict) and got.get("type") == "DataFrame", \
        f"drop_most_missing should return a pd.DataFrame, got {got.get('type') if isinstance(got, dict) else got!r}"
    assert got["columns"] == expected["columns"], \
        (f"with missing values per column {missing}, the columns left should be {expected['columns']}, "
         f"got {got['columns']}{suffix}")
    assert got == expected, f"the remaining columns should keep their values, dtypes and rows{suffix}"


def assert_drops_as_reference(drop_most_missing, *, tied, hint):
    for seed, data in gappy_tables(tied=tied):
        got, _ = student_side(described_call, drop_most_missing, data.copy())
        assert_dropped_right(got, ref("data_preprocessing.drop_most_missing")(data.copy()), data, hint)


@check("data_preprocessing.drop_most_missing", points=2, clauses="values")
def check_drop_most_missing_matches_reference(drop_most_missing):
    assert_drops_as_reference(drop_most_missing, tied=False,
                              hint=" (count the NaN of each column: data.isna().sum(), then drop the idxmax)")


@check("data_preprocessing.drop_most_missing", clauses="ties")
def check_drop_most_missing_ties(drop_most_missing):
    assert_drops_as_reference(drop_most_missing, tied=True,
                              hint=" (on a tie, drop the leftmost of those columns: Series.idxmax() picks the first)")


@check("data_preprocessing.drop_most_missing", clauses="pure")
def check_drop_most_missing_leaves_data_unchanged(drop_most_missing):
    for seed, data in gappy_tables(tied=False, count=2):
        got, (after,) = student_side(described_call, drop_most_missing, data.copy())
        assert_dropped_right(got, ref("data_preprocessing.drop_most_missing")(data.copy()), data, RIGHT)
        assert after == frame_parts(data), \
            (f"drop_most_missing modified the DataFrame it was given (its columns are now {after.get('columns')}; "
             "del data[...] or drop(..., inplace=True)?): return a new one, data.drop(columns=...)")


# §2.3 linear algebra -------------------------------------------------------------------------------

def cumsum_args(seed, dtype=torch.float32, negative=False):
    dims = shape(seed, 3, 1, 6)
    A = randint(-9, 9, dims, seed) if dtype == torch.int64 else randn(dims, seed, dtype=dtype)
    axis = int(randint(0, 3, (), seed + 50))
    return A, axis - 3 if negative else axis


def cumsum_hint(got, A, axis) -> str:
    cumsum_ = ref("linear_algebra.cumsum")
    if isinstance(got, torch.Tensor) and got.shape == A.shape:
        g = got.detach().double()
        if torch.allclose(g, (cumsum_(A, axis) - A).double(), atol=1e-4):
            return "off by one: out[i] includes A[i] itself (out[0] == A[0])"
        for other in range(A.dim()):
            if other != axis % A.dim() and A.shape[other] > 1 and \
                    torch.allclose(g, cumsum_(A, other).double(), atol=1e-4):
                return f"that is the sum along axis {other}, not {axis}"
    return "out[i] = A[0] + ... + A[i] along the axis"


reference_check("linear_algebra.cumsum", cumsum_args, what="cumsum(A, axis)", hint=cumsum_hint, points=2)


reference_check("linear_algebra.cumsum", lambda s: cumsum_args(s, negative=True),
                what="cumsum(A, axis) for a negative axis", seeds=SEEDS[:3],
                hint="a negative axis counts from the end (-1 is the last): A.movedim(axis, 0) or "
                     "axis % A.dim() handles it", name="negative_axis", clauses="axis")


dtype_check("linear_algebra.cumsum", cumsum_args, (torch.float64, torch.int64), what="cumsum(A, axis)", operand="A",
            seeds=SEEDS[:2], hint="keep A's dtype: start from A's own entries (or zeros_like(A)), not from 0.0 or "
                                  "torch.zeros(shape)")


device_check("linear_algebra.cumsum", cumsum_args, what="cumsum(A, axis)")


pure_check("linear_algebra.cumsum", cumsum_args, what="cumsum(A, axis)", seeds=SEEDS[:3],
           hint="A.movedim(...) and A[i] are views of A: adding into them in place changes the caller's A; "
                "build new tensors (torch.cat, out = A.clone())")


@check("linear_algebra.cumsum", clauses="gradients")
def check_cumsum_gradients(cumsum):
    for seed in SEEDS[:2]:
        assert_gradients_match(cumsum, ref("linear_algebra.cumsum"), cumsum_args(seed), what="cumsum(A, axis)")


no_builtin_check("linear_algebra.cumsum", cumsum_args, forbidden=CUMSUM_FUNCS, what="cumsum")


speed_check("linear_algebra.cumsum", lambda device, seed=0: (randn((32, 4000), seed, device=device), 0),
            builtin=lambda A, axis: torch.cumsum(A, axis), limit=10, clauses="fast",
            hint="add whole slices at a time (one loop step per position along the axis at most), "
                 "never one element at a time")


def product_args(seed):
    n, k, m = shape(seed, 3, 1, 7)
    return randn((n, k), seed), randn((k, m), seed + 1)


def square_args(seed):
    return randn((4, 4), seed), randn((4, 4), seed + 1)


def vector_pair(seed):
    n = int(randint(1, 10, (), seed))
    return randn((n,), seed), randn((n,), seed + 1)


def matrix_vector(seed):
    A, B = product_args(seed) if seed % 2 else square_args(seed)
    return A, B[:, 0]


def close(got, value) -> bool:
    return isinstance(got, torch.Tensor) and got.shape == value.shape and \
        torch.allclose(got.detach().double(), value.detach().double(), atol=1e-4, rtol=1e-4)


def matches_with_hint(fn, ref_fn, make_args, *, what, hint_of, seeds=SEEDS):
    """``fn(*args)`` equals the reference for every seed; on a mismatch the message says the likely mistake."""
    for seed in seeds:
        args = make_args(seed)
        got = fn(*[a.clone() for a in args])
        shown = ", ".join(f"{str(a.dtype).removeprefix('torch.')} {tuple(a.shape)}" for a in args)
        assert_close(got, ref_fn(*args), what=f"{what} for {shown} (seed {seed})", hint=hint_of(got, *args))


def dot_hint(got, x, y) -> str:
    if close(got, x * y):
        return "the elementwise product must be summed: (x * y).sum(), a 0-dim tensor"
    if close(got, x.sum() * y.sum()):
        return "that is the product of the sums: sum the products instead"
    return "(x * y).sum(): a 0-dim tensor"


@check("linear_algebra.dot", clauses="values")
def check_dot_matches_reference(dot):
    matches_with_hint(dot, ref("linear_algebra.dot"), vector_pair, what="dot(x, y)", hint_of=dot_hint)


gradients_check("linear_algebra.dot", vector_pair, wrt=(0, 1), what="dot(x, y)")


no_builtin_check("linear_algebra.dot", vector_pair, forbidden=PRODUCT_FUNCS, what="dot")


def mv_hint(got, A, x) -> str:
    if close(got, (A * x).sum(0)) or (isinstance(got, torch.Tensor) and tuple(got.shape) == (A.shape[1],)
                                      and A.shape[0] != A.shape[1]):
        return "summed over the wrong axis: entry i sums row i of A times x, (A * x).sum(dim=1)"
    return "entry i is the dot product of row i of A with x"


@check("linear_algebra.mv", clauses="values", substitute=("dot",))
def check_mv_matches_reference(mv):
    matches_with_hint(mv, ref("linear_algebra.mv"), matrix_vector, what="mv(A, x)", hint_of=mv_hint)


gradients_check("linear_algebra.mv", matrix_vector, seed=1, wrt=(0, 1), what="mv(A, x)", substitute=("dot",))


no_builtin_check("linear_algebra.mv", matrix_vector, seed=1, forbidden=PRODUCT_FUNCS, what="mv", substitute=("dot",))


@check("linear_algebra.mv", clauses="fast")
def check_mv_no_loop(mv):
    """A Python loop over the rows runs operations per row; the broadcast product runs a few in all. (Counted, not
    timed: mv's work is the size of its input, so a timing would measure the copying of A, not the code.)"""
    A, x = randn((64, 16), 3), randn((16,), 4)
    out, count = student_side(counted_call, mv, A.clone(), x.clone())
    assert count > 0 or not isinstance(out, torch.Tensor), \
        "mv returned a tensor, but no tensor operation was counted: this check cannot judge it"
    assert count <= 16, \
        (f"mv(A, x) ran {count} tensor operations for an A of 64 rows: a Python loop over the rows (or entries) runs "
         "some for every row. Multiply A by x with broadcasting, (A * x), and sum along dim 1: a few operations "
         "whatever the size")
    assert_close(out, ref("linear_algebra.mv")(A, x), what="mv(A (64, 16), x (16,))" + RIGHT)


def mm_hint(got, A, B) -> str:
    if A.shape[0] == A.shape[1] == B.shape[0] == B.shape[1] and close(got, (A.unsqueeze(1) * B.unsqueeze(0)).sum(2)):
        return "that is A Bᵀ: entry (i, j) pairs row i of A with column j of B, " \
               "(A.unsqueeze(2) * B.unsqueeze(0)).sum(dim=1)"
    return "entry (i, j) is the dot product of row i of A with column j of B"


@check("linear_algebra.mm", points=2, clauses="values", substitute=("dot", "mv"))
def check_mm_matches_reference(mm):
    for make_args in (product_args, square_args):
        matches_with_hint(mm, ref("linear_algebra.mm"), make_args, what="mm(A, B)", hint_of=mm_hint)


gradients_check("linear_algebra.mm", product_args, wrt=(0, 1), what="mm(A, B)", substitute=("dot", "mv"))


no_builtin_check("linear_algebra.mm", product_args, forbidden=PRODUCT_FUNCS, what="mm", substitute=("dot", "mv"))


speed_check("linear_algebra.mm", lambda device, seed=0: (randn((1024, 16), seed, device=device),
                                                         randn((16, 32), seed + 1, device=device)),
            builtin=torch.mm, limit=10, clauses="fast",
            hint="broadcast A (n, k, 1) against B (1, k, m) and sum over k: no Python loop over the entries")


def norm_args(seed, dtype=torch.float32):
    return (randn((int(randint(1, 12, (), seed)),), seed, dtype=dtype),)


def any_shape_args(seed):
    """Vectors for even seeds, matrices and 3-D tensors for odd ones: the norm runs over all the entries."""
    return norm_args(seed) if seed % 2 == 0 else (randn(shape(seed, 2 + seed % 4 // 2, 2, 5), seed),)


def over_all_entries(got, u) -> str:
    if u.dim() > 1 and isinstance(got, torch.Tensor) and got.dim() > 0:
        return f"u has {u.dim()} axes here: reduce over all its entries (.sum() with no dim), to one number"
    return ""


def matrix_args(seed):
    return (randn(shape(seed, 2, 1, 8), seed),)


def l1_hint(got, u) -> str:
    if close(got, u.sum()):
        return "the absolute values are missing: u.abs().sum()"
    if close(got, u.abs().mean()):
        return "that is the mean of |u_i|: the L1 norm is their sum"
    return over_all_entries(got, u) or "the sum of |u_i|, a 0-dim tensor"


@check("linear_algebra.l1_norm", clauses="values")
def check_l1_norm_matches_reference(l1_norm):
    matches_with_hint(l1_norm, ref("linear_algebra.l1_norm"), any_shape_args, what="l1_norm(u)", hint_of=l1_hint)


gradients_check("linear_algebra.l1_norm", norm_args, what="l1_norm(u)")


no_builtin_check("linear_algebra.l1_norm", norm_args, forbidden=NORM_FUNCS, what="l1_norm")


def l2_hint(got, u) -> str:
    if close(got, (u * u).sum()):
        return "the square root is missing: (u * u).sum().sqrt()"
    return over_all_entries(got, u) or "the square root of the sum of u_i², a 0-dim tensor"


@check("linear_algebra.l2_norm", clauses="values", substitute=("dot",))
def check_l2_norm_matches_reference(l2_norm):
    matches_with_hint(l2_norm, ref("linear_algebra.l2_norm"), any_shape_args, what="l2_norm(u)", hint_of=l2_hint)


dtype_check("linear_algebra.l2_norm", norm_args, (torch.float64,), what="l2_norm(u)", operand="u",
            hint="keep u's dtype: no .float(), math.sqrt or torch.tensor(...) on the way", substitute=("dot",))


gradients_check("linear_algebra.l2_norm", norm_args, what="l2_norm(u)", substitute=("dot",))


no_builtin_check("linear_algebra.l2_norm", norm_args, forbidden=NORM_FUNCS, what="l2_norm", substitute=("dot",))


def frobenius_hint(got, X) -> str:
    if isinstance(got, torch.Tensor) and got.dim() == 1:
        return "one number for the whole matrix: sum the squares of all entries (not per row or column)"
    if close(got, (X * X).sum(1).sqrt().sum()):
        return "that is the sum of the rows' norms: take one square root of the sum of all squares"
    return "the square root of the sum of all x_ij², one number"


@check("linear_algebra.frobenius_norm", clauses="values", substitute=("dot", "l2_norm"))
def check_frobenius_norm_matches_reference(frobenius_norm):
    matches_with_hint(frobenius_norm, ref("linear_algebra.frobenius_norm"), matrix_args, what="frobenius_norm(X)",
                      hint_of=frobenius_hint)


gradients_check("linear_algebra.frobenius_norm", matrix_args, what="frobenius_norm(X)", substitute=("dot", "l2_norm"))


no_builtin_check("linear_algebra.frobenius_norm", matrix_args, forbidden=NORM_FUNCS, what="frobenius_norm",
                 substitute=("dot", "l2_norm"))


# §2.4 calculus -------------------------------------------------------------------------------------

def cubic(x):
    return x ** 3 - 2 * x


def numerical_lim_hint(got, f, x, h, expected) -> str:
    if isinstance(got, (int, float)):
        if abs(got - (f(x + h) - f(x - h)) / (2 * h)) < 1e-12:
            return "that is the central difference: the book's numerical_lim is (f(x + h) - f(x)) / h"
        if got == round(expected, 5) != expected:
            return "do not round: the book rounds only when it prints ({numerical_lim(f, x, h):.5f})"
        if abs(got - (f(x + h) - f(x))) < 1e-12:
            return "divide the difference by h"
    return "the book's forward difference (f(x + h) - f(x)) / h, as it is"


@check("calculus.numerical_lim", clauses="values")
def check_numerical_lim_on_numbers(numerical_lim):
    ref_fn = ref("calculus.numerical_lim")
    for x, h in ((1.0, 1e-3), (2.0, 1e-2), (-1.5, 1e-4), (0.5, 0.1), (3, 0.25)):
        got, expected = numerical_lim(cubic, x, h), ref_fn(cubic, x, h)
        assert_close(got, expected, atol=1e-9, rtol=1e-9, what=f"numerical_lim(f, {x}, h={h:g}) for f(x) = x³ - 2x",
                     hint=numerical_lim_hint(got, cubic, x, h, expected))


@check("calculus.numerical_lim", clauses="tensors")
def check_numerical_lim_on_tensors(numerical_lim):
    def f(x):
        return x ** 3 - 2 * torch.sin(x)
    ref_fn = ref("calculus.numerical_lim")
    for seed in SEEDS:
        x, h = randn((5,), seed, dtype=torch.float64), 10.0 ** -(1 + seed)
        assert_close(numerical_lim(f, x, h), ref_fn(f, x, h),
                     what=f"numerical_lim(f, x, h={h:g}) for x (5,) float64 (seed {seed}) and f(x) = x³ - 2 sin x",
                     hint="for a tensor x the same formula works elementwise: return the tensor of quotients as it "
                          "is (no float(), round() or .item())")


# §2.5 automatic differentiation --------------------------------------------------------------------

SCALAR_FUNCTIONS = {
    "(x³).sum()": lambda x: (x ** 3).sum(),
    "(sin(x) · x).sum()": lambda x: (torch.sin(x) * x).sum(),
    "logsumexp(x)": lambda x: torch.logsumexp(x.reshape(-1), 0),
}
NONSCALAR_FUNCTIONS = {   # f(x) shaped like x
    "x * x": lambda x: x * x,
    "sin(x) * exp(x)": lambda x: torch.sin(x) * torch.exp(x),
    "x.cumsum(0)": lambda x: x.cumsum(0),
}
RESHAPING_FUNCTIONS = {   # f(x) of another shape than x
    "x.reshape(-1, 1) * x (an outer product)": lambda x: x.reshape(-1, 1) * x,
    "exp(x)[:2] * 3": lambda x: torch.exp(x)[:2] * 3,
    "torch.stack([x, x ** 2]) (2, 5)": lambda x: torch.stack([x, x ** 2]),
}
DETACHED_FUNCTIONS = {  # (f(u, x), g(x))
    "u = sin(x), z = u * x²": (lambda u, x: u * x ** 2, torch.sin),
    "u = x.sum(), z = u * exp(x)": (lambda u, x: u * torch.exp(x), lambda x: x.sum()),
    "u = x³, z = (u - x)²": (lambda u, x: (u - x) ** 2, lambda x: x ** 3),
}


def compare_gradients(fn, ref_fn, functions, *, what, hint, vector_only=False, hint_of=None):
    """``fn(*args, x)`` against the reference for every function in ``functions`` and a few x (float64)."""
    for name, args in functions.items():
        args = args if isinstance(args, tuple) else (args,)
        for seed in SEEDS[:3]:
            x = randn((5,) if vector_only or seed % 2 == 0 else (2, 3), seed, dtype=torch.float64)
            got, expected = fn(*args, x.clone()), ref_fn(*args, x.clone())
            assert_close(got, expected, what=f"{what} for {name} at x {tuple(x.shape)} (seed {seed})",
                         hint=(hint_of(got, expected, args, x) if hint_of else "") or hint)


def assert_x_untouched(fn, ref_fn, *args, what):
    """``fn(*args, x)`` twice, for an x without and with ``requires_grad``: right, and x keeps its flags, .grad
    and values."""
    for requires_grad in (False, True):
        x = randn((4,), 5, dtype=torch.float64, requires_grad=requires_grad)
        before = x.detach().clone()
        expected = ref_fn(*args, x.detach().clone())
        first = fn(*args, x)
        assert_close(first, expected, what=f"{what} for x with requires_grad={requires_grad}" + RIGHT)
        first = first.detach().clone()
        assert x.requires_grad == requires_grad, \
            (f"{what} changed the caller's x.requires_grad to {x.requires_grad}: "
             "work on x.detach().clone().requires_grad_(True) instead")
        assert x.grad is None, f"{what} left a .grad on the caller's x (requires_grad={requires_grad}): use a copy"
        assert torch.equal(x.detach(), before), f"{what} changed the values of x"
        second = fn(*args, x)
        assert_close(second, first, what=f"{what} called a second time on the same x",
                     hint="gradients accumulate in .grad: compute them on a fresh copy of x each call")


@check("autograd.grad_scalar", points=2, clauses="values")
def check_grad_scalar_matches_reference(grad_scalar):
    compare_gradients(grad_scalar, ref("autograd.grad_scalar"), SCALAR_FUNCTIONS, what="grad_scalar(f, x)",
                      hint="autograd's exact gradient: f(x).backward(), then x.grad (no finite differences)")


@check("autograd.grad_scalar", clauses="pure")
def check_grad_scalar_leaves_x_untouched(grad_scalar):
    assert_x_untouched(grad_scalar, ref("autograd.grad_scalar"), lambda x: (x ** 2).sum(), what="grad_scalar(f, x)")


def nonscalar_hint(got, expected, args, x) -> str:
    (f,) = args
    n = f(x).numel()
    if n > 1 and close(got, expected / n):
        return "that is the gradient of the mean: backpropagate f(x).sum()"
    return ""


@check("autograd.grad_nonscalar", points=2, clauses="values")
def check_grad_nonscalar_matches_reference(grad_nonscalar):
    compare_gradients(grad_nonscalar, ref("autograd.grad_nonscalar"), NONSCALAR_FUNCTIONS,
                      what="grad_nonscalar(f, x)", hint_of=nonscalar_hint,
                      hint="backpropagate f(x).sum() (what y.backward(torch.ones_like(y)) computes)")


@check("autograd.grad_nonscalar", clauses="shapes")
def check_grad_nonscalar_any_shape(grad_nonscalar):
    compare_gradients(grad_nonscalar, ref("autograd.grad_nonscalar"), RESHAPING_FUNCTIONS, vector_only=True,
                      what="grad_nonscalar(f, x)", hint_of=nonscalar_hint,
                      hint="f(x) need not have x's shape: backpropagate f(x).sum() (or y.backward(torch.ones_like(y)) "
                           "with y = f(x), not torch.ones_like(x))")


@check("autograd.grad_nonscalar", clauses="pure")
def check_grad_nonscalar_leaves_x_untouched(grad_nonscalar):
    assert_x_untouched(grad_nonscalar, ref("autograd.grad_nonscalar"), lambda x: x * x, what="grad_nonscalar(f, x)")


def detached_hint(got, expected, args, x) -> str:
    f, g = args
    leaf = x.detach().clone().requires_grad_(True)
    f(g(leaf), leaf).sum().backward()
    if close(got, leaf.grad):
        return "that is the gradient through u as well: u = g(x).detach() must be a constant"
    return ""


@check("autograd.grad_detached", points=2, clauses="values")
def check_grad_detached_matches_reference(grad_detached):
    compare_gradients(grad_detached, ref("autograd.grad_detached"), DETACHED_FUNCTIONS, what="grad_detached(f, g, x)",
                      hint_of=detached_hint,
                      hint="u = g(x).detach() is a constant; backpropagate f(u, x).sum() through x alone")


@check("autograd.grad_detached", clauses="pure")
def check_grad_detached_leaves_x_untouched(grad_detached):
    assert_x_untouched(grad_detached, ref("autograd.grad_detached"), lambda u, x: u * x, lambda x: x * x,
                       what="grad_detached(f, g, x)")


def control_flow_inputs():
    scalars = [randn((), seed, scale=3) for seed in SEEDS]
    return scalars + [torch.tensor(1500.0), torch.tensor(-0.001), randn((3,), 9)]


@check("autograd.control_flow_f", clauses="values")
def check_control_flow_f_matches_reference(control_flow_f):
    ref_fn = ref("autograd.control_flow_f")
    for a in control_flow_inputs():
        assert_close(control_flow_f(a.clone()), ref_fn(a.clone()), what=f"f(a) for a = {a.tolist()}",
                     hint="start from b = 2a (even when a is already large), double while b.norm() < 1000")


def gradient_of_f(f, a):
    """Run on the student's side: ``f(a)`` for a leaf ``a`` that records gradients, then ``f(a).sum().backward()``."""
    a = a.detach().clone().requires_grad_(True)
    d = f(a)
    if not isinstance(d, torch.Tensor) or not d.requires_grad:
        return {"none": type(d).__name__}
    d.sum().backward()
    return {"d": d.detach(), "grad": a.grad}


@check("autograd.control_flow_f", clauses="gradients")
def check_control_flow_f_gradient(control_flow_f):
    ref_fn = ref("autograd.control_flow_f")
    for a in control_flow_inputs():
        seen = student_side(gradient_of_f, control_flow_f, a)
        assert "none" not in seen, \
            (f"f(a) for a = {a.tolist()} returned a {seen.get('none')} with no gradient attached: keep b a tensor "
             "computed from a (no .item(), float(), .detach() or torch.tensor(...) on the way)")
        expected = ref_fn(a.clone())
        assert_close(seen["d"], expected, what=f"f(a) for a = {a.tolist()}" + RIGHT)
        assert_close(seen["grad"], expected / a, what=f"a.grad after f(a).sum().backward() for a = {a.tolist()}",
                     hint="f is linear in a piece by piece, so its gradient is f(a) / a")


# §2.6 probability ----------------------------------------------------------------------------------

def assert_estimates(estimates, probs, groups, size, suffix=""):
    """The structure every run must have: shape, whole cumulative counts that grow by one group at a time."""
    assert_tensor(estimates, what=f"die_roll_estimates(probs ({len(probs)},), {groups}, {size}){suffix}",
                  shape=(groups, len(probs)))
    assert estimates.is_floating_point(), f"the estimates should be floats, got {estimates.dtype}{suffix}"
    rolls = torch.arange(1, groups + 1).reshape(-1, 1) * size
    counts = estimates.double() * rolls
    sums = estimates.double().sum(1)
    if not torch.allclose(sums, torch.ones_like(sums), atol=1e-4):
        bad = int((~torch.isclose(sums, torch.ones_like(sums), atol=1e-4)).nonzero()[0])
        raise AssertionError(f"row {bad} of the estimates sums to {sums[bad].item():.6g}, not 1: divide the "
                             f"cumulative counts by the cumulative number of rolls (each row's total){suffix}")
    assert torch.allclose(counts, counts.round(), atol=1e-3), \
        (f"row i times the number of rolls so far ({size} (i + 1)) should give whole counts: "
         f"divide the cumulative counts by the cumulative number of rolls{suffix}")
    steps = torch.diff(counts.round(), dim=0, prepend=torch.zeros(1, len(probs), dtype=counts.dtype))
    assert (steps >= 0).all() and (steps.sum(1) == size).all(), \
        (f"between two rows the counts should grow by one group's {size} rolls: "
         f"add each group's counts to the running total (cumsum along dim 0){suffix}")


@check("probability.die_roll_estimates", clauses="values", substitute=("cumsum",))
def check_die_roll_estimates_counts(die_roll_estimates):
    probs, groups, size = torch.tensor([0.2, 0.3, 0.5]), 50, 7
    estimates = student_side(seeded_call, die_roll_estimates, 1, probs, groups, size)
    assert_estimates(estimates, probs, groups, size)


@check("probability.die_roll_estimates", clauses="distribution", substitute=("cumsum",))
def check_die_roll_estimates_statistics(die_roll_estimates):
    # 97 rolls a group: probs * 97 is no whole count, so a copy of probs fails the structure
    probs, groups, size = torch.tensor([0.05, 0.15, 0.3, 0.5]), 1000, 97
    estimates = student_side(seeded_call, die_roll_estimates, 2, probs, groups, size)
    assert_estimates(estimates, probs, groups, size, RIGHT)
    final = estimates[-1].double()
    tolerance = 5 * (probs.double() * (1 - probs.double()) / (groups * size)).sqrt()
    assert ((final - probs).abs() <= tolerance).all(), \
        (f"after {groups * size:,} rolls of a die with probabilities {[round(p, 2) for p in probs.tolist()]} the "
         f"estimates are {[round(v, 4) for v in final.tolist()]}; each should be within 5 standard errors "
         f"({[round(v, 4) for v in tolerance.tolist()]}): sample with these probabilities "
         "(multinomial.Multinomial(group_size, probs))")


def three_runs(fn, probs):
    """Run on the student's side: the estimates after torch.manual_seed(3), again after 3, and after 4."""
    runs = []
    for seed in (3, 3, 4):
        torch.manual_seed(seed)
        runs.append(fn(probs, 20, 10))
    return runs


@check("probability.die_roll_estimates", clauses="rng", substitute=("cumsum",))
def check_die_roll_estimates_reproducible(die_roll_estimates):
    probs = torch.ones(6) / 6
    runs = student_side(three_runs, die_roll_estimates, probs)
    for run in runs:
        assert_estimates(run, probs, 20, 10, RIGHT)
    assert torch.equal(runs[0], runs[1]), \
        "the same torch.manual_seed should give the same estimates: draw from torch's global generator"
    assert not torch.equal(runs[0], runs[2]), \
        ("different torch.manual_seed values gave the same estimates: draw from torch's global generator "
         "(no private torch.Generator with a fixed seed)")


@check("probability.die_roll_estimates", clauses="dtype", substitute=("cumsum",))
def check_die_roll_estimates_keeps_dtype(die_roll_estimates):
    probs = torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64)
    estimates = student_side(seeded_call, die_roll_estimates, 5, probs, 30, 8)
    assert_estimates(estimates, probs, 30, 8, RIGHT)
    assert estimates.dtype == probs.dtype, \
        (f"for float64 probs the estimates should be float64, got {estimates.dtype}: keep probs's dtype "
         "(Multinomial(group_size, probs).sample(...) does; one_hot(...).float() does not)")
