"""``python -m autograder nbgrader grade COURSE_DIR chN``: autograde every submission, write grades.csv.

For each student with ``submitted/STUDENT/chN/``: the old submission is first
removed from the gradebook (a failed autograde would otherwise leave the older
score there), then ``nbgrader autograde chN --student STUDENT --force`` runs,
several students at once. SQLite lets one process write at a time; nbgrader's
writes are short transactions (the submission at the start, the grades at the
end, none while the notebook runs), so concurrent runs only wait on each other
for milliseconds. A run that still fails (``database is locked`` after
SQLite's 5 s wait, or anything else) is retried once on its own. Success is read
from the gradebook, never from exit codes: a student is graded when every test
cell of the notebook has a score. (Measured: 6 submissions of chapter 3 on 2
busy cores, 80 s one at a time, 48 s six at once, no lock error.)
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder.harness.registry import exercises_of, load_chapter
from autograder.nbgrader.course import KERNEL
from autograder.nbgrader.notebook import check_cell_ids


def students(course: Path, chapter: str) -> list[str]:
    return sorted(p.parent.name for p in (course / "submitted").glob(f"*/{chapter}") if p.is_dir())


def _env() -> dict:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])  # nbgrader runs alembic
    return env


def check_kernel(course: Path) -> str | None:
    """``None`` when the grading kernel imports torch, ipykernel and the package; else why not."""
    spec = json.loads((course / ".jupyter" / "kernels" / KERNEL / "kernel.json").read_text(encoding="utf-8"))
    env = {**os.environ, **spec.get("env", {})}
    probe = subprocess.run([spec["argv"][0], "-c", "import ipykernel, torch, autograder.nbgrader.kernel, d2lkit"],
                           capture_output=True, text=True, env=env, cwd=course)
    return None if probe.returncode == 0 else probe.stderr.strip().splitlines()[-1]


def _forget(course: Path, chapter: str, student: str) -> None:
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        try:
            gb.remove_submission(chapter, student)
        except MissingEntry:
            pass


def _autograde(course: Path, chapter: str, student: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgrader", "autograde", chapter, "--student", student, "--force"],
                          cwd=course, env=_env(), capture_output=True, text=True)


def scores(course: Path, chapter: str, student: str) -> dict[str, float] | None:
    """Points per test cell of ``student``'s graded notebook; ``None`` when it was not (fully) graded."""
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        try:
            notebook = gb.find_submission_notebook(chapter, chapter, student)
        except MissingEntry:
            return None
        grades = {g.name: g.score for g in notebook.grades}
        if not grades or any(g.auto_score is None and g.manual_score is None for g in notebook.grades):
            return None
        return grades


def autograde_all(course: Path, chapter: str, jobs: int | None = None,
                  names: list[str] | None = None) -> dict[str, str]:
    """Autograde the submissions of ``chapter`` (``names``, default all); return the log of each that failed."""
    names = names or students(course, chapter)
    for student in names:
        _forget(course, chapter, student)
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        runs = dict(zip(names, pool.map(lambda s: _autograde(course, chapter, s), names)))
    failed = {}
    for student in names:
        if scores(course, chapter, student) is None:
            print(f"autograde of {student} failed; trying once more on its own", file=sys.stderr)
            _forget(course, chapter, student)
            retry = _autograde(course, chapter, student)
            if scores(course, chapter, student) is None:
                failed[student] = (runs[student].stderr + retry.stderr)[-3000:]
    return failed


def grade_rows(course: Path, chapter: str) -> tuple[list[str], list[dict]]:
    """``grades.csv``'s columns and one row per student: points per chapter and exercise, and the total."""
    checks = load_chapter(chapter)
    ids = check_cell_ids(chapter, checks)
    exercise_of = {ids[c.id]: c.exercise.column for c in checks}
    columns = ["student", chapter] + sorted({e.column for e in exercises_of(chapter).values()},
                                            key=lambda col: _order(chapter, col)) + ["total"]
    rows = []
    for student in students(course, chapter):
        found = scores(course, chapter, student)
        row = {"student": student}
        if found is not None:
            for col in columns[2:-1]:
                row[col] = 0.0
            for cell_id, points in found.items():
                if cell_id in exercise_of:
                    row[exercise_of[cell_id]] += points
            row[chapter] = row["total"] = sum(row[col] for col in columns[2:-1])
        rows.append(row)
    return columns, rows


def _order(chapter: str, column: str) -> int:
    return next(e.order for e in exercises_of(chapter).values() if e.column == column)


def grade(course: Path, chapter: str, *, jobs: int | None = None, out: str | None = None,
          only: list[str] | None = None) -> int:
    course = Path(course).resolve()
    problem = check_kernel(course)
    if problem:
        print(f"the grading kernel cannot run the checks ({problem}): rebuild the course with "
              "`python -m autograder nbgrader build` from an environment that has torch, ipykernel and this package",
              file=sys.stderr)
        return 2
    if not students(course, chapter):
        print(f"no submissions: nothing in {course / 'submitted'}/*/{chapter}", file=sys.stderr)
        return 1
    unknown = set(only or ()) - set(students(course, chapter))
    if unknown:
        print(f"no submission of {chapter} from {', '.join(sorted(unknown))}", file=sys.stderr)
        return 1
    failed = autograde_all(course, chapter, jobs, only)
    columns, rows = grade_rows(course, chapter)
    path = Path(out) if out else course / "grades.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {path}: {sum('total' in r for r in rows)} of {len(rows)} submissions graded")
    for student, log in failed.items():
        print(f"autograde of {student} failed; their row is empty. nbgrader said:\n{log}", file=sys.stderr)
    return 1 if failed else 0
