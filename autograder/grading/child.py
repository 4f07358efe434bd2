"""The grading process (started by ``sandbox.py``; never run by hand).

Line 1 of stdin is the job (JSON). Before any student code exists in the process, the child
imports torch, the harness, the chapters' checks and every reference module, then hides the
secret files from itself (an empty tmpfs mounted over them in its private mount namespace),
switches to the sandbox's uid, lowers its limits, forgets the grader's modules from
``sys.modules`` (so ``import autograder`` in student code gets a fresh copy, whose
``reference()`` finds no solutions), snapshots the grading environment and answers ``ready``.
Then, for each ``{"run": CHECK_ID}`` line, it runs that check and answers one frame on the
result pipe: ``{"token", "seq", "id", "outcome", "message", "duration", "curves", "restart"}``.
It exits at the end of stdin, or after a check that changed the grading environment.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import sys
import time

from autograder.grading.sandbox import closed_ancestor


def _mount_empty(path: str) -> None:
    """Hide ``path`` from this mount namespace: an empty tmpfs over a folder, /dev/null over a file."""
    libc = ctypes.CDLL(None, use_errno=True)
    if os.path.isdir(path):
        ok = libc.mount(b"none", path.encode(), b"tmpfs", 0, b"size=4k,mode=0700") == 0
    else:
        ok = libc.mount(b"/dev/null", path.encode(), None, 4096, None) == 0   # MS_BIND
    if not ok:
        raise OSError(ctypes.get_errno(), f"cannot hide {path}")


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


def _curves(train) -> dict:
    return {k: [list(map(float, v)) if isinstance(v, (tuple, list)) else float(v) for v in h]
            for k, h in train.CURVES.items()}


def prepare(job: dict) -> tuple[dict, list[str]]:
    """Import everything trusted, then close the doors; return the checks by id and what was applied."""
    import torch
    torch.set_num_threads(job["threads"])
    from autograder.harness.loader import solutions
    from autograder.harness.registry import load_chapter
    checks = {c.id: c for chapter in job["chapters"] for c in load_chapter(chapter)}
    reference = solutions()
    for chapter in job["chapters"]:
        for path in sorted((reference.root / chapter).glob("*.py")):
            if path.stem != "__init__":
                reference.module(f"{chapter}.{path.stem}")
    applied = []
    if job["uid"] is not None and job["hide"]:
        reopened = reopen_for_sandbox_uid([*sys.path, *os.environ.get("D2L_GRADER_PATHS", "").split(os.pathsep)])
        if reopened:
            applied.append(f"{', '.join(reopened)} emptied except the interpreter and libraries")
    if job["hide"]:
        for path in job["hide"]:
            if os.path.exists(path):
                _mount_empty(path)
        applied.append("secret files hidden (private mount namespace)")
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
    return checks, applied


def main() -> int:
    job = json.loads(sys.stdin.readline())
    fd, token = job["fd"], job["token"]

    def send(frame: dict) -> None:
        os.write(fd, (json.dumps({"token": token, **frame}) + "\n").encode())

    checks, applied = prepare(job)
    from autograder.grading.tamper import Snapshot
    from autograder.harness.loader import Implementation
    from autograder.harness import train
    from autograder.harness.runner import run_check
    impl = Implementation(job["submission"], label="student")
    snapshot = Snapshot({f"check {cid}": c for cid, c in checks.items()} | {"child": sys.modules[__name__]})
    for name in [n for n in sys.modules if n == "autograder" or n.startswith(("autograder.", "_d2l_reference"))]:
        del sys.modules[name]
    main_pid = os.getpid()
    send({"ready": applied})
    seq = 0
    for line in sys.stdin:
        request = json.loads(line)
        check = checks[request["run"]]
        start = time.perf_counter()
        try:
            message = run_check(check, impl, job["device"])
        except BaseException as e:   # KeyboardInterrupt & co raised by the code under test
            message = f"{check.exercise.name} raised {type(e).__name__}: {e}"
        if os.getpid() != main_pid:  # a process the submission forked: it must not report
            os._exit(0)
        changed = snapshot.changes()
        if changed:
            message = ("the grading environment was changed while this check ran (" + ", ".join(changed)
                       + " replaced): a check is never graded on a modified environment")
        seq += 1
        send({"seq": seq, "id": check.id, "outcome": "failed" if message else "passed", "message": message or "",
              "duration": round(time.perf_counter() - start, 3), "curves": _curves(train),
              "restart": bool(changed)})
        if changed:
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
