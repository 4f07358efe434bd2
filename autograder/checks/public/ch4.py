"""Chapter 4 (多层感知机), public checks: the book's examples and the shapes it states."""
import math

import pandas as pd
import torch
from torch import nn

from autograder.harness import type_name, assert_close, assert_tensor, check, randn
from d2lkit import kaggle_house_paths


TRUE_POLY_W = [5.0, 1.2, -3.4, 5.6]


def poly_data(seed=0, max_degree=20, n_train=100, n_test=100):
    """The book's data of §4.4.4 with a fixed seed: ``(features, labels)``, 200 examples of degree 3 plus
    N(0, 0.1²) noise; the features are ``x**i / i!`` (built here, not with the code under test)."""
    x = randn((n_train + n_test,), seed)
    features = x.reshape(-1, 1) ** torch.arange(max_degree) / torch.tensor(
        [math.factorial(i) for i in range(max_degree)], dtype=torch.float32)
    true_w = torch.zeros(max_degree)
    true_w[:4] = torch.tensor(TRUE_POLY_W)
    return features, features @ true_w + randn((n_train + n_test,), seed + 1, scale=0.1)


def high_dim_data(seed=0, n=20, d=200):
    """The book's high-dimensional regression data of §4.5.2: ``y = 0.05 + sum 0.01 x_i + N(0, 0.01²)``."""
    X = randn((n, d), seed)
    return X, (X.sum(1, keepdim=True) * 0.01 + 0.05 + randn((n, 1), seed + 1, scale=0.01))


def house_frames():
    train_path, test_path = kaggle_house_paths()
    return pd.read_csv(train_path), pd.read_csv(test_path)


# §4.2 MLP from scratch -----------------------------------------------------------------------------

@check("mlp_scratch.init_params")
def check_init_params_shapes(init_params):
    params = init_params(784, 256, 10)
    assert isinstance(params, (list, tuple)) and len(params) == 4, \
        f"init_params should return [W1, b1, W2, b2], got {type_name(params)} of length {len(params)}"
    for p, name, shape in zip(params, ("W1", "b1", "W2", "b2"), ((784, 256), (256,), (256, 10), (10,))):
        assert_tensor(p, what=name, shape=shape, dtype=torch.float32)
        assert isinstance(p, nn.Parameter), f"{name} should be an nn.Parameter, got {type_name(p)}"
    assert torch.all(params[1] == 0) and torch.all(params[3] == 0), "the biases b1, b2 should start at 0"


@check("mlp_scratch.relu")
def check_relu_book_example(relu):
    x = torch.tensor([-2.0, -0.5, 0.0, 1.5, 3.0], requires_grad=True)
    y = relu(x)
    assert_close(y, torch.tensor([0.0, 0.0, 0.0, 1.5, 3.0]), what="relu([-2, -0.5, 0, 1.5, 3])")
    y.backward(torch.ones_like(x))
    assert_close(x.grad[[0, 1, 3, 4]], torch.tensor([0.0, 0.0, 1.0, 1.0]),
                 what="the gradient of relu at -2, -0.5, 1.5, 3", hint="0 for negative inputs, 1 for positive ones")


@check("mlp_scratch.net")
def check_net_hand_example(net):
    W1, b1 = torch.tensor([[1.0, -1.0]]), torch.zeros(2)
    W2, b2 = torch.tensor([[1.0], [1.0]]), torch.tensor([0.5])
    assert_close(net(torch.tensor([[2.0]]), [W1, b1, W2, b2]), torch.tensor([[2.5]]),
                 what="net([[2]]) with W1=[[1, -1]], b1=0, W2=[[1], [1]], b2=0.5",
                 hint="relu(X W1 + b1) = [2, 0], then H W2 + b2 = 2.5")
    params = [torch.zeros(784, 256), torch.zeros(256), torch.zeros(256, 10), torch.zeros(10)]
    assert_tensor(net(torch.rand(5, 1, 28, 28), params), what="net(X (5, 1, 28, 28))", shape=(5, 10))


# §4.3 concise MLP --------------------------------------------------------------------------------

@check("mlp_concise.concise_mlp")
def check_concise_mlp_structure(concise_mlp):
    net = concise_mlp()
    kinds = [type_name(layer) for layer in net]
    assert kinds == ["Flatten", "Linear", "ReLU", "Linear"], f"the layers are {kinds}, expected Flatten, Linear, ReLU, Linear"
    assert (net[1].in_features, net[1].out_features, net[3].out_features) == (784, 256, 10), \
        "expected nn.Linear(784, 256) and nn.Linear(256, 10)"
    assert_tensor(net(torch.rand(3, 1, 28, 28)), what="net(X (3, 1, 28, 28))", shape=(3, 10))


# §4.4 polynomial regression ----------------------------------------------------------------------

@check("polynomial_regression.polynomial_features")
def check_polynomial_features_example(polynomial_features):
    got = polynomial_features(torch.tensor([2.0, -1.0]), 4)
    assert_close(got, torch.tensor([[1.0, 2.0, 2.0, 4 / 3], [1.0, -1.0, 0.5, -1 / 6]]),
                 what="polynomial_features([2, -1], max_degree=4)", hint="column i is x**i / i!")


@check("polynomial_regression.evaluate_loss")
def check_evaluate_loss_example(evaluate_loss):
    X, y = torch.tensor([[1.0], [2.0], [3.0], [4.0]]), torch.tensor([1.0, 2.0, 3.0, 6.0])
    got = evaluate_loss(lambda X: X, [(X[:2], y[:2]), (X[2:], y[2:])], nn.MSELoss(reduction="none"))
    assert_close(got, 1.0, what="evaluate_loss(identity, 4 examples with squared errors 0, 0, 0, 4)")


@check("polynomial_regression.train", points=2, kind="accuracy")
def check_poly_train_third_order(train):
    features, labels = poly_data()
    w, _, test_loss = train(features[:100, :4], features[100:, :4], labels[:100], labels[100:])
    assert_tensor(w, what="the learned weight returned by train", shape=(4,))
    err = (w.detach().float() - torch.tensor(TRUE_POLY_W)).abs().max().item()
    assert err < 0.1, (f"the third-order fit (the book's example, 400 epochs) learned {w.tolist()}, "
                       f"{err:.3f} away from {TRUE_POLY_W}: it should be within 0.1")
    assert test_loss < 0.05, f"the third-order fit's test loss is {test_loss:.4g}; with noise of std 0.1 it is about 0.01"


# §4.5 weight decay -------------------------------------------------------------------------------

@check("weight_decay.init_params")
def check_wd_init_params_shapes(init_params):
    w, b = init_params(200)
    assert_tensor(w, what="w", shape=(200, 1), dtype=torch.float32)
    assert_tensor(b, what="b", shape=(1,), dtype=torch.float32)
    assert w.requires_grad and b.requires_grad and w.is_leaf and b.is_leaf, \
        "w and b should be leaf tensors with requires_grad=True"
    assert torch.all(b == 0), "b should start at 0"


@check("weight_decay.l2_penalty")
def check_l2_penalty_example(l2_penalty):
    assert_close(l2_penalty(torch.tensor([[1.0], [2.0], [3.0]])), 7.0, what="l2_penalty([[1], [2], [3]])",
                 hint="the sum of squares, halved")


@check("weight_decay.train", points=2)
def check_wd_train_book_experiment(train):
    data = high_dim_data()
    torch.manual_seed(0)
    free = train(0, data)[0].detach().norm().item()
    torch.manual_seed(0)
    decayed = train(3, data)[0].detach().norm().item()
    assert free > 8 and decayed < 0.6, (f"the book's experiment (20 examples, 200 features): ||w|| is {free:.3f} with "
                                        f"lambd=0 and {decayed:.3f} with lambd=3; the book reports 12.96 and 0.356")


@check("weight_decay.train_concise", points=2)
def check_train_concise_book_experiment(train_concise):
    data = high_dim_data()
    torch.manual_seed(0)
    free = train_concise(0, data)[0].weight.detach().norm().item()
    torch.manual_seed(0)
    decayed = train_concise(3, data)[0].weight.detach().norm().item()
    assert free > 8 and decayed < 0.6, (f"the book's experiment (20 examples, 200 features): ||w|| is {free:.3f} with "
                                        f"wd=0 and {decayed:.3f} with wd=3; the book reports about 13 and 0.4")


# §4.6 dropout ------------------------------------------------------------------------------------

@check("dropout.dropout_layer")
def check_dropout_layer_book_example(dropout_layer):
    X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
    assert_close(dropout_layer(X, 0.0), X, what="dropout_layer(X, 0) (keep everything)")
    assert_close(dropout_layer(X, 1.0), torch.zeros_like(X), what="dropout_layer(X, 1) (drop everything)")
    out = dropout_layer(X, 0.5)
    assert_tensor(out, what="dropout_layer(X, 0.5)", shape=X.shape, dtype=X.dtype)
    ok = (out == 0) | (out == 2 * X)
    assert ok.all(), f"with dropout 0.5 every entry is 0 or 2x its input; got {out.tolist()} for X = {X.tolist()}"


@check("dropout.Net")
def check_Net_modes(Net):
    net = Net(784, 10, 256, 256)
    X = torch.rand(4, 1, 28, 28)
    assert_tensor(net(X), what="Net(784, 10, 256, 256)(X (4, 1, 28, 28))", shape=(4, 10))
    net.eval()
    assert torch.equal(net(X), net(X)), "in eval mode Net must not drop anything: two calls should agree"
    net.train()
    assert not torch.equal(net(X), net(X)), "in training mode Net must apply dropout: two calls should differ"


# §4.8 Xavier initialisation ---------------------------------------------------------------------

@check("initialization.xavier_uniform_")
def check_xavier_uniform__linear(xavier_uniform_):
    weight = torch.empty(128, 256)
    out = xavier_uniform_(weight)
    assert out is weight, "xavier_uniform_ works in place and returns the tensor it was given"
    bound = math.sqrt(6 / (256 + 128))
    top = weight.abs().max().item()
    assert 0.95 * bound < top <= bound + 1e-6, \
        f"an nn.Linear(256, 128) weight should fill U(-{bound:.4f}, {bound:.4f}); the largest |w| is {top:.4f}"


# §4.10 Kaggle house prices -----------------------------------------------------------------------

@check("kaggle_house.preprocess")
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
         f"{test_features.shape[1]}: encode the two sets stacked together")
    assert not torch.isnan(train_features).any(), "missing values must be filled with 0"
    assert_close(train_labels[:2].reshape(-1), torch.tensor([208500.0, 181500.0]), what="the first two prices")


@check("kaggle_house.log_rmse")
def check_log_rmse_example(log_rmse):
    features = torch.tensor([[math.e ** 2], [0.5], [1.0]])
    labels = torch.tensor([[1.0], [1.0], [1.0]])
    assert_close(log_rmse(lambda X: X, features, labels), math.sqrt(4 / 3),
                 what="log_rmse with predictions [e², 0.5, 1] and prices [1, 1, 1]",
                 hint="clamp the predictions to at least 1, then sqrt(mean((log p - log y)²))")


@check("kaggle_house.get_net")
def check_get_net_shape(get_net):
    net = get_net(330)
    assert_tensor(net(torch.zeros(5, 330)), what="get_net(330)(X (5, 330))", shape=(5, 1))


@check("kaggle_house.train")
def check_kaggle_train_returns(train):
    X, y = randn((40, 3), 0), torch.rand(40, 1) * 10 + 5
    train_ls, test_ls = train(nn.Sequential(nn.Linear(3, 1)), X, y, None, None, 4, 0.1, 0, 8)
    assert len(train_ls) == 4 and test_ls == [], \
        f"4 epochs without test labels should give 4 training losses and [], got {len(train_ls)} and {test_ls!r}"
    assert all(isinstance(v, float) for v in train_ls), "the losses should be Python floats (log_rmse(...))"


@check("kaggle_house.get_k_fold_data")
def check_get_k_fold_data_example(get_k_fold_data):
    X, y = torch.arange(20.).reshape(10, 2), torch.arange(10.)
    X_train, y_train, X_valid, y_valid = get_k_fold_data(5, 1, X, y)
    assert_close(y_valid, torch.tensor([2.0, 3.0]), what="y_valid of fold 1 of 5 over 10 rows")
    assert_close(y_train, torch.tensor([0.0, 1.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]), what="y_train of fold 1 of 5")
    assert_close(X_valid, X[2:4], what="X_valid of fold 1 of 5")


@check("kaggle_house.k_fold")
def check_k_fold_returns(k_fold):
    X = randn((30, 4), 0)
    y = X @ torch.tensor([[1.0], [2.0], [0.5], [1.0]]) + 20
    got = k_fold(3, X, y, 5, 0.5, 0, 5)
    assert isinstance(got, tuple) and len(got) == 2 and all(isinstance(v, float) for v in got), \
        f"k_fold should return (mean train log_rmse, mean valid log_rmse) as floats, got {got!r}"
