"""§10.2 注意力汇聚：Nadaraya-Watson 核回归 (d2l.ai §11.2 Attention Pooling by Similarity)."""
import torch
from torch import nn


def average_pooling(x_test, y_train):
    """Average pooling (§10.2.2): predict ``y_train.mean()`` for every query.

    ``x_test``: queries ``(n_test,)`` (only their number matters); ``y_train``: outputs ``(n_train,)``.
    Returns a tensor ``(n_test,)`` of ``y_train``'s dtype, on ``y_train``'s device, every entry the
    mean of ``y_train``.
    """
    return y_train.mean().expand(len(x_test)).clone()


def nonparametric_pooling(x_test, x_train, y_train):
    """Nonparametric attention pooling with a Gaussian kernel (§10.2.3).

    ``x_test``: queries ``(n_test,)``; ``x_train``, ``y_train``: keys and values ``(n_train,)``.
    Returns ``(y_hat, attention_weights)``: ``y_hat`` ``(n_test,)`` and the weights
    ``(n_test, n_train)``, row ``i`` being ``softmax_j(-(x_test[i] - x_train[j])² / 2)``
    (each row sums to 1), so ``y_hat = attention_weights @ y_train``. Gradients flow through
    ``y_hat`` to all three inputs. Build the ``(n_test, n_train)`` differences by broadcasting:
    no Python loop over the queries or the keys.
    """
    attention_weights = torch.softmax(-(x_test[:, None] - x_train[None, :]) ** 2 / 2, dim=1)
    return attention_weights @ y_train, attention_weights


def leave_one_out(x_train, y_train):
    """Keys and values for training the parametric model (§10.2.4): row ``i`` leaves example ``i`` out.

    ``x_train``, ``y_train``: ``(n,)``. Returns ``(keys, values)``, both ``(n, n - 1)``:
    row ``i`` of ``keys`` is ``x_train`` without its entry ``i`` (order kept), and
    the same for ``values`` with ``y_train``, so no query sees its own answer. ``keys`` has
    ``x_train``'s dtype and ``values`` ``y_train``'s.
    """
    n = len(x_train)
    keep = ~torch.eye(n, dtype=torch.bool, device=x_train.device)
    return x_train.expand(n, n)[keep].reshape(n, n - 1), y_train.expand(n, n)[keep].reshape(n, n - 1)


class NWKernelRegression(nn.Module):
    """Parametric Nadaraya-Watson kernel regression (§10.2.4): one learnable width ``w``.

    ``self.w``: the module's one parameter, an ``nn.Parameter`` of shape ``(1,)`` drawn with
    ``torch.rand((1,))`` like the book (so under the same seed it is the reference's ``w``).
    ``forward(queries, keys, values)``: ``queries`` ``(n,)``, ``keys`` and ``values`` ``(n, m)``
    (each query has its own ``m`` key-value pairs). The weights
    ``softmax_j(-((queries[i] - keys[i, j]) * w)² / 2)`` are kept in
    ``self.attention_weights`` ``(n, m)`` for plotting (rows sum to 1); returns ``(n,)``,
    the weighted sums of each row of ``values``. Gradients reach ``self.w`` (no ``.data``), so
    the book's loop (SGD on ``net.w``, lr 0.5, 5 epochs on the leave-one-out keys) lowers the loss.
    """

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.rand((1,)))

    def forward(self, queries, keys, values):
        self.attention_weights = torch.softmax(-((queries[:, None] - keys) * self.w) ** 2 / 2, dim=1)
        return (self.attention_weights * values).sum(dim=1)
