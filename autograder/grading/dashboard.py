"""The class dashboard, ``class/index.html``, beside the student folders (written by grade-all and gather).

For staff: the score histogram, pass rates per chapter and per exercise, for each check the most common
failing message and how many students it hit, the slowest checks, the submissions with integrity flags
(the static audit) and the suspiciously similar pairs (``similarity.py``), and a link to each student's
feedback. Plots are matplotlib PNGs; the numbers are also in ``class/summary.json``. The page depends on
the grades only (no clock, no paths outside the folder), so one grade-all and a gather of its shards
write the same bytes.
"""
from __future__ import annotations

import html
import json
import statistics
from collections import Counter, defaultdict
from pathlib import Path

SLOWEST = 15


def _first_line(message: str) -> str:
    line = next((ln.strip() for ln in message.splitlines() if ln.strip()), "(no message)")
    return line if len(line) <= 200 else line[:197] + "..."


def summarize(grades: dict, checks: list, pairs: list[dict]) -> dict:
    """Everything the page shows, as plain data (``class/summary.json``)."""
    graded = {s: g for s, g in sorted(grades.items()) if not isinstance(g, str)}
    errors = {s: g for s, g in sorted(grades.items()) if isinstance(g, str)}
    chapters = list(dict.fromkeys(c.exercise.chapter for c in checks))
    exercises = list(dict.fromkeys((c.exercise.chapter, c.exercise.label) for c in sorted(
        checks, key=lambda c: (chapters.index(c.exercise.chapter), c.exercise.order))))
    max_score = max((g.max_score for g in graded.values()), default=0)
    per_check: dict[str, dict] = {c.id: {"id": c.id, "chapter": c.exercise.chapter, "points": c.points,
                                         "kind": c.kind, "passed": 0, "failed": 0, "messages": Counter(),
                                         "durations": []} for c in checks}
    per_chapter = {ch: [0.0, 0.0, 0] for ch in chapters}          # earned, possible, students with full marks
    per_exercise = {ex: [0.0, 0.0, 0] for ex in exercises}
    for g in graded.values():
        mine_ch: dict = defaultdict(lambda: [0.0, 0.0])
        mine_ex: dict = defaultdict(lambda: [0.0, 0.0])
        for r in g.records:
            c = per_check.get(r["id"])
            if c is None or r["outcome"] == "skipped":
                continue
            c["passed" if r["outcome"] == "passed" else "failed"] += 1
            if r["outcome"] == "failed":
                c["messages"][_first_line(r["message"])] += 1
            c["durations"].append(r["duration"])
            for table, key in ((mine_ch, r["chapter"]), (mine_ex, (r["chapter"], r["label"]))):
                table[key][0] += r["earned"]
                table[key][1] += r["points"]
        for totals, mine in ((per_chapter, mine_ch), (per_exercise, mine_ex)):
            for key, (earned, possible) in mine.items():
                if key in totals:
                    totals[key][0] += earned
                    totals[key][1] += possible
                    totals[key][2] += earned == possible
    failing = []
    for c in per_check.values():
        if c["failed"]:
            message, hits = sorted(c["messages"].items(), key=lambda kv: (-kv[1], kv[0]))[0]
            failing.append({"id": c["id"], "failed": c["failed"], "of": c["passed"] + c["failed"],
                            "message": message, "hit": hits, "distinct": len(c["messages"])})
    failing.sort(key=lambda f: (-f["failed"], f["id"]))
    slowest = sorted(({"id": c["id"], "kind": c["kind"], "median": round(statistics.median(c["durations"]), 2),
                       "max": round(max(c["durations"]), 2), "total": round(sum(c["durations"]), 1)}
                      for c in per_check.values() if c["durations"]), key=lambda s: (-s["median"], s["id"]))[:SLOWEST]
    rate = lambda e, p: round(e / p, 4) if p else None  # noqa: E731
    return {
        "students": len(grades), "graded": len(graded), "errors": errors, "max_score": max_score,
        "scores": {s: g.score for s, g in graded.items()},
        "mean": round(statistics.mean([g.score for g in graded.values()]), 2) if graded else None,
        "median": statistics.median([g.score for g in graded.values()]) if graded else None,
        "chapters": [{"chapter": ch, "points": rate(e, p), "full_marks": n} for ch, (e, p, n) in per_chapter.items()],
        "exercises": [{"chapter": ch, "exercise": ex, "points": rate(e, p), "full_marks": n}
                      for (ch, ex), (e, p, n) in per_exercise.items()],
        "failing": failing, "slowest": slowest,
        "flagged": {s: g.flags for s, g in graded.items() if g.flags},
        "stopped": sorted(s for s, g in graded.items() if g.stopped),
        "similar": pairs,
    }


def _plots(summary: dict, folder: Path) -> list[str]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    made = []
    scores = list(summary["scores"].values())
    fig, ax = plt.subplots(figsize=(7, 3.2))
    top = summary["max_score"] or 1
    bins = int(top) + 1 if top <= 40 and float(top).is_integer() else 20
    ax.hist(scores, bins=bins, range=(-0.5, int(top) + 0.5) if bins == int(top) + 1 else (0, top), color="#4477aa",
            edgecolor="white")
    ax.set_xlabel(f"score (of {top:g})")
    ax.set_ylabel("students")
    ax.set_title(f"scores of {len(scores)} graded submissions")
    fig.tight_layout()
    fig.savefig(folder / "scores.png", dpi=90, metadata={"Software": None})
    plt.close(fig)
    made.append("scores.png")
    rows = [c for c in summary["chapters"] if c["points"] is not None]
    if rows:
        fig, ax = plt.subplots(figsize=(7, 0.4 * len(rows) + 1.2))
        ax.barh([c["chapter"] for c in rows][::-1], [100 * c["points"] for c in rows][::-1], color="#228833")
        ax.set_xlim(0, 100)
        ax.set_xlabel("points earned, % of possible (all students)")
        fig.tight_layout()
        fig.savefig(folder / "chapters.png", dpi=90, metadata={"Software": None})
        plt.close(fig)
        made.append("chapters.png")
    return made


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    h = "".join(f"<th>{html.escape(x)}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{x}</td>" for x in r) + "</tr>" for r in rows)
    return f"<table class='{cls}'><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


SCRIPT = """
document.getElementById('filter').addEventListener('input', function (e) {
  var q = e.target.value.toLowerCase();
  document.querySelectorAll('#students tbody tr').forEach(function (tr) {
    tr.style.display = tr.dataset.student.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
  });
});
"""

STYLE = """body{font-family:sans-serif;margin:1.5em;max-width:70em}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}th{background:#eee}
.bad{color:#a00}code{font-size:90%}"""


def write_dashboard(grades: dict, out: Path, checks: list, pairs: list[dict]) -> Path:
    """``out/class/index.html`` (+ PNGs and summary.json); links go to ``out/STUDENT/feedback/index.html``."""
    folder = Path(out) / "class"
    folder.mkdir(parents=True, exist_ok=True)
    s = summarize(grades, checks, pairs)
    (folder / "summary.json").write_text(json.dumps(s, indent=1, ensure_ascii=False, sort_keys=True))
    e = html.escape
    images = _plots(s, folder)
    parts = [f"<h1>Class report: {s['students']} submissions</h1>",
             f"<p id='overview'>{s['graded']} graded, {len(s['errors'])} grader errors; mean score "
             f"{s['mean'] if s['mean'] is not None else '-'} / {s['max_score']:g}, median "
             f"{s['median'] if s['median'] is not None else '-'}; {len(s['flagged'])} with integrity flags, "
             f"{len(s['similar'])} similar pair(s). Gradebook: <a href='../grades.csv'>grades.csv</a>.</p>"]
    parts.append("<h2 id='histogram'>Scores</h2>" + "".join(
        f"<img src='{i}' alt='{'score histogram' if i == 'scores.png' else 'points per chapter'}'>" for i in images))
    parts.append("<h2 id='chapters'>Pass rates per chapter</h2>" + _table(
        ["chapter", "points earned", "students with full marks"],
        [[c["chapter"], _pct(c["points"]), f"{c['full_marks']} / {s['graded']}"] for c in s["chapters"]], "chapters"))
    parts.append("<h2 id='exercises'>Pass rates per exercise</h2>" + _table(
        ["chapter", "exercise", "points earned", "students with full marks"],
        [[c["chapter"], e(c["exercise"]), _pct(c["points"]), f"{c['full_marks']} / {s['graded']}"]
         for c in s["exercises"]], "exercises"))
    parts.append("<h2 id='failing'>Failing checks: the most common message</h2>" + (_table(
        ["check", "failed", "most common failing message", "students it hit", "distinct messages"],
        [[f"<code>{e(f['id'])}</code>", f"{f['failed']} / {f['of']}", f"<code>{e(f['message'])}</code>",
          str(f["hit"]), str(f["distinct"])] for f in s["failing"]], "failing") if s["failing"]
        else "<p>No check failed.</p>"))
    parts.append("<h2 id='slowest'>Slowest checks (seconds per student)</h2>" + _table(
        ["check", "kind", "median", "max", "all students"],
        [[f"<code>{e(x['id'])}</code>", x["kind"], f"{x['median']:.2f}", f"{x['max']:.2f}", f"{x['total']:.1f}"]
         for x in s["slowest"]], "slowest"))
    flagged = [[f"<a href='../{e(st)}/feedback/index.html'>{e(st)}</a>",
                "<br>".join(f"<code>{e(x)}</code>" for x in fl)] for st, fl in s["flagged"].items()]
    parts.append("<h2 id='integrity'>Integrity flags (the static audit; never a score)</h2>" + (
        _table(["student", "flagged lines"], flagged, "integrity") if flagged else "<p>None.</p>"))
    similar = [[f"<a href='../{e(p['a'])}/feedback/index.html'>{e(p['a'])}</a>",
                f"<a href='../{e(p['b'])}/feedback/index.html'>{e(p['b'])}</a>", f"{p['score']:.0%}",
                "<br>".join(f"<a href='../{e(p['a'])}/code/{e(f['file'])}'>{e(f['file'])}</a> {f['score']:.0%}"
                            for f in p["files"][:8])] for p in s["similar"]]
    parts.append("<h2 id='similar'>Suspiciously similar submissions (copydetect; never a score)</h2>" + (
        _table(["student", "student", "similarity", "modules"], similar, "similar") if similar else "<p>None.</p>"))
    rows = []
    for student, g in sorted(grades.items()):
        if isinstance(g, str):
            rows.append(f"<tr data-student='{e(student)}'><td>{e(student)}</td><td class='bad'>{e(g)}</td>"
                        "<td></td></tr>")
            continue
        notes = []
        if g.flags:
            notes.append(f"{len(g.flags)} audit")
        if g.stopped:
            notes.append("stopped")
        notes += [f"similar to {e(o)}" for p in s["similar"] for o in ((p["b"],) if p["a"] == student else
                                                                       (p["a"],) if p["b"] == student else ())]
        rows.append(f"<tr data-student='{e(student)}'><td><a href='../{e(student)}/feedback/index.html'>"
                    f"{e(student)}</a></td><td>{g.score:g} / {g.max_score:g}</td><td>{'; '.join(notes)}</td></tr>")
    parts.append("<h2 id='students-heading'>Students</h2><p><label>filter: <input id='filter' "
                 "placeholder='name'></label></p><table id='students'><thead><tr><th>student</th><th>score</th>"
                 f"<th>flags</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
    page = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
            f"<title>Class report</title><style>{STYLE}</style></head><body>\n" + "\n".join(parts)
            + f"\n<script>{SCRIPT}</script></body></html>\n")
    (folder / "index.html").write_text(page)
    return folder / "index.html"
