"""What keeps a submission from faking a pass inside its own process, and what flags it for a human.

``Snapshot`` records the identity of every function the verdicts rely on (torch's comparisons
and the Tensor class, builtins, the harness, the checks, d2lkit, the child's own code) before any
student code is imported; ``changes()`` after each check names what was replaced. A check
after which the environment changed is failed and the grading process is replaced by a fresh
one, so later checks never run on a patched environment.

``audit`` is a static scan, in the grader's process, of the submission's source for what the
in-memory attacks need (the grader's modules, ``gc``, frames, ``ctypes``, ``sys.modules``, ...):
it does not change the score; it lists lines for a human to read.
"""
from __future__ import annotations

import ast
import sys
import types
from pathlib import Path

WATCHED_MODULES = ("builtins", "torch", "torch.testing", "torch.nn", "torch.nn.functional", "torch.autograd",
                   "math", "operator", "numpy", "numpy.testing", "time", "os", "json", "d2lkit")
WATCHED_CLASSES = ("torch.Tensor", "torch.nn.Module", "torch._C._VariableFunctions", "torch._C.TensorBase")
WATCHED_PREFIXES = ("autograder", "d2lkit.")
# torch replaces these itself when a lazy submodule is imported (torch._dynamo wraps manual_seed):
# accepted only as a wrapper of the original defined inside torch.
TORCH_REWRAPS = {("torch", "manual_seed")}


def _lookup(dotted: str):
    module, _, attr = dotted.rpartition(".")
    if dotted in sys.modules:
        return sys.modules[dotted]
    owner = sys.modules.get(module)
    return getattr(owner, attr, None) if owner is not None else None


class Snapshot:
    """Identities of the grading environment's callables (taken before student code is imported)."""

    def __init__(self, extra: dict | None = None):
        self.owners: dict[str, object] = {}
        for name in WATCHED_MODULES + WATCHED_CLASSES:
            obj = _lookup(name)
            if obj is not None:
                self.owners[name] = obj
        for name, module in list(sys.modules.items()):
            if name.startswith(WATCHED_PREFIXES) and isinstance(module, types.ModuleType):
                self.owners[name] = module
        self.owners.update(extra or {})
        self.ids = {name: self._ids(obj) for name, obj in self.owners.items()}
        self.originals = {(o, k): getattr(self.owners[o], k) for o, k in TORCH_REWRAPS if o in self.owners}

    def _rewrapped_by_torch(self, owner: str, key: str) -> bool:
        if (owner, key) not in self.originals:
            return False
        import torch
        new = getattr(self.owners[owner], key, None)
        source = getattr(getattr(new, "__code__", None), "co_filename", "")
        return getattr(new, "__wrapped__", None) is self.originals[owner, key] and \
            source.startswith(str(Path(torch.__file__).parent))

    @staticmethod
    def _ids(obj) -> dict[str, int]:
        try:
            items = vars(obj).items()
        except TypeError:
            return {}
        return {k: id(v) for k, v in list(items)
                if callable(v) or isinstance(v, (types.ModuleType, staticmethod, classmethod, property, dict, list))}

    def changes(self, limit: int = 5) -> list[str]:
        """Names replaced or deleted since the snapshot (empty when nothing was touched)."""
        found = []
        for name, before in self.ids.items():
            after = self._ids(self.owners[name])
            for key, ident in before.items():
                if after.get(key) != ident and not self._rewrapped_by_torch(name, key):
                    found.append(f"{name}.{key}")
                    if len(found) >= limit:
                        return found
        return found


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
