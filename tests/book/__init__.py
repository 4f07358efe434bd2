"""The catalog of book answers: each exercise written the way the book writes it, and what that costs.

A chapter's answers live in ``book/chN.py`` as ``ANSWERS = [BookAnswer(...), ...]``, written by us
in the book's style and habits (as the seed's notes show its code: float32 zeros, masking in place,
printing on bad input, ``one_hot`` on int64, no ``None``-grad handling, the book's momentum
convention, loops over the output pixels). ``deviations`` names exactly the checks the answer fails:
its documented deviations from our contract, one check each (speed checks are not compared: the
book's loops are slow on purpose). ``NO_BOOK_CODE`` lists the exercises the book gives no code for,
with the reason.

``tests/test_book.py`` proves that each answer fails those checks and only those, and that a
chapter of book answers together loses exactly the sum of their deviations: one deviation, one
check, no cascade into another exercise's checks. ``BOOK_IS_REFERENCE`` lists the exercises whose book code is
the reference's, line for line (docstrings and comments aside): an answer for them would prove nothing the
references' own runs do not. Every exercise is in exactly one of the three.
"""
from __future__ import annotations

import dataclasses
import textwrap

from catalog import edited


@dataclasses.dataclass
class BookAnswer:
    exercise: str            # "module.name"
    source: str = ""         # the book-style definition(s), appended to the reference module
    deviations: tuple = ()   # the checks it fails: exactly its documented deviations (speed aside)
    why: str = ""            # what the book does that our contract does not allow (the README's table)
    replace: tuple = ()      # or: (old, new) text replacements in the reference module

    def __post_init__(self):
        self.source = textwrap.dedent(self.source).strip() + "\n" if self.source else ""
        if isinstance(self.deviations, str):
            self.deviations = (self.deviations,)
        if not (self.source or self.replace):
            raise ValueError(f"{self.exercise}: a book answer needs a source or replacements")
        if self.deviations and not self.why:
            raise ValueError(f"{self.exercise}: say why the book's version loses {self.deviations}")

    def apply(self, module_text: str) -> str:
        return edited(module_text, self.replace, self.source, self.exercise, "the book's version")
