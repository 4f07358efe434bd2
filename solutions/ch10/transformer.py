"""§10.7 Transformer (d2l.ai §11.7 The Transformer Architecture)."""
import math

import torch
from torch import nn

from .multihead_attention import MultiHeadAttention
from .self_attention import PositionalEncoding


class PositionWiseFFN(nn.Module):
    """The position-wise feed-forward network (§10.7.2): the same two-layer MLP at every position.

    Layers, created and registered in this order with PyTorch's default initialisation: ``dense1 =
    nn.Linear(ffn_num_input, ffn_num_hiddens)``, ``relu = nn.ReLU()``, ``dense2 =
    nn.Linear(ffn_num_hiddens, ffn_num_outputs)``. ``forward(X)``: ``X`` ``(batch_size, num_steps,
    ffn_num_input)`` (or any shape whose last axis has ``ffn_num_input`` features); returns
    ``dense2(relu(dense1(X)))``, the last axis ``ffn_num_outputs``: each position is transformed on its
    own, the positions never mix.
    """

    def __init__(self, ffn_num_input, ffn_num_hiddens, ffn_num_outputs, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = nn.Linear(ffn_num_input, ffn_num_hiddens)
        self.relu = nn.ReLU()
        self.dense2 = nn.Linear(ffn_num_hiddens, ffn_num_outputs)

    def forward(self, X):
        return self.dense2(self.relu(self.dense1(X)))


class AddNorm(nn.Module):
    """Residual connection then layer normalisation (§10.7.3), the Transformer's post-norm.

    ``dropout = nn.Dropout(dropout)`` and ``ln = nn.LayerNorm(normalized_shape)``, created in this
    order. ``forward(X, Y)``: ``X`` the sublayer's input, ``Y`` its output, of the same shape; returns
    ``ln(dropout(Y) + X)`` (dropout on ``Y`` only, in training mode only).
    """

    def __init__(self, normalized_shape, dropout, **kwargs):
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm(normalized_shape)

    def forward(self, X, Y):
        return self.ln(self.dropout(Y) + X)


class EncoderBlock(nn.Module):
    """One block of the Transformer encoder (§10.7.4): self-attention, then the FFN, each with AddNorm.

    Layers, created and registered in this order like the book: ``attention =
    MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout, use_bias)``
    (this chapter's), ``addnorm1 = AddNorm(norm_shape, dropout)``, ``ffn = PositionWiseFFN(ffn_num_input,
    ffn_num_hiddens, num_hiddens)``, ``addnorm2 = AddNorm(norm_shape, dropout)``.
    ``forward(X, valid_lens)``: ``X`` ``(batch_size, num_steps, num_hiddens)``, ``valid_lens`` ``None``
    or ``(batch_size,)``; ``Y = addnorm1(X, attention(X, X, X, valid_lens))``, returns ``addnorm2(Y,
    ffn(Y))`` of ``X``'s shape (post-norm). With dropout 0 and the same weights it computes what
    ``nn.TransformerEncoderLayer(num_hiddens, num_heads, ffn_num_hiddens, dropout=0, batch_first=True)``
    (ReLU, ``norm_first=False``) does with ``src_key_padding_mask`` true past the valid lengths, when that
    layer's attention biases are zero.
    """

    def __init__(self, key_size, query_size, value_size, num_hiddens, norm_shape, ffn_num_input,
                 ffn_num_hiddens, num_heads, dropout, use_bias=False, **kwargs):
        super().__init__(**kwargs)
        self.attention = MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout,
                                            use_bias)
        self.addnorm1 = AddNorm(norm_shape, dropout)
        self.ffn = PositionWiseFFN(ffn_num_input, ffn_num_hiddens, num_hiddens)
        self.addnorm2 = AddNorm(norm_shape, dropout)

    def forward(self, X, valid_lens):
        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(Y))


class TransformerEncoder(nn.Module):
    """The Transformer encoder (§10.7.4): scaled embeddings plus positions, then ``num_layers`` blocks.

    Layers, created and registered in this order like the book: ``embedding = nn.Embedding(vocab_size,
    num_hiddens)``, ``pos_encoding = PositionalEncoding(num_hiddens, dropout)`` (this chapter's), and
    ``blks = nn.Sequential()`` holding ``EncoderBlock(key_size, query_size, value_size, num_hiddens,
    norm_shape, ffn_num_input, ffn_num_hiddens, num_heads, dropout, use_bias)`` as ``"block0"``,
    ``"block1"``, ... (``add_module``). ``self.num_hiddens = num_hiddens``.
    ``forward(X, valid_lens, *args)``: ``X`` token indices ``(batch_size, num_steps)``; returns
    ``(batch_size, num_steps, num_hiddens)``: ``pos_encoding(embedding(X) * sqrt(num_hiddens))`` (the
    embeddings scaled up to the size of the encodings, which lie in [-1, 1]) through every block with
    ``valid_lens``. Source positions past the valid lengths are attended by no one: changing the tokens
    there changes nothing at the valid positions. Keeps ``self.attention_weights``, a list with, for
    each block, its attention's weights ``blk.attention.attention.attention_weights`` ``(batch_size *
    num_heads, num_steps, num_steps)``.
    It follows §9.6's encoder interface; the book derives it from §9.6's ``Encoder``, which chapter 10
    cannot import (chapters are graded on their own): here it derives from ``nn.Module``.
    """

    def __init__(self, vocab_size, key_size, query_size, value_size, num_hiddens, norm_shape, ffn_num_input,
                 ffn_num_hiddens, num_heads, num_layers, dropout, use_bias=False, **kwargs):
        super().__init__(**kwargs)
        self.num_hiddens = num_hiddens
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
        self.blks = nn.Sequential()
        for i in range(num_layers):
            self.blks.add_module(f"block{i}", EncoderBlock(key_size, query_size, value_size, num_hiddens,
                                                            norm_shape, ffn_num_input, ffn_num_hiddens, num_heads,
                                                            dropout, use_bias))

    def forward(self, X, valid_lens, *args):
        X = self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens))
        self.attention_weights = [None] * len(self.blks)
        for i, blk in enumerate(self.blks):
            X = blk(X, valid_lens)
            self.attention_weights[i] = blk.attention.attention.attention_weights
        return X


class DecoderBlock(nn.Module):
    """Block ``i`` of the Transformer decoder (§10.7.5): masked self-attention, encoder-decoder attention,
    the FFN, each with AddNorm.

    Layers, created and registered in this order like the book: ``attention1 =
    MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout)``, ``addnorm1 =
    AddNorm(norm_shape, dropout)``, ``attention2`` (the same sizes), ``addnorm2``, ``ffn =
    PositionWiseFFN(ffn_num_input, ffn_num_hiddens, num_hiddens)``, ``addnorm3``; ``self.i = i``.
    ``forward(X, state)``: ``X`` ``(batch_size, num_steps, num_hiddens)``; ``state = [enc_outputs,
    enc_valid_lens, caches]``, ``caches`` a list with one entry per block. The keys and values of the
    self-attention are ``X`` itself when ``caches[self.i]`` is ``None``, else ``torch.cat((caches[self.i],
    X), dim=1)`` (the block's inputs at the steps decoded before, then ``X``); either way that becomes the
    new ``caches[self.i]`` (written into ``state``'s list). In training mode the self-attention is causal:
    query ``t`` (counted from 1) sees the first ``t`` keys (``dec_valid_lens`` ``(batch_size,
    num_steps)`` with rows ``[1, 2, ..., num_steps]``, made on ``X``'s device), so changing the tokens
    after a position changes nothing up to it; in eval mode there is no mask (prediction feeds one token
    at a time, and the keys are the steps decoded so far). Then ``Y = addnorm1(X, self-attention)``, ``Z =
    addnorm2(Y, attention2(Y, enc_outputs, enc_outputs, enc_valid_lens))``, and it returns
    ``(addnorm3(Z, ffn(Z)), state)``. In training mode, with dropout 0 and the same weights, it computes
    what ``nn.TransformerDecoderLayer(num_hiddens, num_heads, ffn_num_hiddens, dropout=0,
    batch_first=True)`` (ReLU, post-norm) does with a causal ``tgt_mask`` and ``memory_key_padding_mask``
    true past the valid lengths, when that layer's attention biases are zero.
    """

    def __init__(self, key_size, query_size, value_size, num_hiddens, norm_shape, ffn_num_input,
                 ffn_num_hiddens, num_heads, dropout, i, **kwargs):
        super().__init__(**kwargs)
        self.i = i
        self.attention1 = MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout)
        self.addnorm1 = AddNorm(norm_shape, dropout)
        self.attention2 = MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout)
        self.addnorm2 = AddNorm(norm_shape, dropout)
        self.ffn = PositionWiseFFN(ffn_num_input, ffn_num_hiddens, num_hiddens)
        self.addnorm3 = AddNorm(norm_shape, dropout)

    def forward(self, X, state):
        enc_outputs, enc_valid_lens = state[0], state[1]
        key_values = X if state[2][self.i] is None else torch.cat((state[2][self.i], X), dim=1)
        state[2][self.i] = key_values
        if self.training:
            batch_size, num_steps, _ = X.shape
            dec_valid_lens = torch.arange(1, num_steps + 1, device=X.device).repeat(batch_size, 1)
        else:
            dec_valid_lens = None
        Y = self.addnorm1(X, self.attention1(X, key_values, key_values, dec_valid_lens))
        Z = self.addnorm2(Y, self.attention2(Y, enc_outputs, enc_outputs, enc_valid_lens))
        return self.addnorm3(Z, self.ffn(Z)), state


class TransformerDecoder(nn.Module):
    """The Transformer decoder (§10.7.5): ``num_layers`` decoder blocks and an output layer.

    Layers, created and registered in this order like the book: ``embedding = nn.Embedding(vocab_size,
    num_hiddens)``, ``pos_encoding = PositionalEncoding(num_hiddens, dropout)``, ``blks = nn.Sequential()``
    holding ``DecoderBlock(key_size, query_size, value_size, num_hiddens, norm_shape, ffn_num_input,
    ffn_num_hiddens, num_heads, dropout, i)`` as ``"block0"``, ``"block1"``, ..., then ``dense =
    nn.Linear(num_hiddens, vocab_size)``; ``self.num_hiddens``, ``self.num_layers``.
    ``init_state(enc_outputs, enc_valid_lens, *args)`` returns ``[enc_outputs, enc_valid_lens, [None] *
    num_layers]``. ``forward(X, state)``: ``X`` token indices ``(batch_size, num_steps)``;
    ``pos_encoding(embedding(X) * sqrt(num_hiddens))`` through every block, each block's output and the
    state it returns going to the next; returns ``(dense(X), state)``, the logits ``(batch_size,
    num_steps, vocab_size)``. Decoding one token at a time in eval mode, each call continues from the
    state the last one returned: the blocks' caches carry the earlier steps. As in the book, the
    positional encoding of every call starts at position 0 (a token decoded alone always gets position
    0's encoding). ``attention_weights`` (a property): ``[self
    weights, encoder-decoder weights]``, each a list with one entry per block (``attention1`` and
    ``attention2``'s ``attention.attention_weights``) from the last forward pass.
    It implements §10.4's ``AttentionDecoder`` interface; the book derives it from ``AttentionDecoder``,
    which chapter 10 defines in another module: here it derives from ``nn.Module`` (deriving from
    ``bahdanau_attention.AttentionDecoder`` is fine).
    """

    def __init__(self, vocab_size, key_size, query_size, value_size, num_hiddens, norm_shape, ffn_num_input,
                 ffn_num_hiddens, num_heads, num_layers, dropout, **kwargs):
        super().__init__(**kwargs)
        self.num_hiddens = num_hiddens
        self.num_layers = num_layers
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
        self.blks = nn.Sequential()
        for i in range(num_layers):
            self.blks.add_module(f"block{i}", DecoderBlock(key_size, query_size, value_size, num_hiddens,
                                                            norm_shape, ffn_num_input, ffn_num_hiddens, num_heads,
                                                            dropout, i))
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, enc_valid_lens, *args):
        return [enc_outputs, enc_valid_lens, [None] * self.num_layers]

    def forward(self, X, state):
        X = self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens))
        self._attention_weights = [[None] * len(self.blks) for _ in range(2)]
        for i, blk in enumerate(self.blks):
            X, state = blk(X, state)
            self._attention_weights[0][i] = blk.attention1.attention.attention_weights
            self._attention_weights[1][i] = blk.attention2.attention.attention_weights
        return self.dense(X), state

    @property
    def attention_weights(self):
        return self._attention_weights
