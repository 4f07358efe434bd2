"""Chapter 4 (多层感知机), hidden checks: reference comparisons, gradients, edge cases,
forbidden shortcuts, speed and accuracy thresholds."""
import math

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from autograder.checks.public.ch4 import house_frames, poly_data
from autograder.harness import (type_name, SEEDS, Forbidden, assert_close, assert_gradients_match, assert_matches_reference,
                                assert_no_forbidden_calls, assert_same_function, assert_same_parameter_count,
                                assert_tensor, assert_unchanged, check, randn, reference, shape, speed_check,
                                library_calls, single_thread, train_to_threshold,
                                fashion_mnist_run, verified_test_accuracy, accuracy_curve)

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


def ref(name):
    return reference(f"ch4.{name}")


def fashion_history(net, params, epochs=10, lr=0.1):
    """Student side: train ``net`` on Fashion-MNIST with the generic loop (SGD on ``params``)."""
    return fashion_mnist_run(net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(params, lr=lr),
                             epochs=epochs)


def last_epochs_accuracy(run):
    """Mean test accuracy of the last three epochs (SGD makes a single epoch's value jumpy), computed here from
    the trained model's predictions."""
    return verified_test_accuracy(run, last=3)


# §4.2 MLP from scratch -----------------------------------------------------------------------------

@check("mlp_scratch.init_params")
def check_init_params_statistics(init_params):
    W1, b1, W2, b2 = init_params(1000, 300, 20)
    for p, name, shape_ in ((W1, "W1", (1000, 300)), (W2, "W2", (300, 20))):
        assert_tensor(p, what=f"{name} of init_params(1000, 300, 20)", shape=shape_)
        std, mean = p.detach().std().item(), p.detach().mean().item()
        assert 0.0093 < std < 0.0107 and abs(mean) < 0.002, \
            f"{name} should start from N(0, 0.01²): its std is {std:.4f} and mean {mean:.4f}"
    for p, name in ((b1, "b1"), (b2, "b2")):
        assert torch.all(p == 0), f"{name} should start at 0"
    assert all(p.requires_grad and p.is_leaf for p in (W1, b1, W2, b2)), \
        "every parameter should be a leaf that requires gradients (nn.Parameter(torch.randn(...) * 0.01))"


def relu_args(seed):
    return (randn(shape(seed, 3), seed, scale=2),)


@check("mlp_scratch.relu", points=2)
def check_relu_matches_reference(relu):
    assert_matches_reference(relu, ref("mlp_scratch.relu"), relu_args, what="relu(X)", seeds=SEEDS)
    assert_gradients_match(relu, ref("mlp_scratch.relu"), relu_args(0), what="relu(X)")


@check("mlp_scratch.relu")
def check_relu_no_builtin(relu):
    assert_no_forbidden_calls(relu, *relu_args(0), forbidden=RELU_FUNCS, what="relu")


@check("mlp_scratch.relu")
def check_relu_on_device(relu, device):
    for dtype in (torch.float32, torch.float16, torch.float64):
        X = randn((5, 6), 3, device=device, dtype=dtype)
        assert_close(relu(X), ref("mlp_scratch.relu")(X), what=f"relu(X) for X {str(dtype)[6:]} on {device}",
                     hint="keep X's dtype and device: compare with a 0 of X's dtype on X's device")


# Limit 160: legitimate answers measure 2.5x (torch.max with zeros_like), 11x (X * (X > 0)) and 52x (torch.where,
# an unvectorized CPU kernel); a Python loop over the 100,000 rows measures about 2,200x.
speed_check("mlp_scratch.relu", lambda device: (randn((100000, 20), 0, device=device),),
            builtin=torch.relu, limit=160,
            hint="one elementwise operation on the whole tensor (torch.maximum or torch.where), no Python loop")


def net_args(seed):
    X = torch.rand((4, 1, 28, 28), generator=torch.Generator().manual_seed(seed))
    return X, [randn((784, 32), seed + 1, scale=0.1), randn((32,), seed + 2, scale=0.5),
               randn((32, 10), seed + 3, scale=0.1), randn((10,), seed + 4)]


@check("mlp_scratch.net", points=2)
def check_net_matches_reference(net):
    assert_matches_reference(net, ref("mlp_scratch.net"), net_args, what="net(X, [W1, b1, W2, b2])", seeds=SEEDS,
                             hint="flatten X, hidden = relu(X W1 + b1), output = hidden W2 + b2 (no activation)")
    X, params = net_args(0)
    assert_gradients_match(lambda X, *p: net(X, list(p)), lambda X, *p: ref("mlp_scratch.net")(X, list(p)),
                           [X, *params], wrt=(1, 2, 3, 4), what="net(X, [W1, b1, W2, b2])")


@check("mlp_scratch.net", points=3, kind="accuracy", uses={"init_params": "mlp_scratch.init_params"})
def check_net_reaches_threshold(net, init_params):
    def history():
        params = init_params(784, 256, 10)
        return fashion_history(lambda X: net(X, params), params)
    train_to_threshold(history, metric=last_epochs_accuracy, history=accuracy_curve, threshold=0.82, reference_value=0.842,
                       what="mean test accuracy (last 3 epochs) of your from-scratch MLP (your init_params, relu "
                            "and net)", budget=FASHION_BUDGET + ", SGD lr 0.1")


# §4.3 concise MLP --------------------------------------------------------------------------------

@check("mlp_concise.concise_mlp", points=2)
def check_concise_mlp_same_function(concise_mlp):
    for hiddens in (256, 64):
        net, expected = concise_mlp(hiddens), ref("mlp_concise.concise_mlp")(hiddens)
        what = f"concise_mlp({hiddens})"
        assert_same_parameter_count(net, expected, what=what)
        assert_same_function(net, expected, (torch.rand(6, 1, 28, 28),), what=what)


@check("mlp_concise.concise_mlp")
def check_concise_mlp_initialisation(concise_mlp):
    torch.manual_seed(0)
    net = concise_mlp(512)
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    for layer in linears:
        std = layer.weight.detach().std().item()
        assert 0.0095 < std < 0.0105, \
            f"every nn.Linear's weight should start from N(0, 0.01²) (the book's init_weights); one has std {std:.4f}"


# §4.4 polynomial regression ----------------------------------------------------------------------

@check("polynomial_regression.polynomial_features", points=2)
def check_polynomial_features_matches_reference(polynomial_features):
    def args(seed):
        x = randn((12,), seed, dtype=torch.float64)
        return (x if seed % 2 else x.reshape(-1, 1), 20)
    assert_matches_reference(polynomial_features, ref("polynomial_regression.polynomial_features"), args,
                             what="polynomial_features(x, 20)", seeds=SEEDS,
                             hint="x**i / i! for i = 0 .. max_degree - 1, in x's dtype; x may be (n,) or (n, 1)")


@check("polynomial_regression.evaluate_loss", points=2)
def check_evaluate_loss_uneven_batches(evaluate_loss):
    ref_loss = ref("polynomial_regression.evaluate_loss")
    layer = nn.Linear(3, 1)
    for seed in SEEDS[:3]:
        X, y = randn((23, 3), seed), randn((23,), seed + 10)
        batches = [(X[i:i + 10], y[i:i + 10]) for i in range(0, 23, 10)]
        for loss in (nn.MSELoss(reduction="none"), nn.L1Loss(reduction="none")):
            got = evaluate_loss(layer, batches, loss)
            assert isinstance(got, float), f"evaluate_loss should return a Python float, got {type_name(got)}"
            assert_close(got, ref_loss(layer, batches, loss),
                         what=f"evaluate_loss over batches of 10, 10 and 3 examples with {type_name(loss)} "
                              f"(seed {seed})",
                         hint="reshape y like net(X); sum the losses and divide by the number of examples")


@check("polynomial_regression.train", points=2, kind="accuracy",
       uses={"evaluate_loss": "polynomial_regression.evaluate_loss"})
def check_poly_train_underfit_and_losses(train):
    features, labels = poly_data(seed=7)
    with single_thread():
        w, train_loss, test_loss = train(features[:100, :2], features[100:, :2], labels[:100], labels[100:])
    assert_tensor(w, what="w of the linear fit", shape=(2,))
    net = lambda X: X @ w.detach().reshape(-1, 1)  # noqa: E731
    loss, ref_eval = nn.MSELoss(reduction="none"), ref("polynomial_regression.evaluate_loss")
    for got, X, y, part in ((train_loss, features[:100, :2], labels[:100], "training"),
                            (test_loss, features[100:, :2], labels[100:], "test")):
        assert_close(got, ref_eval(net, [(X, y)], loss), rtol=1e-3,
                     what=f"the {part} loss train returned for the linear fit (evaluate_loss of the final weights)")
    assert test_loss > 1, (f"a linear model cannot fit a cubic: its test loss should stay large (underfitting), "
                           f"got {test_loss:.4g}")


# §4.5 weight decay -------------------------------------------------------------------------------

@check("weight_decay.init_params")
def check_wd_init_params_statistics(init_params):
    w, b = init_params(20000)
    assert_tensor(w, what="w of init_params(20000)", shape=(20000, 1))
    std, mean = w.detach().std().item(), w.detach().mean().item()
    assert 0.97 < std < 1.03 and abs(mean) < 0.03, f"w should start from N(0, 1): std {std:.3f}, mean {mean:.3f}"


@check("weight_decay.l2_penalty", points=2)
def check_l2_penalty_matches_reference(l2_penalty):
    args = lambda seed: (randn((7, 1), seed),)  # noqa: E731
    assert_matches_reference(l2_penalty, ref("weight_decay.l2_penalty"), args, what="l2_penalty(w)", seeds=SEEDS,
                             hint="||w||² / 2: the sum of the squares, halved (not the norm itself)")
    assert_gradients_match(l2_penalty, ref("weight_decay.l2_penalty"), args(0), what="l2_penalty(w)")
    assert_no_forbidden_calls(l2_penalty, *args(0), forbidden=NORM_FUNCS, what="l2_penalty")


def zero_feature_data(n=20, d=50):
    """Features all 0 and labels 0.05: only the penalty moves w, and only the data moves b."""
    return torch.zeros(n, d), torch.full((n, 1), 0.05)


@check("weight_decay.train", points=2)
def check_wd_train_exact_decay(train):
    lr, epochs, steps = 0.003, 30, 30 * 4
    norms = []
    for lambd in (0, 3):
        torch.manual_seed(1)
        w, b = train(lambd, zero_feature_data(), num_epochs=epochs, lr=lr, batch_size=5)
        norms.append(w.detach().norm().item())
    expected = (1 - lr * 3) ** steps
    assert_close(norms[1] / norms[0], expected, rtol=1e-3, atol=0,
                 what=f"||w|| with lambd=3 over ||w|| with lambd=0, on all-zero features ({steps} steps of lr {lr})",
                 hint="each of the 5 examples of a batch adds lambd * ||w||²/2; the step divides by the batch size, "
                      "so w shrinks by (1 - lr * lambd) per step")


@check("weight_decay.train_concise", points=2)
def check_train_concise_decays_weight_only(train_concise):
    lr, epochs, steps = 0.01, 30, 30 * 4
    nets = []
    for wd in (0, 3):
        torch.manual_seed(1)
        nets.append(train_concise(wd, zero_feature_data(), num_epochs=epochs, lr=lr, batch_size=5)[0])
    ratio = nets[1].weight.detach().norm().item() / nets[0].weight.detach().norm().item()
    assert_close(ratio, (1 - lr * 3) ** steps, rtol=1e-3, atol=0,
                 what=f"||w|| with wd=3 over ||w|| with wd=0, on all-zero features ({steps} SGD steps of lr {lr})",
                 hint="weight_decay=wd in the weight's parameter group of torch.optim.SGD")
    assert_close(nets[1].bias.detach(), nets[0].bias.detach(), atol=1e-6,
                 what="the bias trained with wd=3 (it should equal the bias trained with wd=0)",
                 hint="the book decays the weight only: give the bias its own parameter group without weight_decay")


# §4.6 dropout ------------------------------------------------------------------------------------

@check("dropout.dropout_layer", points=2)
def check_dropout_layer_mask_statistics(dropout_layer):
    X = randn((400, 500), 0)
    for p in (0.2, 0.5, 0.8):
        out = assert_unchanged(dropout_layer, X, p, what=f"dropout_layer(X, {p})")
        assert_tensor(out, what=f"dropout_layer(X (400, 500), {p})", shape=X.shape, dtype=X.dtype)
        kept = out != 0
        rate = kept.float().mean().item()
        assert abs(rate - (1 - p)) < 0.01, \
            (f"dropout_layer(X, {p}) kept {rate:.3f} of the entries; it should keep each with probability "
             f"1 - {p} = {1 - p:g} (keep where the uniform draw is > p)")
        assert_close(out[kept], X[kept] / (1 - p), what=f"the kept entries of dropout_layer(X, {p})",
                     hint=f"scale what you keep by 1 / (1 - p) = {1 / (1 - p):.4g} so the expectation is unchanged")
        again = dropout_layer(X, p)
        assert not torch.equal(again != 0, kept), "two calls gave the same mask: draw a fresh mask every call"


@check("dropout.dropout_layer")
def check_dropout_layer_edge_cases(dropout_layer):
    X = randn((3, 4, 5), 1, dtype=torch.float64)
    assert_close(dropout_layer(X, 0), X, what="dropout_layer(X, 0) for X float64 (3, 4, 5)")
    assert_close(dropout_layer(X, 1), torch.zeros_like(X), what="dropout_layer(X, 1) for X float64 (3, 4, 5)")
    out = dropout_layer(X, 0.5)
    assert_tensor(out, what="dropout_layer(X, 0.5) for X float64 (3, 4, 5)", shape=X.shape, dtype=torch.float64)
    for bad in (-0.1, 1.5):
        try:
            dropout_layer(X, bad)
        except (ValueError, AssertionError):
            continue
        raise AssertionError(f"dropout_layer(X, {bad}) should refuse a probability outside [0, 1] "
                             "(raise ValueError, or assert 0 <= dropout <= 1)")


@check("dropout.dropout_layer")
def check_dropout_layer_gradient(dropout_layer):
    X = randn((50, 40), 2, requires_grad=True)
    out = dropout_layer(X, 0.3)
    assert out.requires_grad, "no gradient flows from dropout_layer's output to X"
    out.sum().backward()
    assert_close(X.grad, (out.detach() != 0).float() / 0.7, what="the gradient of dropout_layer(X, 0.3).sum()",
                 hint="the gradient is mask / (1 - p): 0 where dropped, 1/(1-p) where kept")


@check("dropout.dropout_layer")
def check_dropout_layer_no_builtin(dropout_layer):
    assert_no_forbidden_calls(dropout_layer, randn((20, 30), 0), 0.5, forbidden=DROPOUT_FUNCS,
                              what="dropout_layer")


def dropout_on(dropout_layer, device):
    X = torch.ones(300, 300, device=device, dtype=torch.float16)
    out = dropout_layer(X, 0.5)
    assert_tensor(out, what=f"dropout_layer(X, 0.5) for X float16 on {device}", shape=X.shape, device=device,
                  dtype=X.dtype)
    rate = (out != 0).float().mean().item()
    assert abs(rate - 0.5) < 0.02 and torch.all((out == 0) | (out == 2)), \
        f"on {device} dropout_layer(ones, 0.5) should keep about half the entries as 2.0, kept {rate:.3f}"


@check("dropout.dropout_layer")
def check_dropout_layer_on_device(dropout_layer, device):
    dropout_on(dropout_layer, device)


@check("dropout.dropout_layer", gpu=True)
def check_dropout_layer_on_device_gpu(dropout_layer, device):
    dropout_on(dropout_layer, device)


@check("dropout.Net", points=2)
def check_Net_same_function_and_rates(Net):
    net, expected = Net(784, 10, 64, 32), ref("dropout.Net")(784, 10, 64, 32)
    assert_same_parameter_count(net, expected, what="Net(784, 10, 64, 32)")
    assert_same_function(net, expected, (torch.rand(5, 1, 28, 28),), what="Net(784, 10, 64, 32) in eval mode")
    with torch.no_grad():  # every hidden unit outputs 1, so the dropped fraction and the scale show directly
        for layer in (net.lin1, net.lin2):
            layer.weight.zero_()
            layer.bias.fill_(1.0)
    seen = {}
    hooks = [layer.register_forward_pre_hook(lambda m, args, name=name: seen.__setitem__(name, args[0].detach()))
             for name, layer in (("after dropout1", net.lin2), ("after dropout2", net.lin3))]
    try:
        net.train()
        net(torch.rand(4000, 1, 28, 28))
    finally:
        for h in hooks:
            h.remove()
    for name, p in (("after dropout1", 0.2), ("after dropout2", 0.5)):
        H = seen[name]
        rate = (H == 0).float().mean().item()
        assert abs(rate - p) < 0.02 and torch.allclose(H[H != 0], torch.tensor(1 / (1 - p))), \
            (f"in training mode the hidden units {name} should be dropped with probability {p} and scaled by "
             f"1/(1 - {p}); {rate:.3f} were dropped, values {sorted(set(H.unique().tolist()))[:4]}")


@check("dropout.Net", points=3, kind="accuracy", uses={"dropout_layer": "dropout.dropout_layer"})
def check_Net_reaches_threshold(Net, dropout_layer):
    def history():
        net = Net(784, 10, 256, 256)
        return fashion_history(net, net.parameters(), lr=0.5)
    train_to_threshold(history, metric=last_epochs_accuracy, history=accuracy_curve, threshold=0.80, reference_value=0.850,
                       what="mean test accuracy (last 3 epochs) of your Net with dropout 0.2 and 0.5",
                       budget=FASHION_BUDGET + ", SGD lr 0.5")


# §4.8 Xavier initialisation ---------------------------------------------------------------------

@check("initialization.xavier_uniform_", points=2)
def check_xavier_uniform__fans_and_variance(xavier_uniform_):
    for shape_, gain in (((300, 100), 1.0), ((64, 32, 3, 3), 2.0), ((10, 4000), 1.0)):
        weight = torch.empty(shape_)
        out = xavier_uniform_(weight, gain)
        assert out is weight, "xavier_uniform_ works in place and returns the tensor it was given"
        receptive = math.prod(shape_[2:])
        bound = gain * math.sqrt(6 / ((shape_[0] + shape_[1]) * receptive))
        top, var = weight.abs().max().item(), weight.var().item()
        assert 0.97 * bound < top <= bound * (1 + 1e-6), \
            (f"xavier_uniform_ on a {shape_} weight with gain {gain}: the largest |w| is {top:.4g}, the bound is "
             f"gain * sqrt(6 / (fan_in + fan_out)) = {bound:.4g} (fan_in = {shape_[1] * receptive}, "
             f"fan_out = {shape_[0] * receptive})")
        assert abs(var / (bound ** 2 / 3) - 1) < 0.05 and abs(weight.mean().item()) < bound / 20, \
            f"the values should be uniform on [-{bound:.4g}, {bound:.4g}] (variance {bound ** 2 / 3:.4g}), got {var:.4g}"


@check("initialization.xavier_uniform_")
def check_xavier_uniform__parameter_and_rules(xavier_uniform_):
    layer = nn.Linear(50, 30)
    before = layer.weight.detach().clone()
    _, called = library_calls(xavier_uniform_, layer.weight)
    used = {name for name in called if name.startswith("torch.nn.init.")}
    assert not used, (f"xavier_uniform_ must not use nn.init, but it called {', '.join(sorted(used))}: the exercise "
                      "is to compute the bound from the fans and draw with tensor.uniform_")
    assert not torch.equal(layer.weight.detach(), before), \
        "xavier_uniform_ on an nn.Linear(50, 30) weight (an nn.Parameter) should fill it in place"
    assert layer.weight.abs().max().item() <= math.sqrt(6 / 80) * (1 + 1e-6), \
        f"the values should lie within ±sqrt(6 / (50 + 30)) = {math.sqrt(6 / 80):.4f}"
    assert layer.weight.grad_fn is None and layer.weight.is_leaf, "the parameter must stay a leaf (use torch.no_grad())"
    try:
        xavier_uniform_(torch.empty(5))
    except ValueError:
        return
    raise AssertionError("xavier_uniform_ on a 1-D tensor should raise ValueError (fan-in and fan-out need 2 dims)")


# §4.10 Kaggle house prices -----------------------------------------------------------------------

def tiny_frames():
    """Two small frames with a numeric column with gaps, a categorical one with NaN and an integer one."""
    train = pd.DataFrame({"Id": [1, 2, 3, 4], "Area": [50.0, None, 80.0, 70.0], "Street": ["Pave", "Grvl", None, "Pave"],
                          "Rooms": [2, 3, 4, 3], "SalePrice": [100.0, 150.0, 210.0, 180.0]})
    test = pd.DataFrame({"Id": [5, 6], "Area": [60.0, 90.0], "Street": ["Grvl", "Pave"], "Rooms": [1, 5]})
    return train, test


@check("kaggle_house.preprocess", points=2)
def check_preprocess_matches_reference(preprocess):
    for frames, label in ((tiny_frames(), "a 4 + 2 row example"), (house_frames(), "the Kaggle CSVs")):
        copies = [f.copy() for f in frames]
        got, expected = preprocess(*frames), ref("kaggle_house.preprocess")(*copies)
        assert all(f.equals(c) for f, c in zip(frames, copies)) or label == "the Kaggle CSVs", \
            "preprocess modified the data frames it was given: work on the concatenated copy"
        for g, e, part in zip(got, expected, ("train_features", "test_features", "train_labels")):
            assert_close(g, e, what=f"{part} for {label}", atol=1e-5,
                         hint="standardise the numeric columns over both sets (mean, std with ddof 1), then fill NaN "
                              "with 0, then pd.get_dummies(dummy_na=True) with booleans as 0/1 floats")
    frames = tiny_frames()
    copies = [f.copy() for f in frames]
    preprocess(*frames)
    assert all(f.equals(c) for f, c in zip(frames, copies)), \
        "preprocess modified the data frames it was given: work on the concatenated copy"


@check("kaggle_house.log_rmse", points=2)
def check_log_rmse_matches_reference(log_rmse):
    identity = lambda X: X  # noqa: E731
    for seed in SEEDS:
        preds = torch.exp(randn((30, 1), seed, scale=2))
        labels = torch.exp(randn((30, 1), seed + 1, scale=2) + 1)
        got = log_rmse(identity, preds, labels)
        assert isinstance(got, float), f"log_rmse should return a Python float, got {type_name(got)}"
        assert_close(got, ref("kaggle_house.log_rmse")(identity, preds, labels), rtol=1e-5,
                     what=f"log_rmse for 30 predictions, some below 1 (seed {seed})",
                     hint="clamp the predictions to [1, inf) before the log; sqrt of the mean, not the sum")


@check("kaggle_house.get_net")
def check_get_net_same_function(get_net):
    net, expected = get_net(330), ref("kaggle_house.get_net")(330)
    assert_same_parameter_count(net, expected, what="get_net(330)")
    assert_same_function(net, expected, (randn((4, 330), 0),), what="get_net(330)")


def house_fold():
    X, _, y = ref("kaggle_house.preprocess")(*house_frames())
    return ref("kaggle_house.get_k_fold_data")(5, 0, X, y)


@check("kaggle_house.train", points=2, kind="accuracy", uses={"log_rmse": "kaggle_house.log_rmse"})
def check_kaggle_train_learns_and_reports(train):
    X_train, y_train, X_valid, y_valid = house_fold()
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(X_train.shape[1], 1))
    with single_thread():
        train_ls, valid_ls = train(net, X_train, y_train, X_valid, y_valid, 30, 5, 0, 64)
    assert len(train_ls) == len(valid_ls) == 30, f"30 epochs should give 30 losses each, got {len(train_ls)}, {len(valid_ls)}"
    ref_log_rmse = ref("kaggle_house.log_rmse")
    assert_close(train_ls[-1], ref_log_rmse(net, X_train, y_train), rtol=1e-4,
                 what="the last training loss (log_rmse of the trained net on the training data)")
    assert_close(valid_ls[-1], ref_log_rmse(net, X_valid, y_valid), rtol=1e-4,
                 what="the last validation loss (log_rmse of the trained net on the validation data)")
    assert train_ls[-1] < 0.7, \
        (f"after 30 epochs of Adam (lr 5, batch 64) on fold 0 of the Kaggle data the training log-rmse is "
         f"{train_ls[-1]:.3f} (first epoch {train_ls[0]:.3f}); it needs at most 0.7, the reference reaches 0.564")


@check("kaggle_house.get_k_fold_data", points=2)
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
    assert_matches_reference(lambda X, y: get_k_fold_data(3, 2, X, y), lambda X, y: ref("kaggle_house.get_k_fold_data")(3, 2, X, y),
                             lambda seed: (randn((3 * 7 + seed % 3, 4), seed), randn((3 * 7 + seed % 3, 1), seed + 1)),
                             what="get_k_fold_data(3, 2, X, y)", seeds=SEEDS,
                             hint="the book's slicing: fold_size = n // k, fold j = rows [j*fold_size, (j+1)*fold_size)")
    try:
        get_k_fold_data(1, 0, X, y)
    except (ValueError, AssertionError):
        return
    raise AssertionError("get_k_fold_data(1, 0, X, y) should refuse k <= 1 (ValueError, or assert k > 1)")


@check("kaggle_house.k_fold", points=3, kind="accuracy",
       uses={"preprocess": "kaggle_house.preprocess", "get_net": "kaggle_house.get_net", "train": "kaggle_house.train",
             "get_k_fold_data": "kaggle_house.get_k_fold_data"})
def check_k_fold_reaches_threshold(k_fold, preprocess, get_net, train, get_k_fold_data):
    X, _, y = preprocess(*house_frames())

    def history():
        with single_thread():
            return [k_fold(KAGGLE_BOOK["k"], X, y, KAGGLE_BOOK["num_epochs"], KAGGLE_BOOK["learning_rate"],
                           KAGGLE_BOOK["weight_decay"], KAGGLE_BOOK["batch_size"])]
    train_to_threshold(history, metric=lambda h: h[-1][1], threshold=0.18, higher_is_better=False,
                       reference_value=0.170,
                       what="the 5-fold mean validation log-rmse of your k_fold (your preprocess, get_net, train and "
                            "get_k_fold_data)", budget="the book's hyperparameters: 100 epochs, Adam lr 5, weight "
                                                       "decay 0, batch 64")
