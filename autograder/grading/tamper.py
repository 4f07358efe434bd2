"""What flags a submission for a human: a static scan of its source (it never changes a score).

Verdicts are decided in the judge, which no student code reaches; what a submission does to its own
process (patching torch, walking ``gc``, a timer thread) can only change the values it returns. The
scan lists the lines that reach for such things (the grader's modules, ``gc``, frames, ``ctypes``,
``sys.modules``, ``setattr`` on a library), and files opened, for a human to read.
"""
from __future__ import annotations

import ast
from pathlib import Path

SUSPECT_MODULES = {"autograder", "gc", "ctypes", "inspect", "socket", "subprocess", "multiprocessing",
                   "importlib", "builtins", "pytest", "_pytest", "signal", "pickle", "marshal", "dis"}
SUSPECT_ATTRIBUTES = {"_getframe", "f_back", "f_globals", "f_locals", "__code__", "__globals__", "__builtins__",
                      "__subclasses__", "modules", "_exit", "fork", "setattr", "environ", "system"}


def audit(root: Path, limit: int = 20) -> list[str]:
    """``file:line: what`` for each suspicious import or attribute in the submission's Python files."""
    flags = []
    for path in sorted(Path(root).rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(errors="replace"))
        except (SyntaxError, ValueError):
            continue
        rel = path.relative_to(root)
        for node in ast.walk(tree):
            what = None
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
                what = next((f"imports {n}" for n in names if n in SUSPECT_MODULES), None)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                top = node.module.split(".")[0]
                stub_test = path.name.startswith("test_") and node.module == "autograder.pytest_plugin"
                what = f"imports from {node.module}" if top in SUSPECT_MODULES and not stub_test else None
            elif isinstance(node, ast.Attribute) and node.attr in SUSPECT_ATTRIBUTES:
                what = f"uses .{node.attr}"
            elif isinstance(node, ast.Name) and node.id in ("setattr", "__import__", "exec", "eval", "open"):
                what = f"calls {node.id}" if node.id != "open" else "opens files"
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                                                      and t.value.id in ("torch", "F", "nn", "np", "builtins")
                                                      for t in node.targets):
                what = "assigns to an attribute of a library module"
            if what:
                flags.append(f"{rel}:{getattr(node, 'lineno', 0)}: {what}")
                if len(flags) >= limit:
                    return flags
    return flags
