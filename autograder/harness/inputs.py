"""Seeded inputs: every random tensor a check feeds the code under test comes from here.

Tensors are drawn on the CPU from a private generator and then moved, so the
same seed gives the same numbers on every device and in every process.
"""
from __future__ import annotations

import torch

SEEDS = (0, 1, 2, 3, 4)


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(shape, seed: int = 0, *, dtype=torch.float32, device="cpu", scale: float = 1.0,
          requires_grad: bool = False) -> torch.Tensor:
    """Normal(0, scale) tensor."""
    t = torch.randn(tuple(shape), generator=generator(seed), dtype=torch.float64) * scale
    return t.to(dtype=dtype, device=device).requires_grad_(requires_grad)


def uniform(shape, seed: int = 0, *, low: float = 0.0, high: float = 1.0, dtype=torch.float32,
            device="cpu") -> torch.Tensor:
    t = torch.rand(tuple(shape), generator=generator(seed), dtype=torch.float64) * (high - low) + low
    return t.to(dtype=dtype, device=device)


def randint(low: int, high: int, shape, seed: int = 0, *, device="cpu") -> torch.Tensor:
    return torch.randint(low, high, tuple(shape), generator=generator(seed)).to(device)


def probabilities(shape, seed: int = 0, *, dtype=torch.float32, device="cpu") -> torch.Tensor:
    """Rows that are valid distributions over the last axis (strictly positive)."""
    return torch.softmax(randn(shape, seed, dtype=torch.float64), dim=-1).to(dtype=dtype, device=device)


def shape(seed: int, ndim: int, low: int = 1, high: int = 8) -> tuple[int, ...]:
    """A random shape with ``ndim`` sizes in ``[low, high]``."""
    return tuple(randint(low, high + 1, (ndim,), seed).tolist())


def describe(t) -> str:
    """``float32 tensor of shape (4, 5)`` -- how messages name an input or output."""
    if isinstance(t, torch.Tensor):
        where = "" if t.device.type == "cpu" else f" on {t.device}"
        return f"{str(t.dtype).removeprefix('torch.')} tensor of shape {tuple(t.shape)}{where}"
    return f"{type(t).__name__} {t!r}" if len(repr(t)) < 60 else type(t).__name__
