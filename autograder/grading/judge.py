"""The judge: runs checks beside the references, on a submission that lives in the sandbox.

``python -m autograder.grading.judge`` reads a job (JSON, one line on stdin) and writes one JSON line
per finished check (``{"record": ...}``), then ``{"done": ...}``, on the file descriptor the job names
(what check or reference code prints goes to stderr, never into the records). No student code ever runs in this
process: it holds the references and decides every verdict, and reaches the student's code only
through the proxies of ``harness.session`` over a socket to a worker the sandbox forked.

Per check: a fresh worker (on the CPU; on CUDA one per chapter, re-created after trouble or after a check
that sent a reference in place, as a CUDA context costs seconds), the student's modules it needs
imported under a limit of their own (``Limits.import_limit``), then a limit that follows from what the
reference needed for that check (``Limits.check_time``), counted in the time the judge waits for the
worker (``SocketLink.allow``: the judge's own work is not the student's time), and, if the worker hangs
or dies, that check alone is charged, with where the code was when the time ran out. A student object
that hung or crashed the process is *poisoned*: later checks that need it fail at once with the same
message instead of waiting again.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import sys
import tempfile
import time
from pathlib import Path

from autograder.grading.sandbox import (Limits, Output, Platform, Sandbox, become_subreaper, busy_factor,
                                       death_message, end_descendants)
from autograder.grading.wire import SocketLink
from autograder.harness.registry import exercises_of, load_chapter
from autograder.harness.runner import run_check
from autograder.harness.session import Session, WorkerLost
from autograder.harness.worker import Poisoned
from autograder.results import record

FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+) in (?P<fn>\S+)')


def where_it_hung(stack: str, submission: Path) -> tuple[str, str] | None:
    """``("ch3/softmax_regression.py", "softmax")`` of the innermost frame in the submission (faulthandler
    prints the most recent call first), and ``file.py:12 in fn`` for the message."""
    root = str(submission)
    for match in FRAME.finditer(stack):
        path = match["file"]
        if path.startswith(root):
            rel = str(Path(path).relative_to(root))
            return rel, match["fn"], f"{Path(path).name}:{match['line']} in {match['fn']}"
    return None


def blame(check, found, lost_in: list[str]) -> str | None:
    """The student object a hang is charged to: the function the stack was in (or the class it is a method
    of), else the object the check was calling, else the check's own exercise."""
    if found:
        rel, fn, _ = found
        if rel.endswith(".py") and "/" in rel:
            chapter, module = rel[:-3].split("/", 1)
            exercises = exercises_of(chapter) if chapter.startswith("ch") else {}
            key = f"{chapter}.{module.replace('/', '.')}.{fn}"
            if key in exercises:
                return key
            classes = [e.key for e in exercises.values() if e.module == module and e.name[:1].isupper()]
            if len(classes) == 1:
                return classes[0]
    return lost_in[0] if lost_in else check.exercise.target


@dataclasses.dataclass
class Job:
    submission: Path
    workdir: Path
    checks: list                  # in the order to run
    device: str
    platform: Platform
    limits: Limits
    reference_seconds: dict       # check id -> seconds the reference took (the profile), where known
    sandbox: dict                 # what the zygote gets: uid, hide, limits, home, threads, preload


def modules_of(targets: list[str]) -> list[str]:
    """``["ch3.softmax_regression"]`` of ``["ch3.softmax_regression.softmax", ...]``, in order, once each."""
    return list(dict.fromkeys(t.rsplit(".", 1)[0] for t in targets))


def import_modules(session: Session, link: SocketLink, targets: list[str], limit: float) -> WorkerLost | None:
    """Import the student's modules that a check needs, before its clock starts: an import has a limit of its own
    (``Limits.import_time``; a module may load data), so a check's limit is what its calls need. What goes wrong
    in an import other than a hang is left to the check, which reports it. The ``WorkerLost`` of a hang or crash."""
    link.allow(limit)
    try:
        for target in targets:
            try:
                session.resolve(target, target.rsplit(".", 1)[1])
            except AssertionError:     # not importable, or no such name: the check says so
                pass
    except WorkerLost as e:
        return e
    return None


def end_lost(sandbox: Sandbox, worker, lost: WorkerLost, limit: float, submission: Path, importing: bool = False):
    """Kill a lost worker; ``(message, where it hung)`` for the check's record."""
    found = where_it_hung(sandbox.stack(worker), submission) if lost.timed_out else None
    status = sandbox.kill(worker)
    message = str(lost) if lost.garbled else \
        death_message(status, lost.timed_out, limit, found[2] if found else "", importing=importing)
    return message, found


def scratch_folder(job: Job) -> str:
    """This judge's folder under the grading's ``scratch``, the sandbox uid's, emptied before each of its workers
    starts (where the workers write when the sandbox has no private /tmp)."""
    folder = tempfile.mkdtemp(prefix="judge-", dir=job.workdir / "scratch")
    if job.sandbox["uid"] is not None:
        os.chown(folder, job.sandbox["uid"], job.sandbox["uid"])
    return folder


def judge(job: Job, emit) -> dict:
    """Run ``job.checks`` and ``emit(record)`` for each as it finishes; return what the run was like."""
    output = Output(job.limits.output)
    sandbox = Sandbox({**job.sandbox, "submission": str(job.submission), "device": job.device,
                       "workdir": str(job.workdir), "scratch": scratch_folder(job)},
                      job.workdir, job.platform, job.limits, output)
    poisoned: dict[str, str] = {}
    worker = None
    fresh_each_check = job.device == "cpu"
    try:
        for check in job.checks:
            targets = [check.target(p) for p in check.parameters() if p != "device"]
            hit = next((t for t in targets if t in poisoned), None)
            if hit is not None:
                emit(record(check, "failed", poisoned[hit]))
                continue
            if worker is None or fresh_each_check:
                if worker is not None:
                    sandbox.kill(worker)
                    worker = None
                try:
                    worker = sandbox.spawn()
                except WorkerLost as e:
                    emit(record(check, "failed", str(e)))
                    continue
            busy = busy_factor()
            link = SocketLink(worker.sock)
            session = Session(link, job.device)
            link.on_callback = session.on_callback
            limit = job.limits.import_limit(busy)
            lost = import_modules(session, link, targets, limit)
            if lost is not None:
                message, _ = end_lost(sandbox, worker, lost, limit, job.submission, importing=True)
                worker = None
                emit(record(check, "failed", message))
                if lost.timed_out:
                    for module in modules_of(targets):
                        chapter, name = module.split(".", 1)
                        poisoned.update({e.target: f"not run: importing {name.replace('.', '/')}.py did not finish "
                                                   f"in an earlier check ({check.id}): {message}"
                                         for e in exercises_of(chapter).values() if e.module == name})
                continue
            limit = job.limits.check_time(check, job.reference_seconds.get(check.id), busy)
            link.allow(limit)
            start = time.perf_counter()
            try:
                outcome = run_check(check, session, job.device,
                                    replace=[(t, Poisoned(m)) for t, m in poisoned.items()])
                emit(record(check, outcome.outcome, outcome.message, outcome.seconds, outcome.curves))
                if not outcome.clean or session.sent_in_place:    # a reference's code never outlives its check
                    sandbox.kill(worker)
                    worker = None
            except WorkerLost as e:
                message, found = end_lost(sandbox, worker, e, limit, job.submission)
                worker = None
                emit(record(check, "failed", message, time.perf_counter() - start))
                if e.timed_out:
                    culprit = blame(check, found, session.lost_in)
                    name = culprit.rsplit(".", 1)[1]
                    poisoned[culprit] = f"not run: {name} did not finish in an earlier check ({check.id}): {message}"
    finally:
        if worker is not None:
            sandbox.kill(worker)
        sandbox.close()
    return {"sandbox": sandbox.applied, "starts": sandbox.starts, "output": output.text(),
            "output_bytes": output.total}


def main() -> int:
    """The judge process: a job on stdin, records on stdout."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))     # the finally clauses close the sandbox
    become_subreaper()
    try:
        return _judge_job(json.loads(sys.stdin.readline()))
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)    # a second request to stop must not cut the cleanup short
        end_descendants()


def _judge_job(spec: dict) -> int:
    out = os.fdopen(spec["records_fd"], "w")
    sys.stdout = sys.stderr
    import torch
    torch.set_num_threads(spec["sandbox"]["threads"])
    by_id = {c.id: c for chapter in spec["chapters"] for c in load_chapter(chapter)}
    checks = [by_id[i] for i in spec["checks"]]
    job = Job(Path(spec["submission"]), Path(spec["workdir"]), checks, spec["device"],
              Platform(**spec["platform"]), Limits(**spec["limits"]), spec["reference_seconds"], spec["sandbox"])

    def emit(r: dict) -> None:
        out.write(json.dumps({"record": r}) + "\n")
        out.flush()
    try:
        info = judge(job, emit)
    except Exception as e:  # noqa: BLE001  (the grader's own failure: the parent reports it)
        out.write(json.dumps({"error": f"{type(e).__name__}: {e}"}) + "\n")
        out.flush()
        return 1
    out.write(json.dumps({"done": info}) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)      # no interpreter teardown (0.6 s with torch loaded): the grader waits for this exit
