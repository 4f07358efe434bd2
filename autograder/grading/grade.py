"""Grade one submission: select the checks, run them sandboxed chapter by chapter, write the reports."""
from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from pathlib import Path

from autograder.grading import reports
from autograder.grading.curves import reference_curves
from autograder.grading.sandbox import Limits, Platform, detect, run_checks, secret_paths
from autograder.grading.submission import SubmissionError, prepare
from autograder.grading.tamper import audit
from autograder.harness.registry import Check, available_chapters, load_chapter

KINDS = ("correctness", "speed", "accuracy")


@dataclasses.dataclass
class Options:
    chapters: list[str] | None = None       # None: every chapter with checks
    select: list[str] = dataclasses.field(default_factory=list)   # substrings of "chN::exercise::check"
    skip_kinds: list[str] = dataclasses.field(default_factory=list)
    device: str = "auto"
    limits: Limits = dataclasses.field(default_factory=Limits)
    plots: bool = True
    cache: Path | None = None               # reference curves; default ~/.cache/d2l-exercises/grading
    threads: int = 1                        # torch threads per child (0: cores / jobs); 1 scales best with --jobs


@dataclasses.dataclass
class Grade:
    student: str
    records: list[dict]                     # one per check, the pytest plugin's fields plus "id"
    seconds: float
    notes: list[str]                        # submission and sandbox notes, shown in the report
    flags: list[str]                        # the static audit's lines, for a human
    output: str                             # head of what the submission printed
    reference_curves: dict

    @property
    def score(self) -> float:
        return sum(r["earned"] for r in self.records)

    @property
    def max_score(self) -> float:
        return sum(r["points"] for r in self.records if r["outcome"] != "skipped")


def chapter_name(value: str) -> str:
    value = value.strip()
    return value if value.startswith("ch") else f"ch{value}"


def select_checks(options: Options) -> list[Check]:
    chapters = [chapter_name(c) for c in options.chapters] if options.chapters else available_chapters()
    unknown = [c for c in chapters if c not in available_chapters()]
    if unknown:
        raise ValueError(f"no checks for {', '.join(unknown)} (available: {', '.join(available_chapters())})")
    checks = [c for chapter in chapters for c in load_chapter(chapter) if c.kind not in options.skip_kinds]
    if options.select:
        checks = [c for c in checks if any(s in c.id for s in options.select)]
    return checks


def resolve_device(device: str) -> str:
    import torch
    return "cuda" if device == "cuda" or (device == "auto" and torch.cuda.is_available()) else "cpu"


def _record(check: Check, frame: dict) -> dict:
    ex = check.exercise
    outcome = frame["outcome"]
    return {"id": check.id, "chapter": ex.chapter, "exercise": ex.name, "module": ex.module, "check": check.name,
            "visibility": check.visibility, "kind": check.kind, "section": ex.cite, "points": check.points,
            "earned": check.points if outcome == "passed" else 0, "outcome": outcome,
            "message": str(frame.get("message", ""))[:8000], "duration": float(frame.get("duration", 0)),
            "curves": frame.get("curves") or {}}


def _chown_tree(root: Path, uid: int) -> None:
    for folder, dirs, files in os.walk(root):
        os.chown(folder, uid, uid)
        for name in files:
            os.chown(os.path.join(folder, name), uid, uid)


def grade(source: Path, out: Path | None, options: Options, *, student: str | None = None, slot: int = 0,
          platform: Platform | None = None, curves: dict | None = None) -> Grade:
    """Grade ``source`` (folder, repository root or .zip); write the reports in ``out`` when given."""
    start = time.monotonic()
    platform = platform or detect()
    device = resolve_device(options.device)
    checks = select_checks(options)
    notes, flags, frames, output = list(platform.notes), [], {}, []
    runnable = [c for c in checks if not (c.gpu and device != "cuda")]
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="d2l-grade-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o711)           # the sandbox uid may pass through, not list or write
        submission, home = work / "submission", work / "home"
        home.mkdir()
        try:
            notes += prepare(Path(source), submission)
            flags = audit(submission)
        except SubmissionError as e:
            frames = {c.id: {"outcome": "failed", "message": f"the submission could not be read: {e}"}
                      for c in runnable}
            notes.append(f"the submission could not be read: {e}")
            runnable = []
        uid = platform.uid(slot)
        if uid is not None:
            _chown_tree(work, uid)
            os.chown(work, 0, 0)
        hide = secret_paths([p for p in (out, options.cache) if p is not None])
        threads = options.threads or os.cpu_count() or 1
        for chapter in sorted({c.exercise.chapter for c in runnable}, key=available_chapters().index):
            group = [c for c in runnable if c.exercise.chapter == chapter]
            got, info = run_checks(group, submission=submission, workdir=work, device=device, platform=platform,
                                   limits=options.limits, slot=slot, threads=threads, hide=hide)
            frames.update(got)
            if info["output"].strip():
                output.append(f"--- {chapter} ({info['output_bytes']:,} bytes) ---\n{info['output']}")
            notes.append(f"{chapter}: {info['children']} grading process(es); " + ", ".join(info["sandbox"]))
    records = []
    for c in checks:
        if c.id in frames:
            records.append(_record(c, frames[c.id]))
        else:
            why = "no CUDA device on this machine" if device != "cuda" else "not run"
            records.append({**_record(c, {"outcome": "skipped", "message": f"GPU check skipped: {why}"}),
                            "earned": 0})
    if curves is None and options.plots and any(r["kind"] == "accuracy" for r in records):
        curves = reference_curves([c for c in checks if c.kind == "accuracy" and not (c.gpu and device != "cuda")],
                                  device=device, options=options, platform=platform)
    result = Grade(student or Path(source).stem, records, time.monotonic() - start, notes, flags,
                   "\n".join(output), curves or {})
    if out is not None:
        reports.write_all(result, Path(out), plots=options.plots)
    return result
