"""The Gradescope autograder zip: unpacked under a temporary AUTOGRADER_ROOT and run as Gradescope runs it.

The zip is chapter 3's correctness checks (``--chapters 3 --skip speed,accuracy``, to keep CI short):
the references get full marks, the stubs 0 (as a repository and as loose .py files), results.json is
Gradescope's format. ``setup.sh`` runs for real in a fresh venv, apt skipped (``D2L_SKIP_APT=1``) and
torch from the default index (this machine's local CPU wheel; Gradescope's setup takes the CPU index):
it installs the package, checks the baked-in data, closes the solutions to other users and measures the
profile, and then the freshly built venv grades a submission. Not run here: apt-get (Gradescope's
base image), the download from PyTorch's index, and the CUDA build.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest

from autograder.grading.gradescope import unpack, write_zip
from autograder.harness.loader import REPO_ROOT
from reports_spec import valid_results_json

CHAPTER = "ch3"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    write_zip(path, chapters=[CHAPTER], skip_kinds=["speed", "accuracy"])
    return path


def _root(tmp_path, archive, grading_cache, submission):
    root = unpack(archive, tmp_path / "autograder")
    (root / "profile").symlink_to(grading_cache, target_is_directory=True)     # the session's shared profile
    if submission is not None:
        submission(root / "submission")
    return root


def _run(root, python=sys.executable, timeout=1500):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "D2L_DATA_DIR")}
    env.update(AUTOGRADER_ROOT=str(root))
    if python:
        env["D2L_PYTHON"] = python
    return subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_the_zip_has_what_gradescope_looks_for(archive):
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        modes = {i.filename: (i.external_attr >> 16) for i in zf.infolist()}
        course = json.loads(zf.read("source/course.json"))
    assert {"setup.sh", "run_autograder"} <= names
    assert all(modes[n] & stat.S_IXUSR for n in ("setup.sh", "run_autograder"))
    assert "source/solutions/ch3/softmax_regression.py" in names
    assert "source/autograder/checks/hidden/ch3.py" in names
    assert "source/data/fashion-mnist/train-images-idx3-ubyte.gz" in names and "source/data/timemachine.txt" in names
    assert not any(n.startswith("source/tests/") or "__pycache__" in n for n in names)
    assert course["chapters"] == [CHAPTER] and course["skip"] == ["speed", "accuracy"]


@pytest.mark.timeout(1800)
def test_a_perfect_submission_gets_full_marks(tmp_path, archive, grading_cache):
    root = _root(tmp_path, archive, grading_cache,
                 lambda sub: shutil.copytree(REPO_ROOT / "solutions" / CHAPTER, sub / CHAPTER))
    proc = _run(root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = valid_results_json(root / "results" / "results.json")
    failed = [(t["name"], t["output"][:200]) for t in data["tests"] if t["status"] != "passed"]
    assert not failed, failed
    assert data["score"] == data["max_score"] > 0
    assert {t["tags"][0] for t in data["tests"]} == {CHAPTER}
    assert not {t["tags"][1] for t in data["tests"]} & {"speed", "accuracy"}


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("shape", ["repository", "loose files"])
def test_the_stubs_get_zero(tmp_path, archive, grading_cache, shape):
    def stubs(sub):
        if shape == "repository":
            shutil.copytree(REPO_ROOT / "exercises", sub / "exercises")
        else:                       # dragged into Gradescope's upload box one by one
            sub.mkdir()
            for path in (REPO_ROOT / "exercises" / CHAPTER).glob("*.py"):
                shutil.copyfile(path, sub / path.name)
    root = _root(tmp_path, archive, grading_cache, stubs)
    proc = _run(root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = valid_results_json(root / "results" / "results.json")
    assert data["score"] == 0 < data["max_score"]
    assert all(t["output"].startswith("not implemented yet") for t in data["tests"]), \
        [t["output"][:120] for t in data["tests"] if not t["output"].startswith("not implemented yet")][:3]


def test_a_grader_failure_still_leaves_a_results_json(tmp_path, archive):
    root = unpack(archive, tmp_path / "autograder")           # no submission at all: grade exits 2
    proc = _run(root, timeout=300)
    assert proc.returncode == 2
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 0 and "grader itself failed" in data["output"]


@pytest.mark.timeout(3000)
def test_setup_sh_in_a_fresh_venv_then_grade_with_it(tmp_path, archive, grading_cache):
    """setup.sh as Gradescope runs it, apt skipped; the venv it builds then grades (no D2L_PYTHON)."""
    root = unpack(archive, tmp_path / "autograder")
    shutil.copytree(grading_cache, root / "profile")    # a warm profile: setup measures only what is missing
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "D2L_DATA_DIR", "VIRTUAL_ENV")}
    env.update(AUTOGRADER_ROOT=str(root), D2L_SKIP_APT="1", D2L_TORCH_INDEX="",
               D2L_BASE_PYTHON=getattr(sys, "_base_executable", sys.executable))
    proc = subprocess.run(["bash", str(root / "setup.sh")], env=env, capture_output=True, text=True, timeout=2400)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "data: ok" in proc.stdout and "setup: done" in proc.stdout
    venv_python = root / "venv" / "bin" / "python"
    check = subprocess.run([venv_python, "-c", "import torch, autograder; print(torch.__version__, "
                            "autograder.__file__)"], capture_output=True, text=True, env=env,
                           cwd=root)                # not the checkout: ``-c`` puts the working folder first on sys.path
    version, where = check.stdout.split()
    assert version.split("+")[0] == json.loads((root / "source" / "course.json").read_text())["torch"]
    assert where.startswith(str(root / "source")), where         # the editable install: one copy of the solutions
    assert not (root / "source" / "solutions").stat().st_mode & 0o077
    assert list((root / "profile").glob("profile-*.json"))
    shutil.copytree(REPO_ROOT / "solutions" / CHAPTER, root / "submission" / CHAPTER)
    proc = _run(root, python=None)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = valid_results_json(root / "results" / "results.json")
    assert data["score"] == data["max_score"] > 0
