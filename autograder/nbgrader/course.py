"""``python -m autograder nbgrader build COURSE_DIR``: a complete nbgrader course directory.

Writes ``nbgrader_config.py`` (from ``config_template.py``), the kernel the
notebooks run in (``.jupyter/kernels/d2l-exercises``: this interpreter, with this
checkout first on ``sys.path``), ``timeouts.json`` (each test cell's limit: its
check's pytest timeout) and ``source/chN/chN.ipynb`` for every chapter. Everything
is regenerated on every build; never edit it by hand.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat

from autograder.harness.loader import REPO_ROOT
from autograder.harness.registry import available_chapters, load_chapter
from autograder.nbgrader.notebook import chapter_notebook, check_cell_ids

KERNEL = "d2l-exercises"
TEMPLATE = Path(__file__).with_name("config_template.py")


def timeouts(chapters: list[str]) -> dict[str, float]:
    """Each test cell's time limit: the pytest timeout of the check it runs."""
    found = {}
    for chapter in chapters:
        checks = load_chapter(chapter)
        ids = check_cell_ids(chapter, checks)
        found.update({ids[c.id]: c.timeout for c in checks})
    return found


def kernel_spec(python: str, repo: Path, data_dir: str | None) -> dict:
    env = {"PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    if data_dir:
        env["D2L_DATA_DIR"] = data_dir
    return {"argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "d2l-exercises (grading)", "language": "python", "env": env,
            "metadata": {"debugger": False}}


def config_text(course_id: str = "d2l-exercises") -> str:
    return TEMPLATE.read_text(encoding="utf-8").replace("@COURSE_ID@", course_id).replace("@KERNEL@", KERNEL)


def build(course: Path, chapters: list[str] | None = None, *, gpu_checks: bool = False, skip_kinds: tuple = (),
          python: str | None = None, data_dir: str | None = None) -> list[Path]:
    """Write the course directory; return the notebooks written."""
    course = Path(course).resolve()
    chapters = chapters or available_chapters()
    unknown = set(chapters) - set(available_chapters())
    if unknown:
        raise SystemExit(f"no such chapter(s): {', '.join(sorted(unknown))} (have {', '.join(available_chapters())})")
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(config_text(), encoding="utf-8")
    spec_dir = course / ".jupyter" / "kernels" / KERNEL
    spec_dir.mkdir(parents=True, exist_ok=True)
    data_dir = data_dir if data_dir is not None else os.environ.get("D2L_DATA_DIR")
    spec = kernel_spec(python or sys.executable, REPO_ROOT, data_dir)
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    (course / "timeouts.json").write_text(json.dumps(timeouts(available_chapters()), indent=1), encoding="utf-8")
    written = []
    for chapter in chapters:
        path = course / "source" / chapter / f"{chapter}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(chapter_notebook(chapter, gpu_checks=gpu_checks, skip_kinds=skip_kinds), path)
        written.append(path)
    return written
