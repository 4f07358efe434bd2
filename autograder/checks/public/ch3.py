"""Chapter 3 (线性神经网络), public checks: the book's examples and the shapes it states."""
import random

import numpy as np
import torch
from torch import nn

from autograder.harness import type_name, assert_close, assert_tensor, check, student_side


BOOK_Y_HAT = [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]


# Helpers that run where the code under test lives (check code: shipped by value) -------------------

def seeded_call(fn, seed, *args, **kwargs):
    """``fn(*args)`` right after seeding Python's, NumPy's and torch's global generators with ``seed`` (run it
    where ``fn`` lives: ``on_its_side(fn, seeded_call, seed, ...)``)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return fn(*args, **kwargs)


def keep_initialisation(m):
    """A stand-in for ``init_weights`` in the public checks: every module keeps the initialisation it was built
    with, so a check of ``concise_classifier``'s shapes does not depend on the student's ``init_weights``."""


def call_with_stand_ins(fn, stand_ins, seed, *args):
    """Student side: ``fn(*args)`` under ``seed``, with the names of ``fn``'s module in ``stand_ins`` (name ->
    check code) swapped in while it runs. Returns ``(result, calls)``: the class names of the modules each
    stand-in was called with, by name, and which names ``fn``'s module did not have."""
    namespace = getattr(fn, "__globals__", {})
    calls = {name: [] for name in stand_ins}
    saved = {name: namespace[name] for name in stand_ins if name in namespace}

    def recording(name, stand_in):
        def record(*a, **k):
            calls[name].append(type(a[0]).__name__ if a else "")
            return stand_in(*a, **k)
        return record
    for name in saved:
        namespace[name] = recording(name, stand_ins[name])
    try:
        result = seeded_call(fn, seed, *args)
    finally:
        namespace.update(saved)
    return result, {"calls": calls, "missing": sorted(set(stand_ins) - set(saved))}


def classifier(concise_classifier, lr=0.1, seed=0, init_weights=keep_initialisation):
    """``concise_classifier(lr)`` under ``seed``, with ``init_weights`` standing in for the student's."""
    return student_side(call_with_stand_ins, concise_classifier, {"init_weights": init_weights}, seed, lr)[0]


# §3.2 -----------------------------------------------------------------------------------------------

@check("linear_regression.synthetic_data", clauses="shape")
def check_synthetic_data_shapes(synthetic_data):
    X, y = synthetic_data(torch.tensor([2, -3.4]), 4.2, 1000)
    assert_tensor(X, what="features from synthetic_data(w=[2, -3.4], b=4.2, 1000)", shape=(1000, 2))
    assert_tensor(y, what="labels from synthetic_data(w=[2, -3.4], b=4.2, 1000)", shape=(1000, 1))


@check("linear_regression.data_iter", clauses="values")
def check_data_iter_book_example(data_iter):
    features, labels = torch.arange(1000.).reshape(500, 2), torch.arange(500.).reshape(500, 1)
    batches = list(data_iter(10, features, labels))
    assert len(batches) == 50, f"data_iter(10, ...) over 500 examples gave {len(batches)} batches, expected 50"
    X, y = batches[0]
    assert_tensor(X, what="X of the first batch", shape=(10, 2))
    assert_tensor(y, what="y of the first batch", shape=(10, 1))
    assert torch.equal(X[:, 1], X[:, 0] + 1), "the rows of a batch should be rows of the features"
    assert torch.equal(X[:, 0] / 2, y[:, 0]), "each batch must pair a feature row with its own label"


@check("linear_regression.linreg", clauses="values")
def check_linreg_book_example(linreg):
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    w = torch.tensor([[2.0], [-3.4]])
    assert_close(linreg(X, w, 4.2), torch.tensor([[-0.6], [-3.4]]), what="linreg(X, w=[[2], [-3.4]], b=4.2)",
                 atol=1e-5)


@check("linear_regression.squared_loss", clauses="reshape")
def check_squared_loss_example(squared_loss):
    y_hat, y = torch.tensor([[1.0], [2.0], [4.0]]), torch.tensor([1.0, 3.0, 1.0])
    assert_close(squared_loss(y_hat, y), torch.tensor([[0.0], [0.5], [4.5]]),
                 what="squared_loss(y_hat (3, 1), y (3,))", hint="(y_hat - y)² / 2, with y reshaped like y_hat")


@check("linear_regression.sgd", clauses="values")
def check_sgd_one_step(sgd):
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * torch.tensor([3.0, 4.0])).sum().backward()
    sgd([w], 0.1, 2)
    assert_close(w.detach(), torch.tensor([0.85, 1.8]), what="w after sgd([w], lr=0.1, batch_size=2) with grad [3, 4]",
                 hint="p -= lr * p.grad / batch_size")


# §3.3 -----------------------------------------------------------------------------------------------

@check("linear_regression_concise.load_array", clauses="values")
def check_load_array_batches(load_array):
    features, labels = torch.arange(60.).reshape(30, 2), torch.arange(30.)
    batches = list(load_array((features, labels), 10))
    assert len(batches) == 3, f"load_array over 30 examples with batch size 10 gave {len(batches)} batches"
    for X, y in batches:
        assert_tensor(X, what="X of a batch", shape=(10, 2))
        assert torch.equal(X[:, 1], X[:, 0] + 1), "the rows of a batch should be rows of the features"
        assert torch.equal(X[:, 0], 2 * y), "each batch must pair the rows of the features with their own labels"


@check("linear_regression_concise.linear_net", clauses="layers")
def check_linear_net_structure(linear_net):
    net = linear_net(2)
    assert isinstance(net, nn.Sequential), f"linear_net should return an nn.Sequential, got {type_name(net)}"
    layers = list(net)
    assert len(layers) == 1 and isinstance(layers[0], nn.Linear), "linear_net(2) should hold one nn.Linear"
    assert (layers[0].in_features, layers[0].out_features) == (2, 1), "nn.Linear(2, 1) expected"


# §3.5 -----------------------------------------------------------------------------------------------

@check("image_classification_dataset.get_fashion_mnist_labels", clauses="values")
def check_get_fashion_mnist_labels_example(get_fashion_mnist_labels):
    got = list(get_fashion_mnist_labels(torch.tensor([0, 9, 3])))
    assert got == ["t-shirt", "ankle boot", "dress"], \
        f"get_fashion_mnist_labels([0, 9, 3]) gave {got}, expected ['t-shirt', 'ankle boot', 'dress']"


@check("image_classification_dataset.load_data_fashion_mnist", clauses="shapes")
def check_load_data_fashion_mnist_shapes(load_data_fashion_mnist):
    train_iter, test_iter = load_data_fashion_mnist(32, resize=64)
    X, y = next(iter(train_iter))
    assert_tensor(X, what="X of a training batch (batch_size=32, resize=64)", shape=(32, 1, 64, 64),
                  dtype=torch.float32)
    assert_tensor(y, what="y of a training batch", shape=(32,), dtype=torch.int64)
    X, _ = next(iter(test_iter))
    assert_tensor(X, what="X of a test batch", shape=(32, 1, 64, 64), dtype=torch.float32)


# §3.6 -----------------------------------------------------------------------------------------------

@check("softmax_regression.softmax", clauses="values")
def check_softmax_book_example(softmax):
    X = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    expected = torch.tensor([[0.09003057, 0.24472847, 0.66524096], [1 / 3, 1 / 3, 1 / 3]])
    got = softmax(X)
    assert_close(got, expected, what="softmax([[1, 2, 3], [0, 0, 0]])")
    assert_close(got.sum(1), torch.ones(2), what="row sums of softmax(X)")


@check("softmax_regression.net", clauses="values", substitute=("softmax",))
def check_net_shape(net):
    W, b = torch.zeros(784, 10), torch.zeros(10)
    out = net(torch.zeros(5, 1, 28, 28), W, b)
    assert_close(out, torch.full((5, 10), 0.1), what="net(X (5, 1, 28, 28), W = 0, b = 0)",
                 hint="flatten X to (-1, 784), then softmax(XW + b)")


@check("softmax_regression.cross_entropy", clauses="values")
def check_cross_entropy_book_example(cross_entropy):
    got = cross_entropy(torch.tensor(BOOK_Y_HAT), torch.tensor([0, 2]))
    assert_close(got, torch.tensor([2.302585, 0.693147]), what="cross_entropy(y_hat, y=[0, 2]) (the book's example)",
                 hint="one loss per example: -log of the probability of the true class")


@check("softmax_regression.accuracy", clauses="count")
def check_accuracy_book_example(accuracy):
    got = accuracy(torch.tensor(BOOK_Y_HAT), torch.tensor([0, 2]))
    assert_close(got, 1.0, what="accuracy(y_hat, y=[0, 2]) (the book's example: a count, not a fraction)")


@check("softmax_regression.Accumulator", clauses="values")
def check_Accumulator_add(Accumulator):
    acc = Accumulator(2)
    acc.add(1, 2.5)
    acc.add(torch.tensor(3.0), 4)
    assert (acc[0], acc[1]) == (4.0, 6.5), f"after add(1, 2.5) and add(3, 4): got {acc[0]}, {acc[1]}, expected 4, 6.5"


@check("softmax_regression.evaluate_accuracy", clauses="fraction", substitute=("accuracy", "Accumulator"))
def check_evaluate_accuracy_example(evaluate_accuracy):
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    y = torch.tensor([0, 1, 1, 1])
    got = evaluate_accuracy(lambda X: X, [(X[:2], y[:2]), (X[2:], y[2:])])
    assert_close(got, 0.5, what="evaluate_accuracy on 4 examples, 2 right")


@check("softmax_regression.train_epoch_ch3", clauses="returns", substitute=("accuracy", "Accumulator"))
def check_train_epoch_ch3_returns(train_epoch_ch3):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 2))
    nn.init.zeros_(net[0].weight)
    nn.init.zeros_(net[0].bias)
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0]]).repeat(4, 1)
    batches = [(X[:4], torch.tensor([0, 1, 0, 1])), (X[4:], torch.tensor([0, 1, 0, 1]))]
    out = train_epoch_ch3(net, batches, nn.CrossEntropyLoss(reduction="none"),
                          torch.optim.SGD(net.parameters(), lr=0.1))
    assert isinstance(out, tuple) and len(out) == 2, f"train_epoch_ch3 should return (loss, accuracy), got {out!r}"
    loss, acc = out
    assert 0.6 < loss < 0.7, (f"on 8 examples starting from zero weights the mean loss is about 0.69, got {loss:.4g}: "
                              "return the loss averaged over examples")
    assert 0 <= acc <= 1, f"the accuracy it returns should be a fraction of the examples, got {acc}"


# §3.7 -----------------------------------------------------------------------------------------------

@check("softmax_regression_concise.init_weights", clauses="others")
def check_init_weights_leaves_other_modules(init_weights):
    relu = nn.ReLU()
    init_weights(relu)  # must not fail on a module without weights
    layer = nn.Linear(784, 10)
    init_weights(layer)
    std = layer.weight.std().item()
    assert 0.008 < std < 0.012, f"after init_weights, an nn.Linear's weights have std {std:.4f}, expected 0.01"


@check("softmax_regression_concise.concise_classifier", clauses="layers")
def check_concise_classifier_output_shape(concise_classifier):
    net, _, _ = classifier(concise_classifier, 0.1)
    assert_tensor(net(torch.zeros(3, 1, 28, 28)), what="net(X (3, 1, 28, 28))", shape=(3, 10))


@check("softmax_regression_concise.concise_classifier", clauses="loss")
def check_concise_classifier_loss_shape(concise_classifier):
    _, loss, _ = classifier(concise_classifier, 0.1)
    per_example = loss(torch.zeros(3, 10), torch.tensor([0, 1, 2]))
    assert_tensor(per_example, what="loss(y_hat, y) for 3 examples (reduction='none')", shape=(3,))
