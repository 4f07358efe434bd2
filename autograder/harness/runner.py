"""Run one check on one implementation: what the pytest plugin, the tests and the grader share."""
from __future__ import annotations

from autograder.harness import train
from autograder.harness.loader import Implementation
from autograder.harness.registry import Check


def check_arguments(check: Check, impl: Implementation, device: str = "cpu") -> dict:
    """The keyword arguments of ``check``: the implementation's objects, and ``device``."""
    return {p: ("cuda" if check.gpu else device) if p == "device" else impl.get(check.target(p))
            for p in check.parameters()}


def run_check(check: Check, impl: Implementation, device: str = "cpu") -> str | None:
    """Run ``check`` on ``impl``; return ``None`` when it passes, else the failure message."""
    train.CURVES.clear()
    try:
        check.wrapped(**check_arguments(check, impl, device))
    except AssertionError as e:
        return str(e) or f"{check.exercise.name}: check {check.name} failed"
    return None
