"""The catalog of realistic buggy implementations: each must be caught by the checks it names.

A chapter's bugs live in ``catalog/chN.py`` as ``BUGS = [Bug(...), ...]``. A bug
is either the source of a wrong version of one exercise, appended to a copy of
the exercise's reference module (so it replaces the reference definition), or a
mutation of that module: ``replace=[(old, new), ...]``, each ``old`` found
exactly once. The test runs the checks named in ``caught_by``: every one of
them must fail with an ``AssertionError`` (a clear message, never a crash).
Together the catalog must make every check of every exercise fail at least once.

A bug that breaks exactly one clause of the exercise's contract names it
(``clause="dtype"``): then *every* check of the exercise runs, and the ones that
fail must be exactly ``caught_by``, all of them checks of that clause (the
contract table's proof that each clause has a check of its own). The first
clause of an exercise is its main behaviour (its values): every other check
scores only a right answer, so a bug there may fail them too; its clause bugs
must fail all of that clause's checks.
"""
from __future__ import annotations

import dataclasses
import textwrap


@dataclasses.dataclass
class Bug:
    exercise: str          # "module.name", as declared with exercises(...)
    what: str              # the mistake, as a student would make it
    source: str = ""       # the buggy definition(s), appended to the module
    caught_by: tuple = ()  # names of the checks that must fail on it
    replace: tuple = ()    # or: (old, new) text replacements in the reference module
    clause: str = ""       # the one contract clause it breaks: then caught_by is exactly what fails

    def __post_init__(self):
        self.source = textwrap.dedent(self.source).strip() + "\n" if self.source else ""
        if isinstance(self.caught_by, str):
            self.caught_by = (self.caught_by,)
        if not self.caught_by or not (self.source or self.replace):
            raise ValueError(f"{self.exercise}: a bug needs caught_by and a source or replacements")

    def apply(self, module_text: str) -> str:
        """The reference module's text with this bug in it."""
        return edited(module_text, self.replace, self.source, f"{self.exercise} ({self.what})", "the bug")


def edited(module_text: str, replace, source: str, label: str, heading: str) -> str:
    """``module_text`` with each ``(old, new)`` of ``replace`` made (each ``old`` found exactly once), then
    ``source`` appended under a ``# --- heading ---`` line."""
    for old, new in replace:
        count = module_text.count(old)
        if count != 1:
            raise ValueError(f"{label}: {old!r} occurs {count} times in the reference")
        module_text = module_text.replace(old, new)
    return module_text + (f"\n\n# --- {heading} ---\n" + source if source else "")


def variant(base: str, *edits) -> str:
    """``base`` with each ``(old, new)`` of ``edits`` made, each ``old`` found exactly once: a bug or book answer
    written as the lines it changes in a version it shares with others."""
    return edited(base, edits, "", base.strip().splitlines()[0], "")


def wrapping(signature, *body):
    """Source of a bug that redefines the function of ``signature`` (``"name(args)"``) around the reference one,
    kept as ``_correct``: ``body`` its lines (the wrong call, or what it does to the right result)."""
    name = signature.split("(", 1)[0]
    return "\n".join([f"_correct = {name}", f"def {signature}:", *("    " + line for line in body)])


def created_first(lines: str) -> tuple:
    """``(lines, the same lines with the last one moved to the top)``: a layer created, and so initialised, before
    the ones the reference creates first."""
    *rest, last = lines.splitlines(keepends=True)
    return lines, last + "".join(rest)
