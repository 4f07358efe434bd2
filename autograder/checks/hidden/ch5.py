"""Chapter 5 (深度学习计算), hidden checks: networks against the reference with its weights, registration of
parameters and buffers, seeded initial values, gradients, file round trips and device selection.

One property per check (the clauses of ``solutions/ch5/__init__.py``). What must happen where the
student's code lives runs there (``student_side``): seeding before a construction or an ``apply``,
loading the reference's weights into the student's module, backward passes, identity of layers,
files (written into a folder of the student's side; only their bytes cross, and the judge reads
them with ``weights_only=True``), and pretending the machine has N GPUs.
"""
import contextlib
import copy
import io
import operator
import os
import tempfile
from pathlib import Path
from unittest import mock

import torch
from torch import nn

from autograder.checks.public.ch5 import (applied_under_seed, assert_same_object, as_device, file_written,
                                          load_weights_only, loaded_by, params_loaded_into, saved_by, saved_state,
                                          torch_saved)
from autograder.harness import (chapter_references, type_name, SEEDS, assert_close, assert_gradients_match,
                                assert_matches_reference, assert_same_function, assert_same_parameter_count, check,
                                describe, randn, student_side)
from autograder.harness.session import StudentError


ref = chapter_references("ch5")


# -- the student's side: loading given weights, seeded constructions --------------------------------

def _state(net):
    return [(k, v) for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")]


def load_state(net, values):
    """Copy ``values`` (``[(name, tensor), ...]``, the reference's state) into ``net``'s state_dict entries: by name
    where the names agree, else matched in registration order; an error text or None."""
    mine = _state(net)
    if sorted(k for k, _ in mine) == sorted(k for k, _ in values):
        theirs = dict(values)
        pairs = [(v, theirs[k]) for k, v in mine]
    else:
        if [tuple(v.shape) for _, v in mine] != [tuple(v.shape) for _, v in values]:
            return "its parameters do not line up with the reference's:\n" + \
                "\n".join(f"    {k}: {tuple(v.shape)}" for k, v in mine[:40])
        pairs = [(v, theirs) for (_, v), (_, theirs) in zip(mine, values)]
    if any(tuple(v.shape) != tuple(theirs.shape) for v, theirs in pairs):
        return "its parameters have other shapes than the reference's:\n" + \
            "\n".join(f"    {k}: {tuple(v.shape)}" for k, v in mine[:40])
    with torch.no_grad():
        for v, theirs in pairs:
            v.copy_(theirs)
    return None


def load_named(net, values):
    """Copy ``values`` (``{"linear.weight": tensor, ...}``) into the attributes the docstring names."""
    with torch.no_grad():
        for name, value in values.items():
            try:
                target = operator.attrgetter(name)(net)
            except AttributeError:
                return f"it has no attribute {name} (the docstring names it)"
            if not isinstance(target, torch.Tensor) or tuple(target.shape) != tuple(value.shape):
                return f"its {name} is {describe(target)}, expected a tensor of shape {tuple(value.shape)}"
            target.copy_(value)
    return None


def load_chimera(net, values):
    """The NestMLP and the Linear by registration order, the FixedHiddenMLP by its documented names (a book
    FixedHiddenMLP keeps rand_weight as a plain attribute, outside state_dict: another exercise's check)."""
    first, middle, last = values
    try:
        blocks = list(net.children())
    except AttributeError:
        return "it is not an nn.Module with children"
    if len(blocks) != 3:
        return f"it holds {len(blocks)} blocks ({', '.join(type(b).__name__ for b in blocks)}), expected 3"
    for block, part, loader in ((blocks[0], first, load_state), (blocks[1], middle, load_state),
                                (blocks[2], last, load_named)):
        error = loader(block, part)
        if error:
            return f"its block {type(block).__name__}: {error}"
    return None


def forward_with(build, args, loader, values, inputs):
    """Student side: ``build(*args)``, the given weights loaded, eval mode; its outputs on ``inputs``."""
    torch.manual_seed(0)   # the same draws in every process
    net = build(*args)
    error = loader(net, values)
    if error:
        return {"error": error}
    net.eval()
    with torch.no_grad():
        return {"outputs": [net(X) for X in inputs]}


def built_under_seed(build, args, seed, attrs, X):
    """Student side: ``torch.manual_seed(seed); build(*args)``; its initial state ``[(name, tensor), ...]``, from
    ``state_dict`` or the named attributes, and its output on ``X`` as built."""
    torch.manual_seed(seed)
    net = build(*args)
    if attrs is None:
        found = [(k, v.detach().clone()) for k, v in _state(net)]
    else:
        found = []
        for name in attrs:
            try:
                value = operator.attrgetter(name)(net)
            except AttributeError:
                value = None
            found.append((name, value.detach().clone() if isinstance(value, torch.Tensor) else None))
    with torch.no_grad():
        return {"state": found, "out": net.eval()(X)}


def silently_applied(fn, net, seed):
    """Student side: ``net.apply(fn)`` under a seed; what it printed."""
    out, err = io.StringIO(), io.StringIO()
    torch.manual_seed(seed)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        net.apply(fn)
    return out.getvalue() + err.getvalue()


# -- the judge's side -------------------------------------------------------------------------------

def ref_state(net, attrs=None):
    if attrs is None:
        return [(k, v.detach().clone()) for k, v in _state(net)]
    return [(a, operator.attrgetter(a)(net).detach().clone()) for a in attrs]


def assert_outputs_with_weights(build, args, ref_net, loader, values, inputs, *, what, hint=""):
    """``build(*args)`` with ``values`` loaded by ``loader`` computes what ``ref_net`` computes on every input."""
    seen = student_side(forward_with, build, args, loader, values, inputs)
    if "error" in seen:
        raise AssertionError(f"{what}: {seen['error']}")
    ref_net.eval()
    with torch.no_grad():
        expected = [ref_net(X) for X in inputs]
    for X, got, exp in zip(inputs, seen["outputs"], expected):
        assert_close(got, exp, what=f"{what}(X {tuple(X.shape)}) with the reference's weights", hint=hint)


def assert_same_initial_state(build, args, ref_build, X, *, what, seeds=SEEDS[:2], attrs=None, hint=None):
    """Under each seed, ``build(*args)``'s initial state equals the reference's (by name where the names agree,
    else in registration order), and so does its output on ``X`` (no points for a right start of a wrong layer).
    ``hint(name, got)``: what to say when the tensor ``name`` differs."""
    for seed in seeds:
        seen = student_side(built_under_seed, build, args, seed, attrs, X)
        got = seen["state"]
        torch.manual_seed(seed)
        ref_net = ref_build(*args)
        expected = ref_state(ref_net, attrs)
        by_name = sorted(k for k, _ in got) == sorted(k for k, _ in expected)
        if by_name:
            mine = dict(got)
            pairs = [(k, mine[k], v) for k, v in expected]
        else:
            if [tuple(v.shape) for _, v in got] != [tuple(v.shape) for _, v in expected]:
                raise AssertionError(f"{what}: its initial parameters do not line up with the reference's "
                                     f"({[k for k, _ in got]} vs {[k for k, _ in expected]})")
            pairs = [(k, g, v) for (k, g), (_, v) in zip(got, expected)]
        for name, g, e in pairs:
            if g is None:
                raise AssertionError(f"{what} has no tensor {name} (the docstring names it)")
            assert_close(g, e, what=f"{name} of {what} right after torch.manual_seed({seed})",
                         hint=hint(name, g) if hint else "")
        with torch.no_grad():
            assert_close(seen["out"], ref_net.eval()(X), what=f"{what}(X {tuple(X.shape)}) as built after "
                         f"torch.manual_seed({seed})")


def default_init_hint(first):
    return lambda name, got: f"keep nn.Linear's default initialisation and create {first}"


def inputs_20(scale=1.0):
    return [randn((5, 20), seed, scale=scale) for seed in SEEDS[:3]]


# §5.1 layers and blocks ------------------------------------------------------------------------

@check("layers_and_blocks.MLP", points=2, clauses="values")
def check_MLP_same_function(MLP):
    expected = ref("layers_and_blocks.MLP")()
    assert_same_parameter_count(MLP(), expected, what="MLP()")
    assert_outputs_with_weights(MLP, (), expected, load_state, ref_state(expected), inputs_20(),
                                what="MLP()", hint="output(relu(hidden(X))): a missing ReLU, or the layers in the "
                                                   "wrong order?")


def loaded_by_name(build, args, state, inputs):
    """Student side: ``build(*args).load_state_dict(state)`` (strict, as §5.5 loads a saved MLP); its keys, and its
    outputs in eval mode."""
    torch.manual_seed(0)   # the same draws in every process
    net = build(*args)
    keys = list(net.state_dict())
    try:
        net.load_state_dict(state)
    except RuntimeError as e:
        return {"keys": keys, "error": str(e).splitlines()[0][:300]}
    net.eval()
    with torch.no_grad():
        return {"keys": keys, "outputs": [net(X) for X in inputs]}


def assert_loads_by_name(build, args, ref_net, *, what, inputs, hint):
    state = {k: v.detach().clone() for k, v in ref_net.state_dict().items()}
    seen = student_side(loaded_by_name, build, args, state, inputs)
    if sorted(seen["keys"]) != sorted(state):
        raise AssertionError(f"{what}.state_dict() has the keys {seen['keys']}, expected {list(state)}: {hint}")
    if "error" in seen:
        raise AssertionError(f"{what}.load_state_dict(the reference's state_dict) failed: {seen['error']}")
    ref_net.eval()
    with torch.no_grad():
        for X, got in zip(inputs, seen["outputs"]):
            assert_close(got, ref_net(X), what=f"{what}(X {tuple(X.shape)}) after load_state_dict(the reference's "
                                               "state_dict)")


@check("layers_and_blocks.MLP", clauses="names")
def check_MLP_names(MLP):
    assert_loads_by_name(MLP, (), ref("layers_and_blocks.MLP")(), what="MLP()", inputs=inputs_20()[:1],
                         hint="call the layers self.hidden and self.output (the book's names, which a saved MLP's "
                              "file uses)")


@check("layers_and_blocks.MLP", clauses="init")
def check_MLP_initial_parameters(MLP):
    assert_same_initial_state(MLP, (), ref("layers_and_blocks.MLP"), randn((3, 20), 0), what="MLP()",
                              hint=default_init_hint("hidden before output"))


def sequential_blocks(kind):
    torch.manual_seed(kind)
    return {0: lambda: [nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3)],
            1: lambda: [nn.Linear(6, 3)],
            2: lambda: [nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2)]}[kind]()


@check("layers_and_blocks.MySequential", points=2, clauses="values")
def check_MySequential_same_function(MySequential):
    for kind in range(3):
        blocks = sequential_blocks(kind)
        X = randn((4, 6), kind)
        with torch.no_grad():
            expected = nn.Sequential(*blocks)(X)
        names = ", ".join(type(b).__name__ for b in blocks)
        assert_close(MySequential(*blocks)(X), expected, what=f"MySequential({names})(X (4, 6))",
                     hint="apply the blocks in the order they were given, each to the previous one's output")


def registered_state(MySequential, blocks, X):
    """Student side: ``MySequential(*blocks)``'s parameters and state_dict values in order, then its output in
    training mode (the blocks' own mode: no eval() needed)."""
    torch.manual_seed(0)   # the same draws in every process
    net = MySequential(*blocks)
    params = [p.detach().clone() for p in net.parameters()]
    state = [v.detach().clone() for _, v in _state(net)]
    return {"params": params, "state": state, "out": net(X).detach()}


@check("layers_and_blocks.MySequential", clauses="registers")
def check_MySequential_registers_in_order(MySequential):
    torch.manual_seed(3)
    blocks = [nn.Linear(6, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3)]
    X = randn((8, 6), 1)
    mirror = nn.Sequential(*copy.deepcopy(blocks))
    params = [p.detach().clone() for p in mirror.parameters()]
    state = [v.detach().clone() for _, v in _state(mirror)]
    with torch.no_grad():
        out = mirror(X)
    seen = student_side(registered_state, MySequential, blocks, X)
    what = "MySequential(Linear(6, 5), BatchNorm1d(5), ReLU(), Linear(5, 3))"
    hint = ("register each block as a child module (self._modules[str(idx)] = block, add_module, nn.ModuleList), "
            "in the order given; a plain Python list hides them")
    for label, got, expected in (("parameters()", seen["params"], params), ("state_dict()", seen["state"], state)):
        if [tuple(g.shape) for g in got] != [tuple(e.shape) for e in expected]:
            raise AssertionError(f"{what}.{label} lists tensors of shapes {[tuple(g.shape) for g in got]}, expected "
                                 f"{[tuple(e.shape) for e in expected]}: {hint}")
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_close(g, e, what=f"tensor #{i + 1} of {what}.{label}", hint=hint)
    assert_close(seen["out"], out, what=f"{what}(X (8, 6)) in training mode")


def reaches_blocks(MySequential, blocks, X):
    """Student side: eval(), train(), .to(float64) and .to('meta') on ``MySequential(*blocks)``, seen on the very
    blocks that were passed in."""
    torch.manual_seed(0)   # the same draws in every process
    net = MySequential(*blocks)
    net.eval()
    seen = {"eval": [b.training for b in blocks]}
    with torch.no_grad():
        seen["out_eval"] = net(X).detach()
    net.train()
    seen["train"] = [b.training for b in blocks]
    net.to(torch.float64)
    seen["dtypes"] = [str(p.dtype) for b in blocks for p in b.parameters()]
    with torch.no_grad():
        seen["out64"] = net.eval()(X.double()).detach()
    net.to("meta")
    seen["devices"] = [p.device.type for b in blocks for p in b.parameters()]
    return seen


@check("layers_and_blocks.MySequential", clauses="reaches")
def check_MySequential_reaches_blocks(MySequential):
    torch.manual_seed(4)
    blocks = [nn.Linear(6, 5), nn.ReLU(), nn.Dropout(0.5), nn.Linear(5, 3)]
    X = randn((4, 6), 2)
    mirror = nn.Sequential(*copy.deepcopy(blocks)).eval()
    with torch.no_grad():
        out_eval, out64 = mirror(X), copy.deepcopy(mirror).double()(X.double())
    seen = student_side(reaches_blocks, MySequential, blocks, X)
    what = "MySequential(Linear, ReLU, Dropout(0.5), Linear)"
    hint = "register the blocks themselves as child modules (not copies, not in a plain list)"
    assert not any(seen["eval"]), f"{what}.eval() left blocks {seen['eval']} in training mode: {hint}"
    assert_close(seen["out_eval"], out_eval, what=f"{what}(X) in eval mode (no dropout)")
    assert all(seen["train"]), f"{what}.train() did not put every block back in training mode: {hint}"
    assert all(d == "torch.float64" for d in seen["dtypes"]), \
        f"after {what}.to(torch.float64) the blocks' parameters are {seen['dtypes']}: {hint}"
    assert_close(seen["out64"], out64, what=f"{what}.to(torch.float64)(X) in eval mode")
    assert all(d == "meta" for d in seen["devices"]), \
        f"after {what}.to('meta') the blocks' parameters are on {seen['devices']}: .to(device) must reach them; {hint}"


FIXED_NAMES = ("rand_weight", "linear.weight", "linear.bias")


def fixed_values(net):
    return {name: operator.attrgetter(name)(net).detach().clone() for name in FIXED_NAMES}


@check("layers_and_blocks.FixedHiddenMLP", points=2, clauses="values")
def check_FixedHiddenMLP_same_function(FixedHiddenMLP):
    expected = ref("layers_and_blocks.FixedHiddenMLP")()
    for seed, scale in enumerate((1.0, 50.0, 0.01)):
        assert_outputs_with_weights(FixedHiddenMLP, (), expected, load_named, fixed_values(expected),
                                    [randn((3, 20), seed, scale=scale)],
                                    what=f"FixedHiddenMLP() (inputs of scale {scale})",
                                    hint="linear, relu(X @ rand_weight + 1), the same linear again, halve while "
                                         "X.abs().sum() > 1, return X.sum()")


def buffer_facts(FixedHiddenMLP, values, X):
    """Student side: where rand_weight is registered, and what .to(float64) and .to('meta') do to it."""
    torch.manual_seed(0)   # the same draws in every process
    net = FixedHiddenMLP()
    seen = {"buffers": [n for n, _ in net.named_buffers()], "params": [n for n, _ in net.named_parameters()],
            "state": list(net.state_dict())}
    error = load_named(net, values)
    if error:
        return {**seen, "error": error}
    net.to(torch.float64)
    seen["dtype"] = str(net.rand_weight.dtype)
    try:
        with torch.no_grad():
            seen["out64"] = net(X.double()).detach()
    except RuntimeError as e:
        seen["out64_error"] = str(e).splitlines()[0][:200]
    net.to("meta")
    seen["device"] = net.rand_weight.device.type
    return seen


@check("layers_and_blocks.FixedHiddenMLP", clauses="buffer")
def check_FixedHiddenMLP_buffer(FixedHiddenMLP):
    expected = ref("layers_and_blocks.FixedHiddenMLP")()
    X = randn((3, 20), 3)
    seen = student_side(buffer_facts, FixedHiddenMLP, fixed_values(expected), X)
    hint = "rand_weight is a constant: self.register_buffer('rand_weight', torch.rand(20, 20))"
    assert "rand_weight" not in seen["params"], f"rand_weight is a trainable parameter ({seen['params']}): {hint}"
    assert "rand_weight" in seen["buffers"] and "rand_weight" in seen["state"], \
        f"rand_weight is not a registered buffer (buffers {seen['buffers']}, state_dict {seen['state']}): {hint}"
    if "error" in seen:
        raise AssertionError(f"FixedHiddenMLP(): {seen['error']}")
    assert seen["dtype"] == "torch.float64", f"after .to(torch.float64) rand_weight is {seen['dtype']}: {hint}"
    assert "out64" in seen, f"FixedHiddenMLP().to(torch.float64) fails on float64 input ({seen.get('out64_error')})"
    with torch.no_grad():
        assert_close(seen["out64"], copy.deepcopy(expected).double()(X.double()),
                     what="FixedHiddenMLP().to(torch.float64)(X) with the reference's weights")
    assert seen["device"] == "meta", f"after .to('meta') rand_weight is on {seen['device']}: {hint}"


def fixed_init_hint(name, got):
    if name == "rand_weight" and (got < 0).any():
        return "rand_weight has negative entries: torch.randn draws from N(0, 1); the book's torch.rand((20, 20)) " \
               "draws from U(0, 1)"
    return "draw rand_weight = torch.rand((20, 20)) first, then create linear = nn.Linear(20, 20), as the book does"


@check("layers_and_blocks.FixedHiddenMLP", clauses="init")
def check_FixedHiddenMLP_initial_values(FixedHiddenMLP):
    assert_same_initial_state(FixedHiddenMLP, (), ref("layers_and_blocks.FixedHiddenMLP"), randn((3, 20), 0),
                              what="FixedHiddenMLP()", attrs=FIXED_NAMES, hint=fixed_init_hint)


@check("layers_and_blocks.NestMLP", clauses="values")
def check_NestMLP_same_function(NestMLP):
    expected = ref("layers_and_blocks.NestMLP")()
    assert_same_parameter_count(NestMLP(), expected, what="NestMLP()")
    assert_outputs_with_weights(NestMLP, (), expected, load_state, ref_state(expected),
                                inputs_20(), what="NestMLP()",
                                hint="linear(net(X)) with a ReLU after each of net's two layers")


@check("layers_and_blocks.NestMLP", clauses="names")
def check_NestMLP_names(NestMLP):
    assert_loads_by_name(NestMLP, (), ref("layers_and_blocks.NestMLP")(), what="NestMLP()", inputs=inputs_20()[:1],
                         hint="call the parts self.net (the nn.Sequential) and self.linear, as the book does")


@check("layers_and_blocks.NestMLP", clauses="init")
def check_NestMLP_initial_parameters(NestMLP):
    assert_same_initial_state(NestMLP, (), ref("layers_and_blocks.NestMLP"), randn((3, 20), 0), what="NestMLP()",
                              hint=default_init_hint("self.net before self.linear"))


@check("layers_and_blocks.chimera", clauses="values", integration=True)
def check_chimera_same_function(chimera):
    expected = ref("layers_and_blocks.chimera")()
    blocks = list(expected.children())
    values = (ref_state(blocks[0]), ref_state(blocks[1]), fixed_values(blocks[2]))
    assert_outputs_with_weights(chimera, (), expected, load_chimera, values, inputs_20(),
                                what="chimera() (built from your NestMLP and FixedHiddenMLP)",
                                hint="nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP()); if NestMLP or "
                                     "FixedHiddenMLP fail their own checks, fix them first")


def built_from(chimera, NestMLP, FixedHiddenMLP, X):
    """Student side: the kinds of chimera()'s blocks, and its output's shape."""
    torch.manual_seed(0)   # the same draws in every process
    net = chimera()
    blocks = list(net.children()) if isinstance(net, nn.Module) else []
    with torch.no_grad():
        out = net(X)
    return {"kinds": [type(b).__name__ for b in blocks],
            "mine": [isinstance(b, kind) for b, kind in zip(blocks, (NestMLP, nn.Linear, FixedHiddenMLP))],
            "linear": [tuple(p.shape) for p in blocks[1].parameters()] if len(blocks) > 1 else [],
            "shape": tuple(out.shape) if isinstance(out, torch.Tensor) else None}


@check("layers_and_blocks.chimera", clauses="uses",
       uses={"NestMLP": "layers_and_blocks.NestMLP", "FixedHiddenMLP": "layers_and_blocks.FixedHiddenMLP"})
def check_chimera_uses_the_blocks(chimera, NestMLP, FixedHiddenMLP):
    seen = student_side(built_from, chimera, NestMLP, FixedHiddenMLP, randn((2, 20), 0))
    assert len(seen["mine"]) == 3 and all(seen["mine"]) and seen["linear"] == [(20, 16), (20,)], \
        (f"chimera() holds {seen['kinds']}: it should be nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP()) "
         "with this module's NestMLP and FixedHiddenMLP classes (instances of them, not the same layers spelled out)")
    assert seen["shape"] == (), f"chimera()(X (2, 20)) should be a 0-dim tensor, got shape {seen['shape']}"


# §5.2 parameter management ---------------------------------------------------------------------

def conv_and_norm():
    torch.manual_seed(5)
    return nn.ModuleList([nn.Conv2d(2, 3, 3), nn.Linear(64, 32), nn.BatchNorm1d(4)])


def left_alone(before, after, what):
    for (name, a), (_, b) in zip(before.named_parameters(), after.named_parameters()):
        assert torch.equal(a.detach(), b.detach()), f"{what} changed {name} of an {type_name(after)}: it must change " \
                                                    "nn.Linear layers only (if isinstance(m, nn.Linear))"


def assert_draws_like_reference(init, name, hint):
    """``Linear(30, 40).apply(init)`` after ``torch.manual_seed(seed)`` gives the reference's weight: the same draws,
    made in the same order."""
    for seed in SEEDS[:2]:
        layer, expected = nn.Linear(30, 40), nn.Linear(30, 40)
        student_side(applied_under_seed, init, layer, seed)
        torch.manual_seed(seed)
        expected.apply(ref(f"parameters.{name}"))
        assert_close(layer.weight.detach(), expected.weight.detach(),
                     what=f"Linear(30, 40).weight after torch.manual_seed({seed}); apply({name})", hint=hint)


def applied_beside_others(init, name):
    """``init`` applied to a Conv2d, a Linear(64, 32) and a BatchNorm1d: the two that are not nn.Linear left as they
    were; the modules before and after."""
    modules = conv_and_norm()
    before = copy.deepcopy(modules)
    student_side(applied_under_seed, init, modules, 0)
    left_alone(before[0], modules[0], name)
    left_alone(before[2], modules[2], name)
    return before, modules


def assert_silent(init, name, net, hint=""):
    printed = student_side(silently_applied, init, net, 0)
    assert printed == "", f"net.apply({name}) printed {printed[:200]!r}: it should print nothing{hint}"


def assert_normal_init(layer, what, spread=0.05):
    w, b = layer.weight.detach(), layer.bias.detach()
    assert torch.all(b == 0), f"{what}: the bias should be 0, got {b[:4].tolist()}..."
    std, mean = w.std().item(), w.mean().item()
    hint = " (std is the third argument: nn.init.normal_(m.weight, mean=0, std=0.01))" if std > 0.5 else ""
    assert abs(std - 0.01) < 0.01 * spread and abs(mean) < 0.01 * spread * 2, \
        f"{what}: the weights should come from N(0, 0.01²); their mean is {mean:.3g} and std {std:.3g}{hint}"


@check("parameters.init_normal", clauses="values")
def check_init_normal_statistics(init_normal):
    net = nn.Sequential(nn.Linear(200, 300), nn.ReLU(), nn.Linear(300, 10))
    student_side(applied_under_seed, init_normal, net, 0)
    assert_normal_init(net[0], "net[0] (Linear(200, 300)) after net.apply(init_normal)")
    assert_normal_init(net[2], "net[2] (Linear(300, 10)) after net.apply(init_normal)", spread=0.1)


@check("parameters.init_normal", clauses="draws")
def check_init_normal_draws(init_normal):
    assert_draws_like_reference(init_normal, "init_normal",
                                "draw the weight in place as nn.init.normal_(m.weight, mean=0, std=0.01) does: its "
                                "shape (out, in), nothing else drawn before it")


@check("parameters.init_normal", clauses="only_linear")
def check_init_normal_only_linear(init_normal):
    _, modules = applied_beside_others(init_normal, "init_normal")
    assert_normal_init(modules[1], "the Linear(64, 32) beside them", spread=0.15)


@check("parameters.init_normal", clauses="silent")
def check_init_normal_silent(init_normal):
    net = nn.Sequential(nn.Linear(64, 32), nn.ReLU())
    assert_silent(init_normal, "init_normal", net)
    assert_normal_init(net[0], "the Linear(64, 32) after net.apply(init_normal)", spread=0.15)


@check("parameters.init_constant", clauses="values")
def check_init_constant_every_linear(init_constant):
    net = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    net.apply(init_constant)
    for i in (0, 2):
        assert torch.all(net[i].weight == 1) and torch.all(net[i].bias == 0), \
            f"every nn.Linear should get weights 1 and bias 0; net[{i}] has weight " \
            f"{net[i].weight.detach()[0].tolist()} " \
            f"... and bias {net[i].bias.detach().tolist()}"


@check("parameters.init_constant", clauses="only_linear")
def check_init_constant_only_linear(init_constant):
    modules = conv_and_norm()
    before = copy.deepcopy(modules)
    modules.apply(init_constant)
    left_alone(before[0], modules[0], "init_constant")
    left_alone(before[2], modules[2], "init_constant")
    assert torch.all(modules[1].weight == 1) and torch.all(modules[1].bias == 0), \
        "the Linear(64, 32) beside them should get weights 1 and bias 0"


def assert_my_init(weight, what, spread=1.0):
    w = weight.detach()
    zeros = (w == 0).double().mean().item()
    kept = w[w != 0].abs()
    assert kept.numel() and abs(zeros - 0.5) < 0.02 * spread, \
        f"{what}: {zeros:.3f} of the weights are 0; U(-10, 10) puts half of them in |w| < 5"
    low, high, mean = kept.min().item(), kept.max().item(), kept.mean().item()
    hint = " (the mask keeps |w| >= 5: m.weight.data *= m.weight.data.abs() >= 5)" if low < 5 else ""
    assert low >= 5 and high <= 10 and abs(mean - 7.5) < 0.1 * spread, \
        (f"{what}: the nonzero weights should be uniform on 5 <= |w| <= 10; they range over [{low:.3g}, {high:.3g}] "
         f"with mean |w| {mean:.3g}{hint}")


@check("parameters.my_init", points=2, clauses="values")
def check_my_init_statistics(my_init):
    net = nn.Sequential(nn.Linear(300, 200), nn.ReLU(), nn.Linear(200, 100))
    student_side(applied_under_seed, my_init, net, 0)
    assert_my_init(net[0].weight, "net[0] (Linear(300, 200)) after net.apply(my_init)")
    assert_my_init(net[2].weight, "net[2] (Linear(200, 100)) after net.apply(my_init)", spread=1.5)


@check("parameters.my_init", clauses="draws")
def check_my_init_draws(my_init):
    assert_draws_like_reference(my_init, "my_init", "draw the weight in place as nn.init.uniform_(m.weight, -10, 10) "
                                                    "does, then mask it; nothing else drawn before it")


@check("parameters.my_init", clauses="leaves_rest")
def check_my_init_leaves_the_rest(my_init):
    before, modules = applied_beside_others(my_init, "my_init")
    assert torch.equal(modules[1].bias.detach(), before[1].bias.detach()), \
        "my_init changed the bias of the nn.Linear: it changes the weight only"
    assert_my_init(modules[1].weight, "the Linear(64, 32) beside them", spread=4)


def weight_identity(my_init, seed):
    """Student side: whether ``apply(my_init)`` keeps the weight the same leaf nn.Parameter; the weight after."""
    torch.manual_seed(seed)
    layer = nn.Linear(300, 200)
    weight = layer.weight
    layer.apply(my_init)
    w = layer.weight
    return {"same": w is weight, "leaf": w.is_leaf, "requires_grad": w.requires_grad,
            "parameter": isinstance(w, nn.Parameter), "weight": w.detach().clone()}


@check("parameters.my_init", clauses="in_place")
def check_my_init_in_place(my_init):
    seen = student_side(weight_identity, my_init, 0)
    assert seen["same"] and seen["parameter"], \
        "after apply(my_init) m.weight is another object: change the nn.Parameter in place (nn.init.uniform_, then " \
        "m.weight.data *= ... or `with torch.no_grad(): m.weight *= ...`), so an optimizer made before still holds it"
    assert seen["leaf"] and seen["requires_grad"], \
        (f"after apply(my_init) the weight is {'not a leaf' if not seen['leaf'] else 'not requiring grad'}: mask it "
         "without recording gradients (torch.no_grad() or .data)")
    assert_my_init(seen["weight"], "Linear(300, 200).weight after apply(my_init)")


@check("parameters.my_init", clauses="silent")
def check_my_init_silent(my_init):
    net = nn.Sequential(nn.Linear(300, 200), nn.ReLU())
    assert_silent(my_init, "my_init", net, " (the book prints the layer's name)")
    assert_my_init(net[0].weight, "net[0] after net.apply(my_init)")


@check("parameters.tied_net", points=2, clauses="values")
def check_tied_net_same_function(tied_net):
    expected = ref("parameters.tied_net")()
    for seed in SEEDS[:2]:
        assert_same_function(tied_net(), expected, (randn((6, 4), seed),), what="tied_net()")


def shared_facts(tied_net):
    torch.manual_seed(0)   # the same draws in every process
    net = tied_net()
    return {"same": net[2] is net[4], "count": sum(p.numel() for p in net.parameters())}


@check("parameters.tied_net", clauses="shared")
def check_tied_net_shared_parameters(tied_net):
    seen = student_side(shared_facts, tied_net)
    assert seen["same"], "net[2] and net[4] must be one layer: create shared = nn.Linear(8, 8) once and put that " \
                         "object in both places (not a copy, not a second nn.Linear(8, 8))"
    assert seen["count"] == 121, \
        f"tied_net() has {seen['count']} parameters, expected 121 (the shared layer counted once)"
    assert_same_function(tied_net(), ref("parameters.tied_net")(), (randn((6, 4), 0),), what="tied_net()")


def shared_gradients(tied_net, values, X, R):
    """Student side: the reference's weights loaded in order, one backward pass; the grads of net[2] and net[4]."""
    torch.manual_seed(0)   # the same draws in every process
    net = tied_net()
    error = load_state(net, values)
    if error:
        return {"error": error}
    net.zero_grad()
    (net(X) * R).sum().backward()
    return {"grads": [net[i].weight.grad for i in (2, 4)]}


@check("parameters.tied_net", points=2, clauses="shared")
def check_tied_net_gradients_accumulate(tied_net):
    expected = ref("parameters.tied_net")()
    X, R = randn((6, 4), 1), randn((6, 1), 2)
    seen = student_side(shared_gradients, tied_net, ref_state(expected), X, R)
    if "error" in seen:
        raise AssertionError(f"tied_net(): {seen['error']}")
    expected.zero_grad()
    (expected(X) * R).sum().backward()
    for i, got in zip((2, 4), seen["grads"]):
        assert_close(got, expected[2].weight.grad, what=f"the gradient of net[{i}].weight (the shared layer's: the sum "
                     "over both uses)", hint="one nn.Linear(8, 8) object used twice accumulates both uses' gradients")


# §5.4 custom layers ----------------------------------------------------------------------------

def centered_args(seed, dtype=torch.float32):
    shape = ((4, 3, 5), (6,), (2, 7), (3, 4, 2, 2), (5, 5))[seed % 5]
    return (randn(shape, seed, scale=3, dtype=dtype) + seed,)


@check("custom_layers.CenteredLayer", points=2, clauses="values")
def check_CenteredLayer_matches_reference(CenteredLayer):
    layer, expected = CenteredLayer(), ref("custom_layers.CenteredLayer")()
    assert_matches_reference(layer, expected, centered_args, what="CenteredLayer()(X)", seeds=SEEDS,
                             hint="subtract the mean of all entries (X.mean(), not a mean per row or column)")
    net = nn.Sequential(nn.Linear(8, 128), layer)
    mean = net(torch.rand(4, 8)).mean().item()
    assert abs(mean) < 1e-6, f"the output of Sequential(Linear(8, 128), CenteredLayer()) has mean {mean:.3g}, not 0"


@check("custom_layers.CenteredLayer", clauses="dtype")
def check_CenteredLayer_keeps_dtype(CenteredLayer):
    assert_matches_reference(CenteredLayer(), ref("custom_layers.CenteredLayer")(),
                             lambda seed: centered_args(seed, torch.float64), what="CenteredLayer()(X) for a float64 X",
                             seeds=SEEDS[:2], hint="compute in X's dtype (no .float(), no float32 constants)")


@check("custom_layers.CenteredLayer", clauses="gradients")
def check_CenteredLayer_gradients(CenteredLayer):
    for seed in SEEDS[:2]:
        try:
            assert_gradients_match(CenteredLayer(), ref("custom_layers.CenteredLayer")(), centered_args(seed),
                                   what="CenteredLayer()(X)", seed=seed)
        except StudentError:
            raise
        except AssertionError as e:
            raise AssertionError(f"{e}\n  hint: keep the mean in the graph: X - X.mean(), not X - X.mean().item() or "
                                 "a detached mean (its gradient is part of the layer's)") from None


@check("custom_layers.CenteredLayer", clauses="no_params")
def check_CenteredLayer_no_parameters(CenteredLayer):
    layer = CenteredLayer()
    names = [n for n, _ in student_side(lambda m: [(n, tuple(p.shape)) for n, p in m.named_parameters()], layer)]
    assert not names, f"CenteredLayer registers the parameters {names}: it is a layer without parameters"
    assert_matches_reference(layer, ref("custom_layers.CenteredLayer")(), centered_args, what="CenteredLayer()(X)",
                             seeds=SEEDS[:1])


MYLINEAR_NAMES = ("weight", "bias")


def mylinear_values(in_units, units, seed):
    return {"weight": randn((in_units, units), seed), "bias": randn((units,), seed + 50)}


@check("custom_layers.MyLinear", points=2, clauses="values")
def check_MyLinear_same_function(MyLinear):
    for seed, (in_units, units) in zip(SEEDS, ((5, 3), (4, 7), (1, 2))):
        values = mylinear_values(in_units, units, seed)
        expected = ref("custom_layers.MyLinear")(in_units, units)
        with torch.no_grad():
            expected.weight.copy_(values["weight"])
            expected.bias.copy_(values["bias"])
        assert_outputs_with_weights(MyLinear, (in_units, units), expected, load_named, values,
                                    [randn((6, in_units), seed + 100)], what=f"MyLinear({in_units}, {units})",
                                    hint="relu(X @ weight + bias), weight of shape (in_units, units)")


def parameter_facts(MyLinear, values, X):
    torch.manual_seed(0)   # the same draws in every process
    layer = MyLinear(*values["weight"].shape)
    facts = {"named": [(n, tuple(p.shape)) for n, p in layer.named_parameters()]}
    error = load_named(layer, values)
    if error:
        return {**facts, "error": error}
    with torch.no_grad():
        facts["out"] = layer(X)
    return facts


@check("custom_layers.MyLinear", clauses="params")
def check_MyLinear_parameters(MyLinear):
    values = mylinear_values(5, 3, 0)
    X = randn((4, 5), 1)
    seen = student_side(parameter_facts, MyLinear, values, X)
    named = sorted(seen["named"])
    assert named == [("bias", (3,)), ("weight", (5, 3))], \
        (f"MyLinear(5, 3).named_parameters() gives {seen['named']}, expected weight (5, 3) and bias (3,): make them "
         "nn.Parameter attributes self.weight and self.bias")
    if "error" in seen:
        raise AssertionError(f"MyLinear(5, 3): {seen['error']}")
    assert_close(seen["out"], torch.relu(X @ values["weight"] + values["bias"]), what="MyLinear(5, 3)(X) with given "
                 "weight and bias")


def mylinear_init_hint(name, got):
    if name == "bias" and not got.any():
        return "the bias is all zeros: the book draws it from N(0, 1) too, bias = nn.Parameter(torch.randn(units,))"
    if not (got < 0).any():
        return f"{name} has no negative entry: N(0, 1) is torch.randn, not torch.rand"
    return "weight = nn.Parameter(torch.randn(in_units, units)) first, then bias = nn.Parameter(torch.randn(units))"


@check("custom_layers.MyLinear", clauses="init")
def check_MyLinear_initial_values(MyLinear):
    assert_same_initial_state(MyLinear, (5, 3), ref("custom_layers.MyLinear"), randn((4, 5), 0),
                              what="MyLinear(5, 3)", attrs=MYLINEAR_NAMES, hint=mylinear_init_hint)


def mylinear_gradients(MyLinear, values, X, R):
    """Student side: given weight and bias, one backward pass of sum(MyLinear(X) * R); their gradients."""
    torch.manual_seed(0)   # the same draws in every process
    layer = MyLinear(*values["weight"].shape)
    error = load_named(layer, values)
    if error:
        return {"error": error}
    for name in MYLINEAR_NAMES:
        getattr(layer, name).grad = None
    out = layer(X)
    if not out.requires_grad:
        return {"grads": [None, None]}
    (out * R).sum().backward()
    return {"grads": [getattr(layer, name).grad for name in MYLINEAR_NAMES]}


@check("custom_layers.MyLinear", points=2, clauses="gradients")
def check_MyLinear_gradients(MyLinear):
    values = mylinear_values(5, 3, 0)
    X, R = randn((4, 5), 1), randn((4, 3), 2)
    seen = student_side(mylinear_gradients, MyLinear, values, X, R)
    if "error" in seen:
        raise AssertionError(f"MyLinear(5, 3): {seen['error']}")
    W, b = values["weight"].clone().requires_grad_(), values["bias"].clone().requires_grad_()
    (torch.relu(X @ W + b) * R).sum().backward()
    for name, got, expected in zip(MYLINEAR_NAMES, seen["grads"], (W.grad, b.grad)):
        assert got is not None and got.abs().sum() > 0, \
            (f"no gradient reaches MyLinear.{name}: forward must use self.{name} itself, not self.{name}.data "
             "(the book's version never learns)")
        assert_close(got, expected, what=f"the gradient of MyLinear.{name}")


# §5.5 file I/O ---------------------------------------------------------------------------------

def examples():
    return {
        "a tensor": torch.arange(6.0).reshape(2, 3),
        "a list": [torch.arange(4), torch.zeros(4, dtype=torch.float64)],
        "a dict": {"x": torch.arange(4), "y": torch.ones(2, 2, dtype=torch.bool)},
    }


@check("file_io.save_tensors", points=2, clauses="values")
def check_save_tensors_round_trips(save_tensors):
    for label, obj in examples().items():
        data = file_written(save_tensors, obj, f"save_tensors({label}, 'x-file')")
        assert_same_object(load_weights_only(data, f"save_tensors({label}, 'x-file')"), obj,
                           f"{label} saved and loaded back")


@check("file_io.save_tensors", clauses="path")
def check_save_tensors_path(save_tensors):
    obj = examples()["a list"]
    for as_path, name in ((False, "x-files"), (True, "saved.pt")):
        kind = "a pathlib.Path" if as_path else "a str"
        seen = student_side(saved_by, save_tensors, obj, name, as_path)
        assert seen["at_path"] is not None and seen["files"] == [name], \
            (f"save_tensors(obj, path) with path {kind} ending in {name!r} wrote {seen['files'] or 'nothing'}: write "
             "exactly the file at path (torch.save(obj, path)), no suffix added")
        assert_same_object(load_weights_only(seen["at_path"], "save_tensors"), obj, "a list saved and loaded back")


@check("file_io.load_tensors", points=2, clauses="values")
def check_load_tensors_round_trips(load_tensors):
    for label, obj in examples().items():
        assert_same_object(student_side(loaded_by, load_tensors, torch_saved(obj)), obj,
                           f"{label} loaded with load_tensors(path)")


def _devices(obj):
    if isinstance(obj, torch.Tensor):
        return [obj.device.type]
    if isinstance(obj, dict):
        return [d for v in obj.values() for d in _devices(v)]
    if isinstance(obj, (list, tuple)):
        return [d for v in obj for d in _devices(v)]
    return ["(not a tensor)"]


@check("file_io.load_tensors", clauses="device")
def check_load_tensors_on_device(load_tensors, device):
    for label, obj in examples().items():
        data = torch_saved(obj)
        got = student_side(loaded_by, load_tensors, data, device)
        assert all(d == torch.device(device).type for d in _devices(got)), \
            f"load_tensors(path, {device!r}) of {label} put its tensors on {_devices(got)}: use map_location=device"
        assert_same_object(_to_cpu(got), obj, f"{label} loaded with load_tensors(path, {device!r})")
        got = student_side(loaded_by, load_tensors, data, "meta")
        assert all(d == "meta" for d in _devices(got)), \
            (f"load_tensors(path, 'meta') of {label} put its tensors on {_devices(got)}: every tensor must be on "
             "device (torch.load(path, map_location=device, weights_only=True))")


def _to_cpu(obj):
    if isinstance(obj, torch.Tensor):
        return obj.cpu()
    if isinstance(obj, dict):
        return {k: _to_cpu(v) for k, v in obj.items()}
    return type(obj)(_to_cpu(v) for v in obj) if isinstance(obj, (list, tuple)) else obj


class RunsCode:
    """In a file: unpickling it calls ``os.makedirs(path)``, a harmless sign that the file's code ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return os.makedirs, (self.path,)


def refuses_code(load, good, state, *, into=None):
    """Student side: ``load`` a file that holds tensors and a call of ``os.makedirs`` (``into``: load_params into
    that module); whether the call ran, and what was raised. ``good`` is a file it must load (its result kept)."""
    with tempfile.TemporaryDirectory(prefix="d2l-safe-") as folder:
        marker = os.path.join(folder, "the-file-ran-code")
        path = os.path.join(folder, "evil.params")
        torch.save({**state, "extra": RunsCode(marker)}, path)
        fine = os.path.join(folder, "fine.params")
        Path(fine).write_bytes(good)
        result = load(into, fine) if into is not None else load(fine)
        seen = {"result": None if into is not None else result}
        try:
            load(into, path) if into is not None else load(path)
            seen["raised"] = None
        except NotImplementedError:
            raise
        except Exception as e:  # noqa: BLE001  (any error refuses the file)
            seen["raised"] = type(e).__name__
        seen["ran"] = os.path.isdir(marker)
    return seen


@check("file_io.load_tensors", clauses="safe")
def check_load_tensors_safe(load_tensors):
    obj = examples()["a dict"]
    seen = student_side(refuses_code, load_tensors, torch_saved(obj), {"x": torch.arange(3)})
    assert_same_object(seen["result"], obj, "a dict loaded with load_tensors(path)")
    assert not seen["ran"], "load_tensors ran code from the file it loaded: load with torch.load(path, " \
                            "map_location=device, weights_only=True), so a file holding code is refused"
    assert seen["raised"], "load_tensors loaded a file holding code without an error: load with weights_only=True"


def bn_net():
    torch.manual_seed(6)
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    net.train()(randn((8, 3), 0))   # running statistics (buffers) are part of what must be saved
    return net


@check("file_io.save_params", points=2, clauses="values")
def check_save_params_every_tensor(save_params):
    net = bn_net()
    expected = net.state_dict()
    state = saved_state(file_written(save_params, net, "save_params(net, 'net.params')", name="net.params"),
                        "save_params(net, 'net.params')")
    assert isinstance(state, dict) and list(state) == list(expected), \
        (f"the file should hold every parameter and buffer of net under its state_dict key: {list(expected)}; got "
         f"{type_name(state)}" + (f" with the keys {list(state)}" if isinstance(state, dict) else "") +
         " (save net.state_dict())")
    for k in expected:
        assert_close(state[k], expected[k], what=f"the saved {k}")


@check("file_io.save_params", clauses="state_dict")
def check_save_params_state_dict(save_params):
    net = bn_net()
    data = file_written(save_params, net, "save_params(net, 'net.params')", name="net.params")
    try:
        state = torch.load(io.BytesIO(data), weights_only=True)
    except Exception:  # noqa: BLE001
        raise AssertionError("the saved file does not load with torch.load(path, weights_only=True): save "
                             "net.state_dict(), not the module itself (torch.save(net, path) pickles its class)") \
            from None
    expected = net.state_dict()
    assert isinstance(state, dict) and all(isinstance(v, torch.Tensor) for v in state.values()), \
        f"the file should hold net.state_dict() (a dict of tensors), got {type_name(state)}"
    assert_same_object(dict(state), dict(expected), "the saved state_dict")


def fresh(seed=7):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(20, 30), nn.BatchNorm1d(30), nn.Dropout(0.5), nn.Linear(30, 10))


def trained_state():
    net = fresh(0)
    net.train()(randn((16, 20), 3))
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def assert_loaded(net, state, what):
    got = net.state_dict()
    for k, v in state.items():
        assert k in got, f"{what}: net has no {k}"
        assert_close(got[k], v, what=f"{what}: net's {k} after loading")


@check("file_io.load_params", points=2, clauses="values")
def check_load_params_fresh_model(load_params):
    state, net = trained_state(), fresh()
    student_side(params_loaded_into, load_params, net, torch_saved(state))
    assert_loaded(net, state, "load_params(net, path)")


@check("file_io.load_params", clauses="eval")
def check_load_params_eval_mode(load_params):
    state, net = trained_state(), fresh()
    net.train()
    student_side(params_loaded_into, load_params, net, torch_saved(state))
    training = [type(m).__name__ for m in net.modules() if m.training]
    assert not training, f"after load_params(net, path) {training} are in training mode: put net in eval mode " \
                         "(net.eval()), as the book does after loading"
    assert_loaded(net, state, "load_params(net, path)")


@check("file_io.load_params", clauses="returns")
def check_load_params_returns_net(load_params):
    state, net = trained_state(), fresh()
    seen = student_side(params_loaded_into, load_params, net, torch_saved(state))
    assert seen["is_net"], f"load_params(net, path) returned {seen['kind']}, not net itself: return net " \
                           "(load_state_dict returns the missing and unexpected keys, not the model)"
    assert_loaded(net, state, "load_params(net, path)")


def strictness(load_params, net, good, bad_files):
    """Student side: load the good file into ``net``, then try each bad one into a fresh copy; what each raised."""
    with tempfile.TemporaryDirectory(prefix="d2l-strict-") as folder:
        raised = []
        for i, data in enumerate(bad_files):
            path = os.path.join(folder, f"bad{i}.params")
            Path(path).write_bytes(data)
            try:
                load_params(copy.deepcopy(net), path)
                raised.append(None)
            except NotImplementedError:
                raise
            except Exception as e:  # noqa: BLE001
                raised.append(type(e).__name__)
        path = os.path.join(folder, "good.params")
        Path(path).write_bytes(good)
        load_params(net, path)
    return raised


@check("file_io.load_params", clauses="strict")
def check_load_params_strict(load_params):
    state, net = trained_state(), fresh()
    missing = {k: v for k, v in state.items() if k != "3.bias"}
    unexpected = {**state, "4.weight": torch.zeros(2, 2)}
    raised = student_side(strictness, load_params, net, torch_saved(state), [torch_saved(missing),
                                                                             torch_saved(unexpected)])
    for kind, error in zip(("without the key 3.bias", "with an unexpected key 4.weight"), raised):
        assert error, (f"load_params accepted a file {kind}: load strictly (net.load_state_dict(state), strict=True), "
                       "so a mismatch is an error and not a silently untrained layer")
    assert_loaded(net, state, "load_params(net, path)")


@check("file_io.load_params", clauses="safe")
def check_load_params_safe(load_params):
    state, net = trained_state(), fresh()
    seen = student_side(refuses_code, load_params, torch_saved(state), state, into=net)
    assert not seen["ran"], "load_params ran code from the file it loaded: load with torch.load(path, " \
                            "map_location=..., weights_only=True), so a file holding code is refused"
    assert seen["raised"], "load_params loaded a file holding code without an error: load with weights_only=True"
    assert_loaded(net, state, "load_params(net, path)")


def saved_on_gpu(state) -> bytes:
    """A file as ``torch.save`` writes it on a GPU: its tensors tagged ``cuda:0`` (the legacy format, where the tag
    is one pickled string)."""
    buffer = io.BytesIO()
    torch.save(state, buffer, _use_new_zipfile_serialization=False)
    data = buffer.getvalue()
    tag, gpu = b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0"
    assert data.count(tag) == 1, "the grader could not write a GPU file (torch's format changed)"
    return data.replace(tag, gpu)


def loaded_without_gpus(load_params, net, data):
    """Student side: ``load_params(net, path)`` on a machine that has no GPU (as torch.cuda reports)."""
    with mock.patch.object(torch.cuda, "is_available", return_value=False), \
            mock.patch.object(torch.cuda, "device_count", return_value=0):
        try:
            params_loaded_into(load_params, net, data)
        except NotImplementedError:
            raise
        except RuntimeError as e:
            return str(e).splitlines()[0][:300]
    return None


@check("file_io.load_params", clauses="device")
def check_load_params_gpu_file_on_cpu(load_params):
    state, net = trained_state(), fresh()
    error = student_side(loaded_without_gpus, load_params, net, saved_on_gpu(state))
    assert error is None, (f"load_params could not load a file saved on a GPU into a model on the CPU ({error}): "
                           "load with map_location set to the device of net's parameters")
    assert_loaded(net, state, "load_params(net, path of a GPU file)")


# §5.6 GPUs -------------------------------------------------------------------------------------

def with_gpus(n, fn, *args):
    """Student side: ``fn(*args)`` as if the machine had ``n`` GPUs."""
    with mock.patch.object(torch.cuda, "device_count", return_value=n), \
            mock.patch.object(torch.cuda, "is_available", return_value=n > 0):
        got = fn(*args)
    return {"value": got, "device": isinstance(got, torch.device), "list": type(got) is list,
            "devices": [isinstance(d, torch.device) for d in got] if isinstance(got, (list, tuple)) else []}


TRY_GPU_CASES = ((0, 0, "cpu"), (2, 0, "cuda:0"), (2, 1, "cuda:1"), (2, 2, "cpu"), (1, 3, "cpu"), (1, 1, "cpu"))


@check("gpu.try_gpu", points=2, clauses="values")
def check_try_gpu_counts(try_gpu):
    for n, i, expected in TRY_GPU_CASES:
        got = student_side(with_gpus, n, try_gpu, i)["value"]
        hint = " (GPU i exists when i < torch.cuda.device_count())" if expected == "cpu" and n else ""
        assert as_device(got) == torch.device(expected), \
            f"try_gpu({i}) on a machine with {n} GPUs should be {expected!r}, got {got!r}{hint}"


@check("gpu.try_gpu", clauses="returns")
def check_try_gpu_returns_device(try_gpu):
    for n, i, expected in TRY_GPU_CASES[:3]:
        seen = student_side(with_gpus, n, try_gpu, i)
        assert seen["device"], f"try_gpu({i}) should return a torch.device, got {type_name(seen['value'])} " \
                               f"{seen['value']!r}: return torch.device(f'cuda:{{i}}') or torch.device('cpu')"
        assert seen["value"] == torch.device(expected), \
            f"try_gpu({i}) on a machine with {n} GPUs should be {expected!r}, got {seen['value']!r}"


@check("gpu.try_gpu", gpu=True, name="here_gpu", clauses="values")
def check_try_gpu_real_cuda(try_gpu, device):
    got = try_gpu()
    assert as_device(got) == torch.device("cuda:0"), f"try_gpu() on a machine with CUDA should be cuda:0, got {got!r}"
    X = torch.ones(2, 3, device=got)
    assert X.device.type == "cuda", "a tensor created on try_gpu() should live on the GPU"


@check("gpu.try_all_gpus", points=2, clauses="values")
def check_try_all_gpus_counts(try_all_gpus):
    for n in (0, 1, 3):
        got = student_side(with_gpus, n, try_all_gpus)["value"]
        expected = [torch.device(f"cuda:{i}") for i in range(n)] or [torch.device("cpu")]
        assert isinstance(got, (list, tuple)) and [as_device(d) for d in got] == expected, \
            f"try_all_gpus() on a machine with {n} GPUs should be {expected}, got {got!r}"


@check("gpu.try_all_gpus", clauses="returns")
def check_try_all_gpus_returns_devices(try_all_gpus):
    for n in (0, 2):
        seen = student_side(with_gpus, n, try_all_gpus)
        expected = [torch.device(f"cuda:{i}") for i in range(n)] or [torch.device("cpu")]
        assert seen["list"] and seen["devices"] and all(seen["devices"]), \
            f"try_all_gpus() should return a list of torch.device, got {type_name(seen['value'])} {seen['value']!r}"
        assert seen["value"] == expected, f"try_all_gpus() on a machine with {n} GPUs should be {expected}"


@check("gpu.try_all_gpus", gpu=True, name="here_gpu", clauses="values")
def check_try_all_gpus_real_cuda(try_all_gpus, device):
    got = try_all_gpus()
    assert len(got) == torch.cuda.device_count() and all(as_device(d).type == "cuda" for d in got), \
        f"with {torch.cuda.device_count()} GPUs, try_all_gpus() should list them all, got {got}"
