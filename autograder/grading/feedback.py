"""The feedback a student reads after grading: an index and one page per exercise, in HTML and Markdown.

One model of the report (:func:`build`: chapters in book order with their totals, in each the
failing exercises first, then the passing ones; skipped GPU checks named and left out of the
totals; per exercise its contract, read from the stub's docstring, and its checks), written by
``feedback_html`` and by :func:`markdown_index` / :func:`markdown_exercise` here. Every message goes
through ``feedback_text``, which also writes results.json's ``output`` and the nbgrader feedback, so
a student reads the same words everywhere. Accuracy checks get a plot (``plots``) of the student's
curves and the reference's on the same axes.
"""
from __future__ import annotations

import ast
import dataclasses
import functools
from pathlib import Path

from autograder import book
from autograder.grading import feedback_text
from autograder.grading.booklinks import chapter_number, links
from autograder.harness.registry import REPO_ROOT, exercises_of, load_chapter

STATUS_TEXT = {"failed": "Failed", "passed": "Passed", "skipped": "Skipped"}


def unit(worth: float) -> str:
    return "point" if worth == 1 else "points"


@dataclasses.dataclass
class CheckView:
    record: dict
    message: feedback_text.Message
    plot: str | None = None                 # the PNG's file name, next to the exercise page
    plot_summary: object = None             # plots.PlotSummary
    plot_missing: str = ""                  # why an accuracy check has no plot
    clauses: list = dataclasses.field(default_factory=list)   # [(clause, what the contract says)] it tests

    @property
    def outcome(self) -> str:
        return self.record["outcome"]

    @property
    def name(self) -> str:
        return self.record["check"]

    @property
    def tags(self) -> str:
        r = self.record
        points = ("not counted" if r["outcome"] == "skipped" else
                  f"{r['earned']:g} / {r['points']:g} {unit(r['points'])}")
        return f"{r['visibility']} · {r['kind']} · {points}"


@dataclasses.dataclass
class Contract:
    signature: str          # "def softmax(X)" / "class Accumulator"
    docstring: str
    methods: list           # for a class: "add(self, *args)", ...
    path: str               # "exercises/ch3/softmax_regression.py"


@dataclasses.dataclass
class ExerciseView:
    chapter: str
    module: str
    name: str
    label: str
    section: str            # "3.6.2"
    order: int
    checks: list            # CheckView, failing first, then passed, then skipped (each in check order)
    contract: Contract | None

    @property
    def counted(self) -> list:
        return [c for c in self.checks if c.outcome != "skipped"]

    @property
    def earned(self) -> float:
        return sum(c.record["earned"] for c in self.counted)

    @property
    def worth(self) -> float:
        return sum(c.record["points"] for c in self.counted)

    @property
    def failed(self) -> list:
        return [c for c in self.checks if c.outcome == "failed"]

    @property
    def skipped(self) -> list:
        return [c for c in self.checks if c.outcome == "skipped"]

    @property
    def status(self) -> str:
        return "failed" if self.failed else "passed" if self.counted else "skipped"

    @property
    def page(self) -> str:
        """The exercise's pages, relative to the feedback folder (without the suffix)."""
        return f"{self.chapter}/{self.label}"

    @property
    def book(self) -> dict | None:
        """The book's pages of the exercise's section (``booklinks.links``); ``None`` for a section not in the table."""
        try:
            return links(self.section)
        except (KeyError, IndexError, ValueError):
            return None


@dataclasses.dataclass
class ChapterView:
    chapter: str
    exercises: list         # failing first, then passing, then skipped-only (each in book order)

    @property
    def title(self) -> str:
        return book.CHAPTERS.get(self.chapter, "")

    @property
    def zh_title(self) -> str:
        return self.title.split(" (")[0]

    @property
    def en_title(self) -> str:
        return self.title.partition(" (")[2].rstrip(")")

    @property
    def number(self) -> str:
        return chapter_number(self.chapter)

    @property
    def earned(self) -> float:
        return sum(e.earned for e in self.exercises)

    @property
    def worth(self) -> float:
        return sum(e.worth for e in self.exercises)

    @property
    def failing(self) -> list:
        return [e for e in self.exercises if e.status == "failed"]

    @property
    def passing(self) -> list:
        return [e for e in self.exercises if e.status == "passed"]

    @property
    def skipped_checks(self) -> list:
        return [(e, c) for e in self.exercises for c in e.skipped]


@dataclasses.dataclass
class Report:
    student: str
    score: float
    max_score: float
    chapters: list
    notes: list
    output: str
    stopped: bool

    @property
    def exercises(self) -> list:
        return [e for ch in self.chapters for e in ch.exercises]

    @property
    def failing(self) -> list:
        return [e for ch in self.chapters for e in ch.failing]

    @property
    def skipped_checks(self) -> list:
        return [x for ch in self.chapters for x in ch.skipped_checks]

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


# --- the contract: the stub's docstring ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _module_tree(path: Path):
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None


def _signature(node) -> str:
    args = ast.unparse(node.args)
    return f"{'async ' if isinstance(node, ast.AsyncFunctionDef) else ''}def {node.name}({args})"


def contract(chapter: str, module: str, name: str, root: Path = REPO_ROOT) -> Contract | None:
    """The contract of ``chapter/module.name``: its signature and docstring, from ``exercises/`` (the stub the
    student started from), else from ``solutions/``."""
    for folder in ("exercises", "solutions"):
        path = root / folder / chapter / f"{module}.py"
        tree = _module_tree(path)
        node = next((n for n in (tree.body if tree else []) if getattr(n, "name", None) == name
                     and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))), None)
        if node is None:
            continue
        if isinstance(node, ast.ClassDef):
            bases = ", ".join(ast.unparse(b) for b in node.bases)
            methods = [_signature(m).removeprefix("def ") for m in node.body
                       if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
            signature = f"class {node.name}({bases})" if bases else f"class {node.name}"
        else:
            methods, signature = [], _signature(node)
        return Contract(signature, ast.get_docstring(node) or "", methods, f"exercises/{chapter}/{module}.py")
    return None


# --- the model ----------------------------------------------------------------------------------------------------

_ORDER = {"failed": 0, "passed": 1, "skipped": 2}


def _clauses(check) -> tuple:
    return tuple(getattr(check, "clauses", ()) or ())


def build(grade, plot_dir: Path | None = None) -> Report:
    """The report's model; with ``plot_dir`` (the feedback folder), the plots of accuracy checks are written
    there, next to their exercise's page."""
    by_exercise: dict = {}
    for r in grade.records:
        by_exercise.setdefault((r["chapter"], r["module"], r["exercise"]), []).append(r)
    chapters = []
    for chapter in [*book.CHAPTERS, *sorted({k[0] for k in by_exercise} - set(book.CHAPTERS))]:
        keys = [k for k in by_exercise if k[0] == chapter]
        if not keys:
            continue
        try:
            known = exercises_of(chapter)
            checks_of = {c.id: c for c in load_chapter(chapter)}
        except (KeyError, ImportError):
            known, checks_of = {}, {}
        views = []
        for key in keys:
            rows = by_exercise[key]
            ex = known.get(".".join(key))
            section = ex.section if ex else (feedback_text.parse(rows[0]["message"]).section
                                             or rows[0]["section"].lstrip("§").split(" ")[0])
            said = dict(ex.clauses) if ex else {}
            checks = [CheckView(r, feedback_text.parse(r["message"]),
                                clauses=[(k, said[k]) for k in _clauses(checks_of.get(r["id"])) if k in said])
                      for r in rows]
            checks.sort(key=lambda c: _ORDER.get(c.outcome, 3))   # stable: check order within each group
            views.append(ExerciseView(chapter, key[1], key[2], rows[0]["label"], section,
                                      ex.order if ex else 10 ** 6, checks, contract(chapter, key[1], key[2])))
        views.sort(key=lambda e: (_ORDER[e.status], e.order, e.label))
        chapters.append(ChapterView(chapter, views))
    report = Report(grade.student, grade.score, grade.max_score, chapters, list(grade.notes), grade.output or "",
                    bool(getattr(grade, "stopped", False)))
    if plot_dir is not None:
        _plots(report, grade.reference_curves or {}, plot_dir)
    return report


def _records_no_curve(student: dict | None, reference: dict | None) -> bool:
    """Whether the check records an empty curve by design (``history=lambda run: []``): every curve that either
    side recorded is empty, and at least one side recorded one."""
    sides = [side for side in (student, reference) if side]
    return bool(sides) and all(not curve for side in sides for curve in side.values())


def _plots(report: Report, reference_curves: dict, folder: Path) -> None:
    from autograder.grading.plots import plot_check
    for ex in report.exercises:
        for c in ex.checks:
            if c.record["kind"] != "accuracy" or c.outcome == "skipped":
                continue
            image = f"{ex.label}-{c.name}.png"
            (folder / ex.chapter).mkdir(parents=True, exist_ok=True)
            reason = c.message.first_line if not c.record.get("curves") else ""
            try:
                summary = plot_check(c.record.get("curves") or {}, reference_curves.get(c.record["id"], {}),
                                     folder / ex.chapter / image, reason=reason)
            except Exception as e:  # noqa: BLE001  (a curve the plot cannot read must not cost the report)
                c.plot_missing = f"The training curve could not be drawn ({type(e).__name__}: {e})."
                continue
            if summary is None and _records_no_curve(c.record.get("curves"), reference_curves.get(c.record["id"])):
                c.plot_missing = ("This check measures one number (its value is in the message when it fails), not "
                                  "a curve: there is no training curve to plot.")
            elif summary is None:
                c.plot_missing = ("No training curve: " + (reason or "this check recorded none") +
                                  ("" if reference_curves.get(c.record["id"]) else
                                   "; the reference's curve is not in the profile either"))
            else:
                c.plot, c.plot_summary = image, summary


# --- Markdown -----------------------------------------------------------------------------------------------------

def _points(earned: float, worth: float) -> str:
    return f"{earned:g} / {worth:g}"


def _md_bar(earned: float, worth: float, width: int = 20) -> str:
    full = round(width * earned / worth) if worth else 0
    return "`" + "█" * full + "░" * (width - full) + "`"


def status_line(report: Report) -> str:
    """One sentence under the score: what is left to do, and what was not counted."""
    failing, skipped = report.failing, report.skipped_checks
    counted = [e for e in report.exercises if e.status != "skipped"]
    if not counted:
        bits = ["no check was counted"]
    elif failing:
        where = sorted({e.chapter for e in failing}, key=lambda c: [ch.chapter for ch in report.chapters].index(c))
        bits = [f"{len(failing)} of {len(counted)} exercises to fix (in {', '.join(where)})"]
    else:
        bits = [f"all {len(counted)} exercises pass"]
    if skipped:
        reasons = sorted({c.message.first_line for _, c in skipped})
        bits.append(f"{len(skipped)} check{'s' if len(skipped) != 1 else ''} skipped and not counted "
                    f"({'; '.join(reasons)})")
    return "; ".join(bits)


STOPPED_NOTE = ("Grading was stopped before the end (the platform's time limit): the checks that did not finish "
                "count 0 points.")


def markdown_index(report: Report) -> str:
    lines = [f"# {feedback_text.md_escape(report.student)}: {_points(report.score, report.max_score)} points "
             f"({report.percent:.0f} %)", "", _md_bar(report.score, report.max_score), "",
             feedback_text.md_escape(status_line(report)) + ".", ""]
    if report.stopped:
        lines += [f"> **{STOPPED_NOTE}**", ""]
    lines += ["| chapter | points | to fix |", "| --- | --- | --- |"]
    for ch in report.chapters:
        fix = ", ".join(f"[{feedback_text.md_escape(e.label)}]({e.page}.md)" for e in ch.failing) or "—"
        lines.append(f"| [{ch.chapter} {ch.title}](#{ch.chapter}) | {_points(ch.earned, ch.worth)} | {fix} |")
    lines.append("")
    for ch in report.chapters:
        lines += [f"## <a id=\"{ch.chapter}\"></a>{ch.chapter} {ch.title}: {_points(ch.earned, ch.worth)}", "",
                  _md_bar(ch.earned, ch.worth), ""]
        if ch.failing:
            lines += ["**To fix**", ""]
            for e in ch.failing:
                first = e.failed[0]
                more = f" (and {len(e.failed) - 1} more failing)" if len(e.failed) > 1 else ""
                lines.append(f"- **Failed** [{feedback_text.md_escape(e.label)}]({e.page}.md) "
                             f"{_points(e.earned, e.worth)}: `{first.name}`{more}: "
                             f"{feedback_text.md_escape(first.message.first_line)}")
            lines.append("")
        if ch.passing:
            lines += ["**Passing**", "", ", ".join(f"[{feedback_text.md_escape(e.label)}]({e.page}.md) "
                                                   f"{_points(e.earned, e.worth)}" for e in ch.passing), ""]
        if ch.skipped_checks:
            lines += ["**Not counted**", ""]
            lines += [f"- *Skipped* [{feedback_text.md_escape(e.label)}]({e.page}.md) `{c.name}`: "
                      f"{feedback_text.md_escape(c.message.first_line)}" for e, c in ch.skipped_checks]
            lines.append("")
    if report.notes:
        lines += ["## Grader notes", ""] + [f"- {feedback_text.md_escape(n)}" for n in report.notes] + [""]
    if report.output.strip():
        lines += ["## What your code printed (the start)", "", *feedback_text.fence(report.output[:2000].splitlines()),
                  ""]
    return "\n".join(lines).rstrip() + "\n"


def markdown_check(c: CheckView) -> str:
    """A check in Markdown: its heading, then its message (``feedback_text.markdown``), the plot."""
    status = STATUS_TEXT[c.outcome]
    lines = [f"### {status}: `{c.name}`", "", f"*{c.tags}*", ""]
    if c.clauses:
        lines += ["Clause of the contract: " + "; ".join(feedback_text.md_escape(text) for _, text in c.clauses), ""]
    body = feedback_text.markdown(c.message, book=False)
    if body:
        lines += [body, ""]
    if c.plot:
        lines += [f"![{feedback_text.md_escape(c.plot_summary.alt)}]({c.plot})", ""]
    elif c.plot_missing:
        lines += [f"*{feedback_text.md_escape(c.plot_missing)}*", ""]
    return "\n".join(lines)


def markdown_exercise(report: Report, e: ExerciseView) -> str:
    b = e.book
    lines = [f"[← all exercises](../index.md) · {e.chapter} {book.CHAPTERS.get(e.chapter, '')}", "",
             f"# {feedback_text.md_escape(e.label)}: {_points(e.earned, e.worth)} {unit(e.worth)} "
             f"({STATUS_TEXT[e.status]})", ""]
    if b:
        lines += [f"Book: [§{e.section} {b['zh']['title']}]({b['zh']['url']}) (zh.d2l.ai) · "
                  f"[§{b['en']['number']} {b['en']['title']}]({b['en']['url']}) (d2l.ai)", ""]
    if e.contract:
        lines += ["## Contract", "", f"`{e.contract.path}`", "", "```python", e.contract.signature]
        lines += [f"    def {m}" for m in e.contract.methods] + ["```", ""]
        if e.contract.docstring:
            lines += [e.contract.docstring, ""]
    lines += ["## Checks", ""]
    lines += [markdown_check(c) for c in e.checks]
    return "\n".join(lines).rstrip() + "\n"


# --- writing ------------------------------------------------------------------------------------------------------

def write_feedback(grade, folder: Path, plots: bool = True) -> list[Path]:
    """``folder/index.{md,html}`` and ``folder/chN/EXERCISE.{md,html}`` (with ``EXERCISE-CHECK.png`` for accuracy
    checks); returns the pages written."""
    from autograder.grading import feedback_html
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    report = build(grade, folder if plots else None)
    written = []
    for e in report.exercises:
        (folder / e.chapter).mkdir(parents=True, exist_ok=True)
        for suffix, text in ((".md", markdown_exercise(report, e)), (".html", feedback_html.exercise_page(report, e))):
            path = folder / f"{e.page}{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    (folder / "index.md").write_text(markdown_index(report), encoding="utf-8")
    (folder / "index.html").write_text(feedback_html.index_page(report), encoding="utf-8")
    return written + [folder / "index.md", folder / "index.html"]


def plot_curves(student: dict, reference: dict, path: Path) -> bool:
    """The student's curves and the reference's on the same axes; False when there is nothing to plot."""
    from autograder.grading.plots import plot_check
    return plot_check(student, reference, Path(path)) is not None
