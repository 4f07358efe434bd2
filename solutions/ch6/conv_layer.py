"""§6.2 图像卷积 (d2l.ai §7.2 Convolutions for Images)."""
import torch
from torch import nn


def corr2d(X, K):
    """Two-dimensional cross-correlation of ``X`` with the kernel ``K`` (§6.2.1).

    ``X``: float tensor ``(n_h, n_w)``; ``K``: ``(k_h, k_w)`` with ``k_h <= n_h``,
    ``k_w <= n_w``. Returns ``Y`` of shape ``(n_h - k_h + 1, n_w - k_w + 1)``, dtype
    and device of ``X``, with ``Y[i, j] = (X[i:i + k_h, j:j + k_w] * K).sum()``;
    gradients flow to ``X`` and ``K``. The kernel is not flipped (cross-correlation,
    not convolution).

    Must not use PyTorch's convolutions (``F.conv2d``, ``torch.conv2d``,
    ``nn.Conv2d``, ...) or ``F.unfold``/``nn.Unfold`` (im2col); ``Tensor.unfold``
    (a view) is allowed. It must be vectorized: a Python loop over the output
    pixels (the book's version) is hundreds of times too slow.
    """
    k_h, k_w = K.shape
    out_h, out_w = X.shape[0] - k_h + 1, X.shape[1] - k_w + 1
    # One multiply-add of a shifted view of X per kernel entry: k_h * k_w whole-tensor operations,
    # accumulated in place (autograd allows it: Y is not needed to compute any gradient).
    Y = X.new_zeros((out_h, out_w))
    for a in range(k_h):
        for b in range(k_w):
            Y.addcmul_(X[a:a + out_h, b:b + out_w], K[a, b])
    return Y


class Conv2D(nn.Module):
    """A convolutional layer built on ``corr2d`` (§6.2.2).

    ``kernel_size``: ``(k_h, k_w)``. Parameters (``nn.Parameter``), registered in
    this order: ``weight`` of shape ``kernel_size``, drawn from U(0, 1) by
    ``torch.rand(kernel_size)`` (the layer's only random draw, so the same seed
    gives the same weight), and ``bias`` of shape ``(1,)``, set to zero.
    ``forward(x)`` takes a 2-D ``x`` and returns ``corr2d(x, weight) + bias``,
    calling this module's ``corr2d``.
    """

    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
