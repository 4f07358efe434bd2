"""Chapter 10 as the book writes it (zh.d2l.ai §9.7.3, §10.2-10.6): our own code, in the book's style.

The book's habits kept here: the §10.2 examples written inline with ``repeat``/``repeat_interleave`` and
``torch.bmm``, the mask assigned in place (``X[~mask] = value``), ``masked_softmax`` calling d2l's
``sequence_mask`` on a view of its input, the positional table as a plain attribute filled with
``P[:, :, 1::2] = torch.cos(X)``."""
import textwrap

from book import BookAnswer
from book.ch9 import D2L_DECODER, D2L_ENCODER, D2L_SEQUENCE_MASK, as_helper
from catalog import variant


def as_private(interface: str, name: str) -> str:
    """§9.6's ``name`` interface as a private class of a chapter 10 module (chapter 10 has no module of §9.6)."""
    return variant(interface, (f"class {name}(nn.Module):\n",
                               f"class _D2L{name}(nn.Module):\n    # d2l.{name} (§9.6)\n"),
                   (f"super({name},", f"super(_D2L{name},"))

ANSWERS = [
    BookAnswer("nadaraya_watson.average_pooling", """
        def average_pooling(x_test, y_train):
            n_test = len(x_test)
            # every query gets the same prediction: the mean of the training outputs
            y_hat = torch.repeat_interleave(y_train.mean(), n_test)
            return y_hat
        """),
    BookAnswer("nadaraya_watson.nonparametric_pooling", """
        def nonparametric_pooling(x_test, x_train, y_train):
            n_train = len(x_train)
            # X_repeat: (n_test, n_train), row i holds query i n_train times
            X_repeat = x_test.repeat_interleave(n_train).reshape((-1, n_train))
            attention_weights = nn.functional.softmax(-(X_repeat - x_train)**2 / 2, dim=1)
            y_hat = torch.matmul(attention_weights, y_train)
            return y_hat, attention_weights
        """),
    BookAnswer("nadaraya_watson.leave_one_out", """
        def leave_one_out(x_train, y_train):
            n_train = len(x_train)
            # X_tile, Y_tile: (n_train, n_train), every row the whole training set
            X_tile = x_train.repeat((n_train, 1))
            Y_tile = y_train.repeat((n_train, 1))
            keys = X_tile[(1 - torch.eye(n_train)).type(torch.bool)].reshape((n_train, -1))
            values = Y_tile[(1 - torch.eye(n_train)).type(torch.bool)].reshape((n_train, -1))
            return keys, values
        """),
    BookAnswer("nadaraya_watson.NWKernelRegression", """
        class NWKernelRegression(nn.Module):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.w = nn.Parameter(torch.rand((1,), requires_grad=True))

            def forward(self, queries, keys, values):
                # queries and attention_weights: (number of queries, number of key-value pairs)
                queries = queries.repeat_interleave(keys.shape[1]).reshape((-1, keys.shape[1]))
                self.attention_weights = nn.functional.softmax(
                    -((queries - keys) * self.w)**2 / 2, dim=1)
                return torch.bmm(self.attention_weights.unsqueeze(1),
                                 values.unsqueeze(-1)).reshape(-1)
        """),
    BookAnswer("attention_scoring.sequence_mask", D2L_SEQUENCE_MASK, deviations="input_unchanged",
        why="the book assigns into X (X[~mask] = value): the caller's tensor is overwritten"),
    BookAnswer("attention_scoring.masked_softmax", as_helper(D2L_SEQUENCE_MASK, "# d2l.sequence_mask, the book's §9.7 "
                                                                 "version: assigns into X") + textwrap.dedent("""

        def masked_softmax(X, valid_lens):
            # X: 3-D tensor, valid_lens: 1-D or 2-D tensor
            if valid_lens is None:
                return nn.functional.softmax(X, dim=-1)
            else:
                shape = X.shape
                if valid_lens.dim() == 1:
                    valid_lens = torch.repeat_interleave(valid_lens, shape[1])
                else:
                    valid_lens = valid_lens.reshape(-1)
                # masked entries on the last axis become a very large negative value: their softmax is 0
                X = _d2l_sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
                return nn.functional.softmax(X.reshape(shape), dim=-1)
        """), deviations="input_unchanged",
        why="d2l.sequence_mask assigns into X.reshape(-1, num_keys), a view of the caller's scores, so they are "
            "overwritten with -1e6"),
    BookAnswer("attention_scoring.AdditiveAttention", """
        class AdditiveAttention(nn.Module):
            def __init__(self, key_size, query_size, num_hiddens, dropout, **kwargs):
                super(AdditiveAttention, self).__init__(**kwargs)
                self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
                self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
                self.w_v = nn.Linear(num_hiddens, 1, bias=False)
                self.dropout = nn.Dropout(dropout)

            def forward(self, queries, keys, values, valid_lens):
                queries, keys = self.W_q(queries), self.W_k(keys)
                # queries: (batch_size, number of queries, 1, num_hiddens)
                # keys: (batch_size, 1, number of key-value pairs, num_hiddens); summed by broadcasting
                features = queries.unsqueeze(2) + keys.unsqueeze(1)
                features = torch.tanh(features)
                # w_v has one output: drop that last axis. scores: (batch_size, queries, key-value pairs)
                scores = self.w_v(features).squeeze(-1)
                self.attention_weights = masked_softmax(scores, valid_lens)
                # values: (batch_size, number of key-value pairs, value dimension)
                return torch.bmm(self.dropout(self.attention_weights), values)
        """),
    BookAnswer("attention_scoring.DotProductAttention", """
        class DotProductAttention(nn.Module):
            def __init__(self, dropout, **kwargs):
                super(DotProductAttention, self).__init__(**kwargs)
                self.dropout = nn.Dropout(dropout)

            # queries: (batch_size, number of queries, d); keys: (batch_size, number of key-value pairs, d)
            # values: (batch_size, number of key-value pairs, value dimension)
            # valid_lens: (batch_size,) or (batch_size, number of queries)
            def forward(self, queries, keys, values, valid_lens=None):
                d = queries.shape[-1]
                # swap the last two axes of keys (transpose_b=True)
                scores = torch.bmm(queries, keys.transpose(1,2)) / math.sqrt(d)
                self.attention_weights = masked_softmax(scores, valid_lens)
                return torch.bmm(self.dropout(self.attention_weights), values)
        """),
    BookAnswer("multihead_attention.transpose_qkv", """
        def transpose_qkv(X, num_heads):
            # X in: (batch_size, number of queries or key-value pairs, num_hiddens)
            # X: (batch_size, number of queries or key-value pairs, num_heads, num_hiddens / num_heads)
            X = X.reshape(X.shape[0], X.shape[1], num_heads, -1)
            # X: (batch_size, num_heads, number of queries or key-value pairs, num_hiddens / num_heads)
            X = X.permute(0, 2, 1, 3)
            # out: (batch_size * num_heads, number of queries or key-value pairs, num_hiddens / num_heads)
            return X.reshape(-1, X.shape[2], X.shape[3])
        """),
    BookAnswer("multihead_attention.transpose_output", """
        def transpose_output(X, num_heads):
            # reverse the operation of transpose_qkv
            X = X.reshape(-1, num_heads, X.shape[1], X.shape[2])
            X = X.permute(0, 2, 1, 3)
            return X.reshape(X.shape[0], X.shape[1], -1)
        """),
    # the reference's code with the book's **kwargs, torch.repeat_interleave and named intermediate results
    BookAnswer("multihead_attention.MultiHeadAttention", replace=[
        ("from torch import nn\n", "import torch\nfrom torch import nn\n"),
        ("dropout, bias=False):\n        super().__init__()",
         "dropout, bias=False, **kwargs):\n        super(MultiHeadAttention, self).__init__(**kwargs)"),
        ("valid_lens = valid_lens.repeat_interleave(self.num_heads, dim=0)",
         "# axis 0: copy the first item (scalar or vector) num_heads times, then the next item...\n"
         "            valid_lens = torch.repeat_interleave(valid_lens, repeats=self.num_heads, dim=0)"),
        ("return self.W_o(transpose_output(self.attention(queries, keys, values, valid_lens), self.num_heads))",
         "# output: (batch_size * num_heads, number of queries, num_hiddens / num_heads)\n"
         "        output = self.attention(queries, keys, values, valid_lens)\n"
         "        # output_concat: (batch_size, number of queries, num_hiddens)\n"
         "        output_concat = transpose_output(output, self.num_heads)\n"
         "        return self.W_o(output_concat)")]),
    BookAnswer("self_attention.PositionalEncoding", """
        class PositionalEncoding(nn.Module):
            def __init__(self, num_hiddens, dropout, max_len=1000):
                super(PositionalEncoding, self).__init__()
                self.dropout = nn.Dropout(dropout)
                # a long enough P
                self.P = torch.zeros((1, max_len, num_hiddens))
                X = torch.arange(max_len, dtype=torch.float32).reshape(
                    -1, 1) / torch.pow(10000, torch.arange(
                    0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
                self.P[:, :, 0::2] = torch.sin(X)
                self.P[:, :, 1::2] = torch.cos(X)

            def forward(self, X):
                X = X + self.P[:, :X.shape[1], :].to(X.device)
                return self.dropout(X)
        """, deviations=("odd_num_hiddens", "table_buffer"),
        why="the book fills P[:, :, 1::2] with as many cosine columns as sine columns, which fails for an odd "
            "num_hiddens; and it keeps the table in a plain attribute, not a buffer, so .to(device) leaves it behind "
            "(forward moves a copy every call)"),
    # §10.4 Bahdanau attention, §10.7 the Transformer (appended). The book derives AttentionDecoder from §9.6's
    # Decoder and TransformerEncoder from its Encoder (d2l.Decoder, d2l.Encoder); chapter 10 has no module of
    # §9.6, so these answers carry the book's two interfaces as private classes.
    BookAnswer("bahdanau_attention.AttentionDecoder", as_private(D2L_DECODER, "Decoder") + textwrap.dedent("""

        class AttentionDecoder(_D2LDecoder):
            def __init__(self, **kwargs):
                super(AttentionDecoder, self).__init__(**kwargs)

            @property
            def attention_weights(self):
                raise NotImplementedError
        """)),
    # the reference's code, derived from AttentionDecoder as the book does, with the book's torch.unsqueeze
    BookAnswer("bahdanau_attention.Seq2SeqAttentionDecoder", replace=[
        ("class Seq2SeqAttentionDecoder(nn.Module):", "class Seq2SeqAttentionDecoder(AttentionDecoder):"),
        ("        super().__init__(**kwargs)\n        self.attention = AdditiveAttention",
         "        super(Seq2SeqAttentionDecoder, self).__init__(**kwargs)\n        self.attention = AdditiveAttention"),
        ("query = hidden_state[-1].unsqueeze(1)", "query = torch.unsqueeze(hidden_state[-1], dim=1)"),
        ("x = torch.cat((context, x.unsqueeze(1)), dim=-1)",
         "x = torch.cat((context, torch.unsqueeze(x, dim=1)), dim=-1)")]),
    BookAnswer("transformer.PositionWiseFFN", """
        class PositionWiseFFN(nn.Module):
            def __init__(self, ffn_num_input, ffn_num_hiddens, ffn_num_outputs,
                         **kwargs):
                super(PositionWiseFFN, self).__init__(**kwargs)
                self.dense1 = nn.Linear(ffn_num_input, ffn_num_hiddens)
                self.relu = nn.ReLU()
                self.dense2 = nn.Linear(ffn_num_hiddens, ffn_num_outputs)

            def forward(self, X):
                return self.dense2(self.relu(self.dense1(X)))
        """),
    BookAnswer("transformer.AddNorm", """
        class AddNorm(nn.Module):
            def __init__(self, normalized_shape, dropout, **kwargs):
                super(AddNorm, self).__init__(**kwargs)
                self.dropout = nn.Dropout(dropout)
                self.ln = nn.LayerNorm(normalized_shape)

            def forward(self, X, Y):
                return self.ln(self.dropout(Y) + X)
        """),
    BookAnswer("transformer.EncoderBlock", """
        class EncoderBlock(nn.Module):
            def __init__(self, key_size, query_size, value_size, num_hiddens,
                         norm_shape, ffn_num_input, ffn_num_hiddens, num_heads,
                         dropout, use_bias=False, **kwargs):
                super(EncoderBlock, self).__init__(**kwargs)
                self.attention = MultiHeadAttention(
                    key_size, query_size, value_size, num_hiddens, num_heads, dropout,
                    use_bias)
                self.addnorm1 = AddNorm(norm_shape, dropout)
                self.ffn = PositionWiseFFN(
                    ffn_num_input, ffn_num_hiddens, num_hiddens)
                self.addnorm2 = AddNorm(norm_shape, dropout)

            def forward(self, X, valid_lens):
                Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
                return self.addnorm2(Y, self.ffn(Y))
        """),
    BookAnswer("transformer.TransformerEncoder", as_private(D2L_ENCODER, "Encoder") + textwrap.dedent("""

        class TransformerEncoder(_D2LEncoder):
            def __init__(self, vocab_size, key_size, query_size, value_size,
                         num_hiddens, norm_shape, ffn_num_input, ffn_num_hiddens,
                         num_heads, num_layers, dropout, use_bias=False, **kwargs):
                super(TransformerEncoder, self).__init__(**kwargs)
                self.num_hiddens = num_hiddens
                self.embedding = nn.Embedding(vocab_size, num_hiddens)
                self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
                self.blks = nn.Sequential()
                for i in range(num_layers):
                    self.blks.add_module("block"+str(i),
                        EncoderBlock(key_size, query_size, value_size, num_hiddens,
                                     norm_shape, ffn_num_input, ffn_num_hiddens,
                                     num_heads, dropout, use_bias))

            def forward(self, X, valid_lens, *args):
                # the positional encodings lie in [-1, 1]: the embeddings are scaled up by the square root of the
                # embedding size before they are added
                X = self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens))
                self.attention_weights = [None] * len(self.blks)
                for i, blk in enumerate(self.blks):
                    X = blk(X, valid_lens)
                    self.attention_weights[
                        i] = blk.attention.attention.attention_weights
                return X
        """)),
    BookAnswer("transformer.DecoderBlock", """
        class DecoderBlock(nn.Module):
            # block i of the decoder
            def __init__(self, key_size, query_size, value_size, num_hiddens,
                         norm_shape, ffn_num_input, ffn_num_hiddens, num_heads,
                         dropout, i, **kwargs):
                super(DecoderBlock, self).__init__(**kwargs)
                self.i = i
                self.attention1 = MultiHeadAttention(
                    key_size, query_size, value_size, num_hiddens, num_heads, dropout)
                self.addnorm1 = AddNorm(norm_shape, dropout)
                self.attention2 = MultiHeadAttention(
                    key_size, query_size, value_size, num_hiddens, num_heads, dropout)
                self.addnorm2 = AddNorm(norm_shape, dropout)
                self.ffn = PositionWiseFFN(ffn_num_input, ffn_num_hiddens,
                                           num_hiddens)
                self.addnorm3 = AddNorm(norm_shape, dropout)

            def forward(self, X, state):
                enc_outputs, enc_valid_lens = state[0], state[1]
                # in training all the tokens of the output sequence are processed at once, so state[2][self.i] is
                # None; in prediction they are decoded one at a time, and state[2][self.i] holds the representations
                # block i decoded up to the current step
                if state[2][self.i] is None:
                    key_values = X
                else:
                    key_values = torch.cat((state[2][self.i], X), axis=1)
                state[2][self.i] = key_values
                if self.training:
                    batch_size, num_steps, _ = X.shape
                    # dec_valid_lens: (batch_size, num_steps), every row [1, 2, ..., num_steps]
                    dec_valid_lens = torch.arange(
                        1, num_steps + 1, device=X.device).repeat(batch_size, 1)
                else:
                    dec_valid_lens = None

                # self-attention
                X2 = self.attention1(X, key_values, key_values, dec_valid_lens)
                Y = self.addnorm1(X, X2)
                # encoder-decoder attention; enc_outputs: (batch_size, num_steps, num_hiddens)
                Y2 = self.attention2(Y, enc_outputs, enc_outputs, enc_valid_lens)
                Z = self.addnorm2(Y, Y2)
                return self.addnorm3(Z, self.ffn(Z)), state
        """),
    # the reference's code, derived from §10.4's AttentionDecoder as the book does
    BookAnswer("transformer.TransformerDecoder", replace=[
        ("from .self_attention import PositionalEncoding\n",
         "from .bahdanau_attention import AttentionDecoder as _AttentionDecoder\n"
         "from .self_attention import PositionalEncoding\n"),
        ("class TransformerDecoder(nn.Module):", "class TransformerDecoder(_AttentionDecoder):"),
        ("num_layers, dropout, **kwargs):\n        super().__init__(**kwargs)",
         "num_layers, dropout, **kwargs):\n        super(TransformerDecoder, self).__init__(**kwargs)")]),
]

NO_BOOK_CODE = {}
