"""Forbidden shortcuts: record what the code under test really called.

Pure-Python library functions (``torch.broadcast_shapes``, ``nn.init.*``) pass
neither recorder: ``library_calls`` sees them with a profile hook.

Two recorders run together, so renaming or aliasing a function does not hide it:
a ``TorchFunctionMode`` sees the Python-level API (``torch.softmax``,
``F.softmax``, ``Tensor.softmax``, ...), and a ``TorchDispatchMode`` sees the
ATen operators that every route ends in (``aten._softmax``, ``torch.ops.aten...``).

The recording is the one observation formed in the student's process (the recorders must watch
the calls where they happen); only the names of what was called cross to the judge, which
decides. A recording that saw no operator at all while the code returned a new tensor means the
recorders were switched off: that fails too.
"""
from __future__ import annotations

import dataclasses
import gc
import sys
from pathlib import Path

import numpy as np
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode


@dataclasses.dataclass(frozen=True)
class Forbidden:
    """What an exercise may not call: a readable name, Python callables and ATen op names."""
    label: str
    functions: tuple = ()
    aten: tuple = ()


class _FunctionRecorder(TorchFunctionMode):
    def __init__(self):
        super().__init__()
        self.called, self.count = set(), 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.called.add(func)
        self.count += 1
        return func(*args, **(kwargs or {}))


class _DispatchRecorder(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.ops, self.count = set(), 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.ops.add(func.overloadpacket.__name__)
        self.count += 1
        return func(*args, **(kwargs or {}))


def counted_call(fn, *args, level="aten"):
    """``(fn(*args), how many operations it ran)``: ATen operations (``level="aten"``: every route to a kernel ends in
    one) or calls of the Python-level torch API (``"torch"``: functions and Tensor methods). Run it where the code
    under test lives (``student_side``)."""
    recorder = _DispatchRecorder() if level == "aten" else _FunctionRecorder()
    with recorder:
        result = fn(*args)
    return result, recorder.count


def call_recorded(fn, *args, **kwargs):
    """Run ``fn`` and return ``(result, python_functions_called, aten_ops_called)``."""
    functions, ops = _FunctionRecorder(), _DispatchRecorder()
    with functions, ops:
        result = fn(*args, **kwargs)
    return result, functions.called, ops.ops


def _record(fn, args, kwargs, forbidden: Forbidden):
    result, functions, ops = call_recorded(fn, *args, **kwargs)
    hits = sorted({getattr(f, "__qualname__", str(f)) for f in functions if f in set(forbidden.functions)}
                  | {f"aten.{op}" for op in ops if op in set(forbidden.aten)})
    return {"result": result, "hits": hits, "ops": len(ops)}


def assert_no_forbidden_calls(fn, *args, forbidden: Forbidden, what: str, ref=None, **kwargs):
    """Run ``fn`` (where the code under test lives) and fail if it reached a forbidden function or operator;
    return its result. With ``ref``, the result must also match the reference's on the same inputs: no
    points for avoiding a built-in with a wrong answer."""
    from autograder.harness.compare import assert_same_outputs
    from autograder.harness.context import student_side
    expected = ref(*[a.detach().clone() if isinstance(a, torch.Tensor) else a for a in args], **kwargs) \
        if ref is not None else None
    seen = student_side(_record, fn, args, kwargs, forbidden)
    result, hits = seen["result"], seen["hits"]
    if hits:
        raise AssertionError(f"{what} must not use {forbidden.label}, but it called {', '.join(hits)}: "
                             "the exercise is to write it from more basic operations")
    if seen["ops"] == 0 and isinstance(result, torch.Tensor) and result.numel() > 0 and \
            not any(result is a for a in args):
        raise AssertionError(f"{what} returned a new tensor, but no tensor operation was recorded: the grader's "
                             "recorders were switched off, so this cannot be checked")
    if ref is not None:
        assert_same_outputs(result, expected, what=f"{what} (the output must be right for this check to count)")
    return result


def library_calls(fn, *args, libraries=(torch, np), **kwargs):
    """Run ``fn`` where the code under test lives; return ``(result, names)`` (see ``_library_calls``)."""
    from autograder.harness.context import student_side
    return student_side(_library_calls, fn, args, kwargs, libraries)


def _library_calls(fn, args, kwargs, libraries):
    """``(result, names)``: the functions of ``libraries`` that ``fn(*args)`` entered from outside them.

    Names are dotted (``torch.functional.broadcast_shapes``, ``torch.nn.init.xavier_uniform_``,
    ``torch.rand``): Python functions where the call crosses into the library,
    and C functions of the library called from outside it.
    """
    roots = tuple(str(Path(m.__file__).parent) for m in libraries)
    prefixes = tuple(m.__name__ for m in libraries)
    seen = set()

    def inside(frame):
        return frame is not None and frame.f_code.co_filename.startswith(roots)

    def profiler(frame, event, arg):
        if event == "call" and inside(frame) and not inside(frame.f_back):  # entry points only
            seen.add(f"{frame.f_globals.get('__name__', '?')}.{frame.f_code.co_name}")
        elif event == "c_call" and not inside(frame):
            module = getattr(arg, "__module__", None) or ""
            if module.split(".")[0] in prefixes:
                seen.add(f"{module}.{arg.__name__}")

    previous, collecting = sys.getprofile(), gc.isenabled()
    gc.disable()  # a collection could run some library's __del__ in the middle: not the student's call
    sys.setprofile(profiler)
    try:
        result = fn(*args, **kwargs)
    finally:
        sys.setprofile(previous)
        if collecting:
            gc.enable()
    return result, sorted(seen)
