"""Chapter 7 (现代卷积神经网络), hidden checks: networks against the references (the same weights, the same outputs),
batch normalization against the book and PyTorch, speed and accuracy.

How a network is compared (``assert_same_net``): both networks get the same parameters, drawn from seeds on their
own sides (matched by name when the names agree, else in registration order, by the number of entries), then
run on the same input. How the layers are grouped and named is a clause of its own, so it costs only its check.

No cascades: a network built from another exercise of the chapter is graded with that piece replaced while it is
built, by the reference (``substitute=``, for the functions that return PyTorch layers) or by a stand-in of this
module (the classes, and ``resnet_block`` whose blocks are ``Residual``s): ``build_with``. Integration checks
(the accuracy checks, the public shape tables) use the student's own pieces and name them.
"""
import functools
import math
import sys

import torch
import torch.nn.functional as F
from torch import nn

from autograder.checks.public.ch7 import image
from autograder.harness import (InPlace, chapter_references, SEEDS, Forbidden, assert_close, assert_gradients_match,
                                assert_keeps_device, assert_no_forbidden_calls, check, check_for, module_speed_check,
                                on_its_side, randn, student_side, train_to_threshold, type_name, uniform)
from autograder.harness.train import predict_labels, single_thread
from d2lkit import fashion_mnist_tensors
from autograder.harness.subsets import fashion_mnist_subset_iters

BATCH_NORM_FUNCS = Forbidden(
    "PyTorch's batch normalization (F.batch_norm, torch.batch_norm, nn.BatchNorm*)",
    functions=(F.batch_norm, torch.batch_norm, F.instance_norm, F.group_norm, F.layer_norm),
    aten=("batch_norm", "native_batch_norm", "_native_batch_norm_legit", "_native_batch_norm_legit_no_training",
          "_batch_norm_impl_index", "cudnn_batch_norm", "miopen_batch_norm", "_batch_norm_with_update",
          "_batch_norm_no_update", "instance_norm", "group_norm", "native_group_norm", "layer_norm",
          "native_layer_norm"))


ref = chapter_references("ch7")


# Comparing networks ------------------------------------------------------------------------------------------

def _layout(net):
    """Student side (or here): ``(name, numel, shape)`` of each parameter, in registration order."""
    return [(name, p.numel(), tuple(p.shape)) for name, p in net.named_parameters()]


def _fill_plan(net, seed):
    """Here, on the reference: ``(numel, offset, scale, seed)`` per parameter, values of a sensible size (He-like
    for weights, near 1 for normalization scales)."""
    plan = []
    index = 0
    for _, module in net.named_modules():
        for leaf, p in module.named_parameters(recurse=False):
            norm = "Norm" in type(module).__name__ or leaf in ("gamma", "beta")
            if norm:
                offset, scale = (1.0 if leaf in ("weight", "gamma") else 0.0), 0.2
            elif p.dim() >= 2:
                offset, scale = 0.0, math.sqrt(2.0 / max(p[0].numel(), 1))
            else:
                offset, scale = 0.0, 0.1
            plan.append((p.numel(), offset, scale, 1000 * seed + index))
            index += 1
    return plan


def _fill_and_run(net, plan, mapping, inputs, modes, seed):
    """Student side (or here): give ``net``'s parameters the planned values, then its outputs on ``inputs`` in each
    mode (``True``: training mode, gradients on; ``False``: eval mode under ``no_grad``), ``seed`` set before each."""
    with torch.no_grad():
        for p, i in zip(net.parameters(), mapping):
            numel, offset, scale, draw = plan[i]
            values = torch.randn(numel, generator=torch.Generator().manual_seed(draw)).mul_(scale).add_(offset)
            p.copy_(values.reshape(p.shape))
    outputs = []
    for train in modes:
        net.train(train)
        torch.manual_seed(seed)
        with torch.set_grad_enabled(train):
            out = net(*inputs)
        outputs.append(out.detach() if isinstance(out, torch.Tensor) else out)
    return outputs


def _listing(layout):
    return "\n".join(f"    {name}: {shape}" for name, _, shape in layout[:40]) + \
        (f"\n    ... ({len(layout)} in all)" if len(layout) > 40 else "")


def _mapping(got, expected, what):
    """Which of the reference's parameters each of the student's gets: by name where the names agree, else in
    order; the numbers of entries must agree."""
    by_name = {name: i for i, (name, _, _) in enumerate(expected)}
    if sorted(by_name) == sorted(name for name, _, _ in got) and len(got) == len(expected) and \
            all(expected[by_name[name]][1] == numel for name, numel, _ in got):
        return [by_name[name] for name, _, _ in got]
    if [n for _, n, _ in got] == [n for _, n, _ in expected]:
        return list(range(len(got)))
    total, reference_total = sum(n for _, n, _ in got), sum(n for _, n, _ in expected)
    if not got and expected:
        raise AssertionError(f"{what} registers no parameters: store layers as attributes or in nn.Sequential/"
                             "nn.ModuleList, not in a plain list")
    if total != reference_total:
        raise AssertionError(f"{what} has {total:,} parameters, the reference {reference_total:,}: check the layers' "
                             "channels, kernel sizes and biases")
    raise AssertionError(f"{what}: its parameters do not line up with the reference's (same total, other sizes "
                         f"or order)\n  yours:\n{_listing(got)}\n  reference:\n{_listing(expected)}")


POOLING_TWINS = {"MaxPool2d": nn.MaxPool2d, "AvgPool2d": nn.AvgPool2d, "AdaptiveMaxPool2d": nn.AdaptiveMaxPool2d,
                 "AdaptiveAvgPool2d": nn.AdaptiveAvgPool2d}


def _pooling_kinds(net):
    """Student side: the class names of the pooling layers, in module order."""
    return [type(m).__name__ for m in net.modules() if "Pool" in type(m).__name__]


def mirror_pooling(net, exercise):
    """The reference ``exercise``'s network with each average pooling that the student's ``net`` has as a max pooling
    (or back) made so: for the checks of other properties, the pooling kind is the pooling check's business."""
    reference_net = ref(exercise)()
    kinds = on_its_side(net, _pooling_kinds)
    mine = [(name, m) for name, m in reference_net.named_modules() if "Pool" in type(m).__name__]
    if len(kinds) != len(mine):
        return reference_net
    for (name, m), kind in zip(mine, kinds):
        ours = type(m).__name__
        if kind != ours and kind in POOLING_TWINS and kind.replace("Max", "Avg") == ours.replace("Max", "Avg"):
            if ours.startswith("Adaptive"):
                twin = POOLING_TWINS[kind](m.output_size)
            else:
                twin = POOLING_TWINS[kind](m.kernel_size, m.stride, m.padding)
            parent, _, leaf = name.rpartition(".")
            setattr(reference_net.get_submodule(parent) if parent else reference_net, leaf, twin)
    return reference_net


def assert_pooling_as_reference(net, exercise, X, *, modes, what, contract):
    """``net`` computes what the reference ``exercise`` computes, pooling layers and all; the hint names the kinds
    of pooling ``net`` has, then ``contract``'s."""
    kinds = on_its_side(net, _pooling_kinds)
    assert_same_net(net, ref(exercise)(), X, modes=modes, what=what, hint=f"its pooling layers are {kinds}: {contract}")


def assert_same_net(net, reference_net, X, *, what, modes=(False,), seed=0, hint=""):
    """With the same parameters (see the module's docstring), ``net(X)`` equals ``reference_net(X)`` in each mode."""
    expected_layout = _layout(reference_net)
    got_layout = on_its_side(net, _layout)
    mapping = _mapping(got_layout, expected_layout, what)
    plan = _fill_plan(reference_net, seed)
    got = on_its_side(net, _fill_and_run, plan, mapping, (X,), tuple(modes), seed)
    expected = _fill_and_run(reference_net, plan, list(range(len(plan))), (X,), tuple(modes), seed)
    for train, g, e in zip(modes, got, expected):
        mode = "training mode" if train else "eval mode"
        assert_close(g, e, what=f"{what} on X {tuple(X.shape)} in {mode}, with the same weights as the reference",
                     hint=hint or "same shapes but other numbers: a missing or extra activation, pooling or "
                                  "normalization, or layers in another order?")


def _namespace(obj):
    """The globals of the module that defines ``obj`` (a function or a class)."""
    if isinstance(obj, type):
        module = sys.modules.get(obj.__module__)
        return vars(module) if module is not None else {}
    return getattr(obj, "__globals__", {})


def _patched(namespace, replacements):
    """Bind each name's object, wherever ``namespace`` binds it, to its replacement; return what to restore."""
    saved = []
    for name, new in replacements.items():
        old = namespace.get(name)
        if old is None:
            continue
        for key, value in list(namespace.items()):
            if value is old:
                saved.append((key, value))
                namespace[key] = new
    return saved


def _build(owner, call, args, kwargs, replacements):
    """Student side: ``call(*args, **kwargs)`` while ``owner``'s module binds the names in ``replacements`` to
    check code (stand-ins of the chapter's other exercises)."""
    namespace = _namespace(owner)
    saved = _patched(namespace, replacements)
    try:
        return call(*args, **kwargs)
    finally:
        for key, value in reversed(saved):
            namespace[key] = value


def build_with(fn, *args, stand_ins=None, **kwargs):
    """``fn(*args, **kwargs)`` where the student's code lives, with the chapter's other pieces replaced by
    ``stand_ins`` (``{"Inception": InPlace("ch7.googlenet.Inception")}``) while it runs: the object stays there (a proxy here)."""
    return student_side(_build, fn, fn, args, kwargs, dict(stand_ins or {}))


def _recorded(owner, call, args, kwargs, names, stand_ins=None):
    """Student side: ``call(*args, **kwargs)`` counting the calls to the names ``names`` of ``owner``'s module (each
    call goes on to its stand-in where ``stand_ins`` has one, else to what the module binds)."""
    namespace = _namespace(owner)
    stand_ins = dict(stand_ins or {})
    calls = {name: 0 for name in names}

    def recorder(name, original):
        def record(*a, **k):
            calls[name] += 1
            return original(*a, **k)
        return record
    replacements = {name: recorder(name, stand_ins.get(name, namespace[name])) for name in names if name in namespace}
    saved = _patched(namespace, {**{k: v for k, v in stand_ins.items() if k not in replacements}, **replacements})
    try:
        result = call(*args, **kwargs)
    finally:
        for key, value in reversed(saved):
            namespace[key] = value
    return {"result": result, "calls": calls}


def dropout_layers(net):
    """Student side: ``(name, class, p)`` of the dropout layers."""
    return [(name, type(m).__name__, getattr(m, "p", None)) for name, m in net.named_modules()
            if "Dropout" in type(m).__name__]


def assert_dropout(net, reference_net, X, *, what):
    """In training mode, under the same seed, the same outputs as the reference (whose dropout is nn.Dropout)."""
    found = on_its_side(net, dropout_layers)
    listed = ", ".join(f"{name}: {kind}(p={p})" for name, kind, p in found) or "none"
    assert_same_net(net, reference_net, X, what=what, modes=(True,), seed=3,
                    hint=f"where the eval-mode comparison (same_function) passes, the dropout makes the difference: your "
                         f"dropout layers are {listed}; the book's are nn.Dropout(0.5) (p is the probability of "
                         "dropping)")


# Stand-ins: the references of the chapter's layers, sent with their code into the student's network -----------

def _in_place(*targets):
    return {t.rsplit(".", 1)[1]: InPlace(f"ch7.{t}") for t in targets}


STAND_INS = {
    "googlenet": _in_place("googlenet.Inception"),
    "lenet_bn": _in_place("batch_norm.BatchNorm"),
    "resnet_block": _in_place("resnet.Residual"),
    "resnet18": _in_place("resnet.resnet_block", "resnet.Residual"),
    "densenet": _in_place("densenet.DenseBlock", "densenet.transition_block", "densenet.conv_block"),
}


def pooled_net_checks(exercise, make_input, *, modes, what, pooling, uses, hint=""):
    """Declare the checks of a network built of the chapter's pieces (``STAND_INS``) whose pooling the contract
    fixes: ``same_function`` (clause ``values``: the reference's function on ``make_input(1)`` in ``modes``, the
    pooling kinds aside), ``pooling = (name, modes, contract)`` (clause ``pooling``, on ``make_input(2)``) and
    ``uses = (name, counts)`` (clause ``uses``: its pieces called as often as the reference does)."""
    name = exercise.rsplit(".", 1)[1]
    (pooling_name, pooling_modes, contract), (uses_name, counts) = pooling, uses

    def same_function(fn):
        net = build_with(fn, stand_ins=STAND_INS[name])
        assert_same_net(net, mirror_pooling(net, exercise), make_input(1), modes=modes, what=what, hint=hint)

    def pooling_as_contract(fn):
        assert_pooling_as_reference(build_with(fn, stand_ins=STAND_INS[name]), exercise, make_input(2),
                                    modes=pooling_modes, what=what, contract=contract)

    def uses_pieces(fn):
        net = assert_uses(fn, (), counts=counts, what=f"{name}()", stand_ins=STAND_INS[name])
        assert_same_net(net, mirror_pooling(net, exercise), make_input(1), modes=(True,),
                        what=f"{name}() (it must also be right for this check to count)")

    check_for(__name__, exercise, same_function, name="same_function", points=2, clauses="values")
    check_for(__name__, exercise, pooling_as_contract, name=pooling_name, clauses="pooling")
    check_for(__name__, exercise, uses_pieces, name=uses_name, clauses="uses")


def assert_uses(fn, args, *, counts, what, stand_ins=None):
    """``fn(*args)`` calls the names of ``counts`` (functions or classes of its module) as often as the reference
    does. The calls go on to the stand-ins, so the student's own pieces play no part; returns what ``fn`` made."""
    seen = student_side(_recorded, fn, fn, args, {}, tuple(counts), stand_ins)
    for name, expected in counts.items():
        got = seen["calls"][name]
        assert got == expected, (f"{what} should make its blocks with this module's {name} ({expected} times), but it "
                                 f"called {name} {got} times: use {name} itself, not a copy or PyTorch's own layer")
    return seen["result"]


# §7.1-7.3 AlexNet, VGG, NiN ---------------------------------------------------------------------------------

@check("alexnet.alexnet", points=2, clauses="values")
def check_alexnet_same_function(alexnet):
    assert_same_net(alexnet(), ref("alexnet.alexnet")(), image((1, 1, 224, 224), 1), what="alexnet()")


@check("alexnet.alexnet", clauses="dropout")
def check_alexnet_dropout(alexnet):
    assert_dropout(alexnet(), ref("alexnet.alexnet")(), image((2, 1, 224, 224), 2), what="alexnet()")


@check("vgg.vgg_block", points=2, clauses="values")
def check_vgg_block_same_function(vgg_block):
    for args in ((1, 2, 4), (3, 3, 5)):
        assert_same_net(vgg_block(*args), ref("vgg.vgg_block")(*args), image((2, args[1], 10, 12), 1),
                        what=f"vgg_block{args}")


VGG_ARCH = ((1, 4), (2, 8))  # two blocks take 28×28 down to 7×7


@check("vgg.vgg_net", points=2, clauses="values", substitute=("vgg_block",))
def check_vgg_net_same_function(vgg_net):
    assert_same_net(vgg_net(VGG_ARCH), ref("vgg.vgg_net")(VGG_ARCH), image((2, 1, 28, 28), 1),
                    what=f"vgg_net({VGG_ARCH})")


@check("vgg.vgg_net", clauses="dropout", substitute=("vgg_block",))
def check_vgg_net_dropout(vgg_net):
    assert_dropout(vgg_net(VGG_ARCH), ref("vgg.vgg_net")(VGG_ARCH), image((4, 1, 28, 28), 2),
                   what=f"vgg_net({VGG_ARCH})")


@check("vgg.vgg_net", clauses="uses", substitute=("vgg_block",))
def check_vgg_net_uses_vgg_block(vgg_net):
    arch = ((1, 4), (2, 8), (1, 8))
    net = assert_uses(vgg_net, (arch,), counts={"vgg_block": 3}, what=f"vgg_net({arch})")
    assert_same_net(net, ref("vgg.vgg_net")(arch), image((2, 1, 56, 56), 1),
                    what=f"vgg_net({arch}) (it must also be right for this check to count)")


@check("nin.nin_block", points=2, clauses="values")
def check_nin_block_same_function(nin_block):
    for args in ((3, 5, 3, 1, 1), (2, 4, 5, 2, 0)):
        assert_same_net(nin_block(*args), ref("nin.nin_block")(*args), image((2, args[0], 12, 12), 1),
                        what=f"nin_block{args}")


@check("nin.nin_net", points=2, clauses="values", substitute=("nin_block",))
def check_nin_net_same_function(nin_net):
    assert_same_net(nin_net(), ref("nin.nin_net")(), image((1, 1, 224, 224), 1), what="nin_net()")


@check("nin.nin_net", clauses="dropout", substitute=("nin_block",))
def check_nin_net_dropout(nin_net):
    assert_dropout(nin_net(), ref("nin.nin_net")(), image((2, 1, 224, 224), 2), what="nin_net()")


@check("nin.nin_net", clauses="uses", substitute=("nin_block",))
def check_nin_net_uses_nin_block(nin_net):
    net = assert_uses(nin_net, (), counts={"nin_block": 4}, what="nin_net()")
    assert_same_net(net, ref("nin.nin_net")(), image((1, 1, 224, 224), 1),
                    what="nin_net() (it must also be right for this check to count)")


# §7.4 GoogLeNet ---------------------------------------------------------------------------------------------

INCEPTION_CONFIGS = ((6, 2, (3, 4), (2, 5), 3), (4, 3, (2, 2), (3, 1), 2))


@check("googlenet.Inception", points=2, clauses="values")
def check_Inception_same_function(Inception):
    for i, args in enumerate(INCEPTION_CONFIGS):
        assert_same_net(Inception(*args), ref("googlenet.Inception")(*args), image((2, args[0], 7, 9), i),
                        what=f"Inception{args}",
                        hint="each path's convolutions followed by a ReLU (the pooling path too), concatenated along "
                             "dim 1 in the order p1, p2, p3, p4")


def _children(net):
    """Student side: the names of the direct submodules, in registration order, and ``(module, parameter)``
    prefixes of the parameters."""
    return {"children": [name for name, _ in net.named_children()],
            "params": list(dict.fromkeys(name.split(".")[0] for name, _ in net.named_parameters()))}


@check("googlenet.Inception", clauses="names")
def check_Inception_layer_names(Inception):
    found = on_its_side(Inception(*INCEPTION_CONFIGS[0]), _children)
    expected = ["p1_1", "p2_1", "p2_2", "p3_1", "p3_2", "p4_1", "p4_2"]
    assert found["children"] == expected, \
        f"Inception's layers should be the attributes {expected}, registered in this order, got {found['children']}"


@check("googlenet.googlenet", points=2, clauses="values")
def check_googlenet_same_function(googlenet):
    net = build_with(googlenet, stand_ins=STAND_INS["googlenet"])
    assert_same_net(net, ref("googlenet.googlenet")(), image((1, 1, 96, 96), 1),
                    what="googlenet() (built with a correct Inception)")


@check("googlenet.googlenet", clauses="uses")
def check_googlenet_uses_Inception(googlenet):
    net = assert_uses(googlenet, (), counts={"Inception": 9}, what="googlenet()", stand_ins=STAND_INS["googlenet"])
    assert_same_net(net, ref("googlenet.googlenet")(), image((1, 1, 96, 96), 1),
                    what="googlenet() (it must also be right for this check to count)")


# §7.5 batch normalization -----------------------------------------------------------------------------------

def bn_args(seed, num_dims=4, dtype=torch.float32):
    """(X, gamma, beta, moving_mean, moving_var, eps, momentum), 2-D (8, 5) or 4-D (6, 3, 4, 5); features of other
    scales and eps from 1e-5 to 0.1, so that where eps goes matters."""
    X = randn((8, 5) if num_dims == 2 else (6, 3, 4, 5), seed, scale=(2.0, 0.05, 1.0, 0.3, 3.0)[seed % 5]) + 1
    shape = (1, 5) if num_dims == 2 else (1, 3, 1, 1)
    eps = (1e-5, 1e-3, 0.1, 1e-5, 0.01)[seed % 5]
    args = (X, randn(shape, seed + 1), randn(shape, seed + 2), randn(shape, seed + 3),
            uniform(shape, seed + 4, low=0.5, high=2.0))
    return tuple(a.to(dtype) for a in args) + (eps, (0.9, 0.8, 0.9, 0.5, 0.9)[seed % 5])


def _dims(X):
    return (0,) if X.dim() == 2 else (0, 2, 3)


def y_hint(Y, args) -> str:
    """The likely mistake, from the Y that came back."""
    X, gamma, beta, _, _, eps, _ = args
    dims = _dims(X)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    candidates = {
        "an unbiased variance (X.var(), or dividing by n - 1): the book divides by n, "
        "((X - mean) ** 2).mean(...)": gamma * (X - mean) / torch.sqrt(X.var(dim=dims, keepdim=True) + eps) + beta,
        "eps added outside the square root: it goes inside, (X - mean) / torch.sqrt(var + eps)":
            gamma * (X - mean) / (torch.sqrt(var) + eps) + beta,
    }
    if X.dim() == 4:
        m0 = X.mean(dim=0, keepdim=True)
        candidates["statistics over the batch axis only: a convolution's are per channel, over axes (0, 2, 3)"] = \
            gamma * (X - m0) / torch.sqrt(((X - m0) ** 2).mean(dim=0, keepdim=True) + eps) + beta
    if isinstance(Y, torch.Tensor) and Y.shape == X.shape:
        for text, candidate in candidates.items():
            if torch.allclose(Y.detach().double(), candidate.double(), atol=1e-5, rtol=1e-4):
                return text
    return "Y = gamma * (X - mean) / sqrt(var + eps) + beta with the batch's mean and biased variance, per " \
           "feature (2-D) or per channel over axes (0, 2, 3) (4-D)"


def moving_hint(got, args, which) -> str:
    X, _, _, moving_mean, moving_var, _, momentum = args
    dims = _dims(X)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    stat, moving = (mean, moving_mean) if which == "moving_mean" else (var, moving_var)
    candidates = {"PyTorch's momentum convention: the book's is momentum * moving + (1 - momentum) * batch":
                  (1 - momentum) * moving + momentum * stat}
    if which == "moving_var":
        candidates["an unbiased batch variance (PyTorch's running_var): the book updates with the biased one"] = \
            momentum * moving + (1 - momentum) * X.var(dim=dims, keepdim=True)
    if isinstance(got, torch.Tensor) and got.numel() == moving.numel():
        for text, candidate in candidates.items():
            if torch.allclose(got.detach().double().reshape(-1), candidate.double().reshape(-1), atol=1e-5, rtol=1e-4):
                return text
    return "moving = momentum * moving + (1 - momentum) * batch statistic, in the parameters' shape"


def _clone(args):
    return tuple(a.detach().clone() if isinstance(a, torch.Tensor) else a for a in args)


def _no_grad_call(fn, *args):
    """Student side: ``fn(*args)`` under ``torch.no_grad()`` (the mode is where the code runs)."""
    with torch.no_grad():
        return fn(*args)


def shown(args):
    X, *_, eps, momentum = args
    return f"X {str(X.dtype).removeprefix('torch.')} {tuple(X.shape)}, eps {eps:g}, momentum {momentum:g}"


def assert_y(batch_norm, args, *, what):
    got = batch_norm(*_clone(args))
    expected = ref("batch_norm.batch_norm")(*_clone(args))
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise AssertionError(f"{what} should return (Y, moving_mean, moving_var), got {type_name(got)}")
    assert_close(got[0].detach() if isinstance(got[0], torch.Tensor) else got[0], expected[0], what=f"Y of {what}",
                 hint=y_hint(got[0], args))
    return got, expected


@check("batch_norm.batch_norm", points=3, clauses="values")
def check_batch_norm_training_matches_reference(batch_norm):
    for num_dims in (2, 4):
        for seed in SEEDS:
            args = bn_args(seed, num_dims)
            assert_y(batch_norm, args, what=f"batch_norm in training mode ({shown(args)}, seed {seed})")


@check("batch_norm.batch_norm", clauses="values")
def check_batch_norm_against_pytorch(batch_norm):
    """PyTorch's F.batch_norm in training mode normalizes the same way (its running statistics are another matter)."""
    for num_dims in (2, 4):
        args = bn_args(2, num_dims)
        X, gamma, beta, mean, var, eps, momentum = args
        expected = F.batch_norm(X, mean.reshape(-1).clone(), var.reshape(-1).clone(), gamma.reshape(-1),
                                beta.reshape(-1), training=True, momentum=1 - momentum, eps=eps)
        Y = batch_norm(*_clone(args))[0]
        assert_close(Y.detach() if isinstance(Y, torch.Tensor) else Y, expected.reshape(X.shape),
                     what=f"Y of batch_norm in training mode ({shown(args)}) against F.batch_norm(training=True)",
                     hint=y_hint(Y, args))


@check("batch_norm.batch_norm", points=2, clauses="moving")
def check_batch_norm_moving_statistics(batch_norm):
    for num_dims in (2, 4):
        for seed in SEEDS[:3]:
            args = bn_args(seed, num_dims)
            got = batch_norm(*_clone(args))
            expected = ref("batch_norm.batch_norm")(*_clone(args))
            what = f"batch_norm in training mode ({shown(args)}, seed {seed})"
            for i, name in ((1, "moving_mean"), (2, "moving_var")):
                value = got[i].detach() if isinstance(got[i], torch.Tensor) else got[i]
                assert_close(value, expected[i], what=f"the {name} returned by {what}",
                             hint=moving_hint(got[i], args, name))


@check("batch_norm.batch_norm", points=2, clauses="inference")
def check_batch_norm_inference_mode(batch_norm):
    for num_dims in (2, 4):
        for seed in SEEDS[:3]:
            args = bn_args(seed, num_dims)
            with torch.no_grad():
                got = student_side(_no_grad_call, batch_norm, *_clone(args))
                expected = ref("batch_norm.batch_norm")(*_clone(args))
            what = f"batch_norm under torch.no_grad() ({shown(args)}, seed {seed})"
            for i, name in enumerate(("Y", "moving_mean", "moving_var")):
                assert_close(got[i], expected[i], what=f"the {name} of {what}",
                             hint="inference (torch.is_grad_enabled() is False): normalize with moving_mean and "
                                  "moving_var, and return them unchanged")


@check("batch_norm.batch_norm", clauses="gradients")
def check_batch_norm_gradients(batch_norm):
    for num_dims in (2, 4):
        assert_gradients_match(lambda *a: batch_norm(*a)[0], lambda *a: ref("batch_norm.batch_norm")(*a)[0],
                               bn_args(0, num_dims), wrt=(0, 1, 2), what=f"Y of batch_norm ({num_dims}-D input)")


def _returned_grad_flags(batch_norm, args):
    """Student side: X and gamma require gradients; which of the outputs do."""
    X, gamma, *rest = args
    out = batch_norm(X.requires_grad_(), gamma.requires_grad_(), *rest)
    return {"out": [o.detach() if isinstance(o, torch.Tensor) else o for o in out],
            "requires_grad": [bool(getattr(o, "requires_grad", False)) for o in out]}


@check("batch_norm.batch_norm", clauses="detached")
def check_batch_norm_detached_statistics(batch_norm):
    args = bn_args(1)
    seen = student_side(_returned_grad_flags, batch_norm, _clone(args))
    expected = ref("batch_norm.batch_norm")(*_clone(args))
    what = f"batch_norm in training mode ({shown(args)}), X and gamma requiring gradients"
    assert_close(seen["out"][0], expected[0], what=f"Y of {what} (it must also be right for this check to count)")
    assert seen["requires_grad"][0], "Y must stay in the autograd graph (gradients flow to X, gamma and beta)"
    assert not any(seen["requires_grad"][1:]), \
        ("the moving statistics batch_norm returns should be detached (the book returns moving_mean.data): "
         "otherwise every batch's graph stays alive through them")


@check("batch_norm.batch_norm", clauses="dtype")
def check_batch_norm_keeps_dtype(batch_norm):
    for num_dims in (2, 4):
        args = bn_args(3, num_dims, dtype=torch.float64)
        got, expected = assert_y(batch_norm, args, what=f"batch_norm in training mode ({shown(args)})")
        for name, g in zip(("moving_mean", "moving_var"), got[1:]):
            assert getattr(g, "dtype", None) == torch.float64, \
                f"the {name} batch_norm returns for a float64 X should be float64, got {getattr(g, 'dtype', g)}"


@check("batch_norm.batch_norm", clauses="device")
def check_batch_norm_on_device(batch_norm):
    for num_dims in (2, 4):
        args = bn_args(4, num_dims)
        assert_y(batch_norm, args, what=f"batch_norm in training mode ({shown(args)})")
        assert_keeps_device(batch_norm, *args, what=f"batch_norm in training mode ({num_dims}-D input)")


@check("batch_norm.batch_norm", clauses="no_builtin")
def check_batch_norm_no_builtin(batch_norm):
    args = bn_args(3)
    got = assert_no_forbidden_calls(batch_norm, *_clone(args), forbidden=BATCH_NORM_FUNCS, what="batch_norm")
    expected = ref("batch_norm.batch_norm")(*_clone(args))
    assert_close(got[0].detach() if isinstance(got[0], torch.Tensor) else got[0], expected[0],
                 what=f"Y of batch_norm ({shown(args)}) (the output must be right for this check to count)")


def bn_speed_args(device, seed=0):
    shape = (1, 512, 1, 1)
    return (randn((32, 512, 4, 4), seed, device=device), randn(shape, seed + 1, device=device),
            randn(shape, seed + 2, device=device), randn(shape, seed + 3, device=device),
            uniform(shape, seed + 4, low=0.5, high=2.0, device=device), 1e-5, 0.9)


def builtin_batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    """F.batch_norm in training mode (running statistics updated in place, PyTorch's conventions)."""
    return F.batch_norm(X, moving_mean.reshape(-1).clone(), moving_var.reshape(-1).clone(), gamma.reshape(-1),
                        beta.reshape(-1), training=True, momentum=1 - momentum, eps=eps)


def only_y(batch_norm):
    """What is timed: ``batch_norm``'s Y (the moving statistics are another clause's)."""
    return lambda *args: batch_norm(*args)[0]


module_speed_check("batch_norm.batch_norm", bn_speed_args, build=only_y, builtin=builtin_batch_norm, limit=15,
                   hint="no Python loop over the 512 channels: reduce over the axes (0, 2, 3) with keepdim=True and "
                        "let broadcasting do the rest")


def _set_moving(layer, mean, var):
    """Student side: the layer's moving statistics (attributes or buffers) set to given values."""
    layer.moving_mean, layer.moving_var = mean, var


def layer_plan(layer_layout, seed):
    """``(numel, offset, scale, seed)`` for a BatchNorm's gamma and beta (any other parameter too)."""
    return [(numel, 1.0 if i == 0 else 0.0, 0.5, 1000 * seed + i) for i, (_, numel, _) in enumerate(layer_layout)]


def _fill(net, plan):
    _fill_and_run(net, plan, list(range(len(plan))), (), (), 0)


def seeded_batchnorm(BatchNorm, num_features, num_dims, seed, device="cpu"):
    """The student's ``BatchNorm(num_features, num_dims)`` with gamma and beta drawn from ``seed`` (so that how they
    start is the init check's business), and the same in the reference."""
    layer, reference_layer = BatchNorm(num_features, num_dims), ref("batch_norm.BatchNorm")(num_features, num_dims)
    expected_layout = _layout(reference_layer)
    mapping = _mapping(on_its_side(layer, _layout), expected_layout, f"BatchNorm({num_features}, {num_dims})")
    plan = layer_plan(expected_layout, seed)
    on_its_side(layer, _fill_and_run, plan, mapping, (), (), 0)
    _fill(reference_layer, plan)
    if device != "cpu":
        layer.to(device)
    return layer, reference_layer


BN_LAYER_INPUTS = ((4, (6, 3, 4, 5)), (2, (8, 3)))


@check("batch_norm.BatchNorm", points=2, clauses="values", substitute=("batch_norm",))
def check_BatchNorm_training_output(BatchNorm):
    for num_dims, shape in BN_LAYER_INPUTS:
        layer, reference_layer = seeded_batchnorm(BatchNorm, 3, num_dims, seed=num_dims)
        for step in range(2):
            X = randn(shape, step, scale=2) + 1
            got, expected = layer(X), reference_layer(X)
            assert_close(got.detach() if isinstance(got, torch.Tensor) else got, expected.detach(),
                         what=f"BatchNorm(3, {num_dims}) in training mode, call {step + 1}, on X {shape}",
                         hint="batch_norm(X, self.gamma, self.beta, ..., eps=1e-5, momentum=0.9)")


@check("batch_norm.BatchNorm", clauses="values", substitute=("batch_norm",))
def check_BatchNorm_matches_nn_batchnorm(BatchNorm):
    layer, _ = seeded_batchnorm(BatchNorm, 4, 4, seed=5)
    builtin = nn.BatchNorm2d(4)
    with torch.no_grad():
        builtin.weight.copy_(layer.gamma.detach().reshape(-1))
        builtin.bias.copy_(layer.beta.detach().reshape(-1))
    X = randn((5, 4, 3, 3), 0, scale=3)
    got = layer(X)
    assert_close(got.detach() if isinstance(got, torch.Tensor) else got, builtin(X).detach(),
                 what="BatchNorm(4, 4) in training mode against nn.BatchNorm2d(4) with the same gamma and beta",
                 hint="same normalization as PyTorch: batch statistics, biased variance, eps 1e-5")


@check("batch_norm.BatchNorm", points=2, clauses="updates", substitute=("batch_norm",))
def check_BatchNorm_updates_and_inference(BatchNorm, device):
    reference_bn = ref("batch_norm.batch_norm")
    for num_dims, shape in BN_LAYER_INPUTS:
        layer, reference_layer = seeded_batchnorm(BatchNorm, 3, num_dims, seed=7, device=device)
        gamma, beta = reference_layer.gamma.detach(), reference_layer.beta.detach()
        stat_shape = (1, 3) + (1, 1) * (num_dims == 4)
        moving = [randn(stat_shape, 11, scale=0.5), uniform(stat_shape, 12, low=0.5, high=2.0)]
        on_its_side(layer, _set_moving, moving[0].to(device), moving[1].to(device))
        for step in range(2):
            X = randn(shape, step, scale=2, device=device) + 1
            layer(X)
            _, *moving = reference_bn(X.cpu(), gamma, beta, *moving, eps=1e-5, momentum=0.9)
            what = f"BatchNorm(3, {num_dims}) in training mode, call {step + 1} on X {shape} ({device})"
            for got, exp, name in zip((layer.moving_mean, layer.moving_var), moving, ("moving_mean", "moving_var")):
                assert_close(torch.as_tensor(got).detach().cpu(), exp, what=f"{name} after {what}",
                             hint="keep the updated statistics batch_norm returns: Y, self.moving_mean, "
                                  "self.moving_var = batch_norm(..., eps=1e-5, momentum=0.9)")
        X = randn(shape, 9, device=device)
        with torch.no_grad():
            got = student_side(_no_grad_call, layer, X)
            expected = reference_bn(X.cpu(), gamma, beta, *moving, eps=1e-5, momentum=0.9)[0]
        assert_close(torch.as_tensor(got).cpu(), expected, what=f"BatchNorm(3, {num_dims}) under torch.no_grad() "
                     f"({device}), after two training calls", hint="inference uses the kept moving statistics")


def _moved_and_called(layer, X):
    """Student side: the layer moved to X's device (as ``net.to(device)`` would), then called on X."""
    return layer.to(X.device)(X)


@check("batch_norm.BatchNorm", clauses="device", substitute=("batch_norm",))
def check_BatchNorm_on_device(BatchNorm):
    layer, reference_layer = seeded_batchnorm(BatchNorm, 3, 4, seed=3)
    X = randn((4, 3, 2, 2), 3, scale=2)
    got = layer(X)
    assert_close(got.detach() if isinstance(got, torch.Tensor) else got, reference_layer(X).detach(),
                 what="BatchNorm(3, 4) in training mode on X (4, 3, 2, 2) (it must also be right for this check to "
                      "count)")
    assert_keeps_device(_moved_and_called, BatchNorm(3, 4), X, what="BatchNorm(3, 4).to(device) on X of that device",
                        hint="net.to(device) moves parameters and buffers, not plain tensor attributes: move "
                             "moving_mean and moving_var to X.device in forward, as the book does")


@check("batch_norm.BatchNorm", clauses="uses", substitute=("batch_norm",))
def check_BatchNorm_uses_batch_norm(BatchNorm):
    layer, reference_layer = seeded_batchnorm(BatchNorm, 3, 4, seed=4)
    X = randn((4, 3, 2, 2), 4, scale=2)
    seen = student_side(_recorded, BatchNorm, layer, (X,), {}, ("batch_norm",), None)
    got = seen["result"]
    assert_close(got.detach() if isinstance(got, torch.Tensor) else got, reference_layer(X).detach(),
                 what="BatchNorm(3, 4) in training mode (it must also be right for this check to count)")
    assert seen["calls"]["batch_norm"] == 1, \
        (f"BatchNorm's forward should call this module's batch_norm once, it called it "
         f"{seen['calls']['batch_norm']} times: the layer wraps the function, do not copy its code")


# eval mode first, with the statistics as they start: how they are kept is BatchNorm's business
pooled_net_checks("batch_norm.lenet_bn", lambda seed: randn((6, 1, 28, 28), seed), modes=(False, True),
                  what="lenet_bn() (built with a correct BatchNorm)",
                  hint="Conv2d/Linear, then BatchNorm, then Sigmoid; the pooling after the sigmoid",
                  pooling=("average_pooling", (False,), "the contract's are AvgPool2d(2, stride=2), as in lenet, so "
                                                        "that the two nets differ only by the normalization"),
                  uses=("uses_BatchNorm", {"BatchNorm": 4}))


# Training on a budget: the book's train_ch6 loop, as check code where the student's network lives; the test
# accuracy is computed here, from the trained network's predictions.

def _init_weights(m):
    if type(m) in (nn.Linear, nn.Conv2d):
        nn.init.xavier_uniform_(m.weight)


def _average_pooling(net):
    """Each MaxPool2d of ``net`` made an AvgPool2d of the same window (the pooling has a check of its own)."""
    for name, m in list(net.named_modules()):
        if type(m) is nn.MaxPool2d:
            parent, _, leaf = name.rpartition(".")
            setattr(net.get_submodule(parent) if parent else net, leaf, nn.AvgPool2d(m.kernel_size, m.stride,
                                                                                       m.padding))
    return net


def train_ch6_run(make_net, batch_size, limit, num_epochs, lr, device, resize=None, test_limit=2000,
                  average_pooling=False):
    """Student side: the book's train_ch6 (Xavier weights, SGD on the mean cross-entropy) on a subset of
    Fashion-MNIST; returns the mean training loss and the predicted test labels after each epoch."""
    net = make_net()
    if average_pooling:
        net = _average_pooling(net)
    train_iter, _ = fashion_mnist_subset_iters(batch_size, limit=limit, test_limit=test_limit, resize=resize)
    X_test = fashion_mnist_tensors(False, limit=test_limit)[0]
    if resize:
        X_test = F.interpolate(X_test, size=(resize, resize), mode="bilinear", antialias=True)
    net.apply(_init_weights)
    net.to(device)
    optimizer, loss = torch.optim.SGD(net.parameters(), lr=lr), nn.CrossEntropyLoss()
    history, predictions = [], []
    for _ in range(num_epochs):
        net.train()
        total, count = 0.0, 0
        for X, y in train_iter:
            X, y = X.to(device), y.to(device)
            l = loss(net(X), y)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            total, count = total + l.item() * len(y), count + len(y)
        history.append(total / count)
        predictions.append(predict_labels(net, X_test.to(device)).cpu())
    return {"history": history, "predictions": predictions}


def accuracy_curve_of(run, test_limit=2000):
    """Here: the test accuracy after each epoch, from the predictions; the losses must be real numbers."""
    labels = fashion_mnist_tensors(False, limit=test_limit)[1]
    accuracies = []
    for epoch, (loss, p) in enumerate(zip(run["history"], run["predictions"]), start=1):
        if not (isinstance(loss, float) and math.isfinite(loss) and loss > 0):
            raise AssertionError(f"the training loss after epoch {epoch} is {loss!r}: the network does not train")
        if not isinstance(p, torch.Tensor) or p.shape != labels.shape:
            raise AssertionError("the trained network's predictions on the test images have the wrong shape")
        accuracies.append(float((p == labels).double().mean()))
    return accuracies


def _seeded_run(*args, **kwargs):
    torch.manual_seed(0)
    return train_ch6_run(*args, **kwargs)


BN_BUDGET = ("2 epochs on the first 10,000 training images (batch 128, lr 0.9, the book's train_ch6, max pooling "
             "made average pooling), tested on the first 2,000 test images")


class PlainLeNet(nn.Module):
    """The baseline: §6.6's LeNet with the same pooling and no normalization (a stand-in of the check)."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))

    def forward(self, X):
        return self.net(X)


@functools.lru_cache(maxsize=2)
def plain_lenet_accuracy(device):
    """What LeNet without batch normalization reaches on the same budget (here, once per process)."""
    torch.manual_seed(0)
    with single_thread():
        run = _seeded_run(PlainLeNet, 128, 10000, 2, 0.9, device)
    return accuracy_curve_of(run)[-1]


@check("batch_norm.lenet_bn", points=3, kind="accuracy", clauses="trains")
def check_lenet_bn_learns_faster(lenet_bn, device):
    result = train_to_threshold(lambda: _seeded_run(lenet_bn, 128, 10000, 2, 0.9, device, average_pooling=True),
                                metric=lambda run: accuracy_curve_of(run)[-1], history=accuracy_curve_of,
                                threshold=0.5, reference_value=0.628, budget=BN_BUDGET,
                                what="test accuracy of lenet_bn() with your BatchNorm and batch_norm")
    plain = plain_lenet_accuracy(device)
    assert result.value >= plain + 0.2, \
        (f"with your BatchNorm and batch_norm, lenet_bn() reached {result.value:.3f} after {BN_BUDGET}; without "
         f"batch normalization LeNet reaches {plain:.3f}: batch normalization should be ahead by at least 0.2")


# §7.6 ResNet ------------------------------------------------------------------------------------------------

RESIDUAL_CONFIGS = ((3, 3, False, 1), (3, 6, True, 2), (4, 4, True, 1), (3, 5, True, 1))


@check("resnet.Residual", points=2, clauses="values")
def check_Residual_same_function(Residual):
    for i, args in enumerate(RESIDUAL_CONFIGS):
        assert_same_net(Residual(*args), ref("resnet.Residual")(*args), image((4, args[0], 6, 6), i + 1),
                        what=f"Residual{args}", modes=(True, False),
                        hint="Y = ReLU(bn1(conv1(X))), Y = bn2(conv2(Y)), then ReLU(Y + shortcut), the shortcut "
                             "being conv3(X) with use_1x1conv, else X")


@check("resnet.Residual", clauses="names")
def check_Residual_layer_names(Residual):
    for args in RESIDUAL_CONFIGS[:2]:
        layer = Residual(*args)
        found = on_its_side(layer, _children)
        expected = ["conv1", "conv2"] + ["conv3"] * args[2] + ["bn1", "bn2"]
        assert found["params"] == expected, \
            f"Residual{args}'s parameters should belong to {expected}, registered in this order, got {found['params']}"
        if not args[2]:
            assert layer.conv3 is None, f"Residual{args}: without use_1x1conv, conv3 should be None"


def tiny_resnet(Residual):
    """A small ResNet from the student's Residual: 16 then 32 channels, for 16×16 images."""
    return nn.Sequential(nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                         Residual(16, 16), Residual(16, 32, use_1x1conv=True, strides=2),
                         nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(32, 10))


RESNET_BUDGET = ("3 epochs on the first 3,000 training images resized to 16×16 (batch 32, lr 0.05, the book's "
                 "train_ch6), tested on the first 2,000 test images")


@check("resnet.Residual", points=3, kind="accuracy", clauses="trains")
def check_Residual_tiny_resnet_reaches_threshold(Residual, device):
    train_to_threshold(lambda: _seeded_run(functools.partial(tiny_resnet, Residual), 32, 3000, 3, 0.05, device,
                                           resize=16),
                       metric=lambda run: accuracy_curve_of(run)[-1], history=accuracy_curve_of, threshold=0.5,
                       reference_value=0.67, budget=RESNET_BUDGET,
                       what="test accuracy of a small ResNet built from your Residual")


def sequential_blocks(resnet_block, args, kwargs, stand_ins):
    """Student side: ``nn.Sequential(*resnet_block(*args, **kwargs))``, the Residual blocks stand-ins."""
    return nn.Sequential(*_build(resnet_block, resnet_block, args, kwargs, stand_ins))


@check("resnet.resnet_block", points=2, clauses="values")
def check_resnet_block_same_function(resnet_block):
    for args, kwargs in (((4, 8, 2), {}), ((4, 4, 2), {"first_block": True}), ((3, 6, 1), {}), ((5, 5, 3), {})):
        net = student_side(sequential_blocks, resnet_block, args, kwargs, STAND_INS["resnet_block"])
        what = f"nn.Sequential(*resnet_block{args}{', first_block=True' if kwargs else ''}) (with a correct Residual)"
        assert_same_net(net, nn.Sequential(*ref("resnet.resnet_block")(*args, **kwargs)), image((2, args[0], 8, 8), 1),
                        what=what, modes=(True,),
                        hint="the first block: Residual(input_channels, num_channels, use_1x1conv=True, strides=2) "
                             "unless first_block; the others Residual(num_channels, num_channels)")


@check("resnet.resnet18", points=2, clauses="values")
def check_resnet18_same_function(resnet18):
    net = build_with(resnet18, stand_ins=STAND_INS["resnet18"])
    assert_same_net(net, ref("resnet.resnet18")(), image((2, 1, 64, 64), 1), modes=(True,),
                    what="resnet18() (built with a correct resnet_block and Residual)")


@check("resnet.resnet18", clauses="uses")
def check_resnet18_uses_resnet_block(resnet18):
    net = assert_uses(resnet18, (), counts={"resnet_block": 4}, what="resnet18()", stand_ins=STAND_INS["resnet18"])
    assert_same_net(net, ref("resnet.resnet18")(),
                    image((2, 1, 64, 64), 1), modes=(True,),
                    what="resnet18() (it must also be right for this check to count)")


# §7.7 DenseNet ----------------------------------------------------------------------------------------------

@check("densenet.conv_block", points=2, clauses="values")
def check_conv_block_same_function(conv_block):
    for args in ((3, 5), (6, 2)):
        assert_same_net(conv_block(*args), ref("densenet.conv_block")(*args), image((4, args[0], 6, 6), 1),
                        what=f"conv_block{args}", modes=(True, False),
                        hint="BatchNorm2d(input_channels), ReLU, Conv2d(input_channels, num_channels, 3, padding=1)")


DENSE_CONFIGS = ((2, 3, 4), (3, 2, 5))


@check("densenet.DenseBlock", points=2, clauses="values", substitute=("conv_block",))
def check_DenseBlock_same_function(DenseBlock):
    for args in DENSE_CONFIGS:
        assert_same_net(DenseBlock(*args), ref("densenet.DenseBlock")(*args), image((2, args[1], 6, 6), 1),
                        what=f"DenseBlock{args}", modes=(True,),
                        hint="X = torch.cat((X, block(X)), dim=1) for each block: the input first, every earlier "
                             "feature kept")


@check("densenet.DenseBlock", clauses="uses", substitute=("conv_block",))
def check_DenseBlock_uses_conv_block(DenseBlock):
    for args in DENSE_CONFIGS:
        block = assert_uses(DenseBlock, args, counts={"conv_block": args[0]}, what=f"DenseBlock{args}")
        assert_same_net(block, ref("densenet.DenseBlock")(*args), image((2, args[1], 6, 6), 1),
                        what=f"DenseBlock{args} (it must also be right for this check to count)", modes=(True,))


@check("densenet.DenseBlock", clauses="names", substitute=("conv_block",))
def check_DenseBlock_holds_net(DenseBlock):
    block = DenseBlock(*DENSE_CONFIGS[1])
    found = on_its_side(block, _children)
    assert found["children"] == ["net"], \
        f"DenseBlock should hold its blocks in self.net (an nn.Sequential), and nothing else: got {found['children']}"
    assert type_name(block.net) == "Sequential", f"DenseBlock.net should be an nn.Sequential, got {type_name(block.net)}"


@check("densenet.transition_block", points=2, clauses="values")
def check_transition_block_same_function(transition_block):
    for args in ((6, 3), (5, 4)):
        assert_same_net(transition_block(*args), ref("densenet.transition_block")(*args), image((2, args[0], 8, 8), 1),
                        what=f"transition_block{args}", modes=(True, False),
                        hint="BatchNorm2d, ReLU, a 1×1 Conv2d, then AvgPool2d(kernel_size=2, stride=2)")


pooled_net_checks("densenet.densenet", lambda seed: image((2, 1, 64, 64), seed), modes=(True,),
                  what="densenet() (built with a correct DenseBlock and transition_block)",
                  pooling=("global_average_pooling", (True,), "the global pooling is AdaptiveAvgPool2d((1, 1)), an "
                           "average, as the text and the paper (the zh book's code has AdaptiveMaxPool2d)"),
                  uses=("uses_its_blocks", {"DenseBlock": 4, "transition_block": 3}))
