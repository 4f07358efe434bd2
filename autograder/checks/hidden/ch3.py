"""Chapter 3 (线性神经网络), hidden checks: reference comparisons, gradients, edge cases,
forbidden shortcuts, speed and accuracy thresholds."""
import torch
import torch.nn.functional as F
from torch import nn

from autograder.harness import (type_name, SEEDS, Forbidden, accuracy_curve, assert_close, assert_gradients_match,
                                assert_keeps_device, assert_pure,
                                assert_matches_reference, assert_no_forbidden_calls, assert_tensor, check,
                                fashion_mnist_run, probabilities, randint, randn, reference, speed_check,
                                train_to_threshold, verified_test_accuracy)
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


def ref(name):
    return reference(f"ch3.{name}")


# §3.2 linear regression from scratch ------------------------------------------------------------

@check("linear_regression.synthetic_data")
def check_synthetic_data_statistics(synthetic_data):
    w, b = torch.tensor([2.0, -3.4, 0.5]), 4.2
    X, y = synthetic_data(w, b, 20000)
    assert_tensor(y, what="labels from synthetic_data(w (3,), b, 20000)", shape=(20000, 1))
    mean, std = X.mean().item(), X.std().item()
    assert abs(mean) < 0.03 and abs(std - 1) < 0.03, \
        f"features should come from N(0, 1): their mean is {mean:.3f} and std {std:.3f}"
    noise = (y.reshape(-1) - X @ w - b).std().item()
    assert 0.008 < noise < 0.012, f"y - (Xw + b) should be N(0, 0.01²) noise: its std is {noise:.4f}"


@check("linear_regression.data_iter")
def check_data_iter_random_order_and_rest(data_iter):
    features, labels = torch.arange(103.).reshape(103, 1), torch.arange(103.).reshape(103, 1)
    batches = list(data_iter(10, features, labels))
    sizes = [len(X) for X, _ in batches]
    assert sizes == [10] * 10 + [3], f"batch sizes over 103 examples with batch_size 10: {sizes}, expected ten 10s and a 3"
    seen = torch.cat([X for X, _ in batches]).reshape(-1)
    assert sorted(seen.tolist()) == list(range(103)), "every example must appear exactly once per pass"
    assert not torch.equal(seen, torch.arange(103.)), "the examples come out in their stored order: shuffle them"
    for X, y in batches:
        assert torch.equal(X, y), "a batch's labels must belong to its features"


def linreg_args(seed):
    return randn((8, 3), seed), randn((3, 1), seed + 100), randn((1,), seed + 200)


@check("linear_regression.linreg")
def check_linreg_matches_reference(linreg):
    assert_matches_reference(linreg, ref("linear_regression.linreg"), linreg_args, what="linreg(X, w, b)",
                             seeds=SEEDS)
    assert_gradients_match(linreg, ref("linear_regression.linreg"), linreg_args(0), wrt=(0, 1, 2),
                           what="linreg(X, w, b)")


def squared_loss_args(seed):
    return randn((7, 1), seed), randn((7,), seed + 1)


@check("linear_regression.squared_loss")
def check_squared_loss_matches_reference(squared_loss):
    assert_matches_reference(squared_loss, ref("linear_regression.squared_loss"), squared_loss_args,
                             what="squared_loss(y_hat (7, 1), y (7,))", seeds=SEEDS,
                             hint="reshape y like y_hat, or broadcasting gives a (7, 7) matrix")
    assert_gradients_match(squared_loss, ref("linear_regression.squared_loss"), squared_loss_args(0), wrt=(0,),
                           what="squared_loss(y_hat, y)")


@check("linear_regression.sgd")
def check_sgd_in_place_and_zeroes_grad(sgd):
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    ((w * torch.tensor([3.0, 4.0])).sum() + 2 * b).backward()
    sgd([w, b], 0.5, 4)
    assert w.is_leaf and w.requires_grad, "sgd must update the parameter in place (it is no longer a leaf)"
    assert_close(w.detach(), torch.tensor([0.625, 1.5]), what="w after sgd([w, b], lr=0.5, batch_size=4)")
    assert_close(b.detach(), torch.tensor(0.25), what="b after sgd([w, b], lr=0.5, batch_size=4)")
    assert w.grad is not None and torch.all(w.grad == 0), \
        "sgd should zero each gradient after the step, or the next backward adds to it"


def train_linreg_scratch(synthetic_data, data_iter, linreg, squared_loss, sgd):
    """The book's loop of §3.2.7: lr 0.03, 3 epochs, batch size 10, 1,000 examples."""
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    features, labels = synthetic_data(true_w, true_b, 1000)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for _ in range(3):
        for X, y in data_iter(10, features, labels):
            squared_loss(linreg(X, w, b), y).sum().backward()
            sgd([w, b], 0.03, 10)
    return [(w.detach().reshape(-1) - true_w).abs().max().item(), abs(b.item() - true_b)]


@check("linear_regression.sgd", points=3, kind="accuracy",
       uses={p: f"linear_regression.{p}" for p in ("synthetic_data", "data_iter", "linreg", "squared_loss")})
def check_sgd_recovers_true_parameters(synthetic_data, data_iter, linreg, squared_loss, sgd):
    train_to_threshold(lambda: [train_linreg_scratch(synthetic_data, data_iter, linreg, squared_loss, sgd)],
                       metric=lambda h: max(h[-1]), threshold=0.05, higher_is_better=False,
                       what="the largest error of the learned w, b against w=[2, -3.4], b=4.2",
                       budget="3 epochs of the book's loop (lr 0.03, batch size 10, 1,000 examples)")


# §3.3 concise linear regression -------------------------------------------------------------------

@check("linear_regression_concise.load_array")
def check_load_array_shuffle_only_for_training(load_array):
    features, labels = torch.arange(50.).reshape(50, 1), torch.arange(50.)
    ordered = torch.cat([X for X, _ in load_array((features, labels), 7, is_train=False)]).reshape(-1)
    assert torch.equal(ordered, torch.arange(50.)), "with is_train=False the examples keep their order"
    shuffled = torch.cat([X for X, _ in load_array((features, labels), 7)]).reshape(-1)
    assert sorted(shuffled.tolist()) == list(range(50)), "each example appears once per pass"
    assert not torch.equal(shuffled, torch.arange(50.)), "with is_train=True the examples must be shuffled"


@check("linear_regression_concise.linear_net")
def check_linear_net_initialisation(linear_net):
    layer = linear_net(20000)[0]
    std = layer.weight.std().item()
    assert 0.0095 < std < 0.0105 and abs(layer.weight.mean().item()) < 0.001, \
        f"weights should start from N(0, 0.01²): std {std:.4f}, mean {layer.weight.mean().item():.4f}"
    assert torch.all(layer.bias == 0), f"the bias should start at 0, got {layer.bias.tolist()}"


# §3.5 the image classification data set ---------------------------------------------------------

@check("image_classification_dataset.get_fashion_mnist_labels")
def check_get_fashion_mnist_labels_all_classes(get_fashion_mnist_labels):
    expected = ref("image_classification_dataset.get_fashion_mnist_labels")(range(10))
    for given in (torch.arange(10), list(range(10))):
        got = get_fashion_mnist_labels(given)
        assert got == expected, f"labels 0..9 should be {expected}, got {got}"


@check("image_classification_dataset.load_data_fashion_mnist", points=2)
def check_load_data_fashion_mnist_values_and_order(load_data_fashion_mnist):
    reference_loader = ref("image_classification_dataset.load_data_fashion_mnist")
    for resize in (None, 40):
        _, test_iter = load_data_fashion_mnist(256, resize=resize)
        _, ref_test = reference_loader(256, resize=resize)
        (X, y), (X_ref, y_ref) = next(iter(test_iter)), next(iter(ref_test))
        assert_close(y, y_ref, what=f"labels of the first test batch (resize={resize})",
                     hint="the test set keeps its stored order (no shuffling)")
        assert_close(X, X_ref, what=f"images of the first test batch (resize={resize})", atol=1e-4,
                     hint="pixels are in [0, 1] (divide by 255); resize with F.interpolate bilinear, antialias=True")
    train_iter, test_iter = load_data_fashion_mnist(5000)
    labels = torch.cat([y for _, y in train_iter])
    assert len(labels) == 60000, f"one pass over train_iter gave {len(labels)} examples, expected 60,000"
    assert torch.equal(torch.bincount(labels), torch.bincount(read_fashion_mnist(True)[1])), \
        "one pass over train_iter must yield every training example once"
    first = [next(iter(train_iter))[1][:20] for _ in range(2)]
    assert not torch.equal(*first), "train_iter must reshuffle the training set on every pass"
    assert sum(len(y) for _, y in test_iter) == 10000, "test_iter should yield the 10,000 test examples"


# §3.6 softmax regression from scratch -----------------------------------------------------------

def logits(seed, dtype=torch.float32):
    return (randn((6, 10), seed, scale=3, dtype=dtype),)


SOFTMAX_HINTS = {
    "sums over the wrong axis": "each row must sum to 1: sum along dim 1 (keepdim=True), not dim 0 or everything",
}


def softmax_hint(got, X) -> str:
    """The likely mistake, from what came back (the stability hint has its own check)."""
    if isinstance(got, torch.Tensor) and got.shape == X.shape and got.dtype.is_floating_point:
        if torch.allclose(got.sum(0), torch.ones(X.shape[1], dtype=got.dtype), atol=1e-4):
            return "the columns sum to 1, the rows do not: normalise over dim 1 (each example), not dim 0"
        if torch.allclose(got.sum(), torch.ones((), dtype=got.dtype), atol=1e-4):
            return "the whole matrix sums to 1: normalise each row (sum along dim 1, keepdim=True)"
    return "exp(X) divided by the sum of its row: X_exp / X_exp.sum(1, keepdim=True)"


@check("softmax_regression.softmax", points=2, clauses="values")
def check_softmax_matches_reference(softmax):
    reference_softmax = ref("softmax_regression.softmax")
    for seed in SEEDS:
        (X,) = logits(seed)
        got = softmax(X.clone())
        assert_close(got, reference_softmax(X), what=f"softmax(X) for X float32 (6, 10) (seed {seed})",
                     hint=softmax_hint(got, X))


@check("softmax_regression.softmax", clauses="gradients")
def check_softmax_gradients(softmax):
    assert_gradients_match(softmax, ref("softmax_regression.softmax"), logits(0), what="softmax(X)")


@check("softmax_regression.softmax", clauses="dtype")
def check_softmax_keeps_dtype(softmax):
    assert_matches_reference(softmax, ref("softmax_regression.softmax"), lambda s: logits(s, torch.float64),
                             what="softmax(X) for a float64 X", seeds=SEEDS[:2],
                             hint="keep X's dtype: no torch.tensor(...) or .float() on the way")


@check("softmax_regression.softmax", clauses="device")
def check_softmax_on_device(softmax):
    assert_matches_reference(softmax, ref("softmax_regression.softmax"), logits, what="softmax(X)", seeds=SEEDS[:1])
    assert_keeps_device(softmax, *logits(0), what="softmax(X)")


@check("softmax_regression.softmax", clauses="pure")
def check_softmax_input_unchanged(softmax):
    assert_pure(softmax, ref("softmax_regression.softmax"), logits, what="softmax(X)", seeds=SEEDS[:2],
                hint="X - X.max(...) makes a new tensor; X -= ... or X.exp_() writes into the caller's X")


@check("softmax_regression.softmax", clauses="no_builtin")
def check_softmax_no_builtin(softmax):
    assert_no_forbidden_calls(softmax, *logits(0), forbidden=SOFTMAX_FUNCS, what="softmax",
                              ref=ref("softmax_regression.softmax"))


@check("softmax_regression.softmax", clauses="stable")
def check_softmax_stability(softmax):
    X = torch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 20.0], [88.0, 89.0, 90.0]])
    assert_close(softmax(X.clone()), ref("softmax_regression.softmax")(X), what="softmax(X) for large logits",
                 hint="exp(1000) overflows to inf: subtract each row's maximum first (it does not change the result)")


speed_check("softmax_regression.softmax", lambda device, seed=0: (randn((20000, 10), seed, device=device),),
            builtin=lambda X: torch.softmax(X, dim=1), limit=8, clauses="fast",
            hint="work on the whole tensor at once (exp, sum along dim 1, divide); no Python loop over rows")


def net_args(seed):
    return uniform_images(seed), randn((784, 10), seed + 1, scale=0.01), randn((10,), seed + 2, scale=0.1)


def uniform_images(seed):
    return torch.rand((4, 1, 28, 28), generator=torch.Generator().manual_seed(seed))


@check("softmax_regression.net")
def check_net_matches_reference(net):
    assert_matches_reference(net, ref("softmax_regression.net"), net_args, what="net(X, W, b)", seeds=SEEDS)


def ce_args(seed):
    return probabilities((9, 5), seed), randint(0, 5, (9,), seed)


@check("softmax_regression.cross_entropy", points=2)
def check_cross_entropy_matches_reference(cross_entropy):
    assert_matches_reference(cross_entropy, ref("softmax_regression.cross_entropy"), ce_args,
                             what="cross_entropy(y_hat, y)", seeds=SEEDS,
                             hint="one value per example (shape (n,)), not the mean")
    assert_gradients_match(cross_entropy, ref("softmax_regression.cross_entropy"), ce_args(0),
                           what="cross_entropy(y_hat, y)")


@check("softmax_regression.cross_entropy")
def check_cross_entropy_no_builtin(cross_entropy):
    assert_no_forbidden_calls(cross_entropy, *ce_args(0), forbidden=CROSS_ENTROPY_FUNCS, what="cross_entropy")


speed_check("softmax_regression.cross_entropy",
            lambda device: (probabilities((20000, 10), 0, device=device), randint(0, 10, (20000,), 1, device=device)),
            builtin=lambda y_hat, y: F.nll_loss(torch.log(y_hat), y, reduction="none"), limit=8,
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


@check("softmax_regression.Accumulator")
def check_Accumulator_floats_and_size(Accumulator):
    acc = Accumulator(3)
    for _ in range(4):
        acc.add(torch.tensor(0.5), 2, 1.25)
    got = [acc[i] for i in range(3)]
    assert got == [2.0, 8.0, 5.0], f"after four add(0.5, 2, 1.25): {got}, expected [2.0, 8.0, 5.0]"
    assert all(type(v) is float for v in got), \
        f"the sums should be Python floats (convert with float()), got {[type_name(v) for v in got]}"
    acc.reset()
    acc.add(1, 1, 1)
    assert [acc[i] for i in range(3)] == [1.0, 1.0, 1.0], "after reset() and add(1, 1, 1) every sum should be 1"


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


def epoch_setup(seed=0):
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(5, 3), nn.Dropout(0.0))
    X, y = randn((26, 5), seed), randint(0, 3, (26,), seed + 1)
    return net, [(X[i:i + 8], y[i:i + 8]) for i in range(0, 26, 8)]


@check("softmax_regression.train_epoch_ch3", points=2)
def check_train_epoch_ch3_matches_reference(train_epoch_ch3):
    ref_epoch = ref("softmax_regression.train_epoch_ch3")
    for use_optimizer in (True, False):
        results = []
        for epoch in (ref_epoch, train_epoch_ch3):
            net, batches = epoch_setup()
            net.eval()
            if use_optimizer:
                updater = torch.optim.SGD(net.parameters(), lr=0.5)
            else:
                def updater(batch_size, params=list(net.parameters())):
                    with torch.no_grad():
                        for p in params:
                            p -= 0.5 * p.grad / batch_size
                            p.grad.zero_()
            metrics = epoch(net, batches, nn.CrossEntropyLoss(reduction="none"), updater)
            results.append((metrics, [p.detach().clone() for p in net.parameters()], net.training))
        kind = "a torch.optim optimizer" if use_optimizer else "a function updater(batch_size)"
        (ref_metrics, ref_params, _), (metrics, params, training) = results
        assert training, "train_epoch_ch3 should put an nn.Module in train mode (net.train())"
        assert isinstance(metrics, tuple) and len(metrics) == 2, f"should return (loss, accuracy), got {metrics!r}"
        for p, q in zip(params, ref_params):
            assert_close(p, q, what=f"the parameters after one epoch with {kind}",
                         hint="optimizer: zero_grad, mean loss, backward, step; "
                              "function: sum the losses, backward, updater(batch size)")
        assert_close(metrics[0], ref_metrics[0], what=f"the mean training loss returned with {kind}", rtol=1e-4)
        assert_close(metrics[1], ref_metrics[1], what=f"the training accuracy returned with {kind}")


FASHION_BUDGET = "10 epochs on the 60,000 training images (batch 256, lr 0.1)"


def softmax_regression_run(softmax, cross_entropy, sgd, train_epoch, evaluate, epochs=10):
    W = torch.normal(0, 0.01, size=(784, 10), requires_grad=True, generator=torch.Generator().manual_seed(0))
    b = torch.zeros(10, requires_grad=True)

    def net(X):
        return softmax(X.reshape(-1, 784) @ W + b)
    return fashion_mnist_run(net, cross_entropy, lambda batch_size: sgd([W, b], 0.1, batch_size), epochs=epochs,
                             train_epoch=train_epoch, evaluate=evaluate)


@check("softmax_regression.train_epoch_ch3", points=3, kind="accuracy",
       uses={"softmax": "softmax_regression.softmax", "cross_entropy": "softmax_regression.cross_entropy",
             "sgd": "linear_regression.sgd", "evaluate_accuracy": "softmax_regression.evaluate_accuracy"})
def check_train_epoch_ch3_reaches_threshold(softmax, cross_entropy, sgd, train_epoch_ch3, evaluate_accuracy):
    train_to_threshold(lambda: softmax_regression_run(softmax, cross_entropy, sgd, train_epoch_ch3, evaluate_accuracy),
                       metric=verified_test_accuracy, history=accuracy_curve, threshold=0.80, reference_value=0.82,
                       what="test accuracy of softmax regression built from your softmax, cross_entropy, sgd, "
                            "train_epoch_ch3 and evaluate_accuracy", budget=FASHION_BUDGET)


# §3.7 concise softmax regression ----------------------------------------------------------------

@check("softmax_regression_concise.init_weights")
def check_init_weights_normal_and_linear_only(init_weights):
    layer = nn.Linear(1000, 100)
    init_weights(layer)
    w = layer.weight.detach()
    std = w.std().item()
    assert 0.0095 < std < 0.0105, f"weights should be N(0, 0.01²): std {std:.4f}"
    within = (w.abs() < 0.01).float().mean().item()
    assert 0.66 < within < 0.70, \
        f"{within:.1%} of the weights lie within one std of 0: a normal distribution has 68% (uniform: 58%)"
    conv = nn.Conv2d(1, 2, 3)
    before = conv.weight.detach().clone()
    init_weights(conv)
    assert torch.equal(conv.weight, before), "init_weights should change nn.Linear layers only"


@check("softmax_regression_concise.concise_classifier", points=3, kind="accuracy")
def check_concise_classifier_reaches_threshold(concise_classifier):
    def run():
        torch.manual_seed(0)
        net, loss, trainer = concise_classifier(0.1)
        return fashion_mnist_run(net, loss, trainer)
    train_to_threshold(run, metric=verified_test_accuracy, history=accuracy_curve, threshold=0.80,
                       reference_value=0.82, what="test accuracy of your concise softmax regression",
                       budget=FASHION_BUDGET)
