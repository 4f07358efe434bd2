"""Feedback pages, one per exercise (Markdown and HTML), with the training curves of accuracy checks."""
from __future__ import annotations

import html
from pathlib import Path

from autograder.harness.registry import exercises_of


def _exercises(grade) -> list[tuple[str, str, list[dict]]]:
    found: dict = {}
    for r in grade.records:
        found.setdefault((r["chapter"], r["label"]), []).append(r)
    order = {(e.chapter, e.label): e.order for ch in {c for c, _ in found} for e in exercises_of(ch).values()}
    return [(ch, ex, rows) for (ch, ex), rows in sorted(found.items(), key=lambda kv: (kv[0][0], order.get(kv[0], 0)))]


def plot_curves(student: dict, reference: dict, path: Path) -> bool:
    """The student's curves (left) beside the reference's (right), same axes; False when nothing to plot."""
    if not student and not reference:
        return False
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = list(dict.fromkeys([*student, *reference]))
    fig, axes = plt.subplots(len(names), 2, figsize=(10, 3.2 * len(names)), squeeze=False, sharey="row")
    for row, name in enumerate(names):
        for col, (who, curves) in enumerate((("your code", student), ("reference", reference))):
            ax, curve = axes[row][col], curves.get(name, [])
            series = list(zip(*curve)) if curve and isinstance(curve[0], list) else [curve]
            for i, ys in enumerate(series):
                if ys:
                    ax.plot(range(1, len(ys) + 1), ys, marker="o", label=f"series {i + 1}" if len(series) > 1 else None)
            ax.set_title(f"{who}" + ("" if curve else " (no curve)"), fontsize=10)
            ax.set_xlabel("epoch")
            if len(series) > 1 and curve:
                ax.legend(fontsize=8)
        axes[row][0].set_ylabel(f"curve {row + 1}" if len(names) > 1 else "value")
    fig.suptitle("\n".join(f"{f'curve {i + 1}: ' if len(names) > 1 else ''}{n}" for i, n in enumerate(names)),
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return True


def write_feedback(grade, folder: Path, plots: bool = True) -> list[Path]:
    """``folder/chN/exercise.md`` and ``.html`` per exercise, plus ``index.md``/``index.html``."""
    written, index = [], []
    for chapter, exercise, rows in _exercises(grade):
        where = folder / chapter
        where.mkdir(parents=True, exist_ok=True)
        counted = [r for r in rows if r["outcome"] != "skipped"]
        earned, worth = sum(r["earned"] for r in counted), sum(r["points"] for r in counted)
        md = [f"# {chapter} {exercise}: {earned:g} / {worth:g}", "", f"{rows[0]['section']}", ""]
        body = [f"<h1>{chapter} {html.escape(exercise)}: {earned:g} / {worth:g}</h1>",
                f"<p>{html.escape(rows[0]['section'])}</p>"]
        for r in rows:
            status = {"passed": "passed", "failed": "FAILED", "skipped": "skipped"}[r["outcome"]]
            head = f"{r['check']} ({r['visibility']}, {r['kind']}): {r['earned']:g} / {r['points']:g}, {status}"
            md += [f"## {head}", ""]
            body.append(f"<h2>{html.escape(head)}</h2>")
            if r["message"]:
                md += ["```", r["message"], "```", ""]
                body.append(f"<pre>{html.escape(r['message'])}</pre>")
            if r["kind"] == "accuracy" and plots:
                image = f"{exercise}-{r['check']}.png"
                if plot_curves(r["curves"], grade.reference_curves.get(r["id"], {}), where / image):
                    md += [f"![training curve: yours beside the reference's]({image})", ""]
                    body.append(f'<img src="{html.escape(image)}" alt="training curve: yours beside the reference\'s">')
        (where / f"{exercise}.md").write_text("\n".join(md) + "\n")
        (where / f"{exercise}.html").write_text("<!doctype html><meta charset='utf-8'><title>"
                                                f"{chapter} {html.escape(exercise)}</title>\n" + "\n".join(body) + "\n")
        written += [where / f"{exercise}.md", where / f"{exercise}.html"]
        index.append((chapter, exercise, earned, worth))
    md = [f"# {grade.student}: {grade.score:g} / {grade.max_score:g}", ""]
    md += [f"- [{ch} {ex}]({ch}/{ex}.md): {e:g} / {w:g}" for ch, ex, e, w in index]
    items = "".join(f"<li><a href='{ch}/{html.escape(ex)}.html'>{ch} {html.escape(ex)}</a>: {e:g} / {w:g}</li>"
                    for ch, ex, e, w in index)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.md").write_text("\n".join(md) + "\n")
    (folder / "index.html").write_text(f"<!doctype html><meta charset='utf-8'><title>{html.escape(grade.student)}"
                                       f"</title><h1>{html.escape(grade.student)}: {grade.score:g} / "
                                       f"{grade.max_score:g}</h1><ul>{items}</ul>\n")
    return written
