"""Book answers (tests/book): a book-faithful answer loses exactly its documented deviations, one check each,
alone and together with the rest of its chapter (no cascade into other exercises' checks)."""
import shutil

import pytest

from autograder.book import answer_definition, book_catalog, book_code
from autograder.harness.loader import REPO_ROOT, Implementation
from autograder.harness.registry import available_chapters, exercises_of, load_chapter
from support import message


# These tests run whole sets of checks, training ones included (a clause bug or a book answer runs every check of its
# exercise): the 120 s default of pyproject.toml is less than one accuracy check alone may take (600 s).
pytestmark = pytest.mark.timeout(1800)


def book_of(chapter):
    """A chapter's book answers, its exercises without book code (with the reason), and those whose book code is
    the reference's."""
    module = book_catalog(chapter)
    if module is None:
        return [], {}, ()
    return module.ANSWERS, getattr(module, "NO_BOOK_CODE", {}), getattr(module, "BOOK_IS_REFERENCE", ())


ALL = [(chapter, answer) for chapter in available_chapters() for answer in book_of(chapter)[0]]


def book_copy(tmp_path, chapter, answers) -> Implementation:
    root = tmp_path / "book-submission"
    shutil.copytree(REPO_ROOT / "solutions" / chapter, root / chapter)
    for answer in answers:
        module = root / chapter / (answer.exercise.rsplit(".", 1)[0] + ".py")
        module.write_text(answer.apply(module.read_text(encoding="utf-8")), encoding="utf-8")
    return Implementation(root, label="book")


def graded(check) -> bool:
    return not check.gpu and check.kind != "speed"


@pytest.mark.parametrize("chapter,answer", ALL, ids=[f"{c}:{a.exercise}" for c, a in ALL])
def test_book_answer_loses_exactly_its_deviations(tmp_path, chapter, answer):
    impl = book_copy(tmp_path, chapter, [answer])
    mine = [c for c in load_chapter(chapter) if f"{c.exercise.module}.{c.exercise.name}" == answer.exercise]
    unknown = set(answer.deviations) - {c.name for c in mine}
    assert not unknown, f"{answer.exercise} has no checks named {sorted(unknown)}"
    failed = {c.name: text for c in mine if graded(c) for text in [message(c, impl)] if text is not None}
    assert set(failed) == set(answer.deviations), \
        f"the book's {answer.exercise} fails {sorted(failed)}, documented: {sorted(answer.deviations)}\n" + \
        "\n".join(f"  {k}: {v[:300]}" for k, v in failed.items() if k not in answer.deviations)


@pytest.mark.parametrize("chapter", [c for c in available_chapters() if book_of(c)[0]])
def test_a_chapter_of_book_answers_loses_only_their_deviations(tmp_path, chapter):
    answers = book_of(chapter)[0]
    impl = book_copy(tmp_path, chapter, answers)
    expected = {(a.exercise, d) for a in answers for d in a.deviations}
    failed = {}
    for c in load_chapter(chapter):
        if graded(c):
            text = message(c, impl)
            if text is not None:
                failed[(f"{c.exercise.module}.{c.exercise.name}", c.name)] = text
    assert set(failed) == expected, "\n".join(f"  {k}: {v[:300]}" for k, v in failed.items() if k not in expected) + \
        f"\n  not failing: {sorted(expected - set(failed))}"


def test_every_exercise_has_a_book_answer_or_a_reason(chapter):
    answers, none, same = book_of(chapter)
    groups = [{a.exercise for a in answers}, set(none), set(same)]
    declared = {f"{e.module}.{e.name}" for e in exercises_of(chapter).values()}
    missing = sorted(declared - set().union(*groups))
    assert not missing, f"exercises with no book answer, no reason in NO_BOOK_CODE, not in BOOK_IS_REFERENCE: {missing}"
    assert not set().union(*groups) - declared, f"not exercises: {sorted(set().union(*groups) - declared)}"
    assert sum(map(len, groups)) == len(set().union(*groups)), "an exercise is listed twice"


def test_the_book_code_the_similarity_report_discounts_is_every_answer(chapter):
    """``book.book_code`` (the similarity report's boilerplate) holds the code of every book answer, also one
    composed of shared pieces (``variant``) or written as replacements in the reference, and of every exercise in
    ``BOOK_IS_REFERENCE``."""
    answers, _, same = book_of(chapter)
    code = book_code(chapter)
    assert {e for e, _ in code} == {a.exercise for a in answers} | set(same)
    for a in answers:
        assert (a.source or answer_definition(chapter, a)) in [t for e, t in code if e == a.exercise]
