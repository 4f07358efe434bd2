"""Gradients: autograd through the code under test against autograd through the reference (float64).

The code under test is differentiated where it lives (``student_side``): gradients are computed
there and only their values cross to the judge.
"""
from __future__ import annotations

import torch

from autograder.harness.compare import assert_close
from autograder.harness.context import student_side
from autograder.harness.inputs import randn
from autograder.harness.session import StudentError


def _gradients(fn, inputs, wrt, seed):
    leaves = [x.detach().clone().double().requires_grad_(i in wrt) if isinstance(x, torch.Tensor)
              and x.is_floating_point() else x for i, x in enumerate(inputs)]
    # fn gets copies inside the graph, not the leaves: a function that also writes into its input (a
    # deviation of its own, for another check) still has its gradients judged
    out = fn(*[x.clone() if isinstance(x, torch.Tensor) and x.requires_grad else x for x in leaves])
    inputs = leaves
    if not isinstance(out, torch.Tensor):
        return {"error": f"expected a tensor output to differentiate, got {type(out).__name__}"}
    if not out.requires_grad:
        return {"error": "no gradient flows through the output: did you use .data, .detach(), .item(), numpy or a "
                         "new torch.tensor(...) on the way?"}
    weights = randn(out.shape, seed, dtype=out.dtype, device=out.device)
    grads = torch.autograd.grad((out * weights).sum(), [inputs[i] for i in wrt], allow_unused=True)
    return {"grads": [torch.zeros_like(inputs[i]) if g is None else g.detach() for i, g in zip(wrt, grads)]}


def gradients(fn, inputs, wrt, seed: int = 0):
    """Gradients of ``sum(fn(*inputs) * R)`` for a fixed random ``R``, w.r.t. the inputs at ``wrt``
    (computed where ``fn``'s code lives)."""
    got = student_side(_gradients, fn, list(inputs), tuple(wrt), seed)
    if "error" in got:
        raise AssertionError(got["error"])
    return got["grads"]


def assert_gradients_match(fn, ref, inputs, *, wrt=(0,), what: str, seed: int = 0,
                           atol: float = 1e-7, rtol: float = 1e-5, hint: str = "") -> None:
    """Autograd through ``fn`` (the code under test) gives the reference's gradients (inputs cast to float64)."""
    expected = _gradients(ref, list(inputs), tuple(wrt), seed)["grads"]
    try:
        got = gradients(fn, inputs, wrt, seed)
    except StudentError:
        raise
    except AssertionError as e:
        raise AssertionError(f"{what}: {e}" + (f"\n  hint: {hint}" if hint else "")) from None
    for i, g, e in zip(wrt, got, expected):
        assert_close(g, e, what=f"the gradient of {what} w.r.t. argument #{i + 1}", atol=atol, rtol=rtol, hint=hint)
