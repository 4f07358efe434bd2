"""Chapter 10: realistic wrong implementations, and the checks that must catch them."""
from catalog import Bug

NP_WEIGHTS = "torch.softmax(-(x_test[:, None] - x_train[None, :]) ** 2 / 2, dim=1)"
NW_WEIGHTS = "torch.softmax(-((queries[:, None] - keys) * self.w) ** 2 / 2, dim=1)"
ADDITIVE_END = ("self.attention_weights = masked_softmax(self.w_v(features).squeeze(-1), valid_lens)\n"
                "        return torch.bmm(self.dropout(self.attention_weights), values)")
DOT_END = "masked_softmax(scores, valid_lens)\n        return torch.bmm(self.dropout(self.attention_weights), values)"
MHA_END = "self.W_o(transpose_output(self.attention(queries, keys, values, valid_lens), self.num_heads))"
PE_TABLE = "P[0, :, 0::2] = torch.sin(angles)\n        P[0, :, 1::2] = torch.cos(angles[:, :num_hiddens // 2])"
PE_FORWARD = "self.dropout(X + self.P[:, :X.shape[1], :].to(X.device))"
F_DROPOUT = "nn.functional.dropout(self.attention_weights, self.dropout.p)"

BUGS = [
    # §10.2 Nadaraya-Watson kernel regression
    Bug("nadaraya_watson.average_pooling", "a single scalar instead of one prediction per query", """
        def average_pooling(x_test, y_train):
            return y_train.mean()
        """, caught_by=("example", "matches_reference")),
    Bug("nadaraya_watson.average_pooling", "repeated len(y_train) times instead of len(x_test)", """
        def average_pooling(x_test, y_train):
            return torch.repeat_interleave(y_train.mean(), len(y_train))
        """, caught_by=("example", "matches_reference")),
    Bug("nadaraya_watson.nonparametric_pooling", "softmax over the queries (dim=0)",
        replace=[(NP_WEIGHTS, NP_WEIGHTS.replace("dim=1", "dim=0"))], caught_by=("example", "matches_reference")),
    Bug("nadaraya_watson.nonparametric_pooling", "the 1/2 of the Gaussian kernel forgotten",
        replace=[(NP_WEIGHTS, NP_WEIGHTS.replace(" ** 2 / 2", " ** 2"))], caught_by=("example", "matches_reference")),
    Bug("nadaraya_watson.nonparametric_pooling", "weights computed under no_grad", replace=[
        (f"    attention_weights = {NP_WEIGHTS}",
         f"    with torch.no_grad():\n        attention_weights = {NP_WEIGHTS}")], caught_by="matches_reference"),
    Bug("nadaraya_watson.leave_one_out", "the diagonal kept: each query sees its own answer", """
        def leave_one_out(x_train, y_train):
            n = len(x_train)
            return x_train.repeat((n, 1)), y_train.repeat((n, 1))
        """, caught_by=("example", "matches_reference")),
    Bug("nadaraya_watson.leave_one_out", "values cut from x_train too (copy-paste)", replace=[
        ("y_train.expand(n, n)[keep]", "x_train.expand(n, n)[keep]")], caught_by=("example", "matches_reference")),
    Bug("nadaraya_watson.NWKernelRegression", "softmax over the queries of the batch (dim=0)",
        replace=[(NW_WEIGHTS, NW_WEIGHTS.replace("dim=1", "dim=0"))], caught_by=("shapes_and_weights", "matches_reference")),
    Bug("nadaraya_watson.NWKernelRegression", "w read through .data: no gradient reaches it",
        replace=[("* self.w) ** 2", "* self.w.data) ** 2")], caught_by="training_lowers_loss"),
    Bug("nadaraya_watson.NWKernelRegression", "w a plain tensor, not an nn.Parameter", replace=[
        ("self.w = nn.Parameter(torch.rand((1,)))", "self.w = torch.rand((1,), requires_grad=True)")],
        caught_by=("shapes_and_weights", "training_lowers_loss")),
    Bug("nadaraya_watson.NWKernelRegression", "w multiplies the squared distance instead of the distance", replace=[
        ("-((queries[:, None] - keys) * self.w) ** 2 / 2", "-(queries[:, None] - keys) ** 2 * self.w / 2")],
        caught_by="matches_reference"),

    # §9.7 / §10.3 masks and attention scoring
    Bug("attention_scoring.sequence_mask", "<= instead of <: one position too many kept",
        replace=[("device=X.device) < valid_len", "device=X.device) <= valid_len")],
        caught_by=("book_example", "matches_reference")),
    Bug("attention_scoring.sequence_mask", "the book's in-place assignment: the caller's X is overwritten", """
        def sequence_mask(X, valid_len, value=0):
            mask = torch.arange(X.size(1), dtype=torch.float32)[None, :] < valid_len[:, None]
            X[~mask] = value
            return X
        """, caught_by="matches_reference"),
    Bug("attention_scoring.sequence_mask", "masks along the last axis", """
        def sequence_mask(X, valid_len, value=0):
            keep = torch.arange(X.shape[-1]) < valid_len.reshape((-1,) + (1,) * (X.dim() - 1))
            return X.masked_fill(~keep, value)
        """, caught_by=("book_example", "matches_reference")),
    Bug("attention_scoring.masked_softmax", "masked scores set to 0 instead of a large negative number",
        replace=[("X.masked_fill(~keep, -1e6)", "X.masked_fill(~keep, 0)")],
        caught_by=("book_example", "matches_reference", "exact_zeros_and_sums")),
    Bug("attention_scoring.masked_softmax", "1-D valid lengths repeated along the wrong axis (repeat, not repeat_interleave)", """
        def masked_softmax(X, valid_lens):
            if valid_lens is None:
                return torch.softmax(X, dim=-1)
            shape = X.shape
            valid_lens = valid_lens.repeat(shape[1]) if valid_lens.dim() == 1 else valid_lens.reshape(-1)
            X = sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
            return torch.softmax(X.reshape(shape), dim=-1)
        """, caught_by=("book_example", "matches_reference", "exact_zeros_and_sums")),
    Bug("attention_scoring.masked_softmax", "the book's code verbatim: the caller's scores are overwritten", """
        def masked_softmax(X, valid_lens):
            if valid_lens is None:
                return nn.functional.softmax(X, dim=-1)
            shape = X.shape
            if valid_lens.dim() == 1:
                valid_lens = torch.repeat_interleave(valid_lens, shape[1])
            else:
                valid_lens = valid_lens.reshape(-1)
            X = X.reshape(-1, shape[-1])
            mask = torch.arange(shape[-1], dtype=torch.float32)[None, :] < valid_lens[:, None]
            X[~mask] = -1e6
            return nn.functional.softmax(X.reshape(shape), dim=-1)
        """, caught_by=("matches_reference", "input_unchanged")),
    Bug("attention_scoring.masked_softmax", "a mask value of -100: not large enough to give exact zeros",
        replace=[("X.masked_fill(~keep, -1e6)", "X.masked_fill(~keep, -100.0)")], caught_by="exact_zeros_and_sums"),
    Bug("attention_scoring.masked_softmax", "the masked softmax computed under no_grad", replace=[
        ("    return torch.softmax(X.masked_fill(~keep, -1e6), dim=-1)",
         "    with torch.no_grad():\n        return torch.softmax(X.masked_fill(~keep, -1e6), dim=-1)")],
        caught_by="gradients"),
    Bug("attention_scoring.masked_softmax", "a Python loop over the batch", """
        def masked_softmax(X, valid_lens):
            if valid_lens is None:
                return torch.softmax(X, dim=-1)
            rows = []
            for b in range(X.shape[0]):
                keep = torch.arange(X.shape[-1], device=X.device) < valid_lens[b][..., None]
                rows.append(torch.softmax(X[b].masked_fill(~keep, -1e6), dim=-1))
            return torch.stack(rows)
        """, caught_by="speed"),
    Bug("attention_scoring.AdditiveAttention", "tanh forgotten", replace=[
        ("torch.tanh(self.W_q(queries).unsqueeze(2) + self.W_k(keys).unsqueeze(1))",
         "self.W_q(queries).unsqueeze(2) + self.W_k(keys).unsqueeze(1)")], caught_by="matches_reference"),
    Bug("attention_scoring.AdditiveAttention", "F.dropout on the weights: active in eval mode too",
        replace=[(ADDITIVE_END, ADDITIVE_END.replace("self.dropout(self.attention_weights)", F_DROPOUT))],
        caught_by=("book_example", "dropout_train_only")),
    Bug("attention_scoring.AdditiveAttention", "the weights kept after dropout", replace=[
        (ADDITIVE_END, "self.attention_weights = self.dropout(masked_softmax(self.w_v(features).squeeze(-1), "
                       "valid_lens))\n        return torch.bmm(self.attention_weights, values)")],
        caught_by="dropout_train_only"),
    Bug("attention_scoring.DotProductAttention", "the 1/sqrt(d) scaling missing",
        replace=[(" / math.sqrt(queries.shape[-1])", "")], caught_by=("matches_reference", "speed")),
    Bug("attention_scoring.DotProductAttention", "softmax over the query axis", """
        class DotProductAttention(DotProductAttention):
            def forward(self, queries, keys, values, valid_lens=None):
                scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(queries.shape[-1])
                if valid_lens is not None:
                    lens = valid_lens[:, None] if valid_lens.dim() == 1 else valid_lens
                    scores = scores.masked_fill(torch.arange(scores.shape[-1]) >= lens[..., None], -1e6)
                self.attention_weights = torch.softmax(scores, dim=1)
                return torch.bmm(self.dropout(self.attention_weights), values)
        """, caught_by=("book_example", "matches_reference")),
    Bug("attention_scoring.DotProductAttention", "F.scaled_dot_product_attention for the output", replace=[
        (DOT_END, "masked_softmax(scores, valid_lens)\n        return nn.functional.scaled_dot_product_attention("
                  "queries, keys, values, attn_mask=self.attention_weights > 0)")], caught_by="no_builtin"),
    Bug("attention_scoring.DotProductAttention", "F.dropout on the weights: active in eval mode too",
        replace=[(DOT_END, DOT_END.replace("self.dropout(self.attention_weights)", F_DROPOUT))],
        caught_by=("book_example", "dropout_train_only")),
    Bug("attention_scoring.DotProductAttention", "a Python loop over the batch", """
        class DotProductAttention(DotProductAttention):
            def forward(self, queries, keys, values, valid_lens=None):
                scores = torch.stack([q @ k.T for q, k in zip(queries, keys)]) / math.sqrt(queries.shape[-1])
                self.attention_weights = masked_softmax(scores, valid_lens)
                weights = self.dropout(self.attention_weights)
                return torch.stack([w @ v for w, v in zip(weights, values)])
        """, caught_by="speed"),

    # §10.5 multi-head attention
    Bug("multihead_attention.transpose_qkv", "reshaped straight to (batch * heads, n, d): positions mixed", """
        def transpose_qkv(X, num_heads):
            return X.reshape(X.shape[0] * num_heads, X.shape[1], -1)
        """, caught_by=("example", "matches_reference")),
    Bug("multihead_attention.transpose_qkv", "heads before the batch: batch and heads mixed up", """
        def transpose_qkv(X, num_heads):
            X = X.reshape(X.shape[0], X.shape[1], num_heads, -1).permute(2, 0, 1, 3)
            return X.reshape(-1, X.shape[2], X.shape[3])
        """, caught_by=("example", "matches_reference")),
    Bug("multihead_attention.transpose_output", "reshaped straight back without the permute", """
        def transpose_output(X, num_heads):
            return X.reshape(-1, X.shape[1], num_heads * X.shape[2])
        """, caught_by=("example", "undoes_the_head_split")),
    Bug("multihead_attention.transpose_output", "rows read as heads-major (heads, batch)", """
        def transpose_output(X, num_heads):
            X = X.reshape(num_heads, -1, X.shape[1], X.shape[2]).permute(1, 2, 0, 3)
            return X.reshape(X.shape[0], X.shape[1], -1)
        """, caught_by=("example", "undoes_the_head_split")),
    Bug("multihead_attention.MultiHeadAttention", "valid lengths repeated with repeat: masks of the wrong examples",
        replace=[("valid_lens.repeat_interleave(self.num_heads, dim=0)",
                  "valid_lens.repeat((self.num_heads,) + (1,) * (valid_lens.dim() - 1))")],
        caught_by=("matches_reference", "matches_torch", "learns_tagging")),
    Bug("multihead_attention.MultiHeadAttention", "valid lengths never passed on: no mask at all",
        replace=[("self.attention(queries, keys, values, valid_lens)", "self.attention(queries, keys, values, None)")],
        caught_by=("matches_reference", "matches_torch", "learns_tagging")),
    Bug("multihead_attention.MultiHeadAttention", "W_o defined but never applied",
        replace=[(MHA_END, MHA_END.replace("self.W_o(", "("))], caught_by=("matches_reference", "matches_torch")),
    Bug("multihead_attention.MultiHeadAttention", "returns (output, weights) like nn.MultiheadAttention",
        replace=[(MHA_END, MHA_END + ", self.attention.attention_weights")],
        caught_by=("book_shapes", "matches_reference", "matches_torch")),
    Bug("multihead_attention.MultiHeadAttention", "nn.MultiheadAttention inside", """
        import torch

        class MultiHeadAttention(nn.Module):
            def __init__(self, key_size, query_size, value_size, num_hiddens, num_heads, dropout, bias=False):
                super().__init__()
                self.inner = nn.MultiheadAttention(num_hiddens, num_heads, dropout=dropout, bias=bias, kdim=key_size,
                                                   vdim=value_size, batch_first=True)

            def forward(self, queries, keys, values, valid_lens):
                mask = None if valid_lens is None else torch.arange(keys.shape[1]) >= valid_lens[:, None]
                return self.inner(queries, keys, values, key_padding_mask=mask, need_weights=False)[0]
        """, caught_by="no_builtin"),

    # §10.6 positional encoding
    Bug("self_attention.PositionalEncoding", "sin and cos swapped", replace=[
        (PE_TABLE, "P[0, :, 0::2] = torch.cos(angles)\n        P[0, :, 1::2] = torch.sin(angles[:, :num_hiddens // 2])")],
        caught_by=("book_example", "table_exact", "odd_num_hiddens", "dropout_train_only")),
    Bug("self_attention.PositionalEncoding", "the whole table added, not sliced to the sequence length",
        replace=[("self.P[:, :X.shape[1], :]", "self.P")], caught_by=("book_example", "table_exact", "dropout_train_only")),
    Bug("self_attention.PositionalEncoding", "the book's code: an odd num_hiddens fails",
        replace=[("torch.cos(angles[:, :num_hiddens // 2])", "torch.cos(angles)")], caught_by="odd_num_hiddens"),
    Bug("self_attention.PositionalEncoding", "the table never added: no positional information",
        replace=[(PE_FORWARD, "self.dropout(X)")], caught_by=("book_example", "table_exact", "learns_tagging")),
    Bug("self_attention.PositionalEncoding", "F.dropout: active in eval mode too", replace=[
        (PE_FORWARD, "nn.functional.dropout(X + self.P[:, :X.shape[1], :].to(X.device), self.dropout.p)")],
        caught_by="dropout_train_only"),
    Bug("self_attention.PositionalEncoding", "frequencies 10000^(j/d) instead of 10000^(2j/d)", replace=[
        ("torch.arange(0, num_hiddens, 2, dtype=torch.float64) / num_hiddens",
         "torch.arange((num_hiddens + 1) // 2, dtype=torch.float64) / num_hiddens")],
        caught_by=("book_example", "table_exact")),
]
