"""§6.4 多输入多输出通道 (d2l.ai §7.4 Multiple Input and Multiple Output Channels)."""
import torch


def corr2d_multi_in(X, K):
    """Cross-correlation with several input channels (§6.4.1): summed over the channels.

    ``X``: ``(c_i, n_h, n_w)``; ``K``: ``(c_i, k_h, k_w)``. Returns
    ``(n_h - k_h + 1, n_w - k_w + 1)``: the sum over ``c`` of ``corr2d(X[c], K[c])``.
    Same rules as ``corr2d``: no PyTorch convolution or ``F.unfold``; vectorized.
    """
    return corr2d_multi_in_out(X, K.unsqueeze(0))[0]


def corr2d_multi_in_out(X, K):
    """Cross-correlation with several input and output channels (§6.4.2).

    ``X``: ``(c_i, n_h, n_w)``; ``K``: ``(c_o, c_i, k_h, k_w)``. Returns
    ``(c_o, n_h - k_h + 1, n_w - k_w + 1)``: output channel ``o`` is
    ``corr2d_multi_in(X, K[o])``. Same rules as ``corr2d``; in particular no Python
    loop over channels (``c_o * c_i`` small cross-correlations are far too slow):
    combine the channels with matrix products.
    """
    c_o, c_i, k_h, k_w = K.shape
    out_h, out_w = X.shape[1] - k_h + 1, X.shape[2] - k_w + 1
    Y = X.new_zeros((c_o, out_h * out_w))
    for b in range(k_w):
        # Columns b..b+out_w of every row, stored contiguously: each row shift below is then a free view.
        X_b = X[:, :, b:b + out_w].contiguous()
        for a in range(k_h):
            Y = torch.addmm(Y, K[:, :, a, b], X_b[:, a:a + out_h, :].reshape(c_i, -1))
    return Y.reshape(c_o, out_h, out_w)


def corr2d_multi_in_out_1x1(X, K):
    """A 1×1 convolution as a matrix product (§6.4.3).

    ``X``: ``(c_i, h, w)``; ``K``: ``(c_o, c_i, 1, 1)``. Returns ``(c_o, h, w)``, equal to
    ``corr2d_multi_in_out(X, K)``: one ``(c_o, c_i) @ (c_i, h * w)`` product, no loop.
    """
    c_i, h, w = X.shape
    return (K.reshape(K.shape[0], c_i) @ X.reshape(c_i, h * w)).reshape(-1, h, w)
