"""``--submission`` grades a folder placed anywhere: solutions get full marks, stubs zero, no leakage."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from autograder.harness.loader import REPO_ROOT, Implementation
from autograder.harness.registry import available_chapters, load_chapter
from support import message as run_check


def grade(submission, tmp_path, *extra):
    out = tmp_path / "results.json"
    chapters = [str(REPO_ROOT / "exercises" / c) for c in available_chapters()]
    proc = subprocess.run([sys.executable, "-m", "pytest", *chapters, f"--submission={submission}", "-q",
                           "-p", "no:randomly", f"--results-json={out}", "-m", "not accuracy and not speed", *extra],
                          cwd=REPO_ROOT, capture_output=True, text=True, env=os.environ.copy(), timeout=1800)
    assert out.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc, json.loads(out.read_text())["results"]


def test_copy_of_solutions_gets_full_marks(tmp_path):
    shutil.copytree(REPO_ROOT / "solutions", tmp_path / "somewhere" / "student")
    proc, results = grade(tmp_path / "somewhere" / "student", tmp_path)
    failed = [r["nodeid"] + ": " + r["message"][:200] for r in results if r["outcome"] == "failed"]
    assert not failed, "\n".join(failed)
    assert sum(r["earned"] for r in results) == sum(r["points"] for r in results if r["outcome"] != "skipped") > 0
    assert proc.returncode == 0
    assert "d2l-exercises points" in proc.stdout


def test_copy_of_exercises_gets_zero(tmp_path):
    shutil.copytree(REPO_ROOT / "exercises", tmp_path / "student")
    proc, results = grade(tmp_path / "student", tmp_path)
    assert results and sum(r["earned"] for r in results) == 0
    assert all(r["message"].startswith("not implemented yet") for r in results if r["outcome"] == "failed")
    assert "Traceback" not in proc.stdout


def test_repository_root_is_accepted(tmp_path):
    shutil.copytree(REPO_ROOT / "solutions", tmp_path / "repo" / "exercises")
    proc, results = grade(tmp_path / "repo", tmp_path, "-k", "softmax")
    assert results and all(r["outcome"] == "passed" for r in results)


def test_no_leakage_between_implementations_in_one_process(tmp_path):
    shutil.copytree(REPO_ROOT / "solutions", tmp_path / "a")
    shutil.copytree(REPO_ROOT / "exercises", tmp_path / "b")
    a, b = Implementation(tmp_path / "a"), Implementation(tmp_path / "b")
    check = next(c for c in load_chapter("ch3") if c.id == "ch3::softmax::book_example")
    assert run_check(check, a) is None
    assert run_check(check, b).startswith("not implemented yet")
    assert run_check(check, a) is None
    assert a.get("ch3.softmax_regression.softmax") is not b.get("ch3.softmax_regression.softmax")


def test_missing_folder_is_a_clear_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pytest", str(REPO_ROOT / "exercises" / "ch3"),
                           f"--submission={tmp_path / 'nowhere'}", "-q"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode != 0
    assert f"no such submission folder or zip: {tmp_path / 'nowhere'}" in proc.stdout + proc.stderr


@pytest.mark.parametrize("content,expected", [
    ("def softmax(X):\n    return X +\n", "does not compile"),
    ("import sys\nsys.exit(0)\n", "raised SystemExit"),
    ("raise RuntimeError('boom at import')\n", "raised RuntimeError: boom at import"),
    ("import torch\n", "has no 'softmax'"),
])
def test_broken_module_gives_a_clear_message(tmp_path, content, expected):
    shutil.copytree(REPO_ROOT / "solutions" / "ch3", tmp_path / "s" / "ch3")
    (tmp_path / "s" / "ch3" / "softmax_regression.py").write_text(content)
    impl = Implementation(tmp_path / "s")
    check = next(c for c in load_chapter("ch3") if c.id == "ch3::softmax::book_example")
    message = run_check(check, impl)
    assert message is not None and expected in message, message
    other = next(c for c in load_chapter("ch3") if c.id == "ch3::linreg::book_example")
    assert run_check(other, impl) is None, "a broken module costs only the checks that need it"
