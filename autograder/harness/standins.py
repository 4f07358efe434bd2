"""Running the student's code under controlled conditions: a seed, stand-ins for other exercises, counted calls.

Each helper runs where the code under test lives (``on_its_side``) and returns plain values:

- ``seeded(fn, seed, *args)``: ``fn(*args)`` right after seeding Python's, NumPy's and torch's global
  generators (the judge's too, since a substituted reference draws there), on one thread;
- ``with_stand_ins(owner, stand_ins, call, *args)``: ``call(*args)`` while the module of ``owner`` (the
  student's function or class) binds each name of ``stand_ins`` to check code instead (a stand-in for an
  exercise that cannot be a reference stub: it works in place, or the student's code builds modules from it);
- ``calls_to(owner, names, call, *args)``: ``call(*args)`` counting the calls the student's code makes to
  ``names`` of ``owner``'s module ("uses this module's F"), each call going on to its stand-in or the original.
"""
from __future__ import annotations

import sys

from autograder.harness.modules import on_its_side
from autograder.harness.registry import seed_everything
from autograder.harness.train import single_thread


def _seeded_call(fn, seed, args, kwargs):
    seed_everything(seed)
    with single_thread():
        return fn(*args, **kwargs)


def seeded(fn, seed: int, *args, **kwargs):
    """``fn(*args, **kwargs)`` right after ``seed_everything(seed)``, where ``fn`` lives: the same seed gives the
    student's code and the reference the same draws."""
    seed_everything(seed)
    return on_its_side(fn, _seeded_call, seed, args, kwargs)


def _namespace(owner) -> dict:
    return vars(sys.modules[owner.__module__])


def _swapped(owner, replacements: dict):
    """Bind every name of ``owner``'s module that holds what ``replacements`` names to the replacement (aliases of
    the same object too); return what to restore."""
    namespace, saved = _namespace(owner), []
    for name, obj in replacements.items():
        if name not in namespace:
            continue
        old = namespace[name]
        for key, value in list(namespace.items()):
            if value is old:
                saved.append((key, value))
                namespace[key] = obj
    return namespace, saved


def _with_stand_ins(owner, stand_ins, call, args, kwargs):
    namespace, saved = _swapped(owner, stand_ins)
    try:
        return call(*args, **kwargs)
    finally:
        for key, value in reversed(saved):
            namespace[key] = value


def with_stand_ins(owner, stand_ins: dict, call, *args, **kwargs):
    """``call(*args, **kwargs)`` on the student's side while ``owner``'s module binds the names of ``stand_ins`` to
    those check-code objects; what it returns stays there when it is not a plain value (a proxy here)."""
    return on_its_side(owner, _with_stand_ins, dict(stand_ins), call, args, kwargs)


def _calls_to(owner, names, call, args, kwargs, stand_ins):
    namespace = _namespace(owner)
    counts = {name: 0 for name in names}

    def counter(name, target):
        def counted(*a, **k):
            counts[name] += 1
            return target(*a, **k)
        return counted
    wrappers = {name: counter(name, stand_ins.get(name, namespace[name])) for name in names if name in namespace}
    namespace_, saved = _swapped(owner, wrappers)
    try:
        result = call(*args, **kwargs)
    finally:
        for key, value in reversed(saved):
            namespace_[key] = value
    return {"result": result, "calls": counts, "missing": [n for n in names if n not in namespace]}


def calls_to(owner, names, call, *args, stand_ins: dict | None = None, **kwargs) -> dict:
    """``{"result", "calls": {name: n}, "missing": [names owner's module lacks]}`` of ``call(*args, **kwargs)`` on
    the student's side, counting the calls to ``names`` of ``owner``'s module (each goes on to ``stand_ins[name]``
    when given, else to what the module binds)."""
    return on_its_side(owner, _calls_to, tuple(names), call, args, kwargs, dict(stand_ins or {}))
