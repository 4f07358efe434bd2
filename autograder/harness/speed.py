"""Speed: the code under test against the reference, same inputs, same process.

``torch.utils.benchmark.Timer`` warms up, repeats in blocks, takes the median
and synchronizes CUDA. Only the ratio matters, never an absolute time. Both
sides are timed on one thread: on a busy machine (a grader running several
submissions at once) multi-threaded kernels wait for descheduled threads and
their times jump a hundredfold, which would make the ratio meaningless.
"""
from __future__ import annotations

import torch
from torch.utils import benchmark

from autograder.harness.inputs import describe


def median_seconds(fn, *args, min_run_time: float = 0.2) -> float:
    timer = benchmark.Timer(stmt="fn(*args)", globals={"fn": fn, "args": args}, num_threads=1)
    return timer.blocked_autorange(min_run_time=min_run_time).median


def speed_ratio(fn, ref, *args, min_run_time: float = 0.2) -> tuple[float, float, float]:
    """``(ratio, seconds_fn, seconds_ref)``: how many times slower ``fn`` is than ``ref``."""
    t_ref = median_seconds(ref, *args, min_run_time=min_run_time)
    t_fn = median_seconds(fn, *args, min_run_time=min_run_time)
    return t_fn / t_ref, t_fn, t_ref


def assert_fast_enough(fn, ref, *args, limit: float, what: str, hint: str = "") -> float:
    """Fail if ``fn`` is more than ``limit`` times slower than ``ref``; return the ratio."""
    ratio, t_fn, t_ref = speed_ratio(fn, ref, *args)
    if ratio > limit:
        inputs = ", ".join(describe(a) for a in args if isinstance(a, torch.Tensor))
        raise AssertionError(
            f"{what} is too slow: {t_fn * 1e3:.3g} ms per call vs the reference's {t_ref * 1e3:.3g} ms "
            f"({ratio:.1f}x slower; the limit is {limit:g}x) on {inputs}"
            + (f"\n  hint: {hint}" if hint else ""))
    return ratio
