"""GitHub Classroom points: a grade's results.json in the format Classroom's grading reporter reads.

``classroom-resources/autograding-grading-reporter`` takes ``runners: ID`` and the environment variable
``ID_RESULTS`` (the runner id in capitals): base64 of a JSON object ``{"version": 1, "status":
"pass"|"fail"|"error", "max_score": N, "tests": [{"name", "status", "score", "message", ...}]}``. It
adds the tests' ``score`` up against ``max_score`` and posts the notice ``{"totalPoints", "maxPoints"}``
that the Classroom dashboard shows. One test per exercise here (its points, the first failing check's
message), so the log stays readable; the checks are in the uploaded report.

    python -m autograder classroom-result report/ >> "$GITHUB_OUTPUT"      # writes result=<base64>
"""
from __future__ import annotations

import base64
import json
from pathlib import Path

RUNNER = "d2lgrade"          # the step id: letters and digits only (the reporter's pattern)


def classroom_result(results: dict) -> dict:
    """Gradescope's results.json (``reports.gradescope``) -> the reporter's runner result."""
    exercises: dict[str, dict] = {}
    for t in results.get("tests", []):
        chapter, exercise, check = (str(t.get("number", "")).split("::") + ["", "", ""])[:3]
        key = f"{chapter} {exercise}" if exercise else t["name"]
        row = exercises.setdefault(key, {"name": key, "score": 0, "max_score": 0, "failed": []})
        row["score"] += t["score"]
        row["max_score"] += t["max_score"]
        if t["status"] != "passed":
            first = (t.get("output") or "").strip().splitlines()
            row["failed"].append(f"[{check or t['name']}] {first[0] if first else 'failed'}")
    tests = [{"name": r["name"], "status": "pass" if not r["failed"] else "fail", "score": r["score"],
              "max_score": r["max_score"], "message": "; ".join(r["failed"][:3])[:1000] or None,
              "test_code": f"python -m autograder grade --select {r['name'].replace(' ', '::')}", "line_no": 0}
             for r in exercises.values()]
    status = "error" if not tests else "pass" if all(t["status"] == "pass" for t in tests) else "fail"
    return {"version": 1, "status": status, "max_score": results.get("max_score", 0), "tests": tests}


def output_line(report: Path) -> str:
    """``result=<base64>``: the line a step appends to ``$GITHUB_OUTPUT`` (``steps.d2lgrade.outputs.result``)."""
    path = Path(report)
    path = path / "results.json" if path.is_dir() else path
    if path.is_file():
        data = classroom_result(json.loads(path.read_text()))
    else:
        data = {"version": 1, "status": "error", "max_score": 0,
                "tests": [{"name": "grading", "status": "error", "score": 0,
                           "message": f"the grader wrote no {path.name}: see the grading step's log"}]}
    return "result=" + base64.b64encode(json.dumps(data).encode()).decode()
