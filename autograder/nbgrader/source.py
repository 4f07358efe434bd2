"""Cut a reference module (``solutions/chN/NAME.py``) into notebook cells.

A module becomes: its docstring, its imports, then one chunk per exercise: the
exercise's definition plus whatever module-level code (constants, private
helpers, other public definitions) precedes it. In a chunk, every public function
and method keeps its signature and docstring with its body between ``### BEGIN
SOLUTION`` / ``### END SOLUTION``; the rest (constants, private helpers) sits in a
solution region of its own. So nbgrader's release of a chunk is the stub that
``python -m autograder stubs`` writes, with nbgrader's ``raise
NotImplementedError()`` in place of each body.
"""
from __future__ import annotations

import ast
import dataclasses

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


@dataclasses.dataclass
class Chunk:
    exercise: str | None     # the exercise's name; None for code after the last exercise
    code: str                # reference code with solution regions


@dataclasses.dataclass
class ModuleCells:
    docstring: str
    imports: str
    chunks: list[Chunk]


def _is_docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant) \
        and isinstance(node.value.value, str)


def _first_line(node) -> int:
    """1-based first line of ``node``, decorators included."""
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


def _region(lines: list[str], indent: str) -> list[str]:
    return [indent + BEGIN, *lines, indent + END]


def _indent_of(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def _is_stubbed(node, in_class: bool) -> bool:
    """Kept as a stub (signature and docstring) in the release, like ``autograder.stubs`` does."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return not node.name.startswith("_") or (in_class and node.name.startswith("__"))
    return isinstance(node, ast.ClassDef) and not node.name.startswith("_") and not in_class


def _function(node, lines: list[str]) -> list[str]:
    """Signature and docstring as written, the body in a solution region."""
    body0 = node.body[0]
    if body0.lineno == node.lineno:   # ``def f(x): return x`` on one line: all of it is the answer
        return _region(lines[_first_line(node) - 1:node.end_lineno], _indent_of(lines[node.lineno - 1]))
    out = lines[_first_line(node) - 1:body0.lineno - 1]
    rest = node.body
    if _is_docstring(body0):
        out += lines[body0.lineno - 1:body0.end_lineno]
        rest = node.body[1:]
    indent = _indent_of(lines[body0.lineno - 1])
    if rest:
        start = node.body[0].end_lineno if _is_docstring(body0) else body0.lineno - 1
        body = lines[start:node.end_lineno]
        while body and not body[0].strip():
            body.pop(0)
        out += _region(body, indent)
    else:   # a docstring-only body (``pass``-like): the stub still needs something to replace
        out += _region([indent + "pass"], indent)
    return out


def _class(node, lines: list[str]) -> list[str]:
    body0 = node.body[0]
    out = lines[_first_line(node) - 1:body0.lineno - 1]
    members = node.body
    if _is_docstring(body0):
        out += lines[body0.lineno - 1:body0.end_lineno]
        members = node.body[1:]
    out += _statements(members, lines, _indent_of(lines[body0.lineno - 1]), in_class=True)
    return out


def _statements(nodes, lines: list[str], indent: str, in_class: bool) -> list[str]:
    """Stubbed definitions as stubs with solution bodies; runs of other statements as one region."""
    out: list[str] = []
    pending: list[str] = []

    def flush():
        if pending:
            out.extend(_region(pending.copy(), indent))
            pending.clear()

    previous_end = None
    for node in nodes:
        start = _first_line(node)
        if _is_stubbed(node, in_class):
            flush()
            if out:
                out.append("")
            out += _function(node, lines) if not isinstance(node, ast.ClassDef) else _class(node, lines)
        else:
            gap = lines[previous_end:start - 1] if previous_end is not None and pending else []
            pending += gap + lines[start - 1:node.end_lineno]
        previous_end = node.end_lineno
    flush()
    return out


def module_cells(source: str, exercises: list[str]) -> ModuleCells:
    """Split a reference module's ``source``; ``exercises``: the names graded in it."""
    tree = ast.parse(source)
    lines = source.splitlines()
    body = list(tree.body)
    docstring = ""
    if body and _is_docstring(body[0]):
        docstring = body.pop(0).value.value.strip()
    imports = [n for n in body if isinstance(n, (ast.Import, ast.ImportFrom))]
    rest = [n for n in body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    groups: list[tuple[str | None, list]] = []
    pending: list = []
    for node in rest:
        pending.append(node)
        if getattr(node, "name", None) in exercises:
            groups.append((node.name, pending))
            pending = []
    if pending:
        if groups:
            groups[-1][1].extend(pending)
        else:
            groups.append((None, pending))
    missing = set(exercises) - {name for name, _ in groups}
    if missing:
        raise ValueError(f"exercises not defined at the top level of the module: {sorted(missing)}")
    chunks = [Chunk(name, "\n".join(_statements(nodes, lines, "", in_class=False)).strip("\n"))
              for name, nodes in groups]
    import_lines = [line for n in imports for line in lines[n.lineno - 1:n.end_lineno]]
    return ModuleCells(docstring, "\n".join(import_lines), chunks)
