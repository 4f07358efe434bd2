"""§10.3 注意力评分函数 (d2l.ai §11.3 Attention Scoring Functions)."""
import math
import torch
from torch import nn


def sequence_mask(X, valid_len, value=0):
    """Replace the entries of ``X`` past each row's valid length with ``value`` (§9.7.3).

    ``X``: ``(n, maxlen, ...)``; ``valid_len``: integer tensor ``(n,)``. Entry
    ``X[i, j, ...]`` is kept where ``j < valid_len[i]`` and becomes ``value``
    elsewhere (along axis 1 only: trailing axes are masked together). Returns a
    new tensor of ``X``'s shape and dtype (an integer ``X`` stays integer), on ``X``'s device
    (make the mask with ``device=X.device``). Deviation from the book: the book
    assigns into ``X`` in place; here ``X`` is left unchanged, so that callers
    such as ``masked_softmax`` never overwrite their caller's data.
    The book defines it in §9.7 (seq2seq loss); chapter 10 needs it for ``masked_softmax``.
    """
    raise NotImplementedError("sequence_mask (§9.7.3)")


def masked_softmax(X, valid_lens):
    """Softmax over the last axis of a 3-D ``X`` that ignores the keys past each valid length (§10.3.1).

    ``X``: scores ``(batch, num_queries, num_keys)``. ``valid_lens``: ``None`` (plain
    softmax), an integer tensor ``(batch,)`` (one length for every query of an
    example) or ``(batch, num_queries)`` (one length per query). Key ``k`` of a
    row is valid when ``k < valid_len``; valid lengths are at least 1. Returns
    ``X``'s shape and dtype, on ``X``'s device (make the mask with ``device=X.device``):
    masked positions are exactly 0, each row sums to 1 over its valid keys, and gradients
    flow to ``X``. Masked scores are replaced by ``-1e6`` (a large negative number, not 0)
    before the softmax.
    Deviation from the book: its ``sequence_mask`` writes into a view of ``X``,
    overwriting the caller's scores; this one leaves ``X`` unchanged.
    No Python loop over the batch or the queries.
    """
    raise NotImplementedError("masked_softmax (§10.3.1)")


class AdditiveAttention(nn.Module):
    """Additive attention (§10.3.2): score ``w_v^T tanh(W_q q + W_k k)``.

    Layers, created and registered in this order like the book, with PyTorch's default
    initialisation (so under the same seed the initial weights are the reference's):
    ``W_k = nn.Linear(key_size, num_hiddens, bias=False)``, ``W_q = nn.Linear(query_size,
    num_hiddens, bias=False)``, ``w_v = nn.Linear(num_hiddens, 1, bias=False)``, and
    ``dropout = nn.Dropout(dropout)``.
    ``forward(queries, keys, values, valid_lens)``: queries ``(batch, num_queries,
    query_size)``, keys ``(batch, num_kv, key_size)``, values ``(batch, num_kv,
    value_size)``, ``valid_lens`` as in ``masked_softmax``. Keeps the weights
    ``(batch, num_queries, num_kv)`` in ``self.attention_weights`` (before dropout)
    and returns ``bmm(dropout(weights), values)``: ``(batch, num_queries, value_size)``.
    Dropout acts in training mode only. Queries and keys meet by broadcasting: no Python loop
    over the batch, the queries or the keys.
    """

    def __init__(self, key_size, query_size, num_hiddens, dropout):
        raise NotImplementedError("AdditiveAttention.__init__ (§10.3.2)")

    def forward(self, queries, keys, values, valid_lens):
        raise NotImplementedError("AdditiveAttention.forward (§10.3.2)")


class DotProductAttention(nn.Module):
    """Scaled dot-product attention (§10.3.3): ``softmax(Q K^T / sqrt(d)) V``.

    ``forward(queries, keys, values, valid_lens=None)``: queries ``(batch,
    num_queries, d)``, keys ``(batch, num_kv, d)``, values ``(batch, num_kv, v)``,
    ``valid_lens`` as in ``masked_softmax``. Keeps the weights ``(batch,
    num_queries, num_kv)`` in ``self.attention_weights`` (before dropout) and
    returns ``bmm(dropout(weights), values)``: ``(batch, num_queries, v)``; gradients flow to
    queries, keys and values. ``self.dropout = nn.Dropout(dropout)`` acts in training mode only.
    Must not use ``F.scaled_dot_product_attention`` (the exercise is to write it);
    batched matrix products, no Python loop over the batch.
    """

    def __init__(self, dropout):
        raise NotImplementedError("DotProductAttention.__init__ (§10.3.3)")

    def forward(self, queries, keys, values, valid_lens=None):
        raise NotImplementedError("DotProductAttention.forward (§10.3.3)")
