"""Declaring a speed check: one line per exercise, a CPU and a GPU variant.

``speed_check("softmax_regression.softmax", make_args, builtin=...)`` registers
two checks of the exercise: ``speed`` (on the CPU) and ``speed_gpu`` (marked
``gpu``: skipped with a reason where there is no CUDA). ``make_args(device, seed)``
gives the inputs of one timed call; every call gets another seed and its output
is verified against the reference's (item by item through tuples such as
``(outputs, (H,))``), so a fast wrong answer earns nothing; the check fails only
past a generous ratio to the reference (``speed.assert_fast_enough``).
``builtin`` is what the benchmark compares the reference with.
"""
from __future__ import annotations

import dataclasses

import torch

from autograder.harness.loader import reference
from autograder.harness.registry import check_for, declaring_module, exercises_of
from autograder.harness.session import is_instance
from autograder.harness.speed import assert_fast_enough, seeded


@dataclasses.dataclass
class SpeedSpec:
    chapter: str
    exercise: str            # "module.name"
    make_args: callable      # (device, seed) -> args
    builtin: callable | None
    limit: float
    build: callable | None = None   # class -> the callable timed (module speed checks); None: time it as is


SPEED_SPECS: list[SpeedSpec] = []


def speed_check(exercise: str, make_args, *, builtin=None, limit: float = 10.0, points: float = 1,
                hint: str = "", atol=None, rtol=None, clauses=("fast",), substitute=(), module: str = ""):
    """Register the CPU and GPU speed checks of ``exercise`` (call from a check module, or name it: ``module``).
    ``substitute``: as for ``check`` (on the CPU only: on the GPU a round trip to the judge per call would swamp
    the kernel)."""
    module = module or declaring_module()
    return _register(module, exercise, make_args, builtin, limit, points, hint, atol, rtol, None, clauses, substitute)


def module_speed_check(exercise: str, make_args, *, build, builtin=None, limit: float = 10.0, points: float = 1,
                       hint: str = "", atol=None, rtol=None, clauses=("fast",), substitute=()):
    """``speed_check`` for an exercise that is a class: ``build(cls)`` makes what is timed.

    E.g. ``build=lambda cls: cls(dropout=0.0).eval()`` times the forward pass of an
    ``nn.Module`` on ``make_args(device)``, the student's module against the reference's.
    """
    module = declaring_module()
    return _register(module, exercise, make_args, builtin, limit, points, hint, atol, rtol, build, clauses, substitute)


def _register(module, exercise, make_args, builtin, limit, points, hint, atol, rtol, build, clauses, substitute):
    chapter = module.rsplit(".", 1)[1]
    name = exercise.rsplit(".", 1)[1]
    SPEED_SPECS.append(SpeedSpec(chapter, exercise, make_args, builtin, limit, build))
    def make(device, gpu):
        def built(obj):
            if build is None:
                return obj
            made = build(obj)
            return made.to(device) if is_instance(made, torch.nn.Module) else made

        def speed(fn):
            fn, ref = built(fn), built(reference(f"{chapter}.{exercise}"))
            assert_fast_enough(fn, ref, seeded(make_args)(device), limit=limit, what=f"{name} on {device}",
                               hint=hint, atol=atol, rtol=rtol)
        declared = dict(exercises_of(chapter)[f"{chapter}.{exercise}"].clauses)
        named = (clauses,) if isinstance(clauses, str) else clauses
        return check_for(module, exercise, speed, name="speed_gpu" if gpu else "speed", points=points, kind="speed",
                         gpu=gpu, substitute=() if gpu else substitute,
                         clauses=tuple(c for c in named if c in declared))

    return make("cpu", False), make("cuda", True)
