"""Chapter 2 (预备知识), public checks: the book's examples and the values it prints."""
import tempfile
from pathlib import Path

import pandas as pd
import torch

from autograder.harness import type_name, assert_close, assert_tensor, check, student_side
from d2lkit import write_house_tiny


def house_tiny() -> pd.DataFrame:
    """The book's ``house_tiny.csv``, read back with ``pd.read_csv`` as in §2.2.1."""
    with tempfile.TemporaryDirectory() as folder:
        return pd.read_csv(write_house_tiny(Path(folder) / "house_tiny.csv"))


def _cell(v):
    """A cell, index label or column name as a plain value (NaN marked, so that equal frames compare equal)."""
    if isinstance(v, float) and v != v:
        return "<NaN>"
    return v if v is None or type(v) in (bool, int, float, str) else repr(v)


def frame_parts(frame) -> dict:
    """A DataFrame as plain values: its exact type, columns, dtypes, index and cells, column by column.

    Built where the frame lives (a DataFrame the code under test returns, or changed in place, is seen as it is
    only there), compared in the judge with the same description of the expected frame."""
    if type(frame) is not pd.DataFrame:
        return {"type": type(frame).__name__}
    return {"type": "DataFrame", "columns": [_cell(c) for c in frame.columns],
            "dtypes": [str(t) for t in frame.dtypes], "index": [_cell(i) for i in frame.index.tolist()],
            "cells": [[_cell(v) for v in frame.iloc[:, j].to_numpy(dtype=object).tolist()]
                      for j in range(frame.shape[1])]}


def described_call(fn, *args):
    """Run where ``fn`` lives: ``fn(*args)``, with what it returned and its DataFrame arguments afterwards described
    by ``frame_parts`` (a returned non-frame is passed as it is)."""
    out = fn(*args)
    shown = frame_parts(out) if isinstance(out, pd.DataFrame) else out
    return shown, [frame_parts(a) if isinstance(a, pd.DataFrame) else None for a in args]


# §2.1 data manipulation ----------------------------------------------------------------------------

@check("data_manipulation.arange_reshape", clauses="values")
def check_arange_reshape_book_example(arange_reshape):
    got = arange_reshape(12, 3)
    assert_close(got, torch.arange(12).reshape(3, 4), what="arange_reshape(12, 3)", check_dtype=False,
                 hint="torch.arange(12) counts from 0; reshape(3, -1) gives 3 rows of 4")


def as_tuple(value):
    """``value`` as a tuple, or None where it is not a sequence (whether it is a tuple is another check's)."""
    try:
        return tuple(value)
    except TypeError:
        return None


@check("data_manipulation.broadcast_shape", clauses="values")
def check_broadcast_shape_book_example(broadcast_shape):
    got = broadcast_shape((3, 1), (1, 2))
    assert as_tuple(got) == (3, 2), \
        f"broadcast_shape((3, 1), (1, 2)) returned {got!r}, expected (3, 2) (the shape of a + b in §2.1.3)"


@check("data_manipulation.add_inplace", clauses="returns")
def check_add_inplace_keeps_id(add_inplace):
    X = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    expected = X + Y
    before = id(Y)
    got = add_inplace(X, Y)
    assert_close(Y, expected, what="Y after add_inplace(X, Y) for the book's X and Y",
                 hint="write the sum into Y: Y[:] = X + Y (Y = X + Y only rebinds the local name)")
    assert got is Y and id(got) == before, \
        (f"add_inplace(X, Y) returned {type_name(got)}, not the very same tensor Y (id(Y) unchanged): "
         "return Y itself after Y[:] = X + Y")


# §2.2 data preprocessing ---------------------------------------------------------------------------

@check("data_preprocessing.preprocess", clauses="values")
def check_preprocess_house_tiny(preprocess):
    got = preprocess(house_tiny())
    assert isinstance(got, tuple) and len(got) == 2, f"preprocess should return (X, y), got {type_name(got)}"
    X, y = got
    assert_close(X, torch.tensor([[3.0, 1, 0], [2, 0, 1], [4, 0, 1], [3, 0, 1]], dtype=torch.float64),
                 what="the inputs of house_tiny.csv (columns NumRooms, Alley_Pave, Alley_nan)", check_dtype=False,
                 hint="fill NumRooms's NaN with its mean (3.0), then pd.get_dummies(inputs, dummy_na=True)")
    assert_close(y, torch.tensor([127500.0, 106000, 178100, 140000], dtype=torch.float64),
                 what="the outputs (Price) of house_tiny.csv", check_dtype=False)


@check("data_preprocessing.drop_most_missing", clauses="values")
def check_drop_most_missing_house_tiny(drop_most_missing):
    got, _ = student_side(described_call, drop_most_missing, house_tiny())
    assert isinstance(got, dict) and got.get("type") == "DataFrame", \
        f"drop_most_missing should return a DataFrame, got {got.get('type') if isinstance(got, dict) else got!r}"
    assert got["columns"] == ["NumRooms", "Price"], \
        (f"house_tiny.csv has 2 NaN in NumRooms and 3 in Alley: Alley should go, leaving ['NumRooms', 'Price'], "
         f"got columns {got['columns']}")
    assert len(got["index"]) == 4, f"drop a column, not rows: {len(got['index'])} rows are left of 4"


# §2.3 linear algebra -------------------------------------------------------------------------------

@check("linear_algebra.cumsum", clauses="values")
def check_cumsum_book_example(cumsum):
    A = torch.arange(20, dtype=torch.float32).reshape(5, 4)
    assert_close(cumsum(A.clone(), 0), torch.tensor([[0.0, 1, 2, 3], [4, 6, 8, 10], [12, 15, 18, 21], [24, 28, 32, 36],
                                             [40, 45, 50, 55]]), what="cumsum(A, 0) for A = arange(20).reshape(5, 4)")
    assert_close(cumsum(A.clone(), 1)[1], torch.tensor([4.0, 9, 15, 22]), what="row 1 of cumsum(A, 1)",
                 hint="axis=1 accumulates along each row")


@check("linear_algebra.dot", clauses="values")
def check_dot_book_example(dot):
    x, y = torch.arange(4, dtype=torch.float32), torch.ones(4, dtype=torch.float32)
    assert_close(dot(x, y), torch.tensor(6.0), what="dot(x=[0, 1, 2, 3], y=[1, 1, 1, 1])",
                 hint="sum of the elementwise products: a 0-dim tensor")


@check("linear_algebra.mv", clauses="values", substitute=("dot",))
def check_mv_book_example(mv):
    A, x = torch.arange(20, dtype=torch.float32).reshape(5, 4), torch.arange(4, dtype=torch.float32)
    assert_close(mv(A, x), torch.tensor([14.0, 38, 62, 86, 110]), what="mv(A=arange(20).reshape(5, 4), x=arange(4))")


@check("linear_algebra.mm", clauses="values", substitute=("dot", "mv"))
def check_mm_book_example(mm):
    A, B = torch.arange(20, dtype=torch.float32).reshape(5, 4), torch.ones(4, 3)
    assert_close(mm(A, B), torch.tensor([[6.0] * 3, [22] * 3, [38] * 3, [54] * 3, [70] * 3]),
                 what="mm(A=arange(20).reshape(5, 4), B=ones(4, 3))")


@check("linear_algebra.l1_norm", clauses="values")
def check_l1_norm_book_example(l1_norm):
    assert_close(l1_norm(torch.tensor([3.0, -4.0])), torch.tensor(7.0), what="l1_norm(u=[3, -4])",
                 hint="the sum of absolute values")


@check("linear_algebra.l2_norm", clauses="values", substitute=("dot",))
def check_l2_norm_book_example(l2_norm):
    assert_close(l2_norm(torch.tensor([3.0, -4.0])), torch.tensor(5.0), what="l2_norm(u=[3, -4])",
                 hint="the square root of the sum of squares")


@check("linear_algebra.frobenius_norm", clauses="values", substitute=("dot", "l2_norm"))
def check_frobenius_norm_book_example(frobenius_norm):
    assert_close(frobenius_norm(torch.ones(4, 9)), torch.tensor(6.0), what="frobenius_norm(ones(4, 9))",
                 hint="the square root of the sum of the squares of all 36 entries")


# §2.4 calculus -------------------------------------------------------------------------------------

@check("calculus.numerical_lim", clauses="values")
def check_numerical_lim_book_example(numerical_lim):
    def f(x):
        return 3 * x ** 2 - 4 * x
    for h, expected in ((0.1, 2.3), (0.01, 2.03), (0.001, 2.003)):
        assert_close(numerical_lim(f, 1, h), expected, atol=1e-9, rtol=1e-7,
                     what=f"numerical_lim(f, 1, h={h}) for f(x) = 3x² - 4x",
                     hint="the book's forward difference (f(x + h) - f(x)) / h")


# §2.5 automatic differentiation --------------------------------------------------------------------

@check("autograd.grad_scalar", clauses="values")
def check_grad_scalar_book_example(grad_scalar):
    x = torch.arange(4.0)
    got = grad_scalar(lambda x: 2 * torch.dot(x, x), x)
    assert_close(got, torch.tensor([0.0, 4, 8, 12]), what="the gradient of y = 2 xᵀx at x = [0, 1, 2, 3]",
                 hint="4x")


@check("autograd.grad_nonscalar", clauses="values")
def check_grad_nonscalar_book_example(grad_nonscalar):
    got = grad_nonscalar(lambda x: x * x, torch.arange(4.0))
    assert_close(got, torch.tensor([0.0, 2, 4, 6]), what="the gradient of (x * x).sum() at x = [0, 1, 2, 3]")


@check("autograd.grad_detached", clauses="values")
def check_grad_detached_book_example(grad_detached):
    x = torch.arange(4.0)
    got = grad_detached(lambda u, x: u * x, lambda x: x * x, x)
    assert_close(got, torch.tensor([0.0, 1, 4, 9]), what="dz/dx for u = (x * x).detach(), z = u * x, x = [0, 1, 2, 3]",
                 hint="u is a constant, so the gradient is u (x.grad == u in the book), not 3x²")


@check("autograd.control_flow_f", clauses="values")
def check_control_flow_f_values(control_flow_f):
    assert_close(control_flow_f(torch.tensor(0.5)), torch.tensor(1024.0), what="f(a=0.5)",
                 hint="b = 2a = 1, doubled while its norm is below 1000")
    assert_close(control_flow_f(torch.tensor(-0.5)), torch.tensor(-102400.0), what="f(a=-0.5)",
                 hint="b ends at -1024, whose sum is not > 0, so c = 100 * b")


# §2.6 probability ----------------------------------------------------------------------------------

def seeded_call(fn, seed, *args):
    """``fn(*args)`` right after ``torch.manual_seed(seed)``, where ``fn`` lives (the student's generator)."""
    torch.manual_seed(seed)
    return fn(*args)


@check("probability.die_roll_estimates", clauses="values", substitute=("cumsum",))
def check_die_roll_estimates_book_run(die_roll_estimates):
    estimates = student_side(seeded_call, die_roll_estimates, 0, torch.ones(6) / 6, 500, 10)
    assert_tensor(estimates, what="die_roll_estimates(fair die, 500 groups, 10 rolls each)", shape=(500, 6))
    assert_close(estimates.sum(1), torch.ones(500, dtype=estimates.dtype), what="the row sums of the estimates",
                 check_dtype=False, atol=1e-5,
                 hint="divide the cumulative counts by the cumulative number of rolls (each row's total)")
    counts = estimates.double() * torch.arange(1, 501).reshape(-1, 1) * 10
    assert torch.allclose(counts, counts.round(), atol=1e-3), \
        ("row i times the number of rolls so far (10 (i + 1)) should give whole counts: estimate from the rolls' "
         "cumulative counts (cum_counts / cum_counts.sum(dim=1, keepdims=True))")
    worst = (estimates[-1] - 1 / 6).abs().max().item()
    assert worst < 0.03, (f"after 5,000 rolls of a fair die every estimate should be within 0.03 of 1/6, "
                          f"but the last row is {[round(v, 3) for v in estimates[-1].tolist()]}: "
                          "accumulate the counts over the groups (cumsum along dim 0)")
