"""Training plots of accuracy checks: the student's curves and the reference's on the same axes.

One PNG per accuracy check, one panel per curve the check recorded (usually one). Each quantity
(train loss, train acc, test acc, perplexity, ...) has one colour and one marker; the student's
curve is solid with filled markers, the reference's dashed with hollow ones, so the two read apart
in black and white too. The threshold is a labelled line where it applies to a plotted quantity.
A run of one entry (a final error, a k-fold mean) is drawn as bars. When the student's code
produced no curve, the panel says why. Every figure is 760 px wide at 100 dpi (fonts of 10 pt: readable at
100 % zoom), 340 px high per panel.
"""
from __future__ import annotations

import dataclasses
import math
import textwrap
from pathlib import Path

from autograder.harness.train import parse_curve_key

WIDTH_IN, PANEL_IN, ROW_IN, DPI = 7.6, 3.4, 2.7, 100

# the book's Animator: train loss blue '-', train acc magenta '--', test acc green '-.'
COLOURS = {"train loss": "#1f77b4", "train acc": "#b3009e", "test acc": "#2a8a2a", "perplexity": "#1f77b4",
           "train log rmse": "#1f77b4", "valid log rmse": "#d95f02", "w error": "#1f77b4", "b error": "#d95f02"}
PALETTE = ("#1f77b4", "#d95f02", "#2a8a2a", "#b3009e", "#8c564b", "#17becf", "#7f7f7f")
MARKERS = {"train loss": "o", "train acc": "s", "test acc": "^", "perplexity": "o", "valid log rmse": "s"}
MARKER_CYCLE = ("o", "s", "^", "D", "v", "P", "X")
STUDENT, REFERENCE = "your code", "reference"


@dataclasses.dataclass
class Panel:
    what: str                      # what the check trained, in its words
    names: list                    # the quantities, in entry order
    x: str                         # what one entry is ("epoch")
    threshold: dict | None         # {"value", "sense" (">=" / "<="), "on" (a name, "all" or None)}
    student: dict                  # name -> list of values (one per entry), {} when there is no curve
    reference: dict


@dataclasses.dataclass
class PlotSummary:
    """What the picture shows, in words: the image's alt text and the caption under it."""
    alt: str
    lines: list


def _series(curve: list, width: int) -> list[list]:
    rows = [list(e) if isinstance(e, (list, tuple)) else [e] for e in curve]
    return [[r[i] if i < len(r) else math.nan for r in rows] for i in range(width)]


def _default_names(what: str, curve: list) -> list[str]:
    """Names for a curve recorded before curves carried them (an old profile or record)."""
    from autograder.harness.train import curve_names
    return list(curve_names(what, curve))


def panels(student: dict, reference: dict) -> list[Panel]:
    """Pair the student's curves with the reference's by what they measure (the text before the key's meta)."""
    found: dict[str, Panel] = {}
    for who, curves in (("student", student or {}), ("reference", reference or {})):
        for key, curve in curves.items():
            what, meta = parse_curve_key(key)
            curve = list(curve or [])
            width = max((len(e) if isinstance(e, (list, tuple)) else 1 for e in curve), default=0)
            names = list(meta.get("names") or _default_names(what, curve))
            names += [f"value {i + 1}" for i in range(len(names), width)]
            panel = found.get(what)
            if panel is None:
                panel = found[what] = Panel(what, [], meta.get("x") or "epoch", meta.get("threshold"), {}, {})
            elif panel.threshold is None:
                panel.threshold = meta.get("threshold")
            for name in names:
                if name not in panel.names:
                    panel.names.append(name)
            if curve:
                getattr(panel, who).update(zip(names, _series(curve, width)))
    return list(found.values())


def colour(name: str, names: list) -> str:
    if name in COLOURS:
        return COLOURS[name]
    used = {COLOURS[n] for n in names if n in COLOURS}
    free = [c for c in PALETTE if c not in used] or list(PALETTE)
    return free[[n for n in names if n not in COLOURS].index(name) % len(free)]


def marker(name: str, names: list) -> str:
    return MARKERS.get(name) or MARKER_CYCLE[names.index(name) % len(MARKER_CYCLE)]


def _fmt(v: float) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.4g}"


def _last(values: list):
    finite = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return finite[-1] if finite else None


def _threshold_text(t: dict) -> str:
    sense = "at least" if t["sense"] == ">=" else "at most"
    on = t.get("on")
    target = "" if on in (None, "all") else f"{on} "
    return f"threshold: {target}{sense} {t['value']:g}"


def describe(panel_list: list[Panel], reason: str = "") -> PlotSummary:
    """Alt text and caption lines: the final values of each quantity, yours against the reference's."""
    lines = []
    for p in panel_list:
        bits = []
        for name in p.names:
            mine, ref = _last(p.student.get(name, [])), _last(p.reference.get(name, []))
            bits.append(f"{name}: yours {_fmt(mine)}, reference {_fmt(ref)}")
        entries = max((len(v) for v in p.student.values()), default=0)
        where = f" after {entries} {p.x}{'s' if entries != 1 else ''}" if entries > 1 and p.x != "entry" else ""
        single = all(len(v) <= 1 for v in (*p.student.values(), *p.reference.values()))
        line = f"Final values{where}: " + "; ".join(bits) if p.student else \
            (f"No {'result' if single else 'curve'} from your code "
             f"({reason or 'the check stopped before training ended'}); reference: "
             + "; ".join(f"{n} {_fmt(_last(p.reference.get(n, [])))}" for n in p.names))
        if p.student and p.student == p.reference:
            line += " (the same as the reference's" + ("" if single else ": the lines lie on each other") + ")"
        if p.threshold:
            line += f". {_threshold_text(p.threshold).capitalize()}"
            if p.threshold.get("on") is None:
                line += " (of a number computed from the run, not drawn on these axes)"
        lines.append(line + ".")
    bars = all(len(v) <= 1 for p in panel_list for v in (*p.student.values(), *p.reference.values()))
    key = ("Filled bars: your code; hatched bars: the reference." if bars else
           "Solid lines with filled markers: your code; dashed lines with hollow markers: the reference; "
           "one colour per quantity.")
    alt = ("Results after training" if bars else "Training curves") + f" of {panel_list[0].what}. {key} " + \
        " ".join(lines)
    return PlotSummary(alt, [key, *lines])


def _style(ax):
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def kind(name: str) -> str:
    """What axis a quantity belongs on: accuracies share one, losses (and errors) another, perplexity its own."""
    n = name.lower()
    if n.endswith("acc") or "accuracy" in n:
        return "accuracy"
    if "loss" in n or "rmse" in n or "error" in n:
        return "loss" if "rmse" not in n else "log rmse"
    return n


def _ylabel(names: list) -> str:
    if all(n.endswith("error") for n in names):
        return "error"
    labels = list(dict.fromkeys(kind(n) for n in names))
    return " / ".join(labels)


def _groups(panel: Panel) -> list[list[str]]:
    """The panel's quantities split by kind, one axes each; the kind the threshold is on comes first."""
    kinds: dict[str, list] = {}
    for name in panel.names:
        kinds.setdefault(kind(name), []).append(name)
    groups = list(kinds.values())
    on = (panel.threshold or {}).get("on")
    groups.sort(key=lambda g: 0 if on in g else 1)
    return groups


def _threshold_applies(panel: Panel, names: list) -> bool:
    t = panel.threshold
    return bool(t) and t.get("on") is not None and (t["on"] == "all" or t["on"] in names)


def _threshold_line(ax, panel: Panel, names: list, values: list, span: tuple):
    """The threshold as a dotted line, labelled where the curves are furthest from it."""
    if not _threshold_applies(panel, names):
        return
    t = panel.threshold["value"]
    ax.axhline(t, color="#333333", linestyle=(0, (1, 1.5)), linewidth=1.5, zorder=2)
    lo, hi = ax.get_ylim()
    if not lo <= t <= hi:
        lo, hi = min(lo, t - 0.05 * abs(t)), max(hi, t + 0.05 * abs(t))
        ax.set_ylim(lo, hi)
    # label it where no curve passes: right or left end, above or below the line
    x0, x1 = span
    log = ax.get_yscale() == "log"
    y = (lambda v: __import__("math").log10(v) if v > 0 else float("-inf")) if log else (lambda v: v)
    room = 0.12 * (y(hi) - y(lo))
    points = [(i + 1, v) for ys in values for i, v in enumerate(ys) if v == v] if len(values[0] if values else []) > 1 \
        else [(x0 + (x1 - x0) * (k + 0.5) / max(len(values), 1), v[0]) for k, v in enumerate(values)]

    def clear(side: str, above: bool) -> bool:
        near = [v for xv, v in points
                if (xv >= x0 + 0.6 * (x1 - x0) if side == "right" else xv <= x0 + 0.4 * (x1 - x0))]
        return not any((0 <= y(v) - y(t) <= room) if above else (0 <= y(t) - y(v) <= room) for v in near)
    side, above = next(((sd, ab) for sd in ("right", "left") for ab in (True, False) if clear(sd, ab)), ("right", True))
    ax.annotate(_threshold_text(panel.threshold), xy=(0.99 if side == "right" else 0.01, t),
                xycoords=("axes fraction", "data"), xytext=(0, 3 if above else -3), textcoords="offset points",
                ha="right" if side == "right" else "left", va="bottom" if above else "top", fontsize=8.5,
                color="#222222", zorder=6,
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})


def _note(ax, text: str):
    """Why there is no curve of the student's: in a box at the top of the axes (room is made for it)."""
    lo, hi = ax.get_ylim()
    if ax.get_yscale() == "log":
        ax.set_ylim(lo, hi * (hi / lo) ** 0.6)
    else:
        ax.set_ylim(lo, hi + 0.6 * (hi - lo))
    ax.text(0.5, 0.96, "\n".join(textwrap.wrap(text, 70)[:3]), transform=ax.transAxes, ha="center", va="top",
            fontsize=9.5, color="#222222", zorder=7,
            bbox={"boxstyle": "round,pad=0.5", "facecolor": "#fff8e1", "edgecolor": "#9a6700"})


def _legends(ax, names: list, panel: Panel, *, bars: bool, first: bool):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = [Patch(facecolor=colour(n, panel.names), label=n) if bars else
               Line2D([], [], color=colour(n, panel.names), marker=marker(n, panel.names), label=n) for n in names]
    quantity = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False,
                         alignment="left")
    if not first:
        return
    ax.add_artist(quantity)
    if bars:
        who = [Patch(facecolor="#666666", edgecolor="#444444", label=STUDENT),
               Patch(facecolor="white", edgecolor="#444444", hatch="///", label=REFERENCE)]
    else:
        who = [Line2D([], [], color="#444444", linestyle="-", linewidth=2, marker="o", label=STUDENT),
               Line2D([], [], color="#444444", linestyle="--", marker="o", markersize=7, markerfacecolor="none",
                      label=REFERENCE)]
    if not panel.student:
        who[0] = Line2D([], [], color="#aaaaaa", linestyle="-", label=f"{STUDENT}: none")
    if not panel.reference:
        who[1] = Line2D([], [], color="#aaaaaa", linestyle="--", label=f"{REFERENCE}: none")
    if panel.threshold and panel.threshold.get("on") is not None:
        who.append(Line2D([], [], color="#333333", linestyle=(0, (1, 1.5)), linewidth=1.5, label="threshold"))
    ax.legend(handles=who, loc="lower left", bbox_to_anchor=(1.01, 0.0), fontsize=9, frameon=False,
              alignment="left")


def _lines(ax, panel: Panel, names: list):
    from matplotlib.ticker import MaxNLocator
    values = []
    for name in names:
        c, m = colour(name, panel.names), marker(name, panel.names)
        for who, curves in ((STUDENT, panel.student), (REFERENCE, panel.reference)):
            ys = curves.get(name)
            if not ys:
                continue
            mine = who == STUDENT
            ax.plot(range(1, len(ys) + 1), ys, linestyle="-" if mine else "--", color=c, marker=m,
                    markersize=5 if mine else 7, markerfacecolor=c if mine else "none", markeredgecolor=c,
                    linewidth=2 if mine else 1.4, zorder=3 if mine else 4)   # the reference on top: both show
            values.append(ys)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(_ylabel(names))
    return values


def _bars(ax, panel: Panel, names: list):
    width, values = 0.36, []
    for i, name in enumerate(names):
        c = colour(name, panel.names)
        for j, (who, curves) in enumerate(((STUDENT, panel.student), (REFERENCE, panel.reference))):
            value = _last(curves.get(name, []))
            if value is None:
                continue
            x = i + (j - 0.5) * width
            ax.bar(x, value, width * 0.92, color=c if j == 0 else "white", edgecolor=c, linewidth=1.5,
                   hatch=None if j == 0 else "///", zorder=3)
            ax.annotate(f"{value:.3g}", (x, value), xytext=(0, 2), textcoords="offset points", ha="center",
                        va="bottom", fontsize=8.5, zorder=5)
            values.append([value])
    t = panel.threshold["value"] if _threshold_applies(panel, names) else None
    finite = [v[0] for v in values if v[0] > 0]
    if t and t > 0 and finite and (max(finite + [t]) / min(finite + [t]) > 30):
        ax.set_yscale("log")       # errors far under (or over) their threshold: both readable
        ax.set_ylim(min(finite + [t]) / 3, max(finite + [t]) * 3)
    else:
        ax.set_ylim(0, max([v[0] for v in values] + [t or 0, 1e-12]) * 1.2)
    ax.set_xticks(range(len(names)), names)
    ax.set_xlim(-0.7, len(names) - 0.3)
    ax.set_ylabel(_ylabel(names))
    return values


def figure(found: list[Panel], reason: str = ""):
    """The figure of ``panels``: one axes per kind of quantity (accuracies, losses, perplexity, ...)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = [(p, names) for p in found for names in _groups(p)]
    height = PANEL_IN if len(rows) == 1 else ROW_IN * len(rows) + 0.3
    with plt.rc_context({"font.size": 10, "axes.titlesize": 10, "font.family": "DejaVu Sans",
                         "axes.titlelocation": "left"}):
        fig, axes = plt.subplots(len(rows), 1, figsize=(WIDTH_IN, height), squeeze=False, dpi=DPI)
        # fixed margins (in inches, the same on every figure): the legends on the right, the title above
        top, bottom, gap = 0.5, 0.55, 0.75
        fig.subplots_adjust(left=0.85 / WIDTH_IN, right=1 - 1.75 / WIDTH_IN, top=1 - top / height,
                            bottom=bottom / height, hspace=gap / ((height - top - bottom - gap * (len(rows) - 1))
                                                                  / len(rows)))
        previous = None
        for ax, (panel, names) in zip(axes[:, 0], rows):
            _style(ax)
            bars = max([len(v) for v in (*panel.student.values(), *panel.reference.values())], default=0) <= 1
            values = (_bars if bars else _lines)(ax, panel, names)
            _threshold_line(ax, panel, names, values, ax.get_xlim())
            first = panel is not previous
            if first:
                title = textwrap.wrap(panel.what, 80)
                ax.set_title("\n".join(title[:2]) + (" …" if len(title) > 2 else ""), fontsize=10)
                if not panel.student:
                    _note(ax, f"Your code produced no {'result' if bars else 'curve'}: "
                              f"{reason or 'the check stopped before training ended'}")
            _legends(ax, names, panel, bars=bars, first=first)
            ax.set_xlabel("after training" if bars else panel.x)
            previous = panel
    return fig


def plot_check(student: dict, reference: dict, path: Path, *, reason: str = "") -> PlotSummary | None:
    """Write the check's PNG at ``path``; ``None`` (and no file) when neither side has a curve.
    ``reason``: why the student's code produced no curve (the check's first failing line)."""
    found = [p for p in panels(student, reference) if p.student or p.reference]
    if not found:
        return None
    import matplotlib.pyplot as plt
    fig = figure(found, reason)
    try:
        fig.savefig(path, dpi=DPI, metadata={"Software": None})
    finally:
        plt.close(fig)
    return describe(found, reason)
