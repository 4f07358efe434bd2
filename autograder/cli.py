"""Command line: ``list``, ``stubs``, ``grade``, ``grade-all``, ``gather``, ``gradescope`` and ``release``
(``python -m autograder -h``)."""
from __future__ import annotations

import argparse
import os

from autograder.harness.registry import available_chapters, exercises_of, load_chapter


def cmd_list(args) -> int:
    """Print every chapter's exercises with their checks and points."""
    from autograder.harness.registry import chapter_names
    for chapter in chapter_names(args.chapters) if args.chapters else available_chapters():
        checks = load_chapter(chapter)
        print(f"{chapter}: {len(checks)} checks, {sum(c.points for c in checks):g} points")
        for ex in sorted(exercises_of(chapter).values(), key=lambda e: e.order):
            mine = [c for c in checks if c.exercise is ex]
            names = ", ".join(f"{c.name}[{c.visibility[0]}{'/' + c.kind if c.kind != 'correctness' else ''}]"
                              for c in mine)
            print(f"  {ex.module}.{ex.name} (§{ex.section}): {names}")
    return 0


def cmd_stubs(args) -> int:
    """Write exercises/chN from solutions/chN; with --check, exit 1 when a committed stub is not fresh."""
    from autograder.harness.registry import chapter_names
    from autograder.stubs import write_stubs
    stale = []
    for chapter in chapter_names(args.chapters) if args.chapters else available_chapters():
        report = write_stubs(chapter, check=args.check)
        for path in report.written:
            print(f"wrote {path}")
        for path in report.stale:
            print(f"stale: {path} differs from the stub of solutions/{chapter}/{path.name}")
        for module, names in report.dropped.items():
            print(f"{chapter}/{module}: not in the stub (private helpers, module code): {', '.join(names)}")
        stale += report.stale
    return 1 if stale else 0


def cmd_contracts(args) -> int:
    from autograder.contracts import link_readme, unlinked_exercises, write
    readme = link_readme()
    print(f"wrote {write()}; linked the chapter table of {readme}")
    missing = unlinked_exercises(readme.read_text(encoding="utf-8"))
    if missing:
        print(f"not in the README's chapter table: {', '.join(missing)}")
    return 0


def _options(args):
    from autograder.grading.grade import Options
    from autograder.grading.sandbox import Limits
    from autograder.harness.registry import chapter_names
    limits = Limits(memory=int(args.memory * (1 << 30)), time_scale=args.time_scale,
                    max_check_time=args.max_check_time)
    return Options(chapters=chapter_names(args.chapters) if args.chapters else None,
                   select=args.select.split(",") if args.select else [],
                   skip_kinds=args.skip.split(",") if args.skip else [], device=args.device, limits=limits,
                   plots=not args.no_plots, cache=args.cache, threads=args.threads, parallel=args.parallel)


def cmd_grade(args) -> int:
    """Grade one submission; exit 0 whatever the score, 1 when the grader itself failed, 2 for a missing
    submission, 3 when it was told to stop (SIGTERM/SIGINT: the reports then hold what was finished)."""
    from autograder.grading import reports
    from autograder.grading.grade import grade
    from autograder.grading.judging import install_signal_handlers
    from autograder.grading.sandbox import GraderError
    if not os.path.lexists(args.submission):
        print(f"no such submission: {args.submission}")
        return 2
    install_signal_handlers()
    try:
        result = grade(args.submission, args.out, _options(args))
    except (GraderError, ValueError) as e:
        print(f"grader error: {e}")
        return 1
    print("\n".join(reports.summary_lines(result)))
    print(f"reports in {args.out}")
    reports.append_job_summary(result)
    return 3 if result.stopped else 0


def cmd_grade_all(args) -> int:
    from autograder.grading.batch import grade_all
    from autograder.grading.judging import install_signal_handlers
    from autograder.grading.batch import parse_shard
    try:
        shard = parse_shard(args.shard)
    except ValueError as e:
        print(f"grader error: {e}")
        return 1
    install_signal_handlers()
    return grade_all(args.submissions, args.out, _options(args), jobs=args.jobs, shard=shard,
                     similarity=not args.no_similarity, threshold=args.similarity_threshold)


def cmd_gather(args) -> int:
    """Merge the output folders of grade-all shards into one gradebook and class report."""
    from autograder.grading.gather import GatherError, gather
    try:
        found = gather(args.report_dirs, args.out, similarity=not args.no_similarity,
                       threshold=args.similarity_threshold)
    except GatherError as e:
        print(f"gather: {e}")
        return 1
    print(f"gathered {found['students']} students into {args.out / 'grades.csv'} and {args.out / 'class' / 'index.html'}"
          + (f"; MISSING shards {', '.join(found['missing_shards'])}" if found["missing_shards"] else "")
          + (f"; grader errors: {', '.join(found['errors'])}" if found["errors"] else ""))
    return 1 if found["missing_shards"] else 0


def cmd_classroom_result(args) -> int:
    """Print ``result=<base64>`` for $GITHUB_OUTPUT: the score in GitHub Classroom's reporter format."""
    from autograder.grading.classroom import output_line
    print(output_line(args.report))
    return 0


def cmd_gradescope(args) -> int:
    """Write the Gradescope autograder zip (setup.sh, run_autograder, source/)."""
    from autograder.grading.gradescope import write_zip
    from autograder.harness.registry import chapter_names
    path = write_zip(args.out_zip, chapters=chapter_names(args.chapters) if args.chapters else None,
                     device=args.device, data=not args.no_data, skip_kinds=args.skip.split(",") if args.skip else [])
    print(f"wrote {path} ({path.stat().st_size / (1 << 20):.1f} MiB): upload it as the assignment's autograder")
    return 0


def cmd_profile(args) -> int:
    """Measure the reference's profile (time limits, training curves) ahead of grading."""
    from autograder.grading.grade import select_checks
    from autograder.grading.profile import reference_profile
    from autograder.grading.sandbox import detect
    from autograder.results import resolve_device
    options = _options(args)
    device = resolve_device(options.device)
    checks = [c for c in select_checks(options) if not (c.gpu and device != "cuda")]
    found = reference_profile(checks, device=device, options=options, platform=detect())
    failed = [i for i, p in found.items() if p.get("outcome") != "passed"]
    print(f"profile of {len(found)} checks ({sum(p['seconds'] for p in found.values()):.1f} s on the reference)"
          + (f"; the reference FAILS {failed}" if failed else ""))
    return 1 if failed else 0


def cmd_release(args) -> int:
    from autograder.grading.release import write_release
    from autograder.harness.registry import chapter_names
    files = write_release(args.out_dir, chapters=chapter_names(args.chapters) if args.chapters else None)
    print(f"wrote {len(files)} files in {args.out_dir}")
    return 0


def _grading_options(p) -> None:
    from pathlib import Path
    p.add_argument("--chapters", nargs="+", help="e.g. 3,6 or ch3 ch6 (default: every chapter)")
    p.add_argument("--select", help="comma-separated substrings of check ids chN::exercise::check")
    p.add_argument("--skip", help="comma-separated kinds not to run: speed, accuracy")
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    p.add_argument("--memory", type=float, default=6, help="GiB of address space per grading process (CPU)")
    p.add_argument("--time-scale", type=float, default=1.0, help="multiplies every check's time limit")
    p.add_argument("--max-check-time", type=float, default=None, help="caps every check's time limit (s)")
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads per grading process (0: cores / jobs); 1 scales best with --jobs")
    p.add_argument("--no-plots", action="store_true", help="no training-curve plots (no reference run)")
    p.add_argument("--cache", type=Path, default=None, help="the reference profile's cache folder")
    p.add_argument("--parallel", type=int, default=2, help="chapters graded at once per submission (default 2)")


def _similarity_options(p) -> None:
    p.add_argument("--no-similarity", action="store_true", help="skip the similarity scan (copydetect)")
    p.add_argument("--similarity-threshold", type=float, default=None,
                   help="flag pairs whose shared code is at least this share of the smaller one's (default 0.8)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="list exercises, checks and points")
    p.add_argument("chapters", nargs="*", help="e.g. 3 6 or ch3,ch6 (default: every chapter)")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("stubs", help="(maintainers) regenerate exercises/ from solutions/ (--check: only compare)")
    p.add_argument("chapters", nargs="*", help="e.g. 3 6 (default: every chapter)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 when a committed stub is stale")
    p.set_defaults(func=cmd_stubs)
    p = sub.add_parser("contracts", help="(maintainers) write docs/contracts.md from the exercise tables and checks, "
                       "and link the README's chapter table to it")
    p.set_defaults(func=cmd_contracts)
    from pathlib import Path
    p = sub.add_parser("grade", help="grade one submission (folder, repository root or .zip), sandboxed")
    p.add_argument("submission", type=Path)
    p.add_argument("--out", type=Path, default=Path("grading-report"))
    _grading_options(p)
    p.set_defaults(func=cmd_grade)
    p = sub.add_parser("grade-all", help="grade every submission in a folder, in parallel; write grades.csv")
    p.add_argument("submissions", type=Path)
    p.add_argument("--out", type=Path, default=Path("grading-reports"))
    p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    p.add_argument("--shard", default=None, metavar="I/N",
                   help="grade only shard I of N (0 <= I < N; by a hash of the student's name); merge with gather")
    _similarity_options(p)
    _grading_options(p)
    p.set_defaults(func=cmd_grade_all)
    p = sub.add_parser("gather", help="merge grade-all output folders (shards) into one grades.csv and class report")
    p.add_argument("report_dirs", type=Path, nargs="+", help="output folders of grade-all (--shard) runs")
    p.add_argument("--out", type=Path, required=True)
    _similarity_options(p)
    p.set_defaults(func=cmd_gather)
    p = sub.add_parser("classroom-result", help="print result=<base64> (GitHub Classroom's grading reporter) "
                       "from a report folder, for $GITHUB_OUTPUT")
    p.add_argument("report", type=Path, help="the --out folder of grade (or its results.json)")
    p.set_defaults(func=cmd_classroom_result)
    p = sub.add_parser("gradescope", help="write the Gradescope autograder zip (setup.sh, run_autograder, source/)")
    p.add_argument("out_zip", type=Path)
    p.add_argument("--chapters", nargs="+", help="e.g. 3,6 or ch3 ch6 (default: every chapter)")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="the torch build setup.sh installs")
    p.add_argument("--skip", help="comma-separated kinds the autograder does not run: speed, accuracy")
    p.add_argument("--no-data", action="store_true",
                   help="do not put the data sets in the zip: setup.sh downloads them (Gradescope's build has network)")
    p.set_defaults(func=cmd_gradescope)
    p = sub.add_parser("profile", help="measure the reference's time per check and curves (cached) ahead of grading")
    _grading_options(p)
    p.set_defaults(func=cmd_profile)
    p = sub.add_parser("release", help="write the student repository (stubs, public checks, no solutions)")
    p.add_argument("out_dir", type=Path)
    p.add_argument("--chapters", nargs="+", help="e.g. 3,6 or ch3 ch6 (default: every chapter)")
    p.set_defaults(func=cmd_release)
    __import__("autograder.nbgrader").nbgrader.register(sub)  # nbgrader build / grade
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
