"""The container image: the Dockerfile's promises, and its entrypoint script run outside a container.

Building and running the image needs a container engine; ``D2L_CONTAINER_TESTS=1`` (with podman
installed, root) builds it from a Debian root filesystem and grades in it (slow: minutes, GBs). Without
it, the entrypoint script, which is all the image adds around ``python -m autograder``, runs here on
this checkout.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.harness.loader import REPO_ROOT
from reports_spec import valid_results_json

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()
ENTRYPOINT = REPO_ROOT / "docker" / "entrypoint.sh"
SELECT = "ch3::linreg::book_example,ch3::softmax::book_example"


def test_the_dockerfile_builds_what_the_readme_says():
    assert re.search(r"^ARG BASE=python:3\.\d+-slim", DOCKERFILE, re.M)
    assert "FROM ${BASE}" in DOCKERFILE
    assert re.search(r'"torch==\$\{TORCH_VERSION\}".*--index-url "\$TORCH_INDEX"', DOCKERFILE)
    assert "ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu" in DOCKERFILE
    assert "pip install --no-cache-dir -e ." in DOCKERFILE                    # one copy of the solutions
    assert "COPY data /opt/d2l/data" in DOCKERFILE and "D2L_NO_DOWNLOAD=1" in DOCKERFILE
    assert "chmod -R go-rwx solutions autograder/checks/hidden tests" in DOCKERFILE
    assert "python -m autograder profile" in DOCKERFILE
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r'^ENTRYPOINT \["/usr/local/bin/d2l-entrypoint"\]', DOCKERFILE, re.M)
    assert "COPY docker/entrypoint.sh /usr/local/bin/d2l-entrypoint" in DOCKERFILE
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    assert ".git" in ignored and "tests/catalog" in ignored


def _entry(*args, cache, timeout=900):
    env = {**os.environ, "D2L_COURSE": str(REPO_ROOT), "D2L_PYTHON": sys.executable,
           "D2L_PROFILE_CACHE": str(cache), "PYTHONPATH": str(REPO_ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run(["sh", str(ENTRYPOINT), *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd="/")


def test_the_entrypoint_grades_by_default_and_says_which_sandbox(tmp_path, grading_cache):
    shutil.copytree(REPO_ROOT / "solutions" / "ch3", tmp_path / "alice" / "ch3")
    proc = _entry(tmp_path / "alice", "--chapters", "3", "--select", SELECT, "--no-plots", "--out",
                  tmp_path / "out", cache=grading_cache)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert re.search(r"^sandbox: Linux", proc.stderr, re.M), proc.stderr[-1000:]
    data = valid_results_json(tmp_path / "out" / "results.json")
    assert data["score"] == data["max_score"] == 2


def test_the_entrypoint_passes_other_subcommands_through(tmp_path, grading_cache):
    proc = _entry("list", "3", cache=grading_cache, timeout=300)
    assert proc.returncode == 0 and proc.stdout.startswith("ch3:"), proc.stdout[:500] + proc.stderr[-500:]
    assert "sandbox:" not in proc.stderr


@pytest.mark.skipif(os.environ.get("D2L_CONTAINER_TESTS") != "1" or not shutil.which("podman"),
                    reason="set D2L_CONTAINER_TESTS=1 with podman installed to build the image (minutes, GBs)")
@pytest.mark.timeout(5400)
def test_the_image_builds_and_grades_with_podman(tmp_path):
    script = REPO_ROOT / "docker" / "podman-smoke.sh"
    proc = subprocess.run(["bash", str(script), str(tmp_path / "podman")], capture_output=True, text=True, timeout=5000,
                          cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "user: score 2 / 2" in proc.stdout and "root: score 2 / 2" in proc.stdout
