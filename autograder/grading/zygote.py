"""The sandbox's first process: it prepares once, then forks a fresh worker for the judge on demand.

Started by ``sandbox.Sandbox`` inside the platform's namespaces (``python -m autograder.grading.zygote FD``;
FD is its control socket). Before any student code exists, it imports torch, the worker's side of
the harness and d2lkit, loads the data sets the chapters need (shared with every worker, copy on
write), hides the secret files from itself (an empty tmpfs over each, in its private mount
namespace), switches to the sandbox's uid and lowers its limits. Then, for each ``spawn``, it forks a
worker: a process of its own session that imports the submission and answers the judge's requests
on a socket the zygote hands to the judge (with a pipe on which the worker writes its Python stack
when asked, to tell where a hang was). ``kill`` kills the worker and everything it started. The
zygote never runs student code; a worker may kill it (when it is not the namespace's first process),
and the judge then starts another.
"""
from __future__ import annotations

import ctypes
import faulthandler
import json
import os
import resource
import shutil
import signal
import socket
import sys
import tempfile
import time

from autograder.grading.sandbox import become_subreaper, closed_ancestor, descendants_of

CONTROL_BYTES = 1 << 16
# The folders every user may write (sticky), given a private tmpfs in the sandbox's mount namespace
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")


def _mount_empty(path: str) -> None:
    """Hide ``path`` from this mount namespace: an empty tmpfs over a folder, /dev/null over a file."""
    libc = ctypes.CDLL(None, use_errno=True)
    if os.path.isdir(path):
        ok = libc.mount(b"none", path.encode(), b"tmpfs", 0, b"size=4k,mode=0700") == 0
    else:
        ok = libc.mount(b"/dev/null", path.encode(), None, 4096, None) == 0   # MS_BIND
    if not ok:
        raise OSError(ctypes.get_errno(), f"cannot hide {path}")


def _mount_private_tmp(path: str, keep: list[str]) -> list[str]:
    """A tmpfs of this mount namespace only over ``path``, writable by all as such folders are (mode 1777), with
    the paths of ``keep`` that were below it bound back in (the grader, its interpreter, this grading's folder);
    return the names at its top that lead to them (never emptied: root's folders, not writable by the sandbox)."""
    real = os.path.realpath(path)
    kept: list[str] = []
    for p in sorted({os.path.realpath(k) for k in keep if k and os.path.exists(k)}):
        if p.startswith(real + "/") and not any(p.startswith(k + "/") for k in kept):
            kept.append(p)
    fds = [os.open(p, os.O_PATH) for p in kept]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(b"none", real.encode(), b"tmpfs", 0, b"size=2g,mode=1777") != 0:
        raise OSError(ctypes.get_errno(), f"cannot mount a private tmpfs over {path}")
    for p, fd in zip(kept, fds):
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(p, mode=0o755, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(p), mode=0o755, exist_ok=True)
            open(p, "a").close()
        if libc.mount(f"/proc/self/fd/{fd}".encode(), p.encode(), None, 4096 | 16384, None) != 0:  # BIND|REC
            raise OSError(ctypes.get_errno(), f"cannot bind {p} back into the private {path}")
        os.close(fd)
    return sorted({os.path.relpath(p, real).split("/")[0] for p in kept})


def reopen_for_sandbox_uid(paths: list[str]) -> list[str]:
    """Let the sandbox uid reach ``paths`` (the interpreter, the libraries, the grader) when they sit under
    a folder closed to others: in this mount namespace only, an empty tmpfs replaces that folder and
    each needed path is bind-mounted back into it (the rest of it, e.g. /root/.ssh, stays out of reach)."""
    needed: dict[str, list[str]] = {}
    for path in sorted({os.path.realpath(p) for p in paths if p and os.path.exists(p)}):
        blocker = closed_ancestor(path)
        if blocker and not any(path.startswith(p + "/") for p in needed.get(blocker, [])):
            needed.setdefault(blocker, []).append(path)
    libc = ctypes.CDLL(None, use_errno=True)
    for blocker, inside in needed.items():
        fds = [os.open(p, os.O_RDONLY | os.O_DIRECTORY) for p in inside]
        if libc.mount(b"none", blocker.encode(), b"tmpfs", 0, b"size=64k,mode=0755") != 0:
            raise OSError(ctypes.get_errno(), f"cannot mount a tmpfs over {blocker}")
        for path, fd in zip(inside, fds):
            os.makedirs(path, mode=0o755, exist_ok=True)
            if libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, 4096 | 16384, None) != 0:  # BIND|REC
                raise OSError(ctypes.get_errno(), f"cannot bind {path}")
            os.close(fd)
    return sorted(needed)


def _limit(kind: int, value: int | None) -> None:
    if value:
        soft, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value))


def _warm_up(torch) -> None:
    """Pay torch's lazy imports once here, not in every forked worker (the first meta-device operation alone
    imports sympy: 1.5 s)."""
    import cloudpickle  # noqa: F401
    import pandas  # noqa: F401
    from autograder.harness.forbid import call_recorded
    x = torch.ones(2, 3, requires_grad=True)
    call_recorded(lambda t: (t.exp() @ t.T).softmax(1).sum(), x)[0].backward()
    torch.ones(2, device="meta").exp()
    torch.optim.SGD([torch.nn.Parameter(torch.ones(2))], lr=0.1).step()
    torch.nn.functional.cross_entropy(torch.randn(2, 3), torch.tensor([0, 1]))


def prepare(job: dict) -> list[str]:
    """Import everything trusted, load the data, then close the doors; return what was applied."""
    import torch
    torch.set_num_threads(job["threads"])
    import autograder.harness  # noqa: F401  (the worker's side of the boundary, before any student code)
    from autograder.harness import worker  # noqa: F401
    import d2lkit
    _warm_up(torch)
    for name in job.get("preload", []):
        if name == "fashion_mnist":
            d2lkit.fashion_mnist_tensors(True)
            d2lkit.fashion_mnist_tensors(False)
    applied = []
    if job["uid"] is not None and job["hide"]:
        keep = [*sys.path, *os.environ.get("D2L_GRADER_PATHS", "").split(os.pathsep), job["workdir"]]
        job["private_tmp"] = {p: _mount_private_tmp(p, keep) for p in SHARED_TMP
                              if os.path.isdir(p) and not os.path.islink(p)}
        applied.append(f"{', '.join(job['private_tmp'])} private, emptied for every worker")
        reopened = reopen_for_sandbox_uid([*sys.path, *os.environ.get("D2L_GRADER_PATHS", "").split(os.pathsep)])
        if reopened:
            applied.append(f"{', '.join(reopened)} emptied except the interpreter and libraries")
    if job["hide"]:
        for path in job["hide"]:
            if os.path.exists(path):
                _mount_empty(path)
        applied.append("secret files hidden (private mount namespace)")
    if job.get("matplotlib"):
        import matplotlib.font_manager  # noqa: F401  (its font cache, built once, read-only to the workers)
    if job["uid"] is not None:
        os.setgroups([])
        os.setgid(job["uid"])
        os.setuid(job["uid"])
        applied.append(f"uid {os.getuid()}")
    limits = job["limits"]
    if limits["memory"] and job["device"] == "cpu":
        _limit(resource.RLIMIT_AS, limits["memory"])
        applied.append(f"address space {limits['memory'] >> 20} MiB")
    if job["uid"] is not None and limits["processes"]:
        _limit(resource.RLIMIT_NPROC, limits["processes"])
        applied.append(f"{limits['processes']} processes")
    _limit(resource.RLIMIT_CPU, limits["cpu"])
    _limit(resource.RLIMIT_FSIZE, limits["file_size"])
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if os.getpid() != 1:        # pid 1 of its namespace gets the orphans anyway
        become_subreaper()      # orphans of the workers come back to us
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)   # PR_SET_DUMPABLE 0: a worker (same uid) cannot ptrace us
    return applied


class Scratch:
    """Where a worker may write, and nothing left there by the worker before it: the sandbox's private temporary
    folders when it has them (``job["private_tmp"]``; a worker's own folder is made in /tmp) and its judge's own
    folder, ``job["scratch"]``. The home, the submission and the grading's folder are not writable by the
    sandbox's uid."""

    def __init__(self, job: dict):
        # folder -> names at its top to leave alone; the first holds the workers' own folders
        self.roots = {**job.get("private_tmp", {}), job["scratch"]: []}
        self.count = 0

    def fresh(self) -> str:
        """Empty every root (the workers before are dead by now), then a new folder for the next worker."""
        for root, leave in self.roots.items():
            _empty(root, leave)
        self.count += 1
        folder = os.path.join(next(iter(self.roots)), f"worker-{self.count}")
        os.mkdir(folder, 0o700)
        return folder


def _empty(folder: str, leave=()) -> None:
    def writable_then_again(function, path, _):
        try:
            os.chmod(os.path.dirname(path), 0o700)
            function(path)
        except OSError:
            pass                # not ours (made before the sandbox's uid existed): it cannot be written either
    for entry in os.scandir(folder):
        if entry.name in leave:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, onerror=writable_then_again)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def worker_main(job: dict, sock: socket.socket, stacks: int, folder: str) -> None:
    """In the forked child: become the worker (never returns); ``folder``: its own, empty, its home and cwd."""
    try:
        os.environ["HOME"] = os.environ["TMPDIR"] = folder
        tempfile.tempdir = folder
        os.chdir(folder)
        os.setsid()
        if sys.platform.startswith("linux"):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG: dies with the zygote
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        faulthandler.register(signal.SIGUSR1, file=os.fdopen(stacks, "w", closefd=False), all_threads=True)
        from autograder.grading.wire import serve
        from autograder.harness.loader import Implementation
        from autograder.harness.worker import Worker
        implementation = Implementation(job["submission"], label="student")
        worker = Worker(implementation.get, modules=implementation.loaded_modules)
        serve(sock, worker)
    finally:
        os._exit(0)


class Zygote:
    def __init__(self, job: dict, control: socket.socket):
        self.job, self.control = job, control
        self.worker: int | None = None
        self.statuses: dict[int, int] = {}
        self.scratch = Scratch(job)

    def send(self, message: dict, fds=()) -> None:
        socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.statuses[pid] = status

    def kill_tree(self) -> None:
        """The worker, everything it started, and every orphan that came back to us."""
        if self.worker is not None:
            try:
                os.killpg(self.worker, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if sys.platform.startswith("linux"):
            for pid in descendants_of(os.getpid()):
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            self.reap()
            if self.worker is None or self.worker in self.statuses:
                break
            time.sleep(0.005)

    def status(self) -> str:
        self.reap()
        status = self.statuses.get(self.worker) if self.worker is not None else None
        if status is None:
            return "running"
        if os.WIFSIGNALED(status):
            return f"signal {os.WTERMSIG(status)}"
        return f"exit {os.WEXITSTATUS(status)}"

    def spawn(self) -> None:
        if self.worker is not None:
            self.kill_tree()
        folder = self.scratch.fresh()
        judge_end, worker_end = socket.socketpair()
        stacks_read, stacks_write = os.pipe()
        try:
            pid = os.fork()
        except OSError as e:     # the process cap is full (a fork bomb of a worker of this uid): say so
            for fd in (stacks_read, stacks_write):
                os.close(fd)
            judge_end.close()
            worker_end.close()
            self.send({"spawn_failed": f"{type(e).__name__}: {e}"})
            return
        if pid == 0:
            self.control.close()
            judge_end.close()
            os.close(stacks_read)
            worker_main(self.job, worker_end, stacks_write, folder)
        worker_end.close()
        os.close(stacks_write)
        self.worker = pid
        self.send({"spawned": pid}, [judge_end.fileno(), stacks_read])
        judge_end.close()
        os.close(stacks_read)

    def serve(self) -> None:
        while True:
            try:
                data, _, _, _ = socket.recv_fds(self.control, CONTROL_BYTES, 0)
            except OSError:
                return
            if not data:
                return
            command = json.loads(data)["do"]
            self.reap()
            if command == "spawn":
                self.spawn()
            elif command == "kill":
                self.kill_tree()
                self.send({"status": self.status()})
                self.worker = None
            elif command == "status":
                self.send({"status": self.status()})
            elif command == "dump":
                if self.worker is not None:
                    try:
                        os.kill(self.worker, signal.SIGUSR1)
                    except ProcessLookupError:
                        pass
                self.send({"dumped": True})
            elif command == "quit":
                self.kill_tree()
                return


def main() -> int:
    control = socket.socket(fileno=int(sys.argv[1]))
    data, _, _, _ = socket.recv_fds(control, CONTROL_BYTES, 0)
    job = json.loads(data)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    try:
        applied = prepare(job)
    except Exception as e:  # noqa: BLE001  (reported to the judge, which stops grading)
        socket.send_fds(control, [json.dumps({"failed": f"{type(e).__name__}: {e}"}).encode()], [])
        return 1
    zygote = Zygote(job, control)
    zygote.send({"ready": applied})
    zygote.serve()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)         # no interpreter teardown (0.6 s with torch loaded; the judge waited 1 s, then killed)


if __name__ == "__main__":
    sys.exit(main())
