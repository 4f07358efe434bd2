"""nbgrader packaging: every chapter as a classroom assignment, graded by the same checks.

``python -m autograder nbgrader build COURSE_DIR [--chapters ch3 ...]`` writes the
course (``course.py``, notebooks from ``notebook.py``); ``python -m autograder
nbgrader grade COURSE_DIR chN`` autogrades every submission and writes
``grades.csv`` (``grade.py``). ``kernel.py`` is what the notebooks import.
"""
from __future__ import annotations

import argparse
from pathlib import Path


def cmd_build(args) -> int:
    import sys
    from autograder.harness.registry import chapter_names
    from autograder.nbgrader.course import build
    for path in build(Path(args.course), chapter_names(args.chapters) if args.chapters else None,
                      gpu_checks=args.gpu_checks, skip_kinds=tuple(args.skip)):
        print(f"wrote {path}")
    # nbgrader runs alembic from PATH: the venv's bin must come first, activated or not
    print(f"next: cd {args.course} && PATH={Path(sys.executable).parent}:$PATH nbgrader generate_assignment CHAPTER "
          "--force")
    return 0


def cmd_grade(args) -> int:
    from autograder.harness.registry import chapter_names
    from autograder.nbgrader.grade import grade
    return grade(Path(args.course), chapter_names(args.chapter)[0], jobs=args.jobs, out=args.out, only=args.students)


def register(subparsers) -> None:
    """Add ``nbgrader build`` and ``nbgrader grade`` to ``python -m autograder``."""
    p = subparsers.add_parser("nbgrader", help="nbgrader course: build the notebooks, grade the submissions")
    sub = p.add_subparsers(dest="nbgrader_command", required=True)
    b = sub.add_parser("build", help="write COURSE_DIR: nbgrader_config.py and source/chN/chN.ipynb")
    b.add_argument("course", metavar="COURSE_DIR")
    b.add_argument("--chapters", nargs="+", default=None, help="e.g. 3,6 or ch3 ch6 (default: every chapter)")
    b.add_argument("--gpu-checks", action=argparse.BooleanOptionalAction, default=False,
                   help="include the GPU checks (grade on a CUDA machine then); default: no")
    b.add_argument("--skip", nargs="+", default=[], choices=("accuracy", "speed"),
                   help="leave out the checks of these kinds (a quicker assignment; scores then differ from pytest's)")
    b.set_defaults(func=cmd_build)
    g = sub.add_parser("grade", help="autograde every submission of CHAPTER, then write grades.csv")
    g.add_argument("course", metavar="COURSE_DIR")
    g.add_argument("chapter")
    g.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: CPU count)")
    g.add_argument("--out", default=None, help="default: COURSE_DIR/grades.csv")
    g.add_argument("--students", nargs="+", default=None,
                   help="regrade only these (grades.csv still lists everyone graded)")
    g.set_defaults(func=cmd_grade)
