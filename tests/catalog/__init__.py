"""The catalog of realistic buggy implementations: each must be caught by the checks it names.

A chapter's bugs live in ``catalog/chN.py`` as ``BUGS = [Bug(...), ...]``. A bug
is the source of a wrong version of one exercise; the test copies
``solutions/chN``, appends that source to the exercise's module (so it replaces
the reference definition), and runs the checks named in ``caught_by``: every
one of them must fail with an ``AssertionError`` (a clear message, never a
crash). Together the catalog must make every check of every exercise fail
at least once.
"""
from __future__ import annotations

import dataclasses
import textwrap


@dataclasses.dataclass
class Bug:
    exercise: str          # "module.name", as declared with exercises(...)
    what: str              # the mistake, as a student would make it
    source: str            # the buggy definition(s), appended to the module
    caught_by: tuple       # names of the checks that must fail on it

    def __post_init__(self):
        self.source = textwrap.dedent(self.source).strip() + "\n"
        if isinstance(self.caught_by, str):
            self.caught_by = (self.caught_by,)
