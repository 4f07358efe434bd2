"""§6.4 多输入多输出通道 (d2l.ai §7.4 Multiple Input and Multiple Output Channels)."""
import torch


def corr2d_multi_in(X, K):
    """Cross-correlation with several input channels (§6.4.1): summed over the channels.

    ``X``: ``(c_i, n_h, n_w)``; ``K``: ``(c_i, k_h, k_w)``. Returns
    ``(n_h - k_h + 1, n_w - k_w + 1)``: the sum over ``c`` of ``corr2d(X[c], K[c])``.
    Same rules as ``corr2d``: dtype and device of ``X``, gradients flow to ``X``
    and ``K``, no PyTorch convolution or ``F.unfold`` (calling your ``corr2d``
    once per input channel is fine).
    """
    return corr2d_multi_in_out(X, K.unsqueeze(0))[0]


def corr2d_multi_in_out(X, K):
    """Cross-correlation with several input and output channels (§6.4.2).

    ``X``: ``(c_i, n_h, n_w)``; ``K``: ``(c_o, c_i, k_h, k_w)``. Returns
    ``(c_o, n_h - k_h + 1, n_w - k_w + 1)``: output channel ``o`` is
    ``corr2d_multi_in(X, K[o])``. Same rules as ``corr2d``: dtype and device of
    ``X``, gradients flow to ``X`` and ``K``, no PyTorch convolution or
    ``F.unfold``; and no Python loop over channels (``c_o * c_i`` small
    cross-correlations are far too slow): combine the channels with matrix products.
    """
    k_h, k_w = K.shape[2:]
    # Every k_h × k_w window of every channel, as a view: (c_i, out_h, out_w, k_h, k_w). One product over
    # (c_i, k_h, k_w) with the kernels gives every output channel at once.
    windows = X.unfold(1, k_h, 1).unfold(2, k_w, 1)
    return torch.tensordot(K, windows, dims=([1, 2, 3], [0, 3, 4]))


def corr2d_multi_in_out_1x1(X, K):
    """A 1×1 convolution as a matrix product (§6.4.3).

    ``X``: ``(c_i, h, w)``; ``K``: ``(c_o, c_i, 1, 1)``. Returns ``(c_o, h, w)``, equal to
    ``corr2d_multi_in_out(X, K)``: one ``(c_o, c_i) @ (c_i, h * w)`` product, no loop.
    """
    c_i, h, w = X.shape
    return (K.reshape(K.shape[0], c_i) @ X.reshape(c_i, h * w)).reshape(-1, h, w)
