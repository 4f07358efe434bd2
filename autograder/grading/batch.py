"""``grade-all``: every submission of a folder, graded in parallel, with one gradebook.

Each entry of the folder (a subfolder or a .zip) is one student, named after the entry. The
work that does not depend on the submission is done once before the students: loading the
checks, probing the platform, and the reference's profile (time limits and training curves, cached
on disk). Each
student is graded by ``grade()`` in its own sandboxed processes, on a parallel slot of its own
(its own uid when root), one torch thread per process unless told. A student whose grading fails
gets an ``error`` in the gradebook, and the others go on.
"""
from __future__ import annotations

import csv
import dataclasses
import os
import queue
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from autograder.grading.grade import Grade, Options, grade, select_checks
from autograder.grading.profile import reference_profile
from autograder.grading.sandbox import detect
from autograder.results import resolve_device


def submissions(folder: Path) -> dict[str, Path]:
    """``{student: path}``: subfolders and .zip files, hidden entries left out."""
    found = {}
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith(".") or not (entry.is_dir() or entry.suffix == ".zip"):
            continue
        found[entry.stem if entry.suffix == ".zip" else entry.name] = entry
    return found


def _progress(total: int):
    from tqdm import tqdm
    return tqdm(total=total, unit="student", file=sys.stderr, dynamic_ncols=True)


def gradebook(grades: dict[str, Grade | str], path: Path, checks: list) -> None:
    """grades.csv: student, total, max, one column per chapter and per exercise, error, flags."""
    chapters = list(dict.fromkeys(c.exercise.chapter for c in checks))
    exercises = list(dict.fromkeys(c.exercise for c in sorted(
        checks, key=lambda c: (chapters.index(c.exercise.chapter), c.exercise.order))))
    header = ["student", "total", "max_score", *chapters, *[ex.column for ex in exercises], "error", "flags"]
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for student, g in sorted(grades.items()):
            if isinstance(g, str):
                writer.writerow([student, "", "", *[""] * (len(chapters) + len(exercises)), g, ""])
                continue
            per = lambda key: f"{sum(r['earned'] for r in g.records if key(r)):g}"  # noqa: E731
            writer.writerow([student, f"{g.score:g}", f"{g.max_score:g}",
                             *[per(lambda r, ch=ch: r["chapter"] == ch) for ch in chapters],
                             *[per(lambda r, ex=ex: (r["chapter"], r["module"], r["exercise"])
                                   == (ex.chapter, ex.module, ex.name)) for ex in exercises], "", len(g.flags)])


def grade_all(folder: Path, out: Path, options: Options, jobs: int = 1) -> int:
    """Grade every submission in ``folder`` into ``out/STUDENT/``; write ``out/grades.csv``.

    Exit status: 0, or 1 when the grader failed on some student (their row says why)."""
    students = submissions(folder)
    out.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs, len(students) or 1))
    checks, platform, device = select_checks(options), detect(), resolve_device(options.device)
    options = dataclasses.replace(options, threads=options.threads or max(1, (os.cpu_count() or 1) // jobs),
                                  parallel=1 if jobs > 1 else options.parallel)
    profile = reference_profile([c for c in checks if not (c.gpu and device != "cuda")], device=device,
                                options=options, platform=platform)
    slots: queue.Queue = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)

    def one(student: str, path: Path):
        slot = slots.get()
        try:
            return grade(path, out / student, options, student=student, slot=slot, platform=platform,
                         profile=profile)
        finally:
            slots.put(slot)

    grades: dict = {}
    start, bar = time.monotonic(), _progress(len(students))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(one, s, p): s for s, p in students.items()}
        for future in as_completed(futures):
            student = futures[future]
            try:
                grades[student] = future.result()
                bar.set_postfix_str(f"{student}: {grades[student].score:g}/{grades[student].max_score:g}")
            except Exception as e:   # the grader failed on this one: record it and go on
                grades[student] = f"grader error: {type(e).__name__}: {e}".replace("\n", " ")[:500]
            bar.update(1)
    bar.close()
    gradebook(grades, out / "grades.csv", checks)
    failed = [s for s, g in grades.items() if isinstance(g, str)]
    print(f"graded {len(students)} submissions in {time.monotonic() - start:.1f} s with {jobs} jobs; "
          f"gradebook {out / 'grades.csv'}" + (f"; grader errors: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0



