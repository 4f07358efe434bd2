"""Exercises and checks: the one table every chapter, the pytest plugin and the grader read.

A chapter's public check module declares its exercises once::

    exercises("ch3", {"softmax_regression.softmax": "3.6.2", ...})

and every check names the exercise it grades::

    @check("softmax_regression.softmax", points=2)
    def check_softmax_book_example(softmax): ...

A check is a plain function: its parameters are names of the implementation
under test (looked up in the exercise's module, or where ``uses`` says), plus
``device`` when it cares. Calling it directly (a notebook cell) works; it
raises ``AssertionError`` with a message a student can act on.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import random
import traceback
from pathlib import Path

import numpy as np
import torch

from autograder import book

CHAPTERS = tuple(book.CHAPTERS)


@dataclasses.dataclass(frozen=True)
class Exercise:
    chapter: str
    module: str          # "softmax_regression"
    name: str            # "softmax"
    section: str         # "3.6.2"
    order: int

    @property
    def key(self) -> str:
        return f"{self.chapter}.{self.module}.{self.name}"

    @property
    def cite(self) -> str:
        return book.cite(self.section)

    @property
    def column(self) -> str:
        """The gradebook column: ``ch3.softmax``, or ``ch4.weight_decay.train`` where two modules of the
        chapter have an exercise of that name."""
        names = [e.name for e in EXERCISES[self.chapter].values()]
        return f"{self.chapter}.{self.name}" if names.count(self.name) == 1 else \
            f"{self.chapter}.{self.module}.{self.name}"


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
    timeout: float
    uses: dict

    @property
    def id(self) -> str:
        return f"{self.exercise.chapter}::{self.exercise.name}::{self.name}"

    def parameters(self) -> list[str]:
        return list(inspect.signature(self.fn).parameters)

    def target(self, param: str) -> str:
        """Dotted ``chN.module.name`` that a parameter of the check stands for."""
        where = self.uses.get(param, f"{self.exercise.module}.{param}")
        return f"{self.exercise.chapter}.{where}"


EXERCISES: dict[str, dict[str, Exercise]] = {}   # chapter -> key -> Exercise
CHECKS: dict[str, list[Check]] = {}              # chapter -> checks in declaration order


def exercises(chapter: str, table: dict[str, str]) -> None:
    """Declare a chapter's exercises: ``{"module.name": "section"}``, in book order."""
    found = EXERCISES.setdefault(chapter, {})
    for order, (where, section) in enumerate(table.items(), start=len(found)):
        module, name = where.rsplit(".", 1)
        book.cite(section)  # fails early on an unknown section
        found.setdefault(f"{chapter}.{where}", Exercise(chapter, module, name, section, order))


def _chapter_and_visibility(module_name: str) -> tuple[str, str]:
    parts = module_name.split(".")
    if len(parts) < 2 or parts[-2] not in ("public", "hidden"):
        raise ValueError(f"checks live in autograder.checks.public|hidden.chN, not {module_name}")
    return parts[-1], parts[-2]


def seed_everything(seed: int = 0) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class StudentError(AssertionError):
    """The code under test raised something other than an AssertionError."""


def _student_frame(exc: BaseException) -> str:
    """``file.py:12 in softmax`` for the innermost frame outside the grader and torch."""
    frames = traceback.extract_tb(exc.__traceback__)
    grader = str(Path(__file__).resolve().parents[1])
    for frame in reversed(frames):
        if not frame.filename.startswith(grader) and "site-packages" not in frame.filename \
                and "/lib/python" not in frame.filename:
            return f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"
    return ""


def check(exercise: str, *, points: float = 1, uses: dict | None = None, kind: str = "correctness",
          gpu: bool = False, timeout: float | None = None, name: str | None = None):
    """Register a check of ``exercise`` (``"module.name"`` in the caller's chapter)."""
    def decorate(fn):
        chapter, visibility = _chapter_and_visibility(fn.__module__)
        key = f"{chapter}.{exercise}"
        if key not in EXERCISES.get(chapter, {}):
            raise KeyError(f"{fn.__name__}: {key} is not declared with exercises({chapter!r}, ...)")
        ex = EXERCISES[chapter][key]
        short = name or fn.__name__.removeprefix("check_").removeprefix(ex.name + "_").removeprefix(ex.name)
        short = short.strip("_") or "correct"

        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            default_dtype, grad_enabled = torch.get_default_dtype(), torch.is_grad_enabled()
            seed_everything(0)
            try:
                return fn(*args, **kwargs)
            except NotImplementedError as e:  # the stub names itself, e.g. "softmax (§3.6.2)"
                raise AssertionError(f"not implemented yet: {e or f'{ex.name} (§{ex.section})'}") from None
            except AssertionError as e:
                text = str(e)
                if ex.cite not in text:
                    text = f"{text}\n  [{ex.cite}]"
                raise AssertionError(text) from None
            except (Exception, SystemExit) as e:  # the code under test crashed: say where, briefly
                where = _student_frame(e)
                raise StudentError(f"{ex.name} raised {type(e).__name__}: {e}"
                                   + (f" (at {where})" if where else "") + f"\n  [{ex.cite}]") from e
            finally:
                torch.set_default_dtype(default_dtype)
                torch.set_grad_enabled(grad_enabled)

        default_timeout = {"accuracy": 600, "speed": 120}.get(kind, 60)
        CHECKS.setdefault(chapter, []).append(Check(
            fn=fn, wrapped=wrapped, exercise=ex, name=short, visibility=visibility, points=points, kind=kind,
            gpu=gpu, timeout=timeout or default_timeout, uses=dict(uses or {})))
        wrapped.check = CHECKS[chapter][-1]
        return wrapped
    return decorate


def load_chapter(chapter: str) -> list[Check]:
    """Import a chapter's check modules (the hidden one only where it ships) and return its checks."""
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
