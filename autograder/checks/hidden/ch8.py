"""Chapter 8 (循环神经网络), hidden checks: reference comparisons, the iterators' invariants, gradients,
forbidden shortcuts, speed and perplexity thresholds."""
import collections
import contextlib
import io
import re

import torch
from torch import nn

from autograder.checks.hidden.rnn_common import (RECURRENT_LAYERS, Budget, assert_perplexity, assert_scratch_init,
                                                 layer_builtin, one_hot_inputs, single_thread, timing_args,
                                                 torch_layer_outputs)
from autograder.checks.public.ch8 import CHARS, CountingNet, LetterVocab
from autograder.harness import (type_name, SEEDS, Forbidden, assert_close, assert_gradients_match, assert_matches_reference,
                                assert_no_forbidden_calls, assert_tensor, check, load_weights_in_order, randint, randn,
                                reference, scratch_params, seed_everything, speed_check)


def ref(name):
    return reference(f"ch8.{name}")


# §8.2 text preprocessing ------------------------------------------------------------------------

@check("text_preprocessing.read_time_machine")
def check_read_time_machine_clean_lines(read_time_machine):
    lines, expected = read_time_machine(), ref("text_preprocessing.read_time_machine")()
    clean = re.compile(r"([a-z]+( [a-z]+)*)?")
    for i, line in enumerate(lines):
        assert isinstance(line, str) and clean.fullmatch(line), \
            (f"line {i} is {line!r}: only lowercase letters and single spaces may remain (each run of non-letters "
             "becomes one space, then strip and lower)")
    total = sum(len(line) for line in lines)
    assert total == 170580, f"the lines hold {total:,} characters in all, expected 170,580"
    differ = next((i for i, (a, b) in enumerate(zip(lines, expected)) if a != b), None)
    assert differ is None and len(lines) == len(expected), \
        f"line {differ} is {lines[differ]!r}, expected {expected[differ]!r}"


@check("text_preprocessing.tokenize")
def check_tokenize_matches_reference_and_rejects_unknown(tokenize):
    lines = ["the  time machine", "", "by h g wells "]
    for token in ("word", "char"):
        got, expected = tokenize(lines, token), ref("text_preprocessing.tokenize")(lines, token)
        assert got == expected, f"tokenize({lines!r}, {token!r}) gave {got}, expected {expected}"
    try:
        result = tokenize(lines, "sentence")
    except ValueError:
        return
    raise AssertionError(f"tokenize(lines, 'sentence') returned {result!r}: an unknown token type must raise "
                         "ValueError (printing an error lets the mistake go on unnoticed)")


@check("text_preprocessing.count_corpus")
def check_count_corpus_flat_empty_and_tuples(count_corpus):
    cases = [(["the", "time", "the"], {"the": 2, "time": 1}), ([], {}),
             ([("a", "b"), ("b", "c"), ("a", "b")], {("a", "b"): 2, ("b", "c"): 1})]
    for tokens, expected in cases:
        got = count_corpus(tokens)
        assert isinstance(got, collections.Counter), \
            f"count_corpus should return a collections.Counter, got {type_name(got)}"
        assert dict(got) == expected, f"count_corpus({tokens!r}) gave {dict(got)}, expected {expected}: " \
                                      "a 1-D list is counted as it is, a list of lists is flattened first"


@check("text_preprocessing.Vocab", points=2)
def check_Vocab_order_reserved_min_freq(Vocab):
    tokens = [["b", "a", "c", "a"], ["c", "d", "b"], ["e"]]
    vocab = Vocab(tokens)
    assert vocab.idx_to_token == ["<unk>", "b", "a", "c", "d", "e"], \
        (f"Vocab({tokens}).idx_to_token is {vocab.idx_to_token}, expected ['<unk>', 'b', 'a', 'c', 'd', 'e']: "
         "'<unk>' first, then by descending frequency, ties in the order first seen")
    assert vocab.token_freqs == [("b", 2), ("a", 2), ("c", 2), ("d", 1), ("e", 1)], \
        f"token_freqs is {vocab.token_freqs}, expected [('b', 2), ('a', 2), ('c', 2), ('d', 1), ('e', 1)]"
    assert vocab.unk == 0 and vocab["zzz"] == 0, "vocab.unk is 0 and an unknown token maps to it"
    got = vocab[[["a", "zzz"], ["d"]]]
    assert got == [[2, 0], [4]], f"vocab[[['a', 'zzz'], ['d']]] gave {got}, expected [[2, 0], [4]] (nested lists)"
    assert vocab.to_tokens(3) == "c" and vocab.to_tokens([1, 2]) == ["b", "a"], \
        "to_tokens(3) is 'c', to_tokens([1, 2]) ['b', 'a']"
    reserved = Vocab(tokens, reserved_tokens=["<pad>", "a"])
    assert reserved.idx_to_token == ["<unk>", "<pad>", "a", "b", "c", "d", "e"], \
        (f"with reserved_tokens=['<pad>', 'a']: {reserved.idx_to_token}, expected ['<unk>', '<pad>', 'a', 'b', 'c', "
         "'d', 'e'] (reserved tokens right after '<unk>', never twice)")
    for min_freq, expected in ((2, ["<unk>", "b", "a", "c"]), (3, ["<unk>"])):
        got = Vocab(tokens, min_freq=min_freq).idx_to_token
        assert got == expected, \
            f"with min_freq={min_freq}: {got}, expected {expected} (keep tokens seen >= min_freq times)"
    assert len(Vocab()) == 1, "Vocab() with no tokens holds just '<unk>'"


@check("text_preprocessing.Vocab", uses={"load_corpus_time_machine": "text_preprocessing.load_corpus_time_machine"})
def check_Vocab_matches_reference_on_words(Vocab, load_corpus_time_machine):
    tokens = ref("text_preprocessing.tokenize")(ref("text_preprocessing.read_time_machine")(), "word")
    for kwargs in ({"min_freq": 5}, {"reserved_tokens": ["<pad>", "<bos>", "<eos>"]}):
        got, expected = Vocab(tokens, **kwargs), ref("text_preprocessing.Vocab")(tokens, **kwargs)
        differ = next((i for i, (a, b) in enumerate(zip(got.idx_to_token, expected.idx_to_token)) if a != b), None)
        assert differ is None and len(got) == len(expected), \
            (f"Vocab(words of the Time Machine, {kwargs}) differs from the reference: "
             + (f"index {differ} holds {got.idx_to_token[differ]!r}, expected {expected.idx_to_token[differ]!r}"
                if differ is not None else f"{len(got)} tokens, expected {len(expected)}"))
        assert [got[t] for t in expected.idx_to_token[:50]] == list(range(50)), \
            "token_to_idx disagrees with idx_to_token"


@check("text_preprocessing.load_corpus_time_machine")
def check_load_corpus_time_machine_matches_reference(load_corpus_time_machine):
    expected, expected_vocab = ref("text_preprocessing.load_corpus_time_machine")()
    corpus, vocab = load_corpus_time_machine()
    assert vocab.idx_to_token == expected_vocab.idx_to_token, \
        f"the character vocabulary is {vocab.idx_to_token}, expected {expected_vocab.idx_to_token}"
    assert isinstance(corpus, list) and all(type(i) is int for i in corpus[:100]), \
        f"the corpus should be a flat list of ints, got {type_name(corpus)} of {type_name(corpus[0])}"
    assert corpus == expected, "the corpus differs from the reference: every character of every line, lines " \
                               "concatenated, as indices in the vocabulary"
    short, _ = load_corpus_time_machine(1000)
    assert short == expected[:1000], \
        f"load_corpus_time_machine(1000) should keep the first 1,000 tokens, got {len(short)}"


# §8.3 reading long sequences: random functions, checked by their invariants -----------------------

N, B, T = 1000, 4, 7
CORPUS = [(i * 7) % 1009 for i in range(N)]        # distinct values: a token tells its position
POSITION = {v: i for i, v in enumerate(CORPUS)}


def windows(batches, what):
    """Start positions of the rows of every minibatch, after checking X and Y are windows of CORPUS."""
    starts = []
    for k, (X, Y) in enumerate(batches):
        assert_tensor(X, what=f"X of minibatch {k} of {what}", shape=(B, T), dtype=torch.int64)
        assert_tensor(Y, what=f"Y of minibatch {k} of {what}", shape=(B, T), dtype=torch.int64)
        row = []
        for i in range(B):
            p = POSITION.get(int(X[i, 0]))
            assert p is not None and X[i].tolist() == CORPUS[p:p + T], \
                f"row {i} of X in minibatch {k} of {what} is not {T} consecutive tokens of the corpus: {X[i].tolist()}"
            assert Y[i].tolist() == CORPUS[p + 1:p + T + 1], \
                f"row {i} of Y in minibatch {k} of {what} should be X's row shifted by one token: " \
                f"{Y[i].tolist()} vs {CORPUS[p + 1:p + T + 1]}"
            row.append(p)
        starts.append(row)
    return starts


@check("language_model.seq_data_iter_random", points=2)
def check_seq_data_iter_random_disjoint_and_random(seq_data_iter_random):
    what = f"seq_data_iter_random(corpus of {N}, batch_size={B}, num_steps={T})"
    offsets, orders = set(), []
    for _ in range(20):
        starts = [p for row in windows(list(seq_data_iter_random(CORPUS, B, T)), what) for p in row]
        offset = min(starts) % T
        assert len(set(p % T for p in starts)) == 1 and len(set(starts)) == len(starts), \
            f"in one pass of {what} the subsequences overlap (starts {sorted(starts)[:12]}...): cut one partition " \
            "into disjoint windows of num_steps tokens from a random offset"
        expected = ((N - offset - 1) // T) // B
        assert len(starts) == expected * B, \
            f"a pass with offset {offset} should give {expected} minibatches, got {len(starts) // B}"
        offsets.add(offset)
        orders.append(starts)
    assert len(offsets) > 1, \
        f"20 passes all started at offset {offsets.pop()}: draw a random offset in [0, num_steps - 1]"
    assert not all(o == sorted(o) for o in orders), "the subsequences come in corpus order: shuffle them"


@check("language_model.seq_data_iter_sequential", points=2)
def check_seq_data_iter_sequential_adjacent_rows(seq_data_iter_sequential):
    what = f"seq_data_iter_sequential(corpus of {N}, batch_size={B}, num_steps={T})"
    offsets = set()
    for _ in range(20):
        starts = windows(list(seq_data_iter_sequential(CORPUS, B, T)), what)
        assert starts, f"{what} yielded no minibatch"
        for k in range(1, len(starts)):
            assert all(b == a + T for a, b in zip(starts[k - 1], starts[k])), \
                f"rows of minibatch {k} must continue those of minibatch {k - 1} in the corpus: they start at " \
                f"{starts[k]} after {starts[k - 1]}"
        first = starts[0]
        offset, row_length = first[0], first[1] - first[0]
        assert all(b - a == row_length for a, b in zip(first, first[1:])), \
            f"the rows should be {B} equal consecutive blocks of the corpus; they start at {first}"
        assert 0 <= offset <= T, f"the first row starts at {offset}: the offset is drawn from [0, num_steps]"
        assert row_length == (N - offset - 1) // B and len(starts) == row_length // T, \
            f"with offset {offset} each row holds {(N - offset - 1) // B} tokens and a pass " \
            f"{((N - offset - 1) // B) // T} minibatches; got rows of {row_length} and {len(starts)} minibatches"
        offsets.add(offset)
    assert len(offsets) > 1, f"20 passes all started at offset {offsets.pop()}: draw a random offset in [0, num_steps]"


def rows_adjacent(batches):
    return all(torch.equal(b[:, 0], a[:, -1] + 1) for (a, _), (b, _) in zip(batches, batches[1:]))


@check("language_model.SeqDataLoader", uses={"load_corpus_time_machine": "text_preprocessing.load_corpus_time_machine"})
def check_SeqDataLoader_passes_and_iterator(SeqDataLoader, load_corpus_time_machine):
    corpus, _ = load_corpus_time_machine(3000)
    for use_random in (False, True):
        loader = SeqDataLoader(5, 6, use_random, 3000)
        assert loader.corpus == corpus, "SeqDataLoader(..., max_tokens=3000).corpus should be the first 3,000 tokens"
        loader.corpus = list(range(3000))  # positions make adjacency visible
        passes = [list(loader) for _ in range(3)]
        assert all(len(p) >= 90 for p in passes), \
            f"three passes over the loader gave {[len(p) for p in passes]} minibatches: every iter() starts a new pass"
        adjacent = [rows_adjacent(p) for p in passes]
        if use_random:
            assert not all(adjacent), "with use_random_iter=True the minibatches must come from seq_data_iter_random"
        else:
            assert all(adjacent), "with use_random_iter=False the minibatches must come from seq_data_iter_sequential"


@check("language_model.load_data_time_machine")
def check_load_data_time_machine_arguments(load_data_time_machine):
    for use_random in (False, True):
        data_iter, vocab = load_data_time_machine(4, 5, use_random_iter=use_random)
        assert len(data_iter.corpus) == 10000, \
            f"the default max_tokens is 10,000, the corpus has {len(data_iter.corpus):,}"
        assert vocab is data_iter.vocab, "return the loader's own vocabulary"
        data_iter.corpus = list(range(10000))
        assert rows_adjacent(list(data_iter)) != use_random, \
            f"load_data_time_machine(..., use_random_iter={use_random}) should pass use_random_iter on"
    data_iter, _ = load_data_time_machine(4, 5, max_tokens=500)
    assert len(data_iter.corpus) == 500, "max_tokens=500 should give a corpus of 500 tokens"


# §8.5 RNN from scratch ---------------------------------------------------------------------------

@check("rnn_scratch.get_params")
def check_get_params_initialisation(get_params):
    assert_scratch_init(get_params, ("W_xh", "W_hh", "b_h", "W_hq", "b_q"), what="get_params")


@check("rnn_scratch.init_rnn_state")
def check_init_rnn_state_shapes(init_rnn_state, device):
    for batch_size, num_hiddens in ((1, 1), (7, 3)):
        state = init_rnn_state(batch_size, num_hiddens, device)
        assert isinstance(state, tuple) and len(state) == 1, "init_rnn_state returns a 1-tuple (H,)"
        assert_close(state[0], torch.zeros(batch_size, num_hiddens, device=device),
                     what=f"H of init_rnn_state({batch_size}, {num_hiddens}, {device!r})")


def rnn_args(seed, T=5, batch=3, V=7, H=6):
    params = [randn((V, H), seed + 1, scale=0.5), randn((H, H), seed + 2, scale=0.5), randn((H,), seed + 3),
              randn((H, V), seed + 4, scale=0.5), randn((V,), seed + 5)]
    return one_hot_inputs(T, batch, V, seed), randn((batch, H), seed + 6), params


def flat_rnn(rnn):
    """``rnn`` as a function of tensors only: ``(inputs, H, *params) -> (outputs, H)``."""
    def fn(inputs, H, *params):
        outputs, (H_new,) = rnn(inputs, (H,), list(params))
        return outputs, H_new
    return fn


def flat_args(args):
    inputs, H, params = args
    return (inputs, H, *params)


@check("rnn_scratch.rnn", points=2)
def check_rnn_matches_reference(rnn):
    assert_matches_reference(flat_rnn(rnn), flat_rnn(ref("rnn_scratch.rnn")), lambda seed: flat_args(rnn_args(seed)),
                             what="rnn(inputs, (H,), params)", seeds=SEEDS,
                             hint="H = tanh(X W_xh + H W_hh + b_h), Y = H W_hq + b_q at every step; outputs "
                                  "concatenated time-major along dim 0")
    one_step = rnn_args(0, T=1)
    assert_matches_reference(flat_rnn(rnn), flat_rnn(ref("rnn_scratch.rnn")), lambda seed: flat_args(one_step),
                             what="rnn on a single time step", seeds=(0,))

    def outputs_only(*args):
        return flat_rnn(rnn)(*args)[0]
    assert_gradients_match(outputs_only, lambda *a: flat_rnn(ref("rnn_scratch.rnn"))(*a)[0],
                           flat_args(rnn_args(1)), wrt=tuple(range(7)), what="the outputs of rnn")


@check("rnn_scratch.rnn")
def check_rnn_matches_nn_RNN_deep_batch(rnn):
    torch.manual_seed(3)
    layer, linear = nn.RNN(9, 12), nn.Linear(12, 9)
    inputs, H0 = one_hot_inputs(11, 6, 9, 3), randn((1, 6, 12), 4)
    expected, H_n = torch_layer_outputs(layer, linear, inputs, H0)
    outputs, (H,) = rnn(inputs, (H0[0],), scratch_params(layer, linear))
    assert_close(outputs, expected, what="rnn over 11 steps with nn.RNN(9, 12)'s weights")
    assert_close(H, H_n[0], what="the final state of rnn with nn.RNN(9, 12)'s weights")


@check("rnn_scratch.rnn")
def check_rnn_no_builtin(rnn):
    inputs, H, params = rnn_args(0)
    assert_no_forbidden_calls(rnn, inputs, (H,), params, forbidden=RECURRENT_LAYERS, what="rnn")


speed_check("rnn_scratch.rnn", timing_args("ch8.rnn_scratch.get_params", "ch8.rnn_scratch.init_rnn_state"),
            builtin=layer_builtin(nn.RNN), limit=10,
            hint="one matrix product per step for the recurrence; keep Python loops to the time steps (never "
                 "over the examples of a batch)")

# measured: the reference reaches 10.0 (seeds 0-2: 10.02-10.06); the output read before the update, 15.1
RNN_BUDGET = Budget(num_hiddens=64, num_epochs=20, lr=2, threshold=12.5, reference=10.0)


@check("rnn_scratch.rnn", points=3, kind="accuracy",
       uses={"get_params": "rnn_scratch.get_params", "init_rnn_state": "rnn_scratch.init_rnn_state"})
def check_rnn_perplexity(get_params, init_rnn_state, rnn):
    assert_perplexity((get_params, init_rnn_state, rnn), RNN_BUDGET,
                      what="the training perplexity of the character-level RNN built from your get_params, "
                           "init_rnn_state and rnn")


@check("rnn_scratch.RNNModelScratch")
def check_RNNModelScratch_matches_reference(RNNModelScratch):
    pieces = [ref(f"rnn_scratch.{n}") for n in ("get_params", "init_rnn_state", "rnn")]
    torch.manual_seed(0)
    net = RNNModelScratch(10, 6, "cpu", *pieces)
    torch.manual_seed(0)
    expected_net = ref("rnn_scratch.RNNModelScratch")(10, 6, "cpu", *pieces)
    assert len(net.params) == 5 and torch.equal(net.params[0], expected_net.params[0]), \
        "net.params should hold get_params(vocab_size, num_hiddens, device)"
    for dtype in (torch.int64, torch.int32):
        X = randint(0, 10, (3, 4), 1).to(dtype)
        Y, (H,) = net(X, net.begin_state(3, "cpu"))
        Y_ref, (H_ref,) = expected_net(X, expected_net.begin_state(3, "cpu"))
        assert_close(Y, Y_ref, what=f"net(X {str(dtype).removeprefix('torch.')} (3, 4), state)")
        assert_close(H, H_ref, what="the state after net(X, state)")


@check("rnn_scratch.predict_ch8")
def check_predict_ch8_matches_reference(predict_ch8):
    expected_fn = ref("rnn_scratch.predict_ch8")
    for prefix, num_preds in (("time traveller", 10), ("t", 5), ("xy", 0)):
        got = predict_ch8(prefix, num_preds, CountingNet(len(CHARS)), LetterVocab(), "cpu")
        expected = expected_fn(prefix, num_preds, CountingNet(len(CHARS)), LetterVocab(), "cpu")
        assert got == expected, f"predict_ch8({prefix!r}, {num_preds}, counting stand-in net) gave {got!r}, " \
                                f"expected {expected!r}"
    pieces = [ref(f"rnn_scratch.{n}") for n in ("get_params", "init_rnn_state", "rnn")]
    torch.manual_seed(1)
    net = ref("rnn_scratch.RNNModelScratch")(len(CHARS), 32, "cpu", *pieces)
    with torch.no_grad():
        for p in net.params:
            p.normal_(0, 1)
    got, expected = predict_ch8("the", 15, net, LetterVocab(), "cpu"), expected_fn("the", 15, net, LetterVocab(), "cpu")
    assert got == expected, f"predict_ch8('the', 15, a random RNN) gave {got!r}, expected {expected!r}"


class ScratchLike:
    def __init__(self, params):
        self.params = params


def grads_of(params):
    return [p.grad.clone() for p in params]


@check("rnn_scratch.grad_clipping", points=2)
def check_grad_clipping_global_norm(grad_clipping):
    def make(scale):
        params = [torch.zeros(3, requires_grad=True), torch.zeros(2, 2, requires_grad=True)]
        params[0].grad = torch.tensor([1.0, -2.0, 2.0]) * scale    # norm 3
        params[1].grad = torch.tensor([[0.0, 4.0], [0.0, 0.0]]) * scale  # norm 4: both together 5
        return params
    for scale, theta in ((1.0, 1.0), (1.0, 4.5), (0.1, 1.0), (1.0, 5.0)):
        params = make(scale)
        before = grads_of(params)
        grad_clipping(ScratchLike(params), theta)
        factor = min(1.0, theta / (5 * scale))
        for i, (p, g) in enumerate(zip(params, before)):
            assert_close(p.grad, g * factor,
                         what=f"gradient #{i + 1} after grad_clipping with ||g|| = {5 * scale:g}, theta = {theta:g}",
                         hint="one norm over all parameters' gradients together; rescale all by theta / norm only "
                              "when that norm exceeds theta")
    net = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 2))
    net[1].weight.requires_grad_(False)
    net[0].weight.grad, net[0].bias.grad = torch.full((2, 3), 2.0), torch.full((2,), 2.0)   # norm 4 * sqrt(2)
    net[1].weight.grad = torch.full((2, 2), 100.0)   # frozen: not a parameter to clip
    grad_clipping(net, 2.0)
    assert_close(net[0].weight.grad, torch.full((2, 3), 2.0 * 2.0 / (4 * 2 ** 0.5)),
                 what="weight.grad of an nn.Module after grad_clipping(net, 2)",
                 hint="for an nn.Module clip the parameters that require grad (skip those without a gradient)")
    assert_close(net[1].weight.grad, torch.full((2, 2), 100.0), what="the gradient of a frozen parameter")


@check("rnn_scratch.grad_clipping")
def check_grad_clipping_no_builtin(grad_clipping):
    net = nn.Linear(4, 3)
    net.weight.grad, net.bias.grad = torch.ones(3, 4), torch.ones(3)
    assert_no_forbidden_calls(grad_clipping, net, 1.0, what="grad_clipping",
                              forbidden=Forbidden("torch.nn.utils.clip_grad_norm_", functions=(torch._foreach_norm,),
                                                  aten=("_foreach_norm",)))


class RecordingNet(nn.Module):
    """A tiny recurrent model that records the states it is given and how they were made."""

    def __init__(self, vocab_size=5):
        super().__init__()
        self.vocab_size = vocab_size
        self.W = nn.Parameter(torch.full((vocab_size, vocab_size), 0.1))
        self.begun, self.received = 0, []

    def begin_state(self, batch_size, device):
        self.begun += 1
        return (torch.zeros(batch_size, self.vocab_size, device=device),)

    def forward(self, X, state):
        H, = state
        self.received.append((H.detach().clone(), H.grad_fn is None and not H.requires_grad))
        outputs = []
        for x in torch.nn.functional.one_hot(X.T, self.vocab_size).float():
            H = torch.tanh(x @ self.W + H @ self.W)
            outputs.append(H)
        return torch.cat(outputs), (H,)


@check("rnn_scratch.train_epoch_ch8", points=2)
def check_train_epoch_ch8_state_handling(train_epoch_ch8):
    batches = [(randint(0, 5, (3, 4), s), randint(0, 5, (3, 4), s + 10)) for s in range(4)]
    for use_random_iter in (False, True):
        net = RecordingNet()
        train_epoch_ch8(net, batches, nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), 0.1), "cpu",
                        use_random_iter)
        if use_random_iter:
            assert net.begun == 4, f"with use_random_iter=True begin a new state for every minibatch " \
                                   f"(begin_state was called {net.begun} times for 4 minibatches)"
            continue
        assert net.begun == 1, f"with sequential partitioning begin a state only on the first minibatch and carry " \
                               f"it over (begin_state was called {net.begun} times for 4 minibatches)"
        for k, (H, detached) in enumerate(net.received[1:], start=1):
            assert H.abs().sum() > 0 and detached, \
                (f"minibatch {k} should get the previous minibatch's final state, detached from its graph "
                 "(s.detach() for each tensor of the state)")


def epoch_run(epoch_fn, concise, seed=0):
    """One epoch on fixed batches with a loss large enough that clipping matters; returns (ppl, parameters)."""
    torch.manual_seed(seed)
    batches = [(randint(0, 8, (4, 6), s), randint(0, 8, (4, 6), s + 20)) for s in range(5)]
    pieces = [ref(f"rnn_scratch.{n}") for n in ("get_params", "init_rnn_state", "rnn")]
    if concise:
        net = reference("ch8.rnn_concise.RNNModel")(nn.GRU(8, 10), 8)
        updater = torch.optim.SGD(net.parameters(), 0.5)
        params = list(net.parameters())
    else:
        net = ref("rnn_scratch.RNNModelScratch")(8, 10, "cpu", *pieces)
        with torch.no_grad():
            for p in net.params:
                p.mul_(30)
        params = net.params

        def updater(batch_size):
            with torch.no_grad():
                for p in params:
                    p -= 0.5 * p.grad / batch_size
                    p.grad.zero_()

    def loss(y_hat, y):
        return 20 * nn.functional.cross_entropy(y_hat, y, reduction="none")
    with single_thread():
        ppl, _ = epoch_fn(net, batches, loss, updater, "cpu", False)
    return ppl, [p.detach().clone() for p in params]


@check("rnn_scratch.train_epoch_ch8", points=2)
def check_train_epoch_ch8_matches_reference(train_epoch_ch8):
    for concise in (False, True):
        kind = "an nn.GRU model with torch.optim.SGD" if concise else "the scratch RNN with a function updater"
        ppl, params = epoch_run(train_epoch_ch8, concise)
        expected_ppl, expected = epoch_run(ref("rnn_scratch.train_epoch_ch8"), concise)
        for i, (p, e) in enumerate(zip(params, expected)):
            assert_close(p, e, what=f"parameter #{i + 1} after one epoch of {kind}", atol=1e-4, rtol=1e-3,
                         hint="labels Y.T.reshape(-1) (time-major like the outputs), mean loss, backward, "
                              "grad_clipping(net, 1), then the update")
        assert_close(ppl, expected_ppl, what=f"the perplexity returned for one epoch of {kind}", rtol=1e-3,
                     hint="exp(total loss / number of tokens)")


@check("rnn_scratch.train_ch8")
def check_train_ch8_matches_reference(train_ch8):
    pieces = [ref(f"rnn_scratch.{n}") for n in ("get_params", "init_rnn_state", "rnn")]
    for concise in (False, True):
        histories = []
        for train in (train_ch8, ref("rnn_scratch.train_ch8")):
            seed_everything(0)
            train_iter, vocab = ref("language_model.load_data_time_machine")(8, 10, max_tokens=1500)
            net = reference("ch8.rnn_concise.RNNModel")(nn.RNN(28, 16), 28) if concise else \
                ref("rnn_scratch.RNNModelScratch")(28, 16, "cpu", *pieces)
            with contextlib.redirect_stdout(io.StringIO()), single_thread():
                histories.append(train(net, train_iter, vocab, 2, 3, "cpu"))
        got, expected = histories
        kind = "RNNModel(nn.RNN)" if concise else "the scratch RNN"
        assert isinstance(got, list) and len(got) == 3, f"train_ch8 should return the 3 perplexities, got {got!r}"
        assert_close(torch.tensor(got, dtype=torch.float64), torch.tensor(expected, dtype=torch.float64),
                     what=f"the perplexities of 3 epochs of train_ch8 with {kind} (lr 2)", rtol=1e-3,
                     hint="SGD with lr on net.parameters() for an nn.Module, else p -= lr * p.grad on net.params")


@check("rnn_scratch.train_ch8", points=3, kind="accuracy")
def check_train_ch8_perplexity(train_ch8):
    pieces = [ref(f"rnn_scratch.{n}") for n in ("get_params", "init_rnn_state", "rnn")]
    assert_perplexity(pieces, RNN_BUDGET, train_ch8=train_ch8,
                      what="the training perplexity of the reference RNN trained by your train_ch8 (with your "
                           "train_epoch_ch8 and grad_clipping)")


# §8.6 concise RNN --------------------------------------------------------------------------------

LAYERS = {
    "nn.RNN(7, 5)": lambda: nn.RNN(7, 5),
    "nn.GRU(7, 5, num_layers=2)": lambda: nn.GRU(7, 5, num_layers=2),
    "nn.LSTM(7, 5)": lambda: nn.LSTM(7, 5),
    "nn.LSTM(7, 5, num_layers=2, bidirectional=True)": lambda: nn.LSTM(7, 5, num_layers=2, bidirectional=True),
    "nn.GRU(7, 5, bidirectional=True)": lambda: nn.GRU(7, 5, bidirectional=True),
}


@check("rnn_concise.RNNModel", points=2)
def check_RNNModel_matches_reference(RNNModel, device):
    for label, make in LAYERS.items():
        torch.manual_seed(0)
        net, expected = RNNModel(make(), 7).to(device), reference("ch8.rnn_concise.RNNModel")(make(), 7).to(device)
        directions = 2 if "bidirectional" in label else 1
        assert net.num_directions == directions, f"num_directions of RNNModel({label}) should be {directions}"
        layers = 2 if "num_layers=2" in label else 1
        state = net.begin_state(device, batch_size=3)
        for s in as_tuple(state):
            assert_tensor(s, what=f"begin_state(batch_size=3) for {label}", shape=(directions * layers, 3, 5),
                          device=device)
        load_weights_in_order(net, expected, what=f"RNNModel({label}, vocab_size=7)")
        state = tuple(randn(s.shape, i + 1, device=device) for i, s in enumerate(as_tuple(state)))
        state = state if len(state) == 2 else state[0]
        X = randint(0, 7, (3, 4), 0, device=device)
        with torch.no_grad():
            (Y, new_state), (Y_ref, ref_state) = net(X, state), expected(X, state)
        assert_close(Y, Y_ref, what=f"the output of RNNModel({label}, vocab_size=7) with the reference's weights",
                     hint="one-hot X.T (time-major), the layer, then the linear layer on (T * B, hidden) rows")
        for i, (s, r) in enumerate(zip(as_tuple(new_state), as_tuple(ref_state))):
            assert_close(s, r, what=f"the new state #{i + 1} of RNNModel({label}) with the reference's weights")


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)
