"""``grade-all``: every submission of a folder (or one shard of it), graded in parallel, with one gradebook.

Each entry of the folder (a subfolder or a .zip) is one student, named after the entry. The
work that does not depend on the submission is done once before the students: loading the
checks, probing the platform, and the reference's profile (time limits and training curves, cached
on disk). Each
student is graded by ``grade()`` in its own sandboxed processes, on a parallel slot of its own
(its own uid when root), one torch thread per process unless told. A student whose grading fails
gets an ``error`` in the gradebook, and the others go on.

``--shard I/N`` grades only the students whose name hashes to shard ``I`` (0 <= I < N): the
assignment depends on the name alone, so shards can run on different machines at different times.
Besides the reports, each student's folder gets ``grade.json`` (the whole ``Grade``, what ``gather``
reads) and ``code/`` (the Python files read from the submission, for the similarity scan), and the
output folder ``grading.json`` (the checks and the shard). ``gather`` (``gather.py``) merges the
folders of several shards into exactly what one ``grade-all`` over every student writes.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import importlib.util
import json
import os
import queue
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from autograder.grading.grade import Grade, Options, grade, select_checks
from autograder.grading.profile import reference_profile
from autograder.grading.sandbox import detect
from autograder.results import resolve_device

GRADE_FILE, CODE_DIR, MANIFEST = "grade.json", "code", "grading.json"


def submissions(folder: Path) -> dict[str, Path]:
    """``{student: path}``: subfolders and .zip files, hidden entries left out."""
    found = {}
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith(".") or not (entry.is_dir() or entry.suffix == ".zip"):
            continue
        found[entry.stem if entry.suffix == ".zip" else entry.name] = entry
    return found


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"I/N"`` -> ``(I, N)`` with 0 <= I < N (the index variables of Kubernetes, Slurm and Actions start at 0)."""
    if text in (None, ""):
        return None
    try:
        index, count = (int(p) for p in str(text).split("/"))
    except ValueError:
        raise ValueError(f"--shard takes I/N (e.g. 0/8), not {text!r}") from None
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"--shard {text}: I must be in 0..N-1 and N >= 1")
    return index, count


def shard_of(student: str, count: int) -> int:
    """The shard of ``student``: a hash of the name alone (stable across machines, runs and Python versions)."""
    return int.from_bytes(hashlib.sha256(student.encode("utf-8")).digest()[:8], "big") % count


def _progress(total: int):
    from tqdm import tqdm
    return tqdm(total=total, unit="student", file=sys.stderr, dynamic_ncols=True)


def flags_cell(g: Grade, similar: dict | None = None, student: str = "") -> str:
    """The ``flags`` column: the audit's count and the similar submissions (for a human; never a score)."""
    parts = [f"{len(g.flags)} audit"] if not isinstance(g, str) and g.flags else []
    parts += [f"similar to {other} ({score:.0%})" for other, score in (similar or {}).get(student, [])]
    return "; ".join(parts)


def gradebook(grades: dict[str, Grade | str], path: Path, checks: list, similar: dict | None = None) -> None:
    """grades.csv: student, total, max, one column per chapter and per exercise, error, flags.

    ``flags``: ``N audit`` (lines the static audit flagged, in results.json's ``extra_data``) and ``similar to
    OTHER (93%)`` per suspiciously similar submission (``similarity.py``); empty when nothing was flagged."""
    chapters = list(dict.fromkeys(c.exercise.chapter for c in checks))
    exercises = list(dict.fromkeys(c.exercise for c in sorted(
        checks, key=lambda c: (chapters.index(c.exercise.chapter), c.exercise.order))))
    header = ["student", "total", "max_score", *chapters, *[ex.column for ex in exercises], "error", "flags"]
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for student, g in sorted(grades.items()):
            if isinstance(g, str):
                writer.writerow([student, "", "", *[""] * (len(chapters) + len(exercises)), g,
                                 flags_cell(g, similar, student)])
                continue
            per = lambda key: f"{sum(r['earned'] for r in g.records if key(r)):g}"  # noqa: E731
            writer.writerow([student, f"{g.score:g}", f"{g.max_score:g}",
                             *[per(lambda r, ch=ch: r["chapter"] == ch) for ch in chapters],
                             *[per(lambda r, ex=ex: (r["chapter"], r["module"], r["exercise"])
                                   == (ex.chapter, ex.module, ex.name)) for ex in exercises], "",
                             flags_cell(g, similar, student)])


# --- what a student's folder keeps for gather --------------------------------------------------------

def grade_to_json(g: Grade | str, student: str) -> dict:
    if isinstance(g, str):
        return {"student": student, "error": g}
    data = dataclasses.asdict(g)
    data.pop("reference_curves")          # the profile's, the same for every student
    return data


def grade_from_json(data: dict) -> Grade | str:
    if "error" in data:
        return data["error"]
    return Grade(**{**data, "reference_curves": {}})


def keep_code(source: Path, dest: Path) -> None:
    """The submission's Python files, read as the grader reads them (no link followed), into ``dest``."""
    from autograder.grading.submission import SubmissionError, prepare
    shutil.rmtree(dest, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="d2l-code-") as tmp:
        try:
            prepare(Path(source), Path(tmp) / "s")
        except SubmissionError:
            return
        for path in sorted((Path(tmp) / "s").rglob("*.py")):
            target = dest / path.relative_to(Path(tmp) / "s")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def write_manifest(out: Path, checks: list, options: Options, shard, students: list[str]) -> None:
    data = {"checks": [c.id for c in checks], "shard": f"{shard[0]}/{shard[1]}" if shard else None,
            "students": sorted(students), "chapters": options.chapters, "select": options.select,
            "skip_kinds": options.skip_kinds, "device": options.device}
    (out / MANIFEST).write_text(json.dumps(data, indent=1))


def class_report(grades: dict, out: Path, checks: list, *, similarity: bool = True,
                 threshold: float | None = None) -> dict:
    """What grade-all and gather write beside the student folders: similarity, grades.csv, class/index.html."""
    from autograder.grading import dashboard
    from autograder.grading.similarity import DEFAULT_THRESHOLD, find_similar, similar_by_student
    pairs = []
    if similarity and importlib.util.find_spec("copydetect") is None:
        print("similarity scan skipped: copydetect is not installed (pip install copydetect)", file=sys.stderr)
    elif similarity:
        pairs = find_similar({s: out / s / CODE_DIR for s in sorted(grades) if (out / s / CODE_DIR).is_dir()},
                             threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
                             chapters=list(dict.fromkeys(c.exercise.chapter for c in checks)))
    similar = similar_by_student(pairs)
    gradebook(grades, out / "grades.csv", checks, similar)
    dashboard.write_dashboard(grades, out, checks, pairs)
    return similar


def grade_all(folder: Path, out: Path, options: Options, jobs: int = 1, *, shard: tuple[int, int] | None = None,
              similarity: bool = True, threshold: float | None = None) -> int:
    """Grade every submission in ``folder`` (or those of ``shard`` (I, N)) into ``out/STUDENT/``; write
    ``out/grades.csv`` and ``out/class/index.html``.

    Exit status: 0, or 1 when the grader failed on some student (their row says why)."""
    students = submissions(folder)
    if shard is not None:
        students = {s: p for s, p in students.items() if shard_of(s, shard[1]) == shard[0]}
    out.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs, len(students) or 1))
    checks, platform, device = select_checks(options), detect(), resolve_device(options.device)
    options = dataclasses.replace(options, threads=options.threads or max(1, (os.cpu_count() or 1) // jobs),
                                  parallel=1 if jobs > 1 else options.parallel)
    write_manifest(out, checks, options, shard, list(students))
    profile = reference_profile([c for c in checks if not (c.gpu and device != "cuda")], device=device,
                                options=options, platform=platform) if students else {}
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
            (out / student).mkdir(parents=True, exist_ok=True)
            (out / student / GRADE_FILE).write_text(json.dumps(grade_to_json(grades[student], student)))
            keep_code(students[student], out / student / CODE_DIR)
            bar.update(1)
    bar.close()
    similar = class_report(grades, out, checks, similarity=similarity, threshold=threshold)
    failed = [s for s, g in grades.items() if isinstance(g, str)]
    print(f"graded {len(students)} submissions in {time.monotonic() - start:.1f} s with {jobs} jobs"
          + (f" (shard {shard[0]}/{shard[1]})" if shard else "") + f"; gradebook {out / 'grades.csv'}; "
          f"class report {out / 'class' / 'index.html'}"
          + (f"; {sum(map(len, similar.values())) // 2} similar pair(s)" if similar else "")
          + (f"; grader errors: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0
