"""The student release: stubs, public checks and utilities; no reference solution, no hidden check."""
import ast
import os
import re
import subprocess
import sys

import pytest

from autograder.grading.release import write_release
from autograder.harness.loader import REPO_ROOT
from autograder.harness.registry import available_chapters, load_chapter


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "student-repo"
    write_release(out)
    return out


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def reference_bodies() -> dict[str, str]:
    """Every function body of every reference module (docstring left out), whitespace-normalised."""
    bodies = {}
    for chapter in available_chapters():
        for path in sorted((REPO_ROOT / "solutions" / chapter).glob("*.py")):
            source = path.read_text()
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                    if body:
                        lines = source.splitlines()[body[0].lineno - 1: body[-1].end_lineno]
                        text = _normalise("\n".join(lines))
                        # "return X" alone proves nothing; an abstract interface's body is in every stub
                        if len(text) >= 25 and not text.startswith("raise NotImplementedError"):
                            bodies[f"{path.relative_to(REPO_ROOT)}:{node.name}"] = text
    return bodies


def released_text(release) -> dict:
    return {p: _normalise(p.read_text(errors="replace")) for p in release.rglob("*") if p.is_file()}


def test_no_solution_or_hidden_check_in_any_file(release):
    assert not (release / "solutions").exists() and not (release / "autograder" / "checks" / "hidden").exists()
    texts = released_text(release)
    bodies = reference_bodies()
    assert len(bodies) > 10
    leaks = [f"{name} in {p}" for name, body in bodies.items() for p, text in texts.items() if body in text]
    assert not leaks, "\n".join(leaks)
    hidden = [c.fn.__name__ for chapter in available_chapters() for c in load_chapter(chapter)
              if c.visibility == "hidden"]
    assert hidden
    found = [f"{name} in {p}" for name in hidden for p, text in texts.items() if re.search(rf"\b{name}\b", text)]
    assert not found, "\n".join(found)


def test_release_has_what_a_student_needs(release):
    for rel in ("README.md", "pyproject.toml", "conftest.py", ".github/workflows/checks.yml", "d2lkit/__init__.py",
                "autograder/pytest_plugin.py", *[f"exercises/{c}/test_{c}.py" for c in available_chapters()],
                *[f"autograder/checks/public/{c}.py" for c in available_chapters()]):
        assert (release / rel).is_file(), rel
    assert "solutions" not in (release / "pyproject.toml").read_text()


def test_released_pytest_runs_the_public_checks_only(release):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    chapter = available_chapters()[0]
    proc = subprocess.run([sys.executable, "-m", "pytest", f"exercises/{chapter}", "-q", "-p", "no:randomly",
                           f"--submission={REPO_ROOT / 'solutions'}"], cwd=release, capture_output=True, text=True,
                          env=env, timeout=600)
    public = [c for c in load_chapter(chapter) if c.visibility == "public"]
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert f"{len(public)} passed" in proc.stdout, proc.stdout[-1500:]
    stubs = subprocess.run([sys.executable, "-m", "pytest", f"exercises/{chapter}", "-q", "-p", "no:randomly"],
                           cwd=release, capture_output=True, text=True, env=env, timeout=600)
    assert stubs.returncode == 1 and f"{len(public)} failed" in stubs.stdout, stubs.stdout[-1500:]
