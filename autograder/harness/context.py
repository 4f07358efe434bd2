"""The check being run: its session (where the code under test lives), its device and its curves.

Harness functions read it to decide where to compute: ``student_side(fn, ...)`` runs ``fn`` next to
the code under test (the current check's worker), or right here when no check is running (a
notebook cell calling a check on its own objects).
"""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses


@dataclasses.dataclass
class CheckRun:
    session: object | None          # session.Session
    device: str
    curves: dict = dataclasses.field(default_factory=dict)


_RUN: contextvars.ContextVar[CheckRun | None] = contextvars.ContextVar("d2l_check_run", default=None)


def current_run() -> CheckRun | None:
    return _RUN.get()


def current_session():
    run = _RUN.get()
    return run.session if run else None


@contextlib.contextmanager
def check_run(session, device: str):
    run = CheckRun(session, device)
    token = _RUN.set(run)
    try:
        yield run
    finally:
        _RUN.reset(token)


def student_side(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` where the code under test lives: ``fn`` is check or harness code that uses the
    student's objects (autograd through them, recording their calls, training them)."""
    session = current_session()
    return fn(*args, **kwargs) if session is None else session.run(fn, *args, **kwargs)


def add_curve(what: str, history) -> None:
    """Keep a training curve of the current check (the feedback plots it beside the reference's)."""
    run = _RUN.get()
    if run is not None:
        run.curves[what] = list(history)
