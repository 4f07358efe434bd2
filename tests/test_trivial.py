"""Trivial answers earn no hidden points: every function exercise replaced by one that returns zeros of the
right shape (or does nothing, where the reference works in place)."""
import ast
import shutil
import textwrap

import pytest

from autograder.harness.loader import REPO_ROOT, Implementation, reference
from autograder.harness.registry import exercises_of, load_chapter
from support import message

HELPERS = textwrap.dedent('''
    import copy as _copy
    import types as _types
    import torch as _torch


    class _ZeroNet(_torch.nn.Module):
        """Outputs zeros of the shape the wrapped network would give; registers nothing."""

        def __init__(self, net):
            super().__init__()
            self._shape_of = [net]

        def forward(self, *args, **kwargs):
            with _torch.no_grad():
                return _zeros_like(self._shape_of[0](*args, **kwargs))


    def _zeros_like(value):
        if isinstance(value, _torch.Tensor):
            return _torch.zeros_like(value.detach())
        if isinstance(value, bool):
            return False
        if isinstance(value, (int, float)):
            return type(value)(0)
        if isinstance(value, str):
            return ""
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            return type(value)(*[_zeros_like(v) for v in value])
        if isinstance(value, (list, tuple)):
            return type(value)(_zeros_like(v) for v in value)
        if isinstance(value, dict):
            return type(value)({k: _zeros_like(v) for k, v in value.items()})
        if isinstance(value, _torch.nn.Module):
            return _ZeroNet(value)
        if isinstance(value, _types.GeneratorType):
            return (_zeros_like(v) for v in value)
        if type(value).__name__ == "DataFrame":
            return value.iloc[0:0]
        if hasattr(value, "__iter__") and not isinstance(value, (str, bytes)):
            return [_zeros_like(v) for v in value]    # a data loader: its batches, zeroed
        return value


    def _trivial(ref, args, kwargs):
        out = ref(*_copy.deepcopy(args), **_copy.deepcopy(kwargs))
        return None if out is None else _zeros_like(out)
    ''')


# Exercises whose right answer has no "zero" form, or is zeros: a trivial answer is a right one there.
ZERO_IS_RIGHT = {
    "ch5.gpu.try_gpu": "returns a torch.device",
    "ch5.gpu.try_all_gpus": "returns a list of torch.device",
    "ch8.rnn_scratch.init_rnn_state": "the initial state is zeros",
    "ch9.gru.init_gru_state": "the initial state is zeros",
    "ch9.lstm.init_lstm_state": "the initial state is zeros",
}


def returns_a_value(source: str, name: str) -> bool:
    """Whether the top-level function ``name`` returns or yields a value (else it works by side effects)."""
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) or isinstance(n, ast.Return) and n.value is not None
               and not (isinstance(n.value, ast.Constant) and n.value.value is None) for n in ast.walk(node))


def trivial_copy(tmp_path, chapter):
    root = tmp_path / "trivial"
    shutil.copytree(REPO_ROOT / "solutions" / chapter, root / chapter)
    by_module = {}
    for ex in exercises_of(chapter).values():
        if isinstance(reference(ex.target), type) or ex.key in ZERO_IS_RIGHT:
            continue
        by_module.setdefault(ex.module, []).append(ex.name)
    for module, names in by_module.items():
        path = root / chapter / f"{module}.py"
        original = path.read_text(encoding="utf-8")
        text = original + "\n" + HELPERS
        for name in names:
            body = f"_trivial(_ref_{name}, args, kwargs)" if returns_a_value(original, name) else "None  # does nothing"
            text += f"\n_ref_{name} = {name}\n\ndef {name}(*args, **kwargs):\n    return {body}\n"
        ast.parse(text)
        path.write_text(text, encoding="utf-8")
    return Implementation(root, label="trivial"), {n for names in by_module.values() for n in names}


def test_trivial_answers_earn_no_hidden_points(tmp_path, chapter):
    impl, replaced = trivial_copy(tmp_path, chapter)
    earned = []
    for c in load_chapter(chapter):
        if c.gpu or c.exercise.name not in replaced:
            continue
        if message(c, impl) is None:
            earned.append((c.visibility, c.id))
    hidden = [i for v, i in earned if v == "hidden"]
    assert not hidden, f"trivial answers (zeros of the right shape) pass hidden checks: {hidden}"
    public = [i for v, i in earned if v == "public" and "shape" not in i]
    assert not public, f"trivial answers pass public checks that are not about shapes: {public}"
