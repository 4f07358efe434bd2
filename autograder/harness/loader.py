"""Load an implementation (``exercises/``, ``solutions/`` or a submission) from its folder alone.

Each folder is imported under a fresh, private package name, so two
implementations in one process never share a module, and a submission never
picks up the repository's ``exercises`` by accident. Modules are imported
lazily: a syntax error in one file costs only the checks that need that file.
"""
from __future__ import annotations

import functools
import importlib
import itertools
import sys
import types
from pathlib import Path

_counter = itertools.count()
REPO_ROOT = Path(__file__).resolve().parents[2]


class ImplementationError(AssertionError):
    """A module of the implementation cannot be imported, or lacks a name."""


class Implementation:
    """The code under test, rooted at a folder shaped like ``exercises/``."""

    def __init__(self, root, label: str = "impl"):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"no such implementation folder: {self.root}")
        self.package = f"_d2l_{label}_{next(_counter)}"
        package = types.ModuleType(self.package)
        package.__path__ = [str(self.root)]
        sys.modules[self.package] = package
        self._modules: dict[str, types.ModuleType | ImplementationError] = {}

    def __repr__(self):
        return f"Implementation({str(self.root)!r})"

    def module(self, dotted: str) -> types.ModuleType:
        """Import ``chN.module`` from this implementation (cached, errors too)."""
        if dotted not in self._modules:
            self._modules[dotted] = self._import(dotted)
        found = self._modules[dotted]
        if isinstance(found, ImplementationError):
            raise found
        return found

    def _import(self, dotted: str):
        relative = dotted.replace(".", "/") + ".py"
        if not (self.root / relative).is_file():
            return ImplementationError(f"{relative} is missing from {self.root}")
        try:
            return importlib.import_module(f"{self.package}.{dotted}")
        except SyntaxError as e:
            return ImplementationError(f"{relative} does not compile: line {e.lineno}: {e.msg}")
        except BaseException as e:  # SystemExit, a crash at import time, ...
            if isinstance(e, KeyboardInterrupt):
                raise
            sys.modules.pop(f"{self.package}.{dotted}", None)
            return ImplementationError(f"importing {relative} raised {type(e).__name__}: {e}")

    def loaded_modules(self) -> list[types.ModuleType]:
        """The modules of this implementation imported so far."""
        return [m for m in self._modules.values() if isinstance(m, types.ModuleType)]

    def get(self, target: str):
        """The object ``chN.module.name``."""
        dotted, name = target.rsplit(".", 1)
        module = self.module(dotted)
        if not hasattr(module, name):
            raise ImplementationError(f"{dotted.replace('.', '/')}.py has no {name!r}: keep the stub's name")
        return getattr(module, name)


def resolve_impl(choice: str | None, rootdir: Path | None = None) -> Path:
    """``exercises`` (default), ``solutions`` or a path to a folder shaped like ``exercises/``.

    The named folders are looked for under ``rootdir`` (pytest's, i.e. the
    student's working copy) first, then beside this package.
    """
    if choice in (None, "", "exercises", "solutions"):
        name = choice or "exercises"
        for base in (rootdir, REPO_ROOT):
            if base is not None and (Path(base) / name).is_dir():
                return Path(base) / name
        return REPO_ROOT / name
    path = Path(choice).expanduser()
    if (path / "exercises").is_dir() and not any(path.glob("ch*/")):
        path = path / "exercises"   # the root of a student's repository
    return path


@functools.lru_cache(maxsize=1)
def solutions() -> Implementation:
    """The reference solutions, loaded once per process."""
    return Implementation(REPO_ROOT / "solutions", label="reference")


def reference(target: str):
    """The reference object ``chN.module.name`` (the judge's only: never where the code under test runs)."""
    from autograder.harness.worker import on_student_side
    if on_student_side():
        raise ImplementationError(f"the reference {target} is not available where the code under test runs: "
                                  "pass what the student's side needs as an argument")
    return solutions().get(target)


def chapter_references(chapter: str):
    """The lookup of ``chapter``'s references by ``"module.name"``: a hidden check module binds it once,
    ``ref = chapter_references("ch3")``, and writes ``ref("softmax_regression.softmax")``."""
    return functools.partial(_in_chapter, chapter)


def _in_chapter(chapter: str, name: str):
    return reference(f"{chapter}.{name}")
