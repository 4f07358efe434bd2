"""``release OUT_DIR``: the student repository, with nothing that exposes a solution.

What ships: the stubs (``exercises/``), the public checks, the harness and the pytest plugin,
the provided utilities (``d2lkit``), the root ``conftest.py``, a student ``pyproject.toml``,
README and ``.gitignore``, and a GitHub Actions workflow running the public checks on push.
What never ships: ``solutions/``, ``autograder/checks/hidden/``, the grading engine
(``autograder/grading/``, which knows where solutions live) and the stub generator.
``load_chapter`` tolerates the missing hidden checks, so ``pytest exercises/ch3`` in the
release runs the public checks only.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from autograder.harness.loader import REPO_ROOT
from autograder.harness.registry import available_chapters

TEMPLATES = Path(__file__).parent / "templates"
NEVER = ("solutions", "autograder/checks/hidden", "autograder/grading", "autograder/stubs.py", "tests", ".git")


def _ignore(folder, names):
    return [n for n in names if n in ("__pycache__", ".pytest_cache") or n.endswith((".pyc", ".egg-info"))]


def _copy(rel: str, out: Path) -> None:
    src, dest = REPO_ROOT / rel, out / rel
    if any(rel == n or rel.startswith(n + "/") for n in NEVER):
        raise ValueError(f"{rel} must never be released")
    if src.is_dir():
        shutil.copytree(src, dest, ignore=_ignore, dirs_exist_ok=True)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)


def student_pyproject() -> str:
    text = (REPO_ROOT / "pyproject.toml").read_text()
    replacements = {
        'name = "d2l-exercises"': 'name = "d2l-exercises-student"',
        'include = ["autograder*", "d2lkit*", "solutions*", "exercises*"]': 'include = ["autograder*", "d2lkit*", "exercises*"]',
        'testpaths = ["tests", "exercises"]': 'testpaths = ["exercises"]',
        '[tool.setuptools.package-data]\nautograder = ["grading/templates/*"]\n\n': '',
    }
    text = re.sub(r'^description = ".*"$', 'description = "Exercises for Dive into Deep Learning (PyTorch): stubs and '
                  'public checks"', text, count=1, flags=re.M)
    for old, new in replacements.items():
        if old not in text:
            raise ValueError(f"pyproject.toml changed: cannot find {old!r} to write the student's")
        text = text.replace(old, new)
    return text


def write_release(out: Path, chapters: list[str] | None = None) -> list[Path]:
    """Write the student repository in ``out`` (which must not exist or be empty); return its files."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    chapters = [c if c.startswith("ch") else f"ch{c}" for c in chapters] if chapters else available_chapters()
    for rel in ("d2lkit", "conftest.py", "autograder/harness", "autograder/__init__.py", "autograder/__main__.py",
                "autograder/book.py", "autograder/cli.py", "autograder/pytest_plugin.py",
                "autograder/checks/__init__.py", "autograder/checks/public/__init__.py", "exercises/__init__.py"):
        if (REPO_ROOT / rel).exists():
            _copy(rel, out)
    for chapter in chapters:
        _copy(f"exercises/{chapter}", out)
        _copy(f"autograder/checks/public/{chapter}.py", out)
    (out / "pyproject.toml").write_text(student_pyproject())
    (out / "README.md").write_text((TEMPLATES / "student_README.md").read_text()
                                   .replace("{chapters}", ", ".join(chapters)).replace("{first}", chapters[0]))
    (out / ".gitignore").write_text("__pycache__/\n*.pyc\n*.egg-info/\n.venv*/\n.pytest_cache/\n")
    (out / ".github" / "workflows").mkdir(parents=True)
    shutil.copyfile(TEMPLATES / "student_checks.yml", out / ".github" / "workflows" / "checks.yml")
    return sorted(p for p in out.rglob("*") if p.is_file())
