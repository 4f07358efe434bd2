"""The stub engine: what a student gets of a reference module, for ``exercises/`` and for the notebooks.

One rule says what is public (``is_public``: top-level functions and classes not starting with ``_``,
and in a class every method not starting with ``_`` plus the dunders) and one cut separates a
definition's signature and docstring from its body (``cut``). ``python -m autograder stubs chN``
writes ``exercises/chN/*.py``: the module docstring and imports, every public definition with its
signature and docstring and the body ``raise NotImplementedError("name (§section)")``; private helpers
and other module-level code are dropped (and reported). ``--check`` exits non-zero when a committed
stub differs from what the engine writes. ``nbgrader/source.py`` uses the same rule and cut to put each
body between nbgrader's solution markers. Never run it on a student's working copy.
"""
from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from autograder.harness.loader import REPO_ROOT
from autograder.harness.registry import exercises_of, load_chapter


def is_docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant) \
        and isinstance(node.value.value, str)


def is_public(node, in_class: bool = False) -> bool:
    """A definition students keep (with its signature and docstring): the one rule of what is public."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return not node.name.startswith("_") or (in_class and node.name.startswith("__"))
    return isinstance(node, ast.ClassDef) and not node.name.startswith("_") and not in_class


def first_line(node) -> int:
    """1-based first line of ``node``, decorators included."""
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


@dataclasses.dataclass
class Cut:
    header: list[str]        # decorators and signature, as written
    docstring: list[str]     # the docstring's lines (may be empty)
    body: list[str]          # what follows the docstring
    indent: str              # the body's indentation
    one_line: bool           # ``def f(x): return x``: all of it is the answer


def cut(node, lines: list[str]) -> Cut:
    body0 = node.body[0]
    indent = lines[body0.lineno - 1][:len(lines[body0.lineno - 1]) - len(lines[body0.lineno - 1].lstrip())]
    if body0.lineno == node.lineno:
        return Cut(lines[first_line(node) - 1:node.end_lineno], [], [], indent, True)
    header = lines[first_line(node) - 1:body0.lineno - 1]
    doc = lines[body0.lineno - 1:body0.end_lineno] if is_docstring(body0) else []
    start = body0.end_lineno if is_docstring(body0) else body0.lineno - 1
    body = lines[start:node.end_lineno] if (node.body[1:] if is_docstring(body0) else node.body) else []
    while body and not body[0].strip():
        body.pop(0)
    return Cut(header, doc, body, indent, False)


def _section_of(chapter: str, module: str, name: str) -> str:
    ex = exercises_of(chapter).get(f"{chapter}.{module}.{name}")
    return f" (§{ex.section})" if ex else ""


def _stub(node, lines, label: str, section: str) -> list[str]:
    c = cut(node, lines)
    indent = c.indent if not c.one_line else " " * (len(lines[node.lineno - 1]) - len(lines[node.lineno - 1].lstrip())
                                                     + 4)
    header = c.header if not c.one_line else [lines[node.lineno - 1].split(":", 1)[0] + ":"]
    return header + c.docstring + [f'{indent}raise NotImplementedError("{label}{section}")']


def stub_source(source: str, chapter: str, module: str) -> tuple[str, list[str]]:
    """The stub of a reference module, and the names of the private helpers and code it drops."""
    tree = ast.parse(source)
    lines = source.splitlines()
    out: list[str] = []
    dropped: list[str] = []
    for node in tree.body:
        if is_docstring(node) and node is tree.body[0]:
            out += lines[node.lineno - 1:node.end_lineno]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out += lines[node.lineno - 1:node.end_lineno]
        elif is_public(node) and not isinstance(node, ast.ClassDef):
            out += ["", ""] + _stub(node, lines, node.name, _section_of(chapter, module, node.name))
        elif is_public(node):
            section = _section_of(chapter, module, node.name)
            c = cut(node, lines)
            out += ["", ""] + c.header + c.docstring
            methods = [m for m in node.body if is_public(m, in_class=True)]
            for m in methods:
                out += [""] + _stub(m, lines, f"{node.name}.{m.name}", section)
            if not methods and not c.docstring:
                out.append("    pass")
            dropped += [f"{node.name}.{m.name}" for m in node.body
                        if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and not is_public(m, True)]
        else:
            dropped.append(getattr(node, "name", None) or ast.unparse(node).splitlines()[0][:60])
    return "\n".join(out).strip() + "\n", dropped


@dataclasses.dataclass
class StubReport:
    written: list[Path]
    stale: list[Path]            # with --check: committed stubs that differ
    dropped: dict[str, list[str]]


def write_stubs(chapter: str, solutions: Path | None = None, exercises: Path | None = None,
                check: bool = False) -> StubReport:
    """Write (or with ``check``, compare) ``exercises/chN`` from ``solutions/chN``."""
    load_chapter(chapter)
    src = (solutions or REPO_ROOT / "solutions") / chapter
    dst = (exercises or REPO_ROOT / "exercises") / chapter
    report = StubReport([], [], {})
    for path in sorted(src.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        target = dst / path.name
        if path.name.startswith("test_"):
            expected = target.read_text(encoding="utf-8") if target.exists() else text
        elif path.name == "__init__.py":       # the chapter's EXERCISES table: the student release carries it too
            expected = text
        else:
            expected, dropped = stub_source(text, chapter, path.stem)
            if dropped:
                report.dropped[path.name] = dropped
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == expected:
            continue
        if check:
            report.stale.append(target)
        else:
            dst.mkdir(parents=True, exist_ok=True)
            target.write_text(expected, encoding="utf-8")
            report.written.append(target)
    return report
