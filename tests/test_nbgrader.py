"""nbgrader packaging, end to end with real nbgrader: build, release, validate, autograde, export.

Needs the ``nbgrader`` extra (``pip install -e ".[dev,nbgrader]"``); skipped without it.
Every chapter is built and released; every chapter's source notebook is validated
(the references pass every test cell, speed and accuracy checks included). The
autograde scenarios run on chapter 3, built without its accuracy checks to keep
CI short (those are covered by the validation), with time limits scaled by 0.25.
"""
from __future__ import annotations

import csv
import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

if os.environ.get("CI"):  # CI installs the extra: a missing package must fail there, not skip
    import ipykernel  # noqa: F401
    import nbformat
    import nbgrader  # noqa: F401
else:
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbgrader")
    pytest.importorskip("ipykernel")

from autograder.harness.loader import REPO_ROOT  # noqa: E402
from autograder.harness.registry import available_chapters, load_chapter  # noqa: E402
from autograder.nbgrader.course import build  # noqa: E402
from autograder.nbgrader.grade import _env, grade  # noqa: E402
from autograder.nbgrader.notebook import notebook_modules  # noqa: E402
catalog_ch3 = importlib.import_module("catalog.ch3")

pytestmark = pytest.mark.timeout(1800)
CHAPTERS = available_chapters()
SCENARIO = "ch3"


def nbgrader(course: Path, *args: str) -> None:
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=_env(),
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]


def validator(course: Path, **kw):
    from nbgrader.validator import Validator
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return Validator(config=config, **kw)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course")
    build(root)
    for chapter in CHAPTERS:
        nbgrader(root, "generate_assignment", chapter, "--force")
    return root


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_release_has_stubs_and_public_checks_only(course, chapter):
    source = nbformat.read(course / "source" / chapter / f"{chapter}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / chapter / f"{chapter}.ipynb", as_version=4)
    text = "\n".join(c.source for c in release.cells)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "autograder.checks.hidden" not in text and "hidden_check" not in text
    for check in load_chapter(chapter):
        if check.visibility == "public":
            assert check.fn.__name__ in text or f"{check.name!r}" in text, check.id
        else:
            assert not re.search(rf"\b{check.fn.__name__}\b", text), f"{check.id} shows in the release"
    solutions = {c.metadata.nbgrader["grade_id"]: c.source for c in source.cells if c.metadata.nbgrader["solution"]}
    for cell in release.cells:
        if cell.metadata.nbgrader["solution"]:
            reference = solutions[cell.metadata.nbgrader["grade_id"]]
            body = reference.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0].strip()
            assert body not in cell.source and "raise NotImplementedError()" in cell.source


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_source_notebook_validates(course, chapter):
    results = validator(course).validate(str(course / "source" / chapter / f"{chapter}.ipynb"))
    assert results == {}, json.dumps(results, ensure_ascii=False, indent=1)[:5000]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_release_fails_every_graded_cell(course, chapter):
    results = validator(course, invert=True).validate(str(course / "release" / chapter / f"{chapter}.ipynb"))
    assert "passed" not in results, [c["source"] for c in results["passed"]]


# autograde scenarios: submissions made from the release of chapter 3 --------------------------------

def _cells_by_id(nb) -> dict:
    return {c.metadata.nbgrader["grade_id"]: c for c in nb.cells}


def _solution_id(exercise: str) -> str:
    return f"{SCENARIO}-{exercise.replace('.', '-')}"


BUG = next(b for b in catalog_ch3.BUGS if b.what == "returns the mean instead of one loss per example")
LOOP = "image_classification_dataset.get_fashion_mnist_labels"
UNTOUCHED = "softmax_regression.softmax"


def submissions(course: Path) -> dict[str, nbformat.NotebookNode]:
    source = nbformat.read(course / "source" / SCENARIO / f"{SCENARIO}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / SCENARIO / f"{SCENARIO}.ipynb", as_version=4)
    reference = {k: c.source for k, c in _cells_by_id(source).items() if c.metadata.nbgrader["solution"]}

    def answered(**changes):
        nb = nbformat.from_dict(json.loads(json.dumps(release)))
        cells = _cells_by_id(nb)
        for cell_id, text in reference.items():
            cells[cell_id].source = text
        for exercise, edit in changes.items():
            edit(cells, exercise)
        return nb

    def append(text):
        return lambda cells, ex: setattr(cells[_solution_id(ex)], "source", cells[_solution_id(ex)].source + "\n\n" + text)

    def stub_with_tests_passed(cells, ex):
        cells[_solution_id(ex)].source = _cells_by_id(release)[_solution_id(ex)].source
        for cell_id, cell in cells.items():
            if cell_id.startswith(_solution_id(ex) + "-") and cell.metadata.nbgrader["grade"]:
                cell.source = "pass"

    loop = f"def {LOOP.rsplit('.', 1)[1]}(labels):\n    while True:\n        pass\n"
    noisy = ("import sys, warnings\n_linreg = linreg\n\n\ndef linreg(X, w, b):\n"
             "    warnings.warn('a UserWarning from the code under test')\n"
             "    sys.stderr.write('progress 50%\\n')\n    return _linreg(X, w, b)\n")
    return {
        "full": answered(),
        "released": nbformat.from_dict(json.loads(json.dumps(release))),
        "bug": answered(**{BUG.exercise: append(BUG.source)}),
        "loop": answered(**{LOOP: append(loop), "linear_regression.linreg": append(noisy)}),
        "locked": answered(**{UNTOUCHED: stub_with_tests_passed}),
    }


def py_scores(nb, folder: Path) -> dict[str, float]:
    """The same answers as ``.py`` files, graded by ``pytest --submission`` (the checks the notebook has)."""
    chapter_dir = folder / "exercises" / SCENARIO
    chapter_dir.mkdir(parents=True)
    (chapter_dir / "__init__.py").write_text("")
    for module, text in notebook_modules(nb, SCENARIO).items():
        (chapter_dir / f"{module}.py").write_text(text)
    out = folder / "results.json"
    run = subprocess.run([sys.executable, "-m", "pytest", str(REPO_ROOT / "exercises" / SCENARIO), "-q",
                          "-p", "no:randomly", "-m", "not accuracy and not gpu", f"--submission={folder}",
                          f"--results-json={out}"], capture_output=True, text=True, cwd=REPO_ROOT,
                         env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert out.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    found: dict[str, float] = {}
    checks = {(c.exercise.name, c.name): c for c in load_chapter(SCENARIO)}
    for r in json.loads(out.read_text())["results"]:
        column = checks[(r["exercise"], r["check"])].exercise.column
        found[column] = found.get(column, 0.0) + r["earned"]
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("scenario")
    build(root, [SCENARIO], skip_kinds=("accuracy",))
    nbgrader(root, "generate_assignment", SCENARIO, "--force")
    subs = submissions(root)
    for student, nb in subs.items():
        folder = root / "submitted" / student / SCENARIO
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{SCENARIO}.ipynb")
    os.environ["D2L_NB_TIMEOUT_SCALE"] = "0.25"
    try:
        code = grade(root, SCENARIO, jobs=2)
    finally:
        del os.environ["D2L_NB_TIMEOUT_SCALE"]
    rows = read_grades(root / "grades.csv")
    nbgrader(root, "generate_feedback", SCENARIO, "--force")
    nbgrader(root, "export", "--to", "nbgrader_export.csv")
    # then the released submission is broken and regraded: its old score must not survive
    (root / "submitted" / "released" / SCENARIO / f"{SCENARIO}.ipynb").write_text("{not json")
    broken = grade(root, SCENARIO, only=["released"])
    return root, subs, code, rows, broken


def read_grades(path: Path) -> dict[str, dict[str, float | str]]:
    with open(path, encoding="utf-8") as f:
        return {r["student"]: {k: float(v) if v else "" for k, v in r.items() if k != "student"}
                for r in csv.DictReader(f)}


def test_grade_writes_every_student(graded):
    _, subs, code, rows, _ = graded
    assert code == 0 and set(rows) == set(subs)


def test_reference_scores_full_marks_and_release_zero(graded):
    _, _, _, rows, _ = graded
    possible = sum(c.points for c in load_chapter(SCENARIO) if c.kind != "accuracy" and not c.gpu)
    assert rows["full"]["total"] == rows["full"][SCENARIO] == possible
    assert rows["released"]["total"] == 0


def _exercise_col(exercise: str) -> str:
    return next(c.exercise for c in load_chapter(SCENARIO)
                if f"{c.exercise.module}.{c.exercise.name}" == exercise).column


def test_a_bug_loses_exactly_its_exercises_caught_points(graded):
    _, _, _, rows, _ = graded
    col = _exercise_col(BUG.exercise)
    assert rows["bug"][col] < rows["full"][col]
    assert {k: v for k, v in rows["bug"].items() if k not in (col, SCENARIO, "total")} == \
        {k: v for k, v in rows["full"].items() if k not in (col, SCENARIO, "total")}


def test_an_infinite_loop_is_stopped_and_the_rest_is_kept(graded):
    _, _, _, rows, _ = graded
    col = _exercise_col(LOOP)
    assert rows["loop"][col] == 0
    assert rows["loop"]["total"] == rows["full"]["total"] - rows["full"][col]


def test_a_locked_test_cell_edited_to_pass_earns_nothing(graded):
    _, _, _, rows, _ = graded
    col = _exercise_col(UNTOUCHED)   # its test cells say `pass`; what calls it fails too (net): see the .py parity
    assert rows["locked"][col] == 0 < rows["locked"]["total"] <= rows["full"]["total"] - rows["full"][col]


@pytest.mark.parametrize("student", ["full", "released", "bug", "locked"])
def test_exported_scores_equal_the_py_autograders(graded, student, tmp_path):
    root, subs, _, rows, _ = graded
    py = py_scores(subs[student], tmp_path)
    notebook = {k: v for k, v in rows[student].items() if k not in (SCENARIO, "total")}
    assert notebook == {k: py.get(k, 0.0) for k in notebook}
    assert rows[student]["total"] == sum(py.values())


def test_feedback_hides_the_hidden_tests_and_export_agrees(graded):
    root, subs, _, rows, _ = graded
    for student in subs:
        html = (root / "feedback" / student / SCENARIO / f"{SCENARIO}.html").read_text(encoding="utf-8")
        assert "BEGIN HIDDEN TESTS" not in html and "hidden_check" not in html
        assert "autograder.checks.hidden" not in html
    with open(root / "nbgrader_export.csv", encoding="utf-8") as f:
        exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    assert exported == {student: rows[student]["total"] for student in subs}


def test_a_failed_autograde_leaves_no_old_score(graded):
    root, _, _, rows, broken = graded
    after = read_grades(root / "grades.csv")
    assert broken == 1
    assert after["released"]["total"] == ""
    assert after["full"] == rows["full"]


def test_grade_refuses_a_kernel_that_cannot_import_the_package(tmp_path):
    build(tmp_path, [SCENARIO], python="/usr/bin/python3")   # no torch, no autograder there
    (tmp_path / "submitted" / "alice" / SCENARIO).mkdir(parents=True)
    assert grade(tmp_path, SCENARIO) == 2


def test_the_three_paths_agree_check_by_check(graded, tmp_path, grading_cache):
    """The same answers graded by nbgrader, ``pytest --submission`` and the sandboxed grader: every check has the
    same outcome on all three (one runner, one boundary, one record)."""
    from autograder.grading.grade import Options
    from autograder.grading.grade import grade as grade_py
    from autograder.nbgrader.grade import scores
    from autograder.nbgrader.notebook import check_cell_ids
    root, subs, _, _, _ = graded
    checks = [c for c in load_chapter(SCENARIO) if c.kind != "accuracy" and not c.gpu]
    cell_of = check_cell_ids(SCENARIO, checks)
    notebook = scores(root, SCENARIO, "bug")
    by_notebook = {c.id: notebook[cell_of[c.id]] for c in checks}
    folder = tmp_path / "bug"
    py_scores(subs["bug"], folder)
    by_pytest = {r["id"]: r["earned"] for r in json.loads((folder / "results.json").read_text())["results"]
                 if r["outcome"] != "skipped"}
    result = grade_py(folder / "exercises", None, Options(chapters=[SCENARIO], skip_kinds=["accuracy"], plots=False,
                                                          cache=grading_cache))
    by_grader = {r["id"]: r["earned"] for r in result.records if r["outcome"] != "skipped"}
    assert set(by_notebook) == set(by_pytest) == set(by_grader)
    differ = {i: (by_notebook[i], by_pytest[i], by_grader[i]) for i in by_notebook
              if not by_notebook[i] == by_pytest[i] == by_grader[i]}
    assert not differ, f"(nbgrader, pytest, grade) disagree: {differ}"
    assert sum(by_grader.values()) < sum(c.points for c in checks)   # the bug costs something, the same everywhere
