"""Chapter 9 (现代循环神经网络), hidden checks: the book's equations against the reference, gradients, PyTorch's
layers, forbidden shortcuts, speed and perplexity thresholds."""
import torch
from torch import nn

from autograder.checks.hidden.rnn_common import (RECURRENT_LAYERS, Budget, assert_perplexity, assert_scratch_init,
                                                 layer_builtin, one_hot_inputs, timing_args)
from autograder.checks.public.ch9 import compare_stacked_with_nn_RNN, compare_with_layer, stand_in_parts
from autograder.harness import (SEEDS, assert_close, assert_gradients_match, assert_matches_reference,
                                assert_no_forbidden_calls, book_compatible_gru, check, randn,
                                reference, speed_check)


def ref(name):
    return reference(f"ch9.{name}")


def gated_args(seed, gates, T=5, batch=3, V=7, H=6, cell=False):
    """Random parameters in the book's layout (``gates`` triples, then the output layer), inputs and state."""
    params = []
    for g in range(gates):
        params += [randn((V, H), seed + 3 * g + 1, scale=0.7), randn((H, H), seed + 3 * g + 2, scale=0.7),
                   randn((H,), seed + 3 * g + 3, scale=0.5)]
    params += [randn((H, V), seed + 50, scale=0.7), randn((V,), seed + 51)]
    state = (randn((batch, H), seed + 60),) + ((randn((batch, H), seed + 61),) if cell else ())
    return one_hot_inputs(T, batch, V, seed), state, params


def flat(forward_fn, cell=False):
    """``forward_fn`` as a function of tensors only, for the comparison and gradient helpers."""
    def fn(inputs, *rest):
        n = 2 if cell else 1
        outputs, state = forward_fn(inputs, tuple(rest[:n]), list(rest[n:]))
        return (outputs, *state)
    return fn


def flatten(args):
    inputs, state, params = args
    return (inputs, *state, *params)


def assert_gated_matches_reference(fn, name, gates, cell, hint):
    expected = ref(name)
    assert_matches_reference(flat(fn, cell), flat(expected, cell),
                             lambda seed: flatten(gated_args(seed, gates, cell=cell)),
                             what=f"{name.split('.')[1]}(inputs, state, params)", seeds=SEEDS, hint=hint)
    n = len(flatten(gated_args(0, gates, cell=cell)))
    assert_gradients_match(lambda *a: flat(fn, cell)(*a)[0], lambda *a: flat(expected, cell)(*a)[0],
                           flatten(gated_args(1, gates, cell=cell)), wrt=tuple(range(n)),
                           what=f"the outputs of {name.split('.')[1]}")


GRU_HINT = ("Z = σ(X W_xz + H W_hz + b_z), R = σ(X W_xr + H W_hr + b_r), H̃ = tanh(X W_xh + (R ⊙ H) W_hh + b_h), "
            "H = Z ⊙ H + (1 − Z) ⊙ H̃: the reset gate multiplies H before W_hh (PyTorch applies it after)")
LSTM_HINT = "I, F, O = σ(...), C̃ = tanh(...), C = F ⊙ C + I ⊙ C̃ carried to the next step, H = O ⊙ tanh(C)"


# §9.1 GRU ------------------------------------------------------------------------------------------

@check("gru.get_params")
def check_get_params_initialisation(get_params):
    assert_scratch_init(get_params, ("W_xz", "W_hz", "b_z", "W_xr", "W_hr", "b_r", "W_xh", "W_hh", "b_h",
                                     "W_hq", "b_q"), what="get_params")


@check("gru.init_gru_state")
def check_init_gru_state_shapes(init_gru_state, device):
    for batch_size, num_hiddens in ((1, 1), (7, 3)):
        state = init_gru_state(batch_size, num_hiddens, device)
        assert isinstance(state, tuple) and len(state) == 1, "init_gru_state returns a 1-tuple (H,)"
        assert_close(state[0], torch.zeros(batch_size, num_hiddens, device=device),
                     what=f"H of init_gru_state({batch_size}, {num_hiddens}, {device!r})")


@check("gru.gru", points=2)
def check_gru_matches_reference(gru):
    assert_gated_matches_reference(gru, "gru.gru", 3, False, GRU_HINT)


@check("gru.gru")
def check_gru_matches_nn_GRU_long(gru):
    layer, linear = book_compatible_gru(9, 12, seed=5), nn.Linear(12, 9)
    compare_with_layer(gru, layer, linear, one_hot_inputs(13, 6, 9, 5), (randn((6, 12), 6),),
                       "gru over 13 steps with the weights of a book-compatible nn.GRU(9, 12)", hint=GRU_HINT)


@check("gru.gru")
def check_gru_no_builtin(gru):
    inputs, state, params = gated_args(0, 3)
    assert_no_forbidden_calls(gru, inputs, state, params, forbidden=RECURRENT_LAYERS, what="gru")


speed_check("gru.gru", timing_args("ch9.gru.get_params", "ch9.gru.init_gru_state"),
            builtin=layer_builtin(nn.GRU), limit=10,
            hint="loop over the time steps only, with a few matrix products per step")

# measured: the reference reaches 9.8 (seeds 0-2: 9.75-9.96); the output read before the update, 15.0
GRU_BUDGET = Budget(num_hiddens=64, num_epochs=24, lr=4, threshold=12.5, reference=9.8)


@check("gru.gru", points=3, kind="accuracy", uses={"get_params": "gru.get_params",
                                                   "init_gru_state": "gru.init_gru_state"})
def check_gru_perplexity(get_params, init_gru_state, gru):
    assert_perplexity((get_params, init_gru_state, gru), GRU_BUDGET,
                      what="the training perplexity of the character-level GRU built from your get_params, "
                           "init_gru_state and gru")


# §9.2 LSTM -----------------------------------------------------------------------------------------

@check("lstm.get_lstm_params")
def check_get_lstm_params_initialisation(get_lstm_params):
    assert_scratch_init(get_lstm_params, ("W_xi", "W_hi", "b_i", "W_xf", "W_hf", "b_f", "W_xo", "W_ho", "b_o",
                                          "W_xc", "W_hc", "b_c", "W_hq", "b_q"), what="get_lstm_params")


@check("lstm.init_lstm_state")
def check_init_lstm_state_separate_tensors(init_lstm_state, device):
    H, C = init_lstm_state(4, 3, device)
    for name, s in (("H", H), ("C", C)):
        assert_close(s, torch.zeros(4, 3, device=device), what=f"{name} of init_lstm_state(4, 3, {device!r})")
    H.add_(1)
    assert torch.all(C == 0), "H and C must be two separate tensors (one zeros tensor used twice is shared)"


@check("lstm.lstm", points=2)
def check_lstm_matches_reference(lstm):
    assert_gated_matches_reference(lstm, "lstm.lstm", 4, True, LSTM_HINT)


@check("lstm.lstm")
def check_lstm_matches_nn_LSTM_long(lstm):
    torch.manual_seed(5)
    layer, linear = nn.LSTM(9, 12), nn.Linear(12, 9)
    with torch.no_grad():
        for p in layer.parameters():
            p.mul_(3)
    compare_with_layer(lstm, layer, linear, one_hot_inputs(13, 6, 9, 5), (randn((6, 12), 6), randn((6, 12), 7)),
                       "lstm over 13 steps with nn.LSTM(9, 12)'s weights", hint=LSTM_HINT)


@check("lstm.lstm")
def check_lstm_no_builtin(lstm):
    inputs, state, params = gated_args(0, 4, cell=True)
    assert_no_forbidden_calls(lstm, inputs, state, params, forbidden=RECURRENT_LAYERS, what="lstm")


speed_check("lstm.lstm", timing_args("ch9.lstm.get_lstm_params", "ch9.lstm.init_lstm_state"),
            builtin=layer_builtin(nn.LSTM), limit=10,
            hint="loop over the time steps only, with a few matrix products per step")

# measured: the reference reaches 10.5 (seeds 0-2: 10.47-10.52); the output read before the update, 15.8.
# (A cell not passed on reaches 10.8: the reference comparisons catch it, a perplexity threshold cannot.)
LSTM_BUDGET = Budget(num_hiddens=64, num_epochs=30, lr=4, threshold=13.0, reference=10.5)


@check("lstm.lstm", points=3, kind="accuracy", uses={"get_lstm_params": "lstm.get_lstm_params",
                                                     "init_lstm_state": "lstm.init_lstm_state"})
def check_lstm_perplexity(get_lstm_params, init_lstm_state, lstm):
    assert_perplexity((get_lstm_params, init_lstm_state, lstm), LSTM_BUDGET,
                      what="the training perplexity of the character-level LSTM built from your get_lstm_params, "
                           "init_lstm_state and lstm")


# §9.3 deep RNN, §9.4 bidirectional RNN -------------------------------------------------------------

def stacked_args(seed, num_layers, T=5, batch=3, d=7, h=4):
    layers = [(randn((d if k == 0 else h, h), seed + 3 * k + 1, scale=0.7), randn((h, h), seed + 3 * k + 2, scale=0.7),
               randn((h,), seed + 3 * k + 3)) for k in range(num_layers)]
    return randn((T, batch, d), seed), randn((num_layers, batch, h), seed + 40), layers


def flat_stacked(stacked_rnn):
    def fn(inputs, state, *weights):
        layers = [tuple(weights[i:i + 3]) for i in range(0, len(weights), 3)]
        return stacked_rnn(inputs, state, layers)
    return fn


def flatten_stacked(args):
    inputs, state, layers = args
    return (inputs, state, *[w for layer in layers for w in layer])


@check("deep_rnn.stacked_rnn", points=2)
def check_stacked_rnn_matches_reference(stacked_rnn):
    expected = ref("deep_rnn.stacked_rnn")
    for num_layers in (1, 3):
        assert_matches_reference(flat_stacked(stacked_rnn), flat_stacked(expected),
                                 lambda seed: flatten_stacked(stacked_args(seed, num_layers)),
                                 what=f"stacked_rnn with {num_layers} layers", seeds=SEEDS,
                                 hint="each layer runs over all steps on the hidden states of the layer below")
    args = flatten_stacked(stacked_args(2, 2))
    assert_gradients_match(lambda *a: flat_stacked(stacked_rnn)(*a)[0], lambda *a: flat_stacked(expected)(*a)[0],
                           args, wrt=tuple(range(len(args))), what="the outputs of stacked_rnn")


@check("deep_rnn.stacked_rnn")
def check_stacked_rnn_matches_nn_RNN_three_layers(stacked_rnn):
    args = compare_stacked_with_nn_RNN(stacked_rnn, 5, 8, 3, T=6, batch=2, seed=2)
    assert_no_forbidden_calls(stacked_rnn, *args, forbidden=RECURRENT_LAYERS, what="stacked_rnn")


def bidirectional_args(seed, T=5, batch=3, d=7, h=4):
    def params(offset):
        return (randn((d, h), seed + offset, scale=0.7), randn((h, h), seed + offset + 1, scale=0.7),
                randn((h,), seed + offset + 2))
    return randn((T, batch, d), seed), randn((2, batch, h), seed + 10), params(20), params(30)


def flat_bidirectional(bidirectional_rnn):
    def fn(inputs, state, *weights):
        return bidirectional_rnn(inputs, state, tuple(weights[:3]), tuple(weights[3:]))
    return fn


def flatten_bidirectional(args):
    inputs, state, forward_params, backward_params = args
    return (inputs, state, *forward_params, *backward_params)


@check("bidirectional.bidirectional_rnn", points=2)
def check_bidirectional_rnn_matches_reference(bidirectional_rnn):
    expected = ref("bidirectional.bidirectional_rnn")
    for T in (1, 6):
        assert_matches_reference(flat_bidirectional(bidirectional_rnn), flat_bidirectional(expected),
                                 lambda seed: flatten_bidirectional(bidirectional_args(seed, T=T)),
                                 what=f"bidirectional_rnn over {T} steps", seeds=SEEDS)
    args = flatten_bidirectional(bidirectional_args(3))
    assert_gradients_match(lambda *a: flat_bidirectional(bidirectional_rnn)(*a)[0],
                           lambda *a: flat_bidirectional(expected)(*a)[0], args, wrt=tuple(range(len(args))),
                           what="the outputs of bidirectional_rnn")
    assert_no_forbidden_calls(bidirectional_rnn, *bidirectional_args(0), forbidden=RECURRENT_LAYERS,
                              what="bidirectional_rnn")


# §9.6 encoder-decoder ------------------------------------------------------------------------------

def raises_not_implemented(fn, *args):
    try:
        fn(*args)
    except NotImplementedError:
        return True
    return False


@check("encoder_decoder.Encoder")
def check_Encoder_interface(Encoder):
    encoder = Encoder()
    assert isinstance(encoder, nn.Module), "Encoder must subclass nn.Module"
    assert raises_not_implemented(encoder, torch.ones(2, 3)), \
        "the base Encoder's forward must raise NotImplementedError, so a subclass that forgets it fails loudly"


@check("encoder_decoder.Decoder")
def check_Decoder_interface(Decoder):
    decoder = Decoder()
    assert isinstance(decoder, nn.Module), "Decoder must subclass nn.Module"
    assert raises_not_implemented(decoder.init_state, torch.ones(2, 3), torch.tensor([2, 3])), \
        "the base Decoder's init_state(enc_outputs, *args) must raise NotImplementedError"
    assert raises_not_implemented(decoder, torch.ones(2, 3), None), \
        "the base Decoder's forward(X, state) must raise NotImplementedError"


@check("encoder_decoder.EncoderDecoder", uses={"Encoder": "encoder_decoder.Encoder",
                                               "Decoder": "encoder_decoder.Decoder"})
def check_EncoderDecoder_args_and_parameters(Encoder, Decoder, EncoderDecoder):
    LinearEncoder, AddDecoder = stand_in_parts(Encoder, Decoder)
    encoder, decoder = LinearEncoder(), AddDecoder()
    net = EncoderDecoder(encoder, decoder)
    valid_lens = torch.tensor([3, 5])
    net(randn((5, 3), 0), randn((2, 4), 1), valid_lens)
    assert len(encoder.args) == 1 and encoder.args[0] is valid_lens, \
        "EncoderDecoder.forward(enc_X, dec_X, *args) should pass *args to the encoder"
    assert len(decoder.args) == 1 and decoder.args[0] is valid_lens, \
        "... and to decoder.init_state(enc_outputs, *args)"
    keys = sorted(net.state_dict())
    assert keys == ["decoder.dense.bias", "decoder.dense.weight", "encoder.dense.bias", "encoder.dense.weight"], \
        f"register the parts as self.encoder and self.decoder (nn.Module attributes); its state_dict has {keys}"
