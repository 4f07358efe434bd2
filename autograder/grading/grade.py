"""Grade one submission: select the checks, judge them chapter by chapter beside the sandbox, write the reports."""
from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path

from autograder.grading import reports
from autograder.grading.judging import STOPPED, judge_submission, stopping
from autograder.grading.profile import reference_profile
from autograder.grading.sandbox import Limits, Platform, detect
from autograder.harness.registry import Check, available_chapters, chapter_names, load_chapter
from autograder.results import record, resolve_device


@dataclasses.dataclass
class Options:
    chapters: list[str] | None = None       # None: every chapter with checks
    select: list[str] = dataclasses.field(default_factory=list)   # substrings of "chN::exercise::check"
    skip_kinds: list[str] = dataclasses.field(default_factory=list)
    device: str = "auto"
    limits: Limits = dataclasses.field(default_factory=Limits)
    plots: bool = True
    cache: Path | None = None               # the reference profile; default ~/.cache/d2l-exercises/grading
    threads: int = 1                        # torch threads per process; 1 scales best with --jobs
    parallel: int = 2                       # judges (chapters graded at once) per submission


@dataclasses.dataclass
class Grade:
    student: str
    records: list[dict]                     # one per check (results.record)
    seconds: float
    notes: list[str]                        # submission and sandbox notes, shown in the report
    flags: list[str]                        # the static audit's lines, for a human
    output: str                             # head of what the submission printed
    reference_curves: dict
    stopped: bool = False                   # the grader was told to stop (SIGTERM) before the end

    @property
    def score(self) -> float:
        return sum(r["earned"] for r in self.records)

    @property
    def max_score(self) -> float:
        return sum(r["points"] for r in self.records if r["outcome"] != "skipped")


def select_checks(options: Options) -> list[Check]:
    chapters = chapter_names(options.chapters) if options.chapters else available_chapters()
    unknown = [c for c in chapters if c not in available_chapters()]
    if unknown:
        raise ValueError(f"no checks for {', '.join(unknown)} (available: {', '.join(available_chapters())})")
    checks = [c for chapter in chapters for c in load_chapter(chapter) if c.kind not in options.skip_kinds]
    if options.select:
        checks = [c for c in checks if any(s in c.id for s in options.select)]
    return checks


def grade(source: Path, out: Path | None, options: Options, *, student: str | None = None, slot: int = 0,
          platform: Platform | None = None, profile: dict | None = None) -> Grade:
    """Grade ``source`` (folder, repository root or .zip); write the reports in ``out`` when given."""
    start = time.monotonic()
    platform = platform or detect()
    device = resolve_device(options.device)
    checks = select_checks(options)
    runnable = [c for c in checks if not (c.gpu and device != "cuda")]
    if profile is None:
        profile = reference_profile(runnable, device=device, options=options, platform=platform)
    seconds = {i: p["seconds"] for i, p in profile.items() if p.get("outcome") == "passed"}
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="d2l-grade-") as tmp:
        run = judge_submission(Path(source), Path(tmp), runnable, options, platform=platform, device=device,
                               reference_seconds=seconds, slot=slot,
                               hide_extra=[p for p in (out, options.cache) if p is not None])
    records = []
    for c in checks:
        if c.id in run.records:
            records.append(run.records[c.id])
        elif c.gpu and device != "cuda":
            records.append(record(c, "skipped", "GPU check skipped: no CUDA device on this machine"))
        else:
            records.append(record(c, "failed", STOPPED if stopping() else "not run"))
    result = Grade(student or Path(source).stem, records, time.monotonic() - start, list(platform.notes) + run.notes,
                   run.flags, "\n".join(run.output), {i: p.get("curves", {}) for i, p in profile.items()},
                   stopped=stopping())
    if out is not None:
        reports.write_all(result, Path(out), plots=options.plots)
    return result
