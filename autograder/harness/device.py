"""Devices without a GPU: PyTorch's ``meta`` device, which every machine has, stands in for a second device.

A tensor made without ``device=`` (``torch.rand(shape)``, ``torch.arange(n)``, a table built once on
the CPU) lands on the CPU; on a CPU-only machine that goes unnoticed until the code meets a GPU.
Run with inputs on ``meta``, the same code mixes devices and fails, on any machine, at the line
that made the tensor.
"""
from __future__ import annotations

import torch
from torch.utils import _pytree as pytree

from autograder.harness.compare import assert_matches_reference
from autograder.harness.context import student_side


def _on_meta(fn, args, kwargs):
    from autograder.harness.worker import student_frame
    move = lambda a: a.detach().to("meta") if isinstance(a, torch.Tensor) else a  # noqa: E731
    try:
        out = fn(*pytree.tree_map(move, tuple(args)), **pytree.tree_map(move, dict(kwargs)))
    except (RuntimeError, NotImplementedError, TypeError, ValueError) as e:
        text = str(e)
        where = student_frame(e.__traceback__)[0]
        if "device" in text and ("meta" in text or "cpu" in text) or "copy out of meta tensor" in text:
            return {"mixed": text.splitlines()[0][:300], "where": where}
        if "meta" in text.lower():
            return {"unsupported": text.splitlines()[0][:300], "where": where}
        raise
    leaves = [t for t in pytree.tree_leaves(out) if isinstance(t, torch.Tensor)]
    return {"devices": sorted({str(t.device) for t in leaves}), "tensors": len(leaves)}


def assert_keeps_device(fn, *args, what: str, hint: str = "", **kwargs) -> None:
    """``fn(*args)`` with every tensor argument on the ``meta`` device: every tensor it returns is on ``meta``
    too, and no tensor it made lives elsewhere."""
    seen = student_side(_on_meta, fn, args, kwargs)
    hint = f"\n  hint: {hint}" if hint else ""
    if "mixed" in seen:
        at = f" at {seen['where']}" if seen["where"] else ""
        raise AssertionError(f"{what} made a tensor on another device than its inputs'{at} ({seen['mixed']}): "
                             "create new tensors with device=X.device (and dtype=X.dtype), or with "
                             f"torch.zeros_like(X) and friends{hint}")
    if "unsupported" in seen:
        raise AssertionError(f"{what} could not run on the meta device ({seen['unsupported']}): this check cannot "
                             "judge it; the grader's authors should know")
    if seen["tensors"] and seen["devices"] != ["meta"]:
        raise AssertionError(f"{what} returned tensors on {', '.join(seen['devices'])} for inputs on another device "
                             f"(meta): keep outputs on the inputs' device{hint}")


def assert_right_on_device(fn, ref, make_args, *, what: str, seeds=(0,), hint: str = "",
                           keeps=assert_keeps_device) -> None:
    """The device check of a tensor function: right on the CPU (no points for a wrong answer on the right device),
    then, for each seed, every tensor it makes on the device of its inputs (``keeps``: ``assert_keeps_device`` or a
    check's own variant of it). ``hint``: for the device part."""
    assert_matches_reference(fn, ref, make_args, what=f"{what} (it must also be right for this check to count)",
                             seeds=seeds)
    for seed in seeds:
        keeps(fn, *make_args(seed), what=what, hint=hint)
