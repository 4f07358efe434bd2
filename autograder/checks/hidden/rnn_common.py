"""Training a character-level language model on a fixed budget: shared by the accuracy checks of chapters 8 and 9.

The book trains for 500 epochs with 256-512 hidden units; that takes hours on
two CPU cores. The checks train small models for a few epochs with the
reference's data pipeline, model wrapper and loop (``train_ch8``), the code
under test plugged in where the check says.
"""
import contextlib
import dataclasses
import io

import torch
import torch.nn.functional as F
from torch import nn

from autograder.harness import Forbidden, randint, reference, train_to_threshold

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


@contextlib.contextmanager
def single_thread():
    """Small recurrent models run step by step: one CPU thread is faster than several (and far faster on a
    loaded machine, where threads wait for each other at every small operation)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def assert_perplexity(pieces, budget: Budget, *, what, train_ch8=None):
    """Train ``RNNModelScratch(*pieces)`` on ``budget`` and fail if the final training perplexity is above its
    threshold."""
    train_to_threshold(lambda: perplexity_history(*pieces, num_hiddens=budget.num_hiddens,
                                                  num_epochs=budget.num_epochs, lr=budget.lr, train_ch8=train_ch8),
                       metric=lambda h: h[-1], threshold=budget.threshold, higher_is_better=False,
                       reference_value=budget.reference, budget=str(budget), what=what)


def perplexity_history(get_params, init_state, forward_fn, *, num_hiddens, num_epochs, lr, train_ch8=None):
    """Per-epoch training perplexities of ``RNNModelScratch(get_params, init_state, forward_fn)``."""
    train_iter, vocab = reference("ch8.language_model.load_data_time_machine")(BATCH_SIZE, NUM_STEPS,
                                                                              max_tokens=MAX_TOKENS)
    net = reference("ch8.rnn_scratch.RNNModelScratch")(len(vocab), num_hiddens, "cpu", get_params, init_state,
                                                        forward_fn)
    train = train_ch8 or reference("ch8.rnn_scratch.train_ch8")
    with contextlib.redirect_stdout(io.StringIO()), single_thread():  # train_ch8 prints its sample text
        return train(net, train_iter, vocab, lr, num_epochs, "cpu")


RECURRENT_LAYERS = Forbidden(
    "PyTorch's recurrent layers (nn.RNN, nn.GRU, nn.LSTM, their cells, torch.rnn_tanh, ...)",
    functions=(torch.rnn_tanh, torch.rnn_relu, torch.gru, torch.lstm, torch.rnn_tanh_cell, torch.rnn_relu_cell,
               torch.gru_cell, torch.lstm_cell),
    aten=("rnn_tanh", "rnn_relu", "gru", "lstm", "rnn_tanh_cell", "rnn_relu_cell", "gru_cell", "lstm_cell",
          "mkldnn_rnn_layer", "_thnn_fused_lstm_cell", "_thnn_fused_gru_cell", "_cudnn_rnn", "miopen_rnn"))


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


def assert_scratch_init(get_params, names, *, what):
    """``get_params(28, 512, 'cpu')``: float32 weights from N(0, 0.01²), zero biases, repeatable under a seed."""
    torch.manual_seed(0)
    params = get_params(28, 512, "cpu")
    assert len(params) == len(names), \
        f"{what} should return {len(names)} tensors ({', '.join(names)}), got {len(params)}"
    for name, p in zip(names, params):
        assert p.dtype == torch.float32 and p.device.type == "cpu", f"{name} should be float32 on the given device"
        if name.startswith("b"):
            assert torch.all(p == 0), f"{name} should start at zero"
        else:
            std = p.detach().std().item()
            assert 0.0093 < std < 0.0107 and abs(p.detach().mean().item()) < 0.002, \
                f"{name} should be drawn from N(0, 0.01²): std {std:.4f}"
    torch.manual_seed(0)
    again = get_params(28, 512, "cpu")
    assert torch.equal(again[1], params[1]), "draw with torch's global generator (torch.randn), so seeding repeats it"


def timing_args(get_params, init_state, *, steps=35, batch_size=64, vocab_size=28, num_hiddens=64):
    """``make_args(device)`` for the speed checks: one-hot inputs, a zero state and the weights of the reference's
    ``get_params`` and ``init_state`` (dotted names). Small hidden layers make per-step overhead count, so a loop
    over the examples of a batch shows."""
    def make(device):
        torch.manual_seed(0)
        params = [p.detach().to(device) for p in reference(get_params)(vocab_size, num_hiddens, "cpu")]
        return (one_hot_inputs(steps, batch_size, vocab_size, 0, device),
                reference(init_state)(batch_size, num_hiddens, device), params)
    return make
