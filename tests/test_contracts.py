"""The contract table: every clause of every exercise's contract has its checks, every check tests a clause,
and every clause has a catalogued bug that only its checks catch (tests/catalog, ``clause=``)."""
import importlib
from pathlib import Path

from autograder.harness.registry import exercises_of, load_chapter

CATALOG = Path(__file__).parent / "catalog"


def clause_bugs(chapter):
    if not (CATALOG / f"{chapter}.py").exists():
        return []
    return [b for b in importlib.import_module(f"catalog.{chapter}").BUGS if b.clause]


def test_every_exercise_states_its_clauses(chapter):
    missing = [e.key for e in exercises_of(chapter).values() if not e.clauses]
    assert not missing, f"exercises without clauses in solutions/{chapter}/__init__.py: {missing}"


def test_every_check_names_a_clause(chapter):
    unnamed = [c.id for c in load_chapter(chapter) if not c.clauses]
    assert not unnamed, f"checks that name no clause of their exercise's contract: {unnamed}"


def test_every_clause_has_a_check(chapter):
    checks = load_chapter(chapter)
    untested = [f"{e.key}:{clause}" for e in exercises_of(chapter).values() for clause, _ in e.clauses
                if not any(c.exercise is e and clause in c.clauses for c in checks)]
    assert not untested, f"clauses no check tests: {untested}"


def test_every_clause_has_a_bug_only_its_checks_catch(chapter):
    bugs = {(b.exercise, b.clause) for b in clause_bugs(chapter)}
    uncovered = [f"{e.module}.{e.name}:{clause}" for e in exercises_of(chapter).values() for clause, _ in e.clauses
                 if (f"{e.module}.{e.name}", clause) not in bugs]
    assert not uncovered, f"clauses without a catalogued bug that breaks only them (Bug(..., clause=...)): {uncovered}"


def test_the_contracts_page_is_fresh():
    from autograder.contracts import render
    path = Path(__file__).resolve().parents[1] / "docs" / "contracts.md"
    assert path.exists() and path.read_text(encoding="utf-8") == render(), \
        "docs/contracts.md is out of date: run python -m autograder contracts"


def test_the_readme_links_every_exercise_to_its_clauses():
    from autograder.contracts import README, linked_chapter_table, unlinked_exercises
    text = README.read_text(encoding="utf-8")
    assert linked_chapter_table(text) == text, "README.md's chapter table is not linked: run python -m autograder contracts"
    missing = unlinked_exercises(text)
    assert not missing, f"exercises missing from README.md's chapter table: {missing}"


def test_every_exercise_has_its_own_anchor():
    from autograder.contracts import anchor
    from autograder.harness.registry import available_chapters
    anchors = [anchor(e) for chapter in available_chapters() for e in exercises_of(chapter).values()]
    assert len(anchors) == len(set(anchors)), sorted(a for a in anchors if anchors.count(a) > 1)
