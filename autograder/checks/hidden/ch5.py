"""Chapter 5 (深度学习计算), hidden checks: networks against the reference with its weights, registration of
parameters and buffers, gradients, file round trips and device selection."""
import pickle
import tempfile
from pathlib import Path
from unittest import mock

import torch
from torch import nn

from autograder.harness import (type_name, SEEDS, assert_close, assert_gradients_match, assert_matches_reference,
                                assert_same_function, assert_same_parameter_count, assert_tensor, check,
                                load_weights_in_order, randn, reference)


def ref(name):
    return reference(f"ch5.{name}")


def same_network(net, expected, X, what):
    assert_same_parameter_count(net, expected, what=what)
    assert_same_function(net, expected, (X,), what=what)


# §5.1 layers and blocks ------------------------------------------------------------------------

@check("layers_and_blocks.MLP", points=2)
def check_MLP_same_function(MLP):
    net = MLP()
    same_network(net, ref("layers_and_blocks.MLP")(), randn((5, 20), 0), "MLP()")
    keys = sorted(net.state_dict())
    assert keys == ["hidden.bias", "hidden.weight", "output.bias", "output.weight"], \
        f"MLP's layers should be called hidden and output (the book's names, used when saving): got {keys}"


@check("layers_and_blocks.MySequential", points=2)
def check_MySequential_registers_in_order(MySequential):
    blocks = [nn.Linear(6, 5), nn.ReLU(), nn.Dropout(0.5), nn.Linear(5, 3)]
    net, expected = MySequential(*blocks), nn.Sequential(*blocks)
    assert_same_parameter_count(net, expected, what="MySequential(Linear(6, 5), ReLU, Dropout, Linear(5, 3))")
    keys = list(net.state_dict())
    assert keys == list(expected.state_dict()), \
        (f"state_dict() keys are {keys}, expected {list(expected.state_dict())}: register each block under its "
         "index, in the order given")
    net.eval()
    assert not blocks[2].training, "net.eval() should reach the blocks (they must be registered child modules)"
    X = randn((4, 6), 1)
    with torch.no_grad():
        assert_close(net(X), expected.eval()(X), what="MySequential(...)(X) in eval mode",
                     hint="apply the blocks in the order they were given")
    net.to(torch.float64)
    assert blocks[0].weight.dtype == torch.float64, "net.to(torch.float64) should reach the blocks' parameters"


@check("layers_and_blocks.FixedHiddenMLP", points=2)
def check_FixedHiddenMLP_same_function(FixedHiddenMLP):
    net, expected = FixedHiddenMLP(), ref("layers_and_blocks.FixedHiddenMLP")()
    assert_same_parameter_count(net, expected, what="FixedHiddenMLP()")
    keys = sorted(net.state_dict())
    assert keys == ["linear.bias", "linear.weight", "rand_weight"], \
        (f"state_dict() keys are {keys}: rand_weight is a constant, registered as a buffer "
         "(self.register_buffer('rand_weight', torch.rand(20, 20))), and one nn.Linear(20, 20) is used twice")
    for seed, scale in ((0, 1.0), (1, 50.0), (2, 0.01)):
        assert_same_function(net, expected, (randn((3, 20), seed, scale=scale),),
                             what=f"FixedHiddenMLP()(X (3, 20), scale {scale})")


@check("layers_and_blocks.NestMLP")
def check_NestMLP_same_function(NestMLP):
    same_network(NestMLP(), ref("layers_and_blocks.NestMLP")(), randn((5, 20), 0), "NestMLP()")


@check("layers_and_blocks.chimera")
def check_chimera_same_function(chimera):
    same_network(chimera(), ref("layers_and_blocks.chimera")(), randn((5, 20), 0), "chimera()")


# §5.2 parameter management ---------------------------------------------------------------------

def untouched_conv(init):
    conv = nn.Conv2d(2, 3, 3)
    before = [p.detach().clone() for p in conv.parameters()]
    conv.apply(init)
    return all(torch.equal(a, b) for a, b in zip(before, conv.parameters()))


@check("parameters.init_normal")
def check_init_normal_statistics(init_normal):
    net = nn.Sequential(nn.Linear(200, 300), nn.ReLU(), nn.Linear(300, 10))
    net.apply(init_normal)
    for layer in (net[0], net[2]):
        std = layer.weight.detach().std().item()
        assert 0.0095 < std < 0.0105, f"weights after init_normal should have std 0.01, got {std:.4f}"
        assert torch.all(layer.bias == 0), "init_normal sets every nn.Linear's bias to 0"
    assert untouched_conv(init_normal), "init_normal should change nn.Linear layers only"


@check("parameters.init_constant")
def check_init_constant_every_linear(init_constant):
    net = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    net.apply(init_constant)
    for layer in (net[0], net[2]):
        assert torch.all(layer.weight == 1) and torch.all(layer.bias == 0), \
            "every nn.Linear should get weights 1 and bias 0"
    assert untouched_conv(init_constant), "init_constant should change nn.Linear layers only"


@check("parameters.my_init", points=2)
def check_my_init_statistics(my_init):
    layer = nn.Linear(300, 200)
    weight, bias = layer.weight, layer.bias.detach().clone()
    layer.apply(my_init)
    assert layer.weight is weight and layer.weight.is_leaf, \
        "my_init must change the weight in place (the same nn.Parameter, still a leaf)"
    w = layer.weight.detach()
    zeros = (w == 0).float().mean().item()
    kept = w[w != 0].abs()
    assert abs(zeros - 0.5) < 0.02, f"{zeros:.3f} of the weights are 0; U(-10, 10) puts half of them in |w| < 5"
    assert kept.min().item() >= 5 and kept.max().item() <= 10 and abs(kept.mean().item() - 7.5) < 0.1, \
        (f"the nonzero weights should be uniform on 5 <= |w| <= 10; they range over [{kept.min().item():.3g}, "
         f"{kept.max().item():.3g}] with mean |w| {kept.mean().item():.3g}")
    assert torch.equal(layer.bias.detach(), bias), "my_init leaves the bias alone"
    assert untouched_conv(my_init), "my_init should change nn.Linear layers only"


@check("parameters.tied_net", points=2)
def check_tied_net_gradients_accumulate(tied_net):
    net, expected = tied_net(), ref("parameters.tied_net")()
    same_network(net, expected, randn((6, 4), 0), "tied_net()")
    assert net[2] is net[4], "net[2] and net[4] must be the same layer"
    load_weights_in_order(net, expected, what="tied_net()")
    X = randn((6, 4), 1)
    for model in (net, expected):
        model.zero_grad()
        model(X).sum().backward()
    assert_close(net[2].weight.grad, expected[2].weight.grad,
                 what="the gradient of the shared layer's weight (the sum over both uses)")


# §5.4 custom layers ----------------------------------------------------------------------------

@check("custom_layers.CenteredLayer", points=2)
def check_CenteredLayer_matches_reference(CenteredLayer):
    layer, expected = CenteredLayer(), ref("custom_layers.CenteredLayer")()
    args = lambda seed: (randn((4, 3, 5), seed, scale=3) + seed,)  # noqa: E731
    assert_matches_reference(layer, expected, args, what="CenteredLayer()(X)", seeds=SEEDS,
                             hint="subtract the mean of all entries (X.mean(), not a mean per row or column)")
    assert_gradients_match(layer, expected, args(0), what="CenteredLayer()(X)")
    assert not list(layer.parameters()), "CenteredLayer has no parameters"
    net = nn.Sequential(nn.Linear(8, 128), layer)
    assert abs(net(torch.rand(4, 8)).mean().item()) < 1e-6, "the output of Sequential(Linear, CenteredLayer) has mean 0"


@check("custom_layers.MyLinear", points=2)
def check_MyLinear_learns(MyLinear):
    torch.manual_seed(0)
    layer, expected = MyLinear(5, 3), ref("custom_layers.MyLinear")(5, 3)
    names = sorted(n for n, _ in layer.named_parameters())
    assert names == ["bias", "weight"], f"MyLinear's parameters are {names}: make weight and bias nn.Parameters"
    same_network(layer, expected, randn((4, 5), 0), "MyLinear(5, 3)")
    X = randn((4, 5), 1)
    for model in (layer, expected):
        model.zero_grad()
        model(X).sum().backward()
    for name in ("weight", "bias"):
        got = getattr(layer, name).grad
        assert got is not None and got.abs().sum() > 0, \
            (f"no gradient reaches MyLinear.{name}: forward must use self.{name} itself, not self.{name}.data "
             "(the book's version never learns)")
        assert_close(got, getattr(expected, name).grad, what=f"the gradient of MyLinear.{name}")
    uses = lambda X, W, b: torch.relu(X @ W + b)  # noqa: E731
    assert_gradients_match(lambda X, W, b: _with_params(MyLinear, W, b)(X), uses, [X, layer.weight, layer.bias],
                           wrt=(1, 2), what="MyLinear(5, 3)(X) as a function of weight and bias")


def _with_params(MyLinear, W, b):
    """A ``MyLinear`` whose parameters are replaced by the given tensors (so autograd can differentiate them)."""
    layer = MyLinear(*W.shape)
    del layer.weight, layer.bias
    layer.weight, layer.bias = W, b
    return layer


# §5.5 file I/O ---------------------------------------------------------------------------------

EXAMPLES = {
    "a tensor": torch.arange(6.0).reshape(2, 3),
    "a list": [torch.arange(4), torch.zeros(4, dtype=torch.float64)],
    "a dict": {"x": torch.arange(4), "y": torch.ones(2, 2, dtype=torch.bool)},
}


def assert_same_object(got, expected, what):
    if isinstance(expected, torch.Tensor):
        assert_close(got, expected, what=what)
    elif isinstance(expected, dict):
        assert isinstance(got, dict) and set(got) == set(expected), f"{what} should be a dict with keys {set(expected)}"
        for k in expected:
            assert_same_object(got[k], expected[k], f"{what}[{k!r}]")
    else:
        assert isinstance(got, (list, tuple)) and len(got) == len(expected), f"{what} should be a list of {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same_object(g, e, f"{what}[{i}]")


@check("file_io.save_tensors", points=2)
def check_save_tensors_round_trips(save_tensors):
    with tempfile.TemporaryDirectory() as folder:
        for label, obj in EXAMPLES.items():
            path = Path(folder) / "saved"
            save_tensors(obj, path)
            assert_same_object(torch.load(path, weights_only=True), obj, f"{label} saved and loaded back")


@check("file_io.load_tensors", points=2)
def check_load_tensors_round_trips_and_safety(load_tensors, device):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "saved"
        for label, obj in EXAMPLES.items():
            torch.save(obj, path)
            got = load_tensors(path, device)
            assert_same_object(_to_cpu(got), obj, f"{label} loaded with load_tensors")
            first = got if isinstance(got, torch.Tensor) else next(iter(got.values())) if isinstance(got, dict) \
                else got[0]
            assert_tensor(first, what=f"{label} loaded with load_tensors(path, {device!r})", device=device)
        torch.save(nn.Linear(2, 2), path)  # a pickled module: loading it runs arbitrary code
        try:
            load_tensors(path)
        except pickle.UnpicklingError:
            return
        raise AssertionError("load_tensors loaded a pickled nn.Module: load with torch.load(..., weights_only=True) "
                             "so that files holding code are refused")


def _to_cpu(obj):
    if isinstance(obj, torch.Tensor):
        return obj.cpu()
    if isinstance(obj, dict):
        return {k: _to_cpu(v) for k, v in obj.items()}
    return [_to_cpu(v) for v in obj]


@check("file_io.save_params", points=2)
def check_save_params_state_dict(save_params):
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    net.train()(randn((8, 3), 0))  # running statistics (buffers) are part of what must be saved
    with tempfile.TemporaryDirectory() as folder:
        save_params(net, Path(folder) / "net.params")
        try:
            state = torch.load(Path(folder) / "net.params", weights_only=True)
        except pickle.UnpicklingError:
            raise AssertionError("the saved file does not load with weights_only=True: save net.state_dict(), "
                                 "not the module itself") from None
    expected = net.state_dict()
    assert isinstance(state, dict) and list(state) == list(expected), \
        f"the file should hold net.state_dict(), with keys {list(expected)}; got {type_name(state)}"
    for k in expected:
        assert_close(state[k], expected[k], what=f"the saved {k}")


@check("file_io.load_params", points=2)
def check_load_params_fresh_model(load_params):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(20, 30), nn.Dropout(0.5), nn.Linear(30, 10))
    X = randn((4, 20), 0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.params"
        torch.save(net.state_dict(), path)
        clone = load_params(nn.Sequential(nn.Linear(20, 30), nn.Dropout(0.5), nn.Linear(30, 10)), path)
        assert isinstance(clone, nn.Module) and not clone.training, \
            "load_params returns the model put in eval mode (clone.eval())"
        with torch.no_grad():
            assert_close(clone(X), net.eval()(X), what="the loaded model's output (eval mode)")
        torch.save({k: v for k, v in net.state_dict().items() if k != "2.bias"}, path)
        try:
            load_params(nn.Sequential(nn.Linear(20, 30), nn.Dropout(0.5), nn.Linear(30, 10)), path)
        except RuntimeError:
            return
    raise AssertionError("load_params accepted a file without the key '2.bias': load strictly, so a missing "
                         "parameter is an error and not a silently untrained layer")


# §5.6 GPUs -------------------------------------------------------------------------------------

def with_gpus(n, fn, *args):
    """Call ``fn`` as if the machine had ``n`` GPUs."""
    with mock.patch.object(torch.cuda, "device_count", return_value=n), \
            mock.patch.object(torch.cuda, "is_available", return_value=n > 0):
        return fn(*args)


@check("gpu.try_gpu", points=2)
def check_try_gpu_counts(try_gpu):
    for n, i, expected in ((0, 0, "cpu"), (2, 0, "cuda:0"), (2, 1, "cuda:1"), (2, 2, "cpu"), (1, 3, "cpu")):
        got = with_gpus(n, try_gpu, i)
        assert isinstance(got, torch.device), f"try_gpu should return a torch.device, got {got!r}"
        assert got == torch.device(expected), \
            f"try_gpu({i}) on a machine with {n} GPUs should be {expected!r}, got {got!r}"


@check("gpu.try_gpu", gpu=True, name="here_gpu")
def check_try_gpu_real_cuda(try_gpu, device):
    got = try_gpu()
    assert got == torch.device("cuda:0"), f"try_gpu() on a machine with CUDA should be cuda:0, got {got!r}"
    X = torch.ones(2, 3, device=got)
    assert X.device.type == "cuda", "a tensor created on try_gpu() should live on the GPU"


@check("gpu.try_all_gpus", points=2)
def check_try_all_gpus_counts(try_all_gpus):
    for n in (0, 1, 3):
        got = with_gpus(n, try_all_gpus)
        expected = [torch.device(f"cuda:{i}") for i in range(n)] or [torch.device("cpu")]
        assert isinstance(got, list) and got == expected, \
            f"try_all_gpus() on a machine with {n} GPUs should be {expected}, got {got!r}"


@check("gpu.try_all_gpus", gpu=True, name="here_gpu")
def check_try_all_gpus_real_cuda(try_all_gpus, device):
    got = try_all_gpus()
    assert len(got) == torch.cuda.device_count() and all(d.type == "cuda" for d in got), \
        f"with {torch.cuda.device_count()} GPUs, try_all_gpus() should list them all, got {got}"
