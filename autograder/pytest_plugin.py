"""The pytest side of the suite: options, one test per exercise, and the points table.

A chapter's test file is two lines::

    from autograder.pytest_plugin import chapter_tests
    globals().update(chapter_tests("ch3"))

which gives ``test_softmax[book_example]``, ``test_softmax[stability]``, ...: one
test function per exercise, one parameter per check, so ``-k softmax`` selects
exactly that exercise. Options: ``--impl=exercises|solutions|PATH``,
``--submission=PATH``, ``--device=auto|cpu|cuda``, ``--results-json=PATH``.

The code under test runs in this process, behind the same boundary the grader uses
(``harness.session``): a check sees the same values here as in the sandbox. For code you do
not trust, use ``python -m autograder grade``.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import torch

from autograder import book
from autograder.harness.loader import Implementation, resolve_impl
from autograder.harness.registry import exercises_of, load_chapter
from autograder.harness.runner import run_check
from autograder.harness.session import local_session
from autograder.results import DeviceError, points_table, record, resolve_device

CHECK_BY_ID: dict = {}
MARKERS = ["public", "hidden", "points(n)", "speed", "accuracy", "gpu", *book.CHAPTERS]


def pytest_addoption(parser):
    group = parser.getgroup("d2l-exercises")
    group.addoption("--impl", default=None,
                    help="code to check: exercises (default), solutions, or a folder shaped like exercises/")
    group.addoption("--submission", default=None,
                    help="a student's folder shaped like exercises/ (or the repository root that holds one); "
                         "copied first, symbolic links left out, as the grader does")
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
    try:
        device = resolve_device(config.getoption("--device"))
    except DeviceError as e:
        raise pytest.UsageError(str(e)) from None
    root = resolve_impl(impl, Path(config.rootpath)) if not submission else _intake(submission)
    config._d2l = {"root": root, "device": device, "cuda": torch.cuda.is_available()}
    config.pluginmanager.register(Recorder(config), "d2l-recorder")


def _intake(submission: str) -> Path:
    """A private copy of the submission, read as the grader reads it (no symbolic link followed)."""
    from autograder.grading.submission import SubmissionError, prepare
    dest = Path(tempfile.mkdtemp(prefix="d2l-submission-")) / "submission"
    try:
        for note in prepare(Path(submission).expanduser(), dest):
            print(f"d2l-exercises: {note}")
    except SubmissionError as e:
        raise pytest.UsageError(f"the submission could not be read: {e}") from None
    return dest


def _state(config) -> dict:
    return config._d2l


def chapter_tests(chapter: str) -> dict:
    """Test functions for every exercise of ``chapter``: one per exercise, parametrized by check."""
    checks = load_chapter(chapter)
    by_exercise: dict = {}
    for c in checks:
        by_exercise.setdefault(c.exercise.key, []).append(c)
    tests = {}
    for ex in sorted(exercises_of(chapter).values(), key=lambda e: e.order):
        if ex.key not in by_exercise:
            continue
        params = [pytest.param(c, id=c.name, marks=_marks(c)) for c in by_exercise[ex.key]]
        test_name = f"test_{ex.label.replace('.', '_')}"

        @pytest.mark.parametrize("check", params)
        def test(check, d2l_session, d2l_device, request):
            run(check, d2l_session, d2l_device, request.node)

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


def run(check, session, device: str, node=None) -> None:
    """Run one check; a failure becomes a short message, not a traceback."""
    outcome = run_check(check, session, device)
    if node is not None and outcome.curves:
        node.user_properties.append(("d2l_curves", outcome.curves))
    if outcome.outcome == "failed":
        pytest.fail(outcome.message, pytrace=False)


@pytest.fixture(scope="session")
def d2l_session(request):
    root = _state(request.config)["root"]
    try:
        impl = Implementation(root, label="student")
    except FileNotFoundError as e:
        pytest.exit(str(e), returncode=4)
    return local_session(impl.get, impl.loaded_modules, _state(request.config)["device"])


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
            why = "no CUDA device on this machine" if not state["cuda"] else "--device=cpu was given"
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
        curves = props.get("d2l_curves", {}) if report.when == "call" else {}
        self.results.append({"nodeid": report.nodeid,
                             **record(check, outcome, _message(report), report.duration, curves)})

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
