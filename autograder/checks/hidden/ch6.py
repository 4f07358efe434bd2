"""Chapter 6 (卷积神经网络), hidden checks: one property of each contract per check (reference comparisons, dtypes,
devices, gradients, forbidden shortcuts, initialisation, speed and accuracy thresholds)."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from autograder.checks.public.ch6 import edge_image, forward_with
from autograder.harness import (chapter_references, Forbidden, SEEDS, assert_close, assert_gradients_match,
                                assert_keeps_device, assert_matches_reference, assert_no_forbidden_calls,
                                assert_right_on_device, assert_same_function, assert_same_parameter_count,
                                assert_tensor, check, check_for, dtype_check, gradients_check, library_calls,
                                no_builtin_check, predict_labels, randint, randn, reference_check, speed_check,
                                student_side, train_to_threshold, type_name)
from autograder.harness.device import _on_meta
from d2lkit import fashion_mnist_tensors
from autograder.harness.subsets import fashion_mnist_subset_iters

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


ref = chapter_references("ch6")


def assert_on_device(fn, *args, what: str, hint: str = ""):
    """``assert_keeps_device``, and where the code wrote values computed on ``meta`` into a tensor it made on the
    CPU (``Y = torch.zeros(shape)`` then ``Y[i, j] = ...``, the book's habit), a message that says so."""
    try:
        assert_keeps_device(fn, *args, what=what, hint=hint)
    except AssertionError as e:
        if "copy out of meta" not in str(e):
            raise
        where = student_side(_on_meta, fn, args, {}).get("where", "")
        raise AssertionError(
            f"{what} wrote its results into a tensor made on another device than its inputs'"
            f"{f' at {where}' if where else ''} (tried with inputs on PyTorch's meta device): create it on X's "
            f"device, e.g. X.new_zeros(shape) or torch.zeros(shape, dtype=X.dtype, device=X.device)"
            + (f"\n  hint: {hint}" if hint else "")) from None


# §6.2 cross-correlation and the convolutional layer ----------------------------------------------

def corr2d_args(seed, dtype=torch.float32):
    """Random sizes: non-square inputs and kernels, and (seed 4) a kernel as large as the input."""
    n_h, n_w = randint(1, 12, (2,), seed).tolist()
    k_h, k_w = randint(1, n_h + 1, (1,), seed + 10).item(), randint(1, n_w + 1, (1,), seed + 20).item()
    if seed == SEEDS[-1]:
        k_h, k_w = n_h, n_w
    return randn((n_h, n_w), seed, dtype=dtype), randn((k_h, k_w), seed + 100, dtype=dtype)


def corr2d_hint(got, X, K) -> str:
    """The likely mistake, from what came back."""
    expected = ref("conv_layer.corr2d")(X, K)
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype:
        if K.numel() > 1 and torch.allclose(got, ref("conv_layer.corr2d")(X, K.flip(0, 1)), atol=1e-4) \
                and not torch.allclose(got, expected, atol=1e-4):
            return "you flipped the kernel (a true convolution): cross-correlation uses K as it is"
    if isinstance(got, torch.Tensor) and got.dim() == 2 and got.shape != expected.shape:
        return (f"the output is (n_h - k_h + 1) × (n_w - k_w + 1) = {tuple(expected.shape)}; "
                f"yours is {tuple(got.shape)}")
    return "Y[i, j] = (X[i:i + k_h, j:j + k_w] * K).sum(); do not flip the kernel"


reference_check("conv_layer.corr2d", corr2d_args, what="corr2d(X, K)", hint=corr2d_hint, points=2)


dtype_check("conv_layer.corr2d", corr2d_args, (torch.float64,), what="corr2d(X, K)", operand="X",
            hint="keep X's dtype: make Y with X.new_zeros(...) or torch.zeros(..., dtype=X.dtype), "
                 "not torch.zeros(shape) (float32)")


@check("conv_layer.corr2d", clauses="device")
def check_corr2d_on_device(corr2d):
    assert_right_on_device(corr2d, ref("conv_layer.corr2d"), corr2d_args, what="corr2d(X, K)", keeps=assert_on_device)


@check("conv_layer.corr2d", clauses="gradients")
def check_corr2d_gradients(corr2d):
    for seed in (0, 1):
        assert_gradients_match(corr2d, ref("conv_layer.corr2d"), corr2d_args(seed), wrt=(0, 1),
                               what=f"corr2d(X, K) (seed {seed})")


no_builtin_check("conv_layer.corr2d", corr2d_args, seed=1, forbidden=CONV_FUNCS, what="corr2d")


speed_check("conv_layer.corr2d",
            lambda device, seed=0: (randn((256, 256), seed, device=device), randn((5, 5), seed + 1000, device=device)),
            builtin=lambda X, K: F.conv2d(X[None, None], K[None, None])[0, 0], limit=20, clauses="fast",
            hint="no Python loop over the output pixels: loop at most over the k_h × k_w kernel entries, "
                 "each a whole-tensor operation on a shifted slice of X")


def conv2d_case(seed):
    """A kernel size, a weight, a bias and a 2-D input that fits."""
    k_h, k_w = randint(1, 5, (2,), seed).tolist()
    n_h, n_w = k_h + randint(0, 6, (1,), seed + 1).item(), k_w + randint(0, 6, (1,), seed + 2).item()
    return (k_h, k_w), randn((k_h, k_w), seed + 3), randn((1,), seed + 4), randn((n_h, n_w), seed + 5)


@check("conv_layer.Conv2D", clauses="values", substitute=("corr2d",))
def check_Conv2D_forward_matches_reference(Conv2D):
    for seed in SEEDS:
        kernel, weight, bias, X = conv2d_case(seed)
        got = student_side(forward_with, Conv2D, kernel, weight, bias, X)
        assert_close(got, ref("conv_layer.corr2d")(X, weight) + bias,
                     what=f"Conv2D({kernel}) with a given weight and bias on X {tuple(X.shape)} (seed {seed})",
                     hint="forward(x) = corr2d(x, self.weight) + self.bias")


def seeded_layer(Conv2D, kernel_size, seed):
    """A Conv2D made right after torch.manual_seed(seed): its weight and bias (read as attributes)."""
    torch.manual_seed(seed)
    layer = Conv2D(kernel_size=kernel_size)
    return torch.as_tensor(layer.weight).detach().clone(), torch.as_tensor(layer.bias).detach().clone()


@check("conv_layer.Conv2D", clauses="init")
def check_Conv2D_initialisation(Conv2D):
    for seed, kernel in ((0, (40, 50)), (1, (3, 2))):
        w, b = student_side(seeded_layer, Conv2D, kernel, seed)
        w_ref, b_ref = seeded_layer(ref("conv_layer.Conv2D"), kernel, seed)
        assert_tensor(w, what=f"Conv2D({kernel}).weight", shape=kernel)
        if not torch.equal(w, w_ref):
            hint = "torch.rand draws from U(0, 1); torch.randn is N(0, 1)" if w.min() < 0 or w.max() >= 1 else \
                "the right range, but not the numbers torch.rand(kernel_size) draws under this seed: draw the " \
                "weight with torch.rand(kernel_size), once, and nothing else random"
            assert_close(w, w_ref, what=f"the weight of Conv2D({kernel}) made right after torch.manual_seed({seed})",
                         hint=hint)
        assert_close(b, b_ref, what=f"the bias of a fresh Conv2D({kernel})", hint="the bias starts at zero: "
                     "torch.zeros(1)")


def forward_calls(Conv2D, kernel_size, weight, bias, X):
    """Student side: forward of a fresh Conv2D with its module's corr2d counted (then put back)."""
    layer = Conv2D(kernel_size=kernel_size)
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(bias)
    namespace = getattr(type(layer).forward, "__globals__", {})
    original = namespace.get("corr2d")
    if original is None:
        return {"calls": 0, "out": layer(X)}
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)
    namespace["corr2d"] = counted
    try:
        out = layer(X)
    finally:
        namespace["corr2d"] = original
    return {"calls": len(calls), "out": out}


@check("conv_layer.Conv2D", clauses="uses", substitute=("corr2d",))
def check_Conv2D_uses_corr2d(Conv2D):
    kernel, weight, bias, X = conv2d_case(0)
    seen = student_side(forward_calls, Conv2D, kernel, weight, bias, X)
    assert seen["calls"] >= 1, \
        "Conv2D.forward should call this module's corr2d (the exercise is a layer built on it), but it never did"
    assert_close(seen["out"], ref("conv_layer.corr2d")(X, weight) + bias,
                 what="Conv2D.forward (it must also be right for this check to count)")


def layer_gradients(Conv2D, kernel_size, weight, bias, X, R):
    """Gradients of sum(Conv2D(X) * R) w.r.t. the layer's weight and bias (None where none arrived)."""
    layer = Conv2D(kernel_size=kernel_size)
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(bias)
    (layer(X) * R).sum().backward()
    return [None if p.grad is None else p.grad.detach().clone() for p in (layer.weight, layer.bias)]


@check("conv_layer.Conv2D", clauses="gradients", substitute=("corr2d",))
def check_Conv2D_gradients(Conv2D):
    kernel, weight, bias, X = conv2d_case(1)
    R = randn((X.shape[0] - kernel[0] + 1, X.shape[1] - kernel[1] + 1), 7)
    got = student_side(layer_gradients, Conv2D, kernel, weight, bias, X, R)
    expected = layer_gradients(ref("conv_layer.Conv2D"), kernel, weight, bias, X, R)
    for name, g, e in zip(("weight", "bias"), got, expected):
        assert g is not None, f"no gradient reached Conv2D's {name}: register it as an nn.Parameter and use it " \
                              "in forward without .data or .detach()"
        assert_close(g, e, what=f"the gradient of sum(Conv2D({kernel})(X) * R) w.r.t. its {name}")


def learn_edge_kernel(Conv2D, X, Y, lr=1e-2, steps=40):
    """Student side: the book's loop of §6.2.4 on a fresh Conv2D: squared error, plain gradient steps."""
    torch.manual_seed(0)
    layer = Conv2D(kernel_size=(1, 2))
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).sum()
        layer.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in layer.parameters():
                if p.grad is None:
                    return {"error": "a parameter of Conv2D got no gradient from the loss"}
                p -= lr * p.grad
    return {"weight": torch.as_tensor(layer.weight).detach().clone()}


@check("conv_layer.Conv2D", points=2, clauses="gradients", substitute=("corr2d",))
def check_Conv2D_learns_edge_kernel(Conv2D):
    X = edge_image()
    Y = ref("conv_layer.corr2d")(X, torch.tensor([[1.0, -1.0]]))
    learned = student_side(learn_edge_kernel, Conv2D, X, Y)
    assert "error" not in learned, f"{learned.get('error')}: use self.weight and self.bias in forward as they are"
    assert_close(learned["weight"], torch.tensor([[1.0, -1.0]]), atol=0.05, rtol=0,
                 what="the kernel Conv2D((1, 2)) learns in 40 steps (lr 0.01) from the edge image and its edges",
                 hint="the reference reaches [[0.99, -0.99]]; is forward corr2d(x, weight) + bias, "
                      "and are both registered as nn.Parameter?")


# §6.3 padding and stride ---------------------------------------------------------------------------

def conv_configs(seed):
    """A random nn.Conv2d configuration (kernel, padding, stride) and a fitting input size."""
    k_h, k_w, s_h, s_w = randint(1, 6, (4,), seed).tolist()
    p_h, p_w = randint(0, k_h // 2 + 1, (1,), seed + 1).item(), randint(0, k_w // 2 + 1, (1,), seed + 2).item()
    n_h, n_w = randint(k_h, 20, (1,), seed + 3).item(), randint(k_w, 20, (1,), seed + 4).item()
    return (n_h, n_w), (k_h, k_w), (p_h, p_w), (s_h, s_w)


@check("padding_stride.comp_conv2d", clauses="values")
def check_comp_conv2d_matches_layer(comp_conv2d):
    for seed in SEEDS:
        size, kernel, padding, stride = conv_configs(seed)
        torch.manual_seed(seed)
        layer = nn.Conv2d(1, 1, kernel_size=kernel, padding=padding, stride=stride)
        X = randn(size, seed)
        with torch.no_grad():
            expected = layer(X.reshape(1, 1, *size))[0, 0]
        assert_close(comp_conv2d(layer, X), expected,
                     what=f"comp_conv2d(nn.Conv2d(1, 1, kernel {kernel}, padding {padding}, stride {stride}), "
                          f"X {size})", hint="reshape X to (1, 1, h, w), apply the layer, drop the two leading axes")


def conv_shape(size, kernel, padding, stride):
    return tuple(nn.Conv2d(1, 1, kernel, stride, padding)(torch.zeros(1, 1, *size)).shape[2:])


def conv_shape_hint(got, size, kernel, padding, stride) -> str:
    once = tuple((n - k + p) // s + 1 for n, k, p, s in zip(size, kernel, padding, stride))
    up = tuple(-(-(n - k + 2 * p) // s) + 1 for n, k, p, s in zip(size, kernel, padding, stride))
    expected = conv_shape(size, kernel, padding, stride)
    if got == once != expected:
        return "padding is added on each side: n - k + 2p, not n - k + p"
    if got == up != expected:
        return "round down: (n - k + 2p) // s + 1 (floor division), not up"
    return "(n - k + 2p) // s + 1 for each axis, p the padding on each side"


@check("padding_stride.conv_output_shape", points=2, clauses="values")
def check_conv_output_shape_matches_conv2d(conv_output_shape):
    for seed in range(20):
        size, kernel, padding, stride = conv_configs(seed)
        expected = conv_shape(size, kernel, padding, stride)
        got = conv_output_shape(size, kernel, padding, stride)
        got = tuple(got) if isinstance(got, (tuple, list)) else got
        assert got == expected, (f"conv_output_shape(input {size}, kernel {kernel}, padding {padding}, stride "
                                 f"{stride}) gave {got}; nn.Conv2d gives {expected}\n  hint: "
                                 + conv_shape_hint(got, size, kernel, padding, stride))


@check("padding_stride.conv_output_shape", clauses="pairs")
def check_conv_output_shape_int_arguments(conv_output_shape):
    for seed in range(10):
        size, (k, _), (p, _), (s, _) = conv_configs(seed)
        cases = [((size, k, p, s), (k, p, s)), ((size, k), (k, 0, 1)), ((size, k, p), (k, p, 1)),
                 ((size, (k, k), p, (s, s)), (k, p, s)), ((size, k, (p, p), s), (k, p, s))]
        for args, (k_, p_, s_) in cases:
            expected = conv_shape(size, k_, p_, s_)
            got = conv_output_shape(*args)
            got = tuple(got) if isinstance(got, (tuple, list)) else got
            assert got == expected, (f"conv_output_shape{args} gave {got}; nn.Conv2d gives {expected}: kernel_size, "
                                     "padding and stride may each be an int (the same on both axes) or a pair")


@check("padding_stride.conv_output_shape", clauses="returns")
def check_conv_output_shape_returns_ints(conv_output_shape):
    for seed in range(5):
        size, kernel, padding, stride = conv_configs(seed)
        got = conv_output_shape(size, kernel, padding, stride)
        assert type(got) is tuple and len(got) == 2 and all(type(v) is int for v in got), \
            (f"conv_output_shape should return a tuple of two Python ints, got {type_name(got)} {got!r}"
             + (f" of {[type_name(v) for v in got]}" if isinstance(got, (tuple, list)) else "")
             + ": use floor division // (not /) and tuple(...)")
        assert got == conv_shape(size, kernel, padding, stride), \
            f"conv_output_shape{(size, kernel, padding, stride)} gave {got} (it must also be right for this check)"


@check("padding_stride.conv_output_shape", clauses="plain")
def check_conv_output_shape_plain_python(conv_output_shape):
    size, kernel, padding, stride = conv_configs(3)
    result, names = library_calls(conv_output_shape, size, kernel, padding, stride, libraries=(torch,))
    used = [n for n in names if not n.startswith("torch.nn.modules.utils")]
    assert not used, (f"conv_output_shape should be pure arithmetic on the sizes, but it called {', '.join(used)}: "
                      "build no layer and no tensor, use the formula")
    result = tuple(result) if isinstance(result, (tuple, list)) else result
    assert result == conv_shape(size, kernel, padding, stride), \
        f"conv_output_shape{(size, kernel, padding, stride)} gave {result} (it must also be right for this check)"


# §6.4 multiple input and output channels -------------------------------------------------------

MULTI_IN_SUBSTITUTE = ("corr2d", "corr2d_multi_in_out")
MULTI_IN_OUT_SUBSTITUTE = ("corr2d", "corr2d_multi_in")
ONE_BY_ONE_SUBSTITUTE = ("corr2d", "corr2d_multi_in", "corr2d_multi_in_out")


def multi_in_args(seed, dtype=torch.float32):
    c_i = randint(1, 5, (1,), seed).item() + (seed == 0)   # seed 0: at least two channels
    X, K = corr2d_args(seed)
    return randn((c_i,) + tuple(X.shape), seed, dtype=dtype), randn((c_i,) + tuple(K.shape), seed + 100, dtype=dtype)


def multi_in_out_args(seed, dtype=torch.float32):
    X, K = multi_in_args(seed, dtype)
    c_o = randint(1, 5, (1,), seed + 7).item()
    return X, randn((c_o,) + tuple(K.shape), seed + 200, dtype=dtype)


def channel_sum_hint(got, expected, axis: int, default: str) -> str:
    """The missing sum over the input channels (at ``axis`` of what came back): one map per channel."""
    if isinstance(got, torch.Tensor) and got.dim() == expected.dim() + 1 and \
            tuple(got.shape[:axis]) + tuple(got.shape[axis + 1:]) == tuple(expected.shape):
        if torch.allclose(got.detach().sum(axis).to(expected.dtype), expected, atol=1e-4):
            return (f"you returned one map per input channel (axis {axis}): add them up, .sum() over the input "
                    "channels")
    return default


def channel_checks(name, make_args, substitute, *, summed_axis, hint):
    """Declare the checks of the channel exercise ``name`` (``corr2d_multi_in``, ``corr2d_multi_in_out``), its speed
    aside: ``name(X, K)`` on ``make_args(seed, dtype)``; ``summed_axis``: where a missing sum over the input channels
    shows (``channel_sum_hint``); ``hint``: what to do otherwise."""
    key, call = f"channels.{name}", f"{name}(X, K)"
    reference_check(key, make_args, what=call, points=2, substitute=substitute,
                    hint=lambda got, X, K: channel_sum_hint(got, ref(key)(X, K), summed_axis, hint))
    dtype_check(key, make_args, (torch.float64,), what=call, operand="X", hint="keep X's dtype (no float32 accumulator)",
                substitute=substitute)

    def on_device(fn):
        assert_matches_reference(fn, ref(key), make_args, what=call, seeds=SEEDS[:1])
        assert_on_device(fn, *make_args(0), what=call)
    check_for(__name__, key, on_device, name="on_device", clauses="device", substitute=substitute)
    gradients_check(key, make_args, wrt=(0, 1), what=call, substitute=substitute)
    no_builtin_check(key, make_args, seed=1, forbidden=CONV_FUNCS, what=name, substitute=substitute)


channel_checks("corr2d_multi_in", multi_in_args, MULTI_IN_SUBSTITUTE, summed_axis=0,
               hint="sum over the input channels (not the mean); kernel c goes with channel c")


channel_checks("corr2d_multi_in_out", multi_in_out_args, MULTI_IN_OUT_SUBSTITUTE, summed_axis=1,
               hint="output channel o is corr2d_multi_in(X, K[o]); stack them along a new axis 0")


def conv2d_channels(X, K):
    """PyTorch's cross-correlation of ``X (c_i, h, w)`` with ``K (c_o, c_i, k_h, k_w)``: the channels' builtin."""
    return F.conv2d(X[None], K)[0]


speed_check("channels.corr2d_multi_in_out",
            lambda device, seed=0: (randn((16, 64, 64), seed, device=device),
                                    randn((32, 16, 3, 3), seed + 1000, device=device)),
            builtin=conv2d_channels, limit=20, atol=1e-4, clauses="fast",
            hint="no Python loop over the 16 × 32 channel pairs: combine the channels with matrix products "
                 "(e.g. one (c_o, c_i) @ (c_i, pixels) product per kernel entry)")


def one_by_one_args(seed):
    c_i, c_o, h, w = randint(1, 6, (4,), seed).tolist()
    return randn((c_i, h, w), seed), randn((c_o, c_i, 1, 1), seed + 1)


@check("channels.corr2d_multi_in_out_1x1", points=2, clauses="values", substitute=ONE_BY_ONE_SUBSTITUTE)
def check_corr2d_multi_in_out_1x1_equals_general(corr2d_multi_in_out_1x1):
    assert_matches_reference(corr2d_multi_in_out_1x1, ref("channels.corr2d_multi_in_out"), one_by_one_args,
                             what="corr2d_multi_in_out_1x1(X, K) against the general corr2d_multi_in_out",
                             seeds=SEEDS, atol=1e-6, rtol=0,
                             hint="K.reshape(c_o, c_i) @ X.reshape(c_i, h * w), reshaped to (c_o, h, w)")


@check("channels.corr2d_multi_in_out_1x1", clauses="no_builtin", substitute=ONE_BY_ONE_SUBSTITUTE)
def check_corr2d_multi_in_out_1x1_no_builtin(corr2d_multi_in_out_1x1):
    assert_no_forbidden_calls(corr2d_multi_in_out_1x1, *one_by_one_args(1), forbidden=CONV_FUNCS,
                              what="corr2d_multi_in_out_1x1", ref=ref("channels.corr2d_multi_in_out"))


speed_check("channels.corr2d_multi_in_out_1x1",
            lambda device, seed=0: (randn((64, 64, 64), seed, device=device),
                                    randn((64, 64, 1, 1), seed + 1000, device=device)),
            builtin=conv2d_channels, limit=10, atol=1e-4, clauses="fast",
            hint="one matrix product: K.reshape(c_o, c_i) @ X.reshape(c_i, h * w), no loop over pixels or channels")


# §6.5 pooling -----------------------------------------------------------------------------------

def pool_args(seed, mode, dtype=torch.float32):
    X, K = corr2d_args(seed, dtype)
    return X, tuple(K.shape), mode


def pool2d_hint(got, X, pool_size, mode) -> str:
    p_h, p_w = pool_size
    if isinstance(got, torch.Tensor) and p_h != p_w and X.shape[0] >= p_w and X.shape[1] >= p_h:
        swapped = ref("pooling.pool2d")(X, (p_w, p_h), mode)
        if got.shape == swapped.shape and torch.allclose(got.detach().to(swapped.dtype), swapped, atol=1e-5):
            return "p_h and p_w are swapped: pool_size is (p_h, p_w), p_h rows (axis 0) by p_w columns (axis 1)"
    return "the output is (n_h - p_h + 1) × (n_w - p_w + 1); 'max' takes each window's maximum, 'avg' its mean"


@check("pooling.pool2d", points=2, clauses="values")
def check_pool2d_matches_reference(pool2d):
    cases = [(randn((6, 7), 10), (2, 3))] + [pool_args(seed, None)[:2] for seed in SEEDS]  # first: fits swapped too
    for mode in ("max", "avg"):
        for X, size in cases:
            got = pool2d(X.clone(), size, mode)
            assert_close(got, ref("pooling.pool2d")(X, size, mode),
                         what=f"pool2d(X {tuple(X.shape)}, {size}, {mode!r})", hint=pool2d_hint(got, X, size, mode))


@check("pooling.pool2d", clauses="dtype")
def check_pool2d_keeps_dtype(pool2d):
    for mode in ("max", "avg"):
        assert_matches_reference(pool2d, ref("pooling.pool2d"), lambda seed: pool_args(seed, mode, torch.float64),
                                 what=f"pool2d(X, pool_size, {mode!r}) for a float64 X", seeds=SEEDS[:2],
                                 hint="keep X's dtype: not torch.zeros(shape) (float32) for the output")


@check("pooling.pool2d", clauses="device")
def check_pool2d_on_device(pool2d):
    for mode in ("max", "avg"):
        assert_right_on_device(pool2d, ref("pooling.pool2d"), lambda seed, mode=mode: pool_args(seed, mode),
                               what=f"pool2d(X, pool_size, {mode!r})", keeps=assert_on_device)


@check("pooling.pool2d", clauses="gradients")
def check_pool2d_gradients(pool2d):
    for mode in ("max", "avg"):
        assert_gradients_match(lambda X: pool2d(X, (2, 3), mode), lambda X: ref("pooling.pool2d")(X, (2, 3), mode),
                               (randn((6, 7), 0),), what=f"pool2d(X (6, 7), (2, 3), {mode!r})")


@check("pooling.pool2d", clauses="no_builtin")
def check_pool2d_no_builtin(pool2d):
    for mode in ("max", "avg"):
        assert_no_forbidden_calls(pool2d, *pool_args(1, mode), forbidden=POOL_FUNCS, what=f"pool2d(..., {mode!r})",
                                  ref=ref("pooling.pool2d"))


speed_check("pooling.pool2d", lambda device, seed=0: (randn((256, 256), seed, device=device), (3, 3), "max"),
            builtin=lambda X, size, mode: F.max_pool2d(X[None, None], size, stride=1)[0, 0], limit=20,
            clauses="fast",
            hint="no Python loop over the output pixels: X.unfold(0, p_h, 1).unfold(1, p_w, 1) gives every window "
                 "at once; reduce its last two axes")


def pooling_configs(seed, dtype=torch.float32):
    (n_h, n_w), kernel, padding, stride = conv_configs(seed)
    shape = (randint(1, 3, (1,), seed + 5).item(), randint(1, 4, (1,), seed + 6).item(), n_h, n_w)
    return randn(shape, seed, dtype=dtype), kernel, padding, stride


BUILTIN_POOL = {"max": F.max_pool2d, "avg": F.avg_pool2d}


@check("pooling.pooling_layer", points=2, clauses="values")
def check_pooling_layer_matches_pytorch(pooling_layer):
    for seed in SEEDS:
        X, kernel, padding, stride = pooling_configs(seed)
        for mode, builtin in BUILTIN_POOL.items():
            assert_close(pooling_layer(X.clone(), kernel, padding, stride, mode), builtin(X, kernel, stride, padding),
                         what=f"pooling_layer(X {tuple(X.shape)}, kernel {kernel}, padding {padding}, stride {stride},"
                              f" {mode!r}) against nn.{'Max' if mode == 'max' else 'Avg'}Pool2d",
                         hint="pad with -inf for max and 0 for avg (zeros count in the mean); pool each channel")


@check("pooling.pooling_layer", clauses="stride")
def check_pooling_layer_default_stride(pooling_layer):
    for seed in SEEDS:
        X, kernel, padding, _ = pooling_configs(seed)
        for mode, builtin in BUILTIN_POOL.items():
            assert_close(pooling_layer(X.clone(), kernel, padding, mode=mode), builtin(X, kernel, kernel, padding),
                         what=f"pooling_layer(X {tuple(X.shape)}, kernel {kernel}, padding {padding}, {mode!r}) with "
                              "the default stride", hint="stride=None means the stride is the kernel size")


@check("pooling.pooling_layer", clauses="pairs")
def check_pooling_layer_int_arguments(pooling_layer):
    for seed in SEEDS:
        X, (k, _), (p, _), (s, _) = pooling_configs(seed)
        expected = F.max_pool2d(X, k, s, p)
        for args in ((k, p, s), ((k, k), p, s), (k, (p, p), (s, s))):
            assert_close(pooling_layer(X.clone(), *args, "max"), expected,
                         what=f"pooling_layer(X {tuple(X.shape)}, {', '.join(map(str, args))}, 'max')",
                         hint="kernel_size, padding and stride may each be an int (both axes) or an (h, w) pair: "
                              "torch.nn.modules.utils._pair turns an int into a pair")


@check("pooling.pooling_layer", clauses="dtype")
def check_pooling_layer_keeps_dtype(pooling_layer):
    for mode in ("max", "avg"):
        assert_matches_reference(lambda X, k, p, s: pooling_layer(X, k, p, s, mode),
                                 lambda X, k, p, s: ref("pooling.pooling_layer")(X, k, p, s, mode),
                                 lambda seed: pooling_configs(seed, torch.float64), seeds=SEEDS[:2],
                                 what=f"pooling_layer(X, kernel, padding, stride, {mode!r}) for a float64 X",
                                 hint="keep X's dtype (the padding too)")


@check("pooling.pooling_layer", clauses="device")
def check_pooling_layer_on_device(pooling_layer):
    for mode in ("max", "avg"):
        X, kernel, padding, stride = pooling_configs(1)
        assert_close(pooling_layer(X.clone(), kernel, padding, stride, mode),
                     ref("pooling.pooling_layer")(X, kernel, padding, stride, mode),
                     what=f"pooling_layer(X {tuple(X.shape)}, {kernel}, {padding}, {stride}, {mode!r})")
        assert_on_device(pooling_layer, X, kernel, padding, stride, mode,
                         what=f"pooling_layer(X, kernel, padding, stride, {mode!r})",
                         hint="make the padding with F.pad(X, ..., value=...) or on X's device")


@check("pooling.pooling_layer", clauses="gradients")
def check_pooling_layer_gradients(pooling_layer):
    X, kernel, padding, stride = pooling_configs(2)
    for mode in ("max", "avg"):
        assert_gradients_match(lambda X: pooling_layer(X, kernel, padding, stride, mode),
                               lambda X: ref("pooling.pooling_layer")(X, kernel, padding, stride, mode), (X,),
                               what=f"pooling_layer(X {tuple(X.shape)}, {kernel}, {padding}, {stride}, {mode!r})")


@check("pooling.pooling_layer", clauses="no_builtin")
def check_pooling_layer_no_builtin(pooling_layer):
    X, kernel, padding, stride = pooling_configs(1)
    for mode in ("max", "avg"):
        assert_no_forbidden_calls(pooling_layer, X, kernel, padding, stride, mode, forbidden=POOL_FUNCS,
                                  what=f"pooling_layer(..., {mode!r})", ref=ref("pooling.pooling_layer"))


speed_check("pooling.pooling_layer",
            lambda device, seed=0: (randn((2, 4, 128, 128), seed, device=device), (3, 3), (1, 1), (2, 2), "max"),
            builtin=lambda X, k, p, s, mode: F.max_pool2d(X, k, s, p), limit=20, clauses="fast",
            hint="no Python loop over the output pixels: pad once, then X.unfold(-2, k_h, s_h).unfold(-2, k_w, s_w) "
                 "gives every window of every channel at once")


# §6.6 LeNet -------------------------------------------------------------------------------------

@check("lenet.lenet", points=2, clauses="values")
def check_lenet_same_function(lenet):
    net, reference_net = lenet(), ref("lenet.lenet")()
    assert_same_parameter_count(net, reference_net, what="lenet()")
    assert_same_function(net, reference_net, (randn((4, 1, 28, 28), 0),), what="lenet() on X (4, 1, 28, 28)")


class _Recorder(nn.Module):
    """Scores = the inputs (the first one of a list); records the mode, whether autograd was on, and the inputs'
    ids (to tell, on the student's side, whether they went through .to(device))."""

    def __init__(self, device="cpu"):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(1, device=device))
        self.seen = []

    def forward(self, X):
        inputs = X if isinstance(X, list) else [X]
        self.seen.append({"training": self.training, "grad": torch.is_grad_enabled(),
                          "ids": [id(x) for x in inputs]})
        return inputs[0]


def scored_batches(seed=0, sizes=(10, 10, 3)):
    n = sum(sizes)
    X, y = randn((n, 4), seed), randint(0, 4, (n,), seed + 1)
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return [(X[s:s + k], y[s:s + k]) for s, k in zip(starts, sizes)]


def expected_accuracy(batches) -> float:
    return ref("lenet.evaluate_accuracy_gpu")(_Recorder(), batches)


def recorded_evaluation(evaluate_accuracy_gpu, seed, sizes=(10, 10), *, training=False):
    """``evaluate_accuracy_gpu`` of a recording net (``_Recorder``, in training or eval mode) on
    ``scored_batches(seed, sizes)``: ``(what it returned, the net, the reference's accuracy)``."""
    batches = scored_batches(seed, sizes)
    net = _Recorder()
    net.train(training)
    return evaluate_accuracy_gpu(net, batches), net, expected_accuracy(batches)


@check("lenet.evaluate_accuracy_gpu", points=2, clauses="values")
def check_evaluate_accuracy_gpu_matches_reference(evaluate_accuracy_gpu):
    for seed in SEEDS[:3]:
        got, _, expected = recorded_evaluation(evaluate_accuracy_gpu, seed)
        assert_close(got, expected, what=f"evaluate_accuracy_gpu over two batches of 10 examples (seed {seed})",
                     hint="the fraction of examples whose argmax along dim 1 equals the label")


@check("lenet.evaluate_accuracy_gpu", clauses="weights")
def check_evaluate_accuracy_gpu_weights(evaluate_accuracy_gpu):
    got, _, expected = recorded_evaluation(evaluate_accuracy_gpu, 0, (10, 10, 3))
    assert_close(got, expected, what="evaluate_accuracy_gpu over batches of 10, 10 and 3 examples",
                 hint="divide the correct predictions by all examples, not the mean of per-batch accuracies")


@check("lenet.evaluate_accuracy_gpu", clauses="eval_mode")
def check_evaluate_accuracy_gpu_eval_mode(evaluate_accuracy_gpu):
    got, net, expected = recorded_evaluation(evaluate_accuracy_gpu, 1, training=True)
    assert not net.training, "evaluate_accuracy_gpu should put the net in eval mode (net.eval())"
    assert_close(got, expected, what="evaluate_accuracy_gpu (it must also be right for this check)")


@check("lenet.evaluate_accuracy_gpu", clauses="no_grad")
def check_evaluate_accuracy_gpu_no_grad(evaluate_accuracy_gpu):
    got, net, expected = recorded_evaluation(evaluate_accuracy_gpu, 2)
    assert net.seen, "evaluate_accuracy_gpu never called the net"
    assert not any(call["grad"] for call in net.seen), \
        "evaluate under torch.no_grad(): no graph is needed, and the book's BatchNorm reads it as inference mode"
    assert_close(got, expected, what="evaluate_accuracy_gpu (it must also be right for this check)")


def _is_fake(device) -> bool:
    try:
        return isinstance(device, (str, torch.device)) and torch.device(device).type == "meta"
    except (RuntimeError, TypeError, ValueError):
        return False


class _FakeDevice(TorchFunctionMode):
    """Student side: the device 'meta' stands for a second device (a GPU), while everything really stays on the
    CPU: ``.to('meta')`` and ``device='meta'`` are served on the CPU and recorded (which tensors were sent, and
    what came back), so a loop can run to the end and the judge learns what it moved."""

    def __init__(self):
        super().__init__()
        self.sent, self.sent_ptrs, self.received = set(), set(), set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        args, kwargs, fake = list(args), dict(kwargs or {}), False
        if "device" in kwargs and _is_fake(kwargs["device"]):
            kwargs["device"], fake = "cpu", True
        if func is torch.Tensor.to:
            for i in range(1, len(args)):
                if _is_fake(args[i]):
                    args[i], fake = "cpu", True
                elif isinstance(args[i], torch.Tensor) and args[i].device.type == "meta":   # .to(other_tensor)
                    args[i], fake = torch.empty(0, dtype=args[i].dtype), True
        out = func(*args, **kwargs)
        if fake and func is torch.Tensor.to and isinstance(args[0], torch.Tensor):
            self.sent.add(id(args[0]))
            self.sent_ptrs.add(args[0].data_ptr())
            self.received.add(id(out))
        return out

    def was_sent(self, t) -> bool:
        return id(t) in self.sent or t.data_ptr() in self.sent_ptrs


def evaluate_on_fake_device(evaluate, batches, explicit: bool):
    """Student side: evaluate(net, batches[, 'meta']) with the net's parameter (default) or the device argument on
    the stand-in second device; what was moved."""
    net = _Recorder("cpu" if explicit else "meta")
    with _FakeDevice() as mode:
        value = evaluate(net, batches, "meta") if explicit else evaluate(net, batches)
    return {"value": value, "calls": len(net.seen),
            "inputs_moved": all(i in mode.received for call in net.seen for i in call["ids"]),
            "labels_moved": all(mode.was_sent(y) for _, y in batches)}


@check("lenet.evaluate_accuracy_gpu", clauses="device")
def check_evaluate_accuracy_gpu_moves_to_device(evaluate_accuracy_gpu):
    batches = scored_batches(3, (10, 10))   # equal sizes: how batches are weighted is another clause
    expected = expected_accuracy(batches)
    for explicit, how in ((False, "the device of the net's first parameter (device not given)"),
                          (True, "device='meta' given")):
        seen = student_side(evaluate_on_fake_device, evaluate_accuracy_gpu, batches, explicit)
        assert seen["calls"], "evaluate_accuracy_gpu never called the net"
        assert seen["inputs_moved"], f"evaluate_accuracy_gpu should move every X to {how} before net(X)"
        assert seen["labels_moved"], f"evaluate_accuracy_gpu should move every y to {how} too"
        assert_close(seen["value"], expected, what=f"evaluate_accuracy_gpu with {how} (it must also be right for "
                     "this check)")


@check("lenet.evaluate_accuracy_gpu", clauses="lists")
def check_evaluate_accuracy_gpu_list_inputs(evaluate_accuracy_gpu):
    batches = scored_batches(4, (10, 10))
    expected = expected_accuracy(batches)
    listed = [([X, torch.zeros(len(X), 2)], y) for X, y in batches]
    seen = student_side(evaluate_on_fake_device, evaluate_accuracy_gpu, listed, True)
    assert seen["calls"], "evaluate_accuracy_gpu never called the net"
    assert seen["inputs_moved"], "when X is a list of tensors, move each of them to device ([x.to(device) for x in X])"
    assert_close(seen["value"], expected, what="evaluate_accuracy_gpu where each X is a list of two tensors")


@check("lenet.evaluate_accuracy_gpu", clauses="returns")
def check_evaluate_accuracy_gpu_returns_float(evaluate_accuracy_gpu):
    got, _, expected = recorded_evaluation(evaluate_accuracy_gpu, 0, training=True)
    assert type(got) is float, f"evaluate_accuracy_gpu should return a Python float, got {type_name(got)}: {got!r} " \
                               "(float(...) of the count, divided by the number of examples)"
    assert_close(got, expected, what="evaluate_accuracy_gpu (it must also be right for this check)")


def tiny_task(seed=0, sizes=(16, 16, 10)):
    """A small synthetic classification task: images (1, 6, 6), 3 classes, batches of 16, 16 and 10."""
    n = sum(sizes)
    X, y = randn((n, 1, 6, 6), seed), randint(0, 3, (n,), seed + 1)
    X = X + y.reshape(-1, 1, 1, 1).float()
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return [(X[s:s + k], y[s:s + k]) for s, k in zip(starts, sizes)]


class _Affine(nn.Module):
    """A linear layer that is not an nn.Linear: train_ch6 leaves its initialisation alone (so a check of the
    training does not hang on the initialisation, which has its own check)."""

    def __init__(self, n_in, n_out, seed=0):
        super().__init__()
        self.weight = nn.Parameter(randn((n_in, n_out), seed, scale=0.1))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, X):
        return X.reshape(X.shape[0], -1) @ self.weight + self.bias


class _ModeProbe(nn.Module):
    """Scales its input by a parameter (1 at first); records the module's mode at each forward whose result is
    back-propagated (a training step), and the ids of its inputs."""

    def __init__(self):
        super().__init__()
        self.one = nn.Parameter(torch.ones(1))
        self.modes, self.inputs = [], []

    def forward(self, X):
        out = X * self.one
        if out.requires_grad:
            mode, ident = self.training, id(X)

            def record(grad):
                self.modes.append(mode)
                self.inputs.append(ident)
            out.register_hook(record)
        return out


def trained_parameters(train, net, batches, epochs=2, lr=0.3, device="cpu"):
    history = train(net, batches, batches, epochs, lr, device)
    return history, [p.detach().cpu().clone() for p in net.parameters()]


def reference_training(net_maker, epochs=2, lr=0.3):
    torch.manual_seed(0)
    return trained_parameters(ref("lenet.train_ch6"), net_maker(), tiny_task(), epochs, lr)


def affine_net():
    return nn.Sequential(_ModeProbe(), _Affine(36, 3))


TRAIN_HINT = ("plain SGD on the mean cross-entropy, once per batch: optimizer.zero_grad(), l.backward(), "
              "optimizer.step() with torch.optim.SGD(net.parameters(), lr=lr) and nn.CrossEntropyLoss()")


def assert_same_parameters(params, expected, what):
    assert len(params) == len(expected), f"{what}: the net has {len(params)} parameters, expected {len(expected)}"
    for i, (p, q) in enumerate(zip(params, expected)):
        assert_close(p, q, what=f"{what}, parameter #{i + 1}", atol=1e-4, hint=TRAIN_HINT)


@check("lenet.train_ch6", points=2, clauses="values", substitute=("evaluate_accuracy_gpu",))
def check_train_ch6_matches_reference(train_ch6, device):
    _, expected = reference_training(affine_net)
    torch.manual_seed(0)
    net = affine_net()
    _, params = trained_parameters(train_ch6, net, tiny_task(), device=device)
    assert_same_parameters(params, expected, "the parameters after 2 epochs of train_ch6 (lr 0.3) on a small task")


@check("lenet.train_ch6", clauses="history", substitute=("evaluate_accuracy_gpu",))
def check_train_ch6_history(train_ch6):
    expected, _ = reference_training(affine_net)
    torch.manual_seed(0)
    history, _ = trained_parameters(train_ch6, affine_net(), tiny_task())
    assert isinstance(history, (list, tuple)) and len(history) == 2, \
        f"train_ch6(..., num_epochs=2, ...) should return one entry per epoch, got {history!r}"
    for epoch, (got, wanted) in enumerate(zip(history, expected)):
        assert isinstance(got, (tuple, list)) and len(got) == 3, \
            f"epoch {epoch + 1}: expected (train_loss, train_acc, test_acc), got {got!r}"
        for i, label in enumerate(("train loss", "train accuracy", "test accuracy")):
            assert_close(got[i], wanted[i], atol=1e-4, rtol=1e-4,
                         what=f"the {label} train_ch6 reports for epoch {epoch + 1} (batches of 16, 16 and 10)",
                         hint="average over the examples of the epoch (sum of loss × batch size, divided by the "
                              "number of examples), not over batches; the test accuracy is "
                              "evaluate_accuracy_gpu(net, test_iter, device) after the epoch")


def init_net():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(64, 8), nn.Sigmoid(),
                         nn.Linear(8, 3), _Affine(3, 3, seed=5))


def seeded_initialisation(train_ch6, seed, batches):
    """Right after torch.manual_seed(seed): a fresh net, then train_ch6 with lr 0 (the weights stay as
    initialised). Its parameters by name."""
    torch.manual_seed(seed)
    net = init_net()
    train_ch6(net, batches, batches, 1, 0.0, "cpu")
    return [(name, p.detach().cpu().clone()) for name, p in net.named_parameters()]


def init_hint(name, got, net) -> str:
    layer = dict(net.named_modules())[name.rsplit(".", 1)[0]]
    if name.endswith("bias") or type(layer) is _Affine:
        return f"{name} should be left as it is: only the weights of nn.Linear and nn.Conv2d are re-initialised"
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(got)
    bound = (6 / (fan_in + fan_out)) ** 0.5
    if got.abs().max() > bound * (1 + 1e-6) or got.abs().max() < 0.8 * bound:
        return f"not Xavier-uniform: nn.init.xavier_uniform_ fills ±{bound:.4f} (max |w| here {got.abs().max():.4f})"
    return ("Xavier-uniform, but not the reference's numbers under the same seed: initialise first, with "
            "net.apply(init_weights), nothing else random before it, only nn.Linear and nn.Conv2d")


@check("lenet.train_ch6", clauses="init", substitute=("evaluate_accuracy_gpu",))
def check_train_ch6_xavier_initialisation(train_ch6):
    batches = tiny_task(sizes=(4,))
    for seed in (0, 1):
        got = student_side(seeded_initialisation, train_ch6, seed, batches)
        expected = seeded_initialisation(ref("lenet.train_ch6"), seed, batches)
        assert [n for n, _ in got] == [n for n, _ in expected], "train_ch6 changed which parameters the net has"
        for (name, g), (_, e) in zip(got, expected):
            if not torch.allclose(g, e, atol=1e-7, rtol=0):
                raise AssertionError(f"after train_ch6 with lr 0 (right after torch.manual_seed({seed})), {name} "
                                     f"differs from the reference's: max difference {(g - e).abs().max():.3g}"
                                     f"\n  hint: {init_hint(name, g, init_net())}")


@check("lenet.train_ch6", clauses="train_mode", substitute=("evaluate_accuracy_gpu",))
def check_train_ch6_train_mode(train_ch6):
    _, expected = reference_training(affine_net)
    torch.manual_seed(0)
    net = affine_net()
    net.eval()
    _, params = trained_parameters(train_ch6, net, tiny_task())
    modes = net[0].modes
    assert len(modes) == 6, f"expected 6 training steps (2 epochs of 3 batches), saw {len(modes)} back-propagated " \
                            "forward passes"
    steps = [i + 1 for i, training in enumerate(modes) if not training]
    assert not steps, (f"training steps {steps} ran with the net in eval mode: call net.train() at the start of "
                       "every epoch (evaluate_accuracy_gpu switches it to eval mode)")
    assert_same_parameters(params, expected, "the parameters after training (they must also be right for this check)")


def _standin_evaluate(net, data_iter, device=None):
    """The check's evaluate_accuracy_gpu while train_ch6 runs on the stand-in device."""
    net.eval()
    correct, total = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            correct += float((net(X).argmax(dim=1) == y).sum())
            total += y.numel()
    return correct / total


def train_on_fake_device(train_ch6, batches):
    """Student side: train_ch6(net, ..., device='meta') with 'meta' standing for a second device (everything
    really runs on the CPU, with the check's own evaluate_accuracy_gpu); what was moved, and the parameters."""
    torch.manual_seed(0)
    net = affine_net()
    namespace = getattr(train_ch6, "__globals__", {})
    original = namespace.get("evaluate_accuracy_gpu")
    if original is not None:
        namespace["evaluate_accuracy_gpu"] = _standin_evaluate
    try:
        with _FakeDevice() as mode:
            train_ch6(net, batches, batches, 2, 0.3, "meta")
    finally:
        if original is not None:
            namespace["evaluate_accuracy_gpu"] = original
    probe = net[0]
    return {"steps": len(probe.inputs), "inputs_moved": all(i in mode.received for i in probe.inputs),
            "labels_moved": all(mode.was_sent(y) for _, y in batches),
            "net_moved": any(id(p) in mode.sent for p in net.parameters()),
            "params": [p.detach().clone() for p in net.parameters()]}


@check("lenet.train_ch6", clauses="device")
def check_train_ch6_moves_to_device(train_ch6):
    _, expected = reference_training(affine_net)
    seen = student_side(train_on_fake_device, train_ch6, tiny_task())
    assert seen["net_moved"], "train_ch6 should move the net to device (net.to(device))"
    assert seen["steps"], "train_ch6 took no training step"
    assert seen["inputs_moved"], "train_ch6 should move every training batch X to device before net(X)"
    assert seen["labels_moved"], "train_ch6 should move every training batch's y to device too"
    assert_same_parameters(seen["params"], expected,
                           "the parameters after training on device (they must also be right for this check)")


# The sigmoid LeNet sits on a plateau at 10% accuracy for a few hundred steps, longer or shorter depending on
# its initialisation (seeds 0-5 leave it within 1 to 4 epochs of this budget); 5 epochs end past it for all of them
# (test accuracy 0.65-0.73), so the threshold does not hang on one lucky initialisation.
LENET_BUDGET = "5 epochs on the first 30,000 training images (batch 128, lr 0.9), tested on the first 2,000 test images"
TEST_LIMIT = 2000


def lenet_run(lenet, train_ch6, evaluate_accuracy_gpu, device):
    """Student side: the book's LeNet run of §6.6.2 on a budget; the history, the accuracy the student's
    evaluate_accuracy_gpu reports, and the trained net's predictions on the test images."""
    train_iter, test_iter = fashion_mnist_subset_iters(128, limit=30000, test_limit=TEST_LIMIT)
    net = lenet()
    history = train_ch6(net, train_iter, test_iter, 5, 0.9, device)
    reported = evaluate_accuracy_gpu(net, test_iter, device)
    X_test = fashion_mnist_tensors(False, limit=TEST_LIMIT)[0]
    return {"history": history, "reported": reported, "predictions": predict_labels(net, X_test.to(device)).cpu()}


def lenet_accuracy(run) -> float:
    """Judge side: the test accuracy from the trained net's predictions; the numbers the student's code reported
    must be that number."""
    labels = fashion_mnist_tensors(False, limit=TEST_LIMIT)[1]
    predictions = run["predictions"]
    if not isinstance(predictions, torch.Tensor) or predictions.shape != labels.shape:
        raise AssertionError("the trained LeNet's predictions on the test images have the wrong shape")
    accuracy = float((predictions == labels).double().mean())
    history = run["history"]
    try:
        reported = {"train_ch6's history (its last test_acc)": history[-1][2],
                    "evaluate_accuracy_gpu": run["reported"]}
    except (TypeError, IndexError, KeyError):
        raise AssertionError(f"train_ch6 should return one (train_loss, train_acc, test_acc) per epoch, got "
                             f"{history!r}") from None
    for who, value in reported.items():
        if not (isinstance(value, (int, float)) and abs(value - accuracy) < 1e-6):
            raise AssertionError(f"{who} reported a test accuracy of {value!r}, but the trained net's predictions "
                                 f"are right for {accuracy:.4f} of the test images: report the accuracy computed "
                                 "from the model's predictions")
    return accuracy


@check("lenet.train_ch6", points=3, kind="accuracy", clauses="trains",
       uses={"lenet": "lenet.lenet", "evaluate_accuracy_gpu": "lenet.evaluate_accuracy_gpu"})
def check_train_ch6_reaches_threshold(lenet, train_ch6, evaluate_accuracy_gpu, device):
    train_to_threshold(lambda: lenet_run(lenet, train_ch6, evaluate_accuracy_gpu, device),
                       metric=lenet_accuracy, history=lambda run: run["history"], threshold=0.5, reference_value=0.73,
                       what="test accuracy (from the trained net's predictions) of your lenet() trained by your "
                            "train_ch6, with your evaluate_accuracy_gpu reporting it", budget=LENET_BUDGET)
