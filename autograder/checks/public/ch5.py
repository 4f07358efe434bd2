"""Chapter 5 (深度学习计算), public checks: the book's examples and the shapes it states."""
import tempfile
from pathlib import Path

import torch
from torch import nn

from autograder.harness import type_name, assert_close, assert_tensor, check, count_parameters


def book_X():
    return torch.rand(2, 20, generator=torch.Generator().manual_seed(0))


def small_net():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))


# §5.1 layers and blocks ------------------------------------------------------------------------

@check("layers_and_blocks.MLP")
def check_MLP_book_example(MLP):
    net = MLP()
    assert_tensor(net(book_X()), what="MLP()(X (2, 20))", shape=(2, 10))
    assert count_parameters(net) == 20 * 256 + 256 + 256 * 10 + 10, \
        f"MLP() has {count_parameters(net):,} parameters, expected 7,946 (Linear(20, 256) and Linear(256, 10))"


@check("layers_and_blocks.MySequential")
def check_MySequential_book_example(MySequential):
    net = MySequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10))
    assert_tensor(net(book_X()), what="MySequential(Linear(20, 256), ReLU(), Linear(256, 10))(X (2, 20))",
                  shape=(2, 10))
    count = len(list(net.parameters()))
    assert count == 4, (f"net.parameters() of MySequential(Linear, ReLU, Linear) yields {count} tensors, expected 4: "
                        "register the blocks as child modules (self._modules[str(idx)] = module), not in a plain list")


@check("layers_and_blocks.FixedHiddenMLP")
def check_FixedHiddenMLP_book_example(FixedHiddenMLP):
    out = FixedHiddenMLP()(book_X())
    assert_tensor(out, what="FixedHiddenMLP()(X (2, 20))", shape=())
    assert abs(out.item()) <= 1, f"the output is {out.item():.4g}: halve X while X.abs().sum() > 1, then return X.sum()"


@check("layers_and_blocks.NestMLP")
def check_NestMLP_book_example(NestMLP):
    assert_tensor(NestMLP()(book_X()), what="NestMLP()(X (2, 20))", shape=(2, 16))


@check("layers_and_blocks.chimera")
def check_chimera_book_example(chimera):
    net = chimera()
    kinds = [type_name(m) for m in net]
    assert kinds == ["NestMLP", "Linear", "FixedHiddenMLP"], f"chimera() holds {kinds}, expected NestMLP, Linear, FixedHiddenMLP"
    assert_tensor(net(book_X()), what="chimera()(X (2, 20))", shape=())


# §5.2 parameter management ---------------------------------------------------------------------

@check("parameters.init_normal")
def check_init_normal_book_example(init_normal):
    net = small_net()
    net.apply(init_normal)
    assert torch.all(net[0].bias == 0), "init_normal should set the bias to 0"
    assert net[0].weight.abs().max().item() < 0.06, \
        f"init_normal should draw the weights from N(0, 0.01²); net[0].weight is {net[0].weight.data[0].tolist()}"


@check("parameters.init_constant")
def check_init_constant_book_example(init_constant):
    net = small_net()
    net.apply(init_constant)
    assert_close(net[0].weight.detach()[0], torch.ones(4), what="net[0].weight.data[0] after net.apply(init_constant)")
    assert_close(net[0].bias.detach()[0], 0.0, what="net[0].bias.data[0] after net.apply(init_constant)")


@check("parameters.my_init")
def check_my_init_book_example(my_init):
    net = small_net()
    net.apply(my_init)
    w = net[0].weight.detach()
    ok = (w == 0) | ((w.abs() >= 5) & (w.abs() <= 10))
    assert ok.all(), f"after my_init every weight is 0 or has 5 <= |w| <= 10; net[0].weight[:2] = {w[:2].tolist()}"


@check("parameters.tied_net")
def check_tied_net_book_example(tied_net):
    net = tied_net()
    assert_tensor(net(torch.rand(2, 4)), what="tied_net()(X (2, 4))", shape=(2, 1))
    assert net[2] is net[4], "net[2] and net[4] must be the same nn.Linear(8, 8) object (the shared layer)"
    with torch.no_grad():
        net[2].weight[0, 0] = 100
    assert net[4].weight[0, 0].item() == 100, "changing net[2].weight must change net[4].weight: they are one parameter"


# §5.4 custom layers ----------------------------------------------------------------------------

@check("custom_layers.CenteredLayer")
def check_CenteredLayer_book_example(CenteredLayer):
    layer = CenteredLayer()
    assert_close(layer(torch.FloatTensor([1, 2, 3, 4, 5])), torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]),
                 what="CenteredLayer()([1, 2, 3, 4, 5])")


@check("custom_layers.MyLinear")
def check_MyLinear_book_example(MyLinear):
    linear = MyLinear(5, 3)
    assert_tensor(linear.weight, what="MyLinear(5, 3).weight", shape=(5, 3))
    assert_tensor(linear.bias, what="MyLinear(5, 3).bias", shape=(3,))
    out = linear(torch.rand(2, 5))
    assert_tensor(out, what="MyLinear(5, 3)(X (2, 5))", shape=(2, 3))
    assert torch.all(out >= 0), "MyLinear applies ReLU: no output may be negative"


# §5.5 file I/O ---------------------------------------------------------------------------------

@check("file_io.save_tensors")
def check_save_tensors_book_example(save_tensors):
    x = torch.arange(4)
    with tempfile.TemporaryDirectory() as folder:
        save_tensors(x, Path(folder) / "x-file")
        assert_close(torch.load(Path(folder) / "x-file", weights_only=True), x, what="torch.load of the saved x")


@check("file_io.load_tensors")
def check_load_tensors_book_example(load_tensors):
    x, y = torch.arange(4), torch.zeros(4)
    with tempfile.TemporaryDirectory() as folder:
        torch.save([x, y], Path(folder) / "x-files")
        x2, y2 = load_tensors(Path(folder) / "x-files")
    assert_close(x2, x, what="x loaded back from [x, y]")
    assert_close(y2, y, what="y loaded back from [x, y]")


@check("file_io.save_params", uses={"MLP": "layers_and_blocks.MLP"})
def check_save_params_book_example(save_params, MLP):
    net = MLP()
    with tempfile.TemporaryDirectory() as folder:
        save_params(net, Path(folder) / "mlp.params")
        state = torch.load(Path(folder) / "mlp.params", weights_only=True)
    assert isinstance(state, dict) and set(state) == set(net.state_dict()), \
        f"the file should hold net.state_dict() (keys {sorted(net.state_dict())}), got {type_name(state)}"


@check("file_io.load_params", uses={"MLP": "layers_and_blocks.MLP"})
def check_load_params_book_example(load_params, MLP):
    net, X = MLP(), torch.randn(2, 20)
    with tempfile.TemporaryDirectory() as folder:
        torch.save(net.state_dict(), Path(folder) / "mlp.params")
        clone = load_params(MLP(), Path(folder) / "mlp.params")
    assert isinstance(clone, nn.Module), f"load_params should return the model, got {type_name(clone)}"
    assert_close(clone(X), net(X), what="clone(X) == net(X) after loading the saved parameters")


# §5.6 GPUs -------------------------------------------------------------------------------------

@check("gpu.try_gpu")
def check_try_gpu_here(try_gpu):
    n = torch.cuda.device_count()
    expected = torch.device("cuda:0") if n else torch.device("cpu")
    got = try_gpu()
    assert isinstance(got, torch.device) and got == expected, \
        f"try_gpu() on this machine ({n} GPUs) should be {expected!r}, got {got!r}"
    assert try_gpu(10) == torch.device("cpu"), f"try_gpu(10) on a machine with {n} GPUs should fall back to the CPU"


@check("gpu.try_all_gpus")
def check_try_all_gpus_here(try_all_gpus):
    n = torch.cuda.device_count()
    expected = [torch.device(f"cuda:{i}") for i in range(n)] or [torch.device("cpu")]
    got = try_all_gpus()
    assert got == expected, f"try_all_gpus() on this machine ({n} GPUs) should be {expected}, got {got}"
