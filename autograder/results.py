"""A check's result, in one shape for every path (pytest, the grader, nbgrader), and the points table.

``record(check, outcome, message, seconds, curves)`` is the one place a result is built;
``points_table(records)`` what every path prints; ``resolve_device`` the one rule for
``--device`` / ``D2L_DEVICE``.
"""
from __future__ import annotations

from autograder import book
from autograder.harness.registry import exercises_of

MESSAGE_LIMIT = 8000


class DeviceError(ValueError):
    """``--device cuda`` on a machine without CUDA."""


def resolve_device(requested: str | None) -> str:
    """``cpu`` -> cpu; ``cuda`` -> cuda, or a clear error without it; ``auto`` (default) -> cuda when available."""
    import torch
    requested = requested or "auto"
    if requested not in ("auto", "cpu", "cuda"):
        raise DeviceError(f"the device must be auto, cpu or cuda, not {requested!r}")
    if requested == "cuda" and not torch.cuda.is_available():
        raise DeviceError("--device cuda was asked for, but torch sees no CUDA device on this machine "
                          f"(torch {torch.__version__}): use --device cpu or auto, or install a CUDA build of torch")
    return "cuda" if requested == "cuda" or (requested == "auto" and torch.cuda.is_available()) else "cpu"


def plain_curves(curves: dict) -> dict:
    """Training curves as JSON-ready lists of floats (one entry per epoch, a number or a list of numbers)."""
    return {str(k): [list(map(float, v)) if isinstance(v, (tuple, list)) else float(v) for v in h]
            for k, h in (curves or {}).items()}


def record(check, outcome: str, message: str = "", seconds: float = 0.0, curves: dict | None = None) -> dict:
    """The result of one check: what every report, the gradebook and the points table read."""
    ex = check.exercise
    return {"id": check.id, "chapter": ex.chapter, "exercise": ex.name, "module": ex.module, "label": ex.label,
            "check": check.name, "visibility": check.visibility, "kind": check.kind, "section": ex.cite,
            "points": check.points, "earned": check.points if outcome == "passed" else 0, "outcome": outcome,
            "message": str(message or "")[:MESSAGE_LIMIT], "duration": round(float(seconds), 3),
            "curves": plain_curves(curves)}


def points_table(records: list[dict]) -> list[str]:
    """The table a student wants: per exercise, points earned / possible and the first failure."""
    lines = []
    for chapter in book.CHAPTERS:
        rows = [r for r in records if r["chapter"] == chapter]
        if not rows:
            continue
        lines.append(f"{chapter} {book.CHAPTERS[chapter]}")
        lines.append(f"  {'exercise':<34}{'points':>10}   first failing check")
        order = {f"{e.module}.{e.name}": e.order for e in exercises_of(chapter).values()}
        seen = sorted({f"{r['module']}.{r['exercise']}" for r in rows}, key=lambda k: order.get(k, 0))
        total, possible, skipped = 0.0, 0.0, 0
        for key in seen:
            mine = [r for r in rows if f"{r['module']}.{r['exercise']}" == key]
            counted = [r for r in mine if r["outcome"] != "skipped"]
            skipped += len(mine) - len(counted)
            earned, worth = sum(r["earned"] for r in counted), sum(r["points"] for r in counted)
            total, possible = total + earned, possible + worth
            failed = next((r for r in counted if r["outcome"] == "failed"), None)
            note = f"[{failed['check']}] {(failed['message'].splitlines() or [''])[0]}" if failed else ""
            if len(note) > 90:
                note = note[:87] + "..."
            lines.append(f"  {mine[0]['label']:<34}{earned:>4g} / {worth:<5g}  {note}")
        extra = f"  ({skipped} GPU/skipped checks not counted)" if skipped else ""
        lines.append(f"  {'total ' + chapter:<34}{total:>4g} / {possible:<5g}{extra}")
    return lines
