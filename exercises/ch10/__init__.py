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
    # §10.4 Bahdanau attention, §10.7 the Transformer
    "bahdanau_attention.AttentionDecoder": ("10.4.2", {
        "interface": "an nn.Module whose init_state, forward and attention_weights (a property) raise "
                     "NotImplementedError; a subclass overrides them",
    }),
    "bahdanau_attention.Seq2SeqAttentionDecoder": ("10.4.2", {
        "values": "with the reference's weights, the logits of forward(X, state): at each step the query is "
                  "hidden_state[-1], the context additive attention over the encoder's outputs, joined before the "
                  "embedding; a seq2seq model with it beats the plain one on long sentences",
        "state": "forward returns [enc_outputs, the GRU's new state, enc_valid_lens], and decoding step by step "
                 "from the returned states gives the reference's outputs",
        "init_state": "init_state((outputs, hidden_state), enc_valid_lens) is (outputs.permute(1, 0, 2), "
                      "hidden_state, enc_valid_lens)",
        "mask": "encoder positions past enc_valid_lens get no attention: changing them changes nothing",
        "weights": "attention_weights: one (batch, 1, num_enc_steps) tensor of weights per step of the last forward",
        "init": "attention, embedding, rnn, dense created in this order (with dropout passed to the attention and "
                "the GRU) with PyTorch's default initialisation: the same seed gives the reference's weights",
    }),
    "transformer.PositionWiseFFN": ("10.7.2", {
        "values": "with the reference's weights, dense2(relu(dense1(X))) at every position of X, whatever its "
                  "leading axes; positions never mix",
        "init": "dense1, relu, dense2 created in this order with PyTorch's default initialisation: the same seed "
                "gives the reference's initial weights",
    }),
    "transformer.AddNorm": ("10.7.3", {
        "values": "in eval mode, ln(Y + X) with the reference's LayerNorm(normalized_shape) weights",
        "dropout": "dropout on Y only (ln(dropout(Y) + X)), in training mode only",
    }),
    "transformer.EncoderBlock": ("10.7.4", {
        "values": "with the same weights, what nn.TransformerEncoderLayer (post-norm, ReLU, dropout 0) computes, "
                  "keys past valid_lens masked",
        "init": "attention, addnorm1, ffn, addnorm2 created in this order: the same seed gives the reference's "
                "initial weights",
    }),
    "transformer.TransformerEncoder": ("10.7.4", {
        "values": "with the reference's weights, the blocks applied to pos_encoding(embedding(X) * sqrt(num_hiddens)) "
                  "(eval mode)",
        "padding": "changing the source tokens past valid_lens changes nothing at the valid positions",
        "weights": "attention_weights: each block's attention weights (batch * num_heads, num_steps, num_steps)",
        "init": "embedding, pos_encoding, blks (block0, block1, ...) created in this order: the same seed gives the "
                "reference's initial weights",
    }),
    "transformer.DecoderBlock": ("10.7.5", {
        "values": "in eval mode (no mask), with the same weights, what nn.TransformerDecoderLayer (post-norm, ReLU, "
                  "dropout 0) computes, keys past enc_valid_lens masked",
        "causal": "in training mode the self-attention is causal: what nn.TransformerDecoderLayer computes with a "
                  "causal tgt_mask; changing X after position t changes nothing at positions up to t",
        "cache": "state[2][i] becomes the block's inputs so far (the cache, then X); decoding one step at a time in "
                 "eval mode gives the training-mode outputs",
        "device": "the causal mask is made on X's device",
        "init": "attention1, addnorm1, attention2, addnorm2, ffn, addnorm3 created in this order: the same seed gives "
                "the reference's initial weights",
    }),
    "transformer.TransformerDecoder": ("10.7.5", {
        "values": "with the reference's weights, the logits of the whole target sequence (training and eval mode); in "
                  "training mode changing the target tokens after position t changes nothing up to t; a Transformer "
                  "built from your pieces learns to translate",
        "init_state": "init_state(enc_outputs, enc_valid_lens) is [enc_outputs, enc_valid_lens, [None] * num_layers]",
        "state": "decoding one token at a time from the returned states (eval mode) gives the reference's outputs",
        "weights": "attention_weights: [self-attention weights, encoder-decoder weights], one entry per block",
        "init": "embedding, pos_encoding, blks, dense created in this order: the same seed gives the reference's "
                "initial weights",
    }),
}
