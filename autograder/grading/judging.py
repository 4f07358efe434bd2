"""Run judges (``judge.py``) as processes, a few at once, and gather what they decide.

A submission's chapters are shared among up to ``parallel`` judge processes (balanced by what the
reference needed for them); each judge streams one record per check. A judge that fails is the
grader's failure (``GraderError``). ``stop_all()`` (called on SIGTERM/SIGINT) kills every judge and
its sandbox at once; the checks not finished by then are reported as stopped.
"""
from __future__ import annotations

import dataclasses
import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

from autograder.grading.sandbox import GRADER_ROOT, GraderError, _die_with_parent

STOPPED = "grading stopped: time limit of the platform (the grader was told to stop before this check finished)"
_STOP = threading.Event()
_LIVE: set = set()
_LOCK = threading.Lock()


def stopping() -> bool:
    return _STOP.is_set()


def stop_all(*_) -> None:
    """Stop every judge now (a signal handler): each ends its sandbox and reaps it, then exits."""
    _STOP.set()
    with _LOCK:
        for proc in list(_LIVE):
            try:
                os.kill(proc.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass


def install_signal_handlers() -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop_all)


def split(chapters: dict[str, float], parallel: int) -> list[list[str]]:
    """Chapters shared among ``parallel`` judges, longest first onto the least loaded (what the reference needs)."""
    groups: list[tuple[float, list[str]]] = [(0.0, []) for _ in range(max(1, min(parallel, len(chapters))))]
    for chapter, seconds in sorted(chapters.items(), key=lambda kv: -kv[1]):
        load, names = min(groups, key=lambda g: g[0])
        groups.remove((load, names))
        groups.append((load + seconds, names + [chapter]))
    return [names for _, names in groups if names]


@dataclasses.dataclass
class JudgeRun:
    records: dict                  # check id -> record
    notes: list
    output: list
    flags: list = dataclasses.field(default_factory=list)


KIND_ORDER = {"correctness": 0, "speed": 1, "accuracy": 2}


def in_running_order(checks: list) -> list:
    """Within a chapter, unit checks first, then speed, then training: a function that hangs is met (and
    poisoned) by its quickest check. Within a kind, exercise by exercise in book order (public checks first):
    every unit check of an exercise has run before a later exercise's check sends its reference in place."""
    return sorted(checks, key=lambda c: (KIND_ORDER[c.kind], c.exercise.order))


def _read_only_tree(root: Path) -> None:
    """``root`` the grader's, readable by all, writable by nobody else (the sandbox's uid reads it)."""
    for folder, dirs, files in os.walk(root):
        os.chown(folder, 0, 0)
        os.chmod(folder, 0o755)
        for name in files:
            os.chown(os.path.join(folder, name), 0, 0)
            os.chmod(os.path.join(folder, name), 0o644)


def judge_submission(source: Path, work: Path, checks: list, options, *, platform, device: str,
                     reference_seconds: dict, slot: int = 0, hide_extra=()) -> JudgeRun:
    """Read the submission into ``work`` (symbolic links never followed), then grade ``checks`` on it."""
    from autograder.grading.sandbox import secret_paths
    from autograder.grading.submission import SubmissionError, prepare
    from autograder.grading.tamper import audit
    os.chmod(work, 0o711)           # the sandbox uid may pass through, not list or write
    submission, home, scratch = work / "submission", work / "home", work / "scratch"
    home.mkdir(exist_ok=True)
    scratch.mkdir(exist_ok=True)
    try:
        notes = prepare(Path(source), submission)
    except SubmissionError as e:
        message = f"the submission could not be read: {e}"
        from autograder.results import record
        return JudgeRun({c.id: record(c, "failed", message) for c in checks}, [message], [])
    flags = audit(submission)
    uid = platform.uid(slot)
    if uid is not None:
        # The workers write only where each finds an empty folder of its own (zygote.Scratch): not into the
        # submission (a later worker imports it) nor the home (the caches the sandbox made before any student code)
        _read_only_tree(submission)
        _read_only_tree(home)
        os.chmod(scratch, 0o711)     # each judge's folder in it is the sandbox uid's (judge.scratch_folder)
    import dataclasses as _dc
    job = {"submission": str(submission), "workdir": str(work), "device": device,
           "platform": _dc.asdict(platform), "limits": _dc.asdict(options.limits),
           "sandbox": {"uid": uid, "hide": secret_paths([Path(p) for p in hide_extra]) if platform.hides_files
                       else [], "limits": _dc.asdict(options.limits), "home": str(home),
                       "threads": options.threads or 1, "preload": preload_for(checks),
                       "matplotlib": any(b"matplotlib" in f.read_bytes() for f in submission.rglob("*.py"))}}
    run = run_judges(job, in_running_order(checks), reference_seconds, options.parallel)
    run.notes[:0] = notes
    run.flags = flags
    return run


def preload_for(checks: list) -> list[str]:
    """The data sets the sandbox loads before forking workers (shared, so each training check starts at once)."""
    return ["fashion_mnist"] if any(c.kind == "accuracy" and c.exercise.chapter in ("ch3", "ch4", "ch6", "ch7")
                                    for c in checks) else []


def run_judges(job: dict, checks: list, reference_seconds: dict, parallel: int) -> JudgeRun:
    """Grade ``checks`` (chapter by chapter) with up to ``parallel`` judges; ``job`` is what every judge gets."""
    by_chapter: dict[str, list] = {}
    for c in checks:
        by_chapter.setdefault(c.exercise.chapter, []).append(c)
    load = {ch: sum(reference_seconds.get(c.id, 1.0) for c in cs) for ch, cs in by_chapter.items()}
    run = JudgeRun({}, [], [])
    procs = []
    for group in split(load, parallel):
        if stopping():
            break
        read_fd, write_fd = os.pipe()
        ids = [c.id for ch in group for c in by_chapter[ch]]
        spec = {**job, "chapters": group, "checks": ids, "records_fd": write_fd,
                "reference_seconds": {i: reference_seconds[i] for i in ids if i in reference_seconds}}
        proc = subprocess.Popen([sys.executable, "-m", "autograder.grading.judge"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(write_fd,),
                                cwd=GRADER_ROOT, preexec_fn=_die_with_parent, env={**os.environ,
                                "PYTHONPATH": os.pathsep.join([str(GRADER_ROOT), os.environ.get("PYTHONPATH", "")])})
        os.close(write_fd)
        with _LOCK:
            _LIVE.add(proc)
        proc.stdin.write((json.dumps(spec) + "\n").encode())
        proc.stdin.close()
        procs.append((proc, os.fdopen(read_fd, "rb"), group))
        stderr_tail = bytearray()
        threading.Thread(target=_drain, args=(proc.stderr, stderr_tail), daemon=True).start()
        procs[-1] = (*procs[-1], stderr_tail)
    failures = []
    buffers = {p[0].pid: b"" for p in procs}
    open_streams = {p[1]: p for p in procs}
    while open_streams:
        ready, _, _ = select.select(list(open_streams), [], [], 0.5)
        if stopping():
            break
        for stream in ready:
            proc, _, group, tail = open_streams[stream]
            chunk = stream.read1(1 << 16)
            if not chunk:
                del open_streams[stream]
                continue
            buffers[proc.pid] += chunk
            *lines, buffers[proc.pid] = buffers[proc.pid].split(b"\n")
            for line in lines:
                message = json.loads(line)
                if "record" in message:
                    run.records[message["record"]["id"]] = message["record"]
                elif "done" in message:
                    info = message["done"]
                    run.notes.append(f"{', '.join(group)}: {info['starts']} sandbox start(s); "
                                     + ", ".join(info["sandbox"]))
                    if info["output"].strip():
                        run.output.append(f"--- {', '.join(group)} ({info['output_bytes']:,} bytes) ---\n"
                                          f"{info['output']}")
                elif "error" in message:
                    failures.append(f"{', '.join(group)}: {message['error']}")
    for proc, stream, group, tail in procs:
        if stopping():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:   # a judge that cannot end: its sandbox dies with it (PDEATHSIG)
                os.killpg(proc.pid, signal.SIGKILL)
        code = proc.wait()
        stream.close()
        with _LOCK:
            _LIVE.discard(proc)
        if code != 0 and not stopping() and not any(", ".join(group) in f for f in failures):
            failures.append(f"{', '.join(group)}: the judge ended with status {code}:\n"
                            f"{bytes(tail).decode(errors='replace')[-3000:]}")
    if failures and not stopping():
        raise GraderError("; ".join(failures))
    return run


def _drain(stream, tail: bytearray, keep: int = 1 << 16) -> None:
    while chunk := stream.read1(1 << 16):
        tail += chunk
        del tail[:-keep]
