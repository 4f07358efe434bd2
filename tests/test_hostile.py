"""The hostile catalog (tests/hostile): every bad or malicious submission gets the score it earned,
a valid report and a message that says why; the grader never crashes; grading is repeatable."""
import json
import shutil
from pathlib import Path

import pytest

from autograder.grading.batch import grade_all
from autograder.grading.grade import Options, select_checks
from autograder.grading.sandbox import Limits, detect
from autograder.harness.loader import REPO_ROOT
from hostile import CASES, SENTINEL, Hostile
from reports_spec import valid_junit, valid_results_json

LIMITS = Limits(max_check_time=10)


def missing(case: Hostile) -> str:
    platform = detect()
    have = {"uid": platform.switch_uid, "hide": platform.hides_files, "net": platform.hides_files}
    lacking = [n for n in case.needs if not have[n]]
    return f"this platform gives no {', '.join(lacking)} isolation ({platform.notes[0]})" if lacking else ""


def materialize(case: Hostile, folder: Path) -> None:
    shutil.copytree(REPO_ROOT / "solutions" / "ch3", folder / "ch3")
    module = folder / "ch3" / f"{case.module}.py"
    module.write_text(module.read_text() + "\n" + case.source)


@pytest.fixture(scope="module")
def graded(tmp_path_factory, grading_cache):
    """Grade every runnable case once, in parallel (grade-all), one batch per check selection."""
    root = tmp_path_factory.mktemp("hostile")
    Path(SENTINEL).mkdir(exist_ok=True)
    (Path(SENTINEL) / "victim.txt").write_text("keep me")
    (Path(SENTINEL) / "new.txt").unlink(missing_ok=True)
    for number, select in enumerate(sorted({c.select for c in CASES})):
        batch = root / f"subs-{number}"
        for case in CASES:
            if case.select == select and not missing(case):
                materialize(case, batch / case.name)
        if batch.exists():
            options = Options(chapters=["ch3"], select=list(select), limits=LIMITS, plots=False, cache=grading_cache)
            assert grade_all(batch, root / "out", options, jobs=2) == 0
    return root / "out"


@pytest.mark.timeout(1800)      # the first case grades them all (the fixture)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_submission(case, graded):
    if missing(case):
        pytest.skip(missing(case))
    data = valid_results_json(graded / case.name / "results.json")
    valid_junit(graded / case.name / "junit.xml")
    import torch
    checks = [c for c in select_checks(Options(chapters=["ch3"], select=list(case.select)))
              if not c.gpu or torch.cuda.is_available()]
    expected = sum(c.points for c in checks if any(p in c.id for p in case.passing))
    outputs = {t["number"]: t["output"] for t in data["tests"] if t["status"] == "failed"}
    assert data["score"] == expected, f"{case.name}: {data['score']} != {expected}: {outputs}"
    assert data["max_score"] == sum(c.points for c in checks)
    first = next((o for i, o in outputs.items() if "softmax" in i), None)
    if case.message:
        expected = (case.message,) if isinstance(case.message, str) else case.message
        assert first is not None and any(m.lower() in first.lower() for m in expected), (case.message, first)


def test_the_grader_files_and_the_sentinel_are_untouched(graded):
    if not detect().switch_uid:
        pytest.skip("the sandbox runs as the grader's own user here: file writes are not contained")
    assert (Path(SENTINEL) / "victim.txt").read_text() == "keep me"
    assert not (Path(SENTINEL) / "new.txt").exists()
    assert not (REPO_ROOT / "PWNED.txt").exists() and (REPO_ROOT / "README.md").exists()


@pytest.mark.timeout(900)
def test_no_process_is_left_behind(tmp_path, grading_cache, monkeypatch):
    """A forked grandchild that sets up its own session, sleeps and then scribbles dies with its check: after the
    grading no process is left whose working folder is this grading's."""
    import os
    import tempfile
    import time
    from autograder.grading.grade import grade
    case = next(c for c in CASES if c.name == "forked_grandchild")
    if missing(case):
        pytest.skip(missing(case))
    Path(SENTINEL).mkdir(exist_ok=True)
    (Path(SENTINEL) / "grandchild.txt").unlink(missing_ok=True)
    materialize(case, tmp_path / "student")
    (tmp_path / "work").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "work"))   # the grading's folders go here
    grade(tmp_path / "student", None, Options(chapters=["ch3"], select=list(case.select), limits=LIMITS, plots=False,
                                              cache=grading_cache))
    time.sleep(4)          # past the grandchild's sleep: had it survived, it would show now
    assert not (Path(SENTINEL) / "grandchild.txt").exists()
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/cwd").startswith(str(tmp_path / "work")):
                left.append(pid)
        except OSError:
            pass
    assert not left, f"processes left behind by the sandbox: {left}"


def test_fake_results_json_is_ignored(graded):
    data = json.loads((graded / "fake_results_json" / "results.json").read_text())
    assert data["score"] < data["max_score"] and data["score"] != 1000


def test_output_is_capped(graded):
    kept = (graded / "print_100_mb" / "output.txt").stat().st_size
    assert 0 < kept < 1 << 20
    assert "more bytes of output not kept" in (graded / "print_100_mb" / "output.txt").read_text()


@pytest.mark.timeout(1800)
def test_same_submission_ten_times_same_score(tmp_path, grading_cache):
    case = next(c for c in CASES if c.name == "nan_outputs")
    for i in range(10):
        materialize(case, tmp_path / "subs" / f"copy{i}")
    options = Options(chapters=["ch3"], select=["ch3::linreg::book_example", "ch3::softmax::book_example"],
                      limits=LIMITS, plots=False, cache=grading_cache)
    assert grade_all(tmp_path / "subs", tmp_path / "out", options, jobs=2) == 0
    scores = {json.loads((tmp_path / "out" / f"copy{i}" / "results.json").read_text())["score"] for i in range(10)}
    assert scores == {1}       # linreg's book example passes, softmax's fails, ten times out of ten
