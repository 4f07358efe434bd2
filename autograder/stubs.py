"""Write the student stubs of a chapter from its reference solutions (a maintainer's tool).

``python -m autograder stubs ch3`` rewrites ``exercises/ch3/*.py`` from
``solutions/ch3/*.py``: the module docstring and imports are kept; every public
function, class and method keeps its signature and docstring, and its body
becomes ``raise NotImplementedError("name (§section)")``; private helpers and
module-level code are dropped. Never run it on a student's working copy.
"""
from __future__ import annotations

import ast
from pathlib import Path

from autograder.harness.loader import REPO_ROOT
from autograder.harness.registry import exercises_of, load_chapter


def _section_of(chapter: str, module: str, name: str) -> str:
    ex = exercises_of(chapter).get(f"{chapter}.{module}.{name}")
    return f" (§{ex.section})" if ex else ""


def _stub_def(node, lines, indent: str, label: str, section: str) -> list[str]:
    """Decorators and signature of ``node`` as written, its docstring, then the raise."""
    start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
    body0 = node.body[0]
    has_doc = isinstance(body0, ast.Expr) and isinstance(getattr(body0, "value", None), ast.Constant) \
        and isinstance(body0.value.value, str)
    header_end = body0.lineno - 1
    out = lines[start:header_end]
    if has_doc:
        out += lines[body0.lineno - 1:body0.end_lineno]
    out.append(f'{indent}    raise NotImplementedError("{label}{section}")')
    return out


def stub_source(source: str, chapter: str, module: str) -> str:
    tree = ast.parse(source)
    lines = source.splitlines()
    out: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant) \
                and node is tree.body[0]:
            out += lines[node.lineno - 1:node.end_lineno]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out += lines[node.lineno - 1:node.end_lineno]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            out += ["", ""] + _stub_def(node, lines, "", node.name, _section_of(chapter, module, node.name))
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            section = _section_of(chapter, module, node.name)
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            body0 = node.body[0]
            out += ["", ""] + lines[first - 1:body0.lineno - 1]
            has_doc = isinstance(body0, ast.Expr) and isinstance(getattr(body0, "value", None), ast.Constant)
            if has_doc:
                out += lines[body0.lineno - 1:body0.end_lineno]
            methods = [m for m in node.body if isinstance(m, ast.FunctionDef)
                       and (not m.name.startswith("_") or m.name.startswith("__"))]
            for m in methods:
                out += [""] + _stub_def(m, lines, "    ", f"{node.name}.{m.name}", section)
            if not methods and not has_doc:
                out.append("    pass")
    return "\n".join(out).strip() + "\n"


def write_stubs(chapter: str, solutions: Path | None = None, exercises: Path | None = None) -> list[Path]:
    load_chapter(chapter)
    src = (solutions or REPO_ROOT / "solutions") / chapter
    dst = (exercises or REPO_ROOT / "exercises") / chapter
    dst.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(src.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        target = dst / path.name
        if path.name == "__init__.py":      # the chapter's EXERCISES table: the student release carries it too
            target.write_text(text, encoding="utf-8")
            continue
        if path.name.startswith("test_"):
            if not target.exists():
                target.write_text(text, encoding="utf-8")
            continue
        target.write_text(stub_source(text, chapter, path.stem), encoding="utf-8")
        written.append(target)
    return written
