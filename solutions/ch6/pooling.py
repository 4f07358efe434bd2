"""§6.5 汇聚层 (d2l.ai §7.5 Pooling)."""
import torch.nn.functional as F
from torch.nn.modules.utils import _pair


def pool2d(X, pool_size, mode='max'):
    """Max or average pooling of the 2-D ``X`` with stride 1 and no padding (§6.5.1).

    ``X``: ``(n_h, n_w)``; ``pool_size``: ``(p_h, p_w)``; ``mode``: ``'max'`` or ``'avg'``.
    Returns ``(n_h - p_h + 1, n_w - p_w + 1)``: the maximum (or mean) of each
    ``p_h × p_w`` window (``p_h`` rows, ``p_w`` columns), with ``X``'s dtype and
    device; gradients flow to ``X``. Must not use PyTorch's pooling
    (``F.max_pool2d``, ``F.avg_pool2d``, ``nn.MaxPool2d``, adaptive pooling) or
    convolutions; vectorized: no Python loop over the output pixels
    (``Tensor.unfold`` makes the windows as a view).
    """
    windows = X.unfold(0, pool_size[0], 1).unfold(1, pool_size[1], 1)
    return windows.amax(dim=(-2, -1)) if mode == 'max' else windows.mean(dim=(-2, -1))


def pooling_layer(X, kernel_size, padding=0, stride=None, mode='max'):
    """Pooling with padding and stride over every channel (§6.5.2-6.5.3), like ``nn.MaxPool2d``/``AvgPool2d``.

    ``X``: ``(..., n_h, n_w)`` (e.g. ``(N, C, H, W)``): each channel is pooled on
    its own, so the leading axes are kept. ``kernel_size``, ``padding``, ``stride``:
    an int or an ``(h, w)`` pair; ``stride`` defaults to ``kernel_size``; ``padding``
    is added on each side: ``-inf`` for ``'max'`` (padding never wins) and ``0``
    for ``'avg'`` (counted in the mean, as PyTorch's default ``count_include_pad``).
    Output sizes ``(n + 2p - k) // s + 1``. Same rules as ``pool2d``: dtype and
    device of ``X``, gradients flow to ``X``, no PyTorch pooling or convolutions,
    no Python loop over the output pixels.
    """
    (k_h, k_w), (p_h, p_w) = _pair(kernel_size), _pair(padding)
    s_h, s_w = _pair(stride if stride is not None else kernel_size)
    fill = float('-inf') if mode == 'max' else 0.0
    X = F.pad(X, (p_w, p_w, p_h, p_h), value=fill)
    windows = X.unfold(-2, k_h, s_h).unfold(-2, k_w, s_w)
    return windows.amax(dim=(-2, -1)) if mode == 'max' else windows.mean(dim=(-2, -1))
