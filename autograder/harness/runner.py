"""Run one check on the code under test: what the pytest plugin, the grader's judge and nbgrader share.

``run_check(check, session)`` resolves the check's parameters to proxies of the student's objects,
substitutes the references of the chapter's other exercises (a unit check grades one exercise
only), runs the check under a fresh ``CheckRun`` (where training checks leave their curves) and
returns an ``Outcome``. The session's worker may be in this process or in a sandbox.
"""
from __future__ import annotations

import dataclasses
import time

from autograder.harness.context import check_run
from autograder.harness.loader import ImplementationError, reference
from autograder.harness.registry import Check, exercises_of
from autograder.harness.session import Session, StudentError, WorkerLost


@dataclasses.dataclass
class Outcome:
    outcome: str             # "passed" or "failed"
    message: str
    seconds: float
    curves: dict
    clean: bool = True       # the session was reset afterwards (else the worker should not be used again)


def substitutions(check: Check) -> list[tuple[str, object]]:
    """``(target, reference)`` of the other exercises that a unit check replaces by their references."""
    if check.integration or not check.substitute:
        return []
    found = []
    stand_ins = check.substitute if isinstance(check.substitute, dict) else {}
    for other in exercises_of(check.exercise.chapter).values():
        for name in (other.name, f"{other.module}.{other.name}"):
            if other.key == check.exercise.key or name not in check.substitute:
                continue
            if stand_ins.get(name) is not None:
                found.append((other.target, stand_ins[name]))
                break
            try:
                found.append((other.target, reference(other.target)))
            except Exception:  # noqa: BLE001  (no references here, e.g. the student release)
                pass
            break
    return found


def check_arguments(check: Check, session: Session, device: str = "cpu") -> dict:
    """The keyword arguments of ``check``: proxies of the student's objects, and ``device``."""
    args = {}
    for p in check.parameters():
        if p == "device":
            args[p] = "cuda" if check.gpu else device
        else:  # named after the student's object, whatever the check calls its parameter
            target = check.target(p)
            args[p] = session.resolve(target, target.rsplit(".", 1)[1])
    return args


def run_check(check: Check, session: Session, device: str = "cpu", replace: list = ()) -> Outcome:
    """Run ``check`` on the code ``session`` reaches. A lost worker (``WorkerLost``) is raised to the caller,
    which decides what the check is charged. ``replace``: more ``(target, object)`` substitutions (the
    grader's: a function that hung earlier, replaced by one that fails at once)."""
    start = time.perf_counter()
    message, clean = "", True
    with check_run(session, device) as run:
        try:
            try:
                kwargs = check_arguments(check, session, device)
                references = substitutions(check)
                replaced = {t for t, _ in references}
                session.begin([*references, *[(t, o) for t, o in replace if t not in replaced]])
            except (ImplementationError, StudentError) as e:
                raise AssertionError(f"{e}\n  [{check.exercise.cite}]") from None
            check.wrapped(**kwargs)
        except WorkerLost:
            raise
        except AssertionError as e:
            message = str(e) or f"{check.exercise.name}: check {check.name} failed"
        finally:
            try:
                session.reset()
            except Exception:  # noqa: BLE001  (a worker that cannot be reset is not used again)
                clean = False
    return Outcome("failed" if message else "passed", message, time.perf_counter() - start, run.curves, clean)
