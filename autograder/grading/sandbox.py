"""The sandbox: where a submission's code runs, and what the platform lets us close around it.

``Sandbox`` starts the zygote (``zygote.py``) inside the platform's isolation and hands the judge
fresh workers forked from it, each on a socket of its own; it kills a worker and everything the
worker started, and asks a hung worker where it is. The judge never reads a file the sandbox could
write: values come from the socket, and reports are written by the grader afterwards.

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

import ctypes
import dataclasses
import functools
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import autograder
from autograder.harness.registry import Check
from autograder.harness.session import WorkerLost

GRADER_ROOT = Path(autograder.__file__).resolve().parents[1]
UID_BASE = 61000                  # uid of parallel slot k: UID_BASE + k (root only)
NAMESPACES = ["--mount", "--net", "--pid", "--ipc", "--fork", "--kill-child", "--mount-proc"]


class GraderError(Exception):
    """The grader itself failed (not the submission): the command exits non-zero."""


@dataclasses.dataclass
class Limits:
    memory: int = 6 << 30          # RLIMIT_AS of a CPU sandbox (CUDA maps far more address space: not set there)
    processes: int = 256           # RLIMIT_NPROC of the sandbox uid (threads count)
    cpu: int = 3600                # RLIMIT_CPU of one worker, seconds (the wall clock is the real limit)
    file_size: int = 256 << 20     # RLIMIT_FSIZE
    output: int = 32 << 10         # bytes of the sandbox's stdout/stderr kept for the report
    startup: float = 180.0         # seconds for the sandbox to import torch and load the data
    time_scale: float = 1.0        # multiplies every check's time limit
    max_check_time: float | None = None   # caps every check's time limit (tests)
    factor: float = 10.0           # a check may take this many times what the reference took
    floor: float = 2.0             # ... and never less than this many seconds (a hang costs one floor per exercise)
    import_time: float = 20.0      # seconds to import a check's modules of the submission, before its clock starts
    busy_cap: float = 4.0          # ... times how busy the machine is now, up to this factor

    def check_time(self, check: Check, reference_seconds: float | None = None, busy: float = 1.0) -> float:
        """The check's limit (seconds the worker may take): ``factor`` times what the reference needed for it
        (measured once, ``profile.py``), at least ``floor`` seconds, times ``busy`` (``busy_factor()``: on a
        loaded machine a perfect check of many short calls ran past 3 s where the profile said 0.3), at most
        the check's flat limit; scaled by ``time_scale``."""
        limit = check.timeout if reference_seconds is None else \
            min(check.timeout, max(self.floor, self.factor * reference_seconds) * min(self.busy_cap, busy))
        limit *= self.time_scale
        return min(limit, self.max_check_time) if self.max_check_time else limit

    def import_limit(self, busy: float = 1.0) -> float:
        """Seconds to import the modules of the submission that a check needs (``import_time``, times ``busy``)."""
        limit = self.import_time * min(self.busy_cap, busy) * self.time_scale
        return min(limit, self.max_check_time) if self.max_check_time else limit


def busy_factor() -> float:
    """How much slower than when idle this machine runs now: the 1-minute load average per CPU this process
    may use, at least 1 (the same submission must get the same verdict on a busy machine)."""
    try:
        return max(1.0, os.getloadavg()[0] / max(1, len(os.sched_getaffinity(0))))
    except (OSError, AttributeError):
        return 1.0


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
    """What the sandbox must not be able to open: solutions, hidden checks, the suite's own tests (bug and book
    catalogs), git history, report folders and caches."""
    from autograder.harness.loader import REPO_ROOT
    paths = [REPO_ROOT / "solutions", REPO_ROOT / "autograder" / "checks" / "hidden", REPO_ROOT / "tests",
             REPO_ROOT / ".git", *extra]
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


def become_subreaper() -> None:
    """Orphans below this process come back to it rather than to the machine's init (Linux), so that it can
    reap them: a container's pid 1 often reaps nothing, and a zombie counts as a process left behind."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)     # PR_SET_CHILD_SUBREAPER


def descendants_of(root: int) -> list[int]:
    """Every process below ``root`` (Linux /proc), deepest first."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found[::-1]


def end_descendants(seconds: float = 5.0) -> None:
    """SIGKILL every process below this one and reap them all (this process a subreaper: orphans come back)."""
    if not sys.platform.startswith("linux"):
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for pid in descendants_of(os.getpid()):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            return                  # no child left, alive or zombie
        time.sleep(0.01)


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the process that started it dies (a killed grader leaves
    nothing behind; unshare passes it on to the namespace with --kill-child)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)    # PR_SET_PDEATHSIG
    os.setsid()


@dataclasses.dataclass
class WorkerHandle:
    sock: socket.socket
    stacks: int                    # the read end of the pipe the worker writes its stack to when asked
    pid: int                       # in the sandbox's pid namespace (for the notes only)

    def close(self) -> None:
        try:
            self.sock.close()
        finally:
            try:
                os.close(self.stacks)
            except OSError:
                pass


class Sandbox:
    """A zygote in the platform's isolation, and the workers it forks (one at a time)."""

    def __init__(self, job: dict, workdir: Path, platform: Platform, limits: Limits, output: Output):
        self.job, self.workdir, self.platform, self.limits, self.output = job, workdir, platform, limits, output
        self.proc = None
        self.applied: list[str] = []
        self.starts = 0
        self.start()

    def start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen(
            [*self.platform.wrapper, sys.executable, "-m", "autograder.grading.zygote", str(theirs.fileno())],
            cwd=self.workdir, env=child_env(Path(self.job["home"])), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, pass_fds=(theirs.fileno(),),
            preexec_fn=_die_with_parent)
        theirs.close()
        self.control, self.starts = ours, self.starts + 1
        self.reader = threading.Thread(target=self.output.drain, args=(self.proc.stdout,), daemon=True)
        self.reader.start()
        self._send({**self.job})
        answer = self._receive(self.limits.startup)
        if answer is None or "ready" not in answer:
            self.close()
            why = (answer or {}).get("failed", "it did not start")
            raise GraderError(f"the sandbox could not be prepared: {why}\n{self.output.text()[-3000:]}")
        self.applied = answer["ready"]

    def _send(self, message: dict) -> None:
        socket.send_fds(self.control, [json.dumps(message).encode()], [])

    def _receive(self, timeout: float):
        """The zygote's next message (and the fds it carries), or None when it is gone or silent."""
        if not select.select([self.control], [], [], timeout)[0]:
            return None
        try:
            data, fds, _, _ = socket.recv_fds(self.control, 1 << 16, 4)
        except OSError:
            return None
        if not data:
            return None
        message = json.loads(data)
        if fds:
            message["fds"] = fds
        return message

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def spawn(self) -> WorkerHandle:
        """A fresh worker (the zygote is restarted first if a worker killed it). Raises ``WorkerLost`` when none
        can be started (the process cap stays full): that check is charged, not the grader."""
        why = "the sandbox did not answer"
        for attempt in range(6):
            if not self.alive():
                self.close()
                self.start()
            try:
                self._send({"do": "spawn"})
            except OSError:
                answer = None
            else:
                answer = self._receive(30)
            if answer and "spawned" in answer and len(answer.get("fds", [])) == 2:
                sock_fd, stacks = answer["fds"]
                return WorkerHandle(socket.socket(fileno=sock_fd), stacks, answer["spawned"])
            if answer and "spawn_failed" in answer:
                why = answer["spawn_failed"]
                self.kill(None)
                time.sleep(0.5 * (attempt + 1))
                continue
            self.close()
        raise WorkerLost(f"no grading process could be started for this check ({why}): the submission's processes "
                         "filled the sandbox's process limit", garbled=True)

    def stack(self, worker: WorkerHandle, timeout: float = 1.0) -> str:
        """The worker's Python stack right now (faulthandler), to say where a hang was."""
        try:
            self._send({"do": "dump"})
            self._receive(timeout)
        except OSError:
            return ""
        text, deadline = b"", time.monotonic() + timeout
        while time.monotonic() < deadline and select.select([worker.stacks], [], [], 0.2)[0]:
            chunk = os.read(worker.stacks, 1 << 16)
            if not chunk:
                break
            text += chunk
        return text.decode(errors="replace")

    def kill(self, worker: WorkerHandle | None) -> str:
        """Kill the worker and everything it started; its end (``exit N``, ``signal N``, ``running``)."""
        status = "gone"
        try:
            self._send({"do": "kill"})
            answer = self._receive(5)
            status = answer.get("status", "gone") if answer else "gone"
        except OSError:
            pass
        if status == "gone":
            self.close()        # the zygote itself is unresponsive: its namespace goes with it
        if worker is not None:
            worker.close()
        return status

    def close(self) -> None:
        if self.proc is None:
            return
        try:
            self._send({"do": "quit"})
        except OSError:
            pass
        try:
            self.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.reader.join(timeout=5)
        self.control.close()
        self.proc = None


def death_message(status: str, timed_out: bool, limit: float, where: str = "", importing: bool = False) -> str:
    at = f"; it was running {where}" if where else ""
    if timed_out and importing:
        return (f"stopped: importing the module did not finish within {limit:.3g} s (code at the top level of the "
                f"file that loops, sleeps or trains? keep it under `if __name__ == \"__main__\":`){at}")
    if timed_out:
        return (f"stopped: it ran past the time limit of {limit:.3g} s (an infinite loop, a sleep, or far too "
                f"slow?){at}")
    if status.startswith("signal "):
        number = int(status.split()[1])
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        why = {"SIGKILL": " (out of memory?)", "SIGXCPU": " (over the CPU-time limit)",
               "SIGXFSZ": " (a file over the size limit)", "SIGSEGV": " (a crash)"}.get(name, "")
        return f"the grading process was killed by {name}{why} while this check ran{at}"
    code = status.split()[1] if status.startswith("exit ") else "unknown"
    return (f"the code under test ended the grading process (exit status {code}) while this check ran: "
            f"os._exit(), a crash, or closing the grader's connection{at}")
