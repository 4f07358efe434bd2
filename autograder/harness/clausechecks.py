"""Declaring the checks of a tensor function's usual contract clauses: one call a clause, as ``speed_check``.

``reference_check("mlp_scratch.relu", relu_args, what="relu(X)", points=2, hint=relu_hint)`` registers the check
``matches_reference`` of the exercise (clause ``values``): the reference's output on ``make_args(seed)`` for each
of ``seeds`` (``assert_matches_reference``). ``dtype_check("mlp_scratch.relu", relu_args, (torch.float64,),
what="relu(X)", operand="X")`` registers the check ``keeps_dtype`` (clause ``dtype``): the reference's output,
dtype included, for inputs of each dtype (``make_args(seed, dtype)``). Likewise ``device_check`` (``on_device``, clause
``device``: ``assert_right_on_device``), ``pure_check`` (``input_unchanged``, clause ``pure``: ``assert_pure``),
``gradients_check`` (``gradients``: ``assert_gradients_match``) and ``no_builtin_check`` (``no_builtin``:
``assert_no_forbidden_calls``, right output required). Each is compared with the exercise's reference and takes
``make_args(seed)``; ``name``, ``clauses``, ``points`` and ``substitute`` are as for ``check``. Call them from a
check module.
"""
from __future__ import annotations

from autograder.harness.compare import assert_keeps_dtype, assert_matches_reference, assert_pure
from autograder.harness.device import assert_right_on_device
from autograder.harness.forbid import assert_no_forbidden_calls
from autograder.harness.grad import assert_gradients_match
from autograder.harness.inputs import SEEDS
from autograder.harness.loader import reference
from autograder.harness.registry import check_for, declaring_module


def _declare(exercise, graded, *, name, clauses, **kwargs):
    """Register ``graded(fn, ref)`` as the check ``name`` of ``exercise``, declared by the check module that called
    the declarer."""
    module = declaring_module(2)
    key = f"{module.rsplit('.', 1)[1]}.{exercise}"
    return check_for(module, exercise, lambda fn: graded(fn, reference(key)), name=name, clauses=clauses, **kwargs)


def reference_check(exercise: str, make_args, *, what: str, seeds=SEEDS, hint="", atol=None, rtol=None,
                    name="matches_reference", clauses="values", **kwargs):
    return _declare(exercise, lambda fn, ref: assert_matches_reference(fn, ref, make_args, what=what, seeds=seeds,
                                                                       hint=hint, atol=atol, rtol=rtol),
                    name=name, clauses=clauses, **kwargs)


def dtype_check(exercise: str, make_args, dtypes, *, what: str, operand: str, seeds=SEEDS[:2], hint="",
                name="keeps_dtype", clauses="dtype", **kwargs):
    return _declare(exercise, lambda fn, ref: assert_keeps_dtype(fn, ref, make_args, dtypes, what=what,
                                                                 operand=operand, seeds=seeds, hint=hint),
                    name=name, clauses=clauses, **kwargs)


def device_check(exercise: str, make_args, *, what: str, seeds=(0,), hint="", name="on_device", clauses="device",
                 **kwargs):
    return _declare(exercise, lambda fn, ref: assert_right_on_device(fn, ref, make_args, what=what, seeds=seeds,
                                                                     hint=hint),
                    name=name, clauses=clauses, **kwargs)


def pure_check(exercise: str, make_args, *, what: str, seeds=SEEDS[:2], hint="", name="input_unchanged",
               clauses="pure", **kwargs):
    return _declare(exercise, lambda fn, ref: assert_pure(fn, ref, make_args, what=what, seeds=seeds, hint=hint),
                    name=name, clauses=clauses, **kwargs)


def gradients_check(exercise: str, make_args, *, what: str, seed=0, wrt=(0,), name="gradients",
                    clauses="gradients", **kwargs):
    return _declare(exercise, lambda fn, ref: assert_gradients_match(fn, ref, make_args(seed), wrt=wrt, what=what),
                    name=name, clauses=clauses, **kwargs)


def no_builtin_check(exercise: str, make_args, *, forbidden, what: str, seed=0, name="no_builtin",
                     clauses="no_builtin", **kwargs):
    return _declare(exercise, lambda fn, ref: assert_no_forbidden_calls(fn, *make_args(seed), forbidden=forbidden,
                                                                        what=what, ref=ref),
                    name=name, clauses=clauses, **kwargs)
