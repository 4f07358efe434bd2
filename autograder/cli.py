"""Command line: ``python -m autograder list`` and ``python -m autograder stubs CHAPTER``."""
from __future__ import annotations

import argparse

from autograder.harness.registry import EXERCISES, available_chapters, load_chapter


def cmd_list(args) -> int:
    """Print every chapter's exercises with their checks and points."""
    for chapter in args.chapters or available_chapters():
        checks = load_chapter(chapter)
        print(f"{chapter}: {len(checks)} checks, {sum(c.points for c in checks):g} points")
        for ex in sorted(EXERCISES[chapter].values(), key=lambda e: e.order):
            mine = [c for c in checks if c.exercise is ex]
            names = ", ".join(f"{c.name}[{c.visibility[0]}{'/' + c.kind if c.kind != 'correctness' else ''}]"
                              for c in mine)
            print(f"  {ex.module}.{ex.name} (§{ex.section}): {names}")
    return 0


def cmd_stubs(args) -> int:
    from autograder.stubs import write_stubs
    for chapter in args.chapters:
        for path in write_stubs(chapter):
            print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="list exercises, checks and points")
    p.add_argument("chapters", nargs="*")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("stubs", help="(maintainers) regenerate exercises/CHAPTER from solutions/CHAPTER")
    p.add_argument("chapters", nargs="+")
    p.set_defaults(func=cmd_stubs)
    __import__("autograder.nbgrader").nbgrader.register(sub)  # nbgrader build / grade
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
