"""Chapter 9 (现代循环神经网络), public checks: the book's shapes, and PyTorch's layers where they compute the
same as the book's equations."""
import torch
from torch import nn

from autograder.harness import (assert_close, assert_tensor, book_compatible_gru, check, randn, scratch_params,
                                student_side, type_name)


def compare_with_layer(forward_fn, layer, linear, inputs, state, what, hint=""):
    """``forward_fn`` (the book's layout) against ``layer`` + ``linear`` on the same weights."""
    torch_state = tuple(s[None] for s in state)
    with torch.no_grad():
        Y, final = layer(inputs, torch_state[0] if len(state) == 1 else torch_state)
        expected = linear(Y).reshape(-1, linear.out_features)
    final = final if isinstance(final, tuple) else (final,)
    outputs, new_state = forward_fn(inputs, state, scratch_params(layer, linear))
    assert_close(outputs, expected, what=f"the outputs of {what}", hint=hint)
    assert isinstance(new_state, tuple) and len(new_state) == len(state), \
        f"{what} should return its state as a {len(state)}-tuple, got {type_name(new_state)}"
    for i, (got, exp) in enumerate(zip(new_state, final)):
        assert_close(got, exp[0], what=f"the final state #{i + 1} of {what}", hint=hint)


# §9.1 GRU ------------------------------------------------------------------------------------------

@check("gru.get_params", clauses="values")
def check_get_params_shapes(get_params):
    params = get_params(28, 16, "cpu")
    shapes = [tuple(p.shape) for p in params]
    expected = [(28, 16), (16, 16), (16,)] * 3 + [(16, 28), (28,)]
    assert shapes == expected, f"get_params(28, 16) gave shapes {shapes}, expected {expected}"


@check("gru.init_gru_state", clauses="values")
def check_init_gru_state_zeros(init_gru_state):
    state = init_gru_state(2, 16, "cpu")
    assert isinstance(state, tuple) and len(state) == 1, f"init_gru_state returns a 1-tuple (H,), got {state!r}"
    assert_close(state[0], torch.zeros(2, 16), what="H of init_gru_state(2, 16)")


@check("gru.gru", clauses="values")
def check_gru_matches_nn_GRU_where_equal(gru):
    layer, linear = book_compatible_gru(6, 5, seed=0), nn.Linear(5, 6)
    compare_with_layer(gru, layer, linear, randn((4, 3, 6), 1), (randn((3, 5), 2),),
                       "gru with the weights of an nn.GRU whose reset gate is the same for all units and b_hn = 0",
                       hint="Z = σ(X W_xz + H W_hz + b_z), R = σ(X W_xr + H W_hr + b_r), H̃ = tanh(X W_xh + "
                            "(R ⊙ H) W_hh + b_h), H = Z ⊙ H + (1 − Z) ⊙ H̃")


# §9.2 LSTM -----------------------------------------------------------------------------------------

@check("lstm.get_lstm_params", clauses="values")
def check_get_lstm_params_shapes(get_lstm_params):
    params = get_lstm_params(28, 16, "cpu")
    shapes = [tuple(p.shape) for p in params]
    expected = [(28, 16), (16, 16), (16,)] * 4 + [(16, 28), (28,)]
    assert shapes == expected, f"get_lstm_params(28, 16) gave shapes {shapes}, expected {expected}"


@check("lstm.init_lstm_state", clauses="values")
def check_init_lstm_state_shapes(init_lstm_state):
    state = init_lstm_state(2, 16, "cpu")
    assert isinstance(state, tuple) and len(state) == 2, f"init_lstm_state returns a pair (H, C), got {state!r}"
    for name, s in zip("HC", state):
        assert_close(s, torch.zeros(2, 16), what=f"{name} of init_lstm_state(2, 16)")


@check("lstm.lstm", clauses="values")
def check_lstm_matches_nn_LSTM(lstm):
    torch.manual_seed(0)
    layer, linear = nn.LSTM(6, 5), nn.Linear(5, 6)
    compare_with_layer(lstm, layer, linear, randn((4, 3, 6), 1), (randn((3, 5), 2), randn((3, 5), 3)),
                       "lstm with nn.LSTM's weights",
                       hint="C = F ⊙ C + I ⊙ C̃ carried from step to step; H = O ⊙ tanh(C)")


# §9.3 deep RNN, §9.4 bidirectional RNN -------------------------------------------------------------

def layer_triples(layer, num_layers, reverse=False):
    return [scratch_params(layer, k=k, reverse=reverse) for k in range(num_layers)]


def compare_stacked_with_nn_RNN(stacked_rnn, d, h, num_layers, T, batch, seed):
    """``stacked_rnn`` against ``nn.RNN(d, h, num_layers)`` on the same weights; returns the call's arguments."""
    torch.manual_seed(seed)
    layer = nn.RNN(d, h, num_layers=num_layers)
    inputs, H0 = randn((T, batch, d), seed + 1), randn((num_layers, batch, h), seed + 2)
    with torch.no_grad():
        expected, expected_state = layer(inputs, H0)
    label = f"nn.RNN({d}, {h}, num_layers={num_layers})'s weights"
    outputs, state = stacked_rnn(inputs, H0, layer_triples(layer, num_layers))
    assert_tensor(outputs, what=f"the outputs of stacked_rnn with {num_layers} layers", shape=(T, batch, h))
    assert_tensor(state, what=f"the final states of stacked_rnn with {num_layers} layers", shape=(num_layers, batch, h))
    assert_close(outputs, expected, what=f"the outputs of stacked_rnn with {label}",
                 hint="layer l reads layer l - 1's hidden states; the outputs are the top layer's")
    assert_close(state, expected_state, what=f"the final states of stacked_rnn with {label}",
                 hint="state[l] is layer l's last hidden state, layer 0 first")
    return inputs, H0, layer_triples(layer, num_layers)


@check("deep_rnn.stacked_rnn", clauses="values")
def check_stacked_rnn_matches_nn_RNN(stacked_rnn):
    compare_stacked_with_nn_RNN(stacked_rnn, 6, 5, 2, T=4, batch=3, seed=0)


@check("bidirectional.bidirectional_rnn", clauses="values")
def check_bidirectional_rnn_matches_nn_RNN(bidirectional_rnn):
    torch.manual_seed(0)
    layer = nn.RNN(6, 5, bidirectional=True)
    inputs, H0 = randn((4, 3, 6), 1), randn((2, 3, 5), 2)
    with torch.no_grad():
        expected, expected_state = layer(inputs, H0)
    outputs, state = bidirectional_rnn(inputs, H0, scratch_params(layer), scratch_params(layer, reverse=True))
    assert_tensor(outputs, what="the outputs of bidirectional_rnn", shape=(4, 3, 10))
    assert_close(outputs, expected, what="the outputs of bidirectional_rnn with nn.RNN(6, 5, bidirectional=True)'s "
                                         "weights",
                 hint="at step t: [forward state after step t, backward state after step t] (backward read T-1..0)")
    assert_close(state, expected_state, what="the final states of bidirectional_rnn")


# §9.6 encoder-decoder ------------------------------------------------------------------------------

def _subclass(Base, X):
    """Student side: a subclass of ``Base`` (the student's Encoder or Decoder) with one layer, called on ``X``."""
    class Dense(Base):
        def __init__(self):
            super().__init__()
            self.dense = nn.Linear(3, 4)

        def forward(self, X, *args):
            return self.dense(X)
    net = Dense()
    return {"module": isinstance(net, nn.Module), "parameters": sum(p.numel() for p in net.parameters()),
            "out": net(X).detach(), "expected": net.dense(X).detach()}


def assert_subclass_works(Base, name):
    got = student_side(_subclass, Base, torch.ones(2, 3))
    assert got["module"], f"{name} must be an nn.Module"
    assert got["parameters"] == 16, \
        f"a subclass of {name} that registers nn.Linear(3, 4) after super().__init__() has {got['parameters']} " \
        "parameters, expected 16: call super().__init__(**kwargs) so that nn.Module sets itself up"
    assert_close(got["out"], got["expected"], what=f"a subclass of {name} called on X (it runs its forward)")


@check("encoder_decoder.Encoder", clauses="module")
def check_Encoder_subclass(Encoder):
    assert_subclass_works(Encoder, "Encoder")


@check("encoder_decoder.Decoder", clauses="module")
def check_Decoder_subclass(Decoder):
    assert_subclass_works(Decoder, "Decoder")


class LinearEncoder(nn.Module):
    """A stand-in encoder (not built on your Encoder): a linear layer; it keeps the extra arguments it gets."""

    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(3, 4)

    def forward(self, X, *args):
        self.args = args
        return self.dense(X)


class AddDecoder(nn.Module):
    """A stand-in decoder: its state is the sum of the encoder's outputs, its output a linear layer of X + state."""

    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(4, 2)

    def init_state(self, enc_outputs, *args):
        self.args = args
        return enc_outputs.sum(0)

    def forward(self, X, state):
        return self.dense(X + state), state


@check("encoder_decoder.EncoderDecoder", clauses="values")
def check_EncoderDecoder_wiring(EncoderDecoder):
    torch.manual_seed(0)
    encoder, decoder = LinearEncoder(), AddDecoder()
    net = EncoderDecoder(encoder, decoder)
    enc_X, dec_X = randn((5, 3), 0), randn((2, 4), 1)
    Y, state = net(enc_X, dec_X)
    with torch.no_grad():
        expected_state = encoder.dense(enc_X).sum(0)
        expected = decoder.dense(dec_X + expected_state)
    assert_close(state.detach(), expected_state, what="the decoder's state: init_state(encoder(enc_X))")
    assert_close(Y.detach(), expected, what="EncoderDecoder(encoder, decoder)(enc_X, dec_X): decoder(dec_X, state)")
