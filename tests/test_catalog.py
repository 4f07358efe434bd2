"""Every catalogued bug is caught by the checks it names, and together the bugs make every check fail."""
import importlib
import shutil
from pathlib import Path

import pytest

from autograder.harness.loader import REPO_ROOT, Implementation
from autograder.harness.registry import available_chapters, exercises_of, load_chapter
from support import message as run_check

CATALOG = Path(__file__).parent / "catalog"

# These tests run whole sets of checks, training ones included (a clause bug or a book answer runs every check of its
# exercise): the 120 s default of pyproject.toml is less than one accuracy check alone may take (600 s).
pytestmark = pytest.mark.timeout(1800)


def bugs_of(chapter):
    if not (CATALOG / f"{chapter}.py").exists():
        return []
    return importlib.import_module(f"catalog.{chapter}").BUGS


ALL_BUGS = [(chapter, bug) for chapter in available_chapters() for bug in bugs_of(chapter)]


def buggy_copy(tmp_path, chapter, bug) -> Implementation:
    """``solutions/chN`` with the bug in its exercise's module."""
    root = tmp_path / "submission"
    shutil.copytree(REPO_ROOT / "solutions" / chapter, root / chapter)
    module = root / chapter / (bug.exercise.rsplit(".", 1)[0] + ".py")
    module.write_text(bug.apply(module.read_text(encoding="utf-8")), encoding="utf-8")
    return Implementation(root, label="bug")


def checks_of(chapter, exercise):
    return {c.name: c for c in load_chapter(chapter) if f"{c.exercise.module}.{c.exercise.name}" == exercise}


@pytest.mark.parametrize("chapter,bug", ALL_BUGS, ids=[f"{c}:{b.exercise}:{b.what}" for c, b in ALL_BUGS])
def test_bug_is_caught(tmp_path, chapter, bug):
    checks = checks_of(chapter, bug.exercise)
    unknown = set(bug.caught_by) - set(checks)
    assert not unknown, f"{bug.exercise} has no checks named {sorted(unknown)}; it has {sorted(checks)}"
    impl = buggy_copy(tmp_path, chapter, bug)
    if not bug.clause:
        missed = [name for name in bug.caught_by if run_check(checks[name], impl) is None]
        assert not missed, f"{bug.exercise} with '{bug.what}' passes {missed}"
        return
    exercise = next(iter(checks.values())).exercise
    clause_checks = {n for n, c in checks.items() if bug.clause in c.clauses and not c.gpu}
    failed = {name for name, c in checks.items() if not c.gpu and run_check(c, impl) is not None}
    assert clause_checks <= failed, f"{bug.exercise} with '{bug.what}' passes {sorted(clause_checks - failed)}, " \
                                    f"checks of the clause {bug.clause!r} it breaks"
    if bug.clause != exercise.clauses[0][0]:   # the main clause's bugs may fail every check that scores values
        assert failed == clause_checks, \
            f"{bug.exercise} with '{bug.what}' (breaks {bug.clause!r}) also fails {sorted(failed - clause_checks)}"
    missed = [name for name in bug.caught_by if name not in failed]
    assert not missed, f"{bug.exercise} with '{bug.what}' passes {missed}"


def test_every_check_fails_on_some_bug(chapter):
    """Each check has a catalogued bug that it catches (a GPU variant counts with its CPU twin)."""
    caught = {(b.exercise, name) for b in bugs_of(chapter) for name in b.caught_by}
    missing = [c.id for c in load_chapter(chapter)
               if (f"{c.exercise.module}.{c.exercise.name}", c.name.removesuffix("_gpu")) not in caught]
    assert not missing, f"no catalogued bug makes these checks fail: {missing}"


def test_at_least_two_bugs_per_exercise(chapter):
    counts = {f"{e.module}.{e.name}": 0 for e in exercises_of(chapter).values()}
    for bug in bugs_of(chapter):
        counts[bug.exercise] += 1
    few = {k: v for k, v in counts.items() if v < 2}
    assert not few, f"exercises with fewer than two catalogued bugs: {few}"
