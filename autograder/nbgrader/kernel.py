"""What a chapter notebook runs inside its kernel: setup, module namespaces, hidden checks.

The setup cell calls :func:`setup_chapter`. It makes the package ``chN`` with
one empty module per ``.py`` module of the chapter (``ch3.softmax_regression``,
...) and registers the cell magic ``%%module NAME``: a cell starting with it
runs in that module's namespace, exactly as if it were the top of
``exercises/chN/NAME.py``, so names never collide across modules and relative
imports (``from .softmax_regression import softmax``) work. The names a cell
defines are also copied into the notebook's own namespace, for trying them out.
Test cells run the checks through the same runner as ``pytest exercises/chN`` and the grader
(``harness.runner.run_check``), on a session whose worker finds the notebook's objects: a notebook
scores what the same code scores in ``.py`` files.
"""
from __future__ import annotations

import linecache
import os
import sys
import types
import warnings

from autograder.harness.registry import load_chapter, seed_everything
from autograder.harness.runner import run_check
from autograder.harness.session import local_session
from autograder.results import resolve_device

_SESSIONS: dict = {}


def pick_device() -> str:
    """``$D2L_DEVICE`` (auto, cpu or cuda; auto by default), by the rule every path uses."""
    return resolve_device(os.environ.get("D2L_DEVICE", "auto"))


def _warnings_to_stdout(message, category, filename, lineno, file=None, line=None):
    # nbgrader gives 0 points to a test cell that writes anything to stderr: a torch
    # UserWarning raised by the code under test must not cost the student the check.
    sys.stdout.write(warnings.formatwarning(message, category, filename, lineno, line))


def setup_chapter(chapter: str, modules: list[str]) -> str:
    """Seed, send warnings to stdout, make ``chapter``'s module namespaces; return the device."""
    seed_everything(0)
    warnings.showwarning = _warnings_to_stdout
    package = types.ModuleType(chapter, f"{chapter}: the modules of this notebook")
    package.__path__ = []
    sys.modules[chapter] = package
    for name in modules:
        dotted = f"{chapter}.{name}"
        if dotted not in sys.modules:  # re-running the setup cell keeps what the cells defined
            module = types.ModuleType(dotted)
            module.__package__ = chapter
            sys.modules[dotted] = module
        sys.modules[dotted].__getattr__ = _missing(dotted)
        setattr(package, name, sys.modules[dotted])
    ip = _ipython()
    if ip is not None:
        ip.register_magic_function(lambda line, cell: run_in_module(chapter, line.strip(), cell),
                                   magic_kind="cell", magic_name="module")
    load_chapter(chapter)
    device = pick_device()
    _SESSIONS[chapter] = local_session(_target, lambda: [sys.modules[f"{chapter}.{m}"] for m in modules], device)
    return device


def _missing(dotted: str):
    def __getattr__(name):  # PEP 562: only called for names the module lacks
        if name.startswith("__"):
            raise AttributeError(name)
        module = dotted.rsplit(".", 1)[1]
        raise AttributeError(f"{dotted} has no {name!r}: run the cell that defines it, and keep that cell's "
                             f"first line `%%module {module}`")
    return __getattr__


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def run_in_module(chapter: str, name: str, source: str) -> None:
    """Run a cell's ``source`` in the namespace of ``chapter.name`` and copy what it binds to the notebook."""
    dotted = f"{chapter}.{name}"
    if dotted not in sys.modules:
        raise NameError(f"%%module {name}: {chapter} has no module {name!r} (run the setup cell first)")
    namespace = sys.modules[dotted].__dict__
    before = dict(namespace)
    filename = f"<{chapter}/{name}.py cell>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        exec(compile(source, filename, "exec"), namespace)
    finally:
        ip = _ipython()
        if ip is not None:
            ip.user_ns.update({k: v for k, v in namespace.items()
                               if not k.startswith("__") and before.get(k, namespace) is not v})


def _is_stub(fn) -> bool:
    code = getattr(fn, "__code__", None)
    return code is not None and code.co_names == ("NotImplementedError",)


class CheckFailed(AssertionError):
    """A failure in a test cell: IPython shows the message only, never the cell's (hidden) source, written by the
    renderer of the grader's feedback pages and results.json (``feedback_text.text``: the same words, expected and
    got aligned, the hint and the book's pages on lines of their own)."""

    def _render_traceback_(self):
        return feedback_message(str(self)).split("\n")


def feedback_message(message: str) -> str:
    """What nbgrader's feedback shows for a failing test cell."""
    try:
        from autograder.grading.feedback_text import text
    except ImportError:  # an installation without the grader: the message as it is
        return f"{CheckFailed.__name__}: {message}"
    return f"{CheckFailed.__name__}: {text(message)}"


def _hidden(run):
    """Run ``run()``; whatever it raises (a timeout's KeyboardInterrupt too) becomes a ``CheckFailed``."""
    try:
        return run()
    except KeyboardInterrupt:
        raise CheckFailed("stopped: it ran past the time limit (an infinite loop, or far too slow?)") from None
    except Exception as e:  # noqa: BLE001  (a hidden cell must not print a traceback of its source)
        raise CheckFailed(str(e) if isinstance(e, AssertionError) else f"{type(e).__name__}: {e}") from None


def _target(dotted: str):
    """The notebook's object ``chN.module.name`` (what the module's cells defined)."""
    module, name = dotted.rsplit(".", 1)
    return getattr(sys.modules[module], name)


def assert_implemented(chapter: str, exercise: str) -> None:
    """Fail while ``exercise`` (``"module.name"``) is still the released stub.

    The visible line of a hidden test cell: in the student's copy, where the
    hidden part is gone, the cell then fails like the hidden checks will.
    """
    def probe():
        obj = _target(f"{chapter}.{exercise}")
        members = [m for m in vars(obj).values() if callable(m)] if isinstance(obj, type) else [obj]
        if members and all(_is_stub(m) for m in members):
            raise AssertionError(f"not implemented yet: {exercise}")
    _hidden(probe)


def _run(chapter: str, exercise: str, name: str, device: str) -> None:
    key = f"{chapter}.{exercise}"
    found = [c for c in load_chapter(chapter) if c.exercise.key == key and c.name == name]
    if len(found) != 1:
        raise CheckFailed(f"no check {name!r} of {key} in this version of the autograder")
    session = _SESSIONS.get(chapter)
    if session is None:
        raise CheckFailed("run the setup cell first")
    outcome = run_check(found[0], session, "cuda" if found[0].gpu else device)
    if outcome.outcome == "failed":
        raise CheckFailed(outcome.message)


def hidden_check(chapter: str, exercise: str, name: str, device: str = "cpu") -> None:
    """Run the hidden check ``name`` of ``exercise`` (``"module.name"``) on the notebook's code."""
    _hidden(lambda: _run(chapter, exercise, name, device))


def public_check(chapter: str, exercise: str, name: str, device: str = "cpu") -> None:
    """Run the public check ``name`` of ``exercise`` on the notebook's code (its source is in
    ``autograder/checks/public/chN.py``)."""
    _hidden(lambda: _run(chapter, exercise, name, device))


__all__ = ["assert_implemented", "CheckFailed", "feedback_message", "hidden_check", "pick_device", "public_check",
           "run_in_module", "setup_chapter"]
