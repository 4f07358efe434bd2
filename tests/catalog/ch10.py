"""Chapter 10: realistic wrong implementations, and the checks that must catch them.

A bug with ``clause=`` breaks exactly that clause of its exercise's contract (solutions/ch10/__init__.py): every
check of the exercise runs, and the failing ones are exactly that clause's checks."""
from catalog import Bug

NP_WEIGHTS = "torch.softmax(-(x_test[:, None] - x_train[None, :]) ** 2 / 2, dim=1)"
NW_WEIGHTS = "torch.softmax(-((queries[:, None] - keys) * self.w) ** 2 / 2, dim=1)"
NW_RETURN = "return (self.attention_weights * values).sum(dim=1)"
ADDITIVE_END = ("self.attention_weights = masked_softmax(self.w_v(features).squeeze(-1), valid_lens)\n"
                "        return torch.bmm(self.dropout(self.attention_weights), values)")
DOT_END = "masked_softmax(scores, valid_lens)\n        return torch.bmm(self.dropout(self.attention_weights), values)"
MHA_END = "self.W_o(transpose_output(self.attention(queries, keys, values, valid_lens), self.num_heads))"
PE_TABLE = "P[0, :, 0::2] = torch.sin(angles)\n        P[0, :, 1::2] = torch.cos(angles[:, :num_hiddens // 2])"
PE_FORWARD = "self.dropout(X + self.P[:, :X.shape[1], :].to(X.device))"
PE_BUFFER = 'self.register_buffer("P", P.float(), persistent=False)'
F_DROPOUT = "nn.functional.dropout(self.attention_weights, self.dropout.p)"
MASK_KEEP = "keep = torch.arange(X.shape[1], device=X.device) < valid_len.to(X.device)[:, None]"
SOFTMAX_KEEP = "keep = torch.arange(X.shape[-1], device=X.device) < lens[..., None]"

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
        ("self.w = nn.Parameter(torch.rand((1,)))", "self.w = torch.rand((1,), requires_grad=True)")],
        caught_by="initial_w", clause="init"),
    Bug("nadaraya_watson.NWKernelRegression", "w drawn from a normal distribution", replace=[
        ("self.w = nn.Parameter(torch.rand((1,)))", "self.w = nn.Parameter(torch.randn((1,)))")],
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
        ("    return torch.softmax(X.masked_fill(~keep, -1e6), dim=-1)",
         "    with torch.no_grad():\n        return torch.softmax(X.masked_fill(~keep, -1e6), dim=-1)")],
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
    Bug("attention_scoring.AdditiveAttention", "W_q created before W_k", replace=[
        ("        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)\n"
         "        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)\n",
         "        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)\n"
         "        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)\n")],
        caught_by="initial_weights", clause="init"),
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
    Bug("multihead_attention.MultiHeadAttention", "W_k created before W_q", replace=[
        ("        self.W_q = nn.Linear(query_size, num_hiddens, bias=bias)\n"
         "        self.W_k = nn.Linear(key_size, num_hiddens, bias=bias)\n",
         "        self.W_k = nn.Linear(key_size, num_hiddens, bias=bias)\n"
         "        self.W_q = nn.Linear(query_size, num_hiddens, bias=bias)\n")],
        caught_by="initial_weights", clause="init"),
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
    Bug("self_attention.PositionalEncoding", "F.dropout: active in eval mode too", replace=[
        (PE_FORWARD, "nn.functional.dropout(X + self.P[:, :X.shape[1], :].to(X.device), self.dropout.p)")],
        caught_by="dropout_train_only", clause="dropout"),
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
]
