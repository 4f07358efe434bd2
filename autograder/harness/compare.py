"""Comparing what the code under test returned with what it should have."""
from __future__ import annotations

import numbers

import torch

from autograder.harness.inputs import describe

# (atol, rtol) by dtype
TOLERANCES = {
    torch.float64: (1e-10, 1e-7),
    torch.float32: (1e-5, 1e-4),
    torch.float16: (1e-2, 1e-2),
    torch.bfloat16: (1e-2, 2e-2),
}


def _short(t: torch.Tensor) -> str:
    """A small tensor's values, 6 significant digits (float32 noise like 0.20000000298 hidden)."""
    def fmt(v):
        return "[" + ", ".join(fmt(x) for x in v) + "]" if isinstance(v, list) else f"{v:.6g}"
    if t.numel() <= 12:
        return fmt(t.detach().cpu().tolist())
    return f"{describe(t)}"


def assert_tensor(got, *, what: str, shape=None, dtype=None, device=None, hint: str = "") -> None:
    """``got`` is a tensor of the given shape, dtype and device type."""
    hint = hint if not hint or hint.startswith("\n") else f"\n  hint: {hint}"
    if not isinstance(got, torch.Tensor):
        raise AssertionError(f"{what} should be a torch.Tensor, got {describe(got)}{hint}")
    if shape is not None and tuple(got.shape) != tuple(shape):
        raise AssertionError(f"{what} has shape {tuple(got.shape)}, expected {tuple(shape)}{hint}")
    if dtype is not None and got.dtype != dtype:
        raise AssertionError(f"{what} has dtype {got.dtype}, expected {dtype}{hint}")
    if device is not None and got.device.type != torch.device(device).type:
        raise AssertionError(f"{what} is on {got.device}, expected {device} (keep outputs on the input's device)"
                             f"{hint}")


def assert_close(got, expected, *, what: str, atol: float | None = None, rtol: float | None = None,
                 check_dtype: bool = True, hint: str = "") -> None:
    """``got`` equals ``expected`` (a tensor or number) within dtype-aware tolerances.

    ``what`` names the call and its input, e.g. ``"softmax(X) for X float32 (4, 5), seed 1"``.
    """
    hint = f"\n  hint: {hint}" if hint else ""
    if isinstance(expected, numbers.Number) and not isinstance(expected, bool):
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if not isinstance(got, numbers.Number):
            raise AssertionError(f"{what} should be a number, got {describe(got)}{hint}")
        a, r = (atol if atol is not None else 1e-6), (rtol if rtol is not None else 1e-5)
        if not abs(got - expected) <= a + r * abs(expected):
            raise AssertionError(f"{what}: expected {expected:.6g}, got {got:.6g}{hint}")
        return
    expected = torch.as_tensor(expected)
    assert_tensor(got, what=what, shape=expected.shape, dtype=expected.dtype if check_dtype else None,
                  device=expected.device.type, hint=hint)
    default_atol, default_rtol = TOLERANCES.get(expected.dtype, (0.0, 0.0))
    atol = default_atol if atol is None else atol
    rtol = default_rtol if rtol is None else rtol
    got_c, exp_c = got.detach().cpu(), expected.detach().cpu()
    if not exp_c.is_floating_point():
        got_c, exp_c = got_c.to(exp_c.dtype) if not got_c.is_floating_point() else got_c, exp_c.to(got_c.dtype)
    bad_nan = torch.isnan(got_c) & ~torch.isnan(exp_c) if got_c.is_floating_point() else None
    if bad_nan is not None and bad_nan.any():
        index = tuple(bad_nan.nonzero()[0].tolist())
        raise AssertionError(f"{what} has NaN at index {index} (expected {exp_c[index].item():.6g}); "
                             f"{int(bad_nan.sum())} NaN values in all{hint}")
    if got_c.is_floating_point() or exp_c.is_floating_point():
        g, e = got_c.double(), exp_c.double()
        err = (g - e).abs()
        err = torch.where(torch.isnan(e) & torch.isnan(g), torch.zeros_like(err), err)
        err = torch.where(torch.isinf(e) & (g == e), torch.zeros_like(err), err)
        bad = err > atol + rtol * e.abs()
    else:
        bad = got_c != exp_c
        err = bad.double()
    if bad.any():
        flat = int(torch.nan_to_num(err, nan=float("inf")).argmax())
        index = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), err.shape)) if err.dim() else ()
        detail = (f"max abs error {err.max().item():.3g} at index {index}: expected {exp_c[index].item():.6g}, "
                  f"got {got_c[index].item():.6g}; {int(bad.sum())} of {bad.numel()} entries differ")
        small = f"\n  expected {_short(exp_c)}\n  got      {_short(got_c)}" if exp_c.numel() <= 12 else ""
        raise AssertionError(f"{what} is wrong: {detail} (atol {atol:g}, rtol {rtol:g}){small}{hint}")


def assert_unchanged(fn, *args, what: str, **kwargs):
    """Call ``fn(*args, **kwargs)`` and fail if it modified any tensor argument; return its result."""
    before = [a.detach().clone() if isinstance(a, torch.Tensor) else None for a in args]
    result = fn(*args, **kwargs)
    for i, (arg, copy) in enumerate(zip(args, before)):
        if copy is not None and not torch.equal(arg.detach(), copy):
            raise AssertionError(f"{what} modified its argument #{i + 1} ({describe(arg)}) in place; "
                                 "work on a new tensor instead (the caller's data must stay as it was)")
    return result


def assert_same_outputs(got, expected, *, what: str, atol=None, rtol=None, hint: str = "") -> None:
    """``assert_close``, item by item through (nested) tuples and lists such as ``(outputs, (H, C))``."""
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            raise AssertionError(f"{what} should return {len(expected)} values, got {describe(got)}")
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same_outputs(g, e, what=f"{what}, output #{i + 1}", atol=atol, rtol=rtol, hint=hint)
    else:
        assert_close(got, expected, what=what, atol=atol, rtol=rtol, hint=hint)


def _clone(a):
    return a.detach().clone() if isinstance(a, torch.Tensor) else a


def assert_matches_reference(fn, ref, make_args, *, what: str, seeds, atol=None, rtol=None, pure: bool = False,
                             hint="") -> None:
    """For each seed, ``fn(*make_args(seed))`` equals the reference's output (tuples compared item by item).

    ``fn`` gets fresh copies of the inputs, so a function that also changes its input (a documented
    deviation of its own, checked by ``assert_pure``) is judged here on its values alone. ``pure``: also fail
    if ``fn`` modifies its tensor arguments (for a check whose one property is both). ``hint``: a text, or
    ``hint(got, *args)`` that reads the likeliest mistake off the output (``softmax_hint(got, X)``).
    """
    for seed in seeds:
        args = make_args(seed)
        expected = ref(*[_clone(a) for a in args])
        shown = ", ".join(describe(a) for a in args)
        label = f"{what} for {shown} (seed {seed})"
        given = list(args) if pure else [_clone(a) for a in args]
        got = assert_unchanged(fn, *given, what=label) if pure else fn(*given)
        assert_same_outputs(got, expected, what=label, atol=atol, rtol=rtol,
                            hint=hint(got, *args) if callable(hint) else hint)


def assert_keeps_dtype(fn, ref, make_args, dtypes, *, what: str, operand: str, seeds, hint="") -> None:
    """For each of ``dtypes``, ``fn(*make_args(seed, dtype))`` equals the reference's output, its dtype included
    (``assert_matches_reference``); ``operand`` names the argument that has the dtype (``"X"``)."""
    for dtype in dtypes:
        assert_matches_reference(fn, ref, lambda seed: make_args(seed, dtype), seeds=seeds, hint=hint,
                                 what=f"{what} for a {str(dtype).removeprefix('torch.')} {operand}")


def assert_pure(fn, ref, make_args, *, what: str, seeds, atol=None, rtol=None, hint: str = "") -> None:
    """``fn`` leaves its tensor arguments as they were, and is right on them (no points for a pure wrong answer)."""
    for seed in seeds:
        args = make_args(seed)
        expected = ref(*[_clone(a) for a in args])
        label = f"{what} for {', '.join(describe(a) for a in args)} (seed {seed})"
        got = assert_unchanged(fn, *args, what=label)
        assert_same_outputs(got, expected, what=f"{label} (it must also be right for this check to count)",
                            atol=atol, rtol=rtol, hint=hint)
