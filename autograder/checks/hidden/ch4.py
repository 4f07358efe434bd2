"""Chapter 4 (多层感知机), hidden checks: reference comparisons, one property per check (the clauses of
``solutions/ch4/__init__.py``), seeded initialisations, gradients, devices, forbidden shortcuts, speed and
accuracy thresholds whose metrics are recomputed here."""
import math

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from autograder.checks.public.ch4 import (_k_fold_with_standin, book_fold, expected_k_fold, flat_weight, house_frames,
                                          house_log_rmse, k_fold_data, poly_data, seeded, squared_loss_of, weight_norm)
from autograder.harness import (chapter_references, Forbidden, SEEDS, accuracy_curve, assert_close,
                                assert_gradients_match, assert_keeps_device, assert_matches_reference,
                                assert_no_forbidden_calls, assert_same_function, assert_same_parameter_count,
                                assert_tensor, assert_unchanged, check, device_check, dtype_check, fashion_mnist_run,
                                gradients_check, library_calls, no_builtin_check, on_its_side, pure_check, randn,
                                reference_check, shape, speed_check, student_side, train_to_threshold, type_name,
                                verified_test_accuracy)
from autograder.harness.session import StudentError, StudentNotImplemented

RELU_FUNCS = Forbidden(
    "torch.relu / F.relu / nn.ReLU / clamp / clip / threshold",
    functions=(torch.relu, torch.relu_, F.relu, F.relu_, torch.Tensor.relu, torch.Tensor.relu_, torch.clamp,
               torch.clip, torch.clamp_min, torch.Tensor.clamp, torch.Tensor.clip, torch.Tensor.clamp_min,
               F.threshold, torch.threshold, F.relu6, F.hardtanh),
    aten=("relu", "relu_", "clamp", "clamp_", "clamp_min", "clamp_min_", "clip", "threshold", "hardtanh"))
DROPOUT_FUNCS = Forbidden(
    "F.dropout / nn.Dropout / torch.bernoulli",
    functions=(F.dropout, torch.dropout, torch.nn.functional.dropout1d, torch.bernoulli, torch.Tensor.bernoulli,
               torch.Tensor.bernoulli_),
    aten=("native_dropout", "dropout", "bernoulli", "bernoulli_"))
NORM_FUNCS = Forbidden(
    "torch.norm / torch.linalg.norm",
    functions=(torch.norm, torch.Tensor.norm, torch.linalg.norm, torch.linalg.vector_norm),
    aten=("norm", "linalg_vector_norm"))
# nn.init's functions are plain Python (no torch function or ATen op of their own): seen by their code objects.

FASHION_BUDGET = "10 epochs on the 60,000 training images (batch 256)"
KAGGLE_BOOK = dict(k=5, num_epochs=100, learning_rate=5, weight_decay=0, batch_size=64)


ref = chapter_references("ch4")


def fashion_history(net, params, epochs=10, lr=0.1):
    """Student side: train ``net`` on Fashion-MNIST with the generic loop (SGD on ``params``)."""
    return fashion_mnist_run(net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(params, lr=lr),
                             epochs=epochs)


def last_epochs_accuracy(run):
    """Mean test accuracy of the last three epochs (SGD makes a single epoch's value jumpy), computed here from
    the trained model's predictions."""
    return verified_test_accuracy(run, last=3)


def documented_error(e: BaseException) -> bool:
    """Whether the code under test itself raised ``ValueError`` or ``AssertionError`` (the book's ``assert``).

    Every exception of the student's reaches a check as a ``StudentError``, which is an ``AssertionError``: an
    ``IndexError`` or ``ZeroDivisionError`` that torch or Python raised on the way must not count as refusing."""
    if isinstance(e, StudentError):
        return isinstance(e, ValueError) or AssertionError in type(e).__bases__
    return isinstance(e, (ValueError, AssertionError))


def assert_refuses(fn, *args, what: str, expect: str):
    try:
        fn(*args)
    except StudentNotImplemented:
        raise
    except (Exception, SystemExit) as e:  # noqa: BLE001
        if documented_error(e):
            return
        raise AssertionError(f"{what} raised {str(e).split(':')[0] if isinstance(e, StudentError) else type(e).__name__}"
                             f" on the way instead of refusing it: {expect}") from None
    raise AssertionError(f"{what} returned instead of refusing: {expect}")


def _seeded_state(build, seed, args, kwargs):
    """Where ``build`` lives: its parameters (a module's state dict, a list of tensors) right after
    ``torch.manual_seed(seed)``, as ``[(name, tensor), ...]``."""
    torch.manual_seed(seed)
    made = build(*args, **kwargs)
    if isinstance(made, nn.Module):
        return [(k, v.detach().clone()) for k, v in made.state_dict().items()]
    if isinstance(made, (list, tuple)):
        return [(f"#{i}", v.detach().clone() if isinstance(v, torch.Tensor) else v) for i, v in enumerate(made)]
    return made


def seeded_state(build, seed, *args, **kwargs):
    torch.manual_seed(seed)
    return on_its_side(build, _seeded_state, seed, args, kwargs)


def assert_same_draws(got, expected, *, what: str, flat: bool = False, hint: str = ""):
    """``[(name, tensor), ...]`` equal entry by entry (``flat``: values in draw order, whatever the shapes)."""
    if not isinstance(got, list) or len(got) != len(expected):
        raise AssertionError(f"{what}: expected {len(expected)} tensors ({', '.join(n for n, _ in expected)}), got "
                             f"{len(got) if isinstance(got, list) else type_name(got)}")
    for (name, g), (ename, e) in zip(got, expected):
        if not isinstance(g, torch.Tensor):
            raise AssertionError(f"{what}: {name} should be a tensor, got {type_name(g)}")
        if flat:
            if g.numel() != e.numel():
                raise AssertionError(f"{what}: {name} has {g.numel()} entries, expected {e.numel()}")
            g, e = g.reshape(-1), e.reshape(-1)
        elif g.shape != e.shape:
            raise AssertionError(f"{what}: {name} has shape {tuple(g.shape)}, expected {tuple(e.shape)} ({ename})")
        assert_close(g.to(e.dtype), e, what=f"{what}: {name}", hint=hint, check_dtype=False)


# §4.2 MLP from scratch -----------------------------------------------------------------------------

SCRATCH_SIZES = ((784, 256, 10), (20, 7, 3))


def scratch_init_hint(got, expected) -> str:
    try:
        ratio = (got[0][1].detach().double().std() / expected[0][1].double().std()).item()
    except Exception:  # noqa: BLE001
        return "W1 = torch.randn(num_inputs, num_hiddens) * 0.01, then W2 the same way"
    if abs(ratio - 100) < 5:
        return "the weights are 100 times too large: scale torch.randn(...) by 0.01"
    return "draw W1 first, then W2, each with torch.randn(...) * 0.01 (nothing else drawn in between)"


@check("mlp_scratch.init_params", points=2, clauses="init")
def check_init_params_seeded(init_params):
    for seed, sizes in zip((0, 1), SCRATCH_SIZES):
        got = seeded_state(init_params, seed, *sizes)
        expected = seeded_state(ref("mlp_scratch.init_params"), seed, *sizes)
        weights = lambda s: [s[0], s[2]] if isinstance(s, list) and len(s) == 4 else s  # noqa: E731
        assert_same_draws(weights(got), weights(expected), flat=True,
                          what=f"W1 and W2 of init_params{sizes} under torch.manual_seed({seed})",
                          hint=scratch_init_hint(got, expected))


def scratch_weights_right(got, sizes, seed):
    """``init_params``' weights are the reference's draws (the condition for its other checks to count)."""
    expected = seeded_state(ref("mlp_scratch.init_params"), seed, *sizes)
    if not (isinstance(got, list) and len(got) == 4):
        raise AssertionError(f"init_params{sizes} should return [W1, b1, W2, b2], got {type_name(got)}")
    assert_same_draws([got[0], got[2]], [expected[0], expected[2]], flat=True,
                      what=f"W1 and W2 of init_params{sizes} (they must be right for this check to count)")


@check("mlp_scratch.init_params", clauses="zero_bias")
def check_init_params_zero_bias(init_params):
    sizes = SCRATCH_SIZES[1]
    got = seeded_state(init_params, 1, *sizes)
    scratch_weights_right(got, sizes, 1)
    for (_, b), name, n in ((got[1], "b1", sizes[1]), (got[3], "b2", sizes[2])):
        assert isinstance(b, torch.Tensor) and b.numel() == n and torch.all(b == 0), \
            f"{name} of init_params{sizes} should be {n} zeros, got {b if isinstance(b, torch.Tensor) else type_name(b)}"


def _describe_params(init_params, seed, args):
    """Student side: what ``init_params`` returned, described where leaves and parameters are still what they were
    (a tensor that crosses to the judge arrives as a fresh leaf)."""
    torch.manual_seed(seed)
    params = init_params(*args)
    kinds = [{"parameter": isinstance(p, nn.Parameter), "dtype": str(p.dtype).removeprefix("torch."),
              "leaf": p.is_leaf, "requires_grad": p.requires_grad} if isinstance(p, torch.Tensor) else None
             for p in (params if isinstance(params, (list, tuple)) else [])]
    return type(params).__name__, [(f"#{i}", p) for i, p in enumerate(params)] \
        if isinstance(params, (list, tuple)) else params, kinds


def params_described(init_params, seed, args):
    torch.manual_seed(seed)
    return student_side(_describe_params, init_params, seed, args)


@check("mlp_scratch.init_params", clauses="returns")
def check_init_params_parameters(init_params):
    sizes = SCRATCH_SIZES[1]
    container, got, kinds = params_described(init_params, 1, sizes)
    scratch_weights_right(got, sizes, 1)
    assert container == "list", f"init_params should return a list [W1, b1, W2, b2], got a {container}"
    for kind, name in zip(kinds, ("W1", "b1", "W2", "b2")):
        assert kind["parameter"], f"{name} should be an nn.Parameter (nn.Parameter(torch.randn(...) * 0.01))"
        assert kind["dtype"] == "float32", f"{name} should be float32, got {kind['dtype']}"
        assert kind["requires_grad"] and kind["leaf"], f"{name} should be a leaf that requires gradients"


def relu_args(seed, dtype=torch.float32):
    return (randn(shape(seed, 3), seed, scale=2, dtype=dtype),)


def relu_hint(got, X) -> str:
    if isinstance(got, torch.Tensor) and X.dim() > 0 and tuple(got.shape) == tuple(X.shape[1:]):
        return "torch.max(X, 0) is a reduction over dim 0; compare X with a zero tensor (torch.maximum) instead"
    return "max(x, 0) entry by entry: torch.maximum(X, torch.zeros_like(X))"


reference_check("mlp_scratch.relu", relu_args, what="relu(X)", hint=relu_hint, points=2)


gradients_check("mlp_scratch.relu", relu_args, what="relu(X)")


dtype_check("mlp_scratch.relu", relu_args, (torch.float64, torch.float16), what="relu(X)", operand="X", seeds=SEEDS[:2],
            hint="keep X's dtype: compare with a zero of X's dtype (torch.zeros_like(X)), no .float() on "
                 "the way")


device_check("mlp_scratch.relu", relu_args, what="relu(X)",
             hint="torch.zeros_like(X), or torch.zeros(X.shape, device=X.device, dtype=X.dtype)")


pure_check("mlp_scratch.relu", relu_args, what="relu(X)", seeds=SEEDS[:2],
           hint="X[X < 0] = 0 or X.mul_(...) writes into the caller's X: build a new tensor")


no_builtin_check("mlp_scratch.relu", relu_args, forbidden=RELU_FUNCS, what="relu")


# Limit 160: legitimate answers measure 2.5x (torch.max with zeros_like), 11x (X * (X > 0)) and 52x (torch.where,
# an unvectorized CPU kernel); a Python loop over the 100,000 rows measures about 2,200x.
speed_check("mlp_scratch.relu", lambda device, seed=0: (randn((100000, 20), seed, device=device),),
            builtin=torch.relu, limit=160,
            hint="one elementwise operation on the whole tensor (torch.maximum or torch.where), no Python loop")


def net_args(seed):
    X = torch.rand((4, 1, 28, 28), generator=torch.Generator().manual_seed(seed))
    return X, [randn((784, 32), seed + 1, scale=0.1), randn((32,), seed + 2, scale=0.5),
               randn((32, 10), seed + 3, scale=0.1), randn((10,), seed + 4)]


reference_check("mlp_scratch.net", net_args, what="net(X, [W1, b1, W2, b2])",
                hint="flatten X, hidden = relu(X W1 + b1), output = hidden W2 + b2 (no activation)",
                substitute=("relu",), points=2)


@check("mlp_scratch.net", clauses="gradients", substitute=("relu",))
def check_net_gradients(net):
    X, params = net_args(0)
    assert_gradients_match(lambda X, *p: net(X, list(p)), lambda X, *p: ref("mlp_scratch.net")(X, list(p)),
                           [X, *params], wrt=(1, 2, 3, 4), what="net(X, [W1, b1, W2, b2])")


@check("mlp_scratch.net", points=3, kind="accuracy", clauses="values",
       uses={"init_params": "mlp_scratch.init_params", "relu": "mlp_scratch.relu"})
def check_net_reaches_threshold(net, init_params, relu):
    def history():
        params = init_params(784, 256, 10)
        return fashion_history(lambda X: net(X, params), params)
    train_to_threshold(history, metric=last_epochs_accuracy, history=accuracy_curve, threshold=0.82,
                       reference_value=0.842,
                       what="mean test accuracy (last 3 epochs) of your from-scratch MLP (your init_params, relu "
                            "and net)", budget=FASHION_BUDGET + ", SGD lr 0.1")


# §4.3 concise MLP --------------------------------------------------------------------------------

@check("mlp_concise.concise_mlp", points=2, clauses="values")
def check_concise_mlp_same_function(concise_mlp):
    for hiddens in (256, 64):
        net, expected = concise_mlp(hiddens), ref("mlp_concise.concise_mlp")(hiddens)
        what = f"concise_mlp({hiddens})"
        assert_same_parameter_count(net, expected, what=what)
        assert_same_function(net, expected, (torch.rand(6, 1, 28, 28),), what=what)


def concise_init_hint(got, expected) -> str:
    try:
        w = dict(got)["1.weight"].double().std().item()
        b = dict(got)["1.bias"]
    except Exception:  # noqa: BLE001
        return "net.apply(init_weights), init_weights drawing each nn.Linear's weight with nn.init.normal_(std=0.01)"
    if w > 0.015:
        return f"the first weight's std is {w:.4f}, not 0.01: apply the book's init_weights (nn.init.normal_(m.weight, " \
               "std=0.01)) to every nn.Linear"
    if torch.all(b == 0):
        return "the biases are zero: the book leaves them at their default initialisation"
    return "build the four layers first, then net.apply(init_weights): the draws come in layer order"


@check("mlp_concise.concise_mlp", clauses="init")
def check_concise_mlp_initialisation(concise_mlp):
    for seed, hiddens in ((0, 256), (3, 32)):
        got = seeded_state(concise_mlp, seed, hiddens)
        expected = seeded_state(ref("mlp_concise.concise_mlp"), seed, hiddens)
        assert_same_draws(got, expected, what=f"the parameters of concise_mlp({hiddens}) under torch.manual_seed({seed})",
                          hint=concise_init_hint(got, expected))


# §4.4 polynomial regression ----------------------------------------------------------------------

def poly_x(seed, dtype=torch.float32, column=True):
    x = randn((12,), seed, dtype=dtype)
    return (x.reshape(-1, 1) if column else x, 20)


POLY_HINT = "x**i / i! for i = 0 .. max_degree - 1: x.reshape(-1, 1) ** torch.arange(max_degree) / factorials"


reference_check("polynomial_regression.polynomial_features", poly_x, what="polynomial_features(x, 20)", hint=POLY_HINT,
                points=2)


reference_check("polynomial_regression.polynomial_features", lambda s: poly_x(s, column=False),
                what="polynomial_features(x, 20) for x of shape (12,)", seeds=SEEDS[:2],
                hint="reshape x to a column (x.reshape(-1, 1)) before the powers", name="flat_x", clauses="shapes")


dtype_check("polynomial_regression.polynomial_features", poly_x, (torch.float64,), what="polynomial_features(x, 20)",
            operand="x", hint="keep x's dtype: the factorials as a tensor of x's dtype, no "
                              "float32 conversion")


def uneven_batches(seed, outputs=1, flat_y=False):
    X, y = randn((23, 3), seed), randn((23, outputs), seed + 10)
    if flat_y:
        y = y.reshape(-1)
    return [(X[i:i + 10], y[i:i + 10]) for i in range(0, 23, 10)]


def evaluate_hint(got, expected, batches, outputs=1) -> str:
    if isinstance(got, (int, float)) and abs(expected) > 0 and abs(got / expected - outputs) < 1e-4 and outputs > 1:
        return f"the total is divided by the number of examples, not of loss entries ({outputs} per example): " \
               "count l.numel()"
    return "sum l.sum() over the batches and divide by the total l.numel(): a batch of 3 counts less than one of 10"


def layer(outputs=1, seed=0):
    torch.manual_seed(seed)
    return nn.Linear(3, outputs)


@check("polynomial_regression.evaluate_loss", points=2, clauses="values")
def check_evaluate_loss_uneven_batches(evaluate_loss):
    ref_loss = ref("polynomial_regression.evaluate_loss")
    for seed in SEEDS[:3]:
        batches = uneven_batches(seed)
        for loss in (nn.MSELoss(reduction="none"), nn.L1Loss(reduction="none")):
            expected = ref_loss(layer(), batches, loss)
            got = evaluate_loss(layer(), batches, loss)
            assert_close(got.item() if isinstance(got, torch.Tensor) and got.numel() == 1 else got, expected,
                         what=f"evaluate_loss over batches of 10, 10 and 3 examples with {type_name(loss)} "
                              f"(seed {seed})", hint=evaluate_hint(got, expected, batches))


@check("polynomial_regression.evaluate_loss", clauses="counts")
def check_evaluate_loss_several_outputs(evaluate_loss):
    for seed in SEEDS[:2]:
        batches = uneven_batches(seed, outputs=4)
        loss = nn.MSELoss(reduction="none")
        expected = ref("polynomial_regression.evaluate_loss")(layer(4), batches, loss)
        got = evaluate_loss(layer(4), batches, loss)
        assert_close(got.item() if isinstance(got, torch.Tensor) and got.numel() == 1 else got, expected,
                     what=f"evaluate_loss of a net with 4 outputs per example (seed {seed})",
                     hint=evaluate_hint(got, expected, batches, outputs=4))


@check("polynomial_regression.evaluate_loss", clauses="reshape")
def check_evaluate_loss_reshapes_labels(evaluate_loss):
    for seed in SEEDS[:2]:
        batches = uneven_batches(seed, flat_y=True)
        loss = nn.MSELoss(reduction="none")
        expected = ref("polynomial_regression.evaluate_loss")(layer(), batches, loss)
        got = evaluate_loss(layer(), batches, loss)
        assert_close(got.item() if isinstance(got, torch.Tensor) and got.numel() == 1 else got, expected,
                     what=f"evaluate_loss with labels of shape (n,) and outputs (n, 1) (seed {seed})",
                     hint="reshape y like net(X) (y.reshape(out.shape)): (n, 1) against (n,) broadcasts to (n, n)")


@check("polynomial_regression.evaluate_loss", clauses="returns")
def check_evaluate_loss_returns_float(evaluate_loss):
    batches, loss = uneven_batches(0), nn.MSELoss(reduction="none")
    got = evaluate_loss(layer(), batches, loss)
    assert type(got) is float, f"evaluate_loss should return a Python float (.item() or float(...)), got {type_name(got)}"
    assert_close(got, ref("polynomial_regression.evaluate_loss")(layer(), batches, loss),
                 what="evaluate_loss (it must be right for this check to count)")


class GradModeNet(nn.Module):
    """A linear layer that records, at every call, whether gradients were being recorded."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 1)
        self.modes = []

    def forward(self, X):
        self.modes.append(torch.is_grad_enabled())
        return self.lin(X)


def _evaluate_recording(evaluate_loss, batches, loss):
    torch.manual_seed(0)
    net = GradModeNet()
    with torch.enable_grad():
        got = evaluate_loss(net, batches, loss)
    return got, net.modes


@check("polynomial_regression.evaluate_loss", clauses="no_grad")
def check_evaluate_loss_no_grad(evaluate_loss):
    batches, loss = uneven_batches(1), nn.MSELoss(reduction="none")
    got, modes = student_side(_evaluate_recording, evaluate_loss, batches, loss)
    torch.manual_seed(0)
    expected = ref("polynomial_regression.evaluate_loss")(GradModeNet(), batches, loss)
    assert_close(got.item() if isinstance(got, torch.Tensor) and got.numel() == 1 else got, expected,
                 what="evaluate_loss (it must be right for this check to count)")
    assert modes and not any(modes), \
        (f"evaluate_loss called the net with gradients recorded ({sum(modes)} of {len(modes)} calls): evaluate "
         "under torch.no_grad(), so that no graph is built")


def _poly_recheck(w, X, y, what):
    return squared_loss_of(flat_weight(w, X.shape[1], what), X, y)


@check("polynomial_regression.train", points=2, kind="accuracy", clauses="fits", integration=False,
       substitute=("evaluate_loss",))
def check_poly_train_another_cubic(train):
    true_w = [-2.0, 3.5, 4.0, -1.5]
    features, labels = poly_data(seed=11, true_w=true_w)
    result = train_to_threshold(lambda: train(features[:100, :4], features[100:, :4], labels[:100], labels[100:]),
                                metric=lambda run: (flat_weight(run[0], 4, "the learned weight train returned")
                                                    - torch.tensor(true_w)).abs().max().item(),
                                threshold=0.1, higher_is_better=False, history=lambda run: [], seed=1, reference_value=0.045,
                                what=f"the largest distance of a third-order fit's weights from {true_w}",
                                budget="400 epochs (SGD lr 0.01, batches of 10)")
    test_loss = _poly_recheck(result.run[0], features[100:, :4], labels[100:], "the learned weight")
    assert test_loss < 0.05, f"the fit's test loss (computed here from its weights) is {test_loss:.4g}: about 0.01 expected"


@check("polynomial_regression.train", points=2, kind="accuracy", clauses="losses", integration=False,
       substitute=("evaluate_loss",))
def check_poly_train_underfit_and_losses(train):
    features, labels = poly_data(seed=7)
    X, X_test, y, y_test = features[:100, :2], features[100:, :2], labels[:100], labels[100:]
    w, train_loss, test_loss = seeded(train, 0, X, X_test, y, y_test)
    for got, A, b, part in ((train_loss, X, y, "training"), (test_loss, X_test, y_test, "test")):
        recomputed = _poly_recheck(w, A, b, "the learned weight train returned")
        assert_close(got.item() if isinstance(got, torch.Tensor) and got.numel() == 1 else got, recomputed,
                     rtol=1e-3, what=f"the {part} loss train returned for the linear fit (the mean squared error of the "
                                     "returned weights, computed here)",
                     hint="return evaluate_loss(net, ...) of the trained net, after the last epoch")
    recomputed = _poly_recheck(w, X_test, y_test, "the learned weight")
    assert recomputed > 1, (f"a linear model cannot fit a cubic: its test loss (computed here) should stay large "
                            f"(underfitting), got {recomputed:.4g}")


@check("polynomial_regression.train", clauses="returns", substitute=("evaluate_loss",))
def check_poly_train_returns(train):
    features, labels = poly_data(seed=3)
    X, y = features[:100, :4], labels[:100]
    out = seeded(train, 0, X, features[100:, :4], y, labels[100:], num_epochs=20)
    assert isinstance(out, tuple) and len(out) == 3, f"train should return (w, train_loss, test_loss), got {out!r}"
    w, train_loss, test_loss = out
    flat = flat_weight(w, 4, "the learned weight")
    zero = squared_loss_of(torch.zeros(4), X, y)
    assert squared_loss_of(flat, X, y) < zero / 2, \
        "the returned weight is not the trained one (its training loss, computed here, is not below half that of 0)"
    assert_tensor(w, what="the learned weight w", shape=(4,), dtype=torch.float32)
    assert type(train_loss) is float and type(test_loss) is float, \
        f"the losses should be Python floats (evaluate_loss's), got {type_name(train_loss)} and {type_name(test_loss)}"


# §4.5 weight decay -------------------------------------------------------------------------------

WD_SIZES = (200, 7)


@check("weight_decay.init_params", clauses="init")
def check_wd_init_params_seeded(init_params):
    for seed, d in zip((0, 1), WD_SIZES):
        got = seeded_state(init_params, seed, d)
        expected = seeded_state(ref("weight_decay.init_params"), seed, d)
        first = lambda s: s[:1] if isinstance(s, list) else s  # noqa: E731
        assert_same_draws(first(got), first(expected), flat=True, what=f"w of init_params({d}) under "
                          f"torch.manual_seed({seed})", hint="w = torch.normal(0, 1, size=(num_inputs, 1)): N(0, 1), "
                                                             "not N(0, 0.01²) as in chapter 3")


def wd_weight_right(got, d, seed):
    expected = seeded_state(ref("weight_decay.init_params"), seed, d)
    if not (isinstance(got, list) and len(got) == 2):
        raise AssertionError(f"init_params({d}) should return [w, b], got {type_name(got)}")
    assert_same_draws(got[:1], expected[:1], flat=True,
                      what=f"w of init_params({d}) (it must be right for this check to count)")


@check("weight_decay.init_params", clauses="zero_bias")
def check_wd_init_params_zero_bias(init_params):
    got = seeded_state(init_params, 1, 7)
    wd_weight_right(got, 7, 1)
    b = got[1][1]
    assert isinstance(b, torch.Tensor) and b.numel() == 1 and torch.all(b == 0), f"b should start at 0, got {b!r}"


@check("weight_decay.init_params", clauses="returns")
def check_wd_init_params_leaves(init_params):
    container, got, kinds = params_described(init_params, 1, (7,))
    wd_weight_right(got, 7, 1)
    assert container == "list", f"init_params should return a list [w, b], got a {container}"
    for kind, name in zip(kinds, ("w", "b")):
        assert kind["dtype"] == "float32", f"{name} should be float32, got {kind['dtype']}"
        assert kind["requires_grad"] and kind["leaf"], \
            f"{name} should be a leaf tensor with requires_grad=True (torch.normal(..., requires_grad=True), " \
            "not a tensor computed from one)"


def l2_args(seed):
    return (randn((7, 1), seed),)


reference_check("weight_decay.l2_penalty", l2_args, what="l2_penalty(w)",
                hint="||w||² / 2: the sum of the squares, halved (not the norm itself)", points=2)


gradients_check("weight_decay.l2_penalty", l2_args, what="l2_penalty(w)")


no_builtin_check("weight_decay.l2_penalty", l2_args, forbidden=NORM_FUNCS, what="l2_penalty")


def zero_feature_data(n=20, d=50):
    """Features all 0 and labels 0.05: only the penalty moves w, and only the data moves b."""
    return torch.zeros(n, d), torch.full((n, 1), 0.05)


def decay_hint(ratio, lr, lambd, steps, batch) -> str:
    if isinstance(ratio, float) and abs(ratio - (1 - lr * lambd / batch) ** steps) < 1e-3 * ratio:
        return "w shrinks by (1 - lr * lambd / batch_size) per step: the penalty was added once per minibatch; add " \
               "lambd * l2_penalty(w) to every example's loss (broadcasting does it) before the sum"
    if isinstance(ratio, float) and abs(ratio - (1 - lr * lambd * batch) ** steps) < 1e-3 * max(ratio, 1e-12):
        return "w shrinks by (1 - lr * lambd * batch_size) per step: divide the step by the batch size"
    return "each of the 5 examples of a batch adds lambd * ||w||²/2; the step divides by the batch size, so w " \
           "shrinks by (1 - lr * lambd) per step"


@check("weight_decay.train", points=2, clauses="decay", substitute=("weight_decay.init_params", "l2_penalty"))
def check_wd_train_exact_decay(train):
    lr, epochs, steps = 0.003, 30, 30 * 4
    norms, biases = [], []
    for lambd in (0, 3):
        out = seeded(train, 1, lambd, zero_feature_data(), num_epochs=epochs, lr=lr, batch_size=5)
        norms.append(weight_norm(out[0]))
        biases.append(out[1].detach())
    ratio = norms[1] / norms[0] if norms[0] else float("nan")
    expected = (1 - lr * 3) ** steps
    assert_close(ratio, expected, rtol=1e-3, atol=0,
                 what=f"||w|| with lambd=3 over ||w|| with lambd=0, on all-zero features ({steps} steps of lr {lr})",
                 hint=decay_hint(ratio, lr, 3, steps, 5))
    assert_close(biases[1], biases[0], atol=1e-6, what="the bias trained with lambd=3 (on all-zero features only "
                 "the data moves it: it should equal the bias trained with lambd=0)",
                 hint="penalise w only: lambd * l2_penalty(w)")


def _recording(train, names, args, kwargs, seed):
    """Student side: ``train(*args)`` with the calls into this module's ``names`` counted."""
    namespace = train.__globals__
    counts = {n: 0 for n in names}
    originals = {n: namespace[n] for n in names if n in namespace}

    def counted(name, fn):
        def call(*a, **k):
            counts[name] += 1
            return fn(*a, **k)
        return call
    namespace.update({n: counted(n, f) for n, f in originals.items()})
    try:
        torch.manual_seed(seed)
        out = train(*args, **kwargs)
    finally:
        namespace.update(originals)
    return out, counts


@check("weight_decay.train", clauses="uses", substitute=("weight_decay.init_params", "l2_penalty"))
def check_wd_train_uses_helpers(train):
    kwargs = dict(num_epochs=3, lr=0.003, batch_size=5)
    torch.manual_seed(2)
    out, counts = student_side(_recording, train, ("init_params", "l2_penalty"), (0, zero_feature_data()), kwargs, 2)
    start = seeded_state(ref("weight_decay.init_params"), 2, 50)
    if not (isinstance(out, (list, tuple)) and len(out) == 2):
        raise AssertionError(f"train should return [w, b], got {type_name(out)}")
    assert_close(out[0].detach(), start[0][1], what="w after 3 epochs with lambd=0 on all-zero features: nothing "
                 "moves it, so it is init_params(50)'s draw (it must be for this check to count)")
    assert (out[1].detach() - 0.05).abs().item() < 0.05, "b was not trained toward the labels (0.05)"
    assert counts["init_params"] >= 1, "train should start from this module's init_params(d), not draw w and b itself"
    assert counts["l2_penalty"] >= 1, "train should penalise with this module's l2_penalty(w), not its own formula"


@check("weight_decay.train_concise", points=2, clauses="decay")
def check_train_concise_decays_weight(train_concise):
    lr, epochs, steps = 0.01, 30, 30 * 4
    norms = [weight_norm(seeded(train_concise, 1, wd, zero_feature_data(), num_epochs=epochs, lr=lr,
                                batch_size=5)[0].weight) for wd in (0, 3)]
    ratio = norms[1] / norms[0] if norms[0] else float("nan")
    assert_close(ratio, (1 - lr * 3) ** steps, rtol=1e-3, atol=0,
                 what=f"||w|| with wd=3 over ||w|| with wd=0, on all-zero features ({steps} SGD steps of lr {lr})",
                 hint="weight_decay=wd in the weight's parameter group of torch.optim.SGD")


@check("weight_decay.train_concise", clauses="bias")
def check_train_concise_bias_not_decayed(train_concise):
    lr, epochs = 0.01, 30
    nets = [seeded(train_concise, 1, wd, zero_feature_data(), num_epochs=epochs, lr=lr, batch_size=5)[0]
            for wd in (0, 3)]
    start = seeded(train_concise, 1, 0, zero_feature_data(), num_epochs=0)[0]
    b0, b3, b_init = nets[0].bias.detach(), nets[1].bias.detach(), start.bias.detach()
    assert (b0 - 0.05).abs().item() < (b_init - 0.05).abs().item(), \
        "the bias did not move toward the labels (0.05): it must be trained for this check to count"
    assert_close(b3, b0, atol=1e-6, what="the bias trained with wd=3 (it should equal the bias trained with wd=0)",
                 hint="the book decays the weight only: give the bias its own parameter group without weight_decay")


@check("weight_decay.train_concise", clauses="init")
def check_train_concise_initialisation(train_concise):
    for seed, d in ((0, 200), (4, 7)):
        data = (torch.zeros(5, d), torch.zeros(5, 1))
        got = seeded_state(train_concise, seed, 0, data, num_epochs=0)
        expected = seeded_state(ref("weight_decay.train_concise"), seed, 0, data, num_epochs=0)
        assert_same_draws(got, expected, what=f"the parameters of train_concise's net before training ({d} features, "
                          f"torch.manual_seed({seed}))", hint="nn.Sequential(nn.Linear(d, 1)), then param.data.normal_() "
                                                              "for each of net.parameters(): the weight, then the bias")


# §4.6 dropout ------------------------------------------------------------------------------------

def normal_rate(p: float) -> float:
    """P(N(0, 1) > p): the kept fraction of a mask drawn with torch.randn instead of torch.rand."""
    return 0.5 * math.erfc(p / math.sqrt(2))


def assert_dropout_output(out, X, p, *, what, tol=0.01):
    """``out`` is a dropout of ``X`` at rate ``p``: each entry 0 or X / (1 - p), about 1 - p of them kept."""
    assert_tensor(out, what=what, shape=X.shape)
    kept = (out != 0).cpu()
    rate = kept.double().mean().item()
    if abs(rate - (1 - p)) >= tol:
        if abs(rate - normal_rate(p)) < tol:
            hint = ("the kept fraction is P(N(0, 1) > p): the mask compares normal draws (torch.randn) with p; compare "
                    "uniform draws (torch.rand) instead")
        elif abs(rate - p) < tol:
            hint = "the entries are kept with probability p: keep where the uniform draw is > p (drop with probability p)"
        else:
            hint = "keep an entry where its uniform draw is > p"
        raise AssertionError(f"{what} kept {rate:.3f} of the entries; it should keep each with probability "
                             f"1 - {p} = {1 - p:g}\n  hint: {hint}")
    got = out.detach().cpu().to(X.dtype)[kept]
    assert_close(got, X.detach().cpu()[kept] / (1 - p), what=f"the kept entries of {what}",
                 hint=f"scale what you keep by 1 / (1 - p) = {1 / (1 - p):.4g} so the expectation is unchanged")


@check("dropout.dropout_layer", points=2, clauses="values")
def check_dropout_layer_mask_statistics(dropout_layer):
    X = randn((400, 500), 0)
    for p in (0.2, 0.5, 0.8):
        assert_dropout_output(dropout_layer(X.clone(), p), X, p, what=f"dropout_layer(X (400, 500), {p})")
    X = randn((20, 30, 40), 1)
    assert_dropout_output(dropout_layer(X.clone(), 0.3), X, 0.3, what="dropout_layer(X (20, 30, 40), 0.3)", tol=0.015)


@check("dropout.dropout_layer", clauses="edges")
def check_dropout_layer_edge_cases(dropout_layer):
    X = randn((3, 4, 5), 1)
    assert_close(dropout_layer(X.clone(), 0), X, what="dropout_layer(X, 0) for X float32 (3, 4, 5)",
                 hint="dropout 0 keeps everything: return X")
    assert_close(dropout_layer(X.clone(), 1), torch.zeros_like(X), what="dropout_layer(X, 1) for X float32 (3, 4, 5)",
                 hint="dropout 1 drops everything: return torch.zeros_like(X) (1 / (1 - 1) would divide by zero)")


@check("dropout.dropout_layer", clauses="errors")
def check_dropout_layer_rejects_bad_rates(dropout_layer):
    X = randn((200, 300), 2)
    assert_dropout_output(dropout_layer(X.clone(), 0.5), X, 0.5,
                          what="dropout_layer(X, 0.5) (it must be right for this check to count)")
    for bad in (-0.1, -1, 1.5, 2):
        assert_refuses(dropout_layer, X.clone(), bad, what=f"dropout_layer(X, {bad})",
                       expect="a probability outside [0, 1] should raise ValueError (or assert 0 <= dropout <= 1)")


def _three_masks(dropout_layer, X, p):
    torch.manual_seed(5)
    first = dropout_layer(X.clone(), p)
    torch.manual_seed(5)
    again = dropout_layer(X.clone(), p)
    third = dropout_layer(X.clone(), p)
    return first, again, third


@check("dropout.dropout_layer", clauses="rng")
def check_dropout_layer_fresh_seeded_masks(dropout_layer):
    X = randn((100, 200), 3)
    first, again, third = student_side(_three_masks, dropout_layer, X, 0.5)
    assert_dropout_output(first, X, 0.5, what="dropout_layer(X, 0.5) (it must be right for this check to count)",
                          tol=0.02)
    assert torch.equal(first != 0, again != 0), \
        ("under the same torch.manual_seed dropout_layer gave another mask: draw it with torch's global generator "
         "(torch.rand), not numpy, random or a generator of your own")
    assert not torch.equal(again != 0, third != 0), \
        "two calls in a row gave the same mask: draw a fresh mask every call (no fixed seed or cached mask)"


@check("dropout.dropout_layer", clauses="dtype")
def check_dropout_layer_keeps_dtype(dropout_layer):
    for dtype in (torch.float64, torch.float16):
        X = randn((300, 300), 4, dtype=dtype)
        out = dropout_layer(X.clone(), 0.5)
        assert_tensor(out, what=f"dropout_layer(X, 0.5) for X {str(dtype)[6:]}", dtype=dtype)
        assert_dropout_output(out, X, 0.5, what=f"dropout_layer(X, 0.5) for X {str(dtype)[6:]}", tol=0.02)


@check("dropout.dropout_layer", clauses="device")
def check_dropout_layer_on_device(dropout_layer, device):
    X = randn((300, 300), 5, device=device)
    out = dropout_layer(X.clone(), 0.5)
    assert_tensor(out, what=f"dropout_layer(X, 0.5) for X on {device}", device=device)
    assert_dropout_output(out, X, 0.5, what=f"dropout_layer(X, 0.5) for X on {device}", tol=0.02)
    assert_keeps_device(dropout_layer, X, 0.5, what="dropout_layer(X, 0.5)",
                        hint="draw the mask with torch.rand(X.shape, device=X.device) (or torch.rand_like(X)), and "
                             "convert it with .to(X.dtype), not .float()")


@check("dropout.dropout_layer", gpu=True, clauses="device")
def check_dropout_layer_on_device_gpu(dropout_layer, device):
    X = torch.ones(300, 300, device=device, dtype=torch.float16)
    out = dropout_layer(X.clone(), 0.5)
    assert_tensor(out, what=f"dropout_layer(X, 0.5) for X float16 on {device}", shape=X.shape, device=device)
    assert_dropout_output(out, X, 0.5, what=f"dropout_layer(ones, 0.5) on {device}", tol=0.02)


@check("dropout.dropout_layer", clauses="pure")
def check_dropout_layer_input_unchanged(dropout_layer):
    X = randn((200, 100), 6)
    keep = X.clone()
    out = assert_unchanged(dropout_layer, X, 0.4, what="dropout_layer(X, 0.4)")
    assert_dropout_output(out, keep, 0.4, what="dropout_layer(X, 0.4) (it must be right for this check to count)",
                          tol=0.02)


def _dropout_gradient(dropout_layer, X, p):
    X = X.detach().clone().requires_grad_(True)
    out = dropout_layer(X.clone(), p)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None
    out.sum().backward()
    return out.detach(), X.grad


@check("dropout.dropout_layer", clauses="gradients")
def check_dropout_layer_gradient(dropout_layer):
    X = randn((50, 40), 2)
    got = student_side(_dropout_gradient, dropout_layer, X, 0.3)
    assert got is not None, "no gradient flows from dropout_layer's output to X: no .data, .detach() or numpy"
    out, grad = got
    assert_dropout_output(out, X, 0.3, what="dropout_layer(X, 0.3) (it must be right for this check to count)",
                          tol=0.05)
    assert_close(grad, (out != 0).float() / 0.7, what="the gradient of dropout_layer(X, 0.3).sum() w.r.t. X",
                 hint="the gradient is mask / (1 - p): 0 where dropped, 1/(1-p) where kept")


@check("dropout.dropout_layer", clauses="no_builtin")
def check_dropout_layer_no_builtin(dropout_layer):
    X = randn((200, 300), 0)
    out = assert_no_forbidden_calls(dropout_layer, X.clone(), 0.5, forbidden=DROPOUT_FUNCS, what="dropout_layer")
    assert_dropout_output(out, X, 0.5, what="dropout_layer(X, 0.5) (it must be right for this check to count)")


NET_SIZES = (784, 10, 64, 32)


@check("dropout.Net", points=2, clauses="values", substitute=("dropout_layer",))
def check_Net_same_function(Net):
    net, expected = Net(*NET_SIZES), ref("dropout.Net")(*NET_SIZES)
    assert_same_parameter_count(net, expected, what=f"Net{NET_SIZES}")
    assert_same_function(net, expected, (torch.rand(5, 1, 28, 28),), what=f"Net{NET_SIZES} in eval mode")


@check("dropout.Net", clauses="init")
def check_Net_initialisation(Net):
    for seed in (0, 7):
        got, expected = seeded_state(Net, seed, *NET_SIZES), seeded_state(ref("dropout.Net"), seed, *NET_SIZES)
        assert_same_draws(got, expected, what=f"the parameters of Net{NET_SIZES} under torch.manual_seed({seed})",
                          hint="create lin1, lin2, lin3 in that order and keep nn.Linear's default initialisation")


def _hidden_after_dropout(Net, args, kwargs, n=4000):
    """Student side: every hidden unit outputs 1 (zero weights, bias 1), so what reaches lin2 and lin3 in training
    mode shows the dropped fraction and the scale directly."""
    torch.manual_seed(0)
    net = Net(*args, **kwargs)
    with torch.no_grad():
        for layer in (net.lin1, net.lin2):
            layer.weight.zero_()
            layer.bias.fill_(1.0)
    seen = {}
    hooks = [net.lin2.register_forward_pre_hook(lambda m, a: seen.__setitem__("dropout1", a[0].detach().clone())),
             net.lin3.register_forward_pre_hook(lambda m, a: seen.__setitem__("dropout2", a[0].detach().clone()))]
    try:
        net.train()
        net(torch.rand(n, 1, 28, 28))
    finally:
        for h in hooks:
            h.remove()
    return seen


def assert_rates(seen, rates, what):
    for name, p in zip(("dropout1", "dropout2"), rates):
        H = seen.get(name)
        if H is None:
            raise AssertionError(f"{what}: nothing reached {'lin2' if name == 'dropout1' else 'lin3'} in training mode")
        rate = (H == 0).float().mean().item()
        kept = H[H != 0]
        ok = abs(rate - p) < 0.02 and (kept.numel() == 0 or torch.allclose(kept, torch.tensor(1 / (1 - p))))
        if not ok:
            other = rates[1] if name == "dropout1" else rates[0]
            hint = f"\n  hint: that is the rate of the other layer ({other}): dropout1 goes after lin1, dropout2 " \
                   "after lin2" if abs(rate - other) < 0.02 and other != p else ""
            raise AssertionError(f"{what}: in training mode the hidden units after {name} should be dropped with "
                                 f"probability {p} and scaled by 1/(1 - {p}); {rate:.3f} were dropped, values "
                                 f"{sorted(set(H.unique().tolist()))[:4]}{hint}")


@check("dropout.Net", points=2, clauses="rates", substitute=("dropout_layer",))
def check_Net_rates(Net):
    seen = student_side(_hidden_after_dropout, Net, NET_SIZES, {})
    assert_rates(seen, (0.2, 0.5), f"Net{NET_SIZES} with its default rates")


@check("dropout.Net", clauses="arguments", substitute=("dropout_layer",))
def check_Net_rates_from_arguments(Net):
    seen = student_side(_hidden_after_dropout, Net, NET_SIZES, {"dropout1": 0.7, "dropout2": 0.1})
    assert_rates(seen, (0.7, 0.1), f"Net{NET_SIZES[:4]} with dropout1=0.7, dropout2=0.1")


def _dropout_calls(Net, args):
    torch.manual_seed(0)
    net = Net(*args)
    namespace = type(net).forward.__globals__
    original, calls = namespace.get("dropout_layer"), []

    def recorded(*args, **kwargs):
        values = list(args) + list(kwargs.values())
        calls.append((tuple(values[0].shape), float(values[1])))
        return original(*args, **kwargs)
    if original is not None:
        namespace["dropout_layer"] = recorded
    try:
        net.train()
        out = net(torch.rand(8, 1, 28, 28))
    finally:
        if original is not None:
            namespace["dropout_layer"] = original
    return tuple(out.shape), calls


@check("dropout.Net", clauses="uses", substitute=("dropout_layer",))
def check_Net_uses_dropout_layer(Net):
    out_shape, calls = student_side(_dropout_calls, Net, NET_SIZES)
    assert out_shape == (8, 10), f"Net{NET_SIZES} gave outputs of shape {out_shape} for 8 images, expected (8, 10)"
    expected = [(8, NET_SIZES[2]), (8, NET_SIZES[3])]   # the rates are another clause's
    assert [shape_ for shape_, _ in calls] == expected, \
        (f"in training mode Net should call this module's dropout_layer on the outputs of the two hidden layers "
         f"(shapes {expected}); it called it {[s for s, _ in calls] or 'not at all'}: no nn.Dropout or F.dropout")


@check("dropout.Net", points=3, kind="accuracy", clauses="values", uses={"dropout_layer": "dropout.dropout_layer"})
def check_Net_reaches_threshold(Net, dropout_layer):
    def history():
        net = Net(784, 10, 256, 256)
        return fashion_history(net, net.parameters(), lr=0.5)
    train_to_threshold(history, metric=last_epochs_accuracy, history=accuracy_curve, threshold=0.80,
                       reference_value=0.847, what="mean test accuracy (last 3 epochs) of your Net with your "
                                                   "dropout_layer (rates 0.2 and 0.5)",
                       budget=FASHION_BUDGET + ", SGD lr 0.5")


# §4.8 Xavier initialisation ---------------------------------------------------------------------

def assert_xavier(t, shape_, gain, *, what):
    assert_tensor(t, what=what, shape=shape_)
    receptive = math.prod(shape_[2:])
    fan_in, fan_out = shape_[1] * receptive, shape_[0] * receptive
    bound = gain * math.sqrt(6 / (fan_in + fan_out))
    top, var = t.abs().max().item(), t.double().var().item()
    if not 0.97 * bound < top <= bound * (1 + 1e-6):
        only_in = gain * math.sqrt(6 / fan_in)
        hint = "\n  hint: that is the bound from fan_in alone: a = gain * sqrt(6 / (fan_in + fan_out))" \
            if 0.97 * only_in < top <= only_in * (1 + 1e-6) else ""
        raise AssertionError(f"{what}: the largest |w| is {top:.4g}, the bound is gain * sqrt(6 / (fan_in + fan_out)) = "
                             f"{bound:.4g} (fan_in = {fan_in}, fan_out = {fan_out}){hint}")
    if not (abs(var / (bound ** 2 / 3) - 1) < 0.05 and abs(t.double().mean().item()) < bound / 20):
        raise AssertionError(f"{what}: the values should be uniform on [-{bound:.4g}, {bound:.4g}] (variance "
                             f"{bound ** 2 / 3:.4g}), got variance {var:.4g}")


def xavier_filled(out, given):
    return out if isinstance(out, torch.Tensor) else given


@check("initialization.xavier_uniform_", points=2, clauses="values")
def check_xavier_uniform__bound_and_variance(xavier_uniform_):
    for shape_, gain in (((300, 100), 1.0), ((10, 4000), 1.0), ((200, 300), 2.0)):
        weight = torch.zeros(shape_)
        out = xavier_uniform_(weight, gain)
        assert_xavier(xavier_filled(out, weight), shape_, gain, what=f"xavier_uniform_ on a {shape_} weight, gain {gain}")


@check("initialization.xavier_uniform_", clauses="fans")
def check_xavier_uniform__fans(xavier_uniform_):
    for shape_, gain in (((64, 32, 3, 3), 2.0), ((64, 32, 5), 1.0)):
        weight = torch.zeros(shape_)
        out = xavier_uniform_(weight, gain)
        assert_xavier(xavier_filled(out, weight), shape_, gain,
                      what=f"xavier_uniform_ on a convolution weight {shape_}, gain {gain} (the fans count the kernel)")


@check("initialization.xavier_uniform_", clauses="rng")
def check_xavier_uniform__seeded(xavier_uniform_):
    for seed, shape_ in ((0, (50, 30)), (1, (30, 70))):
        got = seeded(xavier_uniform_, seed, torch.zeros(shape_), 1.5)
        expected = seeded(ref("initialization.xavier_uniform_"), seed, torch.zeros(shape_), 1.5)
        assert isinstance(got, torch.Tensor), f"xavier_uniform_ should return the tensor it filled, got {type_name(got)}"
        assert_close(got, expected, what=f"xavier_uniform_ on a {shape_} tensor under torch.manual_seed({seed})",
                     hint="draw with torch's global generator: tensor.uniform_(-a, a) (not numpy, not a generator of "
                          "your own)")


@check("initialization.xavier_uniform_", clauses="in_place")
def check_xavier_uniform__in_place(xavier_uniform_):
    weight = torch.zeros(200, 300)
    out = xavier_uniform_(weight)
    assert out is weight, "xavier_uniform_ works in place and returns the tensor it was given (tensor.uniform_ does both)"
    assert_xavier(weight, (200, 300), 1.0, what="the tensor given to xavier_uniform_, after the call")


@check("initialization.xavier_uniform_", clauses="parameter")
def check_xavier_uniform__parameter(xavier_uniform_):
    torch.manual_seed(0)
    linear = nn.Linear(400, 300)
    out = xavier_uniform_(linear.weight)
    assert_xavier(xavier_filled(out, linear.weight).detach(), (300, 400), 1.0,
                  what="xavier_uniform_ on an nn.Linear(400, 300) weight (an nn.Parameter)")
    assert linear.weight.grad_fn is None and linear.weight.is_leaf and linear.weight.requires_grad, \
        "the parameter must stay a leaf that requires gradients (fill it under torch.no_grad())"


@check("initialization.xavier_uniform_", clauses="no_builtin")
def check_xavier_uniform__no_nn_init(xavier_uniform_):
    weight = torch.zeros(70, 90)
    out, called = library_calls(xavier_uniform_, weight)
    used = {name for name in called if name.startswith("torch.nn.init.")}
    assert not used, (f"xavier_uniform_ must not use nn.init, but it called {', '.join(sorted(used))}: the exercise "
                      "is to compute the bound from the fans and draw with tensor.uniform_")
    assert_xavier(xavier_filled(out, weight), (70, 90), 1.0,
                  what="xavier_uniform_ on a (70, 90) weight (it must be right for this check to count)")


@check("initialization.xavier_uniform_", clauses="errors")
def check_xavier_uniform__rejects_vectors(xavier_uniform_):
    weight = torch.zeros(200, 100)
    assert_xavier(xavier_filled(xavier_uniform_(weight), weight), (200, 100), 1.0,
                  what="xavier_uniform_ on a (200, 100) weight (it must be right for this check to count)")
    for bad in (torch.zeros(5), torch.zeros(())):
        try:
            xavier_uniform_(bad)
        except ValueError:
            continue
        except StudentNotImplemented:
            raise
        except StudentError as e:
            raise AssertionError(f"xavier_uniform_ on a tensor of shape {tuple(bad.shape)} should raise ValueError "
                                 f"(fan-in and fan-out need 2 dims), not fail on the way: {e}") from None
        raise AssertionError(f"xavier_uniform_ on a tensor of shape {tuple(bad.shape)} should raise ValueError (fan-in "
                             "and fan-out need 2 dimensions)")


# §4.10 Kaggle house prices -----------------------------------------------------------------------

def numeric_frames():
    """Numbers only: a float column with gaps, two integer ones (the book's code runs on any pandas here)."""
    train = pd.DataFrame({"Id": [1, 2, 3, 4], "Area": [50.0, None, 80.0, 70.0], "Rooms": [2, 3, 4, 3],
                          "Year": [1990, 2001, 1975, 2010], "SalePrice": [100.0, 150.0, 210.0, 180.0]})
    test = pd.DataFrame({"Id": [5, 6], "Area": [60.0, 90.0], "Rooms": [1, 5], "Year": [1999, 1960]})
    return train, test


def text_frames(as_object: bool):
    """With two text columns (one with a gap), of dtype object (pandas < 3, the book's) or str (pandas 3)."""
    train = pd.DataFrame({"Id": [1, 2, 3, 4], "Area": [50.0, None, 80.0, 70.0], "Street": ["Pave", "Grvl", None, "Pave"],
                          "Rooms": [2, 3, 4, 3], "Zone": ["RL", "RM", "RL", "FV"],
                          "SalePrice": [100.0, 150.0, 210.0, 180.0]})
    test = pd.DataFrame({"Id": [5, 6], "Area": [60.0, 90.0], "Street": ["Grvl", "Pave"], "Rooms": [1, 5],
                         "Zone": ["RM", None]})
    return tuple(text_as(f, as_object) for f in (train, test))


def text_columns(frame):
    return [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]


def text_as(frame, as_object: bool):
    cols = text_columns(frame)
    return frame.astype({c: object for c in cols}) if as_object else frame.astype({c: "str" for c in cols})


def kaggle_numeric():
    return tuple(f.drop(columns=text_columns(f)) for f in house_frames())


def kaggle_object():
    return tuple(text_as(f, True) for f in house_frames())


def compare_preprocessed(got, expected, label, columns=None):
    if not (isinstance(got, (tuple, list)) and len(got) == 3):
        raise AssertionError(f"preprocess should return (train_features, test_features, train_labels), got "
                             f"{type_name(got)}")
    for g, e, part in zip(got, expected, ("train_features", "test_features", "train_labels")):
        if columns is not None and part != "train_labels":
            assert_tensor(g, what=f"{part} for {label}", dtype=torch.float32)
            if g.dim() != 2 or g.shape[0] != e.shape[0] or g.shape[1] < columns:
                raise AssertionError(f"{part} for {label} has shape {tuple(g.shape)}; expected {e.shape[0]} rows and "
                                     f"its {columns} numeric columns first")
            g, e = g[:, :columns], e[:, :columns]
        assert_close(g, e, what=f"{part} for {label}" + (" (its numeric columns)" if columns and part != "train_labels"
                                                           else ""), atol=1e-5,
                     hint="standardise the numeric columns over both sets (mean, std with ddof 1), then fill NaN "
                          "with 0, then pd.get_dummies(dummy_na=True) with booleans as 0/1 floats")


@check("kaggle_house.preprocess", points=2, clauses="values")
def check_preprocess_matches_reference(preprocess):
    for frames, label in ((numeric_frames(), "a 4 + 2 row example with numbers only"),
                          (kaggle_numeric(), "the Kaggle CSVs' numeric columns")):
        expected = ref("kaggle_house.preprocess")(*[f.copy() for f in frames])
        compare_preprocessed(preprocess(*frames), expected, label)


@check("kaggle_house.preprocess", clauses="onehot")
def check_preprocess_one_hot(preprocess):
    for frames, label in ((text_frames(as_object=True), "a 4 + 2 row example with text columns (dtype object)"),
                          (kaggle_object(), "the Kaggle CSVs, text as dtype object")):
        expected = ref("kaggle_house.preprocess")(*[f.copy() for f in frames])
        compare_preprocessed(preprocess(*frames), expected, label)


@check("kaggle_house.preprocess", clauses="str_columns")
def check_preprocess_str_columns(preprocess):
    for frames, label in ((text_frames(as_object=False), "a 4 + 2 row example with text columns of dtype str"),
                          (house_frames(), "the Kaggle CSVs as pd.read_csv gives them")):
        expected = ref("kaggle_house.preprocess")(*[f.copy() for f in frames])
        numeric = frames[1].iloc[:, 1:].select_dtypes(include="number").shape[1]
        try:
            got = preprocess(*frames)
        except StudentNotImplemented:
            raise
        except StudentError as e:
            raise AssertionError(f"preprocess failed on {label}: {e}\n  hint: on pandas 3 text columns have dtype str, "
                                 "so dtypes != 'object' picks them too: select the numeric columns with "
                                 "select_dtypes(include='number')") from None
        compare_preprocessed(got, expected, label, columns=numeric)


def _preprocess_leaves_frames(preprocess, frames):
    copies = [f.copy() for f in frames]
    got = preprocess(*frames)
    return got, [f.equals(c) and list(f.columns) == list(c.columns) for f, c in zip(frames, copies)]


@check("kaggle_house.preprocess", clauses="pure")
def check_preprocess_leaves_frames(preprocess):
    frames = numeric_frames()
    got, unchanged = student_side(_preprocess_leaves_frames, preprocess, frames)
    compare_preprocessed(got, ref("kaggle_house.preprocess")(*numeric_frames()),
                         "a 4 + 2 row example (it must be right for this check to count)")
    for ok, which in zip(unchanged, ("train_data", "test_data")):
        assert ok, f"preprocess modified the {which} frame it was given: work on the concatenated copy (no pop, " \
                   "inplace=True or column assignments on the caller's frames)"


def log_rmse_data(seed, low):
    """Predictions ``low`` and up (exp of a normal), prices of the same scale."""
    preds = torch.exp(randn((30, 1), seed, scale=2)) + low
    labels = torch.exp(randn((30, 1), seed + 1, scale=2) + 1)
    return preds, labels


def log_rmse_value(got):
    return got.item() if isinstance(got, torch.Tensor) and got.numel() == 1 else got


@check("kaggle_house.log_rmse", points=2, clauses="values")
def check_log_rmse_matches_reference(log_rmse):
    for seed in SEEDS:
        preds, labels = log_rmse_data(seed, 1.0)
        got = log_rmse(nn.Identity(), preds, labels)
        assert_close(log_rmse_value(got), ref("kaggle_house.log_rmse")(nn.Identity(), preds, labels), rtol=1e-5,
                     what=f"log_rmse for 30 predictions of at least 1 (seed {seed})",
                     hint="sqrt of the mean of (log p - log y)², not the sum, not without the root")


@check("kaggle_house.log_rmse", clauses="clamp")
def check_log_rmse_clamps(log_rmse):
    for seed in SEEDS[:3]:
        preds, labels = log_rmse_data(seed, 0.0)
        got = log_rmse(nn.Identity(), preds, labels)
        assert_close(log_rmse_value(got), ref("kaggle_house.log_rmse")(nn.Identity(), preds, labels), rtol=1e-5,
                     what=f"log_rmse for 30 predictions, some below 1 (seed {seed})",
                     hint="clamp the predictions to [1, inf) before the log: torch.clamp(net(features), 1, "
                          "float('inf'))")


@check("kaggle_house.log_rmse", clauses="returns")
def check_log_rmse_returns_float(log_rmse):
    preds, labels = log_rmse_data(0, 1.0)
    got = log_rmse(nn.Identity(), preds, labels)
    assert type(got) is float, f"log_rmse should return a Python float (rmse.item()), got {type_name(got)}"
    assert_close(got, ref("kaggle_house.log_rmse")(nn.Identity(), preds, labels), rtol=1e-5,
                 what="log_rmse (it must be right for this check to count)")


@check("kaggle_house.get_net", clauses="values")
def check_get_net_same_function(get_net):
    net, expected = get_net(330), ref("kaggle_house.get_net")(330)
    assert_same_parameter_count(net, expected, what="get_net(330)")
    assert_same_function(net, expected, (randn((4, 330), 0),), what="get_net(330)")


@check("kaggle_house.get_net", clauses="init")
def check_get_net_initialisation(get_net):
    for seed, d in ((0, 330), (5, 12)):
        assert_same_draws(seeded_state(get_net, seed, d), seeded_state(ref("kaggle_house.get_net"), seed, d),
                          what=f"the parameters of get_net({d}) under torch.manual_seed({seed})",
                          hint="keep nn.Linear's default initialisation: no init of your own")


def house_fold():
    X, _, y = ref("kaggle_house.preprocess")(*house_frames())
    return ref("kaggle_house.get_k_fold_data")(5, 0, X, y)


def house_net(d, seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(d, 1))


@check("kaggle_house.train", points=2, kind="accuracy", clauses="trains", integration=False,
       substitute=("log_rmse",))
def check_kaggle_train_learns(train):
    X_train, y_train, X_valid, y_valid = house_fold()
    net = house_net(X_train.shape[1])
    seeded(train, 0, net, X_train, y_train, X_valid, y_valid, 30, 5, 0, 64)
    computed = house_log_rmse(net, X_train, y_train)
    assert computed < 0.7, \
        (f"after 30 epochs of Adam (lr 5, batch 64) on fold 0 of the Kaggle data the trained net's training log-rmse "
         f"(computed here) is {computed:.3f}; it needs at most 0.7, the reference reaches 0.563")


@check("kaggle_house.train", clauses="reports", substitute=("log_rmse",))
def check_kaggle_train_reports(train):
    X_train, y_train, X_valid, y_valid = house_fold()
    net = house_net(X_train.shape[1])
    out = seeded(train, 0, net, X_train, y_train, X_valid, y_valid, 5, 5, 0, 64)
    assert isinstance(out, (tuple, list)) and len(out) == 2, f"train should return (train_ls, test_ls), got {out!r}"
    train_ls, valid_ls = out
    assert isinstance(train_ls, list) and isinstance(valid_ls, list) and len(train_ls) == len(valid_ls) == 5, \
        f"5 epochs should give two lists of 5 losses, got {type_name(train_ls)} and {type_name(valid_ls)}"
    assert all(type(v) is float for v in train_ls + valid_ls), \
        "the losses should be Python floats (log_rmse(...) returns one)"
    assert_close(train_ls[-1], house_log_rmse(net, X_train, y_train), rtol=1e-4,
                 what="the last training loss (log_rmse of the trained net on the training data, computed here)",
                 hint="append log_rmse after each epoch's updates")
    assert_close(valid_ls[-1], house_log_rmse(net, X_valid, y_valid), rtol=1e-4,
                 what="the last test loss (log_rmse of the trained net on the test data, computed here)")


def decay_data():
    X = randn((64, 6), 3)
    return X, X @ torch.tensor([[3.0], [-2.0], [4.0], [1.0], [-3.0], [2.0]]) + 30


@check("kaggle_house.train", clauses="decay", substitute=("log_rmse",))
def check_kaggle_train_weight_decay(train):
    X, y = decay_data()
    norms = []
    for wd in (0, 50):
        net = house_net(6, seed=2)
        seeded(train, 0, net, X, y, X[:8], y[:8], 20, 0.5, wd, 16)
        norms.append(net[0].weight.detach().norm().item())
    assert norms[0] > 3, f"without weight decay the trained weight's norm is {norms[0]:.3g}: the net was not trained " \
                         "(it must be, for this check to count)"
    assert norms[1] < 0.5 * norms[0], \
        (f"with weight_decay=50 the trained weight's norm is {norms[1]:.3g}, with 0 it is {norms[0]:.3g}: pass "
         "weight_decay to torch.optim.Adam")


@check("kaggle_house.get_k_fold_data", points=2, clauses="values")
def check_get_k_fold_data_partition(get_k_fold_data):
    X = torch.arange(60.).reshape(30, 2)
    y = torch.arange(30.).reshape(30, 1)
    seen = []
    for i in range(5):
        X_train, y_train, X_valid, y_valid = get_k_fold_data(5, i, X, y)
        assert_tensor(X_valid, what=f"X_valid of fold {i} of 5 over 30 rows", shape=(6, 2))
        assert_tensor(X_train, what=f"X_train of fold {i} of 5 over 30 rows", shape=(24, 2))
        assert torch.equal(X_valid[:, 0] / 2, y_valid[:, 0]) and torch.equal(X_train[:, 0] / 2, y_train[:, 0]), \
            "features and labels of a fold must stay paired"
        valid = y_valid.reshape(-1).tolist()
        assert sorted(valid + y_train.reshape(-1).tolist()) == list(range(30)), \
            f"fold {i}: training and validation rows must together be every row once"
        seen += valid
    assert sorted(seen) == list(range(30)), "over the 5 folds every row must be in exactly one validation fold"
    assert_matches_reference(lambda X, y: get_k_fold_data(3, 2, X, y),
                             lambda X, y: ref("kaggle_house.get_k_fold_data")(3, 2, X, y),
                             lambda seed: (randn((3 * 7, 4), seed), randn((3 * 7, 1), seed + 1)),
                             what="get_k_fold_data(3, 2, X, y)", seeds=SEEDS[:3],
                             hint="the book's slicing: fold_size = n // k, fold j = rows [j*fold_size, (j+1)*fold_size)")


@check("kaggle_house.get_k_fold_data", clauses="rest")
def check_get_k_fold_data_remainder(get_k_fold_data):
    for n, k, i in ((23, 5, 4), (23, 5, 1), (10, 3, 2)):
        X, y = randn((n, 3), n + i), randn((n, 1), n + i + 1)
        assert_same_outputs_fold(get_k_fold_data(k, i, X, y), ref("kaggle_house.get_k_fold_data")(k, i, X, y),
                                 what=f"get_k_fold_data({k}, {i}, X, y) over {n} rows",
                                 hint=f"fold_size = {n} // {k} = {n // k}: the last {n % k} rows are in no fold (the "
                                      "book's slicing), not added to the last one")


def assert_same_outputs_fold(got, expected, *, what, hint):
    if not (isinstance(got, (tuple, list)) and len(got) == 4):
        raise AssertionError(f"{what} should return (X_train, y_train, X_valid, y_valid), got {type_name(got)}")
    for g, e, part in zip(got, expected, ("X_train", "y_train", "X_valid", "y_valid")):
        assert_close(g, e, what=f"{part} of {what}", hint=hint)


@check("kaggle_house.get_k_fold_data", clauses="errors")
def check_get_k_fold_data_rejects_k(get_k_fold_data):
    X, y = torch.arange(20.).reshape(10, 2), torch.arange(10.).reshape(10, 1)
    assert_same_outputs_fold(get_k_fold_data(2, 1, X, y), book_fold(2, 1, X, y), what="get_k_fold_data(2, 1, X, y) "
                             "(it must be right for this check to count)", hint="k = 2 is the smallest k allowed")
    for k in (1, 0, -1):
        assert_refuses(get_k_fold_data, k, 0, X, y, what=f"get_k_fold_data({k}, 0, X, y)",
                       expect="k-fold cross-validation needs k > 1: raise ValueError (or assert k > 1)")


@check("kaggle_house.k_fold", points=2, clauses="values", substitute=("get_net", "get_k_fold_data"))
def check_k_fold_means_of_last_losses(k_fold):
    for seed, k in ((0, 4), (1, 3)):
        X, y = k_fold_data(seed)
        run = student_side(_k_fold_with_standin, k_fold, (k, X, y, 3, 0.5, 0, 5))
        got = run["result"]
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            raise AssertionError(f"k_fold should return (mean train loss, mean valid loss), got {got!r}")
        assert len(run["calls"]) == k, \
            f"k_fold({k}, ...) called this module's train {len(run['calls'])} times: once per fold expected"
        for g, e, part in zip(got, expected_k_fold(k, X, y), ("training", "validation")):
            assert_close(float(g), e, rtol=1e-6,
                         what=f"the mean final {part} loss of k_fold({k}, X (23 rows), ...) with a stand-in train whose "
                              "losses name each fold's data",
                         hint="for i in range(k): train on get_k_fold_data(k, i, X, y); add up train_ls[-1] and "
                              "valid_ls[-1]; divide by k")


@check("kaggle_house.k_fold", clauses="fresh", substitute=("get_net", "get_k_fold_data"))
def check_k_fold_fresh_nets(k_fold):
    X, y = k_fold_data(2)
    run = student_side(_k_fold_with_standin, k_fold, (4, X, y, 3, 0.5, 0, 5))
    calls, got = run["calls"], run["result"]
    assert len(calls) == 4, f"k_fold(4, ...) called this module's train {len(calls)} times: once per fold expected"
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        raise AssertionError(f"k_fold should return (mean train loss, mean valid loss), got {got!r}")
    for g, e in zip(got, expected_k_fold(4, X, y)):
        assert_close(float(g), e, rtol=1e-6, what="what k_fold returned with a stand-in train (it must be right for "
                                                  "this check to count)")
    assert all(c["fresh"] for c in calls), \
        "k_fold trained the same net on several folds: make a fresh get_net(X_train.shape[1]) inside the loop"
    assert all(c["in_features"] == X.shape[1] for c in calls), \
        f"each fold's net should be get_net(X_train.shape[1]) = get_net({X.shape[1]}), got in_features " \
        f"{[c['in_features'] for c in calls]}"


def _k_fold_recorded(k_fold, args):
    """Student side: ``k_fold(*args)`` with this module's ``train`` wrapped to keep each fold's trained parameters."""
    namespace = k_fold.__globals__
    original, trained = namespace.get("train"), []

    def train(net, *rest, **kwargs):
        out = original(net, *rest, **kwargs)
        trained.append([p.detach().clone() for p in net.parameters()])
        return out
    if original is not None:
        namespace["train"] = train
    try:
        result = k_fold(*args)
    finally:
        if original is not None:
            namespace["train"] = original
    return {"result": result, "trained": trained}


def k_fold_recomputed(run, X, y, k):
    """Judge side: the mean final train and valid log-rmse of the trained nets that ``_k_fold_recorded`` kept,
    recomputed here on the folds of the data ``k_fold`` was given; the numbers ``k_fold`` reported must agree."""
    trained, result = run["trained"], run["result"]
    if len(trained) != k:
        raise AssertionError(f"k_fold trained {len(trained)} nets with this module's train, expected one per fold ({k})")
    sums = [0.0, 0.0]
    for i, params in enumerate(trained):
        net = ref("kaggle_house.get_net")(X.shape[1])
        if [tuple(p.shape) for p in net.parameters()] != [tuple(p.shape) for p in params]:
            raise AssertionError(f"fold {i}'s net has parameters of shapes {[tuple(p.shape) for p in params]}, not "
                                 "get_net's")
        with torch.no_grad():
            for p, q in zip(net.parameters(), params):
                p.copy_(q)
        X_train, y_train, X_valid, y_valid = book_fold(k, i, X, y)
        sums = [sums[0] + house_log_rmse(net, X_train, y_train), sums[1] + house_log_rmse(net, X_valid, y_valid)]
    computed = (sums[0] / k, sums[1] / k)
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise AssertionError(f"k_fold should return (mean train log_rmse, mean valid log_rmse), got {result!r}")
    for got, value, part in zip(result, computed, ("training", "validation")):
        got = float(got)
        if not abs(got - value) <= 1e-4 * abs(value) + 1e-6:
            raise AssertionError(f"k_fold reported a mean {part} log-rmse of {got:.6g}, but its {k} trained nets give "
                                 f"{value:.6g} (recomputed here): the numbers must be the folds' last losses, averaged")
    return computed


@check("kaggle_house.k_fold", points=3, kind="accuracy", clauses="values",
       uses={"get_net": "kaggle_house.get_net", "train": "kaggle_house.train",
             "get_k_fold_data": "kaggle_house.get_k_fold_data"})
def check_k_fold_reaches_threshold(k_fold, get_net, train, get_k_fold_data):
    X, _, y = ref("kaggle_house.preprocess")(*house_frames())   # the features are preprocess's own checks' business
    args = (KAGGLE_BOOK["k"], X, y, KAGGLE_BOOK["num_epochs"], KAGGLE_BOOK["learning_rate"],
            KAGGLE_BOOK["weight_decay"], KAGGLE_BOOK["batch_size"])
    train_to_threshold(lambda: _k_fold_recorded(k_fold, args),
                       metric=lambda run: k_fold_recomputed(run, X, y, KAGGLE_BOOK["k"])[1], threshold=0.18,
                       higher_is_better=False, reference_value=0.170, history=lambda run: [],
                       what="the 5-fold mean validation log-rmse of your k_fold (your get_net, train and "
                            "get_k_fold_data, on the Kaggle features as the book preprocesses them), recomputed here "
                            "from the trained nets",
                       budget="the book's hyperparameters: 100 epochs, Adam lr 5, weight decay 0, batch 64")
