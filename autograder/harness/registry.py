"""Exercises and checks: the one table every chapter, the pytest plugin, the grader and nbgrader read.

A chapter's exercises are declared beside their references, in ``solutions/chN/__init__.py``,
with the clauses of their contract (what the docstring promises, one property each)::

    EXERCISES = {
        "softmax_regression.softmax": ("3.6.2", {
            "values": "each row of the result is the softmax of that row of X",
            "dtype": "the result has X's dtype", ...}),
        ...
    }

(read without importing it, so that the table is available wherever the references are hidden;
the student release carries the same table in ``exercises/chN/__init__.py``). Every check names
the exercise it grades::

    @check("softmax_regression.softmax", points=2)
    def check_softmax_book_example(softmax): ...

A check is a plain function: its parameters are names of the implementation under test (looked
up in the exercise's module, or where ``uses`` says), plus ``device`` when it cares. The runner
hands it proxies of the student's objects (``session.Remote``); calling it directly on local
objects (a notebook cell) works too. It raises ``AssertionError`` with a message a student can act
on.
"""
from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
import inspect
import random
import sys
from pathlib import Path

import numpy as np
import torch

from autograder import book
from autograder.harness.session import StudentError, StudentNotImplemented, WorkerLost, ship_by_value

CHAPTERS = tuple(book.CHAPTERS)
REPO_ROOT = Path(__file__).resolve().parents[2]
KINDS = ("correctness", "speed", "accuracy")


@dataclasses.dataclass(frozen=True)
class Exercise:
    chapter: str
    module: str          # "softmax_regression"
    name: str            # "softmax"
    section: str         # "3.6.2"
    order: int
    unique: bool = True  # no other exercise of the chapter has this name
    clauses: tuple = ()  # ((clause, what the contract says), ...): every one has its checks (tests/test_contracts.py)

    @property
    def key(self) -> str:
        return f"{self.chapter}.{self.module}.{self.name}"

    @property
    def target(self) -> str:
        return self.key

    @property
    def label(self) -> str:
        """``softmax``, or ``weight_decay.train`` where two modules of the chapter share the name."""
        return self.name if self.unique else f"{self.module}.{self.name}"

    @property
    def cite(self) -> str:
        return book.cite(self.section)

    @property
    def column(self) -> str:
        """The gradebook column: ``ch3.softmax``, or ``ch4.weight_decay.train``."""
        return f"{self.chapter}.{self.label}"


@dataclasses.dataclass
class Check:
    fn: callable                 # the undecorated check
    wrapped: callable            # what students and the runner call
    exercise: Exercise
    name: str                    # "book_example"
    visibility: str              # "public" or "hidden"
    points: float
    kind: str                    # "correctness", "speed" or "accuracy"
    gpu: bool
    timeout: float               # the flat limit (pytest-timeout; the grader measures its own)
    uses: dict
    integration: bool            # grades several of the student's exercises together
    substitute: tuple | dict     # other exercises replaced by their references (or {name: stand-in}) while it runs
    clauses: tuple = ()          # the clauses of the exercise's contract that this check tests

    @property
    def id(self) -> str:
        return f"{self.exercise.chapter}::{self.exercise.label}::{self.name}"

    def parameters(self) -> list[str]:
        return list(inspect.signature(self.fn).parameters)

    def target(self, param: str) -> str:
        """Dotted ``chN.module.name`` that a parameter of the check stands for."""
        where = self.uses.get(param, f"{self.exercise.module}.{param}")
        return f"{self.exercise.chapter}.{where}"


EXERCISES: dict[str, dict[str, Exercise]] = {}   # chapter -> key -> Exercise
CHECKS: dict[str, list[Check]] = {}              # chapter -> checks in declaration order


def exercise_table(chapter: str, root: Path = REPO_ROOT) -> dict:
    """``{"module.name": "section" or ("section", {clause: text})}`` from ``solutions/chN/__init__.py`` (or, in
    the student release, the copy in ``exercises/chN/__init__.py``), read without running it."""
    for folder in ("solutions", "exercises"):
        path = root / folder / chapter / "__init__.py"
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except OSError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "EXERCISES" for t in node.targets):
                return ast.literal_eval(node.value)
    raise KeyError(f"no EXERCISES table for {chapter} in solutions/{chapter}/__init__.py")


def exercises_of(chapter: str) -> dict[str, Exercise]:
    """The chapter's exercises by key (``chN.module.name``), in book order."""
    if chapter not in EXERCISES:
        table = exercise_table(chapter)
        names = [where.rsplit(".", 1)[1] for where in table]
        found = {}
        for order, (where, entry) in enumerate(table.items()):
            module, name = where.rsplit(".", 1)
            section, clauses = (entry, {}) if isinstance(entry, str) else entry
            book.cite(section)  # fails early on an unknown section
            found[f"{chapter}.{where}"] = Exercise(chapter, module, name, section, order, names.count(name) == 1,
                                                   tuple(clauses.items()))
        EXERCISES[chapter] = found
    return EXERCISES[chapter]


def _chapter_and_visibility(module_name: str) -> tuple[str, str]:
    parts = module_name.split(".")
    if len(parts) < 2 or parts[-2] not in ("public", "hidden"):
        raise ValueError(f"checks live in autograder.checks.public|hidden.chN, not {module_name}")
    return parts[-1], parts[-2]


def seed_everything(seed: int = 0) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def check(exercise: str, *, points: float = 1, uses: dict | None = None, kind: str = "correctness",
          gpu: bool = False, timeout: float | None = None, name: str | None = None, integration: bool | None = None,
          substitute: tuple | dict = (), clauses: tuple | str = ()):
    """Register a check of ``exercise`` (``"module.name"`` in the caller's chapter).

    ``integration``: the check grades several of the student's exercises together (default: when
    ``uses`` names another exercise, or for an accuracy check). ``substitute``: other exercises of the
    chapter that the code under test calls and that are replaced by their references while a unit
    check runs (``("accuracy", "Accumulator")``), so that a mistake there costs this check nothing.
    A replaced function runs in the judge: it must not rely on changing its arguments in place. A dict
    ``{"grad_clipping": stand_in}`` replaces with check code instead (shipped by value, it runs beside the
    student's code: a stand-in may work in place), or, ``{"Inception": InPlace("ch7.googlenet.Inception")}``,
    with the reference sent with its code (a layer that must hold its parameters in the student's network).
    ``clauses``: the clauses of the exercise's contract this check tests (names from its EXERCISES entry).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")

    def decorate(fn):
        chapter, visibility = _chapter_and_visibility(fn.__module__)
        ship_by_value(fn.__module__)
        key = f"{chapter}.{exercise}"
        ex = exercises_of(chapter).get(key)
        if ex is None:
            raise KeyError(f"{fn.__name__}: {key} is not in the EXERCISES table of solutions/{chapter}/__init__.py")
        short = name or fn.__name__.removeprefix("check_").removeprefix(ex.name + "_").removeprefix(ex.name)
        short = short.strip("_") or "correct"
        named = (clauses,) if isinstance(clauses, str) else tuple(clauses)
        unknown = [c for c in named if c not in dict(ex.clauses)]
        if unknown:
            raise KeyError(f"{fn.__name__}: {ex.key} has no clause {unknown} (its clauses: {[c for c, _ in ex.clauses]})")

        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            default_dtype, grad_enabled = torch.get_default_dtype(), torch.is_grad_enabled()
            seed_everything(0)
            try:
                return fn(*args, **kwargs)
            except WorkerLost:
                raise
            except (NotImplementedError, StudentNotImplemented) as e:  # the stub names itself, "softmax (§3.6.2)"
                raise AssertionError(f"not implemented yet: {e or f'{ex.name} (§{ex.section})'}") from None
            except AssertionError as e:
                text = str(e)
                if ex.cite not in text:
                    text = f"{text}\n  [{ex.cite}]"
                raise AssertionError(text) from None
            except (Exception, SystemExit) as e:  # what the code under test returned broke the check
                raise StudentError(f"{ex.name}: the check could not use what your code returned "
                                   f"({type(e).__name__}: {e})\n  [{ex.cite}]") from e
            finally:
                torch.set_default_dtype(default_dtype)
                torch.set_grad_enabled(grad_enabled)

        others = {k: v for k, v in (uses or {}).items() if v != exercise}
        if integration and substitute:
            raise ValueError(f"{fn.__name__}: an integration check uses the student's pieces; it substitutes nothing")
        made = Check(fn=fn, wrapped=wrapped, exercise=ex, name=short, visibility=visibility, points=points,
                     kind=kind, gpu=gpu, timeout=timeout or {"accuracy": 600, "speed": 120}.get(kind, 60),
                     uses=dict(uses or {}), substitute=substitute if isinstance(substitute, dict) else tuple(substitute),
                     clauses=named,
                     integration=(bool(others) or kind == "accuracy") and not substitute if integration is None
                     else integration)
        registered = CHECKS.setdefault(chapter, [])
        duplicate = next((c for c in registered if c.id == made.id), None)
        if duplicate is not None and (duplicate.fn.__module__, duplicate.fn.__qualname__) != (fn.__module__,
                                                                                                fn.__qualname__):
            raise ValueError(f"two checks have the id {made.id}: {duplicate.fn.__module__}.{duplicate.fn.__qualname__}"
                             f" and {fn.__module__}.{fn.__qualname__}")
        if duplicate is None:
            registered.append(made)
        wrapped.check = made
        return wrapped
    return decorate


def declaring_module(depth: int = 1) -> str:
    """The name of the module whose code called, ``depth`` calls up, the function that asks: for a helper that
    declares checks, the check module they belong to (``depth=1``: its direct caller)."""
    return sys._getframe(depth + 1).f_globals["__name__"]


def check_for(module: str, exercise: str, fn, *, name: str, **kwargs):
    """Register ``fn`` as the check ``name`` of ``exercise``, declared by the check module ``module``: for a helper
    that declares the same checks for several exercises (``speed_check``; chapters 8 and 9's ``parameter_checks``).
    ``fn`` takes the exercise as ``fn`` (and what ``uses`` adds)."""
    fn.__module__ = module
    fn.__name__ = fn.__qualname__ = f"check_{exercise.rsplit('.', 1)[1]}_{name}"
    return check(exercise, name=name, uses={"fn": exercise, **kwargs.pop("uses", {})}, **kwargs)(fn)


def load_chapter(chapter: str) -> list[Check]:
    """Import a chapter's check modules (the hidden one only where it ships) and return its checks."""
    exercises_of(chapter)
    for visibility in ("public", "hidden"):
        try:
            importlib.import_module(f"autograder.checks.{visibility}.{chapter}")
        except ModuleNotFoundError as e:
            if e.name != f"autograder.checks.{visibility}.{chapter}" and not (
                    visibility == "hidden" and e.name == "autograder.checks.hidden"):
                raise
    return CHECKS.get(chapter, [])


def available_chapters() -> list[str]:
    public = Path(__file__).resolve().parents[1] / "checks" / "public"
    return [c for c in CHAPTERS if (public / f"{c}.py").exists()]


def chapter_names(values) -> list[str]:
    """``3``, ``ch3``, ``"3,6"``, ``["ch3", "ch6"]`` -> ``["ch3", "ch6"]`` (every command accepts these)."""
    if isinstance(values, str):
        values = [values]
    found = []
    for value in values or []:
        for part in str(value).replace(" ", ",").split(","):
            part = part.strip()
            if part:
                found.append(part if part.startswith("ch") else f"ch{part}")
    unknown = [c for c in found if c not in CHAPTERS]
    if unknown:
        raise ValueError(f"no such chapter(s): {', '.join(unknown)} (chapters: {', '.join(CHAPTERS)})")
    return list(dict.fromkeys(found))
