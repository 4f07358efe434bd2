"""Chapter 10 (注意力机制), hidden checks: reference comparisons, gradients, masks, dropout, forbidden
shortcuts, speed, and a training check that the attention pieces learn a task end to end."""
import torch
import torch.nn.functional as F
from torch import nn

from autograder.harness import (SEEDS, Forbidden, assert_close, assert_gradients_match, assert_matches_reference,
                                assert_no_forbidden_calls, assert_same_function, assert_tensor, assert_unchanged,
                                check, load_weights_in_order, module_speed_check, randint, randn, reference,
                                speed_check, train_to_threshold, uniform)

SDPA = Forbidden(
    "F.scaled_dot_product_attention",
    functions=(F.scaled_dot_product_attention,),
    aten=("scaled_dot_product_attention", "_scaled_dot_product_attention_math",
          "_scaled_dot_product_flash_attention", "_scaled_dot_product_flash_attention_for_cpu",
          "_scaled_dot_product_efficient_attention", "_scaled_dot_product_cudnn_attention",
          "_scaled_dot_product_fused_attention_overrideable"))
TORCH_MHA = Forbidden(
    "nn.MultiheadAttention / F.multi_head_attention_forward",
    functions=(F.multi_head_attention_forward,),
    aten=("_native_multi_head_attention",))


def ref(name):
    return reference(f"ch10.{name}")


# §10.2 Nadaraya-Watson kernel regression ----------------------------------------------------------

def book_data(seed=0):
    """The book's synthetic data: 50 sorted inputs in [0, 5), y = 2 sin(x) + x^0.8 + N(0, 0.5²)."""
    g = torch.Generator().manual_seed(seed)
    x_train, _ = torch.sort(torch.rand(50, generator=g) * 5)
    y_train = 2 * torch.sin(x_train) + x_train ** 0.8 + torch.normal(0.0, 0.5, (50,), generator=g)
    return torch.arange(0, 5, 0.1), x_train, y_train


@check("nadaraya_watson.average_pooling")
def check_average_pooling_matches_reference(average_pooling):
    assert_matches_reference(average_pooling, ref("nadaraya_watson.average_pooling"),
                             lambda seed: (randn((7 + seed,), seed), randn((11 + 3 * seed,), seed + 10,
                                                                          dtype=torch.float64)),
                             what="average_pooling(x_test, y_train)", seeds=SEEDS,
                             hint="a tensor of len(x_test) predictions, each y_train.mean(), in y_train's dtype")


@check("nadaraya_watson.nonparametric_pooling", points=2)
def check_nonparametric_pooling_matches_reference(nonparametric_pooling):
    assert_matches_reference(nonparametric_pooling, ref("nadaraya_watson.nonparametric_pooling"),
                             lambda seed: book_data(seed), what="nonparametric_pooling(x_test, x_train, y_train)",
                             seeds=SEEDS, hint="returns (y_hat, attention_weights); weights softmax over the keys "
                                               "(dim=1) of -(x_test[i] - x_train[j])² / 2")
    assert_gradients_match(lambda *a: nonparametric_pooling(*a)[0],
                           lambda *a: ref("nadaraya_watson.nonparametric_pooling")(*a)[0], book_data(0),
                           wrt=(0, 1, 2), what="y_hat of nonparametric_pooling")


@check("nadaraya_watson.leave_one_out")
def check_leave_one_out_matches_reference(leave_one_out):
    assert_matches_reference(leave_one_out, ref("nadaraya_watson.leave_one_out"),
                             lambda seed: (randn((5 + seed,), seed), randn((5 + seed,), seed + 10)),
                             what="leave_one_out(x_train, y_train)", seeds=SEEDS,
                             hint="(keys, values) of shape (n, n - 1): row i drops entry i, keeping the order")


def nw_inputs(seed):
    return uniform((6,), seed, high=5), uniform((6, 5), seed + 1, high=5), randn((6, 5), seed + 2)


@check("nadaraya_watson.NWKernelRegression", points=2)
def check_NWKernelRegression_matches_reference(NWKernelRegression):
    for seed in SEEDS:
        net, expected = NWKernelRegression(), ref("nadaraya_watson.NWKernelRegression")()
        with torch.no_grad():
            expected.w.fill_(0.5 + seed)
        what = f"NWKernelRegression with w = {0.5 + seed}, queries (6,), keys and values (6, 5) (seed {seed})"
        assert_same_function(net, expected, nw_inputs(seed), what=what)
        assert_close(net.attention_weights, expected.attention_weights, what=f"the attention_weights of {what}",
                     hint="softmax over each query's keys of -((query - key) * w)² / 2")


def nw_losses(model_class, leave_one_out, epochs=5):
    """The book's loop (§10.2.4): SGD lr 0.5 on the summed half squared errors, leave-one-out keys."""
    _, x_train, y_train = book_data(0)
    keys, values = leave_one_out(x_train, y_train)
    net = model_class()
    if not any(True for _ in net.parameters()):
        raise AssertionError("NWKernelRegression registers no parameters: make w an nn.Parameter so the optimizer "
                             "can train it")
    with torch.no_grad():
        net.w.fill_(0.3)
    trainer = torch.optim.SGD(net.parameters(), lr=0.5)
    losses = []
    for _ in range(epochs):
        trainer.zero_grad()
        loss = ((net(x_train, keys, values) - y_train) ** 2 / 2).sum()
        if not loss.requires_grad:
            raise AssertionError("no gradient reaches w through NWKernelRegression's output: use self.w itself, "
                                 "not self.w.data, .detach() or .item()")
        loss.backward()
        trainer.step()
        losses.append(loss.item())
    return losses


@check("nadaraya_watson.NWKernelRegression", points=2, kind="accuracy",
       uses={"leave_one_out": "nadaraya_watson.leave_one_out"})
def check_NWKernelRegression_training_lowers_loss(NWKernelRegression, leave_one_out):
    train_to_threshold(lambda: nw_losses(NWKernelRegression, leave_one_out), metric=lambda h: h[-1] / h[0],
                       threshold=0.6, higher_is_better=False, reference_value=0.29,
                       what="the loss after 5 epochs of the book's loop, as a fraction of the first epoch's",
                       budget="5 epochs (SGD lr 0.5, w starting at 0.3, the book's 50 examples)")


# §10.3 attention scoring functions -------------------------------------------------------------

def mask_args(seed):
    """X of 2 or 3 axes (int or float), valid lengths in [0, maxlen], a fill value."""
    if seed % 2:
        X = randint(-9, 10, (5, 7), seed)
        return X, randint(0, 8, (5,), seed + 1), 0
    return randn((4, 6, 3), seed), randint(0, 7, (4,), seed + 1), -1.5


@check("attention_scoring.sequence_mask")
def check_sequence_mask_matches_reference(sequence_mask):
    assert_matches_reference(sequence_mask, ref("attention_scoring.sequence_mask"), mask_args,
                             what="sequence_mask(X, valid_len, value)", seeds=SEEDS,
                             hint="keep X[i, j] where j < valid_len[i] (all trailing axes together), else value; "
                                  "return a new tensor, X itself unchanged")


def scores(seed, batch=4, queries=5, keys=7, dtype=torch.float32):
    return randn((batch, queries, keys), seed, scale=3, dtype=dtype)


def masked_softmax_args(seed):
    """``None``, 1-D and 2-D valid lengths in turn (lengths >= 1)."""
    X = scores(seed)
    kind = seed % 3
    if kind == 0:
        return X, None
    if kind == 1:
        return X, randint(1, 8, (4,), seed + 1)
    return X, randint(1, 8, (4, 5), seed + 1)


MASK_HINT = ("key k of a row is kept when k < its valid length; a (batch,) length applies to every query of "
             "that example (repeat each length num_queries times, not the whole vector)")


@check("attention_scoring.masked_softmax", points=2)
def check_masked_softmax_matches_reference(masked_softmax):
    assert_matches_reference(masked_softmax, ref("attention_scoring.masked_softmax"), masked_softmax_args,
                             what="masked_softmax(X, valid_lens)", seeds=range(6), hint=MASK_HINT)


@check("attention_scoring.masked_softmax")
def check_masked_softmax_exact_zeros_and_sums(masked_softmax):
    X = scores(7, dtype=torch.float64) * 10
    for valid_lens in (randint(1, 8, (4,), 8), randint(1, 8, (4, 5), 9)):
        lens = valid_lens[:, None].expand(4, 5) if valid_lens.dim() == 1 else valid_lens
        got = masked_softmax(X, valid_lens)
        masked = torch.arange(7) >= lens[..., None]
        shown = f"valid_lens of shape {tuple(valid_lens.shape)}"
        assert_tensor(got, what=f"masked_softmax(X float64 (4, 5, 7), {shown})", shape=(4, 5, 7), dtype=torch.float64)
        assert_close(got[masked], torch.zeros(int(masked.sum()), dtype=torch.float64), atol=0, rtol=0,
                     what=f"the weights of masked keys ({shown})",
                     hint="replace masked scores with a large negative number (-1e6), not 0, before the softmax")
        assert_close(got.sum(-1), torch.ones(4, 5, dtype=torch.float64), what=f"the row sums ({shown})")


@check("attention_scoring.masked_softmax")
def check_masked_softmax_gradients(masked_softmax):
    for seed in (1, 2):
        assert_gradients_match(masked_softmax, ref("attention_scoring.masked_softmax"), masked_softmax_args(seed),
                               what=f"masked_softmax(X, valid_lens of {seed} axes)")


@check("attention_scoring.masked_softmax")
def check_masked_softmax_input_unchanged(masked_softmax):
    for seed in (1, 2):
        X, valid_lens = masked_softmax_args(seed)
        assert_unchanged(masked_softmax, X, valid_lens, what=f"masked_softmax(X, valid_lens of {seed} axes)")


def masked_softmax_with_builtin(X, valid_lens):
    keep = torch.arange(X.shape[-1], device=X.device) < valid_lens[:, None, None]
    return torch.softmax(X.masked_fill(~keep, float("-inf")), dim=-1)


speed_check("attention_scoring.masked_softmax",
            lambda device: (randn((4096, 8, 16), 0, device=device), randint(1, 17, (4096,), 1, device=device)),
            builtin=masked_softmax_with_builtin, limit=10,
            hint="build the whole mask at once by broadcasting arange(num_keys) against the valid lengths; "
                 "no Python loop over the batch or the queries")


def attention_inputs(seed, q_size=6, k_size=6, v_size=3):
    """queries (3, 4, q_size), keys (3, 5, k_size), values (3, 5, v_size), valid lens None / 1-D / 2-D."""
    queries, keys = randn((3, 4, q_size), seed), randn((3, 5, k_size), seed + 1)
    values = randn((3, 5, v_size), seed + 2)
    lens = (None, randint(1, 6, (3,), seed + 3), randint(1, 6, (3, 4), seed + 3))[seed % 3]
    return queries, keys, values, lens


def lens_label(valid_lens):
    return "valid_lens None" if valid_lens is None else f"valid_lens of shape {tuple(valid_lens.shape)}"


@check("attention_scoring.AdditiveAttention", points=2)
def check_AdditiveAttention_matches_reference(AdditiveAttention):
    for seed in SEEDS:
        torch.manual_seed(seed)
        net, expected = AdditiveAttention(4, 6, 8, 0.0), ref("attention_scoring.AdditiveAttention")(4, 6, 8, 0.0)
        inputs = attention_inputs(seed, q_size=6, k_size=4)
        what = f"AdditiveAttention(key_size=4, query_size=6, num_hiddens=8) with {lens_label(inputs[3])} (seed {seed})"
        assert_same_function(net, expected, inputs, what=what)
        assert_close(net.attention_weights, expected.attention_weights, what=f"attention_weights of {what}",
                     hint="scores w_v(tanh(W_q q + W_k k)) for every (query, key) pair, then masked_softmax")


def assert_dropout_on_weights_only_in_training(attention, reference_attention, inputs, what):
    """Eval: the reference's output. Train (dropout 0.5): outputs differ, weights still rows of a softmax."""
    load_weights_in_order(attention, reference_attention, what=what)
    attention.eval()
    reference_attention.eval()
    with torch.no_grad():
        assert_close(attention(*inputs), reference_attention(*inputs), what=f"{what} in eval mode",
                     hint="nn.Dropout (or F.dropout with training=self.training) must do nothing in eval mode")
        attention.train()
        torch.manual_seed(0)
        trained = attention(*inputs)
    assert not torch.allclose(trained, reference_attention(*inputs)), \
        f"{what} in training mode gives the eval-mode output: apply self.dropout to the attention weights"
    assert_close(attention.attention_weights.sum(-1), torch.ones(inputs[0].shape[:2]),
                 what=f"the row sums of attention_weights of {what} in training mode",
                 hint="keep the weights before dropout in self.attention_weights (the book plots them)")


@check("attention_scoring.AdditiveAttention")
def check_AdditiveAttention_dropout_train_only(AdditiveAttention):
    torch.manual_seed(0)
    inputs = attention_inputs(1, q_size=6, k_size=4, v_size=16)
    assert_dropout_on_weights_only_in_training(
        AdditiveAttention(4, 6, 8, 0.5), ref("attention_scoring.AdditiveAttention")(4, 6, 8, 0.5), inputs,
        "AdditiveAttention(4, 6, 8, dropout=0.5)")


def dot_product(DotProductAttention):
    """The forward pass of a DotProductAttention without dropout, and its attention weights."""
    attention = DotProductAttention(0.0)

    def run(queries, keys, values, valid_lens=None):
        return attention(queries, keys, values, valid_lens), attention.attention_weights
    return run


@check("attention_scoring.DotProductAttention", points=2)
def check_DotProductAttention_matches_reference(DotProductAttention):
    assert_matches_reference(dot_product(DotProductAttention), dot_product(ref("attention_scoring.DotProductAttention")),
                             attention_inputs, what="(output, attention_weights) of DotProductAttention", seeds=SEEDS,
                             hint="softmax over the keys of Q K^T / sqrt(d) (d = queries.shape[-1]), masked, then "
                                  "times V")
    assert_gradients_match(lambda *a: dot_product(DotProductAttention)(*a)[0],
                           lambda *a: dot_product(ref("attention_scoring.DotProductAttention"))(*a)[0],
                           attention_inputs(1), wrt=(0, 1, 2), what="DotProductAttention(queries, keys, values, "
                                                                    "valid_lens)")


@check("attention_scoring.DotProductAttention")
def check_DotProductAttention_no_builtin(DotProductAttention):
    assert_no_forbidden_calls(dot_product(DotProductAttention), *attention_inputs(1), forbidden=SDPA,
                              what="DotProductAttention")


@check("attention_scoring.DotProductAttention")
def check_DotProductAttention_dropout_train_only(DotProductAttention):
    inputs = attention_inputs(1, v_size=16)
    assert_dropout_on_weights_only_in_training(DotProductAttention(0.5), ref("attention_scoring.DotProductAttention")(0.5),
                                               inputs, "DotProductAttention(dropout=0.5)")


def sdpa_with_builtin(queries, keys, values, valid_lens):
    keep = torch.arange(keys.shape[1], device=keys.device) < valid_lens[:, None, None]
    return F.scaled_dot_product_attention(queries, keys, values, attn_mask=keep)


module_speed_check("attention_scoring.DotProductAttention",
                   lambda device: (randn((32768, 2, 4), 0, device=device), randn((32768, 4, 4), 1, device=device),
                                   randn((32768, 4, 4), 2, device=device), randint(1, 5, (32768,), 3, device=device)),
                   build=lambda cls: cls(0.0).eval(), builtin=sdpa_with_builtin, limit=6,
                   hint="two torch.bmm over the whole batch and one masked softmax; no Python loop over the batch")


# §10.5 multi-head attention -----------------------------------------------------------------------

def heads_args(seed):
    batch, n, heads = 2 + seed % 3, 3 + seed, (1, 2, 3, 4, 6)[seed % 5]
    return randn((batch, n, 12), seed), heads


@check("multihead_attention.transpose_qkv")
def check_transpose_qkv_matches_reference(transpose_qkv):
    assert_matches_reference(transpose_qkv, ref("multihead_attention.transpose_qkv"), heads_args,
                             what="transpose_qkv(X, num_heads)", seeds=SEEDS,
                             hint="reshape to (batch, n, heads, d), permute to (batch, heads, n, d), then merge "
                                  "batch and heads: example-major, heads of one example adjacent")


@check("multihead_attention.transpose_output")
def check_transpose_output_undoes_the_head_split(transpose_output):
    transpose_qkv = ref("multihead_attention.transpose_qkv")
    for seed in SEEDS:
        X, heads = heads_args(seed)
        got = transpose_output(transpose_qkv(X, heads), heads)
        assert_close(got, X, what=f"transpose_output(transpose_qkv(X, {heads}), {heads}) for X {tuple(X.shape)}",
                     hint="reshape to (batch, heads, n, d), permute back to (batch, n, heads, d), then merge the "
                          "heads")


@check("multihead_attention.MultiHeadAttention", points=2)
def check_MultiHeadAttention_matches_reference(MultiHeadAttention):
    for seed in SEEDS:
        inputs = attention_inputs(seed, q_size=6, k_size=4, v_size=5)
        for bias in (False, True):
            torch.manual_seed(seed)
            mine = MultiHeadAttention(4, 6, 5, 12, 3, 0.0, bias=bias)
            expected = ref("multihead_attention.MultiHeadAttention")(4, 6, 5, 12, 3, 0.0, bias=bias)
            assert_same_function(mine, expected, inputs,
                                 what=f"MultiHeadAttention(key_size=4, query_size=6, value_size=5, num_hiddens=12, "
                                      f"num_heads=3, bias={bias}) with {lens_label(inputs[3])} (seed {seed})")


@check("multihead_attention.MultiHeadAttention", points=2)
def check_MultiHeadAttention_matches_torch(MultiHeadAttention):
    """nn.MultiheadAttention(bias=False) with the same W_q, W_k, W_v, W_o computes the same thing."""
    for seed, (embed, heads) in enumerate(((8, 2), (12, 4), (16, 1))):
        torch.manual_seed(seed)
        mine = MultiHeadAttention(embed, embed, embed, embed, heads, 0.0).eval()
        theirs = nn.MultiheadAttention(embed, heads, bias=False, batch_first=True).eval()
        W_q, W_k, W_v, W_o = (randn((embed, embed), seed + i, scale=embed ** -0.5) for i in range(4))
        with torch.no_grad():
            theirs.in_proj_weight.copy_(torch.cat([W_q, W_k, W_v]))
            theirs.out_proj.weight.copy_(W_o)
            for name, weight in zip(("W_q", "W_k", "W_v", "W_o"), (W_q, W_k, W_v, W_o)):
                getattr(mine, name).weight.copy_(weight)
        queries, keys, values = randn((3, 4, embed), seed), randn((3, 6, embed), seed + 1), randn((3, 6, embed), seed + 2)
        valid_lens = randint(1, 7, (3,), seed + 3)
        with torch.no_grad():
            got = mine(queries, keys, values, valid_lens)
            expected, _ = theirs(queries, keys, values, key_padding_mask=torch.arange(6) >= valid_lens[:, None],
                                 need_weights=False)
        assert_close(got, expected, what=f"MultiHeadAttention({embed}, ..., num_heads={heads}) against "
                     f"nn.MultiheadAttention with the same weights and valid_lens {valid_lens.tolist()}",
                     hint="head h uses features h*d:(h+1)*d of each projection, scores scaled by 1/sqrt(d) with d "
                          "the head size; each example's valid lengths repeated for its own heads")


@check("multihead_attention.MultiHeadAttention")
def check_MultiHeadAttention_no_builtin(MultiHeadAttention):
    torch.manual_seed(0)
    mine = MultiHeadAttention(12, 12, 12, 12, 3, 0.0).eval()
    assert_no_forbidden_calls(mine, *attention_inputs(1, q_size=12, k_size=12, v_size=12), forbidden=TORCH_MHA,
                              what="MultiHeadAttention")


# A training check: a one-layer attention model tags short sequences. Each example has STEPS random tokens of
# which only the first L (2..STEPS) are valid: the rest is filler that only the mask tells apart. At every valid
# position the model predicts (a) the previous token, which needs positional information, and (b) the last valid
# token, which needs both (attend to the latest position the mask leaves). Accuracy: the worse of the two.
VOCAB, STEPS, TASK_BUDGET = 10, 8, "200 Adam steps (lr 0.01, batches of 64 sequences of 8 tokens, dropout 0)"


def tagging_batch(n, generator):
    X = torch.randint(0, VOCAB, (n, STEPS), generator=generator)
    valid_lens = torch.randint(2, STEPS + 1, (n,), generator=generator)
    valid = torch.arange(STEPS) < valid_lens[:, None]
    previous = torch.cat([X[:, :1], X[:, :-1]], dim=1)
    last = X.gather(1, valid_lens[:, None] - 1).expand(n, STEPS)
    has_previous = valid.clone()
    has_previous[:, 0] = False
    return X, valid_lens, (previous, last), (has_previous, valid)


class _Tagger(nn.Module):
    def __init__(self, MultiHeadAttention, PositionalEncoding, num_hiddens=32, num_heads=4):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, num_hiddens)
        self.position = PositionalEncoding(num_hiddens, 0.0)
        self.attention = MultiHeadAttention(num_hiddens, num_hiddens, num_hiddens, num_hiddens, num_heads, 0.0)
        self.output = nn.Linear(2 * num_hiddens, 2 * VOCAB)

    def forward(self, X, valid_lens):
        H = self.position(self.embedding(X))
        features = torch.cat([H, self.attention(H, H, H, valid_lens)], dim=-1)
        return self.output(features).reshape(*X.shape, 2, VOCAB)


def tagging_accuracy(MultiHeadAttention, PositionalEncoding, steps=200):
    """Train the tagger; return ``[(accuracy on the previous token, accuracy on the last valid token)]``."""
    generator = torch.Generator().manual_seed(0)
    net = _Tagger(MultiHeadAttention, PositionalEncoding)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    net.train()
    for _ in range(steps):
        X, valid_lens, targets, where = tagging_batch(64, generator)
        logits = net(X, valid_lens)
        loss = sum(F.cross_entropy(logits[:, :, i][w], t[w]) for i, (t, w) in enumerate(zip(targets, where)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    net.eval()
    X, valid_lens, targets, where = tagging_batch(1000, torch.Generator().manual_seed(1))
    with torch.no_grad():
        predicted = net(X, valid_lens).argmax(-1)
    return [tuple((predicted[:, :, i][w] == t[w]).float().mean().item() for i, (t, w) in enumerate(zip(targets, where)))]


def train_tagger(MultiHeadAttention, PositionalEncoding, whose):
    train_to_threshold(lambda: tagging_accuracy(MultiHeadAttention, PositionalEncoding),
                       metric=lambda h: min(h[-1]),
                       threshold=0.9, reference_value=0.999, budget=TASK_BUDGET,
                       what=f"a one-layer self-attention tagger built from {whose}: the lower of its accuracies on "
                            "'previous token' (needs positions) and 'last valid token' (needs positions and the mask)")


@check("multihead_attention.MultiHeadAttention", points=3, kind="accuracy")
def check_MultiHeadAttention_learns_tagging(MultiHeadAttention):
    train_tagger(MultiHeadAttention, ref("self_attention.PositionalEncoding"),
                 "your MultiHeadAttention and the reference PositionalEncoding")


# §10.6 positional encoding -----------------------------------------------------------------------

def exact_table(max_len, num_hiddens):
    """The sin/cos table in float64, one column at a time from the formula."""
    position = torch.arange(max_len, dtype=torch.float64)[:, None]
    column = torch.arange(num_hiddens)
    angle = position / torch.pow(10000.0, (column - column % 2).double() / num_hiddens)
    return torch.where(column % 2 == 0, torch.sin(angle), torch.cos(angle))


@check("self_attention.PositionalEncoding", points=2)
def check_PositionalEncoding_table_exact(PositionalEncoding):
    for num_hiddens, max_len, steps in ((64, 1000, 1000), (6, 50, 17), (128, 1000, 333)):
        encoding = PositionalEncoding(num_hiddens, 0.0, max_len).eval()
        X = randn((2, steps, num_hiddens), steps)
        with torch.no_grad():
            got = encoding(X)
        expected = (X.double() + exact_table(steps, num_hiddens)).float()
        assert_close(got, expected, atol=3e-4, rtol=1e-5,
                     what=f"PositionalEncoding({num_hiddens}, 0, max_len={max_len})(X (2, {steps}, {num_hiddens}))",
                     hint="X + P[:, :n] with P[i, 2j] = sin(i / 10000^(2j/d)), P[i, 2j+1] = cos(i / 10000^(2j/d)); "
                          "only the first n = X.shape[1] positions")


@check("self_attention.PositionalEncoding")
def check_PositionalEncoding_odd_num_hiddens(PositionalEncoding):
    for num_hiddens in (1, 7):
        encoding = PositionalEncoding(num_hiddens, 0.0, 30).eval()
        with torch.no_grad():
            got = encoding(torch.zeros(1, 30, num_hiddens))
        assert_close(got[0], exact_table(30, num_hiddens).float(), atol=1e-5,
                     what=f"PositionalEncoding({num_hiddens}, 0, 30)(zeros(1, 30, {num_hiddens})) (odd num_hiddens)",
                     hint="an odd num_hiddens has one more sine column than cosine columns: fill P[..., 1::2] with "
                          "only the first num_hiddens // 2 cosine columns")


@check("self_attention.PositionalEncoding")
def check_PositionalEncoding_dropout_train_only(PositionalEncoding):
    encoding = PositionalEncoding(16, 0.5, 100)
    X = randn((4, 20, 16), 0)
    expected = X + exact_table(20, 16).float()
    encoding.eval()
    with torch.no_grad():
        assert_close(encoding(X), expected, atol=1e-5, what="PositionalEncoding(16, dropout=0.5) in eval mode",
                     hint="dropout acts in training mode only (nn.Dropout does that for you)")
        encoding.train()
        trained = encoding(X)
    zeros = (trained == 0).float().mean().item()
    assert 0.4 < zeros < 0.6, f"in training mode with dropout 0.5, {zeros:.0%} of the outputs are 0, expected about 50%"
    kept = trained != 0
    assert_close(trained[kept], 2 * expected[kept], atol=1e-5, what="the outputs kept by dropout 0.5 in training mode",
                 hint="dropout(X + P): add the table first, then drop and rescale by 1 / (1 - p)")


@check("self_attention.PositionalEncoding", points=3, kind="accuracy")
def check_PositionalEncoding_learns_tagging(PositionalEncoding):
    train_tagger(ref("multihead_attention.MultiHeadAttention"), PositionalEncoding,
                 "your PositionalEncoding and the reference MultiHeadAttention")
