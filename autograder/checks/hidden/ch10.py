"""Chapter 10 (注意力机制), hidden checks: one property of the contract per check (values, dtypes, devices,
purity, gradients, initial weights, dropout, forbidden shortcuts, loops, speed), and training checks whose
metrics the judge computes from what the student's code predicted."""
import math
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

from autograder.harness import (chapter_references, Forbidden, SEEDS, assert_close, assert_gradients_match,
                                assert_keeps_device, assert_matches_reference, assert_no_forbidden_calls,
                                assert_same_outputs, assert_tensor, check, counted_call, describe, device_check,
                                dtype_check, module_speed_check, on_its_side, pure_check, randint, randn,
                                reference_check, speed_check, student_side, train_to_threshold, uniform)
from autograder.checks.hidden.nmt_common import assert_same_initial_state, initial_weights_check, load_weights

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

# What the code under test of each module calls of the chapter's other exercises: while a unit check runs,
# the student's modules call the references instead, so a mistake there costs this check nothing.
SCORING = ("masked_softmax",)
HEADS = ("transpose_qkv", "transpose_output", "DotProductAttention", "masked_softmax")


ref = chapter_references("ch10")


def _clone(args):
    return tuple(a.detach().clone() if isinstance(a, torch.Tensor) else a for a in args)


# Chapter-local helpers --------------------------------------------------------------------------------------------

def _count_torch_calls(fn, args):
    with torch.no_grad():
        return counted_call(fn, *args, level="torch")


def assert_no_python_loop(fn, reference_fn, make_args, sizes, *, what, over, hint=""):
    """``fn(*make_args(size))`` is the reference's output for every size, and makes the same number of torch calls
    for every size: a Python loop over ``over`` makes that number grow with it. ``fn`` runs where its code lives."""
    counts, labels = [], []
    for size in sizes:
        args = make_args(size)
        with torch.no_grad():
            expected = reference_fn(*_clone(args))
        label = ", ".join(describe(a) for a in args if isinstance(a, torch.Tensor))
        got, count = student_side(_count_torch_calls, fn, _clone(args))
        assert_same_outputs(got, expected, what=f"{what} for {label} (it must also be right for this check to count)")
        counts.append(count)
        labels.append(label)
    if len(set(counts)) > 1:
        raise AssertionError(f"{what} makes {counts[0]} torch calls for {labels[0]} but {counts[-1]} for {labels[-1]}: "
                             f"the number grows with {over}, so there is a Python loop over them"
                             + (f"\n  hint: {hint}" if hint else ""))


def _run_module(net, inputs, train, seed):
    """Output and attention weights of one forward pass (student side, or here for a reference)."""
    net.train(train)
    torch.manual_seed(seed)
    with torch.no_grad():
        out = net(*inputs)
    weights = getattr(net, "attention_weights", None)
    return out, weights.detach().clone() if isinstance(weights, torch.Tensor) else weights


def run_module(net, inputs, *, train=False, seed=0):
    return on_its_side(net, _run_module, tuple(inputs), train, seed)


def axis_hint(weights, default=""):
    """Attention weights that sum to 1 over the queries rather than over the keys (a softmax over the wrong axis)."""
    if isinstance(weights, torch.Tensor) and weights.dim() >= 2 and weights.is_floating_point():
        w = weights.detach().double()
        keys_ok = torch.allclose(w.sum(-1), torch.ones((), dtype=torch.float64), atol=1e-4)
        if not keys_ok and torch.allclose(w.sum(-2), torch.ones((), dtype=torch.float64), atol=1e-4):
            return ("the weights sum to 1 over the queries, not over the keys: take the softmax over the keys of "
                    "each query (the last axis, dim=-1), not over the queries")
    return default


# §10.2 Nadaraya-Watson kernel regression ----------------------------------------------------------

def book_data(seed=0):
    """The book's synthetic data: 50 sorted inputs in [0, 5), y = 2 sin(x) + x^0.8 + N(0, 0.5²)."""
    g = torch.Generator().manual_seed(seed)
    x_train, _ = torch.sort(torch.rand(50, generator=g) * 5)
    y_train = 2 * torch.sin(x_train) + x_train ** 0.8 + torch.normal(0.0, 0.5, (50,), generator=g)
    return torch.arange(0, 5, 0.1), x_train, y_train


def pooling_args(seed, dtype=torch.float32):
    return randn((7 + seed,), seed), randn((11 + 3 * seed,), seed + 10, dtype=dtype)


def average_pooling_hint(got, x_test):
    if isinstance(got, torch.Tensor) and tuple(got.shape) != (len(x_test),):
        return (f"one prediction per query: a tensor of shape ({len(x_test)},) (len(x_test)), not "
                f"{tuple(got.shape)}; e.g. torch.repeat_interleave(y_train.mean(), len(x_test))")
    return "every prediction is y_train.mean()"


@check("nadaraya_watson.average_pooling", clauses="values")
def check_average_pooling_matches_reference(average_pooling):
    for seed in SEEDS:
        x_test, y_train = pooling_args(seed)
        got = average_pooling(x_test.clone(), y_train.clone())
        if isinstance(got, torch.Tensor) and tuple(got.shape) != (len(x_test),):
            raise AssertionError(f"average_pooling(x_test ({len(x_test)},), y_train ({len(y_train)},)) has shape "
                                 f"{tuple(got.shape)}\n  hint: {average_pooling_hint(got, x_test)}")
        assert_close(got, ref("nadaraya_watson.average_pooling")(x_test, y_train),
                     what=f"average_pooling(x_test (n_test={len(x_test)},), y_train ({len(y_train)},)) (seed {seed})",
                     hint=average_pooling_hint(got, x_test))


dtype_check("nadaraya_watson.average_pooling", pooling_args, (torch.float64,), what="average_pooling(x_test, y_train)",
            operand="y_train", hint="keep y_train's dtype: no torch.zeros/ones/full without dtype=y_train.dtype, "
                                    "no .item() or float()")


device_check("nadaraya_watson.average_pooling", pooling_args, what="average_pooling(x_test, y_train)")


def np_hint(got):
    weights = got[1] if isinstance(got, tuple) and len(got) == 2 else None
    return axis_hint(weights, "returns (y_hat, attention_weights); row i of the weights is the softmax over the keys "
                              "(dim=1) of -(x_test[i] - x_train[j])² / 2")


@check("nadaraya_watson.nonparametric_pooling", points=2, clauses="values")
def check_nonparametric_pooling_matches_reference(nonparametric_pooling):
    for seed in SEEDS:
        args = book_data(seed)
        got = nonparametric_pooling(*_clone(args))
        assert_same_outputs(got, ref("nadaraya_watson.nonparametric_pooling")(*args),
                            what=f"nonparametric_pooling(x_test (50,), x_train (50,), y_train (50,)) (seed {seed})",
                            hint=np_hint(got))


@check("nadaraya_watson.nonparametric_pooling", clauses="gradients")
def check_nonparametric_pooling_gradients(nonparametric_pooling):
    assert_gradients_match(lambda *a: nonparametric_pooling(*a)[0],
                           lambda *a: ref("nadaraya_watson.nonparametric_pooling")(*a)[0], book_data(0),
                           wrt=(0, 1, 2), what="y_hat of nonparametric_pooling")


def np_sizes(n):
    return uniform((n,), n, high=5), uniform((n + 3,), n + 1, high=5), randn((n + 3,), n + 2)


@check("nadaraya_watson.nonparametric_pooling", clauses="no_loop")
def check_nonparametric_pooling_no_loop(nonparametric_pooling):
    assert_no_python_loop(nonparametric_pooling, ref("nadaraya_watson.nonparametric_pooling"), np_sizes, (3, 8),
                          what="nonparametric_pooling", over="the queries or the keys",
                          hint="x_test[:, None] - x_train[None, :] gives every difference at once")


def loo_args(seed, dtype=torch.float32):
    return randn((5 + seed,), seed, dtype=dtype), randn((5 + seed,), seed + 10, dtype=dtype)


@check("nadaraya_watson.leave_one_out", clauses="values")
def check_leave_one_out_matches_reference(leave_one_out):
    for seed in SEEDS:
        x_train, y_train = loo_args(seed)
        got = leave_one_out(x_train.clone(), y_train.clone())
        n = len(x_train)
        kept = isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], torch.Tensor) and \
            tuple(got[0].shape) == (n, n)
        assert_same_outputs(got, ref("nadaraya_watson.leave_one_out")(x_train, y_train),
                            what=f"leave_one_out(x_train ({n},), y_train ({n},)) (seed {seed})",
                            hint="the diagonal is still there: drop entry i from row i, e.g. with the mask "
                                 "~torch.eye(n, dtype=torch.bool)" if kept else
                            "(keys, values) of shape (n, n - 1): row i drops entry i, keeping the order")


reference_check("nadaraya_watson.leave_one_out", lambda seed: loo_args(seed, torch.float64), seeds=SEEDS[:2],
                what="leave_one_out(x_train, y_train) for float64 inputs",
                hint="keep the inputs' dtypes: no torch.zeros/empty without dtype=x_train.dtype", name="keeps_dtype",
                clauses="dtype")


def nw_inputs(seed):
    return uniform((6,), seed, high=5), uniform((6, 5), seed + 1, high=5), randn((6, 5), seed + 2)


def _nw_forward(net, w, inputs):
    with torch.no_grad():
        net.w.fill_(w)
        out = net(*inputs)
    weights = getattr(net, "attention_weights", None)
    return out, weights.detach().clone() if isinstance(weights, torch.Tensor) else weights


def nw_cases(NWKernelRegression):
    """``(what, (output, weights), the reference's (output, weights))`` for w = 0.5, 1.5, ... ."""
    for seed in SEEDS:
        w, inputs = 0.5 + seed, nw_inputs(seed)
        got = on_its_side(NWKernelRegression(), _nw_forward, w, inputs)
        expected = _nw_forward(ref("nadaraya_watson.NWKernelRegression")(), w, inputs)
        yield f"NWKernelRegression with w = {w}, queries (6,), keys and values (6, 5) (seed {seed})", got, expected


@check("nadaraya_watson.NWKernelRegression", points=2, clauses="values")
def check_NWKernelRegression_matches_reference(NWKernelRegression):
    for what, (out, weights), (expected, _) in nw_cases(NWKernelRegression):
        assert_close(out, expected, what=what, hint=axis_hint(weights, "the weights softmax over each query's keys of "
                                                                       "-((query - key) * w)² / 2, times the values"))


@check("nadaraya_watson.NWKernelRegression", clauses="weights")
def check_NWKernelRegression_attention_weights(NWKernelRegression):
    for what, (_, weights), (_, expected) in nw_cases(NWKernelRegression):
        assert_close(weights, expected, what=f"the attention_weights of {what}",
                     hint=axis_hint(weights, "keep the softmax (not the scores) in self.attention_weights"))


def _nw_initial(cls, seed):
    torch.manual_seed(seed)
    net = cls()
    return [(k, p.detach().clone(), type(p).__name__) for k, p in net.named_parameters()], \
        type(getattr(net, "w", None)).__name__


@check("nadaraya_watson.NWKernelRegression", clauses="init")
def check_NWKernelRegression_initial_w(NWKernelRegression):
    for seed in SEEDS[:3]:
        params, kind = student_side(_nw_initial, NWKernelRegression, seed)
        (_, expected, _), = _nw_initial(ref("nadaraya_watson.NWKernelRegression"), seed)[0]
        listed = [(k, tuple(v.shape)) for k, v, _ in params]
        assert listed == [("w", (1,))], \
            f"NWKernelRegression should have one parameter, w of shape (1,); it has {listed} (self.w is a {kind}): " \
            "self.w = nn.Parameter(torch.rand((1,)))"
        assert_close(params[0][1], expected, what=f"the initial w after torch.manual_seed({seed})",
                     hint="draw it like the book: nn.Parameter(torch.rand((1,))), uniform in [0, 1)")


def nw_training(NWKernelRegression, x_train, keys, values, y_train, epochs=5):
    """Student side: the book's loop (§10.2.4) from w = 0.3: SGD lr 0.5 on the summed half squared errors.
    Returns the predictions before each step; the judge computes the losses."""
    net = NWKernelRegression()
    w = net.w
    with torch.no_grad():
        w.fill_(0.3)
    trainer = torch.optim.SGD([w], lr=0.5)
    predictions = []
    for _ in range(epochs):
        trainer.zero_grad()
        y_hat = net(x_train, keys, values)
        predictions.append(y_hat.detach().clone())
        loss = ((y_hat - y_train) ** 2 / 2).sum()
        if not loss.requires_grad:
            return {"error": "no gradient reaches w through NWKernelRegression's output: use self.w itself, "
                             "not self.w.data, .detach(), .item() or float()"}
        loss.backward()
        trainer.step()
    return {"predictions": predictions}


def nw_losses(run, y_train):
    """Judge side: the loss of each epoch, from the predictions the student's model made."""
    if "error" in run:
        raise AssertionError(run["error"])
    losses = []
    for p in run["predictions"]:
        if not isinstance(p, torch.Tensor) or p.shape != y_train.shape:
            raise AssertionError(f"NWKernelRegression's predictions during training should be a tensor of shape "
                                 f"{tuple(y_train.shape)}, got {describe(p)}")
        losses.append(float(((p.double() - y_train.double()) ** 2 / 2).sum()))
    return losses


@check("nadaraya_watson.NWKernelRegression", points=2, kind="accuracy", clauses="trains")
def check_NWKernelRegression_training_lowers_loss(NWKernelRegression):
    _, x_train, y_train = book_data(0)
    keys, values = ref("nadaraya_watson.leave_one_out")(x_train, y_train)
    train_to_threshold(lambda: nw_training(NWKernelRegression, x_train, keys, values, y_train),
                       metric=lambda run: (lambda h: h[-1] / h[0])(nw_losses(run, y_train)),
                       history=lambda run: nw_losses(run, y_train),
                       threshold=0.6, higher_is_better=False, reference_value=0.29,
                       what="the loss of the book's loop in epoch 5, as a fraction of epoch 1's (computed from your "
                            "model's predictions)",
                       budget="5 epochs (SGD on w, lr 0.5, w starting at 0.3, the book's 50 examples, leave-one-out "
                              "keys)")


# §9.7 / §10.3 masks and attention scoring -------------------------------------------------------

def mask_args(seed, dtype=torch.float32):
    """X of 2 or 3 axes, valid lengths in [0, maxlen], a fill value."""
    if seed % 2:
        X = randint(-9, 10, (5, 7), seed) if dtype == torch.int64 else randn((5, 7), seed, scale=3, dtype=dtype)
        return X, randint(0, 8, (5,), seed + 1), 0
    X = randint(-9, 10, (4, 6, 3), seed) if dtype == torch.int64 else randn((4, 6, 3), seed, dtype=dtype)
    return X, randint(0, 7, (4,), seed + 1), 0 if dtype == torch.int64 else -1.5


def sequence_mask_hint(got, X, valid_len, value):
    reference_mask = ref("attention_scoring.sequence_mask")
    if isinstance(got, torch.Tensor) and got.shape == X.shape:
        if torch.equal(got.to(X.dtype), reference_mask(X, valid_len + 1, value)):
            return "one position too many is kept: keep j < valid_len[i] (strictly), not j <= valid_len[i]"
        if X.dim() == 3:
            along_last = torch.arange(X.shape[-1])[None, None, :] < valid_len[:, None, None]
            if torch.equal(got.to(X.dtype), X.masked_fill(~along_last, value)):
                return "masked along the last axis: mask along axis 1 (the time steps), all trailing axes together"
    return "keep X[i, j] where j < valid_len[i] (all trailing axes together), else value; return a new tensor"


@check("attention_scoring.sequence_mask", clauses="values")
def check_sequence_mask_matches_reference(sequence_mask):
    for seed in SEEDS:
        X, valid_len, value = mask_args(seed)
        got = sequence_mask(X.clone(), valid_len.clone(), value)
        assert_close(got, ref("attention_scoring.sequence_mask")(X, valid_len, value),
                     what=f"sequence_mask(X {tuple(X.shape)}, valid_len {valid_len.tolist()}, value={value})",
                     hint=sequence_mask_hint(got, X, valid_len, value))


dtype_check("attention_scoring.sequence_mask", mask_args, (torch.int64, torch.float64),
            what="sequence_mask(X, valid_len, value)", operand="X", seeds=SEEDS[:2],
            hint="keep X's dtype: masked_fill or torch.where with value, not a multiplication by a float "
                 "mask")


device_check("attention_scoring.sequence_mask", mask_args, seeds=SEEDS[:2], what="sequence_mask(X, valid_len, value)",
             hint="torch.arange(X.shape[1], device=X.device)")


pure_check("attention_scoring.sequence_mask", mask_args, seeds=SEEDS[:2], what="sequence_mask(X, valid_len, value)",
           hint="X[~mask] = value writes into the caller's X (the book does): return X.masked_fill(~mask, value) "
                "or torch.where(mask, X, value) instead")


def scores(seed, batch=4, queries=5, keys=7, dtype=torch.float32):
    return randn((batch, queries, keys), seed, scale=3, dtype=dtype)


def masked_softmax_args(seed, dtype=torch.float32):
    """``None``, 1-D and 2-D valid lengths in turn (lengths >= 1)."""
    X = scores(seed, dtype=dtype)
    kind = seed % 3
    if kind == 0:
        return X, None
    if kind == 1:
        return X, randint(1, 8, (4,), seed + 1)
    return X, randint(1, 8, (4, 5), seed + 1)


def masked_softmax_hint(got, X, valid_lens):
    reference_softmax = ref("attention_scoring.masked_softmax")
    if isinstance(got, torch.Tensor) and got.shape == X.shape and got.is_floating_point():
        got = got.detach().to(X.dtype)
        if valid_lens is not None and valid_lens.dim() == 1:
            batch, queries = X.shape[:2]
            wrong = valid_lens.repeat(queries).reshape(batch, queries)
            if torch.allclose(got, reference_softmax(X, wrong), atol=1e-5):
                return ("a (batch,) length applies to every query of its example: repeat each length num_queries "
                        "times with torch.repeat_interleave(valid_lens, num_queries), not valid_lens.repeat(...)")
        if valid_lens is not None:
            lens = valid_lens[:, None] if valid_lens.dim() == 1 else valid_lens
            keep = torch.arange(X.shape[-1]) < lens[..., None]
            if torch.allclose(got, torch.softmax(X.masked_fill(~keep, 0.0), dim=-1), atol=1e-5):
                return "masked scores set to 0 still get weight (exp(0) = 1): replace them with -1e6 before the softmax"
        hint = axis_hint(got)
        if hint:
            return hint
    return ("key k of a row is kept when k < its valid length; a (batch,) length applies to every query of that "
            "example, a (batch, num_queries) one to each query")


@check("attention_scoring.masked_softmax", points=2, clauses="values", substitute=("sequence_mask",))
def check_masked_softmax_matches_reference(masked_softmax):
    for seed in range(6):
        X, valid_lens = masked_softmax_args(seed)
        got = masked_softmax(*_clone((X, valid_lens)))
        shown = "valid_lens None" if valid_lens is None else f"valid_lens {valid_lens.tolist()}"
        assert_close(got, ref("attention_scoring.masked_softmax")(X, valid_lens),
                     what=f"masked_softmax(X float32 (4, 5, 7), {shown})", hint=masked_softmax_hint(got, X, valid_lens))


@check("attention_scoring.masked_softmax", clauses="zeros", substitute=("sequence_mask",))
def check_masked_softmax_exact_zeros(masked_softmax):
    X = scores(7, dtype=torch.float64) * 10
    for valid_lens in (randint(1, 8, (4,), 8), randint(1, 8, (4, 5), 9)):
        lens = valid_lens[:, None].expand(4, 5) if valid_lens.dim() == 1 else valid_lens
        got = masked_softmax(X.clone(), valid_lens)
        masked = torch.arange(7) >= lens[..., None]
        shown = f"valid_lens of shape {tuple(valid_lens.shape)}"
        assert_tensor(got, what=f"masked_softmax(X (4, 5, 7) with scores up to ±100, {shown})", shape=(4, 5, 7))
        assert got.is_floating_point(), f"masked_softmax returned a {got.dtype} tensor: expected weights in [0, 1]"
        # at the dtype that came back: whether the dtype is X's is the dtype clause's check
        assert_close(got[masked], torch.zeros(int(masked.sum()), dtype=got.dtype), atol=0, rtol=0,
                     what=f"the weights of masked keys for scores up to ±100 ({shown})",
                     hint="replace masked scores with a large negative number (-1e6) before the softmax: -100 or "
                          "-1e3 still leaves tiny weights when the valid scores are small")
        assert_close(got.sum(-1), torch.ones(4, 5, dtype=got.dtype), what=f"the row sums for scores up to ±100 ({shown})")


dtype_check("attention_scoring.masked_softmax", masked_softmax_args, (torch.float64,), seeds=(0, 1, 2),
            what="masked_softmax(X, valid_lens)", operand="X",
            hint="keep X's dtype: no .float() and no torch.full/ones/zeros without dtype=X.dtype",
            substitute=("sequence_mask",))


@check("attention_scoring.masked_softmax", clauses="device", substitute=("sequence_mask",))
def check_masked_softmax_on_device(masked_softmax):
    assert_matches_reference(masked_softmax, ref("attention_scoring.masked_softmax"), masked_softmax_args,
                             seeds=(1, 2), what="masked_softmax(X, valid_lens)")
    for seed in (1, 2):
        assert_keeps_device(masked_softmax, *masked_softmax_args(seed), what="masked_softmax(X, valid_lens)",
                            hint="torch.arange(X.shape[-1], device=X.device)")


@check("attention_scoring.masked_softmax", clauses="gradients", substitute=("sequence_mask",))
def check_masked_softmax_gradients(masked_softmax):
    for seed in (1, 2):
        assert_gradients_match(masked_softmax, ref("attention_scoring.masked_softmax"), masked_softmax_args(seed),
                               what=f"masked_softmax(X, valid_lens of {seed} axes)")


pure_check("attention_scoring.masked_softmax", masked_softmax_args, seeds=(1, 2), what="masked_softmax(X, valid_lens)",
           hint="the book's sequence_mask assigns into X.reshape(...), a view of the caller's scores: mask a new "
                "tensor (masked_fill, torch.where)", substitute=("sequence_mask",))


def masked_softmax_with_builtin(X, valid_lens):
    keep = torch.arange(X.shape[-1], device=X.device) < valid_lens[:, None, None]
    return torch.softmax(X.masked_fill(~keep, float("-inf")), dim=-1)


# The CPU check calls the reference's sequence_mask (no cascade; the callback costs little next to the CPU
# kernels: the reference's ratio goes from about 1 to under 2, the limit is 10); the GPU one keeps the student's.
speed_check("attention_scoring.masked_softmax",
            lambda device, seed=0: (randn((4096, 8, 16), seed, device=device),
                                    randint(1, 17, (4096,), seed + 1000, device=device)),
            builtin=masked_softmax_with_builtin, limit=10, substitute=("sequence_mask",),
            hint="build the whole mask at once by broadcasting arange(num_keys) against the valid lengths; "
                 "no Python loop over the batch or the queries")


def attention_inputs(seed, q_size=6, k_size=6, v_size=3, batch=3, queries=4, kv=5):
    """queries (batch, queries, q_size), keys (batch, kv, k_size), values (batch, kv, v_size); valid lens None /
    1-D / 2-D by seed."""
    q, k = randn((batch, queries, q_size), seed), randn((batch, kv, k_size), seed + 1)
    v = randn((batch, kv, v_size), seed + 2)
    lens = (None, randint(1, kv + 1, (batch,), seed + 3), randint(1, kv + 1, (batch, queries), seed + 3))[seed % 3]
    return q, k, v, lens


def lens_label(valid_lens):
    return "valid_lens None" if valid_lens is None else f"valid_lens of shape {tuple(valid_lens.shape)}"


def additive_pair(AdditiveAttention, seed, dropout=0.0):
    """The student's and the reference's AdditiveAttention(4, 6, 8), the reference's weights in both."""
    torch.manual_seed(seed)
    net = AdditiveAttention(4, 6, 8, dropout)
    expected = ref("attention_scoring.AdditiveAttention")(4, 6, 8, dropout)
    load_weights(net, expected, what="AdditiveAttention(key_size=4, query_size=6, num_hiddens=8)")
    return net, expected


@check("attention_scoring.AdditiveAttention", points=2, clauses="values", substitute=SCORING)
def check_AdditiveAttention_matches_reference(AdditiveAttention):
    for seed in SEEDS:
        net, expected = additive_pair(AdditiveAttention, seed)
        inputs = attention_inputs(seed, q_size=6, k_size=4)
        (got, weights), (want, _) = run_module(net, inputs), run_module(expected, inputs)
        assert_close(got, want, what=f"AdditiveAttention(key_size=4, query_size=6, num_hiddens=8) with "
                                     f"{lens_label(inputs[3])}, the reference's weights, eval mode (seed {seed})",
                     hint=axis_hint(weights, "scores w_v(tanh(W_q q + W_k k)) for every (query, key) pair (queries "
                                             "unsqueeze(2) + keys unsqueeze(1)), masked_softmax, then bmm with values"))


def assert_weights_before_dropout(net, expected, inputs, what):
    """Eval mode and training mode (dropout 0.5): attention_weights are the reference's eval-mode weights."""
    _, want = run_module(expected, inputs)
    for train in (False, True):
        _, weights = run_module(net, inputs, train=train)
        mode = "training" if train else "eval"
        assert_close(weights, want, what=f"attention_weights of {what} in {mode} mode",
                     hint=axis_hint(weights, "keep the masked softmax of the scores in self.attention_weights, before "
                                             "dropout (the book plots them); apply dropout only to what goes into "
                                             "the bmm"))


@check("attention_scoring.AdditiveAttention", clauses="weights", substitute=SCORING)
def check_AdditiveAttention_attention_weights(AdditiveAttention):
    for seed in (1, 2):
        net, expected = additive_pair(AdditiveAttention, seed, dropout=0.5)
        assert_weights_before_dropout(net, expected, attention_inputs(seed, q_size=6, k_size=4, v_size=16),
                                      f"AdditiveAttention(4, 6, 8, dropout=0.5) (seed {seed})")


initial_weights_check("attention_scoring.AdditiveAttention", (4, 6, 8, 0.1),
                      what="AdditiveAttention(key_size=4, query_size=6, num_hiddens=8)",
                      hint="create W_k, W_q, w_v in this order, nn.Linear(..., bias=False), and leave "
                           "PyTorch's default initialisation")


def assert_dropout_on_weights_only_in_training(net, expected, inputs, what):
    """Eval: the reference's output. Train (dropout 0.5): another output."""
    (got, _), (want, _) = run_module(net, inputs), run_module(expected, inputs)
    assert_close(got, want, what=f"{what} in eval mode",
                 hint="nn.Dropout (or F.dropout with training=self.training) must do nothing in eval mode")
    trained, _ = run_module(net, inputs, train=True)
    assert isinstance(trained, torch.Tensor) and trained.shape == want.shape, \
        f"{what} in training mode returned {describe(trained)}, expected a tensor of shape {tuple(want.shape)}"
    assert not torch.allclose(trained, want), \
        f"{what} in training mode gives the eval-mode output: apply self.dropout to the attention weights"


@check("attention_scoring.AdditiveAttention", clauses="dropout", substitute=SCORING)
def check_AdditiveAttention_dropout_train_only(AdditiveAttention):
    net, expected = additive_pair(AdditiveAttention, 0, dropout=0.5)
    assert_dropout_on_weights_only_in_training(net, expected, attention_inputs(1, q_size=6, k_size=4, v_size=16),
                                               "AdditiveAttention(4, 6, 8, dropout=0.5)")


def attention_sizes(q_size, k_size, v_size):
    def make(size):
        batch, queries, kv = size
        return attention_inputs(1, q_size, k_size, v_size, batch=batch, queries=queries, kv=kv)
    return make


@check("attention_scoring.AdditiveAttention", clauses="no_loop", substitute=SCORING)
def check_AdditiveAttention_no_loop(AdditiveAttention):
    net, expected = additive_pair(AdditiveAttention, 0)
    net.eval()
    expected.eval()
    assert_no_python_loop(net, expected, attention_sizes(6, 4, 3), ((2, 3, 4), (4, 6, 7)),
                          what="AdditiveAttention(4, 6, 8)", over="the batch, the queries or the keys",
                          hint="queries.unsqueeze(2) + keys.unsqueeze(1) pairs every query with every key at once")


def dot_product_pair(DotProductAttention, dropout=0.0):
    return DotProductAttention(dropout), ref("attention_scoring.DotProductAttention")(dropout)


def dot_product_hint(got, weights, expected_net, inputs):
    """A missing 1/sqrt(d), or a softmax over the queries."""
    if isinstance(got, torch.Tensor) and got.shape == inputs[0].shape[:2] + inputs[2].shape[-1:]:
        queries, keys, values, lens = inputs
        d = queries.shape[-1]
        unscaled, _ = run_module(expected_net, (queries * math.sqrt(d), keys, values, lens))
        if torch.allclose(got, unscaled, atol=1e-4):
            return f"the scores are not scaled: divide Q K^T by sqrt(d) = sqrt({d}) (d = queries.shape[-1])"
    return axis_hint(weights, "softmax over the keys of Q K^T / sqrt(d) (d = queries.shape[-1]), masked, then times V")


@check("attention_scoring.DotProductAttention", points=2, clauses="values", substitute=SCORING)
def check_DotProductAttention_matches_reference(DotProductAttention):
    for seed in SEEDS:
        net, expected = dot_product_pair(DotProductAttention)
        inputs = attention_inputs(seed)
        (got, weights), (want, _) = run_module(net, inputs), run_module(expected, inputs)
        assert_close(got, want, what=f"DotProductAttention(dropout=0) with {lens_label(inputs[3])}, eval mode "
                                     f"(seed {seed})", hint=dot_product_hint(got, weights, expected, inputs))


@check("attention_scoring.DotProductAttention", clauses="weights", substitute=SCORING)
def check_DotProductAttention_attention_weights(DotProductAttention):
    for seed in (1, 2):
        net, expected = dot_product_pair(DotProductAttention, 0.5)
        assert_weights_before_dropout(net, expected, attention_inputs(seed, v_size=16),
                                      f"DotProductAttention(dropout=0.5) (seed {seed})")


def _dot_product_output(DotProductAttention):
    def run(queries, keys, values, valid_lens=None):
        return DotProductAttention(0.0)(queries, keys, values, valid_lens)
    return run


@check("attention_scoring.DotProductAttention", clauses="gradients", substitute=SCORING)
def check_DotProductAttention_gradients(DotProductAttention):
    for seed in (1, 2):
        assert_gradients_match(_dot_product_output(DotProductAttention),
                               _dot_product_output(ref("attention_scoring.DotProductAttention")),
                               attention_inputs(seed), wrt=(0, 1, 2),
                               what=f"DotProductAttention(queries, keys, values, {lens_label(attention_inputs(seed)[3])})")


@check("attention_scoring.DotProductAttention", clauses="dropout", substitute=SCORING)
def check_DotProductAttention_dropout_train_only(DotProductAttention):
    net, expected = dot_product_pair(DotProductAttention, 0.5)
    assert_dropout_on_weights_only_in_training(net, expected, attention_inputs(1, v_size=16),
                                               "DotProductAttention(dropout=0.5)")


@check("attention_scoring.DotProductAttention", clauses="no_builtin", substitute=SCORING)
def check_DotProductAttention_no_builtin(DotProductAttention):
    net, expected = dot_product_pair(DotProductAttention)
    net.eval()
    expected.eval()
    assert_no_forbidden_calls(net, *attention_inputs(1), forbidden=SDPA, what="DotProductAttention", ref=expected)


def sdpa_with_builtin(queries, keys, values, valid_lens):
    keep = torch.arange(keys.shape[1], device=keys.device) < valid_lens[:, None, None]
    return F.scaled_dot_product_attention(queries, keys, values, attn_mask=keep)


module_speed_check("attention_scoring.DotProductAttention",
                   lambda device, seed=0: (randn((32768, 2, 4), seed, device=device),
                                           randn((32768, 4, 4), seed + 1000, device=device),
                                           randn((32768, 4, 4), seed + 2000, device=device),
                                           randint(1, 5, (32768,), seed + 3000, device=device)),
                   build=lambda cls: cls(0.0).eval(), builtin=sdpa_with_builtin, limit=6, substitute=SCORING,
                   hint="two torch.bmm over the whole batch and one masked softmax; no Python loop over the batch")


# §10.5 multi-head attention -----------------------------------------------------------------------

def heads_args(seed):
    batch, n, heads = 2 + seed % 3, 3 + seed, (1, 2, 3, 4, 6)[seed % 5]
    return randn((batch, n, 12), seed), heads


def transpose_qkv_hint(got, X, heads):
    if isinstance(got, torch.Tensor) and heads > 1 and got.shape == (X.shape[0] * heads, X.shape[1], 12 // heads):
        heads_major = X.reshape(X.shape[0], X.shape[1], heads, -1).permute(2, 0, 1, 3).reshape(got.shape)
        if torch.equal(got, heads_major):
            return ("the rows are heads-major (head h of every example, then head h + 1): the book's order is "
                    "example-major, row b * num_heads + h (permute(0, 2, 1, 3), not permute(2, 0, 1, 3))")
        if torch.equal(got, X.reshape(got.shape)):
            return ("a plain reshape mixes positions and features: reshape to (batch, n, heads, d), permute to "
                    "(batch, heads, n, d), then merge batch and heads")
    return ("reshape to (batch, n, heads, d), permute to (batch, heads, n, d), then merge batch and heads: "
            "example-major, heads of one example adjacent")


reference_check("multihead_attention.transpose_qkv", heads_args, what="transpose_qkv(X, num_heads)",
                hint=transpose_qkv_hint)


@check("multihead_attention.transpose_output", clauses="values")
def check_transpose_output_undoes_the_head_split(transpose_output):
    transpose_qkv = ref("multihead_attention.transpose_qkv")
    for seed in SEEDS:
        X, heads = heads_args(seed)
        got = transpose_output(transpose_qkv(X, heads), heads)
        assert_close(got, X, what=f"transpose_output(transpose_qkv(X, {heads}), {heads}) for X {tuple(X.shape)}",
                     hint="reshape to (batch, heads, n, d), permute back to (batch, n, heads, d), then merge the "
                          "heads")


def mha_pair(MultiHeadAttention, sizes, heads, *, bias=False, seed=0):
    """The student's and the reference's MultiHeadAttention(*sizes, heads, dropout 0), the reference's weights in
    both."""
    torch.manual_seed(seed)
    mine = MultiHeadAttention(*sizes, heads, 0.0, bias=bias)
    expected = ref("multihead_attention.MultiHeadAttention")(*sizes, heads, 0.0, bias=bias)
    load_weights(mine, expected, what=f"MultiHeadAttention{(*sizes, heads)} with bias={bias}")
    return mine, expected


@check("multihead_attention.MultiHeadAttention", points=2, clauses="values", substitute=HEADS)
def check_MultiHeadAttention_matches_reference(MultiHeadAttention):
    for seed in SEEDS:
        inputs = attention_inputs(seed, q_size=6, k_size=4, v_size=5)
        for bias in (False, True):
            mine, expected = mha_pair(MultiHeadAttention, (4, 6, 5, 12), 3, bias=bias, seed=seed)
            (got, _), (want, _) = run_module(mine, inputs), run_module(expected, inputs)
            assert_close(got, want, what=f"MultiHeadAttention(key_size=4, query_size=6, value_size=5, num_hiddens=12, "
                                         f"num_heads=3, bias={bias}) with {lens_label(inputs[3])}, the reference's "
                                         f"weights (seed {seed})",
                         hint="project with W_q, W_k, W_v, split the heads with transpose_qkv, repeat each example's "
                              "valid lengths num_heads times with repeat_interleave (dim=0), attend, join with "
                              "transpose_output, then W_o")


@check("multihead_attention.MultiHeadAttention", points=2, clauses="values", substitute=HEADS)
def check_MultiHeadAttention_matches_torch(MultiHeadAttention):
    """nn.MultiheadAttention(bias=False) with the same W_q, W_k, W_v, W_o computes the same thing."""
    for seed, (embed, heads) in enumerate(((8, 2), (12, 4), (16, 1))):
        torch.manual_seed(seed)
        mine = MultiHeadAttention(embed, embed, embed, embed, heads, 0.0)
        weights = ref("multihead_attention.MultiHeadAttention")(embed, embed, embed, embed, heads, 0.0)
        W_q, W_k, W_v, W_o = (randn((embed, embed), seed + i, scale=embed ** -0.5) for i in range(4))
        with torch.no_grad():
            for layer, weight in zip((weights.W_q, weights.W_k, weights.W_v, weights.W_o), (W_q, W_k, W_v, W_o)):
                layer.weight.copy_(weight)
        load_weights(mine, weights, what=f"MultiHeadAttention({embed}, ..., num_heads={heads})")
        theirs = nn.MultiheadAttention(embed, heads, bias=False, batch_first=True).eval()
        with torch.no_grad():
            theirs.in_proj_weight.copy_(torch.cat([W_q, W_k, W_v]))
            theirs.out_proj.weight.copy_(W_o)
        queries, keys, values = randn((3, 4, embed), seed), randn((3, 6, embed), seed + 1), randn((3, 6, embed), seed + 2)
        valid_lens = randint(1, 7, (3,), seed + 3)
        got, _ = run_module(mine, (queries, keys, values, valid_lens))
        with torch.no_grad():
            expected, _ = theirs(queries, keys, values, key_padding_mask=torch.arange(6) >= valid_lens[:, None],
                                 need_weights=False)
        assert_close(got, expected, what=f"MultiHeadAttention({embed}, ..., num_heads={heads}) against "
                     f"nn.MultiheadAttention with the same weights and valid_lens {valid_lens.tolist()}",
                     hint="head h uses features h*d:(h+1)*d of each projection, scores scaled by 1/sqrt(d) with d "
                          "the head size; each example's valid lengths repeated for its own heads")


@check("multihead_attention.MultiHeadAttention", clauses="init", substitute=HEADS)
def check_MultiHeadAttention_initial_weights(MultiHeadAttention):
    for bias in (False, True):
        assert_same_initial_state(MultiHeadAttention, ref("multihead_attention.MultiHeadAttention"),
                                  (4, 6, 5, 12, 3, 0.0), {"bias": bias}, seeds=(0, 1),
                                  what=f"MultiHeadAttention(4, 6, 5, 12, 3, bias={bias})",
                                  hint="create attention, W_q, W_k, W_v, W_o in this order, nn.Linear(..., "
                                       "bias=bias), and leave PyTorch's default initialisation")


@check("multihead_attention.MultiHeadAttention", clauses="no_builtin", substitute=HEADS)
def check_MultiHeadAttention_no_builtin(MultiHeadAttention):
    mine, expected = mha_pair(MultiHeadAttention, (12, 12, 12, 12), 3)
    mine.eval()
    assert_no_forbidden_calls(mine, *attention_inputs(1, q_size=12, k_size=12, v_size=12), forbidden=TORCH_MHA,
                              what="MultiHeadAttention", ref=expected.eval())


@check("multihead_attention.MultiHeadAttention", clauses="no_loop", substitute=HEADS)
def check_MultiHeadAttention_no_loop(MultiHeadAttention):
    counts = []
    for heads, size in ((2, (2, 3, 4)), (4, (4, 5, 6))):
        mine, expected = mha_pair(MultiHeadAttention, (4, 6, 5, 12), heads)
        args = attention_sizes(6, 4, 5)(size)
        with torch.no_grad():
            want = expected.eval()(*_clone(args))
        got, count = student_side(_count_torch_calls, mine.eval(), _clone(args))
        assert_close(got, want, what=f"MultiHeadAttention(4, 6, 5, 12, num_heads={heads}) for a batch of {size[0]} "
                                     "(it must also be right for this check to count)")
        counts.append(count)
    if counts[0] != counts[1]:
        raise AssertionError(f"MultiHeadAttention makes {counts[0]} torch calls with 2 heads and a batch of 2, but "
                             f"{counts[1]} with 4 heads and a batch of 4: the number grows with the heads or the "
                             "batch, so there is a Python loop over them\n  hint: transpose_qkv puts every head of "
                             "every example in the batch axis, so one call of self.attention does them all")


# A training check: a one-layer attention model tags short sequences. Each example has STEPS random tokens of
# which only the first L (2..STEPS) are valid: the rest is filler that only the mask tells apart. At every valid
# position the model predicts (a) the previous token, which needs positional information, and (b) the last valid
# token, which needs both (attend to the latest position the mask leaves). Accuracy: the worse of the two, computed
# by the judge from the trained model's predictions on sequences it keeps the answers to.
VOCAB, STEPS = 10, 8
TASK_BUDGET = "200 Adam steps (lr 0.01, batches of 64 sequences of 8 tokens, dropout 0)"


def tagging_batch(n, generator):
    X = torch.randint(0, VOCAB, (n, STEPS), generator=generator)
    valid_lens = torch.randint(2, STEPS + 1, (n,), generator=generator)
    valid = torch.arange(STEPS) < valid_lens[:, None]
    previous = torch.cat([X[:, :1], X[:, :-1]], dim=1)
    last = X.gather(1, valid_lens[:, None] - 1).expand(n, STEPS)
    has_previous = valid.clone()
    has_previous[:, 0] = False
    return X, valid_lens, (previous, last), (has_previous, valid)


class _CheckPositionalEncoding(nn.Module):
    """The check's own sinusoidal encoding (for the tagger that grades MultiHeadAttention)."""

    def __init__(self, num_hiddens, dropout, max_len=64):
        super().__init__()
        position = torch.arange(max_len, dtype=torch.float64)[:, None]
        column = torch.arange(num_hiddens)
        angle = position / torch.pow(10000.0, (column - column % 2).double() / num_hiddens)
        table = torch.where(column % 2 == 0, torch.sin(angle), torch.cos(angle)).float()
        self.register_buffer("P", table[None], persistent=False)

    def forward(self, X):
        return X + self.P[:, :X.shape[1]]


class _CheckMultiHeadAttention(nn.Module):
    """The check's own multi-head attention (for the tagger that grades PositionalEncoding)."""

    def __init__(self, key_size, query_size, value_size, num_hiddens, num_heads, dropout, bias=False):
        super().__init__()
        self.num_heads = num_heads
        self.W_q = nn.Linear(query_size, num_hiddens, bias=bias)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=bias)
        self.W_v = nn.Linear(value_size, num_hiddens, bias=bias)
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)

    def forward(self, queries, keys, values, valid_lens):
        def split(X):
            return X.reshape(X.shape[0], X.shape[1], self.num_heads, -1).transpose(1, 2)
        q, k, v = split(self.W_q(queries)), split(self.W_k(keys)), split(self.W_v(values))
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        keep = torch.arange(k.shape[2]) < valid_lens[:, None, None, None]
        weights = torch.softmax(scores.masked_fill(~keep, -1e6), dim=-1)
        out = (weights @ v).transpose(1, 2)
        return self.W_o(out.reshape(out.shape[0], out.shape[1], -1))


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


def tagger_run(MultiHeadAttention, PositionalEncoding, X_test, lens_test, steps=200):
    """Student side: train the tagger; return its losses and its predictions on the judge's test sequences."""
    generator = torch.Generator().manual_seed(0)
    net = _Tagger(MultiHeadAttention, PositionalEncoding)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    net.train()
    losses = []
    for step in range(steps):
        X, valid_lens, targets, where = tagging_batch(64, generator)
        logits = net(X, valid_lens)
        loss = sum(F.cross_entropy(logits[:, :, i][w], t[w]) for i, (t, w) in enumerate(zip(targets, where)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 10 == 9:
            losses.append(float(loss.detach()))
    net.eval()
    with torch.no_grad():
        predicted = net(X_test, lens_test).argmax(-1)
    return {"losses": losses, "predicted": predicted}


def tagging_accuracies(run, targets, where):
    """Judge side: the accuracies on 'previous token' and 'last valid token', from the model's predictions."""
    predicted = run.get("predicted") if isinstance(run, dict) else None
    if not isinstance(predicted, torch.Tensor) or tuple(predicted.shape) != tuple(targets[0].shape) + (2,):
        raise AssertionError(f"the tagger's predictions should be a tensor of shape {tuple(targets[0].shape) + (2,)}, "
                             f"got {describe(predicted)}")
    return [float((predicted[:, :, i][w] == t[w]).double().mean()) for i, (t, w) in enumerate(zip(targets, where))]


def train_tagger(MultiHeadAttention, PositionalEncoding, whose):
    X, valid_lens, targets, where = tagging_batch(1000, torch.Generator().manual_seed(1))
    train_to_threshold(lambda: tagger_run(MultiHeadAttention, PositionalEncoding, X, valid_lens),
                       metric=lambda run: min(tagging_accuracies(run, targets, where)),
                       history=lambda run: run["losses"],
                       threshold=0.9, reference_value=0.999, budget=TASK_BUDGET,
                       what=f"a one-layer self-attention tagger built from {whose}: the lower of its accuracies on "
                            "'previous token' (needs positions) and 'last valid token' (needs positions and the "
                            "mask) on 1,000 test sequences")


@check("multihead_attention.MultiHeadAttention", points=3, kind="accuracy", clauses="values", integration=True)
def check_MultiHeadAttention_learns_tagging(MultiHeadAttention):
    train_tagger(MultiHeadAttention, _CheckPositionalEncoding,
                 "your MultiHeadAttention (with your DotProductAttention, masked_softmax, transpose_qkv and "
                 "transpose_output) and the check's own positional encoding")


# §10.6 positional encoding -----------------------------------------------------------------------

def exact_table(max_len, num_hiddens):
    """The sin/cos table in float64, one column at a time from the formula."""
    position = torch.arange(max_len, dtype=torch.float64)[:, None]
    column = torch.arange(num_hiddens)
    angle = position / torch.pow(10000.0, (column - column % 2).double() / num_hiddens)
    return torch.where(column % 2 == 0, torch.sin(angle), torch.cos(angle))


def table_hint(got, X, num_hiddens):
    if isinstance(got, torch.Tensor) and got.shape == X.shape:
        added = (got.double() - X.double())[0]
        table = exact_table(X.shape[1], num_hiddens)
        swapped = torch.where(torch.arange(num_hiddens) % 2 == 0, table.roll(-1, 1), table.roll(1, 1))
        if torch.allclose(added[:, :num_hiddens // 2 * 2], swapped[:, :num_hiddens // 2 * 2], atol=1e-3):
            return "sin and cos are swapped: the even columns 2j hold the sines, the odd columns 2j + 1 the cosines"
        if torch.allclose(added, torch.zeros_like(added), atol=1e-6):
            return "nothing was added: return X + self.P[:, :X.shape[1], :] (then dropout)"
    return ("X + P[:, :n] with P[i, 2j] = sin(i / 10000^(2j/d)), P[i, 2j+1] = cos(i / 10000^(2j/d)); only the first "
            "n = X.shape[1] positions")


@check("self_attention.PositionalEncoding", points=2, clauses="values")
def check_PositionalEncoding_table_exact(PositionalEncoding):
    for num_hiddens, max_len, steps in ((64, 1000, 1000), (6, 50, 17), (128, 1000, 333)):
        encoding = PositionalEncoding(num_hiddens, 0.0, max_len).eval()
        X = randn((2, steps, num_hiddens), steps)
        with torch.no_grad():
            got = encoding(X)
        expected = (X.double() + exact_table(steps, num_hiddens)).float()
        assert_close(got, expected, atol=3e-4, rtol=1e-5,
                     what=f"PositionalEncoding({num_hiddens}, 0, max_len={max_len})(X (2, {steps}, {num_hiddens}))",
                     hint=table_hint(got, X, num_hiddens))


@check("self_attention.PositionalEncoding", clauses="odd")
def check_PositionalEncoding_odd_num_hiddens(PositionalEncoding):
    for num_hiddens in (1, 7):
        encoding = PositionalEncoding(num_hiddens, 0.0, 30).eval()
        with torch.no_grad():
            got = encoding(torch.zeros(1, 30, num_hiddens))
        assert_close(got[0], exact_table(30, num_hiddens).float(), atol=1e-5,
                     what=f"PositionalEncoding({num_hiddens}, 0, 30)(zeros(1, 30, {num_hiddens})) (odd num_hiddens)",
                     hint="an odd num_hiddens has one more sine column than cosine columns: fill P[..., 1::2] with "
                          "only the first num_hiddens // 2 cosine columns")


@check("self_attention.PositionalEncoding", clauses="dropout")
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


@check("self_attention.PositionalEncoding", clauses="device")
def check_PositionalEncoding_on_device(PositionalEncoding):
    encoding = PositionalEncoding(16, 0.0, 100).eval()
    X = randn((2, 20, 16), 0)
    with torch.no_grad():
        assert_close(encoding(X), X + exact_table(20, 16).float(), atol=1e-5,
                     what="PositionalEncoding(16, 0)(X (2, 20, 16)) in eval mode")
    assert_keeps_device(encoding, X, what="PositionalEncoding(16, 0)(X) for X on another device than the module",
                        hint="X + self.P[:, :X.shape[1], :].to(X.device): the table was made on the CPU")


def _table_facts(cls, num_hiddens, max_len):
    encoding = cls(num_hiddens, 0.0, max_len)
    buffers = dict(encoding.named_buffers())
    P = buffers.get("P")
    facts = {"buffers": sorted(buffers), "parameters": [k for k, _ in encoding.named_parameters()],
             "state": sorted(encoding.state_dict()), "P": P.detach().clone() if isinstance(P, torch.Tensor) else None,
             "kind": type(getattr(encoding, "P", None)).__name__}
    if P is not None:
        encoding.to("meta")
        facts["moved"] = str(encoding.P.device)
    return facts


@check("self_attention.PositionalEncoding", clauses="buffer")
def check_PositionalEncoding_table_buffer(PositionalEncoding):
    facts = student_side(_table_facts, PositionalEncoding, 16, 50)
    assert facts["P"] is not None, \
        f"self.P should be a buffer (its buffers: {facts['buffers']}; self.P is a {facts['kind']}): register it with " \
        "self.register_buffer('P', P, persistent=False), so that .to(device) moves it with the module"
    assert_close(facts["P"], exact_table(50, 16).float()[None], atol=3e-4,
                 what="the buffer P of PositionalEncoding(16, 0, max_len=50) (it must also be right for this check "
                      "to count)")
    assert not facts["parameters"], f"PositionalEncoding should have no parameters, it has {facts['parameters']}"
    assert "P" not in facts["state"], \
        "P is in the state_dict: register it with persistent=False (it is computed, not learned or saved)"
    assert facts["moved"] == "meta", \
        f"after .to('meta') self.P is on {facts['moved']}: keep the table in a buffer, which follows .to(device)"


@check("self_attention.PositionalEncoding", points=3, kind="accuracy", clauses="values", integration=True)
def check_PositionalEncoding_learns_tagging(PositionalEncoding):
    train_tagger(_CheckMultiHeadAttention, PositionalEncoding,
                 "your PositionalEncoding and the check's own multi-head attention")


# =====================================================================================================
# §10.4 Bahdanau attention, §10.7 the Transformer (appended). Unit checks put the references, sent with their code
# (InPlace), where the code under test builds the chapter's other modules, so a mistake in AdditiveAttention or
# MultiHeadAttention costs these checks nothing; the training checks use the student's pieces and say which.
# =====================================================================================================

# names, not the module: check code that runs where the student's code lives refers to them
from autograder.checks.hidden.nmt_common import (GRUEncoder, Task, book_train, call_module, mean_bleu,  # noqa: E402
                                                 seq2seq_run, step_by_step, student_view, task_data)
from autograder.harness import (SEEDS, InPlace, assert_close, assert_keeps_device, assert_same_outputs,  # noqa: E402
                                assert_tensor, check, describe, on_its_side, randint, randn, reference,
                                student_side, train_to_threshold, type_name)


def nmt_ref(name):
    return reference(f"ch10.{name}")


class StrictDevices:
    """In front of the reference MultiHeadAttention: valid lengths must come on the queries' device, as the book's
    pieces take them. The references move them there (so a causal mask made on the CPU works with ours), but the
    book's ``sequence_mask`` compares its ``arange`` on ``X.device`` with ``valid_len`` as it comes, and fails on a
    GPU: the device check uses this one."""

    def forward(self, queries, keys, values, valid_lens):
        if valid_lens is not None and valid_lens.device != queries.device:
            here, caller = sys._getframe(0).f_code.co_filename, sys._getframe(1)
            while caller.f_back is not None and (caller.f_code.co_filename == here or
                                                 f"{os.sep}torch{os.sep}" in caller.f_code.co_filename):
                caller = caller.f_back      # the code that called this attention (nn.Module's machinery skipped)
            raise RuntimeError(f"Expected all tensors to be on the same device: the valid lengths are on "
                               f"{valid_lens.device}, the queries on {queries.device} (passed at "
                               f"{os.path.basename(caller.f_code.co_filename)}:{caller.f_lineno} in "
                               f"{caller.f_code.co_name})")
        return super().forward(queries, keys, values, valid_lens)


PIECES = {"AdditiveAttention": "attention_scoring", "MultiHeadAttention": "multihead_attention",
          "PositionalEncoding": "self_attention", "PositionWiseFFN": "transformer", "AddNorm": "transformer",
          "EncoderBlock": "transformer", "DecoderBlock": "transformer"}


def stand_in(*pieces):
    """``substitute=``: the references of these pieces, sent with their code where the student's chapter-10 modules
    build them (a module must hold its parameters and carry autograd where it lives, so not a stub)."""
    return {name: InPlace(f"ch10.{PIECES[name]}.{name}") for name in pieces}


# §10.4 Bahdanau attention -----------------------------------------------------------------------------------

def _interface(AttentionDecoder):
    """Student side: what the interface does, and whether a subclass can implement it."""
    class Sub(AttentionDecoder):
        def __init__(self):
            super().__init__()
            self.dense = nn.Linear(3, 2)

        def init_state(self, enc_outputs, *args):
            return enc_outputs.sum(0)

        def forward(self, X, state):
            self._weights = torch.ones(1)
            return self.dense(X + state), state

        @property
        def attention_weights(self):
            return self._weights

    base = AttentionDecoder()
    facts = {"module": isinstance(base, nn.Module)}
    for name, call in (("init_state", lambda: base.init_state(torch.ones(2, 3))),
                       ("forward", lambda: base(torch.ones(2, 3), None)),
                       ("attention_weights", lambda: base.attention_weights)):
        try:
            call()
            facts[name] = "returned a value"
        except NotImplementedError:
            facts[name] = "raised"
        except Exception as e:  # noqa: BLE001
            facts[name] = f"raised {type(e).__name__}: {e}"
    sub = Sub()
    Y, _ = sub(torch.zeros(1, 3), sub.init_state(torch.ones(2, 3)))
    facts["subclass"] = (tuple(Y.shape), float(sub.attention_weights.sum()), sum(p.numel() for p in sub.parameters()))
    return facts


@check("bahdanau_attention.AttentionDecoder", clauses="interface")
def check_AttentionDecoder_interface(AttentionDecoder):
    facts = student_side(_interface, AttentionDecoder)
    assert facts["module"], "AttentionDecoder() should be an nn.Module"
    for name in ("init_state", "forward", "attention_weights"):
        assert facts[name] == "raised", \
            f"the interface's {name} should raise NotImplementedError, so that a subclass that forgets it fails " \
            f"loudly; it {facts[name]}"
    assert facts["subclass"] == ((1, 2), 1.0, 8), \
        f"a subclass of AttentionDecoder that registers nn.Linear(3, 2) and implements init_state, forward and " \
        f"attention_weights should work like any nn.Module; got (output shape, weights, parameter count) = " \
        f"{facts['subclass']}"


def attention_decoder_pair(Seq2SeqAttentionDecoder, seed, num_layers=2, dropout=0.0):
    torch.manual_seed(seed)
    expected = nmt_ref("bahdanau_attention.Seq2SeqAttentionDecoder")(11, 5, 7, num_layers, dropout)
    net = Seq2SeqAttentionDecoder(11, 5, 7, num_layers, dropout)
    load_weights(net, expected, what=f"Seq2SeqAttentionDecoder(11, 5, 7, {num_layers})")
    return net, expected


def bahdanau_state(seed, num_layers=2, valid=(6, 6, 6, 6)):
    """The state init_state makes of encoder outputs (6 steps, batch 4, 7 hidden units); valid lengths all 6 but
    for the masking check (which is the only one that depends on them)."""
    outputs, hidden = randn((6, 4, 7), seed), randn((num_layers, 4, 7), seed + 1)
    return [outputs.permute(1, 0, 2).contiguous(), hidden, torch.tensor(valid)]


ATTENTION_PIECES = stand_in("AdditiveAttention")
BAHDANAU_HINT = ("at each step: query = hidden_state[-1].unsqueeze(1), context = self.attention(query, enc_outputs, "
                 "enc_outputs, enc_valid_lens), x = cat((context, embedded step.unsqueeze(1)), dim=-1), one GRU step "
                 "from hidden_state; dense over all steps, permuted to (batch, num_steps, vocab_size)")


@check("bahdanau_attention.Seq2SeqAttentionDecoder", points=2, clauses="values", substitute=ATTENTION_PIECES)
def check_Seq2SeqAttentionDecoder_matches_reference(Seq2SeqAttentionDecoder):
    for seed, num_layers in ((0, 1), (1, 2), (2, 3)):
        net, expected = attention_decoder_pair(Seq2SeqAttentionDecoder, seed, num_layers)
        X, state = randint(0, 11, (4, 5), seed), bahdanau_state(seed, num_layers)
        got, want = call_module(net, X, state), call_module(expected, X, state)
        output = got[0] if isinstance(got, (tuple, list)) and got else got
        assert_close(output, want[0], what=f"the logits of Seq2SeqAttentionDecoder(11, 5, 7, {num_layers})(X (4, 5), "
                                           "state) with the reference's weights", hint=BAHDANAU_HINT)


@check("bahdanau_attention.Seq2SeqAttentionDecoder", clauses="state", substitute=ATTENTION_PIECES)
def check_Seq2SeqAttentionDecoder_carries_its_state(Seq2SeqAttentionDecoder):
    net, expected = attention_decoder_pair(Seq2SeqAttentionDecoder, 3)
    X, state = randint(0, 11, (4, 5), 3), bahdanau_state(3)
    got, want = call_module(net, X, state), call_module(expected, X, state)
    assert isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[1], (tuple, list)) and \
        len(got[1]) == 3, "forward(X, state) should return (outputs, [enc_outputs, hidden_state, enc_valid_lens])"
    for name, g, e in zip(("enc_outputs", "hidden_state", "enc_valid_lens"), got[1], want[1]):
        assert_close(g, e, what=f"{name} in the state forward returns",
                     hint="return [enc_outputs, the GRU's new hidden state, enc_valid_lens]")
    outputs, _ = on_its_side(net, step_by_step, X, state)
    expected_outputs, _ = step_by_step(expected, X, state)
    for t, (g, e) in enumerate(zip(outputs, expected_outputs)):
        assert_close(g, e, what=f"the logits of step {t} when decoding one column at a time from the returned states")


@check("bahdanau_attention.Seq2SeqAttentionDecoder", clauses="init_state", substitute=ATTENTION_PIECES)
def check_Seq2SeqAttentionDecoder_init_state(Seq2SeqAttentionDecoder):
    net = Seq2SeqAttentionDecoder(11, 5, 7, 2)
    outputs, hidden, valid = randn((6, 4, 7), 0), randn((2, 4, 7), 1), torch.tensor([2, 6, 3, 5])
    got = net.init_state((outputs, hidden), valid)
    assert isinstance(got, (tuple, list)) and len(got) == 3, \
        f"init_state(enc_outputs, enc_valid_lens) should return three things, got {type_name(got)}"
    for name, g, e in zip(("outputs", "hidden_state", "enc_valid_lens"), got, (outputs.permute(1, 0, 2), hidden, valid)):
        assert_close(g, e, what=f"{name} in the state init_state returns",
                     hint="(outputs.permute(1, 0, 2), hidden_state, enc_valid_lens): the encoder's outputs batch first")


@check("bahdanau_attention.Seq2SeqAttentionDecoder", clauses="mask", substitute=ATTENTION_PIECES)
def check_Seq2SeqAttentionDecoder_masks_padding(Seq2SeqAttentionDecoder):
    net, expected = attention_decoder_pair(Seq2SeqAttentionDecoder, 4)
    X, state = randint(0, 11, (4, 5), 4), bahdanau_state(4, valid=(2, 6, 3, 1))
    padded = torch.arange(6)[None, :] >= state[2][:, None]
    changed = [torch.where(padded[..., None], randn((4, 6, 7), 99, scale=3), state[0]), state[1], state[2]]
    want = call_module(expected, X, state)[0]
    for enc_state, label in ((state, "the encoder's outputs"), (changed, "other encoder outputs past the valid lengths")):
        got = call_module(net, X, enc_state)
        output = got[0] if isinstance(got, (tuple, list)) and got else got
        assert_close(output, want, what=f"the logits for {label} (enc_valid_lens [2, 6, 3, 1])",
                     hint="pass enc_valid_lens to the attention: positions past it must get no weight")


@check("bahdanau_attention.Seq2SeqAttentionDecoder", clauses="weights", substitute=ATTENTION_PIECES)
def check_Seq2SeqAttentionDecoder_attention_weights(Seq2SeqAttentionDecoder):
    net, expected = attention_decoder_pair(Seq2SeqAttentionDecoder, 5)
    X, state = randint(0, 11, (4, 5), 5), bahdanau_state(5)

    want = on_its_side(expected, _forward_weights, X, state)
    got = on_its_side(net, _forward_weights, X, state)
    assert isinstance(got, list) and len(got) == 5, \
        f"attention_weights after a forward pass over 5 steps should be a list of 5 tensors, got " \
        f"{len(got) if isinstance(got, list) else type_name(got)}\n  hint: append self.attention.attention_weights " \
        "after every step (start a new list in each forward)"
    for t, (g, e) in enumerate(zip(got, want)):
        assert_close(g, e, what=f"attention_weights[{t}] (batch 4, 1 query, 6 encoder steps)")


def _forward_weights(net, X, state):
    net.eval()
    with torch.no_grad():
        net(X, state)
    weights = net.attention_weights
    return [w.detach().clone() if isinstance(w, torch.Tensor) else w for w in weights] \
        if isinstance(weights, (list, tuple)) else weights


def _layers(cls, dropout):
    net = cls(11, 5, 7, 2, dropout)
    attention_dropout = getattr(getattr(getattr(net, "attention", None), "dropout", None), "p", None)
    return {"rnn": getattr(getattr(net, "rnn", None), "dropout", None), "attention": attention_dropout}


@check("bahdanau_attention.Seq2SeqAttentionDecoder", clauses="init", substitute=ATTENTION_PIECES)
def check_Seq2SeqAttentionDecoder_initial_weights(Seq2SeqAttentionDecoder):
    assert_same_initial_state(Seq2SeqAttentionDecoder, nmt_ref("bahdanau_attention.Seq2SeqAttentionDecoder"),
                              (11, 5, 7, 2), {}, seeds=(0, 1), what="Seq2SeqAttentionDecoder(11, 5, 7, 2)",
                              hint="create attention (AdditiveAttention(num_hiddens, num_hiddens, num_hiddens, "
                                   "dropout)), embedding, rnn (nn.GRU(embed_size + num_hiddens, ...)), dense in this "
                                   "order, with PyTorch's defaults")
    facts = student_side(_layers, Seq2SeqAttentionDecoder, 0.3)
    assert facts == {"rnn": 0.3, "attention": 0.3}, \
        f"Seq2SeqAttentionDecoder(11, 5, 7, 2, dropout=0.3) should pass dropout to its GRU and its attention; the " \
        f"GRU's dropout is {facts['rnn']}, the attention's {facts['attention']}"


LONG_TASK = Task(lo=14, hi=22, n_train=2500, n_test=200, num_steps=26)
LONG_BUDGET = {"embed_size": 32, "num_hiddens": 64, "num_layers": 1, "lr": 0.01, "num_epochs": 4, "batch_size": 64}
PLAIN_ON_LONG = 0.235  # the plain seq2seq (§9.7's decoder) on LONG_TASK with LONG_BUDGET, measured (seeds 0-2: 0.235,
# 0.237, 0.219; tests/test_nmt.py keeps it measured)
LONG_THRESHOLD = 0.6   # attention's reference reaches 0.886


@check("bahdanau_attention.Seq2SeqAttentionDecoder", points=3, kind="accuracy", clauses="values", integration=True)
def check_Seq2SeqAttentionDecoder_beats_seq2seq_on_long_sentences(Seq2SeqAttentionDecoder, device):
    data, b = task_data(LONG_TASK), LONG_BUDGET
    E, H, L = b["embed_size"], b["num_hiddens"], b["num_layers"]
    train_to_threshold(
        lambda: seq2seq_run(lambda v: GRUEncoder(v, E, H, L), lambda v: Seq2SeqAttentionDecoder(v, E, H, L),
                            book_train, student_view(data), b, device),
        metric=lambda run: mean_bleu(run, data, what="the seq2seq model with attention"),
        history=lambda run: run["history"],
        names=("loss per token",), threshold_on=None, x="epoch", threshold=LONG_THRESHOLD, reference_value=0.886,
        budget=f"{b['num_epochs']} epochs on {LONG_TASK} (batches of {b['batch_size']}, Adam lr {b['lr']:g}, "
               "dropout 0)",
        what=f"the mean BLEU (k=2) on {LONG_TASK.n_test} unseen long sentences of a seq2seq model (embed {E}, hidden "
             f"{H}) whose decoder is your Seq2SeqAttentionDecoder (with your AdditiveAttention), trained by the book's "
             f"loop; the same model without attention reaches {PLAIN_ON_LONG} on this budget, and attention must "
             "beat it by a wide margin")


# §10.7 the Transformer ----------------------------------------------------------------------------------------

BLOCK_PIECES = stand_in("MultiHeadAttention", "AddNorm", "PositionWiseFFN")
ENCODER_PIECES = stand_in("MultiHeadAttention", "AddNorm", "PositionWiseFFN", "EncoderBlock", "PositionalEncoding")
DECODER_PIECES = stand_in("MultiHeadAttention", "AddNorm", "PositionWiseFFN", "DecoderBlock", "PositionalEncoding")


def module_pair(cls, reference_name, args, seed=0):
    """The student's and the reference's module of the same arguments, the reference's weights in both."""
    torch.manual_seed(seed)
    expected = nmt_ref(reference_name)(*args)
    with torch.no_grad():       # livelier than the defaults: LayerNorms and biases away from 1 and 0
        for p in expected.parameters():
            p.add_(randn(p.shape, seed + p.numel(), scale=0.3))
    net = cls(*args)
    load_weights(net, expected, what=f"{reference_name.split('.')[-1]}{tuple(args)}")
    return net, expected


@check("transformer.PositionWiseFFN", points=2, clauses="values")
def check_PositionWiseFFN_matches_reference(PositionWiseFFN):
    for seed, shape in enumerate(((2, 3, 4), (5, 4), (2, 3, 2, 4), (1, 1, 4))):
        net, expected = module_pair(PositionWiseFFN, "transformer.PositionWiseFFN", (4, 6, 3), seed)
        X = randn(shape, seed)
        got = call_module(net, X)
        hint = "dense2(relu(dense1(X))) on the last axis: nn.Linear works on any leading axes, each position alone"
        if isinstance(got, torch.Tensor) and got.shape == X.shape[:-1] + (3,) and len(shape) > 2:
            changed = X.clone()
            changed[..., 0, :] += 1
            if not torch.allclose(call_module(net, changed)[..., 1:, :], got[..., 1:, :]):
                hint = "changing one position changed the others: the FFN must act on every position on its own"
        assert_close(got, call_module(expected, X), what=f"PositionWiseFFN(4, 6, 3)(X {shape}) with the reference's "
                                                         "weights", hint=hint)


initial_weights_check("transformer.PositionWiseFFN", (4, 6, 3), what="PositionWiseFFN(4, 6, 3)",
                      hint="create dense1, relu, dense2 in this order with "
                           "PyTorch's default initialisation")


def addnorm_hint(got, X, Y, net_expected):
    if isinstance(got, torch.Tensor) and got.shape == X.shape:
        ln = net_expected.ln
        with torch.no_grad():
            if torch.allclose(got, X + ln(Y), atol=1e-5):
                return "pre-norm (X + ln(Y)): the book normalises after the residual, ln(dropout(Y) + X)"
            if torch.allclose(got, ln(Y), atol=1e-5):
                return "the residual X is missing: ln(dropout(Y) + X)"
    return "ln(dropout(Y) + X), with nn.LayerNorm(normalized_shape)"


@check("transformer.AddNorm", points=2, clauses="values")
def check_AddNorm_matches_reference(AddNorm):
    for seed, shape in enumerate(([3, 4], [4], 4)):
        net, expected = module_pair(AddNorm, "transformer.AddNorm", (shape, 0.5), seed)
        X, Y = randn((2, 3, 4), seed), randn((2, 3, 4), seed + 1)
        got, want = call_module(net, X, Y), call_module(expected, X, Y)
        assert_close(got, want, what=f"AddNorm({shape}, 0.5)(X, Y) in eval mode, the reference's LayerNorm weights",
                     hint=addnorm_hint(got, X, Y, expected))


@check("transformer.AddNorm", clauses="dropout")
def check_AddNorm_dropout_on_Y(AddNorm):
    for seed in (0, 1):
        net, expected = module_pair(AddNorm, "transformer.AddNorm", ([4], 0.5), seed)
        X, Y = randn((8, 5, 4), seed), randn((8, 5, 4), seed + 1)
        assert_close(call_module(net, X, Y), call_module(expected, X, Y),
                     what="AddNorm([4], 0.5)(X, Y) in eval mode (it must also be right for this check to count)")
        got, want = call_module(net, X, Y, train=True, seed=7), call_module(expected, X, Y, train=True, seed=7)
        assert_close(got, want, what="AddNorm([4], 0.5)(X, Y) in training mode after torch.manual_seed(7) (the "
                                     "reference's dropout mask)",
                     hint="ln(self.dropout(Y) + X): dropout on the sublayer's output Y only, not on X or on the sum")


def encoder_layer_with(block_weights, d, heads, ffn, use_bias):
    """nn.TransformerEncoderLayer (post-norm, ReLU, dropout 0) holding an EncoderBlock's weights."""
    layer = nn.TransformerEncoderLayer(d, heads, ffn, dropout=0.0, batch_first=True)
    w = block_weights
    zeros = torch.zeros(d)
    with torch.no_grad():
        layer.self_attn.in_proj_weight.copy_(torch.cat([w["attention.W_q.weight"], w["attention.W_k.weight"],
                                                        w["attention.W_v.weight"]]))
        layer.self_attn.in_proj_bias.copy_(torch.cat([w.get(f"attention.W_{x}.bias", zeros) for x in "qkv"]))
        layer.self_attn.out_proj.weight.copy_(w["attention.W_o.weight"])
        layer.self_attn.out_proj.bias.copy_(w.get("attention.W_o.bias", zeros))
        for mine, theirs in (("linear1", "ffn.dense1"), ("linear2", "ffn.dense2"), ("norm1", "addnorm1.ln"),
                             ("norm2", "addnorm2.ln")):
            getattr(layer, mine).weight.copy_(w[f"{theirs}.weight"])
            getattr(layer, mine).bias.copy_(w[f"{theirs}.bias"])
    return layer.train()      # training mode with dropout 0: PyTorch's plain path, not the fused one


BLOCK_ARGS = (16, 16, 16, 16, [16], 16, 32, 4, 0.0)


def weights_of(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def padding_mask(valid_lens, n):
    return torch.arange(n)[None, :] >= valid_lens[:, None]


@check("transformer.EncoderBlock", points=2, clauses="values", substitute=BLOCK_PIECES)
def check_EncoderBlock_matches_torch(EncoderBlock):
    for seed, use_bias in ((0, False), (1, True), (2, False)):
        net, expected = module_pair(EncoderBlock, "transformer.EncoderBlock", BLOCK_ARGS + (use_bias,), seed)
        layer = encoder_layer_with(weights_of(expected), 16, 4, 32, use_bias)
        X, valid_lens = randn((3, 6, 16), seed), torch.tensor([6, 2, 4][seed:] + [6, 2, 4][:seed])
        with torch.no_grad():
            want = layer(X, src_key_padding_mask=padding_mask(valid_lens, 6))
        assert_close(call_module(net, X, valid_lens), want, atol=1e-4, rtol=1e-4,
                     what=f"EncoderBlock(16, ..., num_heads=4, use_bias={use_bias})(X (3, 6, 16), valid_lens "
                          f"{valid_lens.tolist()}) against nn.TransformerEncoderLayer with the same weights",
                     hint="Y = addnorm1(X, attention(X, X, X, valid_lens)); addnorm2(Y, ffn(Y)) (post-norm: the "
                          "norm after each residual); pass use_bias to the attention")


initial_weights_check("transformer.EncoderBlock", BLOCK_ARGS, what="EncoderBlock(16, 16, 16, 16, [16], 16, 32, 4, 0)",
                      hint="create attention, addnorm1, ffn, addnorm2 in this order", substitute=BLOCK_PIECES)


ENCODER_ARGS = (20, 16, 16, 16, 16, [16], 16, 32, 4, 2, 0.0)


def transformer_tokens(seed, batch=3, steps=7, vocab=20, full=True):
    """Tokens and valid lengths: all 7 (so that only the padding check depends on masking), or [7, 3, 5] rotated."""
    lens = [7, 7, 7] if full else [7, 3, 5][seed % 3:] + [7, 3, 5][:seed % 3]
    return randint(0, vocab, (batch, steps), seed), torch.tensor(lens)


@check("transformer.TransformerEncoder", points=2, clauses="values", substitute=ENCODER_PIECES)
def check_TransformerEncoder_matches_reference(TransformerEncoder):
    for seed in (0, 1, 2):
        net, expected = module_pair(TransformerEncoder, "transformer.TransformerEncoder", ENCODER_ARGS, seed)
        X, valid_lens = transformer_tokens(seed)
        assert_close(call_module(net, X, valid_lens), call_module(expected, X, valid_lens), atol=1e-4, rtol=1e-4,
                     what=f"TransformerEncoder(20, ..., num_layers=2)(X (3, 7), valid_lens {valid_lens.tolist()}), eval "
                          "mode, the reference's weights",
                     hint="pos_encoding(embedding(X) * math.sqrt(num_hiddens)), then every block with valid_lens")


@check("transformer.TransformerEncoder", clauses="padding", substitute=ENCODER_PIECES)
def check_TransformerEncoder_ignores_padding(TransformerEncoder):
    for seed in (1, 2):
        net, expected = module_pair(TransformerEncoder, "transformer.TransformerEncoder", ENCODER_ARGS, seed)
        X, valid_lens = transformer_tokens(seed, full=False)
        changed = torch.where(padding_mask(valid_lens, 7), randint(0, 20, (3, 7), seed + 9), X)
        keep = ~padding_mask(valid_lens, 7)
        want = call_module(expected, X, valid_lens, dtype=torch.float64)
        for tokens, label in ((X, "X"), (changed, "X with other tokens past the valid lengths")):
            got = call_module(net, tokens, valid_lens, dtype=torch.float64)
            assert isinstance(got, torch.Tensor) and got.shape == (3, 7, 16), \
                f"TransformerEncoder(...)({label}) should return (3, 7, 16), got {describe(got)}"
            assert_close(got[keep], want[keep], atol=1e-9, rtol=1e-9,
                         what=f"the outputs at the valid positions for {label} (float64, valid_lens "
                              f"{valid_lens.tolist()})",
                         hint="pass valid_lens to every block, so that no position attends past them")


@check("transformer.TransformerEncoder", clauses="weights", substitute=ENCODER_PIECES)
def check_TransformerEncoder_attention_weights(TransformerEncoder):
    net, expected = module_pair(TransformerEncoder, "transformer.TransformerEncoder", ENCODER_ARGS, 3)
    X, valid_lens = transformer_tokens(3)
    got = on_its_side(net, _encoder_weights, X, valid_lens)
    want = _encoder_weights(expected, X, valid_lens)
    assert isinstance(got, list) and len(got) == 2, \
        f"attention_weights should be a list with one entry per block (2), got " \
        f"{len(got) if isinstance(got, list) else type_name(got)}"
    for i, (g, e) in enumerate(zip(got, want)):
        assert_close(g, e, what=f"attention_weights[{i}] (batch * num_heads = 12, 7 queries, 7 keys)",
                     hint="after block i, keep blk.attention.attention.attention_weights")


def _encoder_weights(net, X, valid_lens):
    net.eval()
    with torch.no_grad():
        net(X, valid_lens)
    weights = getattr(net, "attention_weights", None)
    return [w.detach().clone() if isinstance(w, torch.Tensor) else w for w in weights] \
        if isinstance(weights, (list, tuple)) else weights


initial_weights_check("transformer.TransformerEncoder", ENCODER_ARGS,
                      what="TransformerEncoder(20, 16, ..., num_layers=2)",
                      hint="create embedding, pos_encoding, then blks = nn.Sequential() with "
                           "add_module('block0', EncoderBlock(...)), ... in this order", substitute=ENCODER_PIECES)


def decoder_layer_with(w, d, heads, ffn):
    """nn.TransformerDecoderLayer (post-norm, ReLU, dropout 0) holding a DecoderBlock's weights."""
    layer = nn.TransformerDecoderLayer(d, heads, ffn, dropout=0.0, batch_first=True)
    with torch.no_grad():
        for attention, theirs in ((layer.self_attn, "attention1"), (layer.multihead_attn, "attention2")):
            attention.in_proj_weight.copy_(torch.cat([w[f"{theirs}.W_{x}.weight"] for x in "qkv"]))
            attention.in_proj_bias.zero_()
            attention.out_proj.weight.copy_(w[f"{theirs}.W_o.weight"])
            attention.out_proj.bias.zero_()
        for mine, theirs in (("linear1", "ffn.dense1"), ("linear2", "ffn.dense2"), ("norm1", "addnorm1.ln"),
                             ("norm2", "addnorm2.ln"), ("norm3", "addnorm3.ln")):
            getattr(layer, mine).weight.copy_(w[f"{theirs}.weight"])
            getattr(layer, mine).bias.copy_(w[f"{theirs}.bias"])
    return layer.train()


def block_inputs(seed, steps=6, dtype=torch.float32):
    X = randn((3, steps, 16), seed, dtype=dtype)
    enc_outputs, valid_lens = randn((3, 5, 16), seed + 1, dtype=dtype), torch.tensor([5, 2, 4])
    return X, enc_outputs, valid_lens


def _block_call(block, X, enc_outputs, valid_lens, train, cached=None, dtype=None):
    """Student side: one forward pass of a decoder block with a fresh state; its output and what it cached."""
    if dtype is not None:
        block.to(dtype)
    block.train(train)
    state = [enc_outputs, valid_lens, [cached] if cached is not None else [None]]
    with torch.no_grad():
        out, new_state = block(X, state)
    cache = new_state[2][0] if isinstance(new_state, (list, tuple)) and len(new_state) == 3 else "no state"
    return out, cache, state[2][0]


DECODER_BLOCK_HINT = ("keys and values of the self-attention: X (or the cache then X); in training mode a causal mask "
                      "dec_valid_lens = arange(1, num_steps + 1) per row; Y = addnorm1(X, self-attention), Z = "
                      "addnorm2(Y, attention2(Y, enc_outputs, enc_outputs, enc_valid_lens)), addnorm3(Z, ffn(Z))")


@check("transformer.DecoderBlock", points=2, clauses="values", substitute=BLOCK_PIECES)
def check_DecoderBlock_matches_torch(DecoderBlock):
    for seed in (0, 1, 2):
        net, expected = module_pair(DecoderBlock, "transformer.DecoderBlock", BLOCK_ARGS + (0,), seed)
        layer = decoder_layer_with(weights_of(expected), 16, 4, 32)
        X, enc_outputs, valid_lens = block_inputs(seed)
        with torch.no_grad():
            want = layer(X, enc_outputs, memory_key_padding_mask=padding_mask(valid_lens, 5))
        out, _, _ = on_its_side(net, _block_call, X, enc_outputs, valid_lens, False)
        assert_close(out, want, atol=1e-4, rtol=1e-4,
                     what=f"DecoderBlock(16, ..., i=0) in eval mode (no mask on the self-attention, as the book) "
                          f"against nn.TransformerDecoderLayer with the same weights, enc_valid_lens "
                          f"{valid_lens.tolist()}", hint=DECODER_BLOCK_HINT)


@check("transformer.DecoderBlock", clauses="causal", substitute=BLOCK_PIECES)
def check_DecoderBlock_is_causal_in_training(DecoderBlock):
    net, expected = module_pair(DecoderBlock, "transformer.DecoderBlock", BLOCK_ARGS + (0,), 3)
    layer = decoder_layer_with(weights_of(expected), 16, 4, 32)
    X, enc_outputs, valid_lens = block_inputs(3)
    with torch.no_grad():
        want = layer(X, enc_outputs, tgt_mask=nn.Transformer.generate_square_subsequent_mask(6),
                     memory_key_padding_mask=padding_mask(valid_lens, 5), tgt_is_causal=True)
    causal_hint = ("in training mode, query t may only see keys 0..t: dec_valid_lens with rows [1, 2, ..., num_steps] "
                   "(torch.arange(1, num_steps + 1).repeat(batch_size, 1))")
    assert_close(on_its_side(net, _block_call, X, enc_outputs, valid_lens, True)[0], want, atol=1e-4, rtol=1e-4,
                 what="DecoderBlock in training mode (dropout 0) against nn.TransformerDecoderLayer with the same "
                      "weights and a causal tgt_mask", hint=causal_hint)
    X, enc_outputs, valid_lens = block_inputs(3, dtype=torch.float64)
    want = _block_call(expected, X, enc_outputs, valid_lens, True, dtype=torch.float64)[0]
    for t in (0, 2, 4):
        changed = X.clone()
        changed[:, t + 1:] = randn((3, 5 - t, 16), 40 + t, dtype=torch.float64)
        got = on_its_side(net, _block_call, changed, enc_outputs, valid_lens, True, None, torch.float64)[0]
        assert isinstance(got, torch.Tensor) and got.shape == X.shape, f"DecoderBlock returned {describe(got)}"
        assert_close(got[:, :t + 1], want[:, :t + 1], atol=1e-10, rtol=1e-10,
                     what=f"the outputs at positions 0..{t} in training mode (float64) after changing X after "
                          f"position {t}", hint=causal_hint)


def _decode_block_steps(block, X, enc_outputs, valid_lens):
    """Student side: one step at a time in eval mode, the cache carried in the state."""
    block.eval()
    state = [enc_outputs, valid_lens, [None]]
    outputs = []
    with torch.no_grad():
        for t in range(X.shape[1]):
            out, state = block(X[:, t:t + 1], state)
            outputs.append(out)
    return torch.cat(outputs, dim=1), state[2][0]


@check("transformer.DecoderBlock", clauses="cache", substitute=BLOCK_PIECES)
def check_DecoderBlock_caches_its_inputs(DecoderBlock):
    net, expected = module_pair(DecoderBlock, "transformer.DecoderBlock", BLOCK_ARGS + (0,), 4)
    X, enc_outputs, valid_lens = block_inputs(4)
    want_train = _block_call(expected, X, enc_outputs, valid_lens, True)[0]
    _, cache, written = on_its_side(net, _block_call, X, enc_outputs, valid_lens, False)
    assert_close(cache, X, what="state[2][i] after a forward pass from an empty cache (None)",
                 hint="the self-attention's keys and values are X itself; store them in state[2][self.i]")
    assert_close(written, X, what="the state list passed in, after the call: its state[2][i]",
                 hint="write the cache into the state's list (state[2][self.i] = key_values), as the book does")
    previous = randn((3, 2, 16), 77)
    _, cache, _ = on_its_side(net, _block_call, X[:, :1], enc_outputs, valid_lens, False, previous)
    assert_close(cache, torch.cat([previous, X[:, :1]], 1), what="state[2][i] after a step from a cache of 2 steps",
                 hint="torch.cat((state[2][self.i], X), dim=1): the cached steps first, then X")
    steps, _ = on_its_side(net, _decode_block_steps, X, enc_outputs, valid_lens)
    assert_close(steps, want_train, atol=1e-5, rtol=1e-4,
                 what="decoding one step at a time in eval mode (each step from the returned state), against one "
                      "training-mode call on all steps (dropout 0, causal)",
                 hint="each step attends to the cached inputs of the earlier steps and itself")


def _block_on_device(block, X, enc_outputs, valid_lens):
    block.to(X.device)
    block.train()
    out, _ = block(X, [enc_outputs, valid_lens, [None]])
    return out


@check("transformer.DecoderBlock", clauses="device",
       substitute={**BLOCK_PIECES, "MultiHeadAttention": InPlace("ch10.multihead_attention.MultiHeadAttention",
                                                                StrictDevices)})
def check_DecoderBlock_on_device(DecoderBlock):
    net, expected = module_pair(DecoderBlock, "transformer.DecoderBlock", BLOCK_ARGS + (0,), 5)
    X, enc_outputs, valid_lens = block_inputs(5)
    assert_close(on_its_side(net, _block_call, X, enc_outputs, valid_lens, False)[0],
                 _block_call(expected, X, enc_outputs, valid_lens, False)[0],
                 what="DecoderBlock in eval mode (it must also be right for this check to count)")
    assert_keeps_device(_block_on_device, net, X, enc_outputs, valid_lens,
                        what="DecoderBlock(...) in training mode, moved with its inputs to another device",
                        hint="torch.arange(1, num_steps + 1, device=X.device) for the causal mask")


initial_weights_check("transformer.DecoderBlock", BLOCK_ARGS + (0,), what="DecoderBlock(16, ..., i=0)",
                      hint="create attention1, addnorm1, attention2, addnorm2, ffn, addnorm3 in this order",
                      substitute=BLOCK_PIECES)


DECODER_ARGS = (20, 16, 16, 16, 16, [16], 16, 32, 4, 2, 0.0)


def decoder_inputs(seed, dtype=torch.float32, full=True):
    """Target tokens, encoder outputs and their valid lengths: all 5 (the blocks' masking is DecoderBlock's to
    grade), or [5, 2, 4]."""
    Y = randint(0, 20, (3, 6), seed)
    enc_outputs = randn((3, 5, 16), seed + 1, dtype=dtype)
    return Y, enc_outputs, torch.tensor([5, 5, 5] if full else [5, 2, 4])


def _decoder_call(net, Y, enc_outputs, valid_lens, train, dtype=None):
    """Student side: the logits of one call on the whole sequence from init_state."""
    if dtype is not None:
        net.to(dtype)
    net.train(train)
    with torch.no_grad():
        out, _ = net(Y, net.init_state(enc_outputs, valid_lens))
    return out


@check("transformer.TransformerDecoder", points=2, clauses="values", substitute=DECODER_PIECES)
def check_TransformerDecoder_matches_reference(TransformerDecoder):
    for seed in (0, 1):
        net, expected = module_pair(TransformerDecoder, "transformer.TransformerDecoder", DECODER_ARGS, seed)
        Y, enc_outputs, valid_lens = decoder_inputs(seed)
        for train in (True, False):
            got = on_its_side(net, _decoder_call, Y, enc_outputs, valid_lens, train)
            want = _decoder_call(expected, Y, enc_outputs, valid_lens, train)
            assert_close(got, want, atol=1e-4, rtol=1e-4,
                         what=f"the logits of TransformerDecoder(20, ..., num_layers=2) on Y (3, 6) in "
                              f"{'training' if train else 'eval'} mode (dropout 0), the reference's weights",
                         hint="pos_encoding(embedding(X) * sqrt(num_hiddens)), the blocks in order (each gets the "
                              "state the previous returned), then dense")


@check("transformer.TransformerDecoder", clauses="init_state", substitute=DECODER_PIECES)
def check_TransformerDecoder_init_state(TransformerDecoder):
    net = TransformerDecoder(*DECODER_ARGS)
    _, enc_outputs, valid_lens = decoder_inputs(0, full=False)
    got = net.init_state(enc_outputs, valid_lens)
    assert isinstance(got, list) and len(got) == 3, \
        f"init_state(enc_outputs, enc_valid_lens) should return a list [enc_outputs, enc_valid_lens, caches], got " \
        f"{type_name(got)}"
    assert_close(got[0], enc_outputs, what="state[0]: enc_outputs")
    assert_close(got[1], valid_lens, what="state[1]: enc_valid_lens")
    assert got[2] == [None, None], f"state[2] should be [None] * num_layers (one empty cache per block), got {got[2]!r}"


@check("transformer.TransformerDecoder", clauses="values", substitute=DECODER_PIECES)
def check_TransformerDecoder_is_causal_in_training(TransformerDecoder):
    net, expected = module_pair(TransformerDecoder, "transformer.TransformerDecoder", DECODER_ARGS, 2)
    Y, enc_outputs, valid_lens = decoder_inputs(2, torch.float64)
    want = _decoder_call(expected, Y, enc_outputs, valid_lens, True, torch.float64)
    for t in (0, 3):
        changed = Y.clone()
        changed[:, t + 1:] = randint(0, 20, (3, 5 - t), 60 + t)
        got = on_its_side(net, _decoder_call, changed, enc_outputs, valid_lens, True, torch.float64)
        assert isinstance(got, torch.Tensor) and got.shape == (3, 6, 20), f"TransformerDecoder returned {describe(got)}"
        assert_close(got[:, :t + 1], want[:, :t + 1], atol=1e-10, rtol=1e-10,
                     what=f"the logits at positions 0..{t} in training mode (float64) after changing the target tokens "
                          f"after position {t}",
                     hint="every decoder block masks the future in training mode")


def _decode_tokens(net, Y, enc_outputs, valid_lens):
    """Student side: eval mode, one token at a time, each call from the state the previous returned."""
    net.eval()
    state = net.init_state(enc_outputs, valid_lens)
    outputs = []
    with torch.no_grad():
        for t in range(Y.shape[1]):
            out, state = net(Y[:, t:t + 1], state)
            outputs.append(out)
    return torch.cat(outputs, dim=1)


@check("transformer.TransformerDecoder", clauses="state", substitute=DECODER_PIECES)
def check_TransformerDecoder_carries_its_state(TransformerDecoder):
    net, expected = module_pair(TransformerDecoder, "transformer.TransformerDecoder", DECODER_ARGS, 3)
    Y, enc_outputs, valid_lens = decoder_inputs(3)
    assert_close(on_its_side(net, _decode_tokens, Y, enc_outputs, valid_lens),
                 _decode_tokens(expected, Y, enc_outputs, valid_lens), atol=1e-4, rtol=1e-4,
                 what="the logits of TransformerDecoder decoding Y one token at a time in eval mode, each call from the "
                      "state the previous one returned",
                 hint="pass the state from block to block and return it: the blocks' caches (state[2]) carry the "
                      "earlier steps")


def _decoder_weights(net, Y, enc_outputs, valid_lens):
    net.eval()
    with torch.no_grad():
        net(Y, net.init_state(enc_outputs, valid_lens))
    weights = net.attention_weights
    if not (isinstance(weights, (list, tuple)) and len(weights) == 2):
        return weights
    return [[w.detach().clone() if isinstance(w, torch.Tensor) else w for w in kind] if isinstance(kind, (list, tuple))
            else kind for kind in weights]


@check("transformer.TransformerDecoder", clauses="weights", substitute=DECODER_PIECES)
def check_TransformerDecoder_attention_weights(TransformerDecoder):
    net, expected = module_pair(TransformerDecoder, "transformer.TransformerDecoder", DECODER_ARGS, 4)
    Y, enc_outputs, valid_lens = decoder_inputs(4)
    got = on_its_side(net, _decoder_weights, Y, enc_outputs, valid_lens)
    want = _decoder_weights(expected, Y, enc_outputs, valid_lens)
    assert isinstance(got, (list, tuple)) and len(got) == 2 and all(isinstance(k, (list, tuple)) and len(k) == 2
                                                                     for k in got), \
        "attention_weights should be [self-attention weights, encoder-decoder weights], each a list with one entry " \
        "per block (2 here)"
    for kind, name in enumerate(("self-attention", "encoder-decoder attention")):
        for i in range(2):
            assert_close(got[kind][i], want[kind][i], what=f"the {name} weights of block {i}",
                         hint="after block i: attention1.attention.attention_weights and "
                              "attention2.attention.attention_weights")


initial_weights_check("transformer.TransformerDecoder", DECODER_ARGS,
                      what="TransformerDecoder(20, 16, ..., num_layers=2)",
                      hint="create embedding, pos_encoding, blks (add_module('block0', DecoderBlock(..., 0)), "
                           "...), then dense, in this order", substitute=DECODER_PIECES)


TRANSFORMER_TASK = Task(lo=2, hi=8, n_train=4000, n_test=200, num_steps=10)
TRANSFORMER_BUDGET = {"num_hiddens": 32, "num_layers": 2, "num_heads": 4, "ffn_num_hiddens": 64, "lr": 0.005,
                      "num_epochs": 6, "batch_size": 64}


@check("transformer.TransformerDecoder", points=3, kind="accuracy", clauses="values", integration=True)
def check_TransformerDecoder_learns_to_translate(TransformerEncoder, TransformerDecoder, device):
    data, b = task_data(TRANSFORMER_TASK), TRANSFORMER_BUDGET
    H, L, heads, F_ = b["num_hiddens"], b["num_layers"], b["num_heads"], b["ffn_num_hiddens"]
    train_to_threshold(
        lambda: seq2seq_run(lambda v: TransformerEncoder(v, H, H, H, H, [H], H, F_, heads, L, 0.0),
                            lambda v: TransformerDecoder(v, H, H, H, H, [H], H, F_, heads, L, 0.0),
                            book_train, student_view(data), b, device),
        metric=lambda run: mean_bleu(run, data, what="the Transformer"), history=lambda run: run["history"],
        names=("loss per token",), threshold_on=None, x="epoch",
        threshold=0.7, reference_value=0.88,
        budget=f"{b['num_epochs']} epochs on {TRANSFORMER_TASK} (batches of {b['batch_size']}, Adam lr {b['lr']:g}, "
               "dropout 0)",
        what=f"the mean BLEU (k=2) on {TRANSFORMER_TASK.n_test} unseen sentences of a Transformer ({L} layers, "
             f"{H} hidden, {heads} heads) built from your TransformerEncoder and TransformerDecoder (with your "
             "EncoderBlock, DecoderBlock, AddNorm, PositionWiseFFN, MultiHeadAttention and PositionalEncoding), "
             "trained by the book's loop and translated greedily by the check")
