"""Declaring a speed check: one line per exercise, a CPU and a GPU variant.

``speed_check("softmax_regression.softmax", make_args, builtin=...)`` registers
two checks of the exercise: ``speed`` (on the CPU) and ``speed_gpu`` (marked
``gpu``: skipped with a reason where there is no CUDA). Each first verifies
the output against the reference on the timed inputs, so a fast wrong answer
earns nothing, then fails only past a generous ratio to the reference.
``builtin`` is what the benchmark compares the reference with.
"""
from __future__ import annotations

import dataclasses
import sys

from autograder.harness.compare import assert_close
from autograder.harness.loader import reference
from autograder.harness.registry import check
from autograder.harness.speed import assert_fast_enough


@dataclasses.dataclass
class SpeedSpec:
    chapter: str
    exercise: str            # "module.name"
    make_args: callable      # device -> args
    builtin: callable | None
    limit: float


SPEED_SPECS: list[SpeedSpec] = []


def _assert_same_outputs(got, expected, *, what, atol, rtol):
    """``assert_close``, item by item when the reference returns a tuple (e.g. ``batch_norm``)."""
    if not isinstance(expected, (tuple, list)):
        return assert_close(got, expected, what=what, atol=atol, rtol=rtol)
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        raise AssertionError(f"{what}: should return {len(expected)} values, got {type(got).__name__}")
    for i, (g, e) in enumerate(zip(got, expected)):
        assert_close(g, e, what=f"{what}, output #{i + 1}", atol=atol, rtol=rtol)


def speed_check(exercise: str, make_args, *, builtin=None, limit: float = 10.0, points: float = 1,
                hint: str = "", atol=None, rtol=None):
    """Register the CPU and GPU speed checks of ``exercise`` (call from a check module)."""
    module = sys._getframe(1).f_globals["__name__"]
    chapter = module.rsplit(".", 1)[1]
    name = exercise.rsplit(".", 1)[1]
    SPEED_SPECS.append(SpeedSpec(chapter, exercise, make_args, builtin, limit))

    def make(device, gpu):
        def speed(fn):
            ref = reference(f"{chapter}.{exercise}")
            args = make_args(device)
            _assert_same_outputs(fn(*args), ref(*args), what=f"{name} on the timing inputs ({device})", atol=atol,
                                 rtol=rtol)
            assert_fast_enough(fn, ref, *args, limit=limit, what=f"{name} on {device}", hint=hint)
        speed.__module__ = module
        speed.__name__ = speed.__qualname__ = f"check_{name}_speed{'_gpu' if gpu else ''}"
        return check(exercise, points=points, kind="speed", gpu=gpu, uses={"fn": exercise},
                     name="speed_gpu" if gpu else "speed")(speed)

    return make("cpu", False), make("cuda", True)
