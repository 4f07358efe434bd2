"""Chapter 9 (现代循环神经网络), public checks: the book's shapes, and PyTorch's layers where they compute the
same as the book's equations."""
import torch
from torch import nn

from autograder.harness import (assert_close, assert_tensor, book_compatible_gru, check, check_for, randn,
                                scratch_params, student_side, type_name)
from autograder.harness.registry import declaring_module


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


def interface_checks(assertion, *, name, clauses):
    """Declare ``assertion(fn, base)`` as the check ``name`` of each of §9.6's interfaces (``base`` is
    ``"Encoder"``, then ``"Decoder"``), in the check module that calls it."""
    module = declaring_module()

    def graded(base):
        return lambda fn: assertion(fn, base)
    for base in ("Encoder", "Decoder"):
        check_for(module, f"encoder_decoder.{base}", graded(base), name=name, clauses=clauses)


interface_checks(assert_subclass_works, name="subclass", clauses="module")


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


def stand_in_run(EncoderDecoder, decoder_class, enc_X, dec_X, *, seed):
    """``EncoderDecoder(LinearEncoder(), decoder_class())(enc_X, dec_X)`` (the layers drawn after
    ``torch.manual_seed(seed)``): what it returned, and the decoder's output and state computed by hand."""
    torch.manual_seed(seed)
    encoder, decoder = LinearEncoder(), decoder_class()
    got = EncoderDecoder(encoder, decoder)(enc_X, dec_X)
    with torch.no_grad():
        state = encoder.dense(enc_X).sum(0)
        return got, decoder.dense(dec_X + state), state


@check("encoder_decoder.EncoderDecoder", clauses="values")
def check_EncoderDecoder_wiring(EncoderDecoder):
    (Y, state), expected, expected_state = stand_in_run(EncoderDecoder, AddDecoder, randn((5, 3), 0), randn((2, 4), 1),
                                                        seed=0)
    assert_close(state.detach(), expected_state, what="the decoder's state: init_state(encoder(enc_X))")
    assert_close(Y.detach(), expected, what="EncoderDecoder(encoder, decoder)(enc_X, dec_X): decoder(dec_X, state)")


# =====================================================================================================
# §9.5 machine translation data, §9.7 seq2seq, §9.8 beam search (appended; the sections above are §9.1-§9.6)
# =====================================================================================================

import math  # noqa: E402

from autograder.checks.public.ch8 import TokenIndex  # noqa: E402
from autograder.harness import student_side  # noqa: E402
from d2lkit import read_nmt_text  # noqa: E402


class TinyVocab(TokenIndex):
    """A vocabulary of the given tokens after <unk>, <pad>, <bos>, <eos> (§8.2's interface)."""

    def __init__(self, tokens):
        super().__init__(["<unk>", "<pad>", "<bos>", "<eos>"] + list(tokens))


class TinyTranslator(nn.Module):
    """A small GRU encoder-decoder with lively random weights (§9.7's layout: ``encoder``, ``decoder`` with
    ``init_state`` and a ``(num_layers, batch, num_hiddens)`` state)."""

    def __init__(self, src_size, tgt_size, seed, num_hiddens=6, scale=2.5):
        super().__init__()
        torch.manual_seed(seed)
        self.encoder = _TinyEncoder(src_size, num_hiddens)
        self.decoder = _TinyDecoder(tgt_size, num_hiddens)
        with torch.no_grad():
            for p in self.parameters():
                p.mul_(scale)

    def forward(self, enc_X, dec_X, *args):
        return self.decoder(dec_X, self.decoder.init_state(self.encoder(enc_X, *args), *args))


class _TinyEncoder(nn.Module):
    def __init__(self, vocab_size, num_hiddens):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.rnn = nn.GRU(num_hiddens, num_hiddens)

    def forward(self, X, *args):
        return self.rnn(self.embedding(X).permute(1, 0, 2))


class _TinyDecoder(nn.Module):
    def __init__(self, vocab_size, num_hiddens):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.rnn = nn.GRU(num_hiddens, num_hiddens)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, *args):
        return enc_outputs[1]

    def forward(self, X, state):
        output, state = self.rnn(self.embedding(X).permute(1, 0, 2), state)
        return self.dense(output).permute(1, 0, 2), state


@check("machine_translation.read_data_nmt", clauses="values")
def check_read_data_nmt_first_lines(read_data_nmt):
    text = read_data_nmt()
    assert isinstance(text, str), f"read_data_nmt() should return the raw text (a str), got {type_name(text)}"
    expected = read_nmt_text("generated")
    got_lines, lines = text.split("\n")[:5], expected.split("\n")[:5]
    assert got_lines == lines, f"the first lines of read_data_nmt() should be {lines}, got {got_lines}: return " \
                               "d2lkit.read_nmt_text(corpus) unchanged"


@check("machine_translation.preprocess_nmt", clauses="values")
def check_preprocess_nmt_book_example(preprocess_nmt):
    raw = "Go.\tVa\u202f!\nHi.\tSalut\xa0!\nRun!\tCours\u202f!\nWho?\tQui ?\n"
    got = preprocess_nmt(raw)
    expected = "go .\tva !\nhi .\tsalut !\nrun !\tcours !\nwho ?\tqui ?\n"
    assert got == expected, f"preprocess_nmt({raw!r}) should be {expected!r}, got {got!r}"


@check("machine_translation.tokenize_nmt", clauses="values")
def check_tokenize_nmt_book_example(tokenize_nmt):
    source, target = tokenize_nmt("go .\tva !\nhi .\tsalut !\nrun !\tcours !\n")
    assert source == [["go", "."], ["hi", "."], ["run", "!"]], f"the source tokens are {source}"
    assert target == [["va", "!"], ["salut", "!"], ["cours", "!"]], f"the target tokens are {target}"


@check("machine_translation.truncate_pad", clauses="values")
def check_truncate_pad_book_example(truncate_pad):
    got = truncate_pad([47, 4], 10, 1)
    assert got == [47, 4, 1, 1, 1, 1, 1, 1, 1, 1], f"truncate_pad([47, 4], 10, 1) should pad to 10, got {got}"
    got = truncate_pad(list(range(12)), 10, 1)
    assert got == list(range(10)), f"truncate_pad(list(range(12)), 10, 1) should keep the first 10, got {got}"


@check("machine_translation.build_array_nmt", clauses="values")
def check_build_array_nmt_shapes(build_array_nmt):
    vocab = TinyVocab(["go", ".", "hi"])
    array, valid_len = build_array_nmt([["go", "."], ["hi", "hi", "hi", "hi", "."]], vocab, 4)
    assert_close(array, torch.tensor([[4, 5, 3, 1], [6, 6, 6, 6]]), what="the array of [['go', '.'], "
                 "['hi', 'hi', 'hi', 'hi', '.']] with num_steps 4 (<pad> 1, <eos> 3, go 4, . 5, hi 6)",
                 hint="each line's indices, then <eos>, then truncate or pad to num_steps")
    assert_close(valid_len, torch.tensor([3, 4]), what="valid_len (the non-<pad> entries of each row)")


@check("machine_translation.load_data_nmt", clauses="values")
def check_load_data_nmt_book_example(load_data_nmt):
    train_iter, src_vocab, tgt_vocab = load_data_nmt(batch_size=2, num_steps=8)
    X, X_valid_len, Y, Y_valid_len = next(iter(train_iter))
    for what, t, shape in (("X", X, (2, 8)), ("X_valid_len", X_valid_len, (2,)), ("Y", Y, (2, 8)),
                           ("Y_valid_len", Y_valid_len, (2,))):
        assert_tensor(t, what=f"{what} of the first batch of load_data_nmt(batch_size=2, num_steps=8)", shape=shape)
    assert src_vocab["<pad>"] == 1 and tgt_vocab["<eos>"] == 3, \
        "the vocabularies start with <unk>, <pad>, <bos>, <eos> (indices 0 to 3)"


@check("seq2seq.Seq2SeqEncoder", clauses="values")
def check_Seq2SeqEncoder_book_shapes(Seq2SeqEncoder):
    encoder = Seq2SeqEncoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
    encoder.eval()
    output, state = encoder(torch.zeros((4, 7), dtype=torch.long))
    assert_tensor(output, what="output of Seq2SeqEncoder(10, 8, 16, 2) for X (4, 7)", shape=(7, 4, 16))
    assert_tensor(state, what="state of Seq2SeqEncoder(10, 8, 16, 2) for X (4, 7)", shape=(2, 4, 16))


@check("seq2seq.Seq2SeqDecoder", clauses="values")
def check_Seq2SeqDecoder_book_shapes(Seq2SeqDecoder):
    decoder = Seq2SeqDecoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
    decoder.eval()
    output, state = decoder(torch.zeros((4, 7), dtype=torch.long), torch.zeros(2, 4, 16))
    assert_tensor(output, what="output of Seq2SeqDecoder(10, 8, 16, 2) for X (4, 7) and a state (2, 4, 16)",
                  shape=(4, 7, 10))
    assert_tensor(state, what="the state it returns", shape=(2, 4, 16))


@check("seq2seq.MaskedSoftmaxCELoss", clauses="values")
def check_MaskedSoftmaxCELoss_book_example(MaskedSoftmaxCELoss):
    loss = MaskedSoftmaxCELoss()
    got = loss(torch.ones(3, 4, 10), torch.ones((3, 4), dtype=torch.long), torch.tensor([4, 2, 0]))
    assert_close(got, torch.tensor([math.log(10), math.log(10) / 2, 0.0]),
                 what="MaskedSoftmaxCELoss()(ones(3, 4, 10), ones(3, 4), valid_len [4, 2, 0])",
                 hint="the cross-entropy of every position (log 10 here), times 1 at the valid positions and 0 "
                      "after, averaged over all 4 positions of each row")


def tiny_batches(seed=0, n=8, num_steps=5):
    """One batch to copy: source and target the same rows of tokens 4..7 of TinyVocab('abcd'), <eos>, <pad>s."""
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, num_steps, (n,), generator=g)
    X = torch.randint(4, 8, (n, num_steps), generator=g)
    steps = torch.arange(num_steps)[None]
    X = torch.where(steps == lengths[:, None], 3, torch.where(steps > lengths[:, None], 1, X))
    return [(X, lengths + 1, X.clone(), lengths + 1)]


def teacher_forced_loss(net, batches, bos):
    X, X_valid_len, Y, Y_valid_len = batches[0]
    with torch.no_grad():
        dec_input = torch.cat([torch.full((Y.shape[0], 1), bos), Y[:, :-1]], 1)
        Y_hat, _ = net.eval()(X, dec_input, X_valid_len)
        ce = nn.functional.cross_entropy(Y_hat.permute(0, 2, 1), Y, reduction="none")
        mask = torch.arange(Y.shape[1])[None] < Y_valid_len[:, None]
    return float((ce * mask).sum() / mask.sum())


def _train_tiny(train_seq2seq, net, batches, vocab):
    torch.manual_seed(0)
    before = teacher_forced_loss(net, batches, vocab["<bos>"])
    train_seq2seq(net, batches, 0.05, 30, vocab, "cpu")
    return before, teacher_forced_loss(net, batches, vocab["<bos>"])


@check("seq2seq.train_seq2seq", clauses="values")
def check_train_seq2seq_learns_to_copy(train_seq2seq):
    vocab = TinyVocab("abcd")
    before, after = student_side(_train_tiny, train_seq2seq, TinyTranslator(8, 8, 0, scale=1.0), tiny_batches(),
                                 vocab)
    assert after < 0.5 * before, \
        f"30 epochs of train_seq2seq (lr 0.05) on one batch of 8 copies took the loss per token from {before:.3f} " \
        f"to {after:.3f} (teacher-forced, computed by the check): it should at least halve"


@check("seq2seq.predict_seq2seq", clauses="values")
def check_predict_seq2seq_sentence_shape(predict_seq2seq):
    vocab = TinyVocab("abcd")
    net = TinyTranslator(8, 8, 3)
    translation, weights = predict_seq2seq(net, "a b", vocab, vocab, 5, "cpu")
    assert isinstance(translation, str), f"the translation should be a str, got {type_name(translation)}"
    words = translation.split(" ") if translation else []
    assert len(words) <= 5 and all(w in vocab.idx_to_token for w in words), \
        f"the translation should be at most 5 tokens of the target vocabulary joined by spaces, got {translation!r}"
    assert "<eos>" not in words and "<bos>" not in words, f"the translation {translation!r} should hold neither " \
                                                          "<bos> nor <eos>"
    assert weights == [], f"without save_attention_weights the list of weights should be empty, got {weights!r}"


@check("seq2seq.bleu", clauses="values")
def check_bleu_book_examples(bleu):
    for pred, label, expected in (("va !", "va !", 1.0), ("j'ai perdu .", "j'ai perdu .", 1.0),
                                  ("il est riche .", "il est calme .", 0.6580370064762462),
                                  ("je suis en retard ?", "je suis chez moi .", 0.4472135954999579)):
        got = bleu(pred, label, k=2)
        assert_close(got, expected, what=f"bleu({pred!r}, {label!r}, k=2)",
                     hint="exp(min(0, 1 - len_label / len_pred)) * p_1 ** (1/2) * p_2 ** (1/4)")


@check("beam_search.beam_search", clauses="values")
def check_beam_search_output_shape(beam_search):
    vocab = TinyVocab("abcd")
    net = TinyTranslator(8, 8, 1)
    got = beam_search(net, ["a", "b"], vocab, vocab, 4, 2, 0.75, "cpu")
    assert isinstance(got, tuple) and len(got) == 2, f"beam_search should return (translation, score), got {got!r}"
    translation, score = got
    assert isinstance(translation, str), f"the translation should be a str, got {type_name(translation)}"
    assert isinstance(score, float) and score <= 0, f"the score (a log-probability over L ** alpha) should be a " \
                                                    f"float <= 0, got {score!r}"
