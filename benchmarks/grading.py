"""The grader's costs (not a test): a perfect submission, one whose every function hangs, and throughput.

    python benchmarks/grading.py perfect  [--chapters 3,6] [--parallel 2]   # a copy of solutions/, sandboxed
    python benchmarks/grading.py hangs    [--chapters 3,6] [--parallel 2]   # every exercise loops forever
    python benchmarks/grading.py inprocess [--chapters 3,6]                 # the same checks, no judge, no sandbox
    python benchmarks/grading.py targets  [--chapters 3,6] [--parallel 2]   # the three, and the ratios to the targets
    python benchmarks/grading.py throughput [--n 8] [--jobs 2] [--select softmax,linreg] [--chapters 3]

``perfect`` and ``hangs`` grade every check (accuracy and speed too) with the reference profile measured
first (and cached), and print wall and CPU time and the peak memory of the largest process; the target
is hangs <= 2 x perfect + 120 s. ``inprocess`` is the grader as it was before the judge (#11): every check in
one process, the code under test beside the checks, one chapter after another; ``perfect`` may cost at most
1.5 x that. ``throughput`` grades N copies one after another, then with ``grade-all
--jobs k``.
"""
from __future__ import annotations

import argparse
import ast
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.grading.batch import grade_all  # noqa: E402
from autograder.grading.grade import Options, grade, select_checks  # noqa: E402
from autograder.grading.profile import reference_profile  # noqa: E402
from autograder.grading.sandbox import detect  # noqa: E402
from autograder.harness.loader import REPO_ROOT  # noqa: E402
from autograder.harness.registry import chapter_names, exercises_of  # noqa: E402
from autograder.results import resolve_device  # noqa: E402


def hanging_copy(dest: Path, chapters: list[str]) -> None:
    """``solutions/`` with every exercise (function or class) replaced by one that loops forever."""
    shutil.copytree(REPO_ROOT / "solutions", dest)
    for chapter in chapters:
        by_module: dict[str, list[str]] = {}
        for ex in exercises_of(chapter).values():
            by_module.setdefault(ex.module, []).append(ex.name)
        for module, names in by_module.items():
            path = dest / chapter / f"{module}.py"
            text = path.read_text() + "".join(f"\n\ndef {n}(*args, **kwargs):\n    while True:\n        pass\n"
                                                for n in names)
            ast.parse(text)
            path.write_text(text)


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def one(kind: str, chapters: list[str], parallel: int, cache: Path) -> float:
    options = Options(chapters=chapters, plots=False, parallel=parallel, cache=cache)
    checks, platform = select_checks(options), detect()
    device = resolve_device(options.device)
    start = time.monotonic()
    reference_profile([c for c in checks if not c.gpu], device=device, options=options, platform=platform)
    print(f"profile: {time.monotonic() - start:.1f} s (cached afterwards)")
    with tempfile.TemporaryDirectory() as tmp:
        sub = Path(tmp) / "student"
        (hanging_copy(sub, chapters) if kind == "hangs" else shutil.copytree(REPO_ROOT / "solutions", sub))
        cpu, start = cpu_seconds(), time.monotonic()
        result = grade(sub, None, options, platform=platform)
        wall, cpu = time.monotonic() - start, cpu_seconds() - cpu
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{kind}: {result.score:g} / {result.max_score:g} in {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"({len(checks)} checks, {', '.join(chapters)}; --parallel {parallel}; peak RSS of a process {peak:.0f} MiB)")
    return wall


def inprocess(chapters: list[str]) -> float:
    """A copy of ``solutions/`` graded with every check in this process (``local_session``, as ``pytest
    --submission`` does), single-threaded like a sandbox worker: the cost without the judge."""
    import torch
    from autograder.harness.loader import Implementation
    from autograder.harness.registry import load_chapter
    from autograder.harness.runner import run_check
    from autograder.harness.session import local_session
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        sub = Path(tmp) / "student"
        shutil.copytree(REPO_ROOT / "solutions", sub)
        cpu, start = cpu_seconds(), time.monotonic()
        impl = Implementation(sub, label="student")
        session = local_session(impl.get, impl.loaded_modules, "cpu")
        checks = [c for chapter in chapters for c in load_chapter(chapter) if not c.gpu]
        passed = sum(run_check(c, session, "cpu").outcome == "passed" for c in checks)
        wall, cpu = time.monotonic() - start, cpu_seconds() - cpu
    print(f"inprocess: {passed} / {len(checks)} checks passed in {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"({', '.join(chapters)}; no judge, no sandbox)")
    return wall


def targets(chapters: list[str], parallel: int, cache: Path | None) -> None:
    """All three, one after another, and the two targets of the judge (#11)."""
    before, perfect, hangs = inprocess(chapters), one("perfect", chapters, parallel, cache), \
        one("hangs", chapters, parallel, cache)
    for what, value, limit in (("perfect / inprocess", perfect / before, 1.5),
                               ("hangs / (2 x perfect + 120 s)", hangs / (2 * perfect + 120), 1.0)):
        print(f"{what}: {value:.2f} (target <= {limit:g}): {'met' if value <= limit else 'NOT met'}")


def throughput(args) -> None:
    options = Options(chapters=chapter_names(args.chapters), select=args.select.split(","), plots=False,
                      skip_kinds=["accuracy"], cache=Path(args.cache) if args.cache else None)
    checks, platform = select_checks(options), detect()
    print(f"{len(checks)} checks per submission; {platform.notes[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        for i in range(args.n):
            shutil.copytree(REPO_ROOT / "solutions", subs / f"student{i:03d}")
        grade(subs / "student000", None, options)        # the profile, measured once
        start = time.monotonic()
        for i in range(args.n):
            grade(subs / f"student{i:03d}", None, options)
        single = time.monotonic() - start
        start = time.monotonic()
        grade_all(subs, Path(tmp) / "out", options, jobs=args.jobs)
        parallel = time.monotonic() - start
    print(f"{args.n} single gradings: {single:.1f} s ({single / args.n:.2f} s each)")
    print(f"grade-all --jobs {args.jobs}: {parallel:.1f} s ({args.n / parallel * 60:.1f} submissions/min)")
    print(f"speed-up {single / parallel:.2f}x (ideal {min(args.jobs, args.n)}x on {os.cpu_count()} cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("perfect", "hangs", "inprocess", "targets", "throughput"))
    parser.add_argument("--chapters", default=None)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--cache", default=None)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--select", default="softmax,linreg")
    args = parser.parse_args()
    if args.what == "throughput":
        args.chapters = args.chapters or "3"
        return throughput(args)
    from autograder.harness.registry import available_chapters
    chapters = chapter_names(args.chapters) if args.chapters else available_chapters()
    if args.what == "inprocess":
        return inprocess(chapters)
    if args.what == "targets":
        return targets(chapters, args.parallel, Path(args.cache) if args.cache else None)
    one(args.what, chapters, args.parallel, Path(args.cache) if args.cache else None)


if __name__ == "__main__":
    main()
