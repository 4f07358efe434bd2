"""Chapter 6 (卷积神经网络), hidden checks: reference comparisons, gradients, edge cases,
forbidden shortcuts, speed and accuracy thresholds."""
import functools

import torch
import torch.nn.functional as F
from torch import nn

from autograder.checks.public.ch6 import edge_image
from autograder.harness import (SEEDS, Forbidden, assert_close, assert_gradients_match, assert_matches_reference,
                                assert_no_forbidden_calls, assert_same_function, assert_same_parameter_count,
                                assert_tensor, check, randint, randn, reference, speed_check, train_to_threshold)
from d2lkit.subsets import fashion_mnist_subset_iters

CONV_ATEN = ("convolution", "_convolution", "conv2d", "conv1d", "conv3d", "mkldnn_convolution",
             "_slow_conv2d_forward", "thnn_conv2d", "slow_conv_dilated2d", "cudnn_convolution",
             "_convolution_mode", "conv_transpose2d", "im2col", "col2im")
CONV_FUNCS = Forbidden(
    "PyTorch's convolutions (F.conv2d, torch.conv2d, nn.Conv2d) or F.unfold (im2col)",
    functions=(F.conv2d, torch.conv2d, F.conv1d, torch.conv1d, F.conv_transpose2d, F.unfold, F.fold),
    aten=CONV_ATEN)
POOL_FUNCS = Forbidden(
    "PyTorch's pooling (F.max_pool2d, F.avg_pool2d, nn.MaxPool2d, adaptive pooling) or convolutions",
    functions=(F.max_pool2d, F.avg_pool2d, F.max_pool1d, F.avg_pool1d, torch.max_pool2d, torch.avg_pool1d,
               F.adaptive_max_pool2d, F.adaptive_avg_pool2d, F.lp_pool2d, F.conv2d, torch.conv2d, F.unfold),
    aten=("max_pool2d", "max_pool2d_with_indices", "avg_pool2d", "max_pool1d", "avg_pool1d",
          "adaptive_avg_pool2d", "_adaptive_avg_pool2d", "adaptive_max_pool2d", "mkldnn_max_pool2d",
          "mkldnn_adaptive_avg_pool2d", "quantized_max_pool2d") + CONV_ATEN)


def ref(name):
    return reference(f"ch6.{name}")


# §6.2 cross-correlation and the convolutional layer ----------------------------------------------

def corr2d_args(seed):
    """Random sizes: non-square inputs and kernels, and (seed 4) a kernel as large as the input."""
    n_h, n_w = randint(1, 12, (2,), seed).tolist()
    k_h, k_w = randint(1, n_h + 1, (1,), seed + 10).item(), randint(1, n_w + 1, (1,), seed + 20).item()
    if seed == SEEDS[-1]:
        k_h, k_w = n_h, n_w
    return randn((n_h, n_w), seed), randn((k_h, k_w), seed + 100)


@check("conv_layer.corr2d", points=2)
def check_corr2d_matches_reference(corr2d):
    assert_matches_reference(corr2d, ref("conv_layer.corr2d"), corr2d_args, what="corr2d(X, K)", seeds=SEEDS,
                             hint="the output is (n_h - k_h + 1) × (n_w - k_w + 1); do not flip the kernel")
    X, K = corr2d_args(0)
    assert_matches_reference(corr2d, ref("conv_layer.corr2d"), lambda seed: (X.double(), K.double()),
                             what="corr2d(X, K) in float64", seeds=(0,), hint="keep X's dtype")


@check("conv_layer.corr2d")
def check_corr2d_gradients(corr2d):
    for seed in (0, 1):
        assert_gradients_match(corr2d, ref("conv_layer.corr2d"), corr2d_args(seed), wrt=(0, 1),
                               what=f"corr2d(X, K) (seed {seed})")


@check("conv_layer.corr2d")
def check_corr2d_no_builtin(corr2d):
    assert_no_forbidden_calls(corr2d, *corr2d_args(1), forbidden=CONV_FUNCS, what="corr2d")


speed_check("conv_layer.corr2d", lambda device: (randn((256, 256), 0, device=device), randn((5, 5), 1, device=device)),
            builtin=lambda X, K: F.conv2d(X[None, None], K[None, None])[0, 0], limit=20,
            hint="no Python loop over the output pixels: loop at most over the k_h × k_w kernel entries, "
                 "each a whole-tensor operation on a shifted slice of X")


def learn_edge_kernel(Conv2D, lr=1e-2, steps=40):
    """The book's loop of §6.2.4 on the student's Conv2D: squared error, plain gradient steps."""
    X = edge_image()
    Y = ref("conv_layer.corr2d")(X, torch.tensor([[1.0, -1.0]]))
    layer = Conv2D(kernel_size=(1, 2))
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).sum()
        layer.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in layer.parameters():
                p -= lr * p.grad
    return layer.weight.detach()


@check("conv_layer.Conv2D", points=2)
def check_Conv2D_learns_edge_kernel(Conv2D):
    weight = learn_edge_kernel(Conv2D)
    assert_close(weight, torch.tensor([[1.0, -1.0]]), atol=0.05, rtol=0,
                 what="the kernel Conv2D((1, 2)) learns in 40 steps (lr 0.01) from the edge image and its edges",
                 hint="the reference reaches [[0.99, -0.99]]; is forward corr2d(x, weight) + bias, "
                      "and are both registered as nn.Parameter?")


@check("conv_layer.Conv2D")
def check_Conv2D_initialisation(Conv2D):
    layer = Conv2D(kernel_size=(40, 50))
    w = layer.weight.detach()
    assert_tensor(w, what="Conv2D((40, 50)).weight", shape=(40, 50))
    assert 0 <= w.min() and w.max() < 1 and abs(w.mean().item() - 0.5) < 0.03, \
        f"the weight should start from U(0, 1) (torch.rand): min {w.min():.3f}, max {w.max():.3f}, mean {w.mean():.3f}"
    assert torch.all(layer.bias == 0), f"the bias should start at zero, got {layer.bias.tolist()}"
    X = randn((45, 52), 0)
    assert_close(layer(X), ref("conv_layer.corr2d")(X, layer.weight) + layer.bias,
                 what="Conv2D((40, 50)) on X (45, 52)")


# §6.3 padding and stride ---------------------------------------------------------------------------

def conv_configs(seed):
    """A random nn.Conv2d configuration (kernel, padding, stride) and a fitting input size."""
    k_h, k_w, s_h, s_w = randint(1, 6, (4,), seed).tolist()
    p_h, p_w = randint(0, k_h // 2 + 1, (1,), seed + 1).item(), randint(0, k_w // 2 + 1, (1,), seed + 2).item()
    n_h, n_w = randint(k_h, 20, (1,), seed + 3).item(), randint(k_w, 20, (1,), seed + 4).item()
    return (n_h, n_w), (k_h, k_w), (p_h, p_w), (s_h, s_w)


@check("padding_stride.comp_conv2d")
def check_comp_conv2d_matches_layer(comp_conv2d):
    for seed in SEEDS:
        size, kernel, padding, stride = conv_configs(seed)
        torch.manual_seed(seed)
        layer = nn.Conv2d(1, 1, kernel_size=kernel, padding=padding, stride=stride)
        X = randn(size, seed)
        expected = layer(X.reshape(1, 1, *size))[0, 0]
        assert_close(comp_conv2d(layer, X), expected,
                     what=f"comp_conv2d(nn.Conv2d(1, 1, kernel {kernel}, padding {padding}, stride {stride}), "
                          f"X {size})", hint="reshape X to (1, 1, h, w), apply the layer, return Y[0, 0]")


@check("padding_stride.conv_output_shape", points=2)
def check_conv_output_shape_matches_conv2d(conv_output_shape):
    for seed in range(20):
        size, kernel, padding, stride = conv_configs(seed)
        expected = tuple(nn.Conv2d(1, 1, kernel, stride, padding)(torch.zeros(1, 1, *size)).shape[2:])
        for args in ((size, kernel, padding, stride),) + (((size, kernel[0], padding[0], stride[0]),)
                                                          if kernel[0] == kernel[1] and padding[0] == padding[1]
                                                          and stride[0] == stride[1] else ()):
            got = conv_output_shape(*args)
            assert isinstance(got, tuple) and all(type(v) is int for v in got), \
                f"conv_output_shape{args} should return a tuple of two ints, got {got!r}"
            assert got == expected, (f"conv_output_shape(input {size}, kernel {args[1]}, padding {args[2]}, "
                                     f"stride {args[3]}) gave {got}; nn.Conv2d gives {expected}")


# §6.4 multiple input and output channels -------------------------------------------------------

def multi_in_args(seed):
    c_i = randint(1, 5, (1,), seed).item()
    X, K = corr2d_args(seed)
    return randn((c_i,) + tuple(X.shape), seed), randn((c_i,) + tuple(K.shape), seed + 100)


def multi_in_out_args(seed):
    X, K = multi_in_args(seed)
    c_o = randint(1, 5, (1,), seed + 7).item()
    return X, randn((c_o,) + tuple(K.shape), seed + 200)


@check("channels.corr2d_multi_in", points=2)
def check_corr2d_multi_in_matches_reference(corr2d_multi_in):
    assert_matches_reference(corr2d_multi_in, ref("channels.corr2d_multi_in"), multi_in_args,
                             what="corr2d_multi_in(X, K)", seeds=SEEDS,
                             hint="sum over the input channels (not the mean); kernel c goes with channel c")
    assert_gradients_match(corr2d_multi_in, ref("channels.corr2d_multi_in"), multi_in_args(0), wrt=(0, 1),
                           what="corr2d_multi_in(X, K)")


@check("channels.corr2d_multi_in")
def check_corr2d_multi_in_no_builtin(corr2d_multi_in):
    assert_no_forbidden_calls(corr2d_multi_in, *multi_in_args(1), forbidden=CONV_FUNCS, what="corr2d_multi_in")


@check("channels.corr2d_multi_in_out", points=2)
def check_corr2d_multi_in_out_matches_reference(corr2d_multi_in_out):
    assert_matches_reference(corr2d_multi_in_out, ref("channels.corr2d_multi_in_out"), multi_in_out_args,
                             what="corr2d_multi_in_out(X, K)", seeds=SEEDS,
                             hint="output channel o is corr2d_multi_in(X, K[o]); stack them along a new axis 0")
    assert_gradients_match(corr2d_multi_in_out, ref("channels.corr2d_multi_in_out"), multi_in_out_args(0),
                           wrt=(0, 1), what="corr2d_multi_in_out(X, K)")


@check("channels.corr2d_multi_in_out")
def check_corr2d_multi_in_out_no_builtin(corr2d_multi_in_out):
    assert_no_forbidden_calls(corr2d_multi_in_out, *multi_in_out_args(1), forbidden=CONV_FUNCS,
                              what="corr2d_multi_in_out")


speed_check("channels.corr2d_multi_in_out",
            lambda device: (randn((16, 32, 32), 0, device=device), randn((32, 16, 3, 3), 1, device=device)),
            builtin=lambda X, K: F.conv2d(X[None], K)[0], limit=20, atol=1e-4,
            hint="no Python loop over the 16 × 32 channel pairs: combine the channels with matrix products "
                 "(e.g. one (c_o, c_i) @ (c_i, pixels) product per kernel entry)")


def one_by_one_args(seed):
    c_i, c_o, h, w = randint(1, 6, (4,), seed).tolist()
    return randn((c_i, h, w), seed), randn((c_o, c_i, 1, 1), seed + 1)


@check("channels.corr2d_multi_in_out_1x1", points=2)
def check_corr2d_multi_in_out_1x1_equals_general(corr2d_multi_in_out_1x1):
    assert_matches_reference(corr2d_multi_in_out_1x1, ref("channels.corr2d_multi_in_out"), one_by_one_args,
                             what="corr2d_multi_in_out_1x1(X, K) against the general corr2d_multi_in_out",
                             seeds=SEEDS, atol=1e-6, rtol=0)


@check("channels.corr2d_multi_in_out_1x1")
def check_corr2d_multi_in_out_1x1_no_builtin(corr2d_multi_in_out_1x1):
    assert_no_forbidden_calls(corr2d_multi_in_out_1x1, *one_by_one_args(1), forbidden=CONV_FUNCS,
                              what="corr2d_multi_in_out_1x1")


# §6.5 pooling -----------------------------------------------------------------------------------

def pool_args(seed, mode):
    X, K = corr2d_args(seed)
    return X, tuple(K.shape), mode


@check("pooling.pool2d", points=2)
def check_pool2d_matches_reference(pool2d):
    for mode in ("max", "avg"):
        assert_matches_reference(pool2d, ref("pooling.pool2d"), functools.partial(pool_args, mode=mode),
                                 what=f"pool2d(X, pool_size, {mode!r})", seeds=SEEDS)
        assert_gradients_match(lambda X: pool2d(X, (2, 3), mode), lambda X: ref("pooling.pool2d")(X, (2, 3), mode),
                               (randn((6, 7), 0),), what=f"pool2d(X (6, 7), (2, 3), {mode!r})")


@check("pooling.pool2d")
def check_pool2d_no_builtin(pool2d):
    for mode in ("max", "avg"):
        assert_no_forbidden_calls(pool2d, *pool_args(1, mode), forbidden=POOL_FUNCS, what=f"pool2d(..., {mode!r})")


speed_check("pooling.pool2d", lambda device: (randn((256, 256), 0, device=device), (3, 3), "max"),
            builtin=lambda X, size, mode: F.max_pool2d(X[None, None], size, stride=1)[0, 0], limit=20,
            hint="no Python loop over the output pixels: X.unfold(0, p_h, 1).unfold(1, p_w, 1) gives every window "
                 "at once; reduce its last two axes")


def pooling_configs(seed):
    (n_h, n_w), kernel, padding, stride = conv_configs(seed)
    shape = (randint(1, 3, (1,), seed + 5).item(), randint(1, 4, (1,), seed + 6).item(), n_h, n_w)
    return randn(shape, seed), kernel, padding, stride


@check("pooling.pooling_layer", points=2)
def check_pooling_layer_matches_pytorch(pooling_layer):
    for seed in SEEDS:
        X, kernel, padding, stride = pooling_configs(seed)
        for mode, builtin in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
            expected = builtin(X, kernel, stride, padding)
            assert_close(pooling_layer(X, kernel, padding, stride, mode), expected,
                         what=f"pooling_layer(X {tuple(X.shape)}, kernel {kernel}, padding {padding}, stride {stride},"
                              f" {mode!r}) against nn.{'Max' if mode == 'max' else 'Avg'}Pool2d",
                         hint="pad with -inf for max and 0 for avg (zeros count in the mean); pool each channel")
        assert_close(pooling_layer(X, kernel[0], mode="max"), F.max_pool2d(X, kernel[0]),
                     what=f"pooling_layer(X {tuple(X.shape)}, {kernel[0]}) with the default stride (= the window)")


@check("pooling.pooling_layer")
def check_pooling_layer_no_builtin(pooling_layer):
    X, kernel, padding, stride = pooling_configs(1)
    for mode in ("max", "avg"):
        assert_no_forbidden_calls(pooling_layer, X, kernel, padding, stride, mode, forbidden=POOL_FUNCS,
                                  what=f"pooling_layer(..., {mode!r})")


# §6.6 LeNet -------------------------------------------------------------------------------------

@check("lenet.lenet", points=2)
def check_lenet_same_function(lenet):
    net, reference_net = lenet(), ref("lenet.lenet")()
    assert_same_parameter_count(net, reference_net, what="lenet()")
    assert_same_function(net, reference_net, (randn((4, 1, 28, 28), 0),), what="lenet() on X (4, 1, 28, 28)")


class _Recorder(nn.Module):
    """Scores = the inputs; records the device, the mode and whether autograd was on."""

    def __init__(self):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(1))
        self.seen = []

    def forward(self, X):
        self.seen.append((X.device.type, self.training, torch.is_grad_enabled()))
        return X


@check("lenet.evaluate_accuracy_gpu", points=2)
def check_evaluate_accuracy_gpu_batches_device_and_mode(evaluate_accuracy_gpu, device):
    X, y = randn((23, 4), 0), randint(0, 4, (23,), 1)
    batches = [(X[i:i + 10], y[i:i + 10]) for i in range(0, 23, 10)]  # 10, 10 and 3 examples, on the CPU
    net = _Recorder().to(device)
    net.train()
    got = evaluate_accuracy_gpu(net, batches)
    expected = (X.argmax(1) == y).float().mean().item()
    assert_close(got, expected, what="evaluate_accuracy_gpu over batches of 10, 10 and 3 examples",
                 hint="divide the correct predictions by all examples, not the mean of per-batch accuracies")
    assert not net.training, "evaluate_accuracy_gpu should put the net in eval mode (net.eval())"
    assert all(d == torch.device(device).type for d, _, _ in net.seen), \
        f"the batches should be moved to the net's device ({device}) when device is not given: saw {net.seen}"
    assert not any(grad for _, _, grad in net.seen), \
        "evaluate under torch.no_grad(): no graph is needed, and the book's BatchNorm reads it as inference mode"
    net.seen.clear()
    evaluate_accuracy_gpu(net, batches, device)
    assert all(d == torch.device(device).type for d, _, _ in net.seen), f"device={device!r} given: saw {net.seen}"


def tiny_task(seed=0):
    """A small synthetic classification task: 48 images (1, 6, 6), 3 classes, batches of 16."""
    X, y = randn((48, 1, 6, 6), seed), randint(0, 3, (48,), seed + 1)
    X = X + y.reshape(-1, 1, 1, 1).float()
    return [(X[i:i + 16], y[i:i + 16]) for i in range(0, 48, 16)]


def tiny_net():
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(32, 3))


@check("lenet.train_ch6", points=2)
def check_train_ch6_matches_reference(train_ch6, device):
    results = []
    for train in (ref("lenet.train_ch6"), train_ch6):
        torch.manual_seed(0)
        net = tiny_net()
        batches = tiny_task()
        history = train(net, batches, batches, 2, 0.3, device)
        results.append((history, [p.detach().cpu() for p in net.parameters()], net))
    (ref_history, ref_params, _), (history, params, net) = results
    assert all(p.device.type == torch.device(device).type for p in net.parameters()), \
        f"train_ch6 should move the net to device={device!r}"
    for p, q in zip(params, ref_params):
        assert_close(p, q, what="the parameters after 2 epochs of train_ch6 (lr 0.3) on a small task", atol=1e-4,
                     hint="Xavier-uniform weights for every nn.Linear and nn.Conv2d first, then SGD on the mean "
                          "cross-entropy: zero_grad, backward, step, once per batch")
    assert isinstance(history, list) and len(history) == 2, f"expected a history of 2 epochs, got {history!r}"
    for epoch, (got, expected) in enumerate(zip(history, ref_history)):
        for i, label in enumerate(("train loss", "train accuracy", "test accuracy")):
            assert_close(got[i], expected[i], atol=1e-4, rtol=1e-4,
                         what=f"the {label} train_ch6 returns for epoch {epoch + 1}",
                         hint="average over the examples of the epoch (not over batches)")


@check("lenet.train_ch6")
def check_train_ch6_xavier_initialisation(train_ch6):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 64, 5), nn.Flatten(), nn.Linear(64 * 2 * 2, 300), nn.Linear(300, 3))
    batches = [(torch.zeros(2, 1, 6, 6), torch.zeros(2, dtype=torch.long))]
    train_ch6(net, batches, batches, 1, 0.0, "cpu")  # lr 0: the weights stay as initialised
    for layer, fan_in, fan_out in ((net[0], 25, 64 * 25), (net[2], 256, 300)):
        bound = (6 / (fan_in + fan_out)) ** 0.5
        w = layer.weight.detach()
        assert w.abs().max() <= bound and w.abs().max() > 0.9 * bound, \
            (f"after train_ch6 the weights of {layer} should be Xavier-uniform, within ±{bound:.4f} and filling it: "
             f"max |w| = {w.abs().max():.4f} (nn.init.xavier_uniform_ on every nn.Linear and nn.Conv2d)")


# The sigmoid LeNet sits on a plateau at 10% accuracy for a few hundred steps, longer or shorter depending on
# its initialisation (seeds 0-5 leave it within 1 to 4 epochs of this budget); 5 epochs end past it for all of them
# (test accuracy 0.65-0.73), so the threshold does not hang on one lucky initialisation.
LENET_BUDGET = "5 epochs on the first 30,000 training images (batch 128, lr 0.9), tested on the first 2,000 test images"


def lenet_history(lenet, train_ch6, evaluate_accuracy_gpu, device):
    """The book's LeNet run of §6.6.2 on a budget; the last test accuracy is your evaluate_accuracy_gpu's."""
    train_iter, test_iter = fashion_mnist_subset_iters(128, limit=30000)
    net = lenet()
    history = train_ch6(net, train_iter, test_iter, 5, 0.9, device)
    return history[:-1] + [history[-1][:2] + (evaluate_accuracy_gpu(net, test_iter, device),)]


@check("lenet.train_ch6", points=3, kind="accuracy",
       uses={"lenet": "lenet.lenet", "evaluate_accuracy_gpu": "lenet.evaluate_accuracy_gpu"})
def check_train_ch6_reaches_threshold(lenet, train_ch6, evaluate_accuracy_gpu, device):
    train_to_threshold(lambda: lenet_history(lenet, train_ch6, evaluate_accuracy_gpu, device),
                       metric=lambda h: h[-1][2], threshold=0.5, reference_value=0.73,
                       what="test accuracy of your lenet() trained by your train_ch6", budget=LENET_BUDGET)
