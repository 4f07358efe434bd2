"""Speed: the code under test against the reference, on the same inputs, in the same run.

Only the ratio matters, never an absolute time. The judge's own clock times every call into the
code under test (nothing the student's process does can change it), with the cost of the round
trip measured by a call that does no work on the same inputs and subtracted; each side counts its
fastest repeat (a loaded machine only ever slows a call down). Every repeat gets
inputs of its own (another seed), so caching on a tensor's identity, version or contents gains
nothing, and every repeat's output is compared with the reference's: a fast wrong answer earns
nothing. The reference is timed here on fresh copies of the same inputs. Both sides run on one
thread: on a busy machine multi-threaded kernels wait for descheduled threads and their times jump
a hundredfold, which would make the ratio meaningless.
"""
from __future__ import annotations

import inspect
import time

import torch

from autograder.harness.compare import assert_same_outputs
from autograder.harness.context import student_side
from autograder.harness.inputs import describe
from autograder.harness.train import single_thread
from torch.utils import _pytree as pytree


def _sync():
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def _clone(args):
    return tuple(a.detach().clone() if isinstance(a, torch.Tensor) else a for a in args)


def _noop_like(args, shapes):
    """What the round trip costs: the inputs in, outputs of the same sizes back, no work."""
    return pytree.tree_map(lambda s: torch.zeros(s[0], dtype=s[1], device=s[2]) if isinstance(s, tuple) and
                           len(s) == 3 and isinstance(s[1], torch.dtype) else s, shapes,
                           is_leaf=lambda s: isinstance(s, tuple) and len(s) == 3 and isinstance(s[1], torch.dtype))


def _shapes(out):
    return pytree.tree_map(lambda o: (tuple(o.shape), o.dtype, str(o.device)) if isinstance(o, torch.Tensor) else o,
                           out)


def _timed(call):
    _sync()
    start = time.perf_counter()
    out = call()
    _sync()
    return time.perf_counter() - start, out


def seeded(make_args):
    """``make_args(device, seed)`` -> ``f(device) -> (seed -> args)``; an old-style ``make_args(device)`` gives
    the same values for every seed (fresh copies still)."""
    takes_seed = len(inspect.signature(make_args).parameters) >= 2
    return lambda device: (lambda seed: make_args(device, seed)) if takes_seed else \
        (lambda seed, args=make_args(device): _clone(args))


def speed_ratio(fn, ref, inputs, *, limit: float = float("inf"), min_run_time: float = 0.2, min_repeats: int = 5,
                max_repeats: int = 25, atol=None, rtol=None, what: str = "") -> tuple[float, float, float]:
    """``(ratio, seconds_fn, seconds_ref)``: how many times slower ``fn`` (the code under test) is than ``ref``
    (here), each on ``inputs(seed)`` for several seeds. Fails when an output is wrong.

    Each side's time is its *fastest* repeat: on a loaded machine a call is only ever slowed down (preempted),
    never sped up, so the minimum is what the code costs; a median is moved by every preemption.
    """
    t_fn, t_ref, t_noop = [], [], []
    with single_thread():
        warm = inputs(max_repeats)        # one untimed round first: lazy initialisation is nobody's speed
        ref(*_clone(warm))
        fn(*warm)
        for seed in range(max_repeats):
            args = inputs(seed)
            dt, expected = _timed(lambda: ref(*_clone(args)))
            t_ref.append(dt)
            dt, got = _timed(lambda: fn(*args))
            t_fn.append(dt)
            assert_same_outputs(got, expected, what=f"{what} on timing input #{seed + 1} ({describe_args(args)})",
                                atol=atol, rtol=rtol)
            dt, _ = _timed(lambda: student_side(_noop_like, args, _shapes(expected)))
            t_noop.append(dt)
            net, fastest_ref = max(min(t_fn) - min(t_noop), 0.0), min(t_ref)
            if net > 100 * limit * fastest_ref or (seed >= 2 and net > 4 * limit * fastest_ref):
                break       # far past the limit: timing it more would only cost time
            if seed + 1 >= min_repeats and sum(t_ref) >= min_run_time:
                break
    net = max(min(t_fn) - min(t_noop), 1e-9)
    fastest_ref = max(min(t_ref), 1e-9)
    return net / fastest_ref, net, fastest_ref


def describe_args(args) -> str:
    return ", ".join(describe(a) for a in args if isinstance(a, torch.Tensor))


def assert_fast_enough(fn, ref, inputs, *, limit: float, what: str, hint: str = "", atol=None, rtol=None) -> float:
    """Fail if ``fn`` is more than ``limit`` times slower than ``ref``, or wrong on a timing input; return the
    ratio."""
    ratio, t_fn, t_ref = speed_ratio(fn, ref, inputs, limit=limit, atol=atol, rtol=rtol, what=what)
    if ratio > limit:
        raise AssertionError(
            f"{what} is too slow: {t_fn * 1e3:.3g} ms per call vs the reference's {t_ref * 1e3:.3g} ms "
            f"({ratio:.1f}x slower; the limit is {limit:g}x) on {describe_args(inputs(0))}"
            + (f"\n  hint: {hint}" if hint else ""))
    return ratio


def median_seconds(fn, *args, min_run_time: float = 0.2) -> float:
    """The median time of ``fn(*args)`` here (the benchmarks' reference against PyTorch's built-in)."""
    from torch.utils import benchmark
    timer = benchmark.Timer(stmt="fn(*args)", globals={"fn": fn, "args": args}, num_threads=1)
    return timer.blocked_autorange(min_run_time=min_run_time).median
