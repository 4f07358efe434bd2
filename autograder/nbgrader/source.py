"""Cut a reference module (``solutions/chN/NAME.py``) into notebook cells.

A module becomes: its docstring, its imports, then one chunk per exercise: the
exercise's definition plus whatever module-level code (constants, private
helpers, other public definitions) precedes it. In a chunk, every public function
and method keeps its signature and docstring with its body between ``### BEGIN
SOLUTION`` / ``### END SOLUTION``; the rest (constants, private helpers) sits in a
solution region of its own. What is public and where a body starts is the stub
engine's (``autograder.stubs``), so nbgrader's release of a chunk is the stub
that ``python -m autograder stubs`` writes, with nbgrader's ``raise
NotImplementedError()`` in place of each body.
"""
from __future__ import annotations

import ast
import dataclasses

from autograder.stubs import cut, first_line, is_docstring, is_public

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


def _region(lines: list[str], indent: str) -> list[str]:
    return [indent + BEGIN, *lines, indent + END]


def _function(node, lines: list[str]) -> list[str]:
    """Signature and docstring as written (the stub engine's cut), the body in a solution region."""
    c = cut(node, lines)
    if c.one_line:
        return _region(c.header, lines[node.lineno - 1][:len(lines[node.lineno - 1]) - len(lines[node.lineno - 1].lstrip())])
    return c.header + c.docstring + _region(c.body or [c.indent + "pass"], c.indent)


def _class(node, lines: list[str]) -> list[str]:
    c = cut(node, lines)
    members = node.body[1:] if is_docstring(node.body[0]) else node.body
    return c.header + c.docstring + _statements(members, lines, c.indent, in_class=True)


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
        start = first_line(node)
        if is_public(node, in_class):
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
    if body and is_docstring(body[0]):
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
