"""§10.5 多头注意力 (d2l.ai §11.5 Multi-Head Attention)."""
from torch import nn

from .attention_scoring import DotProductAttention


def transpose_qkv(X, num_heads):
    """Split the last axis into heads, heads next to the batch (§10.5.2).

    ``X``: ``(batch, n, num_hiddens)`` with ``num_hiddens`` divisible by ``num_heads``.
    Returns ``(batch * num_heads, n, num_hiddens / num_heads)``: row ``b * num_heads + h``
    holds head ``h`` of example ``b``, head ``h`` being the features
    ``h * d : (h + 1) * d`` (``d = num_hiddens / num_heads``), like ``nn.MultiheadAttention``.
    """
    batch, n, _ = X.shape
    return X.reshape(batch, n, num_heads, -1).transpose(1, 2).reshape(batch * num_heads, n, -1)


def transpose_output(X, num_heads):
    """Undo ``transpose_qkv`` (§10.5.2): ``(batch * num_heads, n, d)`` -> ``(batch, n, num_heads * d)``.

    ``transpose_output(transpose_qkv(X, h), h)`` equals ``X``.
    """
    _, n, d = X.shape
    return X.reshape(-1, num_heads, n, d).transpose(1, 2).reshape(-1, n, num_heads * d)


class MultiHeadAttention(nn.Module):
    """Multi-head attention (§10.5.2), the heads computed in parallel.

    Layers, created and registered in this order like the book, with PyTorch's default
    initialisation (so under the same seed the initial weights are the reference's):
    ``attention = DotProductAttention(dropout)``, ``W_q = nn.Linear(query_size, num_hiddens,
    bias=bias)``, ``W_k`` (``key_size`` in), ``W_v`` (``value_size`` in) and ``W_o =
    nn.Linear(num_hiddens, num_hiddens, bias=bias)``.
    ``forward(queries, keys, values, valid_lens)``: queries ``(batch, num_queries,
    query_size)``, keys ``(batch, num_kv, key_size)``, values ``(batch, num_kv,
    value_size)``, ``valid_lens`` ``None``, ``(batch,)`` or ``(batch, num_queries)``.
    Projects, splits into ``num_heads`` heads with ``transpose_qkv``, repeats each
    example's valid lengths once per head, runs ``self.attention`` on all heads at
    once, joins them with ``transpose_output`` and applies ``W_o``: returns
    ``(batch, num_queries, num_hiddens)``. With ``bias=False`` and equal sizes it
    computes what ``nn.MultiheadAttention(num_hiddens, num_heads, bias=False,
    batch_first=True)`` does with the same weights. Must not use
    ``nn.MultiheadAttention`` / ``F.multi_head_attention_forward``; no Python loop over the
    heads or the batch.
    Self-attention (§10.6.1) is this module called with ``queries = keys = values``.
    """

    def __init__(self, key_size, query_size, value_size, num_hiddens, num_heads, dropout, bias=False):
        super().__init__()
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=bias)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=bias)
        self.W_v = nn.Linear(value_size, num_hiddens, bias=bias)
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)

    def forward(self, queries, keys, values, valid_lens):
        queries = transpose_qkv(self.W_q(queries), self.num_heads)
        keys = transpose_qkv(self.W_k(keys), self.num_heads)
        values = transpose_qkv(self.W_v(values), self.num_heads)
        if valid_lens is not None:
            valid_lens = valid_lens.repeat_interleave(self.num_heads, dim=0)
        return self.W_o(transpose_output(self.attention(queries, keys, values, valid_lens), self.num_heads))
