"""Comparing ``nn.Module``s: parameter counts, per-block shapes, and outputs with the reference's weights.

Shapes alone miss a forgotten ReLU or pooling; copying the reference's
weights into the student's network (in registration order, shape by shape)
and comparing outputs catches them. Whatever touches the student's network runs
where it lives (``on_its_side``); only values cross.
"""
from __future__ import annotations

import torch
from torch import nn

from autograder.harness.compare import assert_close
from autograder.harness.session import Remote


def _remote_inside(obj):
    """The proxy ``obj`` is, or one that a module of the judge's holds (``nn.Sequential(*student_blocks)``)."""
    if type(obj) is Remote:
        return obj
    if isinstance(obj, nn.Module):
        return next((r for m in obj._modules.values() if m is not None for r in [_remote_inside(m)] if r), None)
    return None


def on_its_side(obj, fn, *args, **kwargs):
    """``fn(obj, *args)``, run where ``obj`` lives: next to the code under test for a proxy (or a module of the
    judge's that holds one), else here."""
    remote = _remote_inside(obj)
    return remote._session.run(fn, obj, *args, **kwargs) if remote is not None else fn(obj, *args, **kwargs)


def _count(net) -> int:
    return sum(p.numel() for p in net.parameters())


def count_parameters(net: nn.Module) -> int:
    return on_its_side(net, _count)


def _has_parameters(net) -> bool:
    return any(True for _ in net.parameters())


def assert_same_parameter_count(net: nn.Module, ref: nn.Module, *, what: str) -> None:
    got, expected = count_parameters(net), count_parameters(ref)
    if got != expected:
        raise AssertionError(f"{what} has {got:,} parameters, the reference {expected:,}: "
                             "check the layers' channels, sizes and biases")
    if not on_its_side(net, _has_parameters) and expected:
        raise AssertionError(f"{what} registers no parameters: store layers as attributes or in nn.Sequential/"
                             "nn.ModuleList, not in a plain list")


def block_shapes(net: nn.Module, X: torch.Tensor) -> list[tuple[str, tuple]]:
    """``(block class name, output shape)`` after each top-level child of a sequential network."""
    return on_its_side(net, _block_shapes, X)


def _block_shapes(net, X):
    shapes = []
    for child in net.children():
        X = child(X)
        shapes.append((type(child).__name__, tuple(X.shape)))
    return shapes


def assert_block_shapes(net: nn.Module, expected: list[tuple], X: torch.Tensor, *, what: str) -> None:
    """The output shape after each top-level block is as listed (the book's printed table)."""
    got = [shape for _, shape in block_shapes(net, X)]
    expected = [tuple(s) for s in expected]
    if got != expected:
        rows = "\n".join(f"    block {i}: got {g}, expected {e}" + ("   <--" if g != e else "")
                         for i, (g, e) in enumerate(zip(got + [None] * len(expected), expected + [None] * len(got)))
                         if g is not None or e is not None)
        raise AssertionError(f"{what}: output shapes per block differ on input {tuple(X.shape)}:\n{rows}")


def _load_in_order(net, values: list, what: str):
    mine = [(k, v) for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")]
    if [tuple(v.shape) for _, v in mine] != [tuple(v.shape) for v in values]:
        return "\n".join(f"    {k}: {tuple(v.shape)}" for k, v in mine[:40])
    with torch.no_grad():
        for (_, mine_v), theirs in zip(mine, values):
            mine_v.copy_(theirs)
    return None


def load_weights_in_order(net: nn.Module, ref: nn.Module, *, what: str) -> None:
    """Copy ``ref``'s parameters and buffers into ``net``, matched in registration order."""
    theirs = [(k, v) for k, v in ref.state_dict().items() if not k.endswith("num_batches_tracked")]
    listing = on_its_side(net, _load_in_order, [v.detach() for _, v in theirs], what)
    if listing is not None:
        expected = "\n".join(f"    {k}: {tuple(v.shape)}" for k, v in theirs[:40])
        raise AssertionError(f"{what}: its parameters do not line up with the reference's.\n"
                             f"  yours:\n{listing}\n  reference:\n{expected}")


def _forward(net, inputs, train):
    net.train(train)
    with torch.no_grad():
        return net(*inputs)


def assert_same_function(net: nn.Module, ref: nn.Module, inputs: tuple, *, what: str, atol=1e-5, rtol=1e-4,
                         train: bool = False) -> None:
    """With the reference's weights loaded, ``net(*inputs)`` equals ``ref(*inputs)`` (eval mode by default)."""
    load_weights_in_order(net, ref, what=what)
    got, expected = on_its_side(net, _forward, tuple(inputs), train), _forward(ref, tuple(inputs), train)
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            raise AssertionError(f"{what} should return {len(expected)} outputs, like the reference")
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_close(g, e, what=f"{what}, output #{i + 1}, with the reference's weights", atol=atol, rtol=rtol)
    else:
        assert_close(got, expected, what=f"{what} with the reference's weights", atol=atol, rtol=rtol,
                     hint="same shapes but different numbers: a missing activation, pooling, or a block in the "
                          "wrong order?")
