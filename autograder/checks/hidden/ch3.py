"""Chapter 3 (线性神经网络), hidden checks: reference comparisons, gradients, edge cases,
forbidden shortcuts, speed and accuracy thresholds. One property per check; each names its clause."""
import collections
import copy
import functools

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils import data

from autograder.checks.public.ch3 import call_with_stand_ins, seeded_call
from autograder.checks.public.ch3 import classifier as public_classifier
from autograder.harness import (chapter_references, Forbidden, SEEDS, accuracy_curve, assert_close,
                                assert_same_function, assert_tensor, check, device_check, dtype_check,
                                fashion_mnist_run, gradients_check, is_instance, no_builtin_check, on_its_side,
                                probabilities, pure_check, randint, randn, reference_check, speed_check, student_side,
                                train_to_threshold, type_name, verified_test_accuracy)
from autograder.harness.train import sgd_updater
from d2lkit import read_fashion_mnist

SOFTMAX_FUNCS = Forbidden(
    "torch.softmax / F.softmax / log_softmax",
    functions=(torch.softmax, F.softmax, torch.Tensor.softmax, torch.log_softmax, F.log_softmax,
               torch.Tensor.log_softmax, torch.special.softmax, torch.special.log_softmax),
    aten=("_softmax", "_log_softmax", "softmax", "log_softmax", "_safe_softmax"))
CROSS_ENTROPY_FUNCS = Forbidden(
    "F.cross_entropy / nll_loss / nn.CrossEntropyLoss",
    functions=(F.cross_entropy, F.nll_loss),
    aten=("nll_loss", "nll_loss_forward", "nll_loss2d_forward", "cross_entropy_loss"))


ref = chapter_references("ch3")


def book_init_weights(m):
    """A stand-in for ``init_weights`` (§3.7.1), so that a check of ``concise_classifier`` does not depend on the
    student's ``init_weights``."""
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=0.01)


def classifier(concise_classifier, lr=0.1, seed=0):
    """``concise_classifier(lr)`` under ``seed``, with the book's ``init_weights`` standing in for the student's."""
    return public_classifier(concise_classifier, lr, seed, init_weights=book_init_weights)


def seeded(fn, seed, *args):
    """``fn(*args)`` right after seeding every global generator with ``seed``, where ``fn`` lives (the student's
    side for the code under test, here for a reference): the same seed gives both the same draws."""
    return on_its_side(fn, seeded_call, seed, *args)


def calls_into(fn, name, *args):
    """Student side (check code): ``fn(*args)`` with ``name`` of ``fn``'s module wrapped in a recorder. Returns
    ``{"out": ..., "calls": n, "found": whether the module has that name}``."""
    namespace = getattr(fn, "__globals__", {})
    if name not in namespace:
        return {"out": fn(*args), "calls": 0, "found": False}
    original, calls = namespace[name], []

    def recorder(*a, **k):
        calls.append(1)
        return original(*a, **k)
    namespace[name] = recorder
    try:
        out = fn(*args)
    finally:
        namespace[name] = original
    return {"out": out, "calls": len(calls), "found": True}


# §3.2 linear regression from scratch ------------------------------------------------------------

TRUE_W, TRUE_B = torch.tensor([2.0, -3.4, 0.5]), 4.2


def noise_of(X, y, w, b):
    """``y - (Xw + b)`` in float64, one value per example."""
    return y.reshape(-1).double() - X.double() @ w.double() - b


@check("linear_regression.synthetic_data", clauses="values")
def check_synthetic_data_statistics(synthetic_data):
    X, y = seeded(synthetic_data, 0, TRUE_W, TRUE_B, 20000)
    assert_tensor(X, what="features from synthetic_data(w (3,), b, 20000)", shape=(20000, 3))
    mean, std = X.double().mean().item(), X.double().std().item()
    assert abs(mean) < 0.03 and abs(std - 1) < 0.03, \
        f"features should come from N(0, 1): their mean is {mean:.3f} and std {std:.3f}"
    noise = noise_of(X, y, TRUE_W, TRUE_B)
    assert abs(noise.mean().item()) < 1e-3, \
        f"y - (Xw + b) should be noise of mean 0, its mean is {noise.mean().item():.4f}: add b to Xw"
    assert 0.008 < noise.std().item() < 0.012, \
        f"y - (Xw + b) should be N(0, 0.01²) noise: its std is {noise.std().item():.4f} (torch.normal(0, 0.01, ...))"


@check("linear_regression.synthetic_data", clauses="dtype")
def check_synthetic_data_float32(synthetic_data):
    X, y = seeded(synthetic_data, 0, TRUE_W, TRUE_B, 2000)
    for name, t in (("features", X), ("labels", y)):
        assert_tensor(t, what=f"the {name} from synthetic_data(w float32 (3,), b, 2000)", dtype=torch.float32)
    noise = noise_of(X, y, TRUE_W, TRUE_B)
    assert X.double().std().item() > 0.9 and noise.abs().max().item() < 0.1, \
        "synthetic_data's labels should be Xw + b plus small noise (it must be right for this check to count)"


@check("linear_regression.synthetic_data", clauses="draws")
def check_synthetic_data_draws(synthetic_data):
    reference_data = ref("linear_regression.synthetic_data")
    for seed in (1, 2):
        (X, y), (X_ref, y_ref) = seeded(synthetic_data, seed, TRUE_W, TRUE_B, 50), \
            seeded(reference_data, seed, TRUE_W, TRUE_B, 50)
        hint = "draw from torch's global generator, X first (torch.normal(0, 1, (n, d))), then the noise " \
               "(torch.normal(0, 0.01, (n,))); no NumPy, no torch.manual_seed of your own"
        assert_close(X, X_ref, what=f"the features after torch.manual_seed({seed})", check_dtype=False, hint=hint)
        assert_close(torch.as_tensor(y).reshape(-1), y_ref.reshape(-1),
                     what=f"the labels after torch.manual_seed({seed})", check_dtype=False, hint=hint)


def batches_of(data_iter, seed, batch_size, features, labels, passes=1):
    """Student side: ``passes`` passes of ``data_iter(batch_size, features, labels)`` under ``seed``."""
    def run():
        return [[tuple(batch) for batch in data_iter(batch_size, features, labels)] for _ in range(passes)]
    return seeded_call(run, seed)


def counted_examples(n, width=2):
    """Features whose row i is [i, -i, ...] and labels [[i]]: a batch's rows say which examples they are."""
    index = torch.arange(float(n))
    return torch.stack([index * (-1) ** k for k in range(width)], dim=1), index.reshape(-1, 1)


def assert_each_once(batches, n, *, what: str) -> list:
    """Every batch pairs feature rows with their own labels, and the batches hold each of n examples once;
    returns the order the examples came in."""
    order = []
    for i, batch in enumerate(batches):
        if len(batch) != 2:
            raise AssertionError(f"{what}: batch #{i + 1} should be (X, y), got {len(batch)} items")
        X, y = batch
        assert_tensor(X, what=f"{what}: X of batch #{i + 1}")
        if not torch.equal(X[:, 0].reshape(-1), torch.as_tensor(y).reshape(-1).to(X.dtype)):
            raise AssertionError(f"{what}: batch #{i + 1} pairs feature rows with the labels of other examples: "
                                 "index features and labels with the same indices")
        order += X[:, 0].long().tolist()
    if sorted(order) != list(range(n)):
        missing = sorted(set(range(n)) - set(order))
        raise AssertionError(f"{what}: one pass should hold each of the {n} examples once; it gave {len(order)} "
                             f"examples" + (f", missing {missing[:8]}" if missing else ", some twice"))
    return order


@check("linear_regression.data_iter", clauses="values")
def check_data_iter_pairs_every_example(data_iter):
    features, labels = counted_examples(100)
    (batches,) = batches_of(data_iter, 0, 10, features, labels)
    sizes = [len(X) for X, _ in batches]
    assert sizes == [10] * 10, f"data_iter(10, ...) over 100 examples gave batches of {sizes}, expected ten of 10"
    assert_each_once(batches, 100, what="data_iter(10, ...) over 100 examples")


@check("linear_regression.data_iter", clauses="shuffle")
def check_data_iter_random_order(data_iter):
    features, labels = counted_examples(100)
    passes = batches_of(data_iter, 0, 10, features, labels, passes=2)
    orders = [assert_each_once(b, 100, what=f"pass {i + 1} of data_iter(10, ...)") for i, b in enumerate(passes)]
    assert orders[0] != list(range(100)), "the examples come out in their stored order: shuffle them " \
                                          "(random.shuffle or torch.randperm of the indices)"
    assert orders[0] != orders[1], "two passes gave the same order: draw a new random order on every pass " \
                                   "(inside data_iter, not once outside it)"


@check("linear_regression.data_iter", clauses="rest")
def check_data_iter_rest(data_iter):
    features, labels = counted_examples(103)
    (batches,) = batches_of(data_iter, 0, 10, features, labels)
    sizes = [len(X) for X, _ in batches]
    assert sizes == [10] * 10 + [3], \
        f"batch sizes over 103 examples with batch_size 10: {sizes}, expected ten 10s and a 3" + \
        (": the last, partial batch is missing" if sizes == [10] * 10 else "")
    assert_each_once(batches, 103, what="data_iter(10, ...) over 103 examples")


def linreg_args(seed):
    return randn((8, 3), seed), randn((3, 1), seed + 100), randn((1,), seed + 200)


reference_check("linear_regression.linreg", linreg_args, what="linreg(X, w, b)", hint="Xw + b: torch.matmul(X, w) + b")


gradients_check("linear_regression.linreg", linreg_args, wrt=(0, 1, 2), what="linreg(X, w, b)")


def squared_loss_args(seed, flat=False):
    return randn((7, 1), seed), randn((7,) if flat else (7, 1), seed + 1)


def squared_loss_hint(got, y_hat, y):
    expected = (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and torch.allclose(got, 2 * expected):
        return "twice the expected values: the squared error is halved, (y_hat - y)² / 2"
    if isinstance(got, torch.Tensor) and got.dim() == 2 and got.shape[0] == got.shape[1] == len(y_hat) > 1:
        return "an (n, n) matrix: y (n,) broadcasts against y_hat (n, 1); reshape y like y_hat first"
    return "(y_hat - y.reshape(y_hat.shape)) ** 2 / 2"


def assert_squared_loss(squared_loss, *, flat: bool, what: str):
    reference_loss = ref("linear_regression.squared_loss")
    for seed in SEEDS:
        y_hat, y = squared_loss_args(seed, flat)
        got = squared_loss(y_hat.clone(), y.clone())
        assert_close(got, reference_loss(y_hat, y), what=f"{what} (seed {seed})", hint=squared_loss_hint(got, y_hat, y))


@check("linear_regression.squared_loss", clauses="values")
def check_squared_loss_matches_reference(squared_loss):
    assert_squared_loss(squared_loss, flat=False, what="squared_loss(y_hat (7, 1), y (7, 1))")


@check("linear_regression.squared_loss", clauses="reshape")
def check_squared_loss_reshapes_y(squared_loss):
    assert_squared_loss(squared_loss, flat=True, what="squared_loss(y_hat (7, 1), y (7,))")


gradients_check("linear_regression.squared_loss", squared_loss_args, wrt=(0,), what="squared_loss(y_hat, y)")


def sgd_params(seed=0):
    """Parameters of two shapes with gradients set (leaf tensors that require grad)."""
    params = [randn((3, 2), seed, requires_grad=True), randn((4,), seed + 1, requires_grad=True)]
    for k, p in enumerate(params):
        p.grad = randn(p.shape, seed + 10 + k)
    return params


def expected_sgd(params, lr, batch_size):
    """The reference's update, on copies."""
    copies = [p.detach().clone().requires_grad_() for p in params]
    for c, p in zip(copies, params):
        c.grad = p.grad.clone()
    ref("linear_regression.sgd")(copies, lr, batch_size)
    return [c.detach() for c in copies]


def sgd_hint(got, before, grads, lr, batch_size):
    if torch.allclose(got, before - lr * grads, atol=1e-6):
        return "the step is lr * grad: divide it by batch_size (the summed loss of a batch)"
    if torch.allclose(got, before + lr * grads / batch_size, atol=1e-6):
        return "the step goes uphill: subtract lr * grad / batch_size"
    if torch.equal(got, before):
        return "the parameter did not change: update it in place (param -= ...), not a new local variable"
    return "p -= lr * p.grad / batch_size, under torch.no_grad()"


def assert_sgd_values(params, expected, before, grads, lr, batch_size, what):
    for k, (p, e) in enumerate(zip(params, expected)):
        assert_close(p.detach(), e, what=f"parameter #{k + 1} after {what}",
                     hint=sgd_hint(p.detach(), before[k], grads[k], lr, batch_size))


@check("linear_regression.sgd", clauses="values")
def check_sgd_matches_reference(sgd):
    for seed, (lr, batch_size) in enumerate([(0.3, 5), (0.03, 10)]):
        params = sgd_params(seed)
        before, grads = [p.detach().clone() for p in params], [p.grad.clone() for p in params]
        expected = expected_sgd(params, lr, batch_size)
        sgd(params, lr, batch_size)
        assert_sgd_values(params, expected, before, grads, lr, batch_size,
                          f"sgd(params, lr={lr}, batch_size={batch_size})")


def step_in_place(sgd, values, grads, lr, batch_size):
    """Student side: one sgd step on fresh leaf tensors; whether each kept its storage, stayed a leaf that requires
    grad, and the values it ended with."""
    params = [v.clone().requires_grad_() for v in values]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    storage = [p.untyped_storage().data_ptr() for p in params]
    sgd(params, lr, batch_size)
    return {"kept": [p.untyped_storage().data_ptr() == s for p, s in zip(params, storage)],
            "leaf": [p.is_leaf for p in params], "requires_grad": [p.requires_grad for p in params],
            "values": [p.detach().clone() for p in params]}


@check("linear_regression.sgd", clauses="in_place")
def check_sgd_in_place(sgd):
    params = sgd_params(2)
    values, grads = [p.detach().clone() for p in params], [p.grad.clone() for p in params]
    seen = student_side(step_in_place, sgd, values, grads, 0.1, 4)
    for k, (kept, leaf, requires_grad) in enumerate(zip(seen["kept"], seen["leaf"], seen["requires_grad"])):
        assert leaf and requires_grad, f"after sgd, parameter #{k + 1} is no longer a leaf tensor that requires " \
                                       "grad: update it under torch.no_grad() with param -= ..."
        assert kept, f"sgd gave parameter #{k + 1} new storage (param.data = ...): update it in place with " \
                     "param -= lr * param.grad / batch_size, so that every view of it sees the step"
    expected = expected_sgd(params, 0.1, 4)
    for k, (got, e) in enumerate(zip(seen["values"], expected)):
        assert_close(got, e, what=f"parameter #{k + 1} after sgd(params, lr=0.1, batch_size=4) (it must also be "
                                  "right for this check to count)")


@check("linear_regression.sgd", clauses="zero_grad")
def check_sgd_resets_gradients(sgd):
    params = sgd_params(3)
    before, grads = [p.detach().clone() for p in params], [p.grad.clone() for p in params]
    expected = expected_sgd(params, 0.5, 4)
    sgd(params, 0.5, 4)
    for k, p in enumerate(params):
        assert p.grad is None or torch.all(p.grad == 0), \
            f"after sgd the gradient of parameter #{k + 1} is not reset, so the next backward adds to it: " \
            "param.grad.zero_() after the step"
    assert_sgd_values(params, expected, before, grads, 0.5, 4, "sgd(params, lr=0.5, batch_size=4) (it must also be "
                      "right for this check to count)")


def train_linreg_scratch(synthetic_data, data_iter, linreg, squared_loss, sgd):
    """The book's loop of §3.2.7: lr 0.03, 3 epochs, batch size 10, 1,000 examples. Returns the learned w, b."""
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    features, labels = synthetic_data(true_w, true_b, 1000)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for _ in range(3):
        for X, y in data_iter(10, features, labels):
            squared_loss(linreg(X, w, b), y).sum().backward()
            sgd([w, b], 0.03, 10)
    return {"w": w.detach(), "b": b.detach()}


def parameter_error(run) -> float:
    """Judge side: the largest error of the learned w, b against w=[2, -3.4], b=4.2."""
    w, b = run.get("w"), run.get("b")
    if not (isinstance(w, torch.Tensor) and w.numel() == 2 and isinstance(b, torch.Tensor) and b.numel() == 1):
        raise AssertionError("the trained w and b should be tensors of 2 and 1 values")
    error = max((w.reshape(-1).double() - torch.tensor([2, -3.4], dtype=torch.float64)).abs().max().item(),
                abs(b.double().item() - 4.2))
    return error if error == error else float("inf")


@check("linear_regression.sgd", points=3, kind="accuracy", clauses=("values", "zero_grad"),
       uses={p: f"linear_regression.{p}" for p in ("synthetic_data", "data_iter", "linreg", "squared_loss")})
def check_sgd_recovers_true_parameters(synthetic_data, data_iter, linreg, squared_loss, sgd):
    train_to_threshold(lambda: train_linreg_scratch(synthetic_data, data_iter, linreg, squared_loss, sgd),
                       metric=parameter_error, history=lambda run: [parameter_error(run)], threshold=0.05,
                       higher_is_better=False,
                       what="the largest error of w, b against w=[2, -3.4], b=4.2, learned by the book's loop with "
                            "your synthetic_data, data_iter, linreg, squared_loss and sgd",
                       budget="3 epochs of the book's loop (lr 0.03, batch size 10, 1,000 examples)")


# §3.3 concise linear regression -------------------------------------------------------------------

def loader_passes(load_array, seed, arrays, batch_size, is_train, passes=1):
    """Student side: ``passes`` passes over ``load_array(arrays, batch_size, is_train)`` under ``seed``."""
    def run():
        loader = load_array(arrays, batch_size, is_train)
        return [[tuple(batch) for batch in loader] for _ in range(passes)]
    return seeded_call(run, seed)


def assert_loader_pass(batches, n, batch_size, width, *, what: str) -> list:
    """Batches of batch_size rows (the rest last), one tensor per array, rows of the same examples; each example
    once. Returns the order of the examples."""
    order = []
    for i, batch in enumerate(batches):
        if len(batch) != width:
            raise AssertionError(f"{what}: batch #{i + 1} holds {len(batch)} tensors, expected one per array ({width})")
        first = batch[0]
        assert_tensor(first, what=f"{what}: the first tensor of batch #{i + 1}")
        index = first[:, 0].long()
        for k, t in enumerate(batch[1:], start=2):
            if not (isinstance(t, torch.Tensor) and torch.equal(t.reshape(len(t), -1)[:, 0].long().abs(), index)):
                raise AssertionError(f"{what}: in batch #{i + 1}, tensor #{k} holds rows of other examples than the "
                                     "first: the arrays must be batched together (data.TensorDataset(*data_arrays))")
        order += index.tolist()
    sizes = [len(b[0]) for b in batches]
    expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    if sizes != expected:
        raise AssertionError(f"{what}: batch sizes {sizes}, expected {expected}")
    if sorted(order) != list(range(n)):
        raise AssertionError(f"{what}: one pass should hold each of the {n} examples once")
    return order


def loader_arrays(n, width):
    index = torch.arange(float(n))
    features = torch.stack([index, index + 0.5], dim=1)
    return (features, index, -index)[:width]


@check("linear_regression_concise.load_array", clauses="values")
def check_load_array_values(load_array):
    for width, is_train in ((2, False), (2, True), (3, False)):
        (batches,) = loader_passes(load_array, 0, loader_arrays(25, width), 10, is_train)
        assert_loader_pass(batches, 25, 10, width, what=f"load_array over {width} arrays of 25 examples, batch size "
                                                        f"10, is_train={is_train}")


@check("linear_regression_concise.load_array", clauses="shuffle")
def check_load_array_shuffles_for_training(load_array):
    passes = loader_passes(load_array, 0, loader_arrays(50, 2), 7, True, passes=2)
    orders = [assert_loader_pass(b, 50, 7, 2, what=f"pass {i + 1} of load_array(..., 7, is_train=True)")
              for i, b in enumerate(passes)]
    assert orders[0] != list(range(50)), "with is_train=True the examples must be shuffled (shuffle=is_train)"
    assert orders[0] != orders[1], "with is_train=True every pass should bring a new order"


@check("linear_regression_concise.load_array", clauses="order")
def check_load_array_keeps_order_for_testing(load_array):
    (batches,) = loader_passes(load_array, 0, loader_arrays(50, 2), 7, False)
    order = assert_loader_pass(batches, 50, 7, 2, what="load_array(..., 7, is_train=False)")
    assert order == list(range(50)), "with is_train=False the examples keep their stored order (shuffle=is_train)"


@check("linear_regression_concise.load_array", clauses="returns")
def check_load_array_returns_a_data_loader(load_array):
    loader = load_array(loader_arrays(20, 2), 5, False)
    assert is_instance(loader, data.DataLoader), \
        f"load_array should return a torch.utils.data.DataLoader, got {type_name(loader)}"
    (batches,) = loader_passes(load_array, 0, loader_arrays(20, 2), 5, False)
    assert_loader_pass(batches, 20, 5, 2, what="load_array(..., 5, is_train=False) (it must also be right for this "
                                               "check to count)")


@check("linear_regression_concise.linear_net", clauses="init")
def check_linear_net_initialisation(linear_net):
    layer = seeded(linear_net, 0, 20000)[0]
    weight, bias = layer.weight.detach(), layer.bias.detach()
    std, mean = weight.std().item(), weight.mean().item()
    assert 0.0095 < std < 0.0105 and abs(mean) < 0.001, \
        f"weights should start from N(0, 0.01²): std {std:.4f}, mean {mean:.4f}" + \
        (" (nn.Linear's own initialisation: redraw them with nn.init.normal_(weight, 0, 0.01))" if std < 0.005 else "")
    assert torch.all(bias == 0), f"the bias should start at 0, got {bias.tolist()}"


@check("linear_regression_concise.linear_net", clauses=("init", "draws"))
def check_linear_net_draws(linear_net):
    for seed in (1, 2):
        got, expected = seeded(linear_net, seed, 30).state_dict(), seeded(ref("linear_regression_concise.linear_net"),
                                                                           seed, 30).state_dict()
        assert list(got) == list(expected), f"linear_net(30) has parameters {list(got)}, expected {list(expected)}"
        for name in expected:
            assert_close(got[name], expected[name], what=f"{name} of linear_net(30) after torch.manual_seed({seed})",
                         hint="draw the weights from torch's global generator after making the layer "
                              "(nn.init.normal_(net[0].weight, 0, 0.01)); no NumPy, no seed of your own")


# §3.5 the image classification data set ---------------------------------------------------------

@check("image_classification_dataset.get_fashion_mnist_labels", clauses="values")
def check_get_fashion_mnist_labels_all_classes(get_fashion_mnist_labels):
    reference_labels = ref("image_classification_dataset.get_fashion_mnist_labels")
    for given in (torch.arange(10), randint(0, 10, (30,), 1)):
        got, expected = list(get_fashion_mnist_labels(given.clone())), reference_labels(given)
        assert got == expected, f"labels {given.tolist()} should be {expected}, got {got}"


@check("image_classification_dataset.get_fashion_mnist_labels", clauses="accepts")
def check_get_fashion_mnist_labels_accepts_lists(get_fashion_mnist_labels):
    expected = ref("image_classification_dataset.get_fashion_mnist_labels")(range(10))
    got = list(get_fashion_mnist_labels(list(range(10))))
    assert got == expected, f"get_fashion_mnist_labels(list(range(10))) should be {expected}, got {got}: labels may " \
                            "be a list of ints too (int(i) works on both)"


@check("image_classification_dataset.get_fashion_mnist_labels", clauses="returns")
def check_get_fashion_mnist_labels_returns_a_list(get_fashion_mnist_labels):
    expected = ref("image_classification_dataset.get_fashion_mnist_labels")(range(10))
    got = get_fashion_mnist_labels(torch.arange(10))
    assert is_instance(got, list), f"get_fashion_mnist_labels should return a list, got {type_name(got)}"
    assert all(type(s) is str for s in got), f"its items should be str, got {[type_name(s) for s in got]}"
    assert got == expected, f"get_fashion_mnist_labels(0..9) should be {expected}, got {got}"


def grey_levels(X, y):
    """Student side (check code): a batch as grey levels, uint8 ``(B, pixels)``, with its labels, how far
    ``X * 255`` is from whole numbers, and the smallest and largest pixel."""
    v = torch.as_tensor(X).detach().to("cpu", torch.float32)
    v = v.reshape(len(v), -1) * 255
    r = v.round()
    return {"levels": r.clamp(0, 255).to(torch.uint8), "labels": torch.as_tensor(y).reshape(-1).to("cpu", torch.int64),
            "off": float((v - r).abs().max()) if v.numel() else 0.0,
            "low": float(v.min()) / 255 if v.numel() else 0.0, "high": float(v.max()) / 255 if v.numel() else 0.0}


def loader_batches(load, args, which, count=None, passes=1, seed=0):
    """Student side: the first ``count`` batches (all with None) of ``passes`` passes over ``load(*args)[which]``, as
    grey levels."""
    def run():
        loader = load(*args)[which]
        found = []
        for _ in range(passes):
            batches = []
            for X, y in loader:
                batches.append(grey_levels(X, y))
                if count is not None and len(batches) >= count:
                    break
            found.append(batches)
        return found
    return seeded_call(run, seed)


@functools.lru_cache(maxsize=2)
def stored_examples(train: bool):
    """Judge side: Fashion-MNIST's examples as keys (the image's bytes and its label), in stored order, and counted."""
    images, labels = read_fashion_mnist(train)
    keys = [row.tobytes() + bytes([label]) for row, label in
            zip(images.reshape(len(images), -1).numpy(), labels.tolist())]
    return keys, collections.Counter(keys)


def example_keys(batch, *, what: str) -> list:
    """The keys of a batch's examples (see ``stored_examples``), once its pixels are known to be k / 255."""
    if not (-1e-6 <= batch["low"] and batch["high"] <= 1 + 1e-6):
        raise AssertionError(f"{what}: pixels range over [{batch['low']:.4g}, {batch['high']:.4g}], expected [0, 1]"
                             + (": divide the images by 255 (what ToTensor does)" if batch["high"] > 1.5 else ""))
    if batch["off"] > 0.03:
        raise AssertionError(f"{what}: the pixels are not the images' values / 255 (X * 255 is off whole numbers "
                             f"by up to {batch['off']:.3g}): no normalisation, no resizing without resize")
    levels, labels = batch["levels"], batch["labels"]
    if levels.shape[1] != 784 or len(labels) != len(levels):
        raise AssertionError(f"{what}: {len(levels)} images of {levels.shape[1]} pixels with {len(labels)} labels, "
                             "expected 28 × 28 images, one label each")
    if labels.numel() and not (0 <= int(labels.min()) and int(labels.max()) < 10):
        raise AssertionError(f"{what}: labels should be 0..9, got {sorted(set(labels.tolist()))[:12]}")
    return [row.tobytes() + bytes([label]) for row, label in zip(levels.numpy(), labels.tolist())]


def assert_stored(batch, train: bool, *, what: str) -> list:
    """Each example of the batch is an example of the training (or test) set, with its own label."""
    keys = example_keys(batch, what=what)
    _, stored = stored_examples(train)
    for i, key in enumerate(keys):
        if key not in stored:
            raise AssertionError(f"{what}: example #{i + 1} (label {key[-1]}) is not a Fashion-MNIST "
                                 f"{'training' if train else 'test'} image with its own label")
    return keys


@check("image_classification_dataset.load_data_fashion_mnist", clauses="values")
def check_load_data_fashion_mnist_values(load_data_fashion_mnist):
    for which, train in ((0, True), (1, False)):
        (batches,) = loader_batches(load_data_fashion_mnist, (256,), which, count=1)
        assert_stored(batches[0], train, what=f"the first batch of {('train_iter', 'test_iter')[which]}")


@functools.lru_cache(maxsize=2)
def resized_test_set(size: int):
    """Judge side: the reference's resized test images, flattened, and their labels."""
    _, test_iter = ref("image_classification_dataset.load_data_fashion_mnist")(10000, resize=size)
    X, y = next(iter(test_iter))
    return X.reshape(len(X), -1), y


def first_test_batch(load, batch_size, resize):
    """Student side: the first batch of ``load(batch_size, resize=resize)``'s test_iter, images flattened."""
    X, y = next(iter(load(batch_size, resize=resize)[1]))
    X = torch.as_tensor(X).detach().to("cpu", torch.float32)
    return X.reshape(len(X), -1), torch.as_tensor(y).reshape(-1).to("cpu", torch.int64)


@check("image_classification_dataset.load_data_fashion_mnist", clauses="resize")
def check_load_data_fashion_mnist_resize(load_data_fashion_mnist):
    for size in (40, 20):
        X, y = student_side(first_test_batch, load_data_fashion_mnist, 64, size)
        what = f"a test batch of load_data_fashion_mnist(64, resize={size})"
        assert X.shape[1] == size * size, f"{what} has images of {X.shape[1]} pixels, expected {size} × {size}"
        images, labels = resized_test_set(size)
        worst = 0.0
        for c in y.unique().tolist():
            mine, theirs = X[y == c].double(), images[labels == c].double()
            if not len(theirs):
                raise AssertionError(f"{what}: label {c} is not a Fashion-MNIST class")
            nearest = torch.cdist(mine, theirs).argmin(dim=1)
            worst = max(worst, (mine - theirs[nearest]).abs().max().item())
        assert worst <= 1.5 / 255, \
            f"{what}: an image is {worst * 255:.1f} grey levels away from every test image resized bilinearly with " \
            "antialiasing (transforms.Resize, or F.interpolate(mode='bilinear', antialias=True)), of its label"


@check("image_classification_dataset.load_data_fashion_mnist", clauses="complete")
def check_load_data_fashion_mnist_complete(load_data_fashion_mnist):
    for which, train, n in ((0, True, 60000), (1, False, 10000)):
        name = ("train_iter", "test_iter")[which]
        (batches,) = loader_batches(load_data_fashion_mnist, (1024,), which)   # no whole number of batches
        keys = [k for i, b in enumerate(batches) for k in example_keys(b, what=f"batch #{i + 1} of {name}")]
        _, stored = stored_examples(train)
        assert len(keys) == n, f"one pass over {name} (batch_size=1024) gave {len(keys):,} examples, expected {n:,}"
        assert collections.Counter(keys) == stored, \
            f"one pass over {name} must yield each of its {n:,} examples once, with its label"


@check("image_classification_dataset.load_data_fashion_mnist", clauses="shuffle")
def check_load_data_fashion_mnist_reshuffles(load_data_fashion_mnist):
    passes = loader_batches(load_data_fashion_mnist, (256,), 0, count=1, passes=2)
    first = [assert_stored(p[0], True, what=f"the first batch of pass {i + 1} over train_iter")
             for i, p in enumerate(passes)]
    stored, _ = stored_examples(True)
    assert first[0] != stored[:256], "train_iter yields the training set in its stored order: shuffle it " \
                                     "(DataLoader(..., shuffle=True))"
    assert first[0] != first[1], "two passes over train_iter began with the same batch: reshuffle on every pass"


@check("image_classification_dataset.load_data_fashion_mnist", clauses="order")
def check_load_data_fashion_mnist_test_order(load_data_fashion_mnist):
    (batches,) = loader_batches(load_data_fashion_mnist, (256,), 1, count=2)
    keys = [k for i, b in enumerate(batches) for k in example_keys(b, what=f"batch #{i + 1} of test_iter")]
    stored, _ = stored_examples(False)
    assert keys == stored[:512], "test_iter should yield the test set in its stored order (shuffle=False)"


# §3.6 softmax regression from scratch -----------------------------------------------------------

def logits(seed, dtype=torch.float32):
    return (randn((6, 10), seed, scale=3, dtype=dtype),)


def softmax_hint(got, X) -> str:
    """The likely mistake, from what came back (the stability hint has its own check)."""
    if isinstance(got, torch.Tensor) and got.shape == X.shape and got.dtype.is_floating_point:
        if torch.allclose(got.sum(0), torch.ones(X.shape[1], dtype=got.dtype), atol=1e-4):
            return "the columns sum to 1, the rows do not: normalise over dim 1 (each example), not dim 0"
        if torch.allclose(got.sum(), torch.ones((), dtype=got.dtype), atol=1e-4):
            return "the whole matrix sums to 1: normalise each row (sum along dim 1, keepdim=True)"
    return "exp(X) divided by the sum of its row: X_exp / X_exp.sum(1, keepdim=True)"


reference_check("softmax_regression.softmax", logits, what="softmax(X)", hint=softmax_hint, points=2)


gradients_check("softmax_regression.softmax", logits, what="softmax(X)")


dtype_check("softmax_regression.softmax", logits, (torch.float64,), what="softmax(X)", operand="X",
            hint="keep X's dtype: no torch.tensor(...) or .float() on the way")


device_check("softmax_regression.softmax", logits, what="softmax(X)")


pure_check("softmax_regression.softmax", logits, what="softmax(X)", seeds=SEEDS[:2],
           hint="X - X.max(...) makes a new tensor; X -= ... or X.exp_() writes into the caller's X")


no_builtin_check("softmax_regression.softmax", logits, forbidden=SOFTMAX_FUNCS, what="softmax")


@check("softmax_regression.softmax", clauses="stable")
def check_softmax_stability(softmax):
    X = torch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 20.0], [88.0, 89.0, 90.0]])
    assert_close(softmax(X.clone()), ref("softmax_regression.softmax")(X), what="softmax(X) for large logits",
                 hint="exp(1000) overflows to inf: subtract each row's maximum first (it does not change the result)")


speed_check("softmax_regression.softmax", lambda device, seed=0: (randn((200000, 10), seed, device=device),),
            builtin=lambda X: torch.softmax(X, dim=1), limit=8, clauses="fast",
            hint="work on the whole tensor at once (exp, sum along dim 1, divide); no Python loop over rows")


def net_args(seed):
    return uniform_images(seed), randn((784, 10), seed + 1, scale=0.01), randn((10,), seed + 2, scale=0.1)


def uniform_images(seed):
    return torch.rand((4, 1, 28, 28), generator=torch.Generator().manual_seed(seed))


reference_check("softmax_regression.net", net_args, what="net(X, W, b)",
                hint="softmax(X.reshape(-1, W.shape[0]) @ W + b)", substitute=("softmax",))


@check("softmax_regression.net", clauses="uses", substitute=("softmax",))
def check_net_uses_softmax(net):
    X, W, b = net_args(0)
    seen = student_side(calls_into, net, "softmax", X, W, b)
    assert seen["found"] and seen["calls"] >= 1, \
        "net should compute its probabilities with this module's softmax (the function written above), not " \
        "torch.softmax or a copy of its code"
    assert_close(seen["out"], ref("softmax_regression.net")(X, W, b), what="net(X, W, b) (it must also be right for "
                 "this check to count)")


def ce_args(seed):
    return probabilities((9, 5), seed), randint(0, 5, (9,), seed)


reference_check("softmax_regression.cross_entropy", ce_args, what="cross_entropy(y_hat, y)",
                hint="one value per example (shape (n,)), not the mean: -log y_hat[range(n), y] "
                     "(y_hat[:, y] picks an (n, n) matrix)", points=2)


gradients_check("softmax_regression.cross_entropy", ce_args, what="cross_entropy(y_hat, y)")


no_builtin_check("softmax_regression.cross_entropy", ce_args, forbidden=CROSS_ENTROPY_FUNCS, what="cross_entropy")


speed_check("softmax_regression.cross_entropy",
            lambda device, seed=0: (probabilities((200000, 10), seed, device=device),
                                    randint(0, 10, (200000,), seed + 1, device=device)),
            builtin=lambda y_hat, y: F.nll_loss(torch.log(y_hat), y, reduction="none"), limit=8, clauses="fast",
            hint="pick every example's probability with one fancy index: y_hat[torch.arange(n), y]")


def scores_and_labels(seed):
    return randn((50, 4), seed), randint(0, 4, (50,), seed + 1)


@check("softmax_regression.accuracy", clauses="count")
def check_accuracy_matches_reference(accuracy):
    ref_accuracy = ref("softmax_regression.accuracy")
    for seed in SEEDS:
        y_hat, y = scores_and_labels(seed)
        got = accuracy(y_hat, y)
        expected = ref_accuracy(y_hat, y)
        hint = "return the count of right predictions, not the fraction: do not divide by len(y)" \
            if isinstance(got, (int, float)) and abs(got * len(y) - expected) < 1e-6 else \
            "count rows whose argmax along dim 1 equals the label"
        assert_close(got, expected, what=f"accuracy(y_hat (50, 4), y) (seed {seed})", hint=hint)


@check("softmax_regression.accuracy", clauses="labels")
def check_accuracy_takes_labels(accuracy):
    """Predicted labels count like the scores they came from (a count or a fraction, the same either way)."""
    for seed in SEEDS[:3]:
        y_hat, y = scores_and_labels(seed)
        from_scores, from_labels = accuracy(y_hat, y), accuracy(y_hat.argmax(1), y)
        assert_close(from_labels, from_scores, what=f"accuracy(labels (50,), y) against accuracy(scores, y) "
                     f"(seed {seed})", hint="a 1-D y_hat holds predicted labels already: compare it with y as it is")
        assert from_scores > 0, "no prediction counted as right on random scores: compare the argmax with y"


@check("softmax_regression.accuracy", clauses="float")
def check_accuracy_returns_float(accuracy):
    ref_accuracy = ref("softmax_regression.accuracy")
    y_hat, y = scores_and_labels(0)
    got, count = accuracy(y_hat, y), ref_accuracy(y_hat, y)
    assert type(got) is float, f"accuracy should return a Python float (float(...)), got {type_name(got)}: {got!r}"
    assert got in (count, count / len(y)), f"accuracy returned {got}, expected {count} correct predictions"


def accumulated(Accumulator, rows, n=3):
    acc = Accumulator(n)
    for row in rows:
        acc.add(*row)
    return acc, [acc[i] for i in range(n)]


@check("softmax_regression.Accumulator", clauses="values")
def check_Accumulator_sums(Accumulator):
    _, got = accumulated(Accumulator, [(0.5, 2, 1.25)] * 4 + [(-1, 0, 0.25)])
    assert [float(v) for v in got] == [1.0, 8.0, 5.25], \
        f"after four add(0.5, 2, 1.25) and add(-1, 0, 0.25): {got}, expected [1.0, 8.0, 5.25]: add each number " \
        "to its own running sum"


@check("softmax_regression.Accumulator", clauses="reset")
def check_Accumulator_reset(Accumulator):
    acc, _ = accumulated(Accumulator, [(1, 2, 3)] * 2)
    acc.reset()
    got = [acc[i] for i in range(3)]
    assert [float(v) for v in got] == [0.0, 0.0, 0.0], f"after reset() the sums should be 0, got {got}"
    acc.add(1, 1, 1)
    got = [acc[i] for i in range(3)]
    assert [float(v) for v in got] == [1.0, 1.0, 1.0], \
        f"after reset() and add(1, 1, 1) every one of the 3 sums should be 1, got {got}: keep n sums"


@check("softmax_regression.Accumulator", clauses="floats")
def check_Accumulator_floats(Accumulator):
    _, got = accumulated(Accumulator, [(torch.tensor(0.5), 2, 1.25)] * 4)
    assert all(type(v) is float for v in got), \
        f"the sums should be Python floats (convert with float()), got {[type_name(v) for v in got]}"
    assert got == [2.0, 8.0, 5.0], f"after four add(0.5, 2, 1.25): {got}, expected [2.0, 8.0, 5.0] (they must also " \
                                   "be right for this check to count)"


def evaluation_batches(seed=0):
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.9))
    X, y = randn((23, 4), seed), randint(0, 3, (23,), seed + 1)
    return net, [(X[i:i + 10], y[i:i + 10]) for i in range(0, 23, 10)]


@check("softmax_regression.evaluate_accuracy", clauses="weights", substitute=("accuracy", "Accumulator"))
def check_evaluate_accuracy_weights(evaluate_accuracy):
    net, batches = evaluation_batches()
    net.eval()
    expected = ref("softmax_regression.evaluate_accuracy")(net, batches)
    assert_close(evaluate_accuracy(net, batches), expected, what="evaluate_accuracy over batches of 10, 10 and 3 "
                 "examples", hint="divide the total correct by the total number of examples, not by the number of "
                 "batches")


@check("softmax_regression.evaluate_accuracy", clauses="eval_mode", substitute=("accuracy", "Accumulator"))
def check_evaluate_accuracy_eval_mode(evaluate_accuracy):
    net, batches = evaluation_batches()
    batches = batches[:2]   # equal sizes: how batches are weighted is another clause
    expected = ref("softmax_regression.evaluate_accuracy")(net, batches)
    net.train()
    got = evaluate_accuracy(net, batches)
    assert not net.training, "evaluate_accuracy should put an nn.Module in eval mode (net.eval())"
    assert_close(got, expected, what="evaluate_accuracy of a net with dropout 0.9, in eval mode",
                 hint="in training mode dropout changes the predictions: net.eval() first")


class ModeRecorder(nn.Module):
    """Check code: passes its input through and records, for every forward pass, whether it ran in train mode."""

    def __init__(self):
        super().__init__()
        self.modes = []

    def forward(self, X):
        self.modes.append(self.training)
        return X


def one_epoch(epoch, *, optimizer: bool, lr: float, start_in_eval: bool = False):
    """One epoch of ``epoch`` on a small softmax regression (26 examples, batches of 8, 8, 8 and 2).
    Returns ``(metrics, parameters after, modes seen by the network's forward passes)``."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 3), ModeRecorder())
    X, y = randn((26, 5), 0), randint(0, 3, (26,), 1)
    batches = [(X[i:i + 8], y[i:i + 8]) for i in range(0, 26, 8)]
    if start_in_eval:
        net.eval()
    updater = torch.optim.SGD(net.parameters(), lr=lr) if optimizer else sgd_updater(list(net.parameters()), lr)
    metrics = epoch(net, batches, nn.CrossEntropyLoss(reduction="none"), updater)
    return metrics, [p.detach().clone() for p in net.parameters()], list(net[1].modes)


def assert_same_parameters(got, expected, *, what: str, hint: str = ""):
    for k, (p, q) in enumerate(zip(got, expected)):
        assert_close(p, q, what=f"parameter #{k + 1} after one epoch with {what}", hint=hint)


@check("softmax_regression.train_epoch_ch3", clauses="optimizer", substitute=("accuracy", "Accumulator"))
def check_train_epoch_ch3_optimizer(train_epoch_ch3):
    _, expected, _ = one_epoch(ref("softmax_regression.train_epoch_ch3"), optimizer=True, lr=0.5)
    _, got, _ = one_epoch(train_epoch_ch3, optimizer=True, lr=0.5)
    assert_same_parameters(got, expected, what="torch.optim.SGD(lr=0.5)",
                           hint="for each batch: updater.zero_grad(), l.mean().backward(), updater.step()")


@check("softmax_regression.train_epoch_ch3", clauses="updater", substitute=("accuracy", "Accumulator"))
def check_train_epoch_ch3_updater(train_epoch_ch3):
    _, expected, _ = one_epoch(ref("softmax_regression.train_epoch_ch3"), optimizer=False, lr=0.5)
    _, got, _ = one_epoch(train_epoch_ch3, optimizer=False, lr=0.5)
    assert_same_parameters(got, expected, what="a function updater(batch_size) (sgd, lr=0.5)",
                           hint="for each batch: l.sum().backward(), then updater(X.shape[0]) (the summed loss: the "
                                "updater divides by the batch size)")


@check("softmax_regression.train_epoch_ch3", clauses="returns", substitute=("accuracy", "Accumulator"))
def check_train_epoch_ch3_metrics(train_epoch_ch3):
    for optimizer in (True, False):
        kind = "a torch.optim optimizer" if optimizer else "a function updater(batch_size)"
        expected, _, _ = one_epoch(ref("softmax_regression.train_epoch_ch3"), optimizer=optimizer, lr=0.0)
        got, _, _ = one_epoch(train_epoch_ch3, optimizer=optimizer, lr=0.0)
        assert isinstance(got, tuple) and len(got) == 2, f"train_epoch_ch3 should return (loss, accuracy), got {got!r}"
        hint = "sum the per-example losses and the correct predictions over the epoch, then divide both by the " \
               "number of examples (batches of 8, 8, 8 and 2 here)"
        assert_close(got[0], expected[0], what=f"the mean training loss returned with {kind} (lr 0)", rtol=1e-4,
                     hint=hint)
        assert_close(got[1], expected[1], what=f"the training accuracy returned with {kind} (lr 0)", hint=hint)


@check("softmax_regression.train_epoch_ch3", clauses="train_mode", substitute=("accuracy", "Accumulator"))
def check_train_epoch_ch3_train_mode(train_epoch_ch3):
    _, expected, _ = one_epoch(ref("softmax_regression.train_epoch_ch3"), optimizer=True, lr=0.5, start_in_eval=True)
    _, got, modes = one_epoch(train_epoch_ch3, optimizer=True, lr=0.5, start_in_eval=True)
    assert modes and all(modes), f"the network ran in eval mode in {modes.count(False)} of its {len(modes)} forward " \
                                 "passes: put an nn.Module in train mode first (net.train())"
    assert_same_parameters(got, expected,
                           what="torch.optim.SGD(lr=0.5) (it must also be right for this check to count)")


FASHION_BUDGET = "10 epochs on the 60,000 training images (batch 256, lr 0.1)"


def softmax_regression_run(softmax, cross_entropy, sgd, train_epoch, evaluate, epochs=10):
    W = torch.normal(0, 0.01, size=(784, 10), requires_grad=True, generator=torch.Generator().manual_seed(0))
    b = torch.zeros(10, requires_grad=True)

    def net(X):
        return softmax(X.reshape(-1, 784) @ W + b)
    return fashion_mnist_run(net, cross_entropy, lambda batch_size: sgd([W, b], 0.1, batch_size), epochs=epochs,
                             train_epoch=train_epoch, evaluate=evaluate)


@check("softmax_regression.train_epoch_ch3", points=3, kind="accuracy", clauses="updater",
       uses={"softmax": "softmax_regression.softmax", "cross_entropy": "softmax_regression.cross_entropy",
             "sgd": "linear_regression.sgd", "evaluate_accuracy": "softmax_regression.evaluate_accuracy"})
def check_train_epoch_ch3_reaches_threshold(softmax, cross_entropy, sgd, train_epoch_ch3, evaluate_accuracy):
    train_to_threshold(lambda: softmax_regression_run(softmax, cross_entropy, sgd, train_epoch_ch3, evaluate_accuracy),
                       metric=verified_test_accuracy, history=accuracy_curve, threshold=0.80, reference_value=0.825,
                       what="test accuracy of softmax regression built from your softmax, cross_entropy, sgd, "
                            "accuracy, Accumulator, evaluate_accuracy and train_epoch_ch3", budget=FASHION_BUDGET)


# §3.7 concise softmax regression ----------------------------------------------------------------

def initialised(init_weights, layer, seed):
    """A copy of ``layer`` after ``init_weights`` under ``seed``, where ``init_weights`` lives."""
    layer = copy.deepcopy(layer)
    seeded(init_weights, seed, layer)
    return layer


def wide_layer():
    torch.manual_seed(0)
    return nn.Linear(1000, 100)


@check("softmax_regression_concise.init_weights", clauses="init")
def check_init_weights_normal(init_weights):
    w = initialised(init_weights, wide_layer(), 0).weight.detach()
    std = w.std().item()
    assert 0.0095 < std < 0.0105 and abs(w.mean().item()) < 0.001, \
        f"weights should be N(0, 0.01²): std {std:.4f}, mean {w.mean().item():.4f} " \
        "(nn.init.normal_(m.weight, std=0.01))"
    within = (w.abs() < 0.01).float().mean().item()
    assert 0.66 < within < 0.70, \
        f"{within:.1%} of the weights lie within one std of 0: a normal distribution has 68% (uniform: 58%)"


@check("softmax_regression_concise.init_weights", clauses=("init", "draws"))
def check_init_weights_draws(init_weights):
    layer = wide_layer()
    for seed in (1, 2):
        got, expected = initialised(init_weights, layer, seed), initialised(
            ref("softmax_regression_concise.init_weights"), layer, seed)
        assert_close(got.weight.detach(), expected.weight.detach(),
                     what=f"an nn.Linear(1000, 100)'s weight after torch.manual_seed({seed}) and init_weights",
                     hint="draw with torch's global generator, as nn.init.normal_(m.weight, std=0.01) does; no NumPy, "
                          "no seed of your own")


@check("softmax_regression_concise.init_weights", clauses="bias")
def check_init_weights_keeps_bias(init_weights):
    layer = wide_layer()
    got = initialised(init_weights, layer, 0)
    assert_close(got.bias.detach(), layer.bias.detach(), what="the bias of an nn.Linear after init_weights",
                 hint="§3.7 redraws the weights only; the bias keeps its value")
    std = got.weight.detach().std().item()
    assert 0.0095 < std < 0.0105, f"its weights should be N(0, 0.01²), std {std:.4f} (it must also be right for " \
                                  "this check to count)"


def layer_zoo():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.BatchNorm1d(1000), nn.Linear(1000, 100))


@check("softmax_regression_concise.init_weights", clauses="others")
def check_init_weights_linear_only(init_weights):
    net = layer_zoo()
    before = copy.deepcopy(net.state_dict())
    net.apply(init_weights)
    after = net.state_dict()
    changed = [k for k in before if not k.startswith("4.") and not torch.equal(before[k], after[k])]
    assert not changed, f"init_weights changed {changed} of a network's other layers: only nn.Linear layers are " \
                        "redrawn (if type(m) == nn.Linear)"
    std = after["4.weight"].std().item()
    assert 0.0095 < std < 0.0105, f"the nn.Linear's weights should be N(0, 0.01²), std {std:.4f} (it must also be " \
                                  "right for this check to count)"


CLASSIFIER = "concise_classifier (with the book's init_weights standing in for yours)"


@check("softmax_regression_concise.concise_classifier", clauses="layers")
def check_concise_classifier_layers(concise_classifier):
    net = classifier(concise_classifier, 0.1)[0]
    assert isinstance(net, nn.Sequential), f"net should be an nn.Sequential, got {type_name(net)}"
    kinds = [type_name(m) for m in net]
    hint = ": nn.CrossEntropyLoss applies the softmax itself, so the network outputs unnormalised scores" \
        if "Softmax" in kinds else ""
    assert kinds == ["Flatten", "Linear"], f"net should be nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), got " \
                                           f"{kinds}{hint}"
    reference_net = ref("softmax_regression_concise.concise_classifier")(0.1)[0]
    assert_same_function(net, reference_net, (uniform_images(0),), what=f"net from {CLASSIFIER}")


@check("softmax_regression_concise.concise_classifier", clauses="init")
def check_concise_classifier_init(concise_classifier):
    reference_classifier = ref("softmax_regression_concise.concise_classifier")
    for seed in (1, 2):
        got = classifier(concise_classifier, 0.1, seed)[0].state_dict()
        expected = seeded_call(reference_classifier, seed, 0.1)[0].state_dict()
        assert list(got) == list(expected), f"net has parameters {list(got)}, expected {list(expected)}"
        for name in expected:
            assert_close(got[name], expected[name], what=f"net's {name} after torch.manual_seed({seed}) and "
                         f"{CLASSIFIER}", hint="build the layers, then net.apply(init_weights): the weights are "
                         "redrawn, the bias keeps nn.Linear's own initialisation")


@check("softmax_regression_concise.concise_classifier", clauses="uses")
def check_concise_classifier_uses_init_weights(concise_classifier):
    (net, _, _), seen = student_side(call_with_stand_ins, concise_classifier, {"init_weights": book_init_weights}, 1,
                                     0.1)
    calls = seen["calls"]["init_weights"]
    assert "Linear" in calls, "concise_classifier should initialise the network with this module's init_weights " \
                              f"(net.apply(init_weights)); it called it on {calls or 'nothing'}"
    expected = seeded_call(ref("softmax_regression_concise.concise_classifier"), 1, 0.1)[0]
    got = dict(net.state_dict())
    key = next((k for k in got if k.endswith("weight")), None)
    assert key is not None, "net has no weight"
    assert_close(got[key], expected[1].weight.detach(), what="net's weight after torch.manual_seed(1) (it must also be "
                 "right for this check to count)")


@check("softmax_regression_concise.concise_classifier", clauses="loss")
def check_concise_classifier_loss(concise_classifier):
    _, loss, _ = classifier(concise_classifier, 0.1)
    scores, y = randn((6, 10), 0, scale=3), randint(0, 10, (6,), 1)
    got = loss(scores.clone(), y.clone())
    hint = "reduction='none': one loss per example (train_epoch_ch3 averages them itself)" \
        if isinstance(got, torch.Tensor) and got.dim() == 0 else "nn.CrossEntropyLoss(reduction='none')"
    assert_close(got, F.cross_entropy(scores, y, reduction="none"), what="loss(scores (6, 10), y) of "
                 f"{CLASSIFIER}", hint=hint)


def trainer_facts(concise_classifier, lr):
    """Student side: what the trainer of ``concise_classifier(lr)`` is, and whether it holds the net's parameters."""
    (net, _, trainer), _ = call_with_stand_ins(concise_classifier, {"init_weights": book_init_weights}, 0, lr)
    groups = getattr(trainer, "param_groups", [])
    held = [p for g in groups for p in g.get("params", [])]
    mine = list(net.parameters())
    return {"type": type(trainer).__name__, "sgd": isinstance(trainer, torch.optim.SGD),
            "lrs": [float(g.get("lr", float("nan"))) for g in groups], "count": (len(held), len(mine)),
            "same": len(held) == len(mine) > 0 and all(any(p is q for q in held) for p in mine)}


@check("softmax_regression_concise.concise_classifier", clauses="trainer")
def check_concise_classifier_trainer(concise_classifier):
    facts = student_side(trainer_facts, concise_classifier, 0.3)
    assert facts["sgd"], f"trainer should be torch.optim.SGD, got {facts['type']}"
    assert facts["lrs"] and all(abs(lr - 0.3) < 1e-12 for lr in facts["lrs"]), \
        f"concise_classifier(lr=0.3) made a trainer with learning rate {facts['lrs']}: pass lr on"
    assert facts["same"], f"the trainer should update net's parameters (torch.optim.SGD(net.parameters(), lr=lr)); " \
                          f"it holds {facts['count'][0]} parameters, net has {facts['count'][1]}, not the same tensors"


def concise_run(concise_classifier):
    """Student side: the §3.7 model from concise_classifier (the book's init_weights standing in), trained."""
    (net, loss, trainer), _ = call_with_stand_ins(concise_classifier, {"init_weights": book_init_weights}, 0, 0.1)
    return fashion_mnist_run(net, loss, trainer)


@check("softmax_regression_concise.concise_classifier", points=3, kind="accuracy", clauses="layers")
def check_concise_classifier_reaches_threshold(concise_classifier):
    train_to_threshold(lambda: concise_run(concise_classifier), metric=verified_test_accuracy, history=accuracy_curve,
                       threshold=0.80, reference_value=0.823,
                       what=f"test accuracy of the model, loss and trainer of {CLASSIFIER}", budget=FASHION_BUDGET)
