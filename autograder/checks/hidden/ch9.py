"""Chapter 9 (现代循环神经网络), hidden checks: the book's equations against the reference, gradients, PyTorch's
layers, devices, forbidden shortcuts, the interfaces' subclasses, speed and perplexity thresholds."""
import torch
from torch import nn

from autograder.checks.hidden.rnn_common import (RECURRENT_LAYERS, Budget, assert_zero_state,
                                                 one_hot_inputs, parameter_checks, recurrent_checks,
                                                 recurrent_reference_check, zero_state_checks)
from autograder.checks.public.ch9 import (AddDecoder, LinearEncoder, compare_stacked_with_nn_RNN, compare_with_layer,
                                        interface_checks, stand_in_run)
from autograder.harness import (chapter_references, SEEDS, assert_close, assert_gradients_match, assert_keeps_device,
                                assert_matches_reference, assert_no_forbidden_calls, book_compatible_gru, check,
                                no_builtin_check, randn, student_side)


ref = chapter_references("ch9")


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
    """``forward_fn`` as a function of tensors only, for the gradient helper."""
    def fn(inputs, *rest):
        n = 2 if cell else 1
        outputs, state = forward_fn(inputs, tuple(rest[:n]), list(rest[n:]))
        return (outputs, *state)
    return fn


def flatten(args):
    inputs, state, params = args
    return (inputs, *state, *params)


GRU_HINT = ("Z = σ(X W_xz + H W_hz + b_z), R = σ(X W_xr + H W_hr + b_r), H̃ = tanh(X W_xh + (R ⊙ H) W_hh + b_h), "
            "H = Z ⊙ H + (1 − Z) ⊙ H̃: the reset gate multiplies H before W_hh (PyTorch applies it after)")
LSTM_HINT = "I, F, O = σ(...), C̃ = tanh(...), C = F ⊙ C + I ⊙ C̃ carried to the next step, H = O ⊙ tanh(C)"


def gru_variant(inputs, state, params, *, swap_z=False, reset_after=False):
    """The book's GRU with one of the two classic changes (judge side, for the hints)."""
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X in inputs:
        Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
        R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
        H_tilde = torch.tanh(X @ W_xh + (R * (H @ W_hh) if reset_after else (R * H) @ W_hh) + b_h)
        H = (1 - Z) * H + Z * H_tilde if swap_z else Z * H + (1 - Z) * H_tilde
        outputs.append(H @ W_hq + b_q)
    return torch.cat(outputs, dim=0), (H,)


def gru_hint(got, args) -> str:
    outputs = got[0]
    for kwargs, hint in (({"swap_z": True}, "Z and 1 − Z are the wrong way round: Z near 1 keeps the old state, "
                                            "H = Z ⊙ H + (1 − Z) ⊙ H̃"),
                         ({"reset_after": True}, "the reset gate is applied after the product, as PyTorch does: the "
                                                 "book multiplies first, H̃ = tanh(X W_xh + (R ⊙ H) W_hh + b_h)")):
        variant = gru_variant(*args, **kwargs)[0]
        if isinstance(outputs, torch.Tensor) and outputs.shape == variant.shape and \
                torch.allclose(outputs.detach().double(), variant.double(), atol=1e-4):
            return hint
    return GRU_HINT


def assert_gated_gradients(fn, name, gates, cell):
    n = len(flatten(gated_args(0, gates, cell=cell)))
    assert_gradients_match(lambda *a: flat(fn, cell)(*a)[0], lambda *a: flat(ref(name), cell)(*a)[0],
                           flatten(gated_args(1, gates, cell=cell)), wrt=tuple(range(n)),
                           what=f"the outputs of {name.split('.')[1]}")


# §9.1 GRU ------------------------------------------------------------------------------------------

GRU_PARAMS = ("W_xz", "W_hz", "b_z", "W_xr", "W_hr", "b_r", "W_xh", "W_hh", "b_h", "W_hq", "b_q")


parameter_checks("gru.get_params", GRU_PARAMS, [(10, 6), (6, 6), (6,)] * 3 + [(6, 10), (10,)])
zero_state_checks("gru.init_gru_state")


def gru_args(seed):
    return gated_args(seed, 3)


recurrent_reference_check("gru.gru", gru_args, call="gru(inputs, (H,), params)", hint=gru_hint)


@check("gru.gru", clauses="values")
def check_gru_matches_nn_GRU_long(gru):
    layer, linear = book_compatible_gru(9, 12, seed=5), nn.Linear(12, 9)
    compare_with_layer(gru, layer, linear, one_hot_inputs(13, 6, 9, 5), (randn((6, 12), 6),),
                       "gru over 13 steps with the weights of a book-compatible nn.GRU(9, 12)", hint=GRU_HINT)


@check("gru.gru", clauses="gradients")
def check_gru_gradients(gru):
    assert_gated_gradients(gru, "gru.gru", 3, False)


GATED_SPEED_HINT = "loop over the time steps only, with a few matrix products per step"

# measured: the reference reaches 9.8 (seeds 0-2: 9.75-9.96); the output read before the update, 15.0
recurrent_checks("gru.gru", gru_args, call="gru(inputs, (H,), params)", hint=gru_hint, layer=nn.GRU,
                 speed_hint=GATED_SPEED_HINT,
                 pieces={"get_params": "gru.get_params", "init_gru_state": "gru.init_gru_state"},
                 budget=Budget(num_hiddens=64, num_epochs=24, lr=4, threshold=12.5, reference=9.8), model="GRU")


# §9.2 LSTM -----------------------------------------------------------------------------------------

LSTM_PARAMS = ("W_xi", "W_hi", "b_i", "W_xf", "W_hf", "b_f", "W_xo", "W_ho", "b_o", "W_xc", "W_hc", "b_c", "W_hq",
               "b_q")


parameter_checks("lstm.get_lstm_params", LSTM_PARAMS, [(10, 6), (6, 6), (6,)] * 4 + [(6, 10), (10,)])
zero_state_checks("lstm.init_lstm_state", parts="HC", values="zeros_of_any_size", sizes=((1, 1), (4, 3)))


def _write_into_H(init_lstm_state):
    H, C = init_lstm_state(4, 3, "cpu")
    H.add_(1)
    return C


@check("lstm.init_lstm_state", clauses="separate")
def check_init_lstm_state_separate_tensors(init_lstm_state):
    assert_zero_state(init_lstm_state, 4, 3, "init_lstm_state", "HC")
    C = student_side(_write_into_H, init_lstm_state)
    assert torch.all(C == 0), "after H.add_(1), C changed too: H and C must be two separate tensors (two " \
                              "torch.zeros calls; one zeros tensor used twice is shared)"


def lstm_args(seed):
    return gated_args(seed, 4, cell=True)


recurrent_reference_check("lstm.lstm", lstm_args, call="lstm(inputs, (H, C), params)", hint=LSTM_HINT)


@check("lstm.lstm", clauses="values")
def check_lstm_matches_nn_LSTM_long(lstm):
    torch.manual_seed(5)
    layer, linear = nn.LSTM(9, 12), nn.Linear(12, 9)
    with torch.no_grad():
        for p in layer.parameters():
            p.mul_(3)
    compare_with_layer(lstm, layer, linear, one_hot_inputs(13, 6, 9, 5), (randn((6, 12), 6), randn((6, 12), 7)),
                       "lstm over 13 steps with nn.LSTM(9, 12)'s weights", hint=LSTM_HINT)


@check("lstm.lstm", clauses="gradients")
def check_lstm_gradients(lstm):
    assert_gated_gradients(lstm, "lstm.lstm", 4, True)


# measured: the reference reaches 10.5 (seeds 0-2: 10.47-10.52); the output read before the update, 15.8.
# (A cell not passed on reaches 10.8: the reference comparisons catch it, a perplexity threshold cannot.)
recurrent_checks("lstm.lstm", lstm_args, call="lstm(inputs, (H, C), params)", hint=LSTM_HINT, layer=nn.LSTM,
                 speed_hint=GATED_SPEED_HINT,
                 pieces={"get_lstm_params": "lstm.get_lstm_params", "init_lstm_state": "lstm.init_lstm_state"},
                 budget=Budget(num_hiddens=64, num_epochs=30, lr=4, threshold=13.0, reference=10.5), model="LSTM")


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


STACKED_HINT = "each layer runs over all steps on the hidden states of the layer below"


@check("deep_rnn.stacked_rnn", points=2, clauses="values")
def check_stacked_rnn_matches_reference(stacked_rnn):
    expected = ref("deep_rnn.stacked_rnn")
    for num_layers in (1, 3):
        assert_matches_reference(flat_stacked(stacked_rnn), flat_stacked(expected),
                                 lambda seed: flatten_stacked(stacked_args(seed, num_layers)),
                                 what=f"stacked_rnn with {num_layers} layers", seeds=SEEDS, hint=STACKED_HINT)


@check("deep_rnn.stacked_rnn", clauses="values")
def check_stacked_rnn_matches_nn_RNN_three_layers(stacked_rnn):
    compare_stacked_with_nn_RNN(stacked_rnn, 5, 8, 3, T=6, batch=2, seed=2)


@check("deep_rnn.stacked_rnn", clauses="gradients")
def check_stacked_rnn_gradients(stacked_rnn):
    args = flatten_stacked(stacked_args(2, 2))
    assert_gradients_match(lambda *a: flat_stacked(stacked_rnn)(*a)[0],
                           lambda *a: flat_stacked(ref("deep_rnn.stacked_rnn"))(*a)[0], args,
                           wrt=tuple(range(len(args))), what="the outputs of stacked_rnn")


@check("deep_rnn.stacked_rnn", clauses="device")
def check_stacked_rnn_on_device(stacked_rnn):
    assert_matches_reference(flat_stacked(stacked_rnn), flat_stacked(ref("deep_rnn.stacked_rnn")),
                             lambda seed: flatten_stacked(stacked_args(seed, 2)), what="stacked_rnn with 2 layers",
                             seeds=SEEDS[:1], hint=STACKED_HINT)
    assert_keeps_device(stacked_rnn, *stacked_args(0, 2), what="stacked_rnn(inputs, state, layers)")


@check("deep_rnn.stacked_rnn", clauses="no_builtin")
def check_stacked_rnn_no_builtin(stacked_rnn):
    inputs, state, layers = stacked_args(1, 3)
    assert_no_forbidden_calls(stacked_rnn, inputs, state, layers, forbidden=RECURRENT_LAYERS, what="stacked_rnn",
                              ref=ref("deep_rnn.stacked_rnn"))


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


BIDIRECTIONAL_HINT = ("at step t: [forward state after step t, backward state after step t], the backward direction "
                      "reading steps T-1 .. 0 from its own initial state")


@check("bidirectional.bidirectional_rnn", points=2, clauses="values")
def check_bidirectional_rnn_matches_reference(bidirectional_rnn):
    expected = ref("bidirectional.bidirectional_rnn")
    for T in (1, 6):
        assert_matches_reference(flat_bidirectional(bidirectional_rnn), flat_bidirectional(expected),
                                 lambda seed: flatten_bidirectional(bidirectional_args(seed, T=T)),
                                 what=f"bidirectional_rnn over {T} steps", seeds=SEEDS, hint=BIDIRECTIONAL_HINT)


@check("bidirectional.bidirectional_rnn", clauses="gradients")
def check_bidirectional_rnn_gradients(bidirectional_rnn):
    args = flatten_bidirectional(bidirectional_args(3))
    assert_gradients_match(lambda *a: flat_bidirectional(bidirectional_rnn)(*a)[0],
                           lambda *a: flat_bidirectional(ref("bidirectional.bidirectional_rnn"))(*a)[0], args,
                           wrt=tuple(range(len(args))), what="the outputs of bidirectional_rnn")


@check("bidirectional.bidirectional_rnn", clauses="device")
def check_bidirectional_rnn_on_device(bidirectional_rnn):
    assert_matches_reference(flat_bidirectional(bidirectional_rnn), flat_bidirectional(
        ref("bidirectional.bidirectional_rnn")), lambda seed: flatten_bidirectional(bidirectional_args(seed)),
        what="bidirectional_rnn", seeds=SEEDS[:1], hint=BIDIRECTIONAL_HINT)
    assert_keeps_device(bidirectional_rnn, *bidirectional_args(0), what="bidirectional_rnn(inputs, state, ...)")


no_builtin_check("bidirectional.bidirectional_rnn", bidirectional_args, forbidden=RECURRENT_LAYERS,
                 what="bidirectional_rnn")


# §9.6 encoder-decoder ------------------------------------------------------------------------------

def _abstract(Base, calls):
    """Student side: the interface itself, each of its methods called: which raised NotImplementedError."""
    base = Base()
    found = {"module": isinstance(base, nn.Module)}
    for name, args in calls:
        try:
            result = base(*args) if name == "forward" else getattr(base, name)(*args)
        except NotImplementedError:
            found[name] = "raised NotImplementedError"
        else:
            found[name] = f"returned {type(result).__name__}"
    return found


def assert_abstract(Base, label, calls):
    found = student_side(_abstract, Base, calls)
    assert found["module"], f"{label} must subclass nn.Module"
    for name, _ in calls:
        what = f"{label}()(...)" if name == "forward" else f"{label}().{name}(...)"
        assert found[name] == "raised NotImplementedError", \
            (f"{what} {found[name]}: the interface's {name} must raise NotImplementedError, so that a subclass that "
             "forgets it fails loudly")


@check("encoder_decoder.Encoder", clauses="abstract")
def check_Encoder_interface(Encoder):
    assert_abstract(Encoder, "Encoder", [("forward", (torch.ones(2, 3),)), ("forward", (torch.ones(2, 3), 5))])


@check("encoder_decoder.Decoder", clauses="abstract")
def check_Decoder_interface(Decoder):
    assert_abstract(Decoder, "Decoder", [("init_state", (torch.ones(2, 3), torch.tensor([2, 3]))),
                                         ("init_state", (torch.ones(2, 3),)), ("forward", (torch.ones(2, 3), None))])


def _keyword_arguments(Base):
    """Student side: a subclass of ``Base`` and a mixin, in cooperative inheritance: does ``Base`` pass its keyword
    arguments on (through nn.Module, which calls the next __init__ with them when ``call_super_init`` is set)?"""
    class Tagged:
        def __init__(self, tag=None, **kwargs):
            super().__init__(**kwargs)
            self.tag = tag

    class Sub(Base, Tagged):
        call_super_init = True
    return Sub(tag="passed on").tag


def assert_passes_kwargs(Base, label):
    tag = student_side(_keyword_arguments, Base)
    assert tag == "passed on", \
        (f"class Sub({label}, Tagged) with Sub(tag='passed on'): Tagged received tag={tag!r}: {label}.__init__("
         "**kwargs) should pass its keyword arguments on, super().__init__(**kwargs)")


interface_checks(assert_passes_kwargs, name="passes_keyword_arguments", clauses="kwargs")


class TripleDecoder(AddDecoder):
    """Returns three things: the composite must hand them back as they are."""

    def forward(self, X, state):
        return self.dense(X + state), state, "and a third thing"


@check("encoder_decoder.EncoderDecoder", clauses="values")
def check_EncoderDecoder_passes_through(EncoderDecoder):
    got, output, state = stand_in_run(EncoderDecoder, TripleDecoder, randn((4, 3), 2), randn((3, 4), 3), seed=1)
    expected = (output, state, "and a third thing")
    assert isinstance(got, tuple) and len(got) == 3 and got[2] == expected[2], \
        f"EncoderDecoder should return what the decoder returns, unchanged (here 3 values), got {got!r}"
    assert_close(got[0].detach(), expected[0], what="the decoder's output, returned by EncoderDecoder")
    assert_close(got[1].detach(), expected[1], what="the decoder's state, returned by EncoderDecoder")


def _arguments_seen(EncoderDecoder, enc_X, dec_X, args):
    encoder, decoder = LinearEncoder(), AddDecoder()
    net = EncoderDecoder(encoder, decoder)
    out = net(enc_X, dec_X, *args)
    return {"encoder": getattr(encoder, "args", None), "init_state": getattr(decoder, "args", None), "out": out[0]}


@check("encoder_decoder.EncoderDecoder", clauses="args")
def check_EncoderDecoder_passes_args(EncoderDecoder):
    torch.manual_seed(2)
    enc_X, dec_X = randn((5, 3), 0), randn((2, 4), 1)
    for args in ((torch.tensor([3, 5]),), (torch.tensor([1, 2]), "extra")):
        seen = student_side(_arguments_seen, EncoderDecoder, enc_X, dec_X, args)
        for part, got in (("the encoder", seen["encoder"]), ("decoder.init_state", seen["init_state"])):
            assert isinstance(got, tuple) and len(got) == len(args) and all(
                (torch.equal(g, a) if isinstance(a, torch.Tensor) else g == a) for g, a in zip(got, args)), \
                f"EncoderDecoder.forward(enc_X, dec_X, *args) should pass *args to {part}; it got {got!r} for " \
                f"args {args!r}"


@check("encoder_decoder.EncoderDecoder", clauses="registered")
def check_EncoderDecoder_registers_its_parts(EncoderDecoder):
    torch.manual_seed(3)
    net = EncoderDecoder(LinearEncoder(), AddDecoder())
    keys = sorted(net.state_dict())
    assert keys == ["decoder.dense.bias", "decoder.dense.weight", "encoder.dense.bias", "encoder.dense.weight"], \
        f"register the parts as self.encoder and self.decoder (nn.Module attributes); its state_dict has {keys}"
    Y, _ = net(randn((5, 3), 4), randn((2, 4), 5))
    assert Y.shape == (2, 2), "EncoderDecoder(encoder, decoder)(enc_X, dec_X) should run the decoder on dec_X"


# =====================================================================================================
# §9.5 machine translation data, §9.7 seq2seq, §9.8 beam search (appended; the sections above are §9.1-§9.6).
# One property of the contract per check; the exercises these call are replaced by their references (as stubs
# that call back into the judge, or, for modules and for functions that take the student's vocabulary, sent with
# their code: InPlace).
# =====================================================================================================

import math  # noqa: E402
import random  # noqa: E402

import torch.nn.functional as F  # noqa: E402

# names, not the module: check code that runs where the student's code lives refers to them (a module object
# would be pickled whole)
from autograder.checks.hidden.nmt_common import RESERVED, StandInVocab, corpus_pairs, nmt_ref  # noqa: E402
from autograder.checks.public.ch9 import TinyTranslator, TinyVocab, tiny_batches  # noqa: E402
from autograder.harness import (SEEDS, InPlace, assert_close, assert_gradients_match, assert_keeps_device,  # noqa: E402
                                assert_same_outputs, check, on_its_side, randint, randn, student_side,
                                train_to_threshold, type_name)
from d2lkit import read_nmt_text  # noqa: E402


DATA = ("read_data_nmt", "preprocess_nmt", "tokenize_nmt", "truncate_pad")


def first_difference(got: str, expected: str) -> str:
    """Where two texts first differ, with a little context."""
    for i, (a, b) in enumerate(zip(got, expected)):
        if a != b:
            break
    else:
        i = min(len(got), len(expected))
    start = max(0, i - 20)
    return f"at character {i}: expected ...{expected[start:i + 20]!r}, got ...{got[start:i + 20]!r}"


# §9.5 machine translation data -----------------------------------------------------------------------------

@check("machine_translation.read_data_nmt", clauses="values")
def check_read_data_nmt_whole_corpus(read_data_nmt):
    expected = read_nmt_text("generated")
    for args in ((), ("generated",)):
        got = read_data_nmt(*args)
        call = f"read_data_nmt({', '.join(map(repr, args))})"
        assert isinstance(got, str), f"{call} should return the raw text (a str), got {type_name(got)}"
        if got != expected:
            hint = ("it is lowercased or preprocessed: return the raw text, preprocess_nmt does the rest"
                    if got == expected.lower() or got.replace(" ", "") == expected.lower().replace(" ", "") else
                    "return d2lkit.read_nmt_text(corpus) unchanged: every line, with its final newline")
            raise AssertionError(f"{call} should be the whole generated corpus ({len(expected):,} characters, "
                                 f"{expected.count(chr(10)):,} lines), got {len(got):,} characters: "
                                 f"{first_difference(got, expected)}\n  hint: {hint}")


PREPROCESS_CASES = ["Go.\tVa !", ".Leading dot.", "a,b c , d", "Wait...\tAttends...", "What?!\tQuoi\u202f?!",
                    "Ça va\xa0?\tOK\u202f!", "ÉCOLE Été.\tx\u202f\xa0!", "tab\tin\tline.", "  .\n!\n", "a. b! c? d,"]


def preprocess_hint(got, text):
    ref_pre = nmt_ref("machine_translation.preprocess_nmt")
    if isinstance(got, str):
        if "\u202f" in got or "\xa0" in got:
            return "replace the no-break spaces '\\u202f' and '\\xa0' by ' ' (first, before the other steps)"
        if got.lower() != got:
            return "lowercase the text"
        raw_rule = "".join(" " + c if i > 0 and c in ",.!?" and text[i - 1] != " " else c
                           for i, c in enumerate(text.lower())).replace("\u202f", " ").replace("\xa0", " ")
        if got == raw_rule and got != ref_pre(text):
            return ("look at the previous character of the text after the no-break spaces were replaced: "
                    "'Va\\u202f!' becomes 'va !', not 'va  !'")
    return "replace no-break spaces, lowercase, then a space before , . ! ? that follow a character other than ' '"


@check("machine_translation.preprocess_nmt", points=2, clauses="values")
def check_preprocess_nmt_matches_reference(preprocess_nmt):
    expected_fn = nmt_ref("machine_translation.preprocess_nmt")
    for text in PREPROCESS_CASES + [read_nmt_text("generated")[:200000]]:
        got, expected = preprocess_nmt(text), expected_fn(text)
        shown = repr(text) if len(text) < 60 else f"the first {len(text):,} characters of the generated corpus"
        if got != expected:
            detail = first_difference(got, expected) if isinstance(got, str) else f"got {type_name(got)}"
            raise AssertionError(f"preprocess_nmt({shown}) is wrong {detail}\n  hint: {preprocess_hint(got, text)}")


TOKENIZE_TEXT = "go .\tva !\nhi .\tsalut !\nno tab here\ntoo\tmany\ttabs\n\tempty source\nend .\tfin .\n"


def tokenize_cases():
    corpus = nmt_ref("machine_translation.preprocess_nmt")(read_nmt_text("generated"))
    return [(TOKENIZE_TEXT, "a text with malformed lines"), (corpus, "the preprocessed generated corpus"),
            ("a  b .\tc d  .\n", "a line with double spaces")]


@check("machine_translation.tokenize_nmt", points=2, clauses="values")
def check_tokenize_nmt_matches_reference(tokenize_nmt):
    expected_fn = nmt_ref("machine_translation.tokenize_nmt")
    for text, label in tokenize_cases():
        got, expected = tokenize_nmt(text), expected_fn(text)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise AssertionError(f"tokenize_nmt({label}) should return (source, target), got {type_name(got)}")
        for side, g, e in (("source", got[0], expected[0]), ("target", got[1], expected[1])):
            if g != e:
                bad = next((i for i, (a, b) in enumerate(zip(g, e)) if a != b), min(len(g), len(e)))
                raise AssertionError(
                    f"tokenize_nmt({label}): the {side} has {len(g)} examples, expected {len(e)}; example {bad} is "
                    f"{g[bad] if bad < len(g) else None!r}, expected {e[bad] if bad < len(e) else None!r}\n  hint: "
                    "split each line at its tab, skip lines without exactly two parts, split each side on ' '")


@check("machine_translation.tokenize_nmt", clauses="num_examples")
def check_tokenize_nmt_num_examples(tokenize_nmt):
    expected_fn = nmt_ref("machine_translation.tokenize_nmt")
    corpus = nmt_ref("machine_translation.preprocess_nmt")(read_nmt_text("generated"))
    for n in (1, 5, 600):
        got = tokenize_nmt(corpus, n)
        expected = expected_fn(corpus, n)
        count = len(got[0]) if isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], list) else None
        assert got == expected, \
            f"tokenize_nmt(corpus, num_examples={n}) gives {count} examples, expected the first {n}\n  hint: stop " \
            "before line num_examples (i >= num_examples); the book's `if i > num_examples: break` reads one more"


def pad_cases():
    rng = random.Random(3)
    for num_steps in (0, 1, 4, 10):
        for length in (0, max(num_steps - 2, 0), num_steps, num_steps + 3):
            line = [rng.randrange(100) for _ in range(length)] if length % 2 else \
                [rng.choice("abcdef") for _ in range(length)]
            yield line, num_steps, "<pad>" if line and isinstance(line[0], str) else 1


@check("machine_translation.truncate_pad", clauses="values")
def check_truncate_pad_matches_reference(truncate_pad):
    expected_fn = nmt_ref("machine_translation.truncate_pad")
    for line, num_steps, pad in pad_cases():
        got = truncate_pad(list(line), num_steps, pad)
        expected = expected_fn(list(line), num_steps, pad)
        assert got == expected, f"truncate_pad({line}, {num_steps}, {pad!r}) should be {expected}, got {got!r}"


def _pad_in_place(truncate_pad, line, num_steps, pad):
    kept = list(line)
    out = truncate_pad(line, num_steps, pad)
    return out, line == kept, out is line


@check("machine_translation.truncate_pad", clauses="pure")
def check_truncate_pad_leaves_line_unchanged(truncate_pad):
    expected_fn = nmt_ref("machine_translation.truncate_pad")
    for line, num_steps, pad in pad_cases():
        out, unchanged, same = student_side(_pad_in_place, truncate_pad, list(line), num_steps, pad)
        assert out == expected_fn(list(line), num_steps, pad), \
            f"truncate_pad({line}, {num_steps}, {pad!r}) is wrong (it must also be right for this check to count)"
        assert unchanged, f"truncate_pad({line}, {num_steps}, {pad!r}) changed its line in place: build a new list " \
                          "(line[:num_steps], line + [padding_token] * ...), do not extend or append to line"
        assert not same, f"truncate_pad({line}, {num_steps}, {pad!r}) returned line itself: return a new list, so " \
                         "that changing the result leaves the caller's line alone"


def array_cases():
    pairs = corpus_pairs()
    rng = random.Random(5)
    chosen = rng.sample(pairs, 60)
    vocab = StandInVocab([s for s, _ in chosen[:40]], 2, RESERVED)     # some tokens unknown
    return [([list(s) for s, _ in chosen], vocab, n) for n in (4, 10, 30)]


@check("machine_translation.build_array_nmt", points=2, clauses="values", substitute=("truncate_pad",))
def check_build_array_nmt_matches_reference(build_array_nmt):
    expected_fn = nmt_ref("machine_translation.build_array_nmt")
    for lines, vocab, num_steps in array_cases():
        got = build_array_nmt(lines, vocab, num_steps)
        array, valid_len = expected_fn(lines, vocab, num_steps)
        assert isinstance(got, tuple) and len(got) == 2, \
            f"build_array_nmt should return (array, valid_len), got {type_name(got)}"
        hint = "append vocab['<eos>'] to each line's indices, then truncate_pad to num_steps with vocab['<pad>']"
        assert_close(got[0], array, what=f"the array of build_array_nmt(60 sentences, vocab, num_steps={num_steps})",
                     hint=hint)
        assert_close(got[1], valid_len, what=f"valid_len of build_array_nmt(60 sentences, vocab, {num_steps})",
                     hint="count the entries of each row that are not vocab['<pad>'] (the <eos> counts, when it fits); "
                          "(array != pad).sum(1) is int64")


def _vocab_table(vocab, tokens):
    """Student side: what a vocabulary maps (its size, its tokens in index order, the indices of ``tokens``)."""
    size = len(vocab)
    return {"size": size, "tokens": [vocab.to_tokens(i) for i in range(size)], "indices": vocab[list(tokens)]}


def _all_batches(data_iter, passes=2):
    """Student side: every batch of ``passes`` passes over ``data_iter``, as plain tensors."""
    found = []
    for _ in range(passes):
        found.append([tuple(t.detach().cpu() for t in batch) for batch in data_iter])
    return found


class _Table:
    """A vocabulary given by its table (the student's, read by _vocab_table)."""

    def __init__(self, table, tokens):
        self.map = dict(zip(tokens, table["indices"]))
        self.table = table

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.map[tokens] if tokens in self.map else self.map.get("<unk>", 0)
        return [self[t] for t in tokens]


def load_data_run(load_data_nmt, batch_size=64, num_steps=10, num_examples=600):
    """What the student's load_data_nmt gives: both vocabularies' tables and two passes of batches; and what the
    reference builds from the same examples (with the student's vocabularies, and with its own)."""
    source, target = nmt_ref("machine_translation.tokenize_nmt")(
        nmt_ref("machine_translation.preprocess_nmt")(read_nmt_text("generated")), num_examples)
    data_iter, src_vocab, tgt_vocab = load_data_nmt(batch_size, num_steps, num_examples)
    words = {"src": sorted({t for line in source for t in line} | {"<unk>", "<pad>", "<bos>", "<eos>"}),
             "tgt": sorted({t for line in target for t in line} | {"<unk>", "<pad>", "<bos>", "<eos>"})}
    tables = {side: student_side(_vocab_table, vocab, words[side]) for side, vocab in (("src", src_vocab),
                                                                                      ("tgt", tgt_vocab))}
    build = nmt_ref("machine_translation.build_array_nmt")
    mine = [build(lines, _Table(tables[side], words[side]), num_steps) for side, lines in (("src", source),
                                                                                           ("tgt", target))]
    return {"passes": student_side(_all_batches, data_iter), "tables": tables, "words": words,
            "expected": (*mine[0], *mine[1]), "source": source, "target": target}


def rows_of(batches):
    """The examples of a pass, one tuple of ints per example (X row, X_valid_len, Y row, Y_valid_len)."""
    rows = []
    for batch in batches:
        X, X_len, Y, Y_len = batch
        rows += [(tuple(x), int(a), tuple(y), int(b)) for x, a, y, b in zip(X.tolist(), X_len.tolist(), Y.tolist(),
                                                                             Y_len.tolist())]
    return rows


def assert_batches_hold_examples(run, batch_size, what):
    X, X_len, Y, Y_len = run["expected"]
    expected = sorted(rows_of([(X, X_len, Y, Y_len)]))
    n = len(expected)
    for number, batches in enumerate(run["passes"], start=1):
        sizes = [len(b[0]) for b in batches]
        for b in batches:
            assert isinstance(b, tuple) and len(b) == 4, "each batch should be (X, X_valid_len, Y, Y_valid_len)"
        assert sizes[:-1] == [batch_size] * (len(sizes) - 1) and sum(sizes) == n, \
            f"{what}: pass {number} has batches of {sizes}: every example once ({n}), {batch_size} at a time"
        got = sorted(rows_of(batches))
        assert got == expected, \
            f"{what}: pass {number} holds other rows than build_array_nmt(source, src_vocab, num_steps) and " \
            "build_array_nmt(target, tgt_vocab, num_steps) of the first num_examples examples (with your " \
            "vocabularies)\n  hint: tokenize_nmt(preprocess_nmt(read_data_nmt()), num_examples), then the four " \
            "arrays in this order: src_array, src_valid_len, tgt_array, tgt_valid_len"


# build_array_nmt takes the student's vocabulary, so the reference goes where that lives
LOAD_SUBSTITUTES = {**{name: None for name in DATA}, "build_array_nmt": InPlace("ch9.machine_translation.build_array_nmt")}


@check("machine_translation.load_data_nmt", points=2, clauses="values", substitute=LOAD_SUBSTITUTES)
def check_load_data_nmt_batches(load_data_nmt):
    for batch_size, num_steps, num_examples in ((64, 10, 600), (7, 5, 50)):
        run = load_data_run(load_data_nmt, batch_size, num_steps, num_examples)
        assert_batches_hold_examples(run, batch_size, f"load_data_nmt({batch_size}, {num_steps}, {num_examples})")


@check("machine_translation.load_data_nmt", clauses="vocab", substitute=LOAD_SUBSTITUTES)
def check_load_data_nmt_vocabularies(load_data_nmt):
    run = load_data_run(load_data_nmt)
    assert_batches_hold_examples(run, 64, "load_data_nmt(64, 10, 600) (it must also be right for this check to count)")
    for side, lines in (("src", run["source"]), ("tgt", run["target"])):
        expected = StandInVocab(lines, 2, RESERVED)
        table = run["tables"][side]
        name = "src_vocab" if side == "src" else "tgt_vocab"
        if table["tokens"][:4] != ["<unk>", "<pad>", "<bos>", "<eos>"]:
            raise AssertionError(f"{name} starts with {table['tokens'][:4]}: <unk> 0, then the reserved tokens "
                                 "['<pad>', '<bos>', '<eos>'] in this order")
        if table["tokens"] != expected.idx_to_token:
            extra = len(table["tokens"]) - len(expected)
            hint = ("min_freq=2: tokens seen once are not in the vocabulary" if extra > 0 else
                    "tokens seen at least twice (min_freq=2) all belong" if extra < 0 else
                    "after the reserved tokens: by decreasing frequency, ties in order of first appearance")
            raise AssertionError(f"{name} of load_data_nmt(64, 10, 600) has {table['size']} tokens, expected "
                                 f"{len(expected)}; its tokens {table['tokens'][4:12]}..., expected "
                                 f"{expected.idx_to_token[4:12]}...\n  hint: {hint}")
        indices = [expected[w] for w in run["words"][side]]
        assert table["indices"] == indices, f"{name}[tokens] gives other indices than its to_tokens order says"


@check("machine_translation.load_data_nmt", clauses="shuffle", substitute=LOAD_SUBSTITUTES)
def check_load_data_nmt_shuffles(load_data_nmt):
    run = load_data_run(load_data_nmt)
    assert_batches_hold_examples(run, 64, "load_data_nmt(64, 10, 600) (it must also be right for this check to count)")
    first, second = (rows_of(p) for p in run["passes"])
    X, X_len, Y, Y_len = run["expected"]
    in_order = rows_of([(X, X_len, Y, Y_len)])
    assert first != in_order and second != in_order and first != second, \
        "the batches of load_data_nmt come in the same order every pass (or in the file's order): shuffle them " \
        "like the book's load_array(..., is_train=True), e.g. d2lkit.TensorBatches(arrays, batch_size)"


# §9.7 seq2seq ----------------------------------------------------------------------------------------------

from autograder.checks.hidden.nmt_common import (EncoderDecoder, GRUDecoder, GRUEncoder, MaskedCE, Task,  # noqa: E402
                                                 call_module, initial_weights_check, load_weights, mean_bleu,
                                                 seq2seq_run, step_by_step, student_view, task_data)
from autograder.checks.public.ch9 import _TinyDecoder, _TinyEncoder  # noqa: E402

# train_seq2seq makes this module's MaskedSoftmaxCELoss: its unit checks use the reference's, sent with its code (a
# module built where the student's code lives, not a stub)
MASKED_CE = {"MaskedSoftmaxCELoss": MaskedCE}


def torch_encoder(seed, vocab_size=11, embed_size=5, num_hiddens=7, num_layers=2, dropout=0.0):
    """nn.Embedding and nn.GRU with seeded weights, and their tensors under Seq2SeqEncoder's names."""
    torch.manual_seed(seed)
    embedding, rnn = nn.Embedding(vocab_size, embed_size), nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)
    names = {"embedding.weight": embedding.weight.detach()}
    names.update({f"rnn.{k}": v.detach() for k, v in rnn.state_dict().items()})
    return embedding, rnn, names


def encoder_hint(got, T, batch, H):
    if isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], torch.Tensor):
        if tuple(got[0].shape) == (batch, T, H):
            return "nn.GRU is time-major: permute the embeddings to (num_steps, batch_size, embed_size) first"
    return "embedding, permute(1, 0, 2), then self.rnn(X) from its default zero state; return what the GRU returns"


@check("seq2seq.Seq2SeqEncoder", points=2, clauses="values")
def check_Seq2SeqEncoder_matches_torch(Seq2SeqEncoder):
    for seed, num_layers in ((0, 1), (1, 2), (2, 3)):
        embedding, rnn, names = torch_encoder(seed, num_layers=num_layers)
        net = Seq2SeqEncoder(11, 5, 7, num_layers)
        what = f"Seq2SeqEncoder(11, 5, 7, num_layers={num_layers})"
        load_weights(net, names, what=what)
        X, valid_len = randint(0, 11, (4, 6), seed), randint(1, 7, (4,), seed + 1)
        with torch.no_grad():
            expected = rnn(embedding(X).permute(1, 0, 2))
        for args in ((X,), (X, valid_len)):
            got = call_module(net, *args)
            assert_same_outputs(got, expected, what=f"{what}({'X, valid_len' if len(args) == 2 else 'X'}) with the "
                                                    "weights of nn.Embedding and nn.GRU", hint=encoder_hint(got, 6, 4, 7))


initial_weights_check("seq2seq.Seq2SeqEncoder", (11, 5, 7, 2), what="Seq2SeqEncoder(11, 5, 7, 2)",
                      hint="create embedding then rnn (nn.Embedding, nn.GRU) and keep PyTorch's defaults")


def assert_dropout_between_layers(net, expected, args, what, outputs_only=False):
    """Eval mode: the reference's output; training mode: the reference's, under the same seed (nn.GRU's dropout
    draws its masks the same way). ``outputs_only``: the first output (the state is another clause's)."""
    load_weights(net, expected, what=what)
    for train in (False, True):
        got, want = call_module(net, *args, train=train, seed=3), call_module(expected, *args, train=train, seed=3)
        if outputs_only:
            got, want = (got[0] if isinstance(got, (tuple, list)) and got else got), want[0]
        mode = "training" if train else "eval"
        assert_same_outputs(got, want, what=f"{what} in {mode} mode (torch.manual_seed(3) before the call)",
                            hint="pass dropout to the GRU (nn.GRU(..., dropout=dropout)): it acts between its layers, "
                                 "in training mode only; no other dropout")


@check("seq2seq.Seq2SeqEncoder", clauses="dropout")
def check_Seq2SeqEncoder_dropout(Seq2SeqEncoder):
    assert_dropout_between_layers(Seq2SeqEncoder(11, 5, 7, 2, dropout=0.5), nmt_ref("seq2seq.Seq2SeqEncoder")(11, 5, 7, 2, 0.5),
                                  (randint(0, 11, (4, 6), 0),), "Seq2SeqEncoder(11, 5, 7, 2, dropout=0.5)")


def decoder_pair(Seq2SeqDecoder, seed, num_layers=2, dropout=0.0, cls=None):
    torch.manual_seed(seed)
    expected = (cls or nmt_ref("seq2seq.Seq2SeqDecoder"))(11, 5, 7, num_layers, dropout)
    net = Seq2SeqDecoder(11, 5, 7, num_layers, dropout)
    load_weights(net, expected, what=f"Seq2SeqDecoder(11, 5, 7, {num_layers})")
    return net, expected


def decoder_inputs(seed, num_layers=2, steps=6):
    return randint(0, 11, (4, steps), seed), randn((num_layers, 4, 7), seed + 1)


def decoder_hint(got, X):
    if isinstance(got, (tuple, list)) and got and isinstance(got[0], torch.Tensor) and \
            tuple(got[0].shape) == (X.shape[1], X.shape[0], 11):
        return "permute the logits back to (batch_size, num_steps, vocab_size)"
    return ("embed X, permute to (num_steps, batch, embed_size), concatenate the context state[-1] repeated "
            "num_steps times after the embeddings (dim 2), run the GRU from state, dense, permute back")


@check("seq2seq.Seq2SeqDecoder", points=2, clauses="values")
def check_Seq2SeqDecoder_matches_reference(Seq2SeqDecoder):
    for seed, num_layers in ((0, 1), (1, 2), (2, 3)):
        net, expected = decoder_pair(Seq2SeqDecoder, seed, num_layers)
        X, state = decoder_inputs(seed, num_layers)
        got, want = call_module(net, X, state), call_module(expected, X, state)
        output = got[0] if isinstance(got, (tuple, list)) and got else got
        assert_close(output, want[0], what=f"the logits of Seq2SeqDecoder(11, 5, 7, {num_layers})(X (4, 6), state), "
                                           "the reference's weights", hint=decoder_hint(got, X))


@check("seq2seq.Seq2SeqDecoder", clauses="state")
def check_Seq2SeqDecoder_carries_its_state(Seq2SeqDecoder):
    net, expected = decoder_pair(Seq2SeqDecoder, 4)
    X, state = decoder_inputs(4)
    got, want = call_module(net, X, state), call_module(expected, X, state)
    assert isinstance(got, (tuple, list)) and len(got) == 2, "forward(X, state) should return (output, state)"
    assert_close(got[1], want[1], what="the state Seq2SeqDecoder(11, 5, 7, 2)(X, state) returns",
                 hint="return the GRU's new state (what self.rnn returns), not the state that came in")
    outputs, final = on_its_side(net, step_by_step, X, state)
    expected_outputs, expected_final = step_by_step(expected, X, state)
    for t, (g, e) in enumerate(zip(outputs, expected_outputs)):
        assert_close(g, e, what=f"the logits of step {t} when decoding X one column at a time, each call from the "
                                "state the previous one returned",
                     hint="the returned state must be the one the next call continues from")
    assert_close(final, expected_final, what="the final state of that step-by-step decoding")


@check("seq2seq.Seq2SeqDecoder", clauses="init_state")
def check_Seq2SeqDecoder_init_state(Seq2SeqDecoder):
    net = Seq2SeqDecoder(11, 5, 7, 2)
    outputs, state = randn((6, 4, 7), 0), randn((2, 4, 7), 1)
    for args in (((outputs, state),), ((outputs, state), randint(1, 7, (4,), 2))):
        got = net.init_state(*args)
        assert_close(got, state, what=f"init_state(enc_outputs{', enc_valid_len' if len(args) == 2 else ''}) for "
                                      "enc_outputs = (outputs (6, 4, 7), state (2, 4, 7))",
                     hint="the decoder starts from the encoder's final state: return enc_outputs[1]")


initial_weights_check("seq2seq.Seq2SeqDecoder", (11, 5, 7, 2), what="Seq2SeqDecoder(11, 5, 7, 2)",
                      hint="create embedding, rnn (nn.GRU(embed_size + num_hiddens, ...)), dense in this order "
                           "and keep PyTorch's defaults")


@check("seq2seq.Seq2SeqDecoder", clauses="dropout")
def check_Seq2SeqDecoder_dropout(Seq2SeqDecoder):
    net, expected = decoder_pair(Seq2SeqDecoder, 5, dropout=0.5)
    assert_dropout_between_layers(net, expected, decoder_inputs(5), "Seq2SeqDecoder(11, 5, 7, 2, dropout=0.5)",
                                  outputs_only=True)


def loss_args(seed, dtype=torch.float32):
    pred = randn((5, 7, 9), seed, dtype=dtype, scale=2)
    label = randint(0, 9, (5, 7), seed + 1)
    valid_len = torch.tensor([0, 7, 3, 1, 5][seed % 5:] + [0, 7, 3, 1, 5][:seed % 5])
    return pred, label, valid_len


def loss_hint(got, pred, label, valid_len):
    if isinstance(got, torch.Tensor) and got.shape == (5,):
        ce = F.cross_entropy(pred.permute(0, 2, 1), label, reduction="none")
        for shift, text in ((-1, "one position too few is kept (j < valid_len - 1): the <eos> counts too"),
                            (1, "one position too many is kept: keep j < valid_len[i], strictly")):
            mask = (torch.arange(7)[None] < (valid_len + shift)[:, None]).float()
            if torch.allclose(got.detach(), (ce * mask).mean(1), atol=1e-5):
                return text
        mask = (torch.arange(7)[None] < valid_len[:, None]).float()
        by_valid = (ce * mask).sum(1) / valid_len.clamp(min=1)
        if torch.allclose(got.detach(), by_valid, atol=1e-5):
            return "average over all num_steps positions (.mean(dim=1)), as the book does, not over the valid ones"
        if torch.allclose(got.detach(), ce.mean(1), atol=1e-5):
            return "the padded positions are not masked: multiply by 1 at j < valid_len[i] and 0 after"
    return "cross-entropy per position (classes on axis 1: pred.permute(0, 2, 1)), times the 0/1 mask, .mean(dim=1)"


def _loss_of(MaskedSoftmaxCELoss, *args):
    return MaskedSoftmaxCELoss()(*args)


@check("seq2seq.MaskedSoftmaxCELoss", points=2, clauses="values")
def check_MaskedSoftmaxCELoss_matches_reference(MaskedSoftmaxCELoss):
    expected_loss = nmt_ref("seq2seq.MaskedSoftmaxCELoss")()
    for seed in SEEDS:
        pred, label, valid_len = loss_args(seed)
        with torch.no_grad():
            got = _loss_of(MaskedSoftmaxCELoss, pred.clone(), label.clone(), valid_len.clone())
            expected = expected_loss(pred, label, valid_len)
        assert_close(got.detach() if isinstance(got, torch.Tensor) else got, expected,
                     what=f"MaskedSoftmaxCELoss()(pred (5, 7, 9), label (5, 7), valid_len {valid_len.tolist()})",
                     hint=loss_hint(got, pred, label, valid_len))


@check("seq2seq.MaskedSoftmaxCELoss", clauses="values")
def check_MaskedSoftmaxCELoss_ignores_padding(MaskedSoftmaxCELoss):
    expected_loss = nmt_ref("seq2seq.MaskedSoftmaxCELoss")()
    for seed in (1, 2):
        pred, label, valid_len = loss_args(seed)
        padded = torch.arange(7)[None, :] >= valid_len[:, None]
        other = torch.where(padded[..., None], randn(pred.shape, seed + 50, scale=5), pred)
        with torch.no_grad():
            expected = expected_loss(pred, label, valid_len)
            for logits, label_text in ((pred, "pred"), (other, "pred with other logits at the padded positions")):
                got = _loss_of(MaskedSoftmaxCELoss, logits.clone(), label.clone(), valid_len.clone())
                assert_close(got.detach() if isinstance(got, torch.Tensor) else got, expected,
                             what=f"MaskedSoftmaxCELoss()({label_text}, label, valid_len {valid_len.tolist()})",
                             hint="positions j >= valid_len[i] must weigh 0: mask with the valid lengths")


@check("seq2seq.MaskedSoftmaxCELoss", clauses="gradients")
def check_MaskedSoftmaxCELoss_gradients(MaskedSoftmaxCELoss):
    expected_loss = nmt_ref("seq2seq.MaskedSoftmaxCELoss")
    for seed in (0, 3):
        assert_gradients_match(lambda p, l, v: _loss_of(MaskedSoftmaxCELoss, p, l, v),
                               lambda p, l, v: expected_loss()(p, l, v), loss_args(seed), wrt=(0,),
                               what=f"MaskedSoftmaxCELoss()(pred, label, valid_len) (seed {seed}); the gradient at the "
                                    "padded positions is 0")


@check("seq2seq.MaskedSoftmaxCELoss", clauses="device")
def check_MaskedSoftmaxCELoss_on_device(MaskedSoftmaxCELoss):
    pred, label, valid_len = loss_args(1)
    with torch.no_grad():
        got = _loss_of(MaskedSoftmaxCELoss, pred.clone(), label, valid_len)
        assert_close(got, nmt_ref("seq2seq.MaskedSoftmaxCELoss")()(pred, label, valid_len),
                     what="MaskedSoftmaxCELoss()(pred, label, valid_len) (it must also be right for this check to count)")
    assert_keeps_device(_loss_of, MaskedSoftmaxCELoss, pred, label, valid_len,
                        what="MaskedSoftmaxCELoss()(pred, label, valid_len)",
                        hint="make the mask with torch.arange(num_steps, device=pred.device) (or torch.ones_like(label))")


class _Affine(nn.Module):
    """x W + b with its own parameters (not an nn.Linear: the book's initialisation leaves it alone)."""

    def __init__(self, n_in, n_out, scale=0.5):
        super().__init__()
        self.W = nn.Parameter(torch.randn(n_in, n_out) * scale)
        self.b = nn.Parameter(torch.randn(n_out) * 0.1)

    def forward(self, x):
        return x @ self.W + self.b


class _BagEncoder(nn.Module):
    def __init__(self, vocab_size, num_hiddens):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.proj = _Affine(num_hiddens, num_hiddens)
        self.modes = []

    def forward(self, X, *args):
        self.modes.append(self.training)
        h = torch.tanh(self.proj(self.embedding(X).mean(1)))
        return h.unsqueeze(0).expand(X.shape[1], -1, -1), h.unsqueeze(0)


class _ContextDecoder(nn.Module):
    def __init__(self, vocab_size, num_hiddens):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.out = _Affine(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, *args):
        return enc_outputs[1]

    def forward(self, X, state):
        return self.out(torch.tanh(self.embedding(X) + state[-1][:, None, :])), state


def plain_translator(seed, vocab_size=8, num_hiddens=6):
    """A seq2seq model with neither nn.Linear nor nn.GRU: the book's initialisation changes nothing in it."""
    torch.manual_seed(seed)
    return EncoderDecoder(_BagEncoder(vocab_size, num_hiddens), _ContextDecoder(vocab_size, num_hiddens))


def gru_translator(seed, vocab_size=8):
    torch.manual_seed(seed)
    return EncoderDecoder(GRUEncoder(vocab_size, 4, 6, 2), GRUDecoder(vocab_size, 4, 6, 2))


def training_batches():
    return [batch for seed in (1, 2, 3) for batch in tiny_batches(seed, n=6)]


def _trained(train_seq2seq, net, batches, lr, num_epochs, vocab, train_first):
    torch.manual_seed(0)
    net.train(train_first)
    history = train_seq2seq(net, batches, lr, num_epochs, vocab, "cpu")
    modes = list(getattr(net.encoder, "modes", []))
    history = [float(h) for h in history] if isinstance(history, (list, tuple)) and \
        all(isinstance(h, (int, float)) for h in history) else repr(history)[:200]
    return {"state": {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}, "history": history,
            "modes": modes}


def train_both(train_seq2seq, make_net, *, lr=0.05, num_epochs=3, train_first=True):
    """The student's and the reference's train_seq2seq, each on the same model from the same seed and batches."""
    vocab, batches = TinyVocab("abcd"), training_batches()
    mine = student_side(_trained, train_seq2seq, make_net(), batches, lr, num_epochs, vocab, train_first)
    expected = _trained(nmt_ref("seq2seq.train_seq2seq"), make_net(), batches, lr, num_epochs, vocab, train_first)
    return mine, expected


def assert_same_parameters(mine, expected, what, hint):
    for name, value in expected["state"].items():
        got = mine["state"].get(name)
        assert_close(got, value, what=f"{name} after {what}", atol=1e-5, rtol=1e-4, hint=hint)


TRAIN_HINT = ("each batch: zero_grad, dec_input = cat([<bos> column, Y[:, :-1]], 1), Y_hat, _ = net(X, dec_input, "
              "X_valid_len), l = loss(Y_hat, Y, Y_valid_len), l.sum().backward(), clip the gradients to norm 1, "
              "optimizer.step() (Adam, lr)")


@check("seq2seq.train_seq2seq", points=2, clauses="values", substitute=MASKED_CE)
def check_train_seq2seq_matches_reference(train_seq2seq):
    for seed in (0, 1):
        mine, expected = train_both(train_seq2seq, lambda: plain_translator(seed))
        assert_same_parameters(mine, expected, "3 epochs of train_seq2seq(net, 3 batches, lr=0.05, ...) from the "
                                               "reference's start (a model the initialisation does not touch)",
                               TRAIN_HINT)


@check("seq2seq.train_seq2seq", clauses="init", substitute=MASKED_CE)
def check_train_seq2seq_initialisation(train_seq2seq):
    mine, expected = train_both(train_seq2seq, lambda: gru_translator(3), lr=0.0, num_epochs=1)
    assert_same_parameters(mine, expected, "train_seq2seq(net, batches, lr=0, num_epochs=1, ...) after "
                                           "torch.manual_seed(0) (so only the initialisation changes them)",
                           "net.apply(f): f draws nn.init.xavier_uniform_ for the weight of each nn.Linear and for the "
                           "weight_ih_l*/weight_hh_l* of each nn.GRU; biases and embeddings keep their values")


@check("seq2seq.train_seq2seq", clauses="train_mode", substitute=MASKED_CE)
def check_train_seq2seq_training_mode(train_seq2seq):
    mine, expected = train_both(train_seq2seq, lambda: plain_translator(4), train_first=False)
    assert_same_parameters(mine, expected, "train_seq2seq on a model given in eval mode (it must also be right for "
                                           "this check to count)", TRAIN_HINT)
    modes = mine["modes"]
    assert modes and all(modes), \
        f"the model was in eval mode during {modes.count(False)} of its {len(modes)} forward passes: call " \
        "net.train() before training (the model may come in eval mode)"


@check("seq2seq.train_seq2seq", clauses="history", substitute=MASKED_CE)
def check_train_seq2seq_history(train_seq2seq):
    mine, expected = train_both(train_seq2seq, lambda: plain_translator(5), num_epochs=4)
    assert_same_parameters(mine, expected, "4 epochs of train_seq2seq (it must also be right for this check to "
                                           "count)", TRAIN_HINT)
    history = mine["history"]
    assert isinstance(history, list) and len(history) == 4, \
        f"train_seq2seq(..., num_epochs=4, ...) should return a list of 4 losses, one per epoch; got {history}"
    for epoch, (got, want) in enumerate(zip(history, expected["history"]), start=1):
        assert_close(got, want, what=f"the loss train_seq2seq reports for epoch {epoch}", atol=1e-6, rtol=1e-5,
                     hint="the sum over the epoch's batches of l.sum(), divided by the sum of their Y_valid_len")


SEQ2SEQ_TASK = Task(lo=2, hi=8, n_train=4000, n_test=200, num_steps=10)
SEQ2SEQ_BUDGET = {"embed_size": 32, "num_hiddens": 64, "num_layers": 1, "lr": 0.01, "num_epochs": 10,
                  "batch_size": 64}


def budget_text(budget, task):
    return (f"{budget['num_epochs']} epochs on {task} (batches of {budget['batch_size']}, Adam lr {budget['lr']:g}, "
            "dropout 0)")


@check("seq2seq.train_seq2seq", points=3, kind="accuracy", clauses="values", integration=True)
def check_train_seq2seq_learns_to_translate(Seq2SeqEncoder, Seq2SeqDecoder, train_seq2seq, device):
    data, b = task_data(SEQ2SEQ_TASK), SEQ2SEQ_BUDGET
    view = student_view(data)
    E, H, L = b["embed_size"], b["num_hiddens"], b["num_layers"]
    train_to_threshold(
        lambda: seq2seq_run(lambda v: Seq2SeqEncoder(v, E, H, L), lambda v: Seq2SeqDecoder(v, E, H, L), train_seq2seq,
                            view, b, device),
        metric=lambda run: mean_bleu(run, data, what="the seq2seq model"), history=lambda run: run["history"],
        names=("loss per token",), threshold_on=None, x="epoch",
        threshold=0.8, reference_value=0.90, budget=budget_text(b, SEQ2SEQ_TASK),
        what=f"the mean BLEU (k=2) on {SEQ2SEQ_TASK.n_test} unseen sentences of a seq2seq model (embed {E}, hidden "
             f"{H}, {L} layer) built from your Seq2SeqEncoder, Seq2SeqDecoder and MaskedSoftmaxCELoss and trained by "
             "your train_seq2seq (translated greedily by the check)")


class _ValidLenDecoder(_TinyDecoder):
    """Its state depends on the source's valid length (so a wrong enc_valid_len changes the translation)."""

    def init_state(self, enc_outputs, enc_valid_len=None, *args):
        return enc_outputs[1] + 0.4 * enc_valid_len.to(enc_outputs[1].dtype)[None, :, None]


class _DropoutDecoder(_TinyDecoder):
    def __init__(self, vocab_size, num_hiddens):
        super().__init__(vocab_size, num_hiddens)
        self.dropout = nn.Dropout(0.5)

    def forward(self, X, state):
        output, state = self.rnn(self.embedding(X).permute(1, 0, 2), state)
        return self.dense(self.dropout(output)).permute(1, 0, 2), state


class _WeightsDecoder(_ValidLenDecoder):
    """Keeps a step-dependent tensor as its 'attention weights'."""

    def forward(self, X, state):
        Y, state = super().forward(X, state)
        self._weights = torch.softmax(state[-1][:, None, :], dim=-1).clone()
        return Y, state

    @property
    def attention_weights(self):
        return self._weights


def translator(seed, decoder=_ValidLenDecoder, src=11, tgt=10, num_hiddens=6, scale=2.5):
    torch.manual_seed(seed)
    net = EncoderDecoder(_TinyEncoder(src, num_hiddens), decoder(tgt, num_hiddens))
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(scale)
    return net


SRC_VOCAB, TGT_VOCAB = TinyVocab("abcdefg"), TinyVocab("pqrstu")


def sentences(seed, n=8):
    rng = random.Random(seed)
    return [" ".join(rng.choice("abcdefg") if rng.random() < 0.9 else "zz" for _ in range(rng.randint(1, 8)))
            for _ in range(n)]


def predict_cases(decoder=_ValidLenDecoder):
    for seed in range(4):
        for sentence in sentences(seed):
            yield translator(seed, decoder), sentence


def predict_hint(got, expected):
    if isinstance(got, str) and got and expected and got.split(" ")[:len(expected.split(" "))] == expected.split(" "):
        return "stop at <eos>: the translation ends when the predicted token is tgt_vocab['<eos>']"
    return ("source: src_vocab[sentence.lower().split(' ')] + [<eos>], valid length len(...) before truncation, "
            "truncate/pad to num_steps; decoder from <bos>, feeding back the argmax and the state")


@check("seq2seq.predict_seq2seq", points=2, clauses="values", substitute=("truncate_pad",))
def check_predict_seq2seq_matches_reference(predict_seq2seq):
    expected_fn = nmt_ref("seq2seq.predict_seq2seq")
    for net, sentence in predict_cases():
        got = predict_seq2seq(net, sentence, SRC_VOCAB, TGT_VOCAB, 6, "cpu")
        expected = expected_fn(net, sentence, SRC_VOCAB, TGT_VOCAB, 6, "cpu")
        assert isinstance(got, tuple) and len(got) == 2, \
            f"predict_seq2seq should return (translation, attention_weight_seq), got {type_name(got)}"
        assert got[0] == expected[0], f"predict_seq2seq(net, {sentence!r}, ..., num_steps=6) translates it as " \
                                      f"{got[0]!r}, expected {expected[0]!r}\n  hint: {predict_hint(got[0], expected[0])}"


@check("seq2seq.predict_seq2seq", clauses="eval", substitute=("truncate_pad",))
def check_predict_seq2seq_eval_mode(predict_seq2seq):
    expected_fn = nmt_ref("seq2seq.predict_seq2seq")
    for net, sentence in predict_cases(_DropoutDecoder):
        expected = expected_fn(net, sentence, SRC_VOCAB, TGT_VOCAB, 6, "cpu")[0]
        net.train()
        got = predict_seq2seq(net, sentence, SRC_VOCAB, TGT_VOCAB, 6, "cpu")
        assert isinstance(got, tuple) and got[0] == expected, \
            f"predict_seq2seq(net with dropout, given in training mode, {sentence!r}, ...) gives " \
            f"{got[0] if isinstance(got, tuple) else got!r}, expected {expected!r}\n  hint: call net.eval() first, so " \
            "that dropout is off while translating"


@check("seq2seq.predict_seq2seq", clauses="attention", substitute=("truncate_pad",))
def check_predict_seq2seq_attention_weights(predict_seq2seq):
    expected_fn = nmt_ref("seq2seq.predict_seq2seq")
    for net, sentence in list(predict_cases(_WeightsDecoder))[:10]:
        expected = expected_fn(net, sentence, SRC_VOCAB, TGT_VOCAB, 6, "cpu", True)
        got = predict_seq2seq(net, sentence, SRC_VOCAB, TGT_VOCAB, 6, "cpu", True)
        assert isinstance(got, tuple) and got[0] == expected[0], \
            f"predict_seq2seq(..., save_attention_weights=True) translates {sentence!r} wrongly (it must also be " \
            "right for this check to count)"
        weights = got[1]
        assert isinstance(weights, list) and len(weights) == len(expected[1]), \
            f"with save_attention_weights, predict_seq2seq should return one entry per decoding step " \
            f"({len(expected[1])} for {sentence!r}, the <eos> step included), got " \
            f"{len(weights) if isinstance(weights, list) else type_name(weights)}\n  hint: append " \
            "net.decoder.attention_weights after every step, before checking for <eos>"
        for t, (g, e) in enumerate(zip(weights, expected[1])):
            assert_close(g, e, what=f"the attention weights saved at step {t}",
                         hint="append net.decoder.attention_weights right after that step's decoder call")
        plain = predict_seq2seq(net, sentence, SRC_VOCAB, TGT_VOCAB, 6, "cpu")
        assert isinstance(plain, tuple) and plain[1] == [], \
            "without save_attention_weights the list should stay empty"


def bleu_pairs(seed, n=40):
    rng = random.Random(seed)
    for _ in range(n):
        k = rng.randint(1, 4)
        pred = [rng.choice("abcd") for _ in range(rng.randint(k, 9))]
        label = [rng.choice("abcd") for _ in range(rng.randint(1, 9))]
        yield " ".join(pred), " ".join(label), k


def bleu_hint(got, pred, label, k):
    if not isinstance(got, float) and not isinstance(got, int):
        return "return a float"
    expected = nmt_ref("seq2seq.bleu")(pred, label, k)
    len_pred, len_label = len(pred.split(" ")), len(label.split(" "))
    penalty = math.exp(min(0, 1 - len_label / len_pred))
    if expected and penalty < 1 and abs(got - expected / penalty) < 1e-9:
        return "the brevity penalty exp(min(0, 1 - len_label / len_pred)) is missing"
    if expected and abs(got - expected * penalty) < 1e-9 and penalty < 1:
        return "the brevity penalty is applied twice"
    return ("p_n: each n-gram of the prediction that matches an n-gram of the label, each label n-gram used at most as "
            "often as it occurs there (decrement its count), over len_pred - n + 1; weights 1 / 2 ** n")


@check("seq2seq.bleu", points=2, clauses="values")
def check_bleu_matches_the_formula(bleu):
    expected_fn = nmt_ref("seq2seq.bleu")
    cases = list(bleu_pairs(0)) + [("a a a a", "a b", 1), ("a a a a", "a b", 2), ("a b a b a b", "a b a", 2),
                                   ("the cat", "the cat sat on the mat", 2), ("x y z", "a b c", 1)]
    for pred, label, k in cases:
        got = bleu(pred, label, k)
        assert_close(got, expected_fn(pred, label, k), what=f"bleu({pred!r}, {label!r}, k={k})", atol=1e-12,
                     rtol=1e-9, hint=bleu_hint(got, pred, label, k))


@check("seq2seq.bleu", clauses="short")
def check_bleu_short_predictions(bleu):
    expected_fn = nmt_ref("seq2seq.bleu")
    for pred, label, k in (("a b c a", "a b d", 2), ("x a b c", "a b c d", 3)):
        assert_close(bleu(pred, label, k), expected_fn(pred, label, k), what=f"bleu({pred!r}, {label!r}, k={k}) (it "
                     "must also be right for this check to count)", atol=1e-12)
    for pred, label, k in (("a", "a b", 2), ("a b", "a b c", 3), ("a", "a", 4)):
        try:
            got = bleu(pred, label, k)
        except ZeroDivisionError:
            raise AssertionError(f"bleu({pred!r}, {label!r}, k={k}) divides by zero: a prediction of "
                                 f"{len(pred.split(' '))} tokens has no {k}-grams, so p_{k} = 0 and the score is 0 "
                                 "(return 0.0 when len_pred < k)") from None
        assert_close(got, 0.0, what=f"bleu({pred!r}, {label!r}, k={k}) (fewer than k tokens predicted)",
                     hint="p_n = 0 where the prediction has no n-grams (len_pred - n + 1 <= 0): the score is 0")


# §9.8 beam search ------------------------------------------------------------------------------------------

from autograder.harness.speed import assert_fast_enough  # noqa: E402


def beam_model(seed, tgt_words="abcd", scale=2.5):
    """A tiny GRU translator with lively weights (<eos> made likely, so that sequences finish at different
    lengths), its vocabularies, and a source sentence."""
    src_vocab, tgt_vocab = TinyVocab("abcdefg"), TinyVocab(tgt_words)
    net = TinyTranslator(len(src_vocab), len(tgt_vocab), seed, scale=scale)
    with torch.no_grad():
        net.decoder.dense.bias[tgt_vocab["<eos>"]] += 1.5
    rng = random.Random(seed)
    return net, [rng.choice("abcdefg") for _ in range(rng.randint(1, 5))], src_vocab, tgt_vocab


def all_candidates(net, src_tokens, src_vocab, tgt_vocab, num_steps):
    """Judge side: every candidate (tokens, log-probability): sequences that end at their first <eos>, or after
    num_steps tokens. Breadth first, a batch per length (exhaustive search)."""
    net.eval()
    tokens = src_vocab[list(src_tokens)] + [src_vocab["<eos>"]]
    valid = torch.tensor([len(tokens)])
    tokens = tokens[:num_steps] + [src_vocab["<pad>"]] * (num_steps - len(tokens))
    eos = tgt_vocab["<eos>"]
    found = []
    with torch.no_grad():
        state = net.decoder.init_state(net.encoder(torch.tensor([tokens]), valid), valid)
        live, inputs = [([], 0.0)], torch.tensor([[tgt_vocab["<bos>"]]])
        for step in range(num_steps):
            Y, state = net.decoder(inputs, state)
            log_probs = torch.log_softmax(Y[:, -1].double(), dim=-1)
            grown, rows = [], []
            for row, (sequence, total) in enumerate(live):
                for token in range(log_probs.shape[1]):
                    candidate = (sequence + [token], total + float(log_probs[row, token]))
                    if token == eos or step == num_steps - 1:
                        found.append(candidate)
                    else:
                        grown.append(candidate)
                        rows.append(row)
            if not grown:
                break
            live = grown
            state = state.index_select(1, torch.tensor(rows))
            inputs = torch.tensor([[s[-1]] for s, _ in live])
    return found


def best_candidate(found, alpha, tgt_vocab):
    tokens, total = max(found, key=lambda c: c[1] / len(c[0]) ** alpha)
    words = [t for t in tokens if t != tgt_vocab["<eos>"]]
    return " ".join(tgt_vocab.to_tokens(words)), total / len(tokens) ** alpha


def assert_beam_result(got, expected, what, hint):
    assert isinstance(got, tuple) and len(got) == 2, f"{what} should return (translation, score), got {type_name(got)}"
    assert got[0] == expected[0], f"{what} returns the translation {got[0]!r}, expected {expected[0]!r} (score " \
                                  f"{expected[1]:.6g})\n  hint: {hint}"
    assert_close(got[1], expected[1], what=f"the score {what} returns", atol=1e-5, rtol=1e-5, hint=hint)


SEARCH_HINT = ("each step: extend every sequence of the beam by every token, keep the beam_size extensions with the "
               "highest log-probabilities; those ending with <eos> are finished (candidates, no longer extended); "
               "after num_steps steps the rest are candidates too; return the best score")
NORM_HINT = "score = (sum of log P over the L tokens, <eos> included) / L ** alpha"


def beam_args(seed, beam_size, alpha, num_steps=5, tgt_words="abcd"):
    net, src, src_vocab, tgt_vocab = beam_model(seed, tgt_words)
    return net, src, src_vocab, tgt_vocab, num_steps, beam_size, alpha, "cpu"


@check("beam_search.beam_search", points=2, clauses="values")
def check_beam_search_matches_reference(beam_search):
    expected_fn = nmt_ref("beam_search.beam_search")
    for seed in range(6):
        for beam_size in (2, 3, 5):
            args = beam_args(seed, beam_size, 0.0)
            expected = expected_fn(*args)
            assert_beam_result(beam_search(*args), expected,
                               f"beam_search(net, {args[1]}, ..., num_steps=5, beam_size={beam_size}, alpha=0) "
                               f"(seed {seed})", SEARCH_HINT)


@check("beam_search.beam_search", clauses="values")
def check_beam_search_size_one_is_greedy(beam_search):
    predict = nmt_ref("seq2seq.predict_seq2seq")
    for seed in range(8):
        net, src, src_vocab, tgt_vocab = beam_model(seed)
        expected = predict(net, " ".join(src), src_vocab, tgt_vocab, 6, "cpu")[0]
        got = beam_search(net, src, src_vocab, tgt_vocab, 6, 1, 0.75, "cpu")
        assert isinstance(got, tuple) and got[0] == expected, \
            f"beam_search(net, {src}, ..., num_steps=6, beam_size=1) gives " \
            f"{got[0] if isinstance(got, tuple) else got!r}; greedy decoding (predict_seq2seq) gives {expected!r}\n" \
            "  hint: with one sequence in the beam, keep the single most likely extension; a sequence that ends with " \
            "<eos> leaves the beam, and an empty beam ends the search"


@check("beam_search.beam_search", clauses="values")
def check_beam_search_huge_beam_is_exhaustive(beam_search):
    for seed in range(4):
        net, src, src_vocab, tgt_vocab = beam_model(seed, "ab")
        expected = best_candidate(all_candidates(net, src, src_vocab, tgt_vocab, 3), 0.0, tgt_vocab)
        beam_size = len(tgt_vocab) ** 3
        assert_beam_result(beam_search(net, src, src_vocab, tgt_vocab, 3, beam_size, 0.0, "cpu"), expected,
                           f"beam_search(..., num_steps=3, beam_size={beam_size}, alpha=0) on a vocabulary of "
                           f"{len(tgt_vocab)} (seed {seed}): a beam that keeps every sequence must find the most "
                           "likely of all", SEARCH_HINT)


class _TableDecoder(nn.Module):
    """Next-token logits from a table indexed by the previous token (a bigram model); the state passes through."""

    def __init__(self, table):
        super().__init__()
        self.table = nn.Parameter(table)

    def init_state(self, enc_outputs, *args):
        return enc_outputs[1]

    def forward(self, X, state):
        return self.table[X], state


def designed_model():
    """A bigram model where the best normalised sequence starts with the third most likely token: after <bos>,
    <eos> 0.5, a 0.3, b 0.2; after b the path b c d <eos> is nearly certain, after a everything is uncertain. With
    beam_size 2, <eos> finishes at once and leaves the beam to a alone: b c d <eos> is never reached (a beam that
    refills itself with b would find it)."""
    vocab = TinyVocab("abcd")
    rows = {2: {3: 0.5, 4: 0.3, 5: 0.2}, 4: {4: 0.2, 6: 0.3, 7: 0.26, 3: 0.24}, 5: {6: 0.999}, 6: {7: 0.999},
            7: {3: 0.999}}
    table = torch.full((8, 8), 1e-4)
    for prev, probs in rows.items():
        for token, p in probs.items():
            table[prev, token] = p
    table = torch.log(table / table.sum(1, keepdim=True))
    torch.manual_seed(0)
    return EncoderDecoder(_TinyEncoder(len(vocab), 6), _TableDecoder(table)), ["a"], vocab, vocab


@check("beam_search.beam_search", points=2, clauses="normalization")
def check_beam_search_length_normalisation(beam_search):
    expected_fn = nmt_ref("beam_search.beam_search")
    net, src, src_vocab, tgt_vocab = designed_model()
    for beam_size, alpha in ((2, 1.0), (2, 0.75), (3, 1.0)):
        args = (net, src, src_vocab, tgt_vocab, 5, beam_size, alpha, "cpu")
        assert_beam_result(beam_search(*args), expected_fn(*args),
                           f"beam_search(a bigram model, ..., num_steps=5, beam_size={beam_size}, alpha={alpha}) where "
                           "<eos> is the most likely first token", NORM_HINT + "; a finished sequence leaves the beam "
                           "(the beam is not refilled)")
    for seed in range(4):
        for beam_size, alpha in ((2, 0.75), (4, 0.75), (3, 1.0)):
            args = beam_args(seed, beam_size, alpha)
            assert_beam_result(beam_search(*args), expected_fn(*args),
                               f"beam_search(net, {args[1]}, ..., num_steps=5, beam_size={beam_size}, alpha={alpha}) "
                               f"(seed {seed})", NORM_HINT)
    for seed in range(3):
        net, src, src_vocab, tgt_vocab = beam_model(seed + 10, "ab")
        expected = best_candidate(all_candidates(net, src, src_vocab, tgt_vocab, 3), 0.75, tgt_vocab)
        assert_beam_result(beam_search(net, src, src_vocab, tgt_vocab, 3, 216, 0.75, "cpu"), expected,
                           f"beam_search(..., num_steps=3, beam_size=216, alpha=0.75) (seed {seed + 10}): the best "
                           "normalised score of all sequences", NORM_HINT)


class _CountingDecoder(_TinyDecoder):
    def forward(self, X, state):
        self.calls = getattr(self, "calls", 0) + 1
        return super().forward(X, state)


def _count_calls(beam_search, net, *args):
    net.decoder.calls = 0
    got = beam_search(net, *args)
    return got, net.decoder.calls


def counting_model(seed):
    net, src, src_vocab, tgt_vocab = beam_model(seed)
    counting = TinyTranslator(len(src_vocab), len(tgt_vocab), seed, scale=2.5)
    counting.decoder = _CountingDecoder(len(tgt_vocab), 6)
    counting.decoder.load_state_dict(net.decoder.state_dict())
    return counting, src, src_vocab, tgt_vocab


@check("beam_search.beam_search", clauses="batched")
def check_beam_search_one_decoder_call_per_step(beam_search):
    expected_fn = nmt_ref("beam_search.beam_search")
    for seed in range(3):
        net, src, src_vocab, tgt_vocab = counting_model(seed)
        args = (src, src_vocab, tgt_vocab, 6, 4, 0.0, "cpu")
        expected = expected_fn(net, *args)
        got, calls = student_side(_count_calls, beam_search, net, *args)
        assert_beam_result(got, expected, f"beam_search(net, {src}, ..., num_steps=6, beam_size=4, alpha=0) (it must "
                                          "also be right for this check to count)", SEARCH_HINT)
        assert calls <= 6, \
            f"beam_search(..., num_steps=6, beam_size=4) called the decoder {calls} times: at most one call per step, " \
            "on a batch of the beam's sequences (their last tokens (beam, 1), their states side by side on the " \
            "batch axis: state.index_select(1, rows)), not one call per sequence"


def speed_translator(seed):
    torch.manual_seed(1000 + seed)
    src_vocab, tgt_vocab = TinyVocab("abcdefgh"), TinyVocab([f"w{i}" for i in range(40)])
    net = TinyTranslator(len(src_vocab), len(tgt_vocab), 1000 + seed, num_hiddens=32, scale=1.0)
    rng = random.Random(seed)
    return net, [rng.choice("abcdefgh") for _ in range(6)], src_vocab, tgt_vocab


def _as_values(result):
    """(translation, score) as tensors, for the speed harness's comparison."""
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], (int, float))
            and isinstance(result[0], str)):
        return result
    return torch.tensor(list(result[0].encode("utf-8")), dtype=torch.int64), \
        torch.tensor(float(result[1]), dtype=torch.float64)


@check("beam_search.beam_search", kind="speed", clauses="batched")
def check_beam_search_speed(beam_search):
    expected_fn = nmt_ref("beam_search.beam_search")

    def inputs(seed):
        net, src, src_vocab, tgt_vocab = speed_translator(seed)
        return net, src, src_vocab, tgt_vocab, 12, 8, 0.0, "cpu"
    assert_fast_enough(lambda *a: _as_values(beam_search(*a)), lambda *a: _as_values(expected_fn(*a)), inputs,
                       limit=3.0, what="beam_search(net, ..., num_steps=12, beam_size=8, alpha=0) on cpu", atol=1e-4, rtol=1e-4,
                       hint="decode the whole beam in one decoder call per step, and select the best extensions with "
                            "one sort or topk over (beam, vocab) scores, not with Python loops over the vocabulary")
