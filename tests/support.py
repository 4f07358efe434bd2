"""What the suite's own tests share: running one check on a folder shaped like ``exercises/``."""
from __future__ import annotations

import weakref

from autograder.harness.loader import Implementation
from autograder.harness.runner import run_check
from autograder.harness.session import local_session

_SESSIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def session_of(impl: Implementation, device: str = "cpu"):
    """One in-process session per implementation (its modules imported once)."""
    if impl not in _SESSIONS:
        _SESSIONS[impl] = local_session(impl.get, impl.loaded_modules, device)
    return _SESSIONS[impl]


def message(check, impl: Implementation, device: str = "cpu") -> str | None:
    """``None`` when ``check`` passes on ``impl``, else its failure message."""
    outcome = run_check(check, session_of(impl, device), device)
    return None if outcome.outcome == "passed" else outcome.message
