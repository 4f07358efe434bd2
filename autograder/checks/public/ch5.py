"""Chapter 5 (深度学习计算), public checks: the book's examples and the shapes it states.

Whatever must happen where the code under test lives (files it writes and reads, identity of its
layers, a changed weight) runs there through ``student_side``; only values cross. Files never
cross as paths: the student's side writes into a folder of its own and hands back the bytes, or
receives the bytes the judge wrote.
"""
import collections
import io
import os
import tempfile
from pathlib import Path

import torch
from torch import nn

from autograder.harness import (type_name, assert_close, assert_tensor, check, count_parameters, student_side)


def book_X():
    return torch.rand(2, 20, generator=torch.Generator().manual_seed(0))


def small_net():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))


def book_mlp():
    """The book's MLP of §5.5.2 (hidden, ReLU, output: its state_dict keys), from torch's classes only, so that the
    file checks depend on no exercise, and a module the student's code pickles names classes every process has."""
    return nn.Sequential(collections.OrderedDict(hidden=nn.Linear(20, 256), relu=nn.ReLU(),
                                                 output=nn.Linear(256, 10)))


# -- the student's side: seeded draws ---------------------------------------------------------------

def applied_under_seed(fn, net, seed):
    """Student side: ``torch.manual_seed(seed); net.apply(fn)`` (the judge's net comes back changed): the draws
    are the same in every process."""
    torch.manual_seed(seed)
    net.apply(fn)


def run_under_seed(build, args, X, seed):
    """Student side: ``torch.manual_seed(seed); build(*args)(X)``."""
    torch.manual_seed(seed)
    return build(*args)(X)


# -- files, on the student's side --------------------------------------------------------------

def saved_by(save, obj, name="x-file", as_path=False):
    """Student side: ``save(obj, folder/name)`` in a fresh folder of its own; what it wrote.

    ``{"files": names in the folder, "at_path": the bytes at exactly that path or None, "only": the bytes of the
    one file it wrote (wherever it put it in the folder) or None}``."""
    with tempfile.TemporaryDirectory(prefix="d2l-save-") as folder:
        path = os.path.join(folder, name)
        save(obj, Path(path) if as_path else path)
        files = sorted(os.listdir(folder))
        at_path = Path(path).read_bytes() if os.path.isfile(path) else None
        one = os.path.join(folder, files[0]) if len(files) == 1 else None
        only = Path(one).read_bytes() if one and os.path.isfile(one) else None
    return {"files": files, "at_path": at_path, "only": only}


def file_written(save, obj, what, name="x-file"):
    """The bytes of the file ``save`` wrote (at the path given, or the one file it put in the folder)."""
    seen = student_side(saved_by, save, obj, name)
    data = seen["at_path"] if seen["at_path"] is not None else seen["only"]
    if data is None:
        written = ", ".join(seen["files"]) or "nothing"
        raise AssertionError(f"{what} wrote no file at the path it was given ({name!r} in an empty folder; the folder "
                             f"then held: {written})")
    return data


def load_weights_only(data: bytes, what: str):
    """The judge reads a file the student's code wrote: ``torch.load(..., weights_only=True)``, no code runs."""
    try:
        return torch.load(io.BytesIO(data), weights_only=True)
    except Exception as e:  # noqa: BLE001  (whatever the bytes are, the verdict is the same)
        raise AssertionError(f"{what}: the file does not load with torch.load(path, weights_only=True) "
                             f"({type(e).__name__}: {str(e).splitlines()[0][:200]}): save tensors and "
                             "dicts/lists of tensors with torch.save") from None


def reloaded(data):
    """Student side: the student's own file, loaded where it was written (it may hold a pickled module, which
    the judge never unpickles): the state it holds, as a plain dict."""
    obj = torch.load(io.BytesIO(data), weights_only=False)
    if isinstance(obj, nn.Module):
        obj = obj.state_dict()
    return {k: v for k, v in obj.items()} if isinstance(obj, dict) else {"(not a dict)": type(obj).__name__}


def saved_state(data: bytes, what: str):
    """What a file of saved parameters holds. Read here with ``weights_only=True``; a file that does not load so
    (the pickled module: another clause, ``state_dict``) is read on the student's side, so that the values are
    judged on their own."""
    try:
        return torch.load(io.BytesIO(data), weights_only=True)
    except Exception:  # noqa: BLE001
        pass
    try:
        return student_side(reloaded, data)
    except Exception:  # noqa: BLE001
        return load_weights_only(data, what)   # raises, with what torch said


def torch_saved(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def loaded_by(load, data, *args, name="x-files"):
    """Student side: write ``data`` to a file of its own and return ``load(path, *args)``."""
    with tempfile.TemporaryDirectory(prefix="d2l-load-") as folder:
        path = os.path.join(folder, name)
        Path(path).write_bytes(data)
        return load(path, *args)


def assert_same_object(got, expected, what):
    """Tensors, lists and dicts of tensors, item by item (dtypes included)."""
    if isinstance(expected, torch.Tensor):
        assert_close(got, expected, what=what)
    elif isinstance(expected, dict):
        assert isinstance(got, dict) and set(got) == set(expected), \
            f"{what} should be a dict with the keys {sorted(expected)}, got {type_name(got)} " + \
            (f"with the keys {sorted(got)}" if isinstance(got, dict) else "")
        for k in expected:
            assert_same_object(got[k], expected[k], f"{what}[{k!r}]")
    else:
        assert isinstance(got, type(expected)) and len(got) == len(expected), \
            f"{what} should be a {type(expected).__name__} of {len(expected)}, got {type_name(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same_object(g, e, f"{what}[{i}]")


# §5.1 layers and blocks ------------------------------------------------------------------------

@check("layers_and_blocks.MLP", clauses="values")
def check_MLP_book_example(MLP):
    net = MLP()
    assert_tensor(net(book_X()), what="MLP()(X (2, 20))", shape=(2, 10))
    assert count_parameters(net) == 20 * 256 + 256 + 256 * 10 + 10, \
        f"MLP() has {count_parameters(net):,} parameters, expected 7,946 (Linear(20, 256) and Linear(256, 10))"


@check("layers_and_blocks.MySequential", clauses="values")
def check_MySequential_book_example(MySequential):
    blocks = [nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10)]
    X = book_X()
    with torch.no_grad():
        expected = nn.Sequential(*blocks)(X)
    assert_close(MySequential(*blocks)(X), expected,
                 what="MySequential(Linear(20, 256), ReLU(), Linear(256, 10))(X (2, 20))",
                 hint="apply every block, in the order given, each to the previous one's output")


def parameters_listed(MySequential, blocks):
    """Student side: the values of ``MySequential(*blocks).parameters()``, in order."""
    torch.manual_seed(0)   # the same draws in every process
    return [p.detach().clone() for p in MySequential(*blocks).parameters()]


@check("layers_and_blocks.MySequential", clauses="registers")
def check_MySequential_book_parameters(MySequential):
    blocks = [nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10)]
    got = student_side(parameters_listed, MySequential, blocks)
    expected = [p.detach() for b in blocks for p in b.parameters()]
    assert len(got) == len(expected), \
        (f"net.parameters() of MySequential(Linear, ReLU, Linear) yields {len(got)} tensors, expected 4: register the "
         "blocks as child modules (self._modules[str(idx)] = module), not in a plain list")
    for i, (g, e) in enumerate(zip(got, expected)):
        assert_close(g, e, what=f"tensor #{i + 1} of net.parameters()",
                     hint="register the blocks in the order they were given")


@check("layers_and_blocks.FixedHiddenMLP", clauses="values")
def check_FixedHiddenMLP_book_example(FixedHiddenMLP):
    out = student_side(run_under_seed, FixedHiddenMLP, (), book_X(), 0)
    assert_tensor(out, what="FixedHiddenMLP()(X (2, 20))", shape=())
    assert abs(out.item()) <= 1, f"the output is {out.item():.4g}: halve X while X.abs().sum() > 1, then return X.sum()"


@check("layers_and_blocks.NestMLP", clauses="values")
def check_NestMLP_book_example(NestMLP):
    assert_tensor(NestMLP()(book_X()), what="NestMLP()(X (2, 20))", shape=(2, 16))


@check("layers_and_blocks.chimera", clauses="uses")
def check_chimera_book_example(chimera):
    net = chimera()
    kinds = [type_name(m) for m in net]
    assert kinds == ["NestMLP", "Linear", "FixedHiddenMLP"], \
        f"chimera() holds {kinds}, expected NestMLP, Linear, FixedHiddenMLP"
    assert_tensor(net(book_X()), what="chimera()(X (2, 20))", shape=())


# §5.2 parameter management ---------------------------------------------------------------------

@check("parameters.init_normal", clauses="values")
def check_init_normal_book_example(init_normal):
    net = small_net()
    student_side(applied_under_seed, init_normal, net, 0)
    assert torch.all(net[0].bias == 0), "init_normal should set the bias to 0"
    w = net[0].weight.detach()
    assert 0 < w.abs().max().item() < 0.06, \
        f"init_normal should draw the weights from N(0, 0.01²); net[0].weight[0] is {w[0].tolist()}"


@check("parameters.init_constant", clauses="values")
def check_init_constant_book_example(init_constant):
    net = small_net()
    net.apply(init_constant)
    assert_close(net[0].weight.detach()[0], torch.ones(4), what="net[0].weight.data[0] after net.apply(init_constant)")
    assert_close(net[0].bias.detach()[0], 0.0, what="net[0].bias.data[0] after net.apply(init_constant)")


@check("parameters.my_init", clauses="values")
def check_my_init_book_example(my_init):
    net = small_net()
    student_side(applied_under_seed, my_init, net, 0)
    w = net[0].weight.detach()
    ok = (w == 0) | ((w.abs() >= 5) & (w.abs() <= 10))
    assert ok.all() and (w != 0).any(), \
        (f"after my_init every weight is 0 or has 5 <= |w| <= 10, and some are not 0; "
         f"net[0].weight[:2] = {w[:2].tolist()}")


def shared_in_place(tied_net, X):
    """Student side: is net[2] net[4], and does a change to net[2].weight reach net[4].weight?"""
    torch.manual_seed(0)   # the same draws in every process
    net = tied_net()
    out = net(X)
    same = net[2] is net[4]
    with torch.no_grad():
        net[2].weight[0, 0] = 100
    return {"out": out.detach(), "same": same, "reached": net[4].weight[0, 0].item() == 100}


@check("parameters.tied_net", clauses="shared")
def check_tied_net_book_example(tied_net):
    seen = student_side(shared_in_place, tied_net, torch.rand(2, 4))
    assert_tensor(seen["out"], what="tied_net()(X (2, 4))", shape=(2, 1))
    assert seen["same"], "net[2] and net[4] must be the same nn.Linear(8, 8) object (the shared layer)"
    assert seen["reached"], "changing net[2].weight must change net[4].weight: they are one parameter"


# §5.4 custom layers ----------------------------------------------------------------------------

@check("custom_layers.CenteredLayer", clauses="values")
def check_CenteredLayer_book_example(CenteredLayer):
    layer = CenteredLayer()
    assert_close(layer(torch.FloatTensor([1, 2, 3, 4, 5])), torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]),
                 what="CenteredLayer()([1, 2, 3, 4, 5])")


@check("custom_layers.MyLinear", clauses="values")
def check_MyLinear_book_example(MyLinear):
    out = student_side(run_under_seed, MyLinear, (5, 3), torch.rand(2, 5), 0)
    assert_tensor(out, what="MyLinear(5, 3)(X (2, 5))", shape=(2, 3))
    assert torch.all(out >= 0) and torch.any(out > 0), \
        "MyLinear applies ReLU to X @ weight + bias: no output may be negative, and not all are 0"


@check("custom_layers.MyLinear", clauses="params")
def check_MyLinear_book_parameters(MyLinear):
    linear = MyLinear(5, 3)
    for name, shape in (("weight", (5, 3)), ("bias", (3,))):
        got = getattr(linear, name)
        assert isinstance(got, nn.Parameter), \
            f"MyLinear(5, 3).{name} should be an nn.Parameter (so that the layer registers it), got {type_name(got)}"
        assert_tensor(got, what=f"MyLinear(5, 3).{name}", shape=shape)


# §5.5 file I/O ---------------------------------------------------------------------------------

@check("file_io.save_tensors", clauses="values")
def check_save_tensors_book_example(save_tensors):
    x = torch.arange(4)
    data = file_written(save_tensors, x, "save_tensors(x, 'x-file')")
    assert_close(load_weights_only(data, "save_tensors(x, 'x-file')"), x, what="torch.load('x-file') of the saved x")


@check("file_io.load_tensors", clauses="values")
def check_load_tensors_book_example(load_tensors):
    x, y = torch.arange(4), torch.zeros(4)
    got = student_side(loaded_by, load_tensors, torch_saved([x, y]))
    assert isinstance(got, (list, tuple)) and len(got) == 2, f"load_tensors of [x, y] gave {type_name(got)}"
    x2, y2 = got
    assert_close(x2, x, what="x loaded back from [x, y]")
    assert_close(y2, y, what="y loaded back from [x, y]")


@check("file_io.save_params", clauses="values")
def check_save_params_book_example(save_params):
    net = book_mlp()
    data = file_written(save_params, net, "save_params(net, 'mlp.params')", name="mlp.params")
    state = saved_state(data, "save_params(net, 'mlp.params')")
    expected = net.state_dict()
    assert isinstance(state, dict) and set(state) == set(expected), \
        f"the file should hold net.state_dict() (keys {sorted(expected)}), got {type_name(state)}"
    for k in expected:
        assert_close(state[k], expected[k], what=f"the saved {k}")


@check("file_io.load_params", clauses="values")
def check_load_params_book_example(load_params):
    net, X = book_mlp(), torch.randn(2, 20)
    clone = book_mlp()
    student_side(params_loaded_into, load_params, clone, torch_saved(net.state_dict()))
    with torch.no_grad():
        assert_close(clone.eval()(X), net.eval()(X), what="clone(X) == net(X) after load_params(clone, 'mlp.params')")


def params_loaded_into(load_params, net, data, name="mlp.params"):
    """Student side: write ``data`` to a file of its own, ``load_params(net, path)``; whether it returned ``net``."""
    with tempfile.TemporaryDirectory(prefix="d2l-load-") as folder:
        path = os.path.join(folder, name)
        Path(path).write_bytes(data)
        out = load_params(net, path)
    return {"is_net": out is net, "kind": type(out).__name__}


# §5.6 GPUs -------------------------------------------------------------------------------------

def as_device(got):
    """The device ``got`` names (a ``torch.device`` or a string such as 'cuda:0'), or None."""
    try:
        return torch.device(got)
    except (TypeError, RuntimeError, ValueError):
        return None


@check("gpu.try_gpu", clauses="values")
def check_try_gpu_here(try_gpu):
    n = torch.cuda.device_count()
    expected = torch.device("cuda:0") if n else torch.device("cpu")
    got = try_gpu()
    assert as_device(got) == expected, f"try_gpu() on this machine ({n} GPUs) should be {expected!r}, got {got!r}"
    assert as_device(try_gpu(10)) == torch.device("cpu"), \
        f"try_gpu(10) on a machine with {n} GPUs should fall back to the CPU"


@check("gpu.try_all_gpus", clauses="values")
def check_try_all_gpus_here(try_all_gpus):
    n = torch.cuda.device_count()
    expected = [torch.device(f"cuda:{i}") for i in range(n)] or [torch.device("cpu")]
    got = try_all_gpus()
    assert isinstance(got, (list, tuple)) and [as_device(d) for d in got] == expected, \
        f"try_all_gpus() on this machine ({n} GPUs) should be {expected}, got {got}"
