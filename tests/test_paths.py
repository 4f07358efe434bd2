"""The same submission gets the same verdict, check by check, in pytest's process and in the sandboxed grader.

The submission is every chapter written as the book writes it (tests/book, all answers at once): it exercises
the boundary where paths could differ (random draws, identity, in-place writes, callbacks to references), and
its expected score is known (the references' total less the book's documented deviations). Speed checks are
left out (the book's loops are slow on purpose, and timing is not a verdict that paths must share).
"""
import shutil

import pytest

from autograder.grading.grade import Options, grade
from autograder.harness.loader import REPO_ROOT, Implementation
from autograder.harness.registry import available_chapters, load_chapter
from support import message
from test_book import book_of


@pytest.fixture(scope="module")
def book_submission(tmp_path_factory):
    root = tmp_path_factory.mktemp("book") / "submission"
    shutil.copytree(REPO_ROOT / "solutions", root)
    expected_failures = set()
    for chapter in available_chapters():
        answers = book_of(chapter)[0]
        for answer in answers:
            module = root / chapter / (answer.exercise.rsplit(".", 1)[0] + ".py")
            module.write_text(answer.apply(module.read_text(encoding="utf-8")), encoding="utf-8")
            ex_checks = {c.name: c for c in load_chapter(chapter)
                         if f"{c.exercise.module}.{c.exercise.name}" == answer.exercise}
            expected_failures |= {ex_checks[d].id for d in answer.deviations}
    return root, expected_failures


@pytest.mark.timeout(3600)
def test_pytest_and_the_grader_agree_on_every_check(book_submission, grading_cache):
    root, expected_failures = book_submission
    result = grade(root, None, Options(skip_kinds=["speed"], plots=False, cache=grading_cache))
    graded = {r["id"]: r["outcome"] for r in result.records if r["outcome"] != "skipped"}
    impl = Implementation(root, label="paths")
    local = {c.id: "passed" if message(c, impl) is None else "failed"
             for chapter in available_chapters() for c in load_chapter(chapter) if not c.gpu and c.kind != "speed"}
    differ = {i: (local[i], graded.get(i)) for i in local if local[i] != graded.get(i)}
    assert not differ, f"(pytest, grade) disagree: {differ}"
    failed = {i for i, o in graded.items() if o == "failed"}
    assert failed == expected_failures, (f"unexpected failures: {sorted(failed - expected_failures)}; "
                                        f"deviations that passed: {sorted(expected_failures - failed)}")
