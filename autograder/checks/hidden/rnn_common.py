"""Shared by the hidden checks of chapters 8 and 9: the book's recurrent pieces as check code, stand-ins swapped
into the student's module, training a character-level language model on a budget, PyTorch's layers in the
book's layout.

What the student's side needs is check code (it goes by value): the book's ``RNNModelScratch``
(``StandInModel``), recording stand-ins, and the minibatches, which the judge draws with the reference's data
pipeline and passes in; and the reference's scratch RNN, gradient clipping and epoch (``standin_*``), sent with
their code (``InPlace``).
The perplexity a threshold is compared with is computed here, from the model's outputs on those minibatches.
"""
import contextlib
import dataclasses
import functools
import io
import math
import sys

import torch
import torch.nn.functional as F
from torch import nn

from autograder.harness import (SEEDS, Forbidden, InPlace, assert_close, assert_keeps_device,
                                assert_no_forbidden_calls, assert_same_outputs, check_for, randint, reference,
                                seed_everything, speed_check, student_side, train_to_threshold, type_name)
from autograder.harness.registry import declaring_module
from autograder.checks.public.ch8 import TokenIndex
from autograder.harness.session import ship_by_value
from autograder.harness.train import sgd_updater

ship_by_value(__name__)   # its stand-ins and student-side helpers run where the code under test lives

BATCH_SIZE, NUM_STEPS, MAX_TOKENS = 32, 35, 10000


@dataclasses.dataclass(frozen=True)
class Budget:
    """What an accuracy check trains, the perplexity it must reach and what the reference reaches (measured)."""
    num_hiddens: int
    num_epochs: int
    lr: float
    threshold: float
    reference: float

    def __str__(self):
        return (f"{self.num_epochs} epochs of train_ch8 on the first {MAX_TOKENS:,} characters (batch {BATCH_SIZE}, "
                f"{NUM_STEPS} steps, sequential partitioning, {self.num_hiddens} hidden units, lr {self.lr:g}, "
                "clipping at 1)")


RECURRENT_LAYERS = Forbidden(
    "PyTorch's recurrent layers (nn.RNN, nn.GRU, nn.LSTM, their cells, torch.rnn_tanh, ...)",
    functions=(torch.rnn_tanh, torch.rnn_relu, torch.gru, torch.lstm, torch.rnn_tanh_cell, torch.rnn_relu_cell,
               torch.gru_cell, torch.lstm_cell),
    aten=("rnn_tanh", "rnn_relu", "gru", "lstm", "rnn_tanh_cell", "rnn_relu_cell", "gru_cell", "lstm_cell",
          "mkldnn_rnn_layer", "_thnn_fused_lstm_cell", "_thnn_fused_gru_cell", "_cudnn_rnn", "miopen_rnn"))


# --- stand-ins swapped into the student's module (on the student's side) ------------------------------------

def _module_of(owner):
    return vars(sys.modules[owner.__module__])


def with_stand_ins(owner, stand_ins: dict, body, *args):
    """Student side: ``body(*args)`` while every name of ``owner``'s module that is bound to what ``stand_ins``
    names (module globals) is the given check-code object instead; restored afterwards. So a unit check of
    ``train_epoch_ch8`` runs it with the book's ``grad_clipping`` (which works in place, so it cannot be a
    reference stub), and a recording stand-in sees how it is called."""
    namespace, saved = _module_of(owner), {}
    for name, obj in stand_ins.items():
        if name not in namespace:
            continue
        old = namespace[name]
        for key, value in list(namespace.items()):
            if value is old:
                saved.setdefault(key, value)
                namespace[key] = obj
    try:
        return body(*args)
    finally:
        namespace.update(saved)


def run_with(owner, stand_ins: dict, body, *args):
    """``with_stand_ins`` where the code under test lives (``owner`` is the student's function or class)."""
    return student_side(with_stand_ins, owner, stand_ins, body, *args)


def installed(owner, name):
    """Student side: what ``owner``'s module binds to ``name`` now (the stand-in, while one is swapped in)."""
    return _module_of(owner).get(name)


class Recorder:
    """Check code: a callable that records its calls (arguments as given) and answers with ``answer(*args)``."""

    def __init__(self, answer=None):
        self.calls, self.answer = [], answer

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self.answer(*args, **kwargs) if self.answer is not None else None


# --- the book's pieces: the references', sent with their code where the code under test lives ---------------

standin_get_params = InPlace("ch8.rnn_scratch.get_params")
standin_init_state = InPlace("ch8.rnn_scratch.init_rnn_state")
standin_rnn = InPlace("ch8.rnn_scratch.rnn")
standin_grad_clipping = InPlace("ch8.rnn_scratch.grad_clipping")
standin_train_epoch = InPlace("ch8.rnn_scratch.train_epoch_ch8")


class StandInModel:
    """The book's ``RNNModelScratch``, as check code (it runs where the pieces under test live)."""

    def __init__(self, vocab_size, num_hiddens, device, get_params, init_state, forward_fn):
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens, device)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X, state):
        return self.forward_fn(F.one_hot(X.T.long(), self.vocab_size).type(torch.float32), state, self.params)

    def begin_state(self, batch_size, device):
        return self.init_state(batch_size, self.num_hiddens, device)




def standin_train(net, train_iter, lr, num_epochs, device, epoch=standin_train_epoch):
    """The book's ``train_ch8`` without the printing: the per-epoch perplexities."""
    loss = nn.CrossEntropyLoss()
    updater = torch.optim.SGD(net.parameters(), lr) if isinstance(net, nn.Module) else sgd_updater(net.params, lr)
    return [epoch(net, train_iter, loss, updater, device, False)[0] for _ in range(num_epochs)]


# --- perplexity on a budget, computed by the judge -----------------------------------------------------------

@functools.lru_cache(maxsize=4)
def training_passes(num_epochs: int, seed: int = 0):
    """Judge side: the minibatches of ``num_epochs`` passes of the reference's ``load_data_time_machine(32, 35,
    max_tokens=10000)`` (sequential partitioning: one random offset per pass, drawn after ``seed_everything(seed)``
    as in the book's loop), and the vocabulary's tokens."""
    seed_everything(seed)
    data, vocab = reference("ch8.language_model.load_data_time_machine")(BATCH_SIZE, NUM_STEPS, max_tokens=MAX_TOKENS)
    return tuple(tuple(data) for _ in range(num_epochs)), tuple(vocab.idx_to_token)


class Passes:
    """Check code: the judge's minibatches as a data iterator, pass ``k`` on the ``k``-th ``iter()`` (as
    ``SeqDataLoader`` starts a fresh pass each time), and which minibatch is being read."""

    def __init__(self, passes):
        self.passes, self.started, self.at = passes, 0, None

    def __iter__(self):
        k = min(self.started, len(self.passes) - 1)
        self.started += 1
        for i, batch in enumerate(self.passes[k]):
            self.at = (k, i)
            yield batch
        self.at = None


class Recorded:
    """Check code: a scratch-style model (``params``, ``begin_state``, call) whose outputs on the minibatches of
    the last pass are kept, so that the judge can compute the last epoch's perplexity itself."""

    def __init__(self, net, data):
        self.net, self.data, self.outputs = net, data, {}
        self.vocab_size, self.num_hiddens = net.vocab_size, net.num_hiddens

    @property
    def params(self):
        return self.net.params

    def begin_state(self, batch_size, device):
        return self.net.begin_state(batch_size, device)

    def __call__(self, X, state):
        Y, state = self.net(X, state)
        at = self.data.at
        if at is not None and at[0] == len(self.data.passes) - 1 and at[1] not in self.outputs:
            X_batch = self.data.passes[at[0]][at[1]][0]
            if tuple(X.shape) == tuple(X_batch.shape) and torch.equal(X.detach().to("cpu"), X_batch):
                self.outputs[at[1]] = Y.detach().to("cpu").clone()
        return Y, state


def perplexity_run(pieces, passes, tokens, num_hiddens, lr, train_ch8=None):
    """Student side: train ``StandInModel(*pieces)`` on the judge's minibatches (one pass per epoch) with the
    book's loop (or with ``train_ch8``); returns what the loop reported and the model's outputs on the last pass."""
    data = Passes(passes)
    net = Recorded(StandInModel(len(tokens), num_hiddens, "cpu", *pieces), data)
    with contextlib.redirect_stdout(io.StringIO()):   # train_ch8 prints its sample text
        if train_ch8 is None:
            history = standin_train(net, data, lr, len(passes), "cpu")
        else:
            history = train_ch8(net, data, TokenIndex(tokens), lr, len(passes), "cpu")
    return {"history": history, "outputs": [net.outputs.get(i) for i in range(len(passes[-1]))]}


def reported_history(run) -> list:
    history = run["history"]
    if isinstance(history, (list, tuple)) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                  for v in history):
        return [float(v) for v in history]
    return []


def verified_perplexity(run, passes, vocab_size) -> float:
    """Judge side: the last epoch's training perplexity, from the model's outputs on its minibatches and the
    judge's labels; a perplexity the code reported for that epoch must be the same number."""
    total, tokens = 0.0, 0
    for i, ((X, Y), y_hat) in enumerate(zip(passes[-1], run["outputs"])):
        rows = Y.numel()
        if not isinstance(y_hat, torch.Tensor) or tuple(y_hat.shape) != (rows, vocab_size):
            raise AssertionError(f"the model was not called on minibatch {i + 1} of the last epoch as the book's loop "
                                 f"calls it (outputs {(rows, vocab_size)} expected, got "
                                 f"{tuple(y_hat.shape) if isinstance(y_hat, torch.Tensor) else y_hat!r}): train "
                                 f"for num_epochs passes over train_iter, calling net(X, state) once per minibatch")
        total += float(F.cross_entropy(y_hat.double(), Y.T.reshape(-1), reduction="sum"))
        tokens += rows
    ppl = math.exp(total / tokens)
    history = reported_history(run)
    if history and not math.isclose(history[-1], ppl, rel_tol=1e-3):
        raise AssertionError(f"the perplexity reported for the last epoch is {history[-1]:.6g}, but the model's "
                             f"outputs on that epoch's minibatches give {ppl:.6g}: it must be exp of the mean "
                             "cross-entropy per token of the epoch, with the labels Y.T.reshape(-1)")
    return ppl


def assert_perplexity(pieces, budget: Budget, *, what, train_ch8=None):
    """Train ``StandInModel(*pieces)`` on ``budget`` and fail if the last epoch's training perplexity (computed here
    from the model's outputs) is above its threshold."""
    passes, tokens = training_passes(budget.num_epochs)
    num_hiddens, lr = budget.num_hiddens, budget.lr
    train_to_threshold(lambda: perplexity_run(pieces, passes, tokens, num_hiddens, lr, train_ch8),
                       metric=lambda run: verified_perplexity(run, passes, len(tokens)), history=reported_history,
                       threshold=budget.threshold, higher_is_better=False, reference_value=budget.reference,
                       budget=str(budget), what=what)


# --- recurrent layers in the book's layout ---------------------------------------------------------------------

def one_hot_inputs(T, B, V, seed, device="cpu"):
    """Time-major one-hot inputs ``(T, B, V)``, float32."""
    return F.one_hot(randint(0, V, (T, B), seed), V).float().to(device)


def torch_layer_outputs(layer, linear, inputs, state):
    """What ``layer`` + ``linear`` compute, in the book's layout: ``(outputs (T * B, V), final state)``."""
    with torch.no_grad():
        Y, new_state = layer(inputs, state)
        return linear(Y).reshape(-1, linear.out_features), new_state


def layer_builtin(make_layer):
    """``builtin=`` for a speed check: the same computation by a PyTorch layer, its weights loaded once per
    parameter list (from ``scratch_params``' layout back into the layer)."""
    cache = {}

    def builtin(inputs, state, params):
        key = id(params)
        if key not in cache:
            layer = make_layer(inputs.shape[-1], params[1].shape[0]).to(inputs.device)
            load_scratch_params(layer, params)
            cache.clear()
            cache[key] = layer
        layer = cache[key]
        hidden = tuple(s[None] for s in state)
        Y, _ = layer(inputs, hidden[0] if len(hidden) == 1 else hidden)
        return Y.reshape(-1, Y.shape[-1]) @ params[-2] + params[-1]
    return builtin


def load_scratch_params(layer, params):
    """Inverse of ``scratch_params`` for a one-layer ``nn.RNN``/``nn.GRU``/``nn.LSTM`` (biases all put in
    ``bias_ih``; for ``nn.GRU`` that is the same computation only up to where its reset gate goes)."""
    with torch.no_grad():
        if isinstance(layer, nn.LSTM):
            gates = [params[i:i + 3] for i in (0, 3, 9, 6)]  # i, f, g(=c), o
        elif isinstance(layer, nn.GRU):
            gates = [params[3:6], params[0:3], params[6:9]]  # r, z, n
        else:
            gates = [params[:3]]
        layer.weight_ih_l0.copy_(torch.cat([g[0].T for g in gates]))
        layer.weight_hh_l0.copy_(torch.cat([g[1].T for g in gates]))
        layer.bias_ih_l0.copy_(torch.cat([g[2] for g in gates]))
        layer.bias_hh_l0.zero_()


def timing_args(get_params, init_state, *, steps=1050, batch_size=16, vocab_size=28, num_hiddens=16):
    """``make_args(device, seed)`` for the speed checks: one-hot inputs, a zero state and the weights of the
    reference's ``get_params`` and ``init_state`` (dotted names), all drawn from ``seed``. A long sequence of small
    batches of small states: the reference's time is its per-step overhead, so a loop over the examples of the
    batch, or work redone at every step for the whole sequence, shows (and costs the 35-step training runs little)."""
    def make(device, seed=0):
        torch.manual_seed(seed)
        params = [p.detach().to(device) for p in reference(get_params)(vocab_size, num_hiddens, "cpu")]
        return (one_hot_inputs(steps, batch_size, vocab_size, seed, device),
                reference(init_state)(batch_size, num_hiddens, device), params)
    return make


# --- the parameters' initialisation: seeded comparisons -------------------------------------------------------

def _seeded_params(get_params, seed, args):
    torch.manual_seed(seed)
    params = get_params(*args)
    return {"params": list(params) if isinstance(params, (list, tuple)) else params,
            "leaf": [bool(p.is_leaf and p.requires_grad) if isinstance(p, torch.Tensor) else None
                     for p in (params if isinstance(params, (list, tuple)) else [])]}


def seeded_params(get_params, seed, args):
    """``get_params(*args)`` right after ``torch.manual_seed(seed)``, run where ``get_params`` lives; with, per
    tensor, whether it is a leaf that requires grad."""
    return student_side(_seeded_params, get_params, seed, args)


def init_hint(got, expected, name) -> str:
    if got.shape != expected.shape:
        return ""
    if name.startswith("b"):
        return "biases start at zero (torch.zeros)"
    std = float(got.detach().double().std()) if got.numel() > 1 else 0.0
    if std > 0.5:
        return f"the std of {name} is {std:.3g}: scale the normal draws by 0.01 (torch.randn(shape) * 0.01)"
    return ("draw every weight with torch.randn(shape, device=device) * 0.01 from torch's global generator, in the "
            "order of the list (no generator of your own, no other draws in between)")


def assert_params_match_reference(get_params, ref, names, *, what, seeds=(0, 1), sizes=(28, 256)):
    """Under the same seed on both sides, ``get_params(V, H, 'cpu')`` gives the reference's tensors, in order."""
    for seed in seeds:
        got = seeded_params(get_params, seed, (*sizes, "cpu"))["params"]
        torch.manual_seed(seed)
        expected = ref(*sizes, "cpu")
        if not isinstance(got, list) or len(got) != len(expected):
            raise AssertionError(f"{what}{sizes} should return a list of {len(expected)} tensors "
                                 f"({', '.join(names)}), got {len(got) if isinstance(got, list) else got!r}")
        for name, g, e in zip(names, got, expected):
            assert_close(g.detach() if isinstance(g, torch.Tensor) else g, e.detach(),
                         what=f"{name} of {what}{sizes} right after torch.manual_seed({seed})",
                         hint=init_hint(g, e, name) if isinstance(g, torch.Tensor) else "")


def assert_leaves(get_params, ref, names, *, what, sizes=(28, 16)):
    """Every tensor ``get_params`` makes is a leaf that requires grad (and right: seeded, the reference's)."""
    run = seeded_params(get_params, 0, (*sizes, "cpu"))
    torch.manual_seed(0)
    expected = ref(*sizes, "cpu")
    assert isinstance(run["params"], list) and len(run["params"]) == len(expected), \
        f"{what} should return a list of {len(expected)} tensors"
    for name, p, e, leaf in zip(names, run["params"], expected, run["leaf"]):
        assert leaf, (f"{name} of {what}{(*sizes, 'cpu')} should be a leaf tensor with requires_grad=True: make it, "
                      "then call .requires_grad_(True) (torch.randn(..., requires_grad=True) * 0.01 is not a leaf)")
        assert_close(p.detach(), e.detach(), what=f"{name} of {what}{(*sizes, 'cpu')} after torch.manual_seed(0) "
                                                  "(it must also be right for this check to count)")


def assert_zero_state(init_state, batch_size, num_hiddens, name, parts="H"):
    """``init_state(batch_size, num_hiddens, 'cpu')`` is a tuple of zero (batch_size, num_hiddens) tensors, one
    per letter of ``parts`` ("H": a 1-tuple (H,); "HC": the LSTM's pair (H, C))."""
    state = init_state(batch_size, num_hiddens, "cpu")
    shape = "a 1-tuple (H,)" if parts == "H" else f"a pair ({', '.join(parts)})"
    assert isinstance(state, tuple) and len(state) == len(parts), f"{name} returns {shape}"
    for part, s in zip(parts, state):
        assert_close(s, torch.zeros(batch_size, num_hiddens),
                     what=f"{part} of {name}({batch_size}, {num_hiddens}, 'cpu')")


def assert_made_on(make, shapes, what):
    """``make(device)`` on PyTorch's meta device: every tensor it returns has its shape and is on ``meta``."""
    got = make("meta")
    tensors = list(got) if isinstance(got, (list, tuple)) else [got]
    assert len(tensors) == len(shapes), f"{what} with device='meta' gave {len(tensors)} tensors, expected {len(shapes)}"
    for i, (t, shape) in enumerate(zip(tensors, shapes)):
        assert isinstance(t, torch.Tensor) and tuple(t.shape) == tuple(shape), \
            f"tensor #{i + 1} of {what} with device='meta' should have shape {shape}"
        assert t.device.type == "meta", (f"tensor #{i + 1} of {what} with device='meta' is on {t.device}: make every "
                                         "tensor with device=device")


# --- the checks every scratch recurrent network of chapters 8 and 9 has, declared once --------------------------

def parameter_checks(exercise: str, names: tuple, shapes: list) -> None:
    """Declare the checks of a scratch ``get_params`` (call from a chapter's check module): the reference's draws
    (``initialisation``), leaves that require grad (``leaves_with_grad``) and every tensor made on the device it is
    given (``on_device``; ``shapes``: those of ``get_params(10, 6, device)``, in order). ``names``: the tensors'."""
    module = declaring_module()
    target, what = f"{module.rsplit('.', 1)[1]}.{exercise}", exercise.rsplit(".", 1)[1]

    def initialisation(fn):
        assert_params_match_reference(fn, reference(target), names, what=what)

    def leaves_with_grad(fn):
        assert_leaves(fn, reference(target), names, what=what)

    def on_device(fn):
        assert_params_match_reference(fn, reference(target), names, what=what, seeds=(0,), sizes=(10, 6))
        assert_made_on(lambda d: fn(10, 6, d), shapes, f"{what}(10, 6)")

    check_for(module, exercise, initialisation, name="initialisation", points=2, clauses="values")
    check_for(module, exercise, leaves_with_grad, name="leaves_with_grad", clauses="grad")
    check_for(module, exercise, on_device, name="on_device", clauses="device")


def zero_state_checks(exercise: str, *, parts: str = "H", values: str = "shapes", sizes=((1, 1), (7, 3))) -> None:
    """Declare the checks of a scratch ``init_*_state``: zero tensors of every size (the check ``values``) and
    made on the device it is given (``on_device``). ``parts``: as for ``assert_zero_state``."""
    module, what = declaring_module(), exercise.rsplit(".", 1)[1]

    def zeros(fn):
        for batch_size, num_hiddens in sizes:
            assert_zero_state(fn, batch_size, num_hiddens, what, parts)

    def on_device(fn):
        assert_zero_state(fn, 3, 4, what, parts)
        assert_made_on(lambda d: fn(3, 4, d), [(3, 4)] * len(parts), f"{what}(3, 4)")

    check_for(module, exercise, zeros, name=values, clauses="values")
    check_for(module, exercise, on_device, name="on_device", clauses="device")


def recurrent_reference_check(exercise: str, make_args, *, call: str, hint) -> None:
    """Declare the check ``matches_reference`` of a scratch recurrent function: the reference's outputs and final
    state on ``make_args(seed)`` for every seed (``assert_recurrent_matches``)."""
    module = declaring_module()
    target = f"{module.rsplit('.', 1)[1]}.{exercise}"
    check_for(module, exercise, lambda fn: assert_recurrent_matches(fn, reference(target), make_args, what=call,
                                                                    seeds=SEEDS, hint=hint),
              name="matches_reference", points=2, clauses="values")


def recurrent_checks(exercise: str, make_args, *, call: str, hint, layer, speed_hint: str, pieces: dict,
                     budget: Budget, model: str) -> None:
    """Declare the checks of a scratch recurrent function ``fn(inputs, state, params)`` beside its unit checks:
    right and on the device of its inputs (``on_device``), no recurrent layer of PyTorch's (``no_builtin``), as
    fast as the reference (``speed``, against ``layer``'s), and trained with the student's ``pieces``
    (``{"get_params": "gru.get_params", "init_gru_state": ...}``) to ``budget``'s perplexity (``perplexity``).
    ``call``: how messages show a call; ``hint``: as for ``assert_recurrent_matches``; ``model``: "GRU"."""
    module = declaring_module()
    chapter, what = module.rsplit(".", 1)[1], exercise.rsplit(".", 1)[1]
    target = f"{chapter}.{exercise}"

    def on_device(fn):
        assert_recurrent_matches(fn, reference(target), make_args, what=call, seeds=(2,), hint=hint)
        assert_keeps_device(fn, *make_args(2), what=call)

    def no_builtin(fn):
        assert_no_forbidden_calls(fn, *make_args(0), forbidden=RECURRENT_LAYERS, what=what, ref=reference(target))

    (params_name, params_exercise), (state_name, state_exercise) = pieces.items()

    def perplexity(params_fn, state_fn, fn):
        assert_perplexity((params_fn, state_fn, fn), budget,
                          what=f"the training perplexity of the character-level {model} built from your {params_name}, "
                               f"{state_name} and {what} (in the book's RNNModelScratch and train_ch8)")

    check_for(module, exercise, on_device, name="on_device", clauses="device")
    check_for(module, exercise, no_builtin, name="no_builtin", clauses="no_builtin")
    speed_check(exercise, timing_args(f"{chapter}.{params_exercise}", f"{chapter}.{state_exercise}"),
                builtin=layer_builtin(layer), limit=10, hint=speed_hint, module=module)
    check_for(module, exercise, perplexity, name="perplexity", points=3, kind="accuracy",
              clauses=("values", "gradients"), uses={"params_fn": params_exercise, "state_fn": state_exercise})


# --- hints for the classic mistakes in a recurrent loop -------------------------------------------------------

def loop_hint(got, inputs, state, default="") -> str:
    """What a recurrent function's outputs say about its loop: a ``return`` inside it, or a state never updated."""
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return default
    outputs, new_state = got
    T, B = inputs.shape[0], inputs.shape[1]
    if isinstance(outputs, torch.Tensor) and T > 1 and outputs.dim() == 2 and outputs.shape[0] == B:
        return ("the outputs cover one time step only: is the return inside the for loop? Collect the output of "
                "every step and return after the loop")
    if isinstance(new_state, (tuple, list)) and len(new_state) == len(state) and all(
            isinstance(g, torch.Tensor) and g.shape == s.shape and torch.equal(g.detach(), s) for g, s in
            zip(new_state, state)):
        return ("the state that comes back is the initial one: the state is never updated. Assign H = ... inside "
                "the loop, so that each step reads the state of the step before")
    return default


def _clone(args):
    return [a.detach().clone() if isinstance(a, torch.Tensor) else
            type(a)(x.detach().clone() if isinstance(x, torch.Tensor) else x for x in a) if isinstance(a, (tuple, list))
            else a for a in args]


def assert_recurrent_matches(fn, ref_fn, make_args, *, what, seeds, hint):
    """``fn(inputs, state, ...)`` against the reference for each seed (fresh copies of the inputs on both sides),
    with a hint read from what came back: ``hint`` is a text, or ``hint(got, args)`` gives one."""
    for seed in seeds:
        args = make_args(seed)
        expected = ref_fn(*_clone(args))
        got = fn(*_clone(args))
        label = f"{what} for inputs {tuple(args[0].shape)} (seed {seed})"
        if not (isinstance(got, tuple) and len(got) == 2):
            raise AssertionError(f"{label} should return (outputs, state), got {type_name(got)}")
        text = loop_hint(got, args[0], args[1], hint(got, args) if callable(hint) else hint)
        outputs = got[0]
        if isinstance(outputs, torch.Tensor) and outputs.shape != expected[0].shape:
            raise AssertionError(f"{label}: the outputs have shape {tuple(outputs.shape)}, expected "
                                 f"{tuple(expected[0].shape)} (T * B rows, time-major)\n  hint: {text}")
        assert_same_outputs(got, expected, what=label, hint=text)
