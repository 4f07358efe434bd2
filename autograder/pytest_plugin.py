"""The pytest side of the suite: options, one test per exercise, and the points table.

A chapter's test file is two lines::

    from autograder.pytest_plugin import chapter_tests
    globals().update(chapter_tests("ch3"))

which gives ``test_softmax[book_example]``, ``test_softmax[stability]``, ...: one
test function per exercise, one parameter per check, so ``-k softmax`` selects
exactly that exercise. Options: ``--impl=exercises|solutions|PATH``,
``--submission=PATH``, ``--device=auto|cpu|cuda``, ``--results-json=PATH``.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from autograder import book
from autograder.harness import train
from autograder.harness.loader import Implementation, resolve_impl
from autograder.harness.registry import EXERCISES, load_chapter
from autograder.harness.runner import run_check

CHECK_BY_ID: dict = {}
MARKERS = ["public", "hidden", "points(n)", "speed", "accuracy", "gpu", *book.CHAPTERS]


def pytest_addoption(parser):
    group = parser.getgroup("d2l-exercises")
    group.addoption("--impl", default=None,
                    help="code to check: exercises (default), solutions, or a folder shaped like exercises/")
    group.addoption("--submission", default=None,
                    help="a student's folder shaped like exercises/ (or the repository root that holds one)")
    group.addoption("--device", default="auto", choices=("auto", "cpu", "cuda"),
                    help="device the code under test runs on (auto: cuda when available)")
    group.addoption("--results-json", default=None, help="also write every check's result to this JSON file")
    group.addoption("--threads", type=int, default=1,
                    help="CPU threads for torch (default 1: the same numbers on every machine, and no "
                         "slowdown when several gradings share the cores)")


def pytest_configure(config):
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    impl, submission = config.getoption("--impl"), config.getoption("--submission")
    if impl and submission:
        raise pytest.UsageError("give --impl or --submission, not both")
    torch.set_num_threads(config.getoption("--threads"))
    requested = config.getoption("--device")
    cuda = torch.cuda.is_available()
    config._d2l = {
        "root": resolve_impl(submission or impl, Path(config.rootpath)),
        "device": "cuda" if requested == "cuda" or (requested == "auto" and cuda) else "cpu",
        "cuda": cuda,
        "requested": requested,
    }
    config.pluginmanager.register(Recorder(config), "d2l-recorder")
    if config._d2l["device"] == "cuda" and not cuda:
        config._d2l["device"] = "cpu"


def _state(config) -> dict:
    return config._d2l


def chapter_tests(chapter: str) -> dict:
    """Test functions for every exercise of ``chapter``: one per exercise, parametrized by check."""
    checks = load_chapter(chapter)
    by_exercise: dict = {}
    for c in checks:
        by_exercise.setdefault(c.exercise.key, []).append(c)
    names = [e.name for e in EXERCISES[chapter].values()]
    tests = {}
    for ex in sorted(EXERCISES[chapter].values(), key=lambda e: e.order):
        if ex.key not in by_exercise:
            continue
        params = [pytest.param(c, id=c.name, marks=_marks(c)) for c in by_exercise[ex.key]]
        test_name = f"test_{ex.name}" if names.count(ex.name) == 1 else f"test_{ex.module}_{ex.name}"

        @pytest.mark.parametrize("check", params)
        def test(check, d2l_impl, d2l_device):
            run(check, d2l_impl, d2l_device)

        test.__name__ = test.__qualname__ = test_name
        test.__doc__ = f"{ex.name}: {ex.cite}"
        tests[test_name] = test
    CHECK_BY_ID.update({c.id: c for c in checks})
    return tests


def _marks(c) -> list:
    marks = [getattr(pytest.mark, c.visibility), pytest.mark.points(c.points),
             getattr(pytest.mark, c.exercise.chapter), pytest.mark.timeout(c.timeout)]
    if c.kind in ("speed", "accuracy"):
        marks.append(getattr(pytest.mark, c.kind))
    if c.gpu:
        marks.append(pytest.mark.gpu)
    return marks


def run(check, impl: Implementation, device: str) -> None:
    """Run one check; a failure becomes a short message, not a traceback."""
    failure = run_check(check, impl, device)
    if failure is not None:
        pytest.fail(failure, pytrace=False)


@pytest.fixture(scope="session")
def d2l_impl(request) -> Implementation:
    root = _state(request.config)["root"]
    try:
        return Implementation(root, label="student")
    except FileNotFoundError as e:
        pytest.exit(str(e), returncode=4)


@pytest.fixture(scope="session")
def d2l_device(request) -> str:
    return _state(request.config)["device"]


def pytest_collection_modifyitems(config, items):
    state = _state(config)
    for item in items:
        check = getattr(item, "callspec", None) and item.callspec.params.get("check")
        if check is None or not hasattr(check, "exercise"):
            continue
        item.user_properties.append(("d2l_check", check.id))
        if check.gpu and state["device"] != "cuda":
            why = ("no CUDA device on this machine" if not state["cuda"]
                   else "--device=cpu was given")
            item.add_marker(pytest.mark.skip(reason=f"GPU check skipped: {why}"))


def _message(report) -> str:
    if report.passed:
        return ""
    if report.skipped:
        return report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    text = str(report.longrepr)
    if "Timeout" in text and ">" in text:
        return "stopped: it ran past the time limit (an infinite loop, or far too slow?)"
    return text.strip()


class Recorder:
    """Collects every check's result during the run (registered in ``pytest_configure``)."""

    def __init__(self, config):
        self.config = config
        self.results: list[dict] = []

    def pytest_runtest_logreport(self, report):
        props = dict(report.user_properties)
        if "d2l_check" not in props or not (report.when == "call" or report.failed or report.skipped):
            return
        check = CHECK_BY_ID[props["d2l_check"]]
        outcome = "passed" if report.passed else "skipped" if report.skipped else "failed"
        self.results.append({
            "nodeid": report.nodeid, "chapter": check.exercise.chapter, "exercise": check.exercise.name,
            "module": check.exercise.module, "check": check.name, "visibility": check.visibility,
            "kind": check.kind, "section": check.exercise.cite, "points": check.points,
            "earned": check.points if outcome == "passed" else 0, "outcome": outcome,
            "message": _message(report), "duration": round(report.duration, 3),
            "curves": {k: [list(map(float, v)) if isinstance(v, (tuple, list)) else float(v) for v in h]
                       for k, h in train.CURVES.items()} if report.when == "call" else {},
        })

    def pytest_terminal_summary(self, terminalreporter):
        if not self.results:
            return
        state = _state(self.config)
        terminalreporter.write_sep("=", f"d2l-exercises points ({state['root']}, device {state['device']})")
        for line in points_table(self.results):
            terminalreporter.write_line(line)
        out = self.config.getoption("--results-json")
        if out:
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            Path(out).write_text(json.dumps({"root": str(state["root"]), "device": state["device"],
                                             "results": self.results}, ensure_ascii=False, indent=1))


def points_table(results: list[dict]) -> list[str]:
    """The table a student wants: per exercise, points earned / possible and the first failure."""
    lines = []
    for chapter in book.CHAPTERS:
        rows = [r for r in results if r["chapter"] == chapter]
        if not rows:
            continue
        lines.append(f"{chapter} {book.CHAPTERS[chapter]}")
        lines.append(f"  {'exercise':<28}{'points':>12}   first failing check")
        order = {e.name: e.order for e in EXERCISES.get(chapter, {}).values()}
        exercises_seen = sorted({r["exercise"] for r in rows}, key=lambda e: order.get(e, 0))
        total, possible, skipped = 0.0, 0.0, 0
        for ex in exercises_seen:
            mine = [r for r in rows if r["exercise"] == ex]
            counted = [r for r in mine if r["outcome"] != "skipped"]
            skipped += len(mine) - len(counted)
            earned, worth = sum(r["earned"] for r in counted), sum(r["points"] for r in counted)
            total, possible = total + earned, possible + worth
            failed = next((r for r in counted if r["outcome"] == "failed"), None)
            note = f"[{failed['check']}] {failed['message'].splitlines()[0]}" if failed else ""
            if len(note) > 90:
                note = note[:87] + "..."
            lines.append(f"  {ex:<28}{_pts(earned):>6} / {_pts(worth):<5}  {note}")
        extra = f"  ({skipped} GPU/skipped checks not counted)" if skipped else ""
        lines.append(f"  {'total ' + chapter:<28}{_pts(total):>6} / {_pts(possible):<5}{extra}")
    return lines


def _pts(x: float) -> str:
    return f"{x:g}"
