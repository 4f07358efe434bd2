"""Throughput of the grader: N submissions graded one after another vs ``grade-all --jobs k``.

    python benchmarks/grading.py [--n 8] [--jobs 2] [--select softmax,linreg] [--chapters 3]

Each submission is a copy of ``solutions/``; the selection keeps a run short. Prints the time
of N single gradings, of one ``grade-all`` on k jobs, the speed-up and the ideal (k). The
platform probe and the checks are loaded once before timing; the reference curves are off.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.grading.batch import grade_all  # noqa: E402
from autograder.grading.grade import Options, grade, select_checks  # noqa: E402
from autograder.grading.sandbox import detect  # noqa: E402
from autograder.harness.loader import REPO_ROOT  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--select", default="softmax,linreg")
    parser.add_argument("--chapters", default="3")
    args = parser.parse_args()
    options = Options(chapters=args.chapters.split(","), select=args.select.split(","), plots=False,
                      skip_kinds=["accuracy"])
    checks, platform = select_checks(options), detect()
    print(f"{len(checks)} checks per submission; {platform.notes[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        for i in range(args.n):
            shutil.copytree(REPO_ROOT / "solutions", subs / f"student{i:03d}")
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


if __name__ == "__main__":
    main()
