"""What a grade becomes: Gradescope's results.json, JUnit XML, a summary table, the job summary."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from autograder import book
from autograder.results import points_table

VISIBILITY = {"hidden": "after_published", "public": "visible"}


def summary_lines(grade) -> list[str]:
    lines = points_table(grade.records)
    lines.append(f"TOTAL {grade.score:g} / {grade.max_score:g}   ({grade.student}, {grade.seconds:.1f} s)")
    return lines


def gradescope_output(grade) -> str:
    """results.json's top-level ``output`` (Markdown): the points table, the grader's notes, what was not counted
    and the start of what the code printed."""
    from autograder.grading.feedback_text import fence, md_escape, parse
    lines = [f"**{md_escape(grade.student)}: {grade.score:g} / {grade.max_score:g} points**", "",
             *fence(summary_lines(grade)), ""]
    lines += [f"- {md_escape(n)}" for n in grade.notes] + ([""] if grade.notes else [])
    skipped = [r for r in grade.records if r["outcome"] == "skipped"]
    if skipped:
        lines += ["**Not counted:**", ""]
        lines += [f"- `{r['id']}`: {md_escape(parse(r['message']).first_line)}" for r in skipped] + [""]
    if grade.output.strip():
        lines += ["**What your code printed** (the start; all of it is in output.txt):", "",
                  *fence(grade.output[:2000].splitlines()), ""]
    return "\n".join(lines).rstrip() + "\n"


def gradescope(grade) -> dict:
    """Gradescope's results.json: skipped (GPU) checks are left out of the tests and of max_score. Outputs are
    Markdown (``output_format: md``), each test's message written by the feedback's renderer."""
    from autograder.grading.feedback_text import markdown
    tests = [{"name": f"{r['chapter']} {r['exercise']}: {r['check']}", "number": r["id"], "score": r["earned"],
              "max_score": r["points"], "status": "passed" if r["outcome"] == "passed" else "failed",
              "output": markdown(r["message"]), "output_format": "md", "visibility": VISIBILITY[r["visibility"]],
              "tags": [r["chapter"], r["kind"]]}
             for r in grade.records if r["outcome"] != "skipped"]
    return {"score": grade.score, "max_score": grade.max_score, "execution_time": round(grade.seconds, 2),
            "output": gradescope_output(grade), "output_format": "md", "test_output_format": "md",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"student": grade.student, "integrity_flags": grade.flags}}


def junit(grade) -> ET.ElementTree:
    suites = ET.Element("testsuites", name="d2l-exercises")
    for chapter in book.CHAPTERS:
        rows = [r for r in grade.records if r["chapter"] == chapter]
        if not rows:
            continue
        suite = ET.SubElement(suites, "testsuite", name=chapter, tests=str(len(rows)),
                              failures=str(sum(r["outcome"] == "failed" for r in rows)),
                              skipped=str(sum(r["outcome"] == "skipped" for r in rows)),
                              time=f"{sum(r['duration'] for r in rows):.3f}")
        for r in rows:
            case = ET.SubElement(suite, "testcase", classname=f"{chapter}.{r['module']}.{r['exercise']}",
                                 name=r["check"], time=f"{r['duration']:.3f}")
            props = ET.SubElement(case, "properties")
            for key in ("points", "earned", "visibility", "kind"):
                ET.SubElement(props, "property", name=key, value=str(r[key]))
            if r["outcome"] == "failed":
                first = r["message"].splitlines()[0] if r["message"] else "failed"
                ET.SubElement(case, "failure", message=first[:500]).text = r["message"]
            elif r["outcome"] == "skipped":
                ET.SubElement(case, "skipped", message=r["message"][:500])
    for attr in ("tests", "failures", "skipped"):
        suites.set(attr, str(sum(int(s.get(attr)) for s in suites)))
    return ET.ElementTree(suites)


def markdown_summary(grade) -> str:
    rows = ["| chapter | exercise | points | first failing check |", "| --- | --- | --- | --- |"]
    seen = {}
    for r in grade.records:
        if r["outcome"] != "skipped":
            seen.setdefault((r["chapter"], r["exercise"]), []).append(r)
    for (chapter, exercise), mine in seen.items():
        failed = next((r for r in mine if r["outcome"] == "failed"), None)
        note = f"`{failed['check']}`: {failed['message'].splitlines()[0][:100]}" if failed and failed["message"] else ""
        rows.append(f"| {chapter} | {exercise} | {sum(r['earned'] for r in mine):g} / "
                    f"{sum(r['points'] for r in mine):g} | {note.replace('|', '/')} |")
    return f"### d2l-exercises: {grade.student}: {grade.score:g} / {grade.max_score:g}\n\n" + "\n".join(rows) + "\n"


def write_all(grade, out: Path, plots: bool = True) -> None:
    from autograder.grading.feedback import write_feedback
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(gradescope(grade), ensure_ascii=False, indent=1))
    junit(grade).write(out / "junit.xml", encoding="utf-8", xml_declaration=True)
    (out / "summary.txt").write_text("\n".join(summary_lines(grade)) + "\n")
    (out / "output.txt").write_text(grade.output)
    write_feedback(grade, out / "feedback", plots=plots)


def append_job_summary(grade) -> None:
    """Under GitHub Actions, add the summary table to the job's page."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(markdown_summary(grade) + "\n")
