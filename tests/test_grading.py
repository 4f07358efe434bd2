"""``grade`` and ``grade-all``: full marks for the references, zero for the stubs, valid reports, a gradebook."""
import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder.grading.batch import grade_all
from autograder.grading.grade import Options, grade
from autograder.grading.sandbox import Limits
from autograder.grading.submission import SubmissionError, prepare
from autograder.harness.loader import REPO_ROOT
from autograder.harness.registry import available_chapters, load_chapter
from reports_spec import valid_junit, valid_results_json

QUICK = Options(skip_kinds=["accuracy", "speed"], plots=False)


def test_copy_of_solutions_gets_full_marks(tmp_path):
    shutil.copytree(REPO_ROOT / "solutions", tmp_path / "student")
    result = grade(tmp_path / "student", tmp_path / "out", QUICK)
    failed = [f"{r['id']}: {r['message'][:300]}" for r in result.records if r["outcome"] == "failed"]
    assert not failed, "\n".join(failed)
    data = valid_results_json(tmp_path / "out" / "results.json")
    assert data["score"] == data["max_score"] > 0
    assert {t["visibility"] for t in data["tests"]} == {"visible", "after_published"}
    valid_junit(tmp_path / "out" / "junit.xml")
    chapters = {r["chapter"] for r in result.records}
    assert chapters == set(available_chapters())
    for chapter in chapters:
        for r in result.records:
            if r["chapter"] == chapter:
                assert (tmp_path / "out" / "feedback" / chapter / f"{r['exercise']}.md").exists()
                assert (tmp_path / "out" / "feedback" / chapter / f"{r['exercise']}.html").exists()


def test_copy_of_exercises_gets_zero_and_the_cli_exits_0(tmp_path):
    shutil.copytree(REPO_ROOT / "exercises", tmp_path / "repo" / "exercises")   # a repository root
    summary = tmp_path / "step_summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "repo"), "--out",
                           str(tmp_path / "out"), "--skip", "accuracy,speed", "--no-plots"],
                          cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    data = valid_results_json(tmp_path / "out" / "results.json")
    assert data["score"] == 0 < data["max_score"]
    assert all(t["output"].startswith("not implemented yet") for t in data["tests"])
    assert "TOTAL 0 /" in proc.stdout and "Traceback" not in proc.stdout
    assert "| exercise |" in summary.read_text() or "| chapter |" in summary.read_text()


def test_grader_failures_exit_non_zero(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "nowhere")],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no such submission" in proc.stdout


def test_zip_of_a_repository_is_graded(tmp_path):
    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in (REPO_ROOT / "solutions" / "ch3").glob("*.py"):
            zf.write(path, f"alice-repo/exercises/ch3/{path.name}")
    options = Options(chapters=["ch3"], select=["ch3::softmax::book_example"], plots=False)
    assert grade(archive, tmp_path / "out", options).score == 1


@pytest.mark.parametrize("name,content,why", [
    ("../../evil.py", b"x", "unsafe path"),
    ("/etc/evil.py", b"x", "unsafe path"),
    ("ch3/bomb.bin", b"\0" * (300 << 20), "zip bomb"),
])
def test_zip_slip_and_zip_bombs_are_refused(tmp_path, name, content, why):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, content)
    with pytest.raises(SubmissionError, match="unsafe path|more than|zip bomb"):
        prepare(archive, tmp_path / "dest")
    assert not (tmp_path.parent / "evil.py").exists()


def test_symlinks_in_a_submission_are_not_followed(tmp_path):
    shutil.copytree(REPO_ROOT / "exercises" / "ch3", tmp_path / "sub" / "ch3")
    target = tmp_path / "sub" / "ch3" / "softmax_regression.py"
    target.unlink()
    target.symlink_to(REPO_ROOT / "solutions" / "ch3" / "softmax_regression.py")
    notes = prepare(tmp_path / "sub", tmp_path / "dest")
    assert not (tmp_path / "dest" / "ch3" / "softmax_regression.py").exists()
    assert any("symbolic link" in n for n in notes)


def test_accuracy_feedback_plots_the_student_beside_the_reference(tmp_path):
    check = next(c for c in load_chapter("ch3") if c.kind == "accuracy" and "concise" in c.id)
    shutil.copytree(REPO_ROOT / "solutions", tmp_path / "student")
    options = Options(chapters=["ch3"], select=[check.id], cache=tmp_path / "cache")
    result = grade(tmp_path / "student", tmp_path / "out", options)
    assert result.score == result.max_score == check.points
    assert result.records[0]["curves"] and result.reference_curves[check.id]
    assert list((tmp_path / "cache").glob("curves-*.json")), "reference curves are cached"
    page = tmp_path / "out" / "feedback" / "ch3" / f"{check.exercise.name}.md"
    image = page.parent / f"{check.exercise.name}-{check.name}.png"
    assert image.exists() and image.stat().st_size > 1000 and image.name in page.read_text()


def test_grade_all_on_mixed_submissions_writes_the_gradebook(tmp_path):
    subs = tmp_path / "subs"
    shutil.copytree(REPO_ROOT / "solutions", subs / "alice")
    shutil.copytree(REPO_ROOT / "exercises", subs / "bob" / "exercises")
    shutil.copytree(REPO_ROOT / "solutions" / "ch3", subs / "carol" / "ch3")
    with open(subs / "carol" / "ch3" / "softmax_regression.py", "a") as f:
        f.write("\ndef softmax(X):\n    return X.exp() / X.exp().sum()\n")        # normalises over everything
    (subs / "dave.zip").write_bytes(b"not a zip")
    select = ["ch3::linreg::book_example", "ch3::softmax::book_example", "ch3::softmax::matches_reference"]
    options = Options(chapters=["ch3"], select=select, limits=Limits(max_check_time=60), plots=False)
    assert grade_all(subs, tmp_path / "out", options, jobs=2) == 0
    with open(tmp_path / "out" / "grades.csv") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert set(rows) == {"alice", "bob", "carol", "dave"}
    assert (rows["alice"]["total"], rows["alice"]["ch3.softmax"], rows["alice"]["ch3.linreg"]) == ("4", "3", "1")
    assert (rows["bob"]["total"], rows["carol"]["total"], rows["carol"]["ch3.softmax"]) == ("0", "1", "0")
    assert rows["dave"]["total"] == "0" and rows["dave"]["error"] == ""
    assert all(r["max_score"] == "4" and r["ch3"] == r["total"] for r in rows.values())
    for student in rows:
        valid_results_json(tmp_path / "out" / student / "results.json")
    assert "could not be read" in json.loads((tmp_path / "out" / "dave" / "results.json").read_text())["output"]


def test_without_namespaces_the_grader_degrades_and_says_so(tmp_path):
    """Where the platform gives no namespaces and no user switch (not root, no user namespaces, not Linux),
    grading still works, with rlimits and a new session only, and the report says what was missing."""
    from autograder.grading.sandbox import Platform
    plain = Platform([], False, ["test: no namespaces available"])
    shutil.copytree(REPO_ROOT / "solutions" / "ch3", tmp_path / "student" / "ch3")
    with open(tmp_path / "student" / "ch3" / "softmax_regression.py", "a") as f:
        f.write("\nimport os\n_ref = softmax\ndef softmax(X):\n    os._exit(3)\n")
    options = Options(chapters=["ch3"], select=["ch3::linreg::book_example", "ch3::softmax::book_example"],
                      plots=False)
    result = grade(tmp_path / "student", tmp_path / "out", options, platform=plain)
    assert result.score == 1
    assert "exit status 3" in next(r["message"] for r in result.records if r["exercise"] == "softmax")
    assert "test: no namespaces available" in valid_results_json(tmp_path / "out" / "results.json")["output"]
