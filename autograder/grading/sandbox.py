"""Run checks on untrusted code in child processes, and decide what each check earned.

One child per group of checks (a chapter). The parent sends one check id at a time and waits
for one frame on a private pipe, under that check's wall-clock limit. If the child dies or runs
past the limit, the parent kills its whole process tree, charges that check alone (with the
reason: time limit, memory, exit code, signal), and runs the remaining checks in a fresh child,
so checks before and after keep the points they earn. The parent never reads a file the child
could write: verdicts come from the pipe, and reports are written by the parent afterwards.

What the platform gives (``detect``):

- Linux as root: the child starts in new mount, network, and pid namespaces (``unshare``),
  hides the solutions, the hidden checks, the git history and the report folders under an
  empty tmpfs, then runs as a uid of its own (one per parallel slot) with RLIMIT_NPROC, so a
  fork bomb or a file write cannot reach the grader, the other students or the network;
  killing the namespace's first process kills every process the submission started.
- Linux, not root, with unprivileged user namespaces: the same namespaces (network, pid,
  mount: the secret files are hidden), but the grader's own uid and no process cap.
- Anywhere else: a new session (killed as a group), rlimits (memory, CPU, file size), a
  scrubbed environment and a private working folder; no network isolation, the grader's uid.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import autograder
from autograder.harness.registry import Check

GRADER_ROOT = Path(autograder.__file__).resolve().parents[1]
UID_BASE = 61000                  # uid of parallel slot k: UID_BASE + k (root only)
NAMESPACES = ["--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc"]


class GraderError(Exception):
    """The grader itself failed (not the submission): the command exits non-zero."""


@dataclasses.dataclass
class Limits:
    memory: int = 6 << 30          # RLIMIT_AS of a CPU child (CUDA maps far more address space: not set there)
    processes: int = 256           # RLIMIT_NPROC of the sandbox uid (threads count)
    cpu: int = 3600                # RLIMIT_CPU of one child, seconds (the wall clock is the real limit)
    file_size: int = 256 << 20     # RLIMIT_FSIZE
    output: int = 32 << 10         # bytes of the child's stdout/stderr kept for the report
    startup: float = 180.0         # seconds for a child to import torch, the checks and the references
    time_scale: float = 1.0        # multiplies every check's time limit
    max_check_time: float | None = None   # caps every check's time limit (tests)

    def check_time(self, check: Check) -> float:
        limit = check.timeout * self.time_scale
        return min(limit, self.max_check_time) if self.max_check_time else limit


@dataclasses.dataclass
class Platform:
    wrapper: list[str]             # command prefix that starts the child in its namespaces
    switch_uid: bool
    notes: list[str]

    def uid(self, slot: int) -> int | None:
        return UID_BASE + slot if self.switch_uid else None

    @property
    def hides_files(self) -> bool:
        return bool(self.wrapper)


def closed_ancestor(path: str) -> str | None:
    """The first folder above ``path`` that other users cannot pass through (e.g. /root, mode 0700)."""
    parts = os.path.realpath(path).split("/")[1:]
    for i in range(1, len(parts)):
        folder = "/" + "/".join(parts[:i])
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def data_dir() -> str:
    """The data folder the parent would use (passed to the child as D2L_DATA_DIR), or ''."""
    from d2lkit.data import search_dirs
    return next((str(d) for d in search_dirs() if d.is_dir()), "")


def runtime_paths() -> list[str]:
    """What the sandbox uid must reach: the interpreter, its libraries, the grader, the data."""
    data = data_dir()
    return [p for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path, str(GRADER_ROOT), data,
                        os.path.dirname(os.path.realpath(sys.executable))) if p and os.path.exists(p)]


def _works(command: list[str]) -> bool:
    try:
        return subprocess.run(command + ["true"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@functools.lru_cache(maxsize=1)
def detect() -> Platform:
    """What isolation this machine gives (probed once per process)."""
    unshare = shutil.which("unshare")
    if sys.platform.startswith("linux") and unshare:
        if os.geteuid() == 0 and _works([unshare, *NAMESPACES]):
            return Platform([unshare, *NAMESPACES], True,
                            ["Linux, root: mount/network/pid namespaces, a uid per slot, rlimits"])
        userns = [unshare, "--user", "--map-root-user", *NAMESPACES]
        if _works(userns):
            return Platform(userns, False, ["Linux, not root: user/mount/network/pid namespaces and rlimits; "
                                            "the grader's uid, no process cap"])
    if hasattr(os, "geteuid") and os.geteuid() == 0 and not any(closed_ancestor(p) for p in runtime_paths()):
        return Platform([], True, [f"{sys.platform}, root without namespaces: a uid per slot and rlimits; the "
                                   "network is reachable and world-readable files (solutions!) can be read"])
    return Platform([], False, [f"{sys.platform}: no namespaces available: rlimits, a new session, a scrubbed "
                                "environment and a private folder only; the network is reachable and the "
                                "code runs as the grader's user"])


def secret_paths(extra: list[Path] = ()) -> list[str]:
    """What the child must not be able to open: solutions, hidden checks, git history, report folders."""
    from autograder.harness.loader import REPO_ROOT
    paths = [REPO_ROOT / "solutions", REPO_ROOT / "autograder" / "checks" / "hidden", REPO_ROOT / ".git", *extra]
    git = REPO_ROOT / ".git"
    if git.is_file():        # a worktree: the history lives in the main checkout's .git
        target = Path(git.read_text().split("gitdir:", 1)[-1].strip())
        paths.append(target.parents[1] if target.parent.name == "worktrees" else target)
    return sorted({str(p.resolve()) for p in paths if p.exists()})


class Output:
    """The head of a child's stdout/stderr (at most ``cap`` bytes kept), and how much there was."""

    def __init__(self, cap: int):
        self.cap, self.head, self.total = cap, bytearray(), 0

    def drain(self, stream) -> None:
        while chunk := stream.read1(1 << 16):
            self.total += len(chunk)
            if len(self.head) < self.cap:
                self.head += chunk[: self.cap - len(self.head)]

    def text(self) -> str:
        text = self.head.decode(errors="replace")
        if self.total > len(self.head):
            text += f"\n[... {self.total - len(self.head):,} more bytes of output not kept]"
        return text


def child_env(home: Path) -> dict:
    """A scrubbed environment: nothing of the grader's (tokens, secrets) reaches the child."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(home), "LANG": "C.UTF-8",
           "D2L_GRADER_PATHS": os.pathsep.join(runtime_paths()),
           "PYTHONPATH": str(GRADER_ROOT), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
           "MPLBACKEND": "Agg", "D2L_NO_DOWNLOAD": "1", "XDG_CACHE_HOME": str(home / ".cache")}
    # No OMP_NUM_THREADS: set, it makes libgomp spin-wait, 10x slower on a busy machine; the child calls
    # torch.set_num_threads(threads) instead.
    if data_dir():
        env["D2L_DATA_DIR"] = data_dir()
    return env


class Child:
    """One grading process; ``run(check)`` returns its frame, or ``None`` and why it died."""

    def __init__(self, job: dict, workdir: Path, platform: Platform, limits: Limits, output: Output):
        self.token, self.seq, self.limits = secrets.token_hex(16), 0, limits
        read_fd, write_fd = os.pipe()
        job = {**job, "fd": write_fd, "token": self.token}
        self.proc = subprocess.Popen(
            [*platform.wrapper, sys.executable, "-m", "autograder.grading.child"], cwd=workdir,
            env=child_env(Path(job["home"])), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, pass_fds=(write_fd,), start_new_session=True)
        os.close(write_fd)
        self.results, self.buffer, self.killed_for_time = os.fdopen(read_fd, "rb", buffering=0), b"", False
        self.reader = threading.Thread(target=output.drain, args=(self.proc.stdout,), daemon=True)
        self.reader.start()
        self._send(job)

    def _send(self, message: dict) -> bool:
        try:
            self.proc.stdin.write((json.dumps(message) + "\n").encode())
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    def _frame(self, timeout: float) -> dict | None:
        """The next frame, or None (timeout, or the child closed the pipe)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.results], [], [], left)[0]:
                self.killed_for_time = True
                return None
            chunk = self.results.read(1 << 16)
            if not chunk:
                return None
            self.buffer += chunk
            if len(self.buffer) > 16 << 20:
                return {"forged": "an oversized message"}
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            frame = json.loads(line)
        except ValueError:
            return {"forged": "a message that is not the grader's"}
        if not isinstance(frame, dict) or frame.get("token") != self.token:
            return {"forged": "a message without the grader's token"}
        return frame

    def ready(self) -> list[str] | None:
        frame = self._frame(self.limits.startup)
        return frame.get("ready") if frame and "ready" in frame else None

    def run(self, check: Check) -> dict | None:
        if not self._send({"run": check.id}):
            return None
        frame = self._frame(self.limits.check_time(check))
        if frame is None:
            return None
        self.seq += 1
        if "forged" in frame or frame.get("seq") != self.seq or frame.get("id") != check.id:
            return {"outcome": "failed", "restart": True, "duration": 0, "curves": {},
                    "message": f"the result pipe received {frame.get('forged', 'a result the grader did not ask for')}"
                               ": tampering with the grader's results is not graded"}
        return frame

    def stop(self) -> int | None:
        """Kill the child and everything it started; return its exit status."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=0.5 if not self.killed_for_time else 0)
        except subprocess.TimeoutExpired:
            pass
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        status = self.proc.wait()
        self.reader.join(timeout=5)
        self.results.close()
        return status


def death_message(check: Check, status: int | None, limits: Limits, timed_out: bool) -> str:
    if timed_out:
        return (f"stopped: it ran past the time limit of {limits.check_time(check):g} s "
                "(an infinite loop, a sleep, or far too slow?)")
    if status is not None and status < 0:
        name = signal.Signals(-status).name if -status in signal.Signals._value2member_map_ else str(-status)
        why = {"SIGKILL": " (out of memory?)", "SIGXCPU": " (over the CPU-time limit)",
               "SIGXFSZ": " (a file over the size limit)", "SIGSEGV": " (a crash)"}.get(name, "")
        return f"the grading process was killed by {name}{why} while this check ran"
    return (f"the code under test ended the grading process (exit status {status}) while this check ran: "
            "os._exit(), a crash, or closing the grader's pipe")


def run_checks(checks: list[Check], *, submission: Path, workdir: Path, device: str, platform: Platform,
               limits: Limits, slot: int = 0, threads: int = 1, hide: list[str] = ()) -> tuple[dict, dict]:
    """Run ``checks`` (one chapter's, say) on ``submission``; return ``{check id: frame}`` and run info."""
    output, frames, pending = Output(limits.output), {}, list(checks)
    info = {"children": 0, "sandbox": []}
    job = {"submission": str(submission), "chapters": sorted({c.exercise.chapter for c in checks}),
           "device": device, "uid": platform.uid(slot), "hide": list(hide) if platform.hides_files else [],
           "threads": threads, "home": str(workdir / "home"), "limits": dataclasses.asdict(limits)}
    while pending:
        child = Child(job, workdir, platform, limits, output)
        info["children"] += 1
        applied = child.ready()
        if applied is None:
            status = child.stop()
            if info["children"] == 1:
                raise GraderError(f"the grading process did not start (exit status {status}):\n{output.text()[-3000:]}")
            for check in pending:    # it started before: the submission left the machine unusable
                frames[check.id] = {"outcome": "failed", "message": "not run: the grading process could not be "
                                    "restarted after the previous check", "duration": 0, "curves": {}}
            break
        info["sandbox"] = applied
        while pending:
            check = pending.pop(0)
            frame = child.run(check)
            if frame is None:
                status = child.stop()
                frames[check.id] = {"outcome": "failed", "duration": limits.check_time(check), "curves": {},
                                    "message": death_message(check, status, limits, child.killed_for_time)}
                break
            frames[check.id] = frame
            if frame.get("restart"):
                child.stop()
                break
        else:
            child.stop()
    info["output"], info["output_bytes"] = output.text(), output.total
    return frames, info
