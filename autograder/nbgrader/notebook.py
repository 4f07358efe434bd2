"""Write a chapter's nbgrader source notebook from the registry, ``solutions/`` and the checks.

Layout of ``source/chN/chN.ipynb`` (every cell but the solution cells is locked):

- a header (chapter, book sections in both numberings, instructions) and a
  setup cell (seeds, device, one namespace per module: see ``kernel.py``);
- per module of ``solutions/chN``: its title and its imports, run with
  ``%%module NAME`` in the module's own namespace;
- per exercise: the contract (the docstring), the solution cell (the reference
  between ``### BEGIN SOLUTION`` / ``### END SOLUTION``: nbgrader's release
  leaves the stub), then one autograded test cell per check, worth the check's
  pytest points, so a notebook scores what the same code scores in ``.py``
  files. Public checks are visible; a hidden check sits between ``### BEGIN
  HIDDEN TESTS`` / ``### END HIDDEN TESTS`` under one visible line that fails
  while the exercise is still the stub. A test cell comes after every exercise
  its check uses.
"""
from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import nbformat

from autograder import book
from autograder.harness.loader import REPO_ROOT
from autograder.harness.registry import Check, Exercise, exercises_of, load_chapter
from autograder.nbgrader.source import module_cells

SCHEMA = 3


def grade_id(chapter: str, *parts: str) -> str:
    """nbgrader cell id: ``ch3-softmax_regression-softmax-book_example`` (``-`` never occurs in a name)."""
    return "-".join((chapter, *parts))


def check_cell_ids(chapter: str, checks: list[Check]) -> dict[str, str]:
    """Grade id of each check's test cell, by check id. A hidden check's id is numbered,
    not named: the release shows grade ids, and the hidden checks' names stay hidden."""
    ids, hidden = {}, {}
    for c in checks:
        ex = c.exercise
        if c.visibility == "public":
            ids[c.id] = grade_id(chapter, ex.module, ex.name, c.name)
        else:
            hidden[ex.key] = hidden.get(ex.key, 0) + 1
            ids[c.id] = grade_id(chapter, ex.module, ex.name, f"hidden{hidden[ex.key]}")
    return ids


def _meta(cell_id: str, *, grade=False, solution=False, locked=True, points=None) -> dict:
    meta = {"grade": grade, "grade_id": cell_id, "locked": locked, "schema_version": SCHEMA,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _markdown(cell_id: str, text: str):
    return nbformat.v4.new_markdown_cell(text, metadata=_meta(cell_id))


def _code(cell_id: str, code: str, **kw):
    return nbformat.v4.new_code_cell(code, metadata=_meta(cell_id, **kw))


@dataclasses.dataclass
class Block:
    """One exercise (or trailing module code) of the notebook, in notebook order."""
    module: str
    exercise: Exercise | None
    code: str
    checks: list[Check] = dataclasses.field(default_factory=list)


def chapter_modules(chapter: str, solutions: Path | None = None) -> dict[str, Path]:
    """The chapter's reference modules, ordered by their first exercise."""
    root = (solutions or REPO_ROOT / "solutions") / chapter
    order = {}
    for ex in exercises_of(chapter).values():
        order[ex.module] = min(order.get(ex.module, ex.order), ex.order)
    paths = [p for p in root.glob("*.py") if p.name != "__init__.py" and not p.name.startswith("test_")]
    return {p.stem: p for p in sorted(paths, key=lambda p: (order.get(p.stem, len(order)), p.stem))}


def _blocks(chapter: str, modules: dict[str, Path], checks: list[Check]) -> list[Block]:
    blocks = []
    for module, path in modules.items():
        mine = {ex.name: ex for ex in exercises_of(chapter).values() if ex.module == module}
        for chunk in module_cells(path.read_text(encoding="utf-8"), list(mine)).chunks:
            blocks.append(Block(module, mine.get(chunk.exercise), chunk.code))
    where = {b.exercise.key: i for i, b in enumerate(blocks) if b.exercise}
    missing = set(exercises_of(chapter)) - set(where)
    if missing:
        raise ValueError(f"{chapter}: exercises without a module in solutions/: {sorted(missing)}")
    after = _dependencies(blocks)
    for c in checks:
        needed = [c.exercise.key] + [c.target(p) for p in c.parameters() if p != "device"]
        blocks[max(after[where.get(t, where[c.exercise.key])] for t in needed)].checks.append(c)
    return blocks


def _dependencies(blocks: list[Block]) -> list[int]:
    """For each block, the last block of its module that it needs, directly or not.

    A module's functions may call names defined further down (legal in a ``.py`` file);
    in the notebook a check must then wait for the later cell, or it hits a NameError.
    """
    defined, used = [], []
    for b in blocks:
        tree = ast.parse(b.code)
        defined.append({n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
                       | {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                          if isinstance(t, ast.Name)})
        used.append({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)})
    last = list(range(len(blocks)))
    changed = True
    while changed:  # transitive closure over same-module name uses
        changed = False
        for i, b in enumerate(blocks):
            for j, other in enumerate(blocks):
                if other.module == b.module and used[i] & defined[j] and last[j] > last[i]:
                    last[i], changed = last[j], True
    return last


def _public_cell_source(check: Check) -> str:
    chapter, ex = check.exercise.chapter, check.exercise
    device = ", device" if "device" in check.parameters() and not check.gpu else ""
    return (f"# {check.fn.__name__} in autograder/checks/public/{chapter}.py\n"
            f"from autograder.nbgrader.kernel import public_check\n\n"
            f"public_check({chapter!r}, {ex.module + '.' + ex.name!r}, {check.name!r}{device})")


def _hidden_cell_source(check: Check) -> str:
    ex = check.exercise
    label = f"{ex.module}.{ex.name}"
    device = ", device" if "device" in check.parameters() and not check.gpu else ""
    lines = [f"# hidden test of {ex.name} ({check.points:g} point{'s' if check.points != 1 else ''}), "
             "run when your notebook is graded"]
    if any(check.target(p) == ex.key for p in check.parameters() if p != "device"):
        lines += ["from autograder.nbgrader.kernel import assert_implemented", "",
                  f"assert_implemented({ex.chapter!r}, {label!r})"]
    lines += ["### BEGIN HIDDEN TESTS",
              "from autograder.nbgrader.kernel import hidden_check", "",
              f"hidden_check({ex.chapter!r}, {label!r}, {check.name!r}{device})",
              "### END HIDDEN TESTS"]
    return "\n".join(lines)


def _contract(ex: Exercise, code: str, checks: list[Check]) -> str:
    node = next(n for n in ast.parse(code).body if getattr(n, "name", None) == ex.name)
    doc = ast.get_docstring(node) or ""
    public = [c for c in checks if c.visibility == "public" and c.exercise is ex]
    hidden = [c for c in checks if c.visibility == "hidden" and c.exercise is ex]
    worth = sum(c.points for c in public + hidden)
    return (f"### `{ex.name}` — {ex.cite}\n\n{doc}\n\n"
            f"*{worth:g} points: {len(public)} public check{'s' * (len(public) != 1)} below, "
            f"{len(hidden)} hidden check{'s' * (len(hidden) != 1)} run when the notebook is graded.*")


def _header(chapter: str, modules: dict[str, Path]) -> str:
    sections = []
    for module, path in modules.items():
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or module
        sections.append(f"- `{module}`: {doc.splitlines()[0]}")
    return "\n".join([
        f"# {chapter}: {book.CHAPTERS[chapter]}",
        "",
        "*Dive into Deep Learning* (zh.d2l.ai v2 numbering, d2l.ai 1.0 beside it). Sections:",
        "",
        *sections,
        "",
        "**Instructions.** Run the setup cell first. Write your code where it says `YOUR CODE HERE` "
        "(delete the `raise NotImplementedError()`), keeping every name and signature. Each code cell runs "
        "in the namespace of one module of the chapter, named on its first line (`%%module NAME`): keep that "
        "line. The names a cell defines are also available in the notebook. Run a test cell to check your "
        "answer; the hidden tests run when the notebook is graded, and the cells worth points are read-only. "
        "Do not use the functions each contract forbids. `device` is where the checks run your code.",
    ])


def _setup(chapter: str, modules: dict[str, Path]) -> str:
    names = list(modules)
    listed = ", ".join(repr(m) for m in names)
    return "\n".join([
        "# Setup (read-only): seeds, the device the checks run your code on, one namespace per module.",
        "from autograder.nbgrader.kernel import setup_chapter",
        "",
        f"device = setup_chapter({chapter!r}, [{listed}])",
        f"import {chapter}  # noqa: E402",
        f"from {chapter} import {', '.join(names)}  # noqa: E402",
        'print(f"checks run on {device}")',
    ])


def chapter_notebook(chapter: str, *, gpu_checks: bool = False, skip_kinds: tuple = (), solutions: Path | None = None):
    """The source notebook of ``chapter`` (an ``nbformat`` notebook).

    ``gpu_checks``: include the checks that need CUDA (grade on a CUDA machine then).
    ``skip_kinds``: leave out checks of these kinds (``"accuracy"``, ``"speed"``).
    """
    checks = [c for c in load_chapter(chapter) if (gpu_checks or not c.gpu) and c.kind not in skip_kinds]
    _ensure_unique_ids(chapter, checks)
    modules = chapter_modules(chapter, solutions)
    cells = [_markdown(grade_id(chapter, "header"), _header(chapter, modules)),
             _code(grade_id(chapter, "setup"), _setup(chapter, modules))]
    blocks = _blocks(chapter, modules, checks)
    ids = check_cell_ids(chapter, load_chapter(chapter))
    for module, path in modules.items():
        parsed = module_cells(path.read_text(encoding="utf-8"), [])
        cells.append(_markdown(grade_id(chapter, module), f"## `{module}`: {parsed.docstring.splitlines()[0]}"))
        cells.append(_code(grade_id(chapter, module, "imports"), f"%%module {module}\n{parsed.imports}".rstrip()))
        for block in (b for b in blocks if b.module == module):
            cells += _block_cells(chapter, block, ids)
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def _block_cells(chapter: str, block: Block, ids: dict[str, str]) -> list:
    ex = block.exercise
    code = f"%%module {block.module}\n{block.code}"
    if ex is None:
        return [_code(grade_id(chapter, block.module, "code"), code, solution=True, locked=False)]
    cells = [_markdown(grade_id(chapter, ex.module, ex.name, "contract"), _contract(ex, block.code, block.checks)),
             _code(grade_id(chapter, ex.module, ex.name), code, solution=True, locked=False)]
    for c in block.checks:
        source = _public_cell_source(c) if c.visibility == "public" else _hidden_cell_source(c)
        cells.append(_code(ids[c.id], source, grade=True, points=float(c.points)))
    return cells


def _ensure_unique_ids(chapter: str, checks: list[Check]) -> None:
    seen = set()
    for c in checks:
        key = (c.exercise.key, c.name)
        if key in seen:
            raise ValueError(f"{chapter}: two checks of {c.exercise.key} are named {c.name!r}")
        seen.add(key)


def notebook_modules(nb, chapter: str) -> dict[str, str]:
    """The ``.py`` modules a notebook's ``%%module`` cells amount to: ``{module: source}``, cells in order.

    What a student wrote in the notebook, laid out like ``exercises/chN``: the same
    answers graded by ``pytest --submission`` (the tests compare both scores).
    """
    modules: dict[str, list[str]] = {}
    for cell in nb.cells:
        first, _, body = cell.source.partition("\n")
        if cell.cell_type == "code" and first.startswith("%%module "):
            modules.setdefault(first.split()[1], []).append(body)
    return {name: "\n\n\n".join(parts) + "\n" for name, parts in modules.items()}
