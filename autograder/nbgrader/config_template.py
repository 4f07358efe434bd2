"""nbgrader configuration of the d2l-exercises course.

Written by ``python -m autograder nbgrader build``: rebuild rather than edit.
Each setting below answers a way nbgrader 0.9 silently gets grading wrong.
"""
import json
import os
from pathlib import Path

c = get_config()  # noqa: F821  (nbgrader provides it)
COURSE = Path(__file__).resolve().parent

c.CourseDirectory.root = str(COURSE)
c.CourseDirectory.course_id = "@COURSE_ID@"

# The notebooks run in the kernel written next to this file (.jupyter/kernels/@KERNEL@): the
# interpreter that built the course, with the d2l-exercises checkout first on its path. Whatever
# environment runs nbgrader, the hidden checks can import the package (if they could not, every
# correct submission would get 0 and nbgrader would still exit 0).
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [str(COURSE / ".jupyter")] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p])
c.Execute.kernel_name = "@KERNEL@"

# Time limits: each test cell gets its check's pytest timeout (60 s, 120 s for speed checks,
# 600 s for training checks; times $D2L_NB_TIMEOUT_SCALE), other cells 120 s. On a timeout the
# kernel is interrupted and the next cells still run, so an infinite loop costs only its cells.
TIMEOUTS = json.loads((COURSE / "timeouts.json").read_text(encoding="utf-8"))
SCALE = float(os.environ.get("D2L_NB_TIMEOUT_SCALE", "1"))


def cell_timeout(cell):
    cell_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return max(1, round(TIMEOUTS[cell_id] * SCALE)) if cell_id in TIMEOUTS else 120


c.Execute.timeout_func = cell_timeout
c.Execute.interrupt_on_timeout = True

# Anything on stderr zeroes a test cell. The checks write nothing there and the setup cell sends
# warnings to stdout; this also drops what the student's code prints to stderr, so that a
# progress bar or a warning costs no points.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]*"

# A locked test cell that a student deleted is put back before grading.
c.OverwriteCells.add_missing_cells = True

# Feedback shows the hidden test cells' outputs (the failure messages), never their source.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
]
