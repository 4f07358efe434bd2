"""Benchmark (not a test): how long the checks take on the references, and how fast the references are.

    python benchmarks/suite.py [--chapters ch3,ch6] [--device cpu|cuda] [--slowest 5]

Prints, per chapter, the wall time of the hidden and of the public checks on the
reference solutions (and the slowest checks), then every speed check's ratio
of the reference to the PyTorch built-in it mirrors (below 1: the reference is
faster). Times are this machine's; the ratios are what to compare.
"""
from __future__ import annotations

import argparse
import time

import torch

from autograder.harness.loader import Implementation, REPO_ROOT, solutions
from autograder.harness.registry import available_chapters, load_chapter
from autograder.harness.runner import run_check
from autograder.harness.session import local_session
from autograder.harness.speed import median_seconds
from autograder.harness.speedcheck import SPEED_SPECS


def time_checks(chapter: str, device: str, slowest: int) -> None:
    impl = Implementation(REPO_ROOT / "solutions", label="benchmark")
    session = local_session(impl.get, impl.loaded_modules, device)
    rows, failures = [], []
    for check in load_chapter(chapter):
        if check.gpu and device != "cuda":
            continue
        start = time.perf_counter()
        outcome = run_check(check, session, device)
        rows.append((time.perf_counter() - start, check))
        if outcome.outcome == "failed":
            failures.append(f"{check.id}: {outcome.message.splitlines()[0]}")
    hidden = sum(t for t, c in rows if c.visibility == "hidden")
    public = sum(t for t, c in rows if c.visibility == "public")
    print(f"{chapter}: hidden checks {hidden:7.1f} s, public checks {public:6.1f} s, {len(rows)} checks"
          + (f", {len(failures)} FAILED" if failures else ""))
    for t, c in sorted(rows, key=lambda r: -r[0])[:slowest]:
        print(f"    {t:6.2f} s  {c.id} ({c.kind})")
    for f in failures:
        print(f"    FAILED {f}")


def speed_ratios(chapters: list[str], device: str) -> None:
    print(f"\nreference / built-in, median time on {device} (one thread on the CPU):")
    for spec in SPEED_SPECS:
        if spec.chapter not in chapters or spec.builtin is None:
            continue
        ref = solutions().get(f"{spec.chapter}.{spec.exercise}")
        ref = spec.build(ref) if spec.build else ref   # a class: time the module built from it
        if isinstance(ref, torch.nn.Module):
            ref = ref.to(device)
        args = spec.make_args(device, 0) if spec.make_args.__code__.co_argcount >= 2 else spec.make_args(device)
        with torch.no_grad():
            t_ref, t_builtin = median_seconds(ref, *args), median_seconds(spec.builtin, *args)
        ratio = t_ref / t_builtin
        print(f"  {spec.chapter}.{spec.exercise:<45} {ratio:6.2f}x  ({t_ref * 1e3:8.3f} ms vs {t_builtin * 1e3:8.3f} ms;"
              f" checks allow {spec.limit:g}x the reference)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chapters", default=",".join(available_chapters()))
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--slowest", type=int, default=5)
    args = parser.parse_args()
    chapters = args.chapters.split(",")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}\n")
    start = time.perf_counter()
    for chapter in chapters:
        time_checks(chapter, args.device, args.slowest)
    print(f"all chapters: {time.perf_counter() - start:.1f} s")
    speed_ratios(chapters, args.device)


if __name__ == "__main__":
    main()
