"""Chapter 4 (多层感知机), public checks: the book's examples and the shapes it states."""
import math

import pandas as pd
import torch
from torch import nn

from autograder.harness import (type_name, assert_close, assert_tensor, check, on_its_side, randn, single_thread,
                                student_side, train_to_threshold)
from d2lkit import kaggle_house_paths


TRUE_POLY_W = [5.0, 1.2, -3.4, 5.6]


def poly_data(seed=0, max_degree=20, n_train=100, n_test=100, true_w=TRUE_POLY_W):
    """The book's data of §4.4.4 with a fixed seed: ``(features, labels)``, 200 examples of degree 3 plus
    N(0, 0.1²) noise; the features are ``x**i / i!`` (built here, not with the code under test)."""
    x = randn((n_train + n_test,), seed)
    features = x.reshape(-1, 1) ** torch.arange(max_degree) / torch.tensor(
        [math.factorial(i) for i in range(max_degree)], dtype=torch.float32)
    w = torch.zeros(max_degree)
    w[:len(true_w)] = torch.tensor(true_w)
    return features, features @ w + randn((n_train + n_test,), seed + 1, scale=0.1)


def high_dim_data(seed=0, n=20, d=200):
    """The book's high-dimensional regression data of §4.5.2: ``y = 0.05 + sum 0.01 x_i + N(0, 0.01²)``."""
    X = randn((n, d), seed)
    return X, (X.sum(1, keepdim=True) * 0.01 + 0.05 + randn((n, 1), seed + 1, scale=0.01))


def house_frames():
    train_path, test_path = kaggle_house_paths()
    return pd.read_csv(train_path), pd.read_csv(test_path)


def _call_seeded(fn, seed, args, kwargs):
    torch.manual_seed(seed)
    with single_thread():
        return fn(*args, **kwargs)


def seeded(fn, seed, *args, **kwargs):
    """``fn(*args, **kwargs)`` right after ``torch.manual_seed(seed)``, where ``fn`` lives (next to the code under
    test for the student's function, here for a reference). The judge is seeded too: a reference that the student's
    code calls in its place (a substitution) draws from the judge's generator."""
    torch.manual_seed(seed)
    return on_its_side(fn, _call_seeded, seed, args, kwargs)


def flat_weight(w, d, what):
    """A learned weight of ``d`` entries as a float32 vector (its shape is a clause of its own)."""
    if not isinstance(w, torch.Tensor) or w.numel() != d:
        raise AssertionError(f"{what} should be a tensor of {d} weights, got {type_name(w)}"
                             + (f" of shape {tuple(w.shape)}" if isinstance(w, torch.Tensor) else ""))
    return w.detach().reshape(-1).float().cpu()


def squared_loss_of(w, X, y) -> float:
    """The mean of (Xw - y)² (nn.MSELoss), computed here from a returned weight."""
    return float(((X @ w.reshape(-1, 1) - y.reshape(-1, 1)) ** 2).mean())


# §4.2 MLP from scratch -----------------------------------------------------------------------------

@check("mlp_scratch.init_params", clauses="shapes")
def check_init_params_shapes(init_params):
    params = init_params(784, 256, 10)
    assert isinstance(params, (list, tuple)) and len(params) == 4, \
        f"init_params should return [W1, b1, W2, b2], got {type_name(params)} of length {len(params)}"
    for p, name, shape in zip(params, ("W1", "b1", "W2", "b2"), ((784, 256), (256,), (256, 10), (10,))):
        assert_tensor(p, what=f"{name} of init_params(784, 256, 10)", shape=shape)


@check("mlp_scratch.relu", clauses="values")
def check_relu_book_example(relu):
    x = torch.tensor([-2.0, -0.5, 0.0, 1.5, 3.0])
    assert_close(relu(x.clone()), torch.tensor([0.0, 0.0, 0.0, 1.5, 3.0]), what="relu([-2, -0.5, 0, 1.5, 3])",
                 hint="max(x, 0) entry by entry")


def _backward_ones(fn, x):
    """Student side: ``fn(x).backward(ones)`` as the book does, and the gradient that reached ``x``."""
    x = x.detach().clone().requires_grad_(True)
    y = fn(x.clone())   # a copy inside the graph: writing into its input is another clause's business
    if not isinstance(y, torch.Tensor) or not y.requires_grad:
        return None
    y.backward(torch.ones_like(y))
    return x.grad


@check("mlp_scratch.relu", clauses="gradients")
def check_relu_book_gradient(relu):
    grad = student_side(_backward_ones, relu, torch.tensor([-2.0, -0.5, 1.5, 3.0]))
    assert grad is not None, "no gradient flows through relu's output: did you use .data, .detach() or a new tensor?"
    assert_close(grad, torch.tensor([0.0, 0.0, 1.0, 1.0]), what="the gradient of relu at -2, -0.5, 1.5, 3 "
                 "(relu(x).backward(torch.ones_like(x)))", hint="0 for negative inputs, 1 for positive ones")


@check("mlp_scratch.net", clauses="values", substitute=("relu",))
def check_net_hand_example(net):
    W1, b1 = torch.tensor([[1.0, -1.0]]), torch.zeros(2)
    W2, b2 = torch.tensor([[1.0], [1.0]]), torch.tensor([0.5])
    assert_close(net(torch.tensor([[2.0]]), [W1, b1, W2, b2]), torch.tensor([[2.5]]),
                 what="net([[2]]) with W1=[[1, -1]], b1=0, W2=[[1], [1]], b2=0.5",
                 hint="relu(X W1 + b1) = [2, 0], then H W2 + b2 = 2.5")
    params = [torch.zeros(784, 256), torch.zeros(256), torch.zeros(256, 10), torch.arange(10.0)]
    assert_close(net(torch.rand(5, 1, 28, 28), params), torch.arange(10.0).expand(5, 10),
                 what="net(X (5, 1, 28, 28)) with zero weights and b2 = [0, 1, ..., 9]",
                 hint="flatten X to (-1, W1.shape[0]) first: five images give five rows of logits")


# §4.3 concise MLP --------------------------------------------------------------------------------

@check("mlp_concise.concise_mlp", clauses="layers")
def check_concise_mlp_structure(concise_mlp):
    net = concise_mlp()
    kinds = [type_name(layer) for layer in net]
    assert kinds == ["Flatten", "Linear", "ReLU", "Linear"], f"the layers are {kinds}, expected Flatten, Linear, ReLU, Linear"
    assert (net[1].in_features, net[1].out_features, net[3].out_features) == (784, 256, 10), \
        "expected nn.Linear(784, 256) and nn.Linear(256, 10)"
    assert_tensor(net(torch.rand(3, 1, 28, 28)), what="net(X (3, 1, 28, 28))", shape=(3, 10))


# §4.4 polynomial regression ----------------------------------------------------------------------

@check("polynomial_regression.polynomial_features", clauses="values")
def check_polynomial_features_example(polynomial_features):
    got = polynomial_features(torch.tensor([[2.0], [-1.0]]), 4)
    assert_close(got, torch.tensor([[1.0, 2.0, 2.0, 4 / 3], [1.0, -1.0, 0.5, -1 / 6]]),
                 what="polynomial_features([[2], [-1]], max_degree=4)", hint="column i is x**i / i!")


@check("polynomial_regression.evaluate_loss", clauses="values")
def check_evaluate_loss_example(evaluate_loss):
    X, y = torch.tensor([[1.0], [2.0], [3.0], [4.0]]), torch.tensor([[1.0], [2.0], [3.0], [6.0]])
    got = evaluate_loss(nn.Identity(), [(X[:2], y[:2]), (X[2:], y[2:])], nn.MSELoss(reduction="none"))
    assert_close(got, 1.0, what="evaluate_loss(identity, 4 examples with squared errors 0, 0, 0, 4)")


@check("polynomial_regression.train", points=2, kind="accuracy", clauses="fits", integration=False,
       substitute=("evaluate_loss",))
def check_poly_train_third_order(train):
    features, labels = poly_data()
    X_test, y_test = features[100:, :4], labels[100:]
    result = train_to_threshold(lambda: train(features[:100, :4], X_test, labels[:100], y_test),
                                metric=lambda run: (flat_weight(run[0], 4, "the learned weight train returned")
                                                    - torch.tensor(TRUE_POLY_W)).abs().max().item(),
                                threshold=0.1, higher_is_better=False, history=lambda run: [], reference_value=0.026,
                                what=f"the largest distance of the third-order fit's weights from {TRUE_POLY_W}",
                                budget="the book's 400 epochs (SGD lr 0.01, batches of 10)")
    w = flat_weight(result.run[0], 4, "the learned weight")
    test_loss = squared_loss_of(w, X_test, y_test)
    assert test_loss < 0.05, (f"the third-order fit {w.tolist()} has a test loss of {test_loss:.4g} (computed here "
                              "from the weights); with noise of std 0.1 it is about 0.01")


# §4.5 weight decay -------------------------------------------------------------------------------

@check("weight_decay.init_params", clauses="shapes")
def check_wd_init_params_shapes(init_params):
    w, b = init_params(200)
    assert_tensor(w, what="w of init_params(200)", shape=(200, 1))
    assert_tensor(b, what="b of init_params(200)", shape=(1,))


@check("weight_decay.l2_penalty", clauses="values")
def check_l2_penalty_example(l2_penalty):
    assert_close(l2_penalty(torch.tensor([[1.0], [2.0], [3.0]])), 7.0, what="l2_penalty([[1], [2], [3]])",
                 hint="the sum of squares, halved")


def weight_norm(w) -> float:
    if not isinstance(w, torch.Tensor):
        raise AssertionError(f"the trained w should be a tensor, got {type_name(w)}")
    return w.detach().norm().item()


@check("weight_decay.train", points=2, clauses="trains", substitute=("weight_decay.init_params", "l2_penalty"))
def check_wd_train_book_experiment(train):
    data = high_dim_data()
    free = weight_norm(seeded(train, 0, 0, data)[0])
    decayed = weight_norm(seeded(train, 0, 3, data)[0])
    assert free > 8 and decayed < 0.6, (f"the book's experiment (20 examples, 200 features): ||w|| is {free:.3f} with "
                                        f"lambd=0 and {decayed:.3f} with lambd=3; the book reports 12.96 and 0.356")


@check("weight_decay.train_concise", points=2, clauses="trains")
def check_train_concise_book_experiment(train_concise):
    data = high_dim_data()
    free = weight_norm(seeded(train_concise, 0, 0, data)[0].weight)
    decayed = weight_norm(seeded(train_concise, 0, 3, data)[0].weight)
    assert free > 8 and decayed < 0.6, (f"the book's experiment (20 examples, 200 features): ||w|| is {free:.3f} with "
                                        f"wd=0 and {decayed:.3f} with wd=3; the book reports about 13 and 0.4")


# §4.6 dropout ------------------------------------------------------------------------------------

@check("dropout.dropout_layer", clauses=("values", "edges"))
def check_dropout_layer_book_example(dropout_layer):
    X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
    assert_close(dropout_layer(X.clone(), 0.0), X, what="dropout_layer(X, 0) (keep everything)")
    assert_close(dropout_layer(X.clone(), 1.0), torch.zeros_like(X), what="dropout_layer(X, 1) (drop everything)")
    out = dropout_layer(X.clone(), 0.5)
    assert_tensor(out, what="dropout_layer(X, 0.5)", shape=X.shape)
    ok = (out == 0) | (out == 2 * X)
    assert ok.all(), f"with dropout 0.5 every entry is 0 or 2x its input; got {out.tolist()} for X = {X.tolist()}"


@check("dropout.Net", clauses="modes", substitute=("dropout_layer",))
def check_Net_modes(Net):
    net = Net(784, 10, 256, 256)
    X = torch.rand(4, 1, 28, 28)
    assert_tensor(net(X), what="Net(784, 10, 256, 256)(X (4, 1, 28, 28))", shape=(4, 10))
    net.eval()
    assert torch.equal(net(X), net(X)), "in eval mode Net must not drop anything: two calls should agree"
    net.train()
    assert not torch.equal(net(X), net(X)), "in training mode Net must apply dropout: two calls should differ"


# §4.8 Xavier initialisation ---------------------------------------------------------------------

@check("initialization.xavier_uniform_", clauses="values")
def check_xavier_uniform__linear(xavier_uniform_):
    weight = torch.zeros(128, 256)
    out = xavier_uniform_(weight)
    filled = out if isinstance(out, torch.Tensor) else weight
    bound = math.sqrt(6 / (256 + 128))
    top = filled.abs().max().item()
    assert 0.95 * bound < top <= bound + 1e-6, \
        f"an nn.Linear(256, 128) weight should fill U(-{bound:.4f}, {bound:.4f}); the largest |w| is {top:.4f}"


# §4.10 Kaggle house prices -----------------------------------------------------------------------

@check("kaggle_house.preprocess", clauses=("onehot", "str_columns"))
def check_preprocess_shapes(preprocess):
    train_data, test_data = house_frames()
    train_features, test_features, train_labels = preprocess(train_data, test_data)
    assert_tensor(train_features, what="train_features", dtype=torch.float32)
    assert_tensor(test_features, what="test_features", dtype=torch.float32)
    assert_tensor(train_labels, what="train_labels", shape=(1460, 1), dtype=torch.float32)
    assert train_features.shape[0] == 1460 and test_features.shape[0] == 1459, \
        f"1460 training and 1459 test houses expected, got {train_features.shape[0]} and {test_features.shape[0]}"
    assert train_features.shape[1] == test_features.shape[1] > 300, \
        (f"both sets need the same one-hot columns (about 330), got {train_features.shape[1]} and "
         f"{test_features.shape[1]}: encode the two sets stacked together, with dummy_na=True")
    assert not torch.isnan(train_features).any(), "missing values must be filled with 0"
    assert_close(train_labels[:2].reshape(-1), torch.tensor([208500.0, 181500.0]), what="the first two prices")


@check("kaggle_house.log_rmse", clauses=("values", "clamp"))
def check_log_rmse_example(log_rmse):
    features = torch.tensor([[math.e ** 2], [0.5], [1.0]])
    labels = torch.tensor([[1.0], [1.0], [1.0]])
    assert_close(log_rmse(nn.Identity(), features, labels), math.sqrt(4 / 3),
                 what="log_rmse with predictions [e², 0.5, 1] and prices [1, 1, 1]",
                 hint="clamp the predictions to at least 1, then sqrt(mean((log p - log y)²))")


@check("kaggle_house.get_net", clauses="values")
def check_get_net_shape(get_net):
    net = get_net(330)
    assert_tensor(net(torch.zeros(5, 330)), what="get_net(330)(X (5, 330))", shape=(5, 1))


def house_log_rmse(net, X, y) -> float:
    """The log-rmse of ``net`` (a module of the judge's) on ``X``, computed here."""
    with torch.no_grad():
        preds = torch.clamp(net(X), 1, float("inf"))
        return torch.sqrt(((torch.log(preds) - torch.log(y)) ** 2).mean()).item()


@check("kaggle_house.train", clauses="no_test", substitute=("log_rmse",))
def check_kaggle_train_returns(train):
    X, y = randn((40, 3), 0), torch.rand(40, 1, generator=torch.Generator().manual_seed(1)) * 10 + 5
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 1))
    before = house_log_rmse(net, X, y)
    train_ls, test_ls = seeded(train, 0, net, X, y, None, None, 4, 0.1, 0, 8)
    assert len(train_ls) == 4 and test_ls == [], \
        f"4 epochs without test labels should give 4 training losses and [], got {len(train_ls)} and {test_ls!r}"
    after = house_log_rmse(net, X, y)
    assert after < before, (f"after 4 epochs of Adam the net's training log-rmse (computed here) is {after:.4g}, "
                            f"not below its {before:.4g} before training: train the net it is given")


@check("kaggle_house.get_k_fold_data", clauses="values")
def check_get_k_fold_data_example(get_k_fold_data):
    X, y = torch.arange(20.).reshape(10, 2), torch.arange(10.)
    X_train, y_train, X_valid, y_valid = get_k_fold_data(5, 1, X, y)
    assert_close(y_valid, torch.tensor([2.0, 3.0]), what="y_valid of fold 1 of 5 over 10 rows")
    assert_close(y_train, torch.tensor([0.0, 1.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]), what="y_train of fold 1 of 5")
    assert_close(X_valid, X[2:4], what="X_valid of fold 1 of 5")


# k_fold without training: a stand-in for this module's train whose losses name the fold it was given

def standin_losses(train_labels, test_labels, num_epochs):
    """``(train_ls, valid_ls)`` of the stand-in: decreasing lists whose last entries are the means of the fold's
    training and validation labels (so the mean over the folds says which data each fold got)."""
    a, b = float(train_labels.double().mean()), float(test_labels.double().mean())
    return [a + 0.5 * (num_epochs - 1 - e) for e in range(num_epochs)], \
        [b + 0.25 * (num_epochs - 1 - e) for e in range(num_epochs)]


def _k_fold_with_standin(k_fold, args):
    """Student side: ``k_fold(*args)`` with this module's ``train`` replaced by the stand-in; returns the result and
    what each call of ``train`` got."""
    namespace = k_fold.__globals__
    original, calls = namespace.get("train"), []

    def train(net, train_features, train_labels, test_features, test_labels, num_epochs, learning_rate,
              weight_decay, batch_size):
        layer = next((m for m in net.modules() if isinstance(m, nn.Linear)), None) if isinstance(net, nn.Module) \
            else None
        calls.append({"fresh": not getattr(net, "_d2l_seen", False), "in_features": getattr(layer, "in_features", None),
                      "rows": (int(train_features.shape[0]), int(test_features.shape[0])),
                      "hyper": (num_epochs, learning_rate, weight_decay, batch_size)})
        if isinstance(net, nn.Module):
            object.__setattr__(net, "_d2l_seen", True)
        return standin_losses(train_labels, test_labels, num_epochs)

    namespace["train"] = train
    try:
        result = k_fold(*args)
    finally:
        if original is None:
            namespace.pop("train", None)
        else:
            namespace["train"] = original
    return {"result": result, "calls": calls}


def k_fold_data(seed=0, n=23, d=4):
    X = randn((n, d), seed)
    return X, X @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]])[:d] + 10 + randn((n, 1), seed + 1)


def book_fold(k, i, X, y):
    """Fold ``i`` of ``k`` as the book slices it (``fold_size = n // k``), computed here."""
    size = X.shape[0] // k
    parts = [(X[j * size:(j + 1) * size], y[j * size:(j + 1) * size]) for j in range(k)]
    rest = parts[:i] + parts[i + 1:]
    return torch.cat([p[0] for p in rest]), torch.cat([p[1] for p in rest]), parts[i][0], parts[i][1]


def expected_k_fold(k, X, y, num_epochs=3):
    """The means over the folds of the stand-in's last losses."""
    sums = [0.0, 0.0]
    for i in range(k):
        _, y_train, _, y_valid = book_fold(k, i, X, y)
        train_ls, valid_ls = standin_losses(y_train, y_valid, num_epochs)
        sums = [sums[0] + train_ls[-1], sums[1] + valid_ls[-1]]
    return sums[0] / k, sums[1] / k


@check("kaggle_house.k_fold", clauses="returns", substitute=("get_net", "get_k_fold_data"))
def check_k_fold_returns(k_fold):
    X, y = k_fold_data()
    run = student_side(_k_fold_with_standin, k_fold, (4, X, y, 3, 0.5, 0, 5))
    got = run["result"]
    assert isinstance(got, tuple) and len(got) == 2 and all(type(v) is float for v in got), \
        f"k_fold should return (mean train log_rmse, mean valid log_rmse) as two Python floats, got {got!r}"
    expected = expected_k_fold(4, X, y)
    for g, e, part in zip(got, expected, ("training", "validation")):
        assert_close(g, e, rtol=1e-6, what=f"the mean final {part} loss k_fold returned (with a stand-in train whose "
                                           "losses name each fold's data)",
                     hint="add up train_ls[-1] and valid_ls[-1] of every fold, then divide by k")
