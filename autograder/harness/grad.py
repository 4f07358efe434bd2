"""Gradients: autograd through the code under test against autograd through the reference (float64)."""
from __future__ import annotations

import torch

from autograder.harness.compare import assert_close
from autograder.harness.inputs import randn


def gradients(fn, inputs, wrt, seed: int = 0):
    """Gradients of ``sum(fn(*inputs) * R)`` for a fixed random ``R``, w.r.t. the inputs at ``wrt``."""
    inputs = [x.detach().clone().double().requires_grad_(i in wrt) if isinstance(x, torch.Tensor)
              and x.is_floating_point() else x for i, x in enumerate(inputs)]
    out = fn(*inputs)
    if not isinstance(out, torch.Tensor):
        raise AssertionError(f"expected a tensor output to differentiate, got {type(out).__name__}")
    if not out.requires_grad:
        raise AssertionError("no gradient flows through the output: did you use .data, .detach(), .item(), "
                             "numpy or a new torch.tensor(...) on the way?")
    weights = randn(out.shape, seed, dtype=out.dtype, device=out.device)
    grads = torch.autograd.grad((out * weights).sum(), [inputs[i] for i in wrt], allow_unused=True)
    return [torch.zeros_like(inputs[i]) if g is None else g for i, g in zip(wrt, grads)]


def assert_gradients_match(fn, ref, inputs, *, wrt=(0,), what: str, seed: int = 0,
                           atol: float = 1e-7, rtol: float = 1e-5) -> None:
    """Autograd through ``fn`` gives the reference's gradients (inputs cast to float64)."""
    expected = gradients(ref, inputs, wrt, seed)
    try:
        got = gradients(fn, inputs, wrt, seed)
    except AssertionError as e:
        raise AssertionError(f"{what}: {e}") from None
    for i, g, e in zip(wrt, got, expected):
        assert_close(g, e, what=f"the gradient of {what} w.r.t. argument #{i + 1}", atol=atol, rtol=rtol)
