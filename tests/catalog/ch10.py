"""Chapter 10: realistic wrong implementations, and the checks that must catch them.

A bug with ``clause=`` breaks exactly that clause of its exercise's contract (solutions/ch10/__init__.py): every
check of the exercise runs, and the failing ones are exactly that clause's checks."""
from catalog import Bug, created_first

NP_WEIGHTS = "torch.softmax(-(x_test[:, None] - x_train[None, :]) ** 2 / 2, dim=1)"
NW_WEIGHTS = "torch.softmax(-((queries[:, None] - keys) * self.w) ** 2 / 2, dim=1)"
NW_RETURN = "return (self.attention_weights * values).sum(dim=1)"
NW_INIT = "self.w = nn.Parameter(torch.rand((1,)))"
ADDITIVE_END = ("self.attention_weights = masked_softmax(self.w_v(features).squeeze(-1), valid_lens)\n"
                "        return torch.bmm(self.dropout(self.attention_weights), values)")
DOT_END = "masked_softmax(scores, valid_lens)\n        return torch.bmm(self.dropout(self.attention_weights), values)"
MHA_END = "self.W_o(transpose_output(self.attention(queries, keys, values, valid_lens), self.num_heads))"
PE_TABLE = "P[0, :, 0::2] = torch.sin(angles)\n        P[0, :, 1::2] = torch.cos(angles[:, :num_hiddens // 2])"
PE_SUM = "X + self.P[:, :X.shape[1], :].to(X.device)"
PE_FORWARD = f"self.dropout({PE_SUM})"
PE_BUFFER = 'self.register_buffer("P", P.float(), persistent=False)'
F_DROPOUT = "nn.functional.dropout(self.attention_weights, self.dropout.p)"
MASK_KEEP = "keep = torch.arange(X.shape[1], device=X.device) < valid_len.to(X.device)[:, None]"
SOFTMAX_KEEP = "keep = torch.arange(X.shape[-1], device=X.device) < lens[..., None]"
SOFTMAX_MASKED = "torch.softmax(X.masked_fill(~keep, -1e6), dim=-1)"
SEQ2SEQ_GRU = "self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)"
ADDNORM = "return self.ln(self.dropout(Y) + X)"
SCALED = "self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens))"
ENC_EMBED = f"X = {SCALED}\n        self.attention_weights"   # TransformerEncoder's
DEC_EMBED = f"X = {SCALED}\n        self._attention_weights"  # TransformerDecoder's
NO_CAUSAL_MASK = ("if self.training:", "if False:")   # DecoderBlock's causal mask never made


BUGS = [
    # §10.2 Nadaraya-Watson kernel regression
    Bug("nadaraya_watson.average_pooling", "a single scalar instead of one prediction per query", """
        def average_pooling(x_test, y_train):
            return y_train.mean()
        """, caught_by=("example", "matches_reference"), clause="values"),
    Bug("nadaraya_watson.average_pooling", "repeated len(y_train) times instead of len(x_test)", """
        def average_pooling(x_test, y_train):
            return torch.repeat_interleave(y_train.mean(), len(y_train))
        """, caught_by=("example", "matches_reference"), clause="values"),
    Bug("nadaraya_watson.average_pooling", "zeros of the default dtype plus the mean: a float64 y_train gives float32", """
        def average_pooling(x_test, y_train):
            return torch.zeros(len(x_test), device=y_train.device) + y_train.mean()
        """, caught_by="keeps_dtype", clause="dtype"),
    Bug("nadaraya_watson.average_pooling", "torch.ones made on the CPU, whatever y_train's device", """
        def average_pooling(x_test, y_train):
            return torch.ones(len(x_test), dtype=y_train.dtype) * y_train.mean()
        """, caught_by="on_device", clause="device"),
    Bug("nadaraya_watson.nonparametric_pooling", "softmax over the queries (dim=0)",
        replace=[(NP_WEIGHTS, NP_WEIGHTS.replace("dim=1", "dim=0"))], caught_by=("example", "matches_reference"),
        clause="values"),
    Bug("nadaraya_watson.nonparametric_pooling", "the 1/2 of the Gaussian kernel forgotten",
        replace=[(NP_WEIGHTS, NP_WEIGHTS.replace(" ** 2 / 2", " ** 2"))], caught_by=("example", "matches_reference"),
        clause="values"),
    Bug("nadaraya_watson.nonparametric_pooling", "weights computed under no_grad", replace=[
        (f"    attention_weights = {NP_WEIGHTS}",
         f"    with torch.no_grad():\n        attention_weights = {NP_WEIGHTS}")], caught_by="gradients",
        clause="gradients"),
    Bug("nadaraya_watson.nonparametric_pooling", "a Python loop over the queries", """
        def nonparametric_pooling(x_test, x_train, y_train):
            attention_weights = torch.stack([torch.softmax(-(q - x_train) ** 2 / 2, dim=0) for q in x_test])
            return attention_weights @ y_train, attention_weights
        """, caught_by="no_loop", clause="no_loop"),
    Bug("nadaraya_watson.leave_one_out", "the diagonal kept: each query sees its own answer", """
        def leave_one_out(x_train, y_train):
            n = len(x_train)
            return x_train.repeat((n, 1)), y_train.repeat((n, 1))
        """, caught_by=("example", "matches_reference"), clause="values"),
    Bug("nadaraya_watson.leave_one_out", "values cut from x_train too (copy-paste)", replace=[
        ("y_train.expand(n, n)[keep]", "x_train.expand(n, n)[keep]")], caught_by=("example", "matches_reference"),
        clause="values"),
    Bug("nadaraya_watson.leave_one_out", "rows filled into torch.zeros: float64 inputs come back float32", """
        def leave_one_out(x_train, y_train):
            n = len(x_train)
            keys, values = torch.zeros(n, n - 1), torch.zeros(n, n - 1)
            for i in range(n):
                keys[i] = torch.cat([x_train[:i], x_train[i + 1:]])
                values[i] = torch.cat([y_train[:i], y_train[i + 1:]])
            return keys, values
        """, caught_by="keeps_dtype", clause="dtype"),
    Bug("nadaraya_watson.NWKernelRegression", "softmax over the queries of the batch (dim=0)",
        replace=[(NW_WEIGHTS, NW_WEIGHTS.replace("dim=1", "dim=0"))],
        caught_by=("weight_rows", "matches_reference", "attention_weights")),
    Bug("nadaraya_watson.NWKernelRegression", "returns the weighted values (n, m), not their sums",
        replace=[(NW_RETURN, "return self.attention_weights * values")], caught_by=("shapes", "matches_reference"),
        clause="values"),
    Bug("nadaraya_watson.NWKernelRegression", "w read through .data: no gradient reaches it",
        replace=[("* self.w) ** 2", "* self.w.data) ** 2")], caught_by="training_lowers_loss", clause="trains"),
    Bug("nadaraya_watson.NWKernelRegression", "w a plain tensor, not an nn.Parameter", replace=[
        (NW_INIT, "self.w = torch.rand((1,), requires_grad=True)")],
        caught_by="initial_w", clause="init"),
    Bug("nadaraya_watson.NWKernelRegression", "w drawn from a normal distribution", replace=[
        (NW_INIT, NW_INIT.replace("torch.rand(", "torch.randn("))],
        caught_by="initial_w", clause="init"),
    Bug("nadaraya_watson.NWKernelRegression", "w multiplies the squared distance instead of the distance", replace=[
        ("-((queries[:, None] - keys) * self.w) ** 2 / 2", "-(queries[:, None] - keys) ** 2 * self.w / 2")],
        caught_by=("matches_reference", "attention_weights")),
    Bug("nadaraya_watson.NWKernelRegression", "the scores kept in attention_weights, not the softmax", replace=[
        (f"self.attention_weights = {NW_WEIGHTS}",
         "self.attention_weights = -((queries[:, None] - keys) * self.w) ** 2 / 2"),
        (NW_RETURN, "return (torch.softmax(self.attention_weights, dim=1) * values).sum(dim=1)")],
        caught_by=("weight_rows", "attention_weights"), clause="weights"),

    # §9.7 / §10.3 masks and attention scoring
    Bug("attention_scoring.sequence_mask", "<= instead of <: one position too many kept",
        replace=[("device=X.device) < valid_len", "device=X.device) <= valid_len")],
        caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("attention_scoring.sequence_mask", "in place, with a mask made on the CPU: the caller's X is overwritten", """
        def sequence_mask(X, valid_len, value=0):
            mask = torch.arange(X.size(1), dtype=torch.float32)[None, :] < valid_len[:, None]
            X[~mask] = value
            return X
        """, caught_by=("input_unchanged", "on_device")),
    Bug("attention_scoring.sequence_mask", "the book's in-place assignment: the caller's X is overwritten", """
        def sequence_mask(X, valid_len, value=0):
            mask = torch.arange(X.size(1), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
            X[~mask] = value
            return X
        """, caught_by="input_unchanged", clause="pure"),
    Bug("attention_scoring.sequence_mask", "masks along the last axis", """
        def sequence_mask(X, valid_len, value=0):
            keep = torch.arange(X.shape[-1], device=X.device) < valid_len.reshape((-1,) + (1,) * (X.dim() - 1))
            return X.masked_fill(~keep, value)
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("attention_scoring.sequence_mask", "multiplied by a float mask: an integer X comes back float32", """
        def sequence_mask(X, valid_len, value=0):
            keep = (torch.arange(X.shape[1], device=X.device) < valid_len.to(X.device)[:, None]).float()
            keep = keep.reshape(keep.shape + (1,) * (X.dim() - 2))
            return X * keep + value * (1 - keep)
        """, caught_by="keeps_dtype", clause="dtype"),
    Bug("attention_scoring.sequence_mask", "the mask made on the CPU (torch.arange without device=)",
        replace=[(MASK_KEEP, "keep = torch.arange(X.shape[1]) < valid_len[:, None]")],
        caught_by="on_device", clause="device"),
    Bug("attention_scoring.masked_softmax", "masked scores set to 0 instead of a large negative number",
        replace=[("X.masked_fill(~keep, -1e6)", "X.masked_fill(~keep, 0)")],
        caught_by=("book_example", "matches_reference", "exact_zeros"), clause="values"),
    Bug("attention_scoring.masked_softmax", "1-D valid lengths repeated along the wrong axis (repeat, not repeat_interleave)", """
        def masked_softmax(X, valid_lens):
            if valid_lens is None:
                return torch.softmax(X, dim=-1)
            shape = X.shape
            valid_lens = valid_lens.repeat(shape[1]) if valid_lens.dim() == 1 else valid_lens.reshape(-1)
            X = sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
            return torch.softmax(X.reshape(shape), dim=-1)
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("attention_scoring.masked_softmax", "in place, with a mask made on the CPU: the caller's scores are overwritten", """
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
        """, caught_by=("input_unchanged", "on_device")),
    Bug("attention_scoring.masked_softmax", "masked in place through a view of X: the caller's scores are overwritten", """
        def masked_softmax(X, valid_lens):
            if valid_lens is None:
                return nn.functional.softmax(X, dim=-1)
            shape = X.shape
            lens = torch.repeat_interleave(valid_lens, shape[1]) if valid_lens.dim() == 1 else valid_lens.reshape(-1)
            flat = X.reshape(-1, shape[-1])
            flat[torch.arange(shape[-1], device=X.device)[None, :] >= lens[:, None]] = -1e6
            return nn.functional.softmax(X, dim=-1)
        """, caught_by="input_unchanged", clause="pure"),
    Bug("attention_scoring.masked_softmax", "a mask value of -100: not large enough to give exact zeros",
        replace=[("X.masked_fill(~keep, -1e6)", "X.masked_fill(~keep, -100.0)")], caught_by="exact_zeros",
        clause="zeros"),
    Bug("attention_scoring.masked_softmax", "X cast with .float() first: a float64 X comes back float32",
        replace=[("    valid_lens = valid_lens.to(X.device)\n", "    X = X.float()\n    valid_lens = valid_lens.to(X.device)\n")],
        caught_by="keeps_dtype", clause="dtype"),
    Bug("attention_scoring.masked_softmax", "the mask made on the CPU (torch.arange without device=)",
        replace=[(SOFTMAX_KEEP, "keep = torch.arange(X.shape[-1]) < lens[..., None]")],
        caught_by="on_device", clause="device"),
    Bug("attention_scoring.masked_softmax", "the masked softmax computed under no_grad", replace=[
        (f"    return {SOFTMAX_MASKED}", f"    with torch.no_grad():\n        return {SOFTMAX_MASKED}")],
        caught_by="gradients", clause="gradients"),
    Bug("attention_scoring.masked_softmax", "a Python loop over the batch", """
        def masked_softmax(X, valid_lens):
            if valid_lens is None:
                return torch.softmax(X, dim=-1)
            rows = []
            for b in range(X.shape[0]):
                keep = torch.arange(X.shape[-1], device=X.device) < valid_lens[b].to(X.device)[..., None]
                rows.append(torch.softmax(X[b].masked_fill(~keep, -1e6), dim=-1))
            return torch.stack(rows)
        """, caught_by="speed", clause="fast"),
    Bug("attention_scoring.AdditiveAttention", "tanh forgotten", replace=[
        ("torch.tanh(self.W_q(queries).unsqueeze(2) + self.W_k(keys).unsqueeze(1))",
         "self.W_q(queries).unsqueeze(2) + self.W_k(keys).unsqueeze(1)")],
        caught_by=("matches_reference", "attention_weights")),
    Bug("attention_scoring.AdditiveAttention", "valid_lens never passed to masked_softmax: no mask",
        replace=[("masked_softmax(self.w_v(features).squeeze(-1), valid_lens)",
                  "masked_softmax(self.w_v(features).squeeze(-1), None)")],
        caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("attention_scoring.AdditiveAttention", "F.dropout on the weights: active in eval mode too",
        replace=[(ADDITIVE_END, ADDITIVE_END.replace("self.dropout(self.attention_weights)", F_DROPOUT))],
        caught_by=("book_example", "dropout_train_only"), clause="dropout"),
    Bug("attention_scoring.AdditiveAttention", "the weights kept after dropout", replace=[
        (ADDITIVE_END, "self.attention_weights = self.dropout(masked_softmax(self.w_v(features).squeeze(-1), "
                       "valid_lens))\n        return torch.bmm(self.attention_weights, values)")],
        caught_by="attention_weights"),
    Bug("attention_scoring.AdditiveAttention", "the scores kept in attention_weights, not the softmax", replace=[
        (ADDITIVE_END, "self.attention_weights = self.w_v(features).squeeze(-1)\n"
                       "        return torch.bmm(self.dropout(masked_softmax(self.attention_weights, valid_lens)), "
                       "values)")],
        caught_by=("book_weights", "attention_weights"), clause="weights"),
    Bug("attention_scoring.AdditiveAttention", "W_q created before W_k", replace=[created_first(
        "        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)\n"
        "        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)\n")], caught_by="initial_weights", clause="init"),
    Bug("attention_scoring.AdditiveAttention", "a Python loop over the queries", """
        class AdditiveAttention(AdditiveAttention):
            def forward(self, queries, keys, values, valid_lens):
                keys = self.W_k(keys).unsqueeze(1)
                rows = [self.w_v(torch.tanh(self.W_q(queries[:, i:i + 1]).unsqueeze(2) + keys)).squeeze(-1)
                        for i in range(queries.shape[1])]
                self.attention_weights = masked_softmax(torch.cat(rows, dim=1), valid_lens)
                return torch.bmm(self.dropout(self.attention_weights), values)
        """, caught_by="no_loop", clause="no_loop"),
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
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("attention_scoring.DotProductAttention", "F.scaled_dot_product_attention for the output", replace=[
        (DOT_END, "masked_softmax(scores, valid_lens)\n        return nn.functional.scaled_dot_product_attention("
                  "queries, keys, values, attn_mask=self.attention_weights > 0, "
                  "dropout_p=self.dropout.p if self.training else 0.0)")],
        caught_by="no_builtin", clause="no_builtin"),
    Bug("attention_scoring.DotProductAttention", "F.dropout on the weights: active in eval mode too",
        replace=[(DOT_END, DOT_END.replace("self.dropout(self.attention_weights)", F_DROPOUT))],
        caught_by=("book_example", "dropout_train_only"), clause="dropout"),
    Bug("attention_scoring.DotProductAttention", "the scores kept in attention_weights, not the softmax", replace=[
        (DOT_END, "scores\n        return torch.bmm(self.dropout(masked_softmax(scores, valid_lens)), values)")],
        caught_by=("book_weights", "attention_weights"), clause="weights"),
    Bug("attention_scoring.DotProductAttention", "the keys detached: no gradient reaches them",
        replace=[("torch.bmm(queries, keys.transpose(1, 2))", "torch.bmm(queries, keys.detach().transpose(1, 2))")],
        caught_by="gradients", clause="gradients"),
    Bug("attention_scoring.DotProductAttention", "a Python loop over the batch", """
        class DotProductAttention(DotProductAttention):
            def forward(self, queries, keys, values, valid_lens=None):
                scores = torch.stack([q @ k.T for q, k in zip(queries, keys)]) / math.sqrt(queries.shape[-1])
                self.attention_weights = masked_softmax(scores, valid_lens)
                weights = self.dropout(self.attention_weights)
                return torch.stack([w @ v for w, v in zip(weights, values)])
        """, caught_by="speed", clause="fast"),

    # §10.5 multi-head attention
    Bug("multihead_attention.transpose_qkv", "reshaped straight to (batch * heads, n, d): positions mixed", """
        def transpose_qkv(X, num_heads):
            return X.reshape(X.shape[0] * num_heads, X.shape[1], -1)
        """, caught_by=("example", "matches_reference"), clause="values"),
    Bug("multihead_attention.transpose_qkv", "heads before the batch: batch and heads mixed up", """
        def transpose_qkv(X, num_heads):
            X = X.reshape(X.shape[0], X.shape[1], num_heads, -1).permute(2, 0, 1, 3)
            return X.reshape(-1, X.shape[2], X.shape[3])
        """, caught_by=("example", "matches_reference"), clause="values"),
    Bug("multihead_attention.transpose_output", "reshaped straight back without the permute", """
        def transpose_output(X, num_heads):
            return X.reshape(-1, X.shape[1], num_heads * X.shape[2])
        """, caught_by=("example", "undoes_the_head_split"), clause="values"),
    Bug("multihead_attention.transpose_output", "rows read as heads-major (heads, batch)", """
        def transpose_output(X, num_heads):
            X = X.reshape(num_heads, -1, X.shape[1], X.shape[2]).permute(1, 2, 0, 3)
            return X.reshape(X.shape[0], X.shape[1], -1)
        """, caught_by=("example", "undoes_the_head_split"), clause="values"),
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
        caught_by=("book_shapes", "matches_reference", "matches_torch", "learns_tagging"), clause="values"),
    Bug("multihead_attention.MultiHeadAttention", "W_k created before W_q", replace=[created_first(
        "        self.W_q = nn.Linear(query_size, num_hiddens, bias=bias)\n"
        "        self.W_k = nn.Linear(key_size, num_hiddens, bias=bias)\n")], caught_by="initial_weights", clause="init"),
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
    Bug("multihead_attention.MultiHeadAttention", "the heads computed by F.multi_head_attention_forward", """
        import torch

        class MultiHeadAttention(MultiHeadAttention):
            def forward(self, queries, keys, values, valid_lens):
                q, k, v = self.W_q(queries), self.W_k(keys), self.W_v(values)
                mask = None
                if valid_lens is not None:
                    lens = valid_lens[:, None] if valid_lens.dim() == 1 else valid_lens
                    mask = torch.arange(k.shape[1], device=k.device) >= lens[..., None]
                    mask = mask.expand(-1, q.shape[1], -1).repeat_interleave(self.num_heads, dim=0)
                eye = torch.eye(q.shape[-1], dtype=q.dtype, device=q.device)
                out, _ = nn.functional.multi_head_attention_forward(
                    q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1), q.shape[-1], self.num_heads, None, None,
                    None, None, False, 0.0, self.W_o.weight, self.W_o.bias, training=self.training,
                    need_weights=False, attn_mask=mask, use_separate_proj_weight=True, q_proj_weight=eye,
                    k_proj_weight=eye, v_proj_weight=eye)
                return out.transpose(0, 1)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("multihead_attention.MultiHeadAttention", "a Python loop over the heads", """
        import torch

        class MultiHeadAttention(MultiHeadAttention):
            def forward(self, queries, keys, values, valid_lens):
                q, k, v = self.W_q(queries), self.W_k(keys), self.W_v(values)
                d = q.shape[-1] // self.num_heads
                heads = [self.attention(q[..., h * d:(h + 1) * d], k[..., h * d:(h + 1) * d],
                                        v[..., h * d:(h + 1) * d], valid_lens) for h in range(self.num_heads)]
                return self.W_o(torch.cat(heads, dim=-1))
        """, caught_by="no_loop", clause="no_loop"),

    # §10.6 positional encoding
    Bug("self_attention.PositionalEncoding", "sin and cos swapped", replace=[
        (PE_TABLE, "P[0, :, 0::2] = torch.cos(angles)\n        P[0, :, 1::2] = torch.sin(angles[:, :num_hiddens // 2])")],
        caught_by=("book_example", "table_exact", "odd_num_hiddens", "dropout_train_only", "on_device",
                   "table_buffer")),
    Bug("self_attention.PositionalEncoding", "the whole table added, not sliced to the sequence length",
        replace=[("self.P[:, :X.shape[1], :]", "self.P")], caught_by=("book_example", "table_exact", "dropout_train_only")),
    Bug("self_attention.PositionalEncoding", "the book's code: an odd num_hiddens fails",
        replace=[("torch.cos(angles[:, :num_hiddens // 2])", "torch.cos(angles)")], caught_by="odd_num_hiddens",
        clause="odd"),
    Bug("self_attention.PositionalEncoding", "the table never added: no positional information",
        replace=[(PE_FORWARD, "self.dropout(X)")], caught_by=("book_example", "table_exact", "learns_tagging"),
        clause="values"),
    Bug("self_attention.PositionalEncoding", "F.dropout: active in eval mode too",
        replace=[(PE_FORWARD, f"nn.functional.dropout({PE_SUM}, self.dropout.p)")], caught_by="dropout_train_only",
        clause="dropout"),
    Bug("self_attention.PositionalEncoding", "frequencies 10000^(j/d) instead of 10000^(2j/d)", replace=[
        ("torch.arange(0, num_hiddens, 2, dtype=torch.float64) / num_hiddens",
         "torch.arange((num_hiddens + 1) // 2, dtype=torch.float64) / num_hiddens")],
        caught_by=("book_example", "table_exact")),
    Bug("self_attention.PositionalEncoding", "the table used where it was made (no .to(X.device))",
        replace=[(PE_FORWARD, "self.dropout(X + self.P[:, :X.shape[1], :])")], caught_by="on_device", clause="device"),
    Bug("self_attention.PositionalEncoding", "the book's plain attribute: the table does not follow .to(device)",
        replace=[(PE_BUFFER, "self.P = P.float()")], caught_by="table_buffer", clause="buffer"),
    Bug("self_attention.PositionalEncoding", "a persistent buffer: the table is saved in the state_dict",
        replace=[(PE_BUFFER, 'self.register_buffer("P", P.float())')], caught_by="table_buffer", clause="buffer"),

    # ==========================================================================================================
    # §10.4 Bahdanau attention, §10.7 the Transformer (appended)
    # ==========================================================================================================
    Bug("bahdanau_attention.AttentionDecoder", "forward does nothing instead of raising", replace=[
        ("    def forward(self, X, state):\n        \"\"\"Decode ``X`` from ``state``; the interface raises "
         "``NotImplementedError``.\"\"\"\n        raise NotImplementedError",
         "    def forward(self, X, state):\n        pass")],
        caught_by=("raises", "interface"), clause="interface"),
    Bug("bahdanau_attention.AttentionDecoder", "attention_weights an empty list instead of raising", replace=[
        ("    def attention_weights(self):\n        \"\"\"The attention weights of the last forward pass; the interface "
         "raises ``NotImplementedError``.\"\"\"\n        raise NotImplementedError",
         "    def attention_weights(self):\n        return []")],
        caught_by=("raises", "interface"), clause="interface"),
    Bug("bahdanau_attention.AttentionDecoder", "not an nn.Module", """
        class AttentionDecoder:
            def __init__(self, **kwargs):
                pass

            def init_state(self, enc_outputs, *args):
                raise NotImplementedError

            def __call__(self, X, state):
                raise NotImplementedError

            @property
            def attention_weights(self):
                raise NotImplementedError
        """, caught_by=("raises", "interface"), clause="interface"),
    Bug("bahdanau_attention.Seq2SeqAttentionDecoder", "the logits left time-major", replace=[
        ("return outputs.permute(1, 0, 2), [enc_outputs, hidden_state, enc_valid_lens]",
         "return outputs, [enc_outputs, hidden_state, enc_valid_lens]")],
        caught_by=("book_shapes", "matches_reference", "beats_seq2seq_on_long_sentences"), clause="values"),
    Bug("bahdanau_attention.Seq2SeqAttentionDecoder", "the query taken from the bottom layer (hidden_state[0])", replace=[
        ("query = hidden_state[-1].unsqueeze(1)", "query = hidden_state[0].unsqueeze(1)")],
        caught_by=("matches_reference", "carries_its_state")),
    Bug("bahdanau_attention.Seq2SeqAttentionDecoder", "the context after the embedding", replace=[
        ("x = torch.cat((context, x.unsqueeze(1)), dim=-1)", "x = torch.cat((x.unsqueeze(1), context), dim=-1)")],
        caught_by="matches_reference"),
    Bug("bahdanau_attention.Seq2SeqAttentionDecoder", "the context ignored (zeros): a plain seq2seq decoder", replace=[
        ("x = torch.cat((context, x.unsqueeze(1)), dim=-1)", "x = torch.cat((torch.zeros_like(context), "
         "x.unsqueeze(1)), dim=-1)")],
        caught_by=("matches_reference", "beats_seq2seq_on_long_sentences")),
    Bug("bahdanau_attention.Seq2SeqAttentionDecoder", "the state that came in returned", replace=[
        ("        return outputs.permute(1, 0, 2), [enc_outputs, hidden_state, enc_valid_lens]",
         "        return outputs.permute(1, 0, 2), state")],
        caught_by="carries_its_state", clause="state"),
    Bug("bahdanau_attention.Seq2SeqAttentionDecoder", "init_state drops the valid lengths", replace=[
        ("return (outputs.permute(1, 0, 2), hidden_state, enc_valid_lens)",
         "return (outputs.permute(1, 0, 2), hidden_state, None)")],
        caught_by="init_state", clause="init_state"),
    Bug("bahdanau_attention.Seq2SeqAttentionDecoder", "the valid lengths not passed to the attention", replace=[
        ("context = self.attention(query, enc_outputs, enc_outputs, enc_valid_lens)",
         "context = self.attention(query, enc_outputs, enc_outputs, None)")],
        caught_by="masks_padding", clause="mask"),
    Bug("bahdanau_attention.Seq2SeqAttentionDecoder", "only the last step's weights kept", replace=[
        ("            self._attention_weights.append(self.attention.attention_weights)",
         "            self._attention_weights = [self.attention.attention_weights]")],
        caught_by="attention_weights", clause="weights"),
    Bug("bahdanau_attention.Seq2SeqAttentionDecoder", "the embedding created before the attention", replace=[
        created_first("        self.attention = AdditiveAttention(num_hiddens, num_hiddens, num_hiddens, dropout)\n"
                      "        self.embedding = nn.Embedding(vocab_size, embed_size)\n")],
        caught_by="initial_weights", clause="init"),
    Bug("bahdanau_attention.Seq2SeqAttentionDecoder", "dropout not passed to the GRU",
        replace=[(SEQ2SEQ_GRU, SEQ2SEQ_GRU.replace(", dropout=dropout", ""))], caught_by="initial_weights", clause="init"),
    Bug("transformer.PositionWiseFFN", "a convolution of width 3: the FFN mixes neighbouring positions", """
        class PositionWiseFFN(nn.Module):
            def __init__(self, ffn_num_input, ffn_num_hiddens, ffn_num_outputs, **kwargs):
                super().__init__(**kwargs)
                self.dense1 = nn.Conv1d(ffn_num_input, ffn_num_hiddens, 3, padding=1)
                self.relu = nn.ReLU()
                self.dense2 = nn.Conv1d(ffn_num_hiddens, ffn_num_outputs, 3, padding=1)

            def forward(self, X):
                return self.dense2(self.relu(self.dense1(X.transpose(-1, -2)))).transpose(-1, -2)
        """, caught_by=("book_shapes", "matches_reference", "initial_weights"), clause="values"),
    Bug("transformer.PositionWiseFFN", "a sigmoid instead of the ReLU", replace=[("self.relu = nn.ReLU()", "self.relu = nn.Sigmoid()")],
        caught_by="matches_reference"),
    Bug("transformer.PositionWiseFFN", "dense2 created before dense1", replace=[created_first(
        "        self.dense1 = nn.Linear(ffn_num_input, ffn_num_hiddens)\n        self.relu = nn.ReLU()\n"
        "        self.dense2 = nn.Linear(ffn_num_hiddens, ffn_num_outputs)\n")], caught_by="initial_weights", clause="init"),
    Bug("transformer.AddNorm", "pre-norm and post-norm swapped: X + ln(Y)", replace=[
        (ADDNORM, "return X + self.ln(self.dropout(Y))")],
        caught_by=("book_shapes", "matches_reference", "dropout_on_Y"), clause="values"),
    Bug("transformer.AddNorm", "the residual forgotten", replace=[
        (ADDNORM, ADDNORM.replace(" + X", ""))],
        caught_by=("book_shapes", "matches_reference", "dropout_on_Y"), clause="values"),
    Bug("transformer.AddNorm", "dropout on the sum", replace=[
        (ADDNORM, "return self.ln(self.dropout(Y + X))")],
        caught_by="dropout_on_Y", clause="dropout"),
    Bug("transformer.EncoderBlock", "the FFN's output of ffn_num_hiddens units", replace=[
        ("PositionWiseFFN(ffn_num_input, ffn_num_hiddens, num_hiddens)\n        self.addnorm2",
         "PositionWiseFFN(ffn_num_input, ffn_num_hiddens, ffn_num_hiddens)\n        self.addnorm2")],
        caught_by=("book_shapes", "matches_torch", "initial_weights"), clause="values"),
    Bug("transformer.EncoderBlock", "pre-norm: the sublayers see ln(X)", """
        class EncoderBlock(EncoderBlock):
            def forward(self, X, valid_lens):
                H = self.addnorm1.ln(X)
                Y = X + self.attention(H, H, H, valid_lens)
                return Y + self.ffn(self.addnorm2.ln(Y))
        """, caught_by="matches_torch"),
    Bug("transformer.EncoderBlock", "the valid lengths not passed to the attention", replace=[
        ("Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))", "Y = self.addnorm1(X, self.attention(X, X, X, None))")],
        caught_by="matches_torch"),
    Bug("transformer.EncoderBlock", "use_bias not passed to the attention", replace=[
        ("        self.attention = MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout,\n"
         "                                            use_bias)",
         "        self.attention = MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout)")],
        caught_by="matches_torch"),
    Bug("transformer.EncoderBlock", "the FFN created before the attention", replace=[created_first(
        "        self.attention = MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout,\n"
        "                                            use_bias)\n        self.addnorm1 = AddNorm(norm_shape, dropout)\n"
        "        self.ffn = PositionWiseFFN(ffn_num_input, ffn_num_hiddens, num_hiddens)\n")],
        caught_by="initial_weights", clause="init"),
    Bug("transformer.TransformerEncoder", "the positional encoding added to the token ids, before the embedding",
        replace=[(ENC_EMBED, ENC_EMBED.replace(SCALED,
                                               "self.embedding(self.pos_encoding(X)) * math.sqrt(self.num_hiddens)"))],
        caught_by=("book_shapes", "matches_reference", "ignores_padding", "attention_weights"), clause="values"),
    Bug("transformer.TransformerEncoder", "the embeddings not scaled by sqrt(num_hiddens)",
        replace=[(ENC_EMBED, ENC_EMBED.replace(" * math.sqrt(self.num_hiddens)", ""))], caught_by="matches_reference"),
    Bug("transformer.TransformerEncoder", "the valid lengths not passed to the blocks", replace=[
        ("            X = blk(X, valid_lens)\n            self.attention_weights[i] = blk.attention.attention.attention_weights",
         "            X = blk(X, None)\n            self.attention_weights[i] = blk.attention.attention.attention_weights")],
        caught_by="ignores_padding", clause="padding"),
    Bug("transformer.TransformerEncoder", "only the last block's weights kept", replace=[
        ("            self.attention_weights[i] = blk.attention.attention.attention_weights",
         "            self.attention_weights = [blk.attention.attention.attention_weights]")],
        caught_by="attention_weights", clause="weights"),
    Bug("transformer.TransformerEncoder", "the blocks created before the embedding", """
        class TransformerEncoder(TransformerEncoder):
            def __init__(self, vocab_size, key_size, query_size, value_size, num_hiddens, norm_shape, ffn_num_input,
                         ffn_num_hiddens, num_heads, num_layers, dropout, use_bias=False, **kwargs):
                nn.Module.__init__(self, **kwargs)
                self.num_hiddens = num_hiddens
                blks = nn.Sequential()
                for i in range(num_layers):
                    blks.add_module(f"block{i}", EncoderBlock(key_size, query_size, value_size, num_hiddens, norm_shape,
                                                              ffn_num_input, ffn_num_hiddens, num_heads, dropout, use_bias))
                self.embedding = nn.Embedding(vocab_size, num_hiddens)
                self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
                self.blks = blks
        """, caught_by="initial_weights", clause="init"),
    Bug("transformer.DecoderBlock", "the FFN's output of ffn_num_hiddens units", replace=[
        ("PositionWiseFFN(ffn_num_input, ffn_num_hiddens, num_hiddens)\n        self.addnorm3",
         "PositionWiseFFN(ffn_num_input, ffn_num_hiddens, ffn_num_hiddens)\n        self.addnorm3")],
        caught_by=("book_shapes", "matches_torch", "is_causal_in_training", "caches_its_inputs", "on_device",
                   "initial_weights"), clause="values"),
    Bug("transformer.DecoderBlock", "the encoder-decoder attention queried with X, not Y", replace=[
        ("Z = self.addnorm2(Y, self.attention2(Y, enc_outputs, enc_outputs, enc_valid_lens))",
         "Z = self.addnorm2(Y, self.attention2(X, enc_outputs, enc_outputs, enc_valid_lens))")],
        caught_by=("matches_torch", "is_causal_in_training", "caches_its_inputs")),
    Bug("transformer.DecoderBlock", "no causal mask: the decoder sees the future in training", replace=[NO_CAUSAL_MASK],
        caught_by="is_causal_in_training", clause="causal"),
    Bug("transformer.DecoderBlock", "the cache never written: each step sees only itself", replace=[
        ("        state[2][self.i] = key_values\n", "")],
        caught_by="caches_its_inputs", clause="cache"),
    Bug("transformer.DecoderBlock", "the cache appended after X", replace=[
        ("torch.cat((state[2][self.i], X), dim=1)", "torch.cat((X, state[2][self.i]), dim=1)")],
        caught_by="caches_its_inputs", clause="cache"),
    Bug("transformer.DecoderBlock", "the causal mask made on the CPU", replace=[
        ("dec_valid_lens = torch.arange(1, num_steps + 1, device=X.device).repeat(batch_size, 1)",
         "dec_valid_lens = torch.arange(1, num_steps + 1).repeat(batch_size, 1)")],
        caught_by="on_device", clause="device"),
    Bug("transformer.DecoderBlock", "attention2 created before attention1", replace=[created_first(
        "        self.attention1 = MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout)\n"
        "        self.addnorm1 = AddNorm(norm_shape, dropout)\n"
        "        self.attention2 = MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout)\n")],
        caught_by="initial_weights", clause="init"),
    Bug("transformer.TransformerDecoder", "no output layer: the blocks' outputs returned", replace=[
        ("        return self.dense(X), state", "        return X, state")],
        caught_by=("book_shapes", "matches_reference", "is_causal_in_training", "carries_its_state",
                   "learns_to_translate"), clause="values"),
    Bug("transformer.TransformerDecoder", "the embeddings not scaled by sqrt(num_hiddens)",
        replace=[(DEC_EMBED, DEC_EMBED.replace(" * math.sqrt(self.num_hiddens)", ""))], caught_by="matches_reference"),
    Bug("transformer.TransformerDecoder", "a decoder block without its causal mask (the Transformer learns to copy)",
        replace=[NO_CAUSAL_MASK], caught_by="learns_to_translate"),
    Bug("transformer.TransformerDecoder", "init_state drops the valid lengths", replace=[
        ("return [enc_outputs, enc_valid_lens, [None] * self.num_layers]", "return [enc_outputs, None, [None] * self.num_layers]")],
        caught_by="init_state", clause="init_state"),
    Bug("transformer.TransformerDecoder", "the caches reset at every call: the state not carried", replace=[
        (DEC_EMBED, "state = [state[0], state[1], [None] * self.num_layers]\n        " + DEC_EMBED)],
        caught_by="carries_its_state", clause="state"),
    Bug("transformer.TransformerDecoder", "the two kinds of weights swapped", replace=[
        ("_attention_weights[0][i] = blk.attention1", "_attention_weights[0][i] = blk.attention2"),
        ("_attention_weights[1][i] = blk.attention2", "_attention_weights[1][i] = blk.attention1")],
        caught_by="attention_weights", clause="weights"),
    Bug("transformer.TransformerDecoder", "dense created before the blocks", """
        class TransformerDecoder(TransformerDecoder):
            def __init__(self, vocab_size, key_size, query_size, value_size, num_hiddens, norm_shape, ffn_num_input,
                         ffn_num_hiddens, num_heads, num_layers, dropout, **kwargs):
                nn.Module.__init__(self, **kwargs)
                self.num_hiddens, self.num_layers = num_hiddens, num_layers
                self.embedding = nn.Embedding(vocab_size, num_hiddens)
                self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
                self.dense = nn.Linear(num_hiddens, vocab_size)
                self.blks = nn.Sequential()
                for i in range(num_layers):
                    self.blks.add_module(f"block{i}", DecoderBlock(key_size, query_size, value_size, num_hiddens,
                                                                    norm_shape, ffn_num_input, ffn_num_hiddens,
                                                                    num_heads, dropout, i))
        """, caught_by="initial_weights", clause="init"),
]
