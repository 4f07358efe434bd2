"""Chapter 10, 注意力机制 (Attention Mechanisms)."""

# The exercises of this chapter, in book order: module.name -> (zh.d2l.ai section, clauses): the clauses of the
# exercise's contract, one property each, every one tested by its own checks (tests/test_contracts.py).
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks, docs/contracts.md) is derived from here.
EXERCISES = {
    "nadaraya_watson.average_pooling": ("10.2.2", {
        "values": "one prediction per query, shape (n_test,), each the mean of y_train",
        "dtype": "the result has y_train's dtype (float64 in, float64 out)",
        "device": "the result is on y_train's device (no tensor made elsewhere)",
    }),
    "nadaraya_watson.nonparametric_pooling": ("10.2.3", {
        "values": "(y_hat, attention_weights): row i of the weights is softmax_j(-(x_test[i] - x_train[j])² / 2), "
                  "y_hat = attention_weights @ y_train",
        "gradients": "autograd flows through y_hat to x_test, x_train and y_train",
        "no_loop": "the differences are built by broadcasting: no Python loop over the queries or the keys",
    }),
    "nadaraya_watson.leave_one_out": ("10.2.4", {
        "values": "keys and values (n, n - 1): row i is x_train (y_train) without its entry i, in order",
        "dtype": "keys have x_train's dtype and values y_train's (float64 in, float64 out)",
    }),
    "nadaraya_watson.NWKernelRegression": ("10.2.4", {
        "values": "forward returns (n,): each row of values weighted by softmax_j(-((queries[i] - keys[i, j]) * w)² / 2)",
        "weights": "self.attention_weights (n, m) holds those weights after a forward pass",
        "init": "w is the module's one parameter, an nn.Parameter of shape (1,) drawn with torch.rand((1,)): the "
                "same seed gives the reference's w",
        "trains": "gradients reach w: the book's loop (SGD lr 0.5, 5 epochs) lowers the loss below 0.6 of the "
                  "first epoch's",
    }),
    "attention_scoring.sequence_mask": ("9.7.3", {
        "values": "X[i, j, ...] is kept where j < valid_len[i] and becomes value elsewhere (along axis 1; trailing "
                  "axes masked together)",
        "dtype": "the result has X's dtype (integer X stays integer, float64 stays float64)",
        "device": "the result is on X's device (the mask made with device=X.device)",
        "pure": "X is left unchanged (the book assigns into it)",
    }),
    "attention_scoring.masked_softmax": ("10.3.1", {
        "values": "a softmax over the last axis of the keys k < valid_len (valid_lens None, (batch,) or "
                  "(batch, num_queries)); each row sums to 1",
        "zeros": "masked weights are exactly 0: masked scores become -1e6 (not 0) before the softmax",
        "dtype": "the result has X's dtype (float64 in, float64 out)",
        "device": "the result is on X's device (the mask made with device=X.device)",
        "pure": "X is left unchanged (the book's sequence_mask overwrites the caller's scores)",
        "gradients": "autograd flows to X: the gradient is the masked softmax's",
        "fast": "vectorized: no Python loop over the batch or the queries",
    }),
    "attention_scoring.AdditiveAttention": ("10.3.2", {
        "values": "with the reference's weights, forward returns bmm(weights, values), the weights "
                  "masked_softmax(w_v(tanh(W_q q + W_k k))) (eval mode)",
        "weights": "self.attention_weights (batch, num_queries, num_kv) holds the weights before dropout",
        "init": "W_k, W_q, w_v (bias-free nn.Linear) created in this order with the default initialisation: the "
                "same seed gives the reference's initial weights",
        "dropout": "self.dropout acts on the weights, in training mode only",
        "no_loop": "queries and keys meet by broadcasting: no Python loop over the batch, queries or keys",
    }),
    "attention_scoring.DotProductAttention": ("10.3.3", {
        "values": "forward returns bmm(weights, values), the weights masked_softmax(Q K^T / sqrt(d)) (eval mode)",
        "weights": "self.attention_weights (batch, num_queries, num_kv) holds the weights before dropout",
        "gradients": "autograd flows to queries, keys and values",
        "dropout": "self.dropout acts on the weights, in training mode only",
        "no_builtin": "F.scaled_dot_product_attention is not used",
        "fast": "batched matrix products: no Python loop over the batch",
    }),
    "multihead_attention.transpose_qkv": ("10.5.2", {
        "values": "(batch * num_heads, n, d): row b * num_heads + h holds features h*d:(h+1)*d of example b",
    }),
    "multihead_attention.transpose_output": ("10.5.2", {
        "values": "(batch * num_heads, n, d) -> (batch, n, num_heads * d), undoing transpose_qkv",
    }),
    "multihead_attention.MultiHeadAttention": ("10.5.2", {
        "values": "with the reference's weights, forward returns (batch, num_queries, num_hiddens) as the "
                  "reference (and nn.MultiheadAttention) does; a self-attention tagger built with it learns",
        "init": "attention, W_q, W_k, W_v, W_o (bias=bias) created in this order with the default initialisation: "
                "the same seed gives the reference's initial weights",
        "no_builtin": "nn.MultiheadAttention and F.multi_head_attention_forward are not used",
        "no_loop": "all heads at once: no Python loop over the heads or the batch",
    }),
    "self_attention.PositionalEncoding": ("10.6.3", {
        "values": "in eval mode forward(X) is X + P[:, :n] with P[0, i, 2j] = sin(i / 10000^(2j/d)), "
                  "P[0, i, 2j+1] = cos(i / 10000^(2j/d)); a self-attention tagger built with it learns",
        "odd": "an odd num_hiddens works: the last column is a sine",
        "dropout": "dropout(X + P[:, :n]), in training mode only",
        "device": "the result is on X's device",
        "buffer": "self.P is a float32 (1, max_len, num_hiddens) non-persistent buffer: it follows .to(device) and "
                  "stays out of state_dict; no parameters",
    }),
}
