"""Chapter 8 (循环神经网络), public checks: the book's examples and the shapes it states."""
import math

import torch
import torch.nn.functional as F
from torch import nn

from autograder.harness import assert_close, assert_tensor, check, randn, scratch_params, student_side


BOOK_TOP_WORDS = [("<unk>", 0), ("the", 1), ("i", 2), ("and", 3), ("of", 4), ("a", 5), ("to", 6), ("was", 7),
                  ("in", 8), ("that", 9)]
CHARS = list(" abcdefghijklmnopqrstuvwxyz")


# §8.2 text preprocessing ------------------------------------------------------------------------

@check("text_preprocessing.read_time_machine", clauses="values")
def check_read_time_machine_book_example(read_time_machine):
    lines = list(read_time_machine())
    assert len(lines) == 3221, f"the Time Machine has 3,221 lines, read_time_machine() returned {len(lines):,}"
    for i, expected in ((0, "the time machine by h g wells"),
                        (10, "twinkled and his usually pale face was flushed and animated the")):
        assert lines[i] == expected, f"lines[{i}] should be {expected!r}, got {lines[i]!r}"


@check("text_preprocessing.tokenize", clauses="values")
def check_tokenize_book_example(tokenize):
    lines = ["the time machine by h g wells", "", "i"]
    words = tokenize(lines)
    assert words == [["the", "time", "machine", "by", "h", "g", "wells"], [], ["i"]], \
        f"tokenize(lines) (token='word') gave {words}"
    chars = tokenize(["a bc"], "char")
    assert chars == [["a", " ", "b", "c"]], f"tokenize(['a bc'], 'char') gave {chars}, expected [['a', ' ', 'b', 'c']]"


@check("text_preprocessing.count_corpus", clauses="values")
def check_count_corpus_example(count_corpus):
    got = count_corpus([["a", "b", "a"], ["c", "a"]])
    assert dict(got) == {"a": 3, "b": 1, "c": 1}, f"count_corpus([['a', 'b', 'a'], ['c', 'a']]) gave {dict(got)}"


@check("text_preprocessing.Vocab", clauses="values",
       uses={"read_time_machine": "text_preprocessing.read_time_machine", "tokenize": "text_preprocessing.tokenize"})
def check_Vocab_book_example(read_time_machine, tokenize, Vocab):
    vocab = Vocab(tokenize(read_time_machine()))
    what = "the word vocabulary of the Time Machine (built with your read_time_machine and tokenize)"
    got = list(vocab.token_to_idx.items())[:10]
    assert got == BOOK_TOP_WORDS, f"the first ten (token, index) pairs of {what} are {got}, the book prints " \
                                  f"{BOOK_TOP_WORDS}"
    size = len(vocab.idx_to_token)
    assert size == 4580, f"{what} has 4,580 tokens, got {size:,}"
    assert vocab["the"] == 1 and vocab["time"] == vocab.token_to_idx["time"], "vocab['the'] is 1"


@check("text_preprocessing.load_corpus_time_machine", clauses="values", integration=True)
def check_load_corpus_time_machine_book_example(load_corpus_time_machine):
    corpus, vocab = load_corpus_time_machine()
    assert (len(corpus), len(vocab.idx_to_token)) == (170580, 28), \
        (f"len(corpus), len(vocab) should be (170580, 28) (the book's values), got ({len(corpus)}, "
         f"{len(vocab.idx_to_token)}) (with your read_time_machine, tokenize and Vocab)")


# §8.3 reading long sequences ---------------------------------------------------------------------

def batches_of(iterator, what):
    batches = list(iterator)
    for X, Y in batches:
        assert_tensor(X, what=f"X of {what}", shape=(2, 5))
        assert_tensor(Y, what=f"Y of {what}", shape=(2, 5))
        assert torch.equal(Y, X + 1), f"in {what}, Y must be X shifted by one token: X={X.tolist()}, Y={Y.tolist()}"
    return batches


@check("language_model.seq_data_iter_random", clauses="values")
def check_seq_data_iter_random_book_example(seq_data_iter_random):
    batches = batches_of(seq_data_iter_random(list(range(35)), batch_size=2, num_steps=5),
                         "seq_data_iter_random(range(35), batch_size=2, num_steps=5)")
    assert len(batches) == 3, \
        f"over range(35) with batch_size=2, num_steps=5 there are 3 minibatches, got {len(batches)}"
    starts = sorted(int(X[i, 0]) for X, _ in batches for i in range(2))
    assert len(set(s % 5 for s in starts)) == 1 and all(b - a >= 5 for a, b in zip(starts, starts[1:])), \
        f"the subsequences must not overlap (one partition from one random offset); they start at {starts}"


@check("language_model.seq_data_iter_sequential", clauses="values")
def check_seq_data_iter_sequential_book_example(seq_data_iter_sequential):
    batches = batches_of(seq_data_iter_sequential(list(range(35)), batch_size=2, num_steps=5),
                         "seq_data_iter_sequential(range(35), batch_size=2, num_steps=5)")
    assert len(batches) in (2, 3), f"over range(35) there are 2 or 3 minibatches (by the offset), got {len(batches)}"
    for (X, _), (X_next, _) in zip(batches, batches[1:]):
        assert torch.equal(X_next[:, 0], X[:, -1] + 1), \
            f"each row must continue where it stopped in the previous minibatch: {X.tolist()} then {X_next.tolist()}"


@check("language_model.SeqDataLoader", clauses="values",
       uses={"load_corpus_time_machine": "text_preprocessing.load_corpus_time_machine"})
def check_SeqDataLoader_corpus_and_vocab(SeqDataLoader, load_corpus_time_machine):
    loader = SeqDataLoader(4, 7, False, 1000)
    assert len(loader.corpus) == 1000 and len(loader.vocab.idx_to_token) == 28, \
        (f"SeqDataLoader(4, 7, False, max_tokens=1000): corpus of {len(loader.corpus)} tokens, vocab of "
         f"{len(loader.vocab.idx_to_token)} (expected 1,000 and 28, from your load_corpus_time_machine(1000))")


@check("language_model.load_data_time_machine", clauses="defaults", integration=True)
def check_load_data_time_machine_defaults(load_data_time_machine):
    data_iter, vocab = load_data_time_machine(32, 35)
    assert len(vocab.idx_to_token) == 28, f"the character vocabulary has 28 tokens, got {len(vocab.idx_to_token)}"
    n = sum(1 for _ in data_iter)
    assert n in (8, 9), (f"with the default max_tokens=10000 one pass has 8 minibatches of 32 x 35, got {n} "
                         "(with your SeqDataLoader, load_corpus_time_machine and seq_data_iter_sequential)")


# §8.5 RNN from scratch ---------------------------------------------------------------------------

@check("rnn_scratch.get_params", clauses="values")
def check_get_params_shapes(get_params):
    params = get_params(28, 16, "cpu")
    shapes = [tuple(p.shape) for p in params]
    expected = [(28, 16), (16, 16), (16,), (16, 28), (28,)]
    assert shapes == expected, f"get_params(28, 16) shapes (W_xh, W_hh, b_h, W_hq, b_q): {shapes}, expected {expected}"


@check("rnn_scratch.init_rnn_state", clauses="values")
def check_init_rnn_state_book_example(init_rnn_state):
    state = init_rnn_state(2, 512, "cpu")
    assert isinstance(state, tuple) and len(state) == 1, \
        f"init_rnn_state should return a 1-tuple (H,), got {type(state).__name__}" \
        + (f" of length {len(state)}" if isinstance(state, tuple) else "")
    assert_close(state[0], torch.zeros(2, 512), what="H of init_rnn_state(2, 512)")


def torch_rnn(seed, V=6, H=5):
    torch.manual_seed(seed)
    return nn.RNN(V, H), nn.Linear(H, V)


@check("rnn_scratch.rnn", clauses="values")
def check_rnn_matches_nn_RNN(rnn):
    layer, linear = torch_rnn(0)
    inputs, H0 = randn((4, 3, 6), 1), randn((3, 5), 2)
    with torch.no_grad():
        Y, H_n = layer(inputs, H0[None])
        expected = linear(Y).reshape(-1, 6)
    outputs, state = rnn(inputs, (H0,), scratch_params(layer, linear))
    assert_close(outputs, expected, what="rnn(inputs (4, 3, 6), (H,), params) with nn.RNN's weights",
                 hint="outputs are (T * B, V): all rows of step 0, then of step 1, ... (torch.cat along dim 0)")
    assert isinstance(state, tuple) and len(state) == 1, f"rnn should return the state as a 1-tuple (H,), got {state!r}"
    assert_close(state[0], H_n[0], what="the final H of rnn with nn.RNN's weights")


def _scratch_model_call(RNNModelScratch):
    """Student side: what RNNModelScratch hands its forward_fn, with stand-in pieces."""
    seen = {}

    def get_params(vocab_size, num_hiddens, device):
        return [torch.ones(vocab_size, num_hiddens)]

    def init_state(batch_size, num_hiddens, device):
        return (torch.zeros(batch_size, num_hiddens),)

    def forward_fn(inputs, state, params):
        seen["inputs"] = inputs
        return inputs.reshape(-1, inputs.shape[-1]), state
    net = RNNModelScratch(5, 3, "cpu", get_params, init_state, forward_fn)
    Y, _ = net(torch.tensor([[0, 1, 2, 3], [4, 3, 2, 1]]), (torch.zeros(2, 3),))
    return seen.get("inputs"), Y


@check("rnn_scratch.RNNModelScratch", clauses="values")
def check_RNNModelScratch_one_hot_inputs(RNNModelScratch):
    X = torch.tensor([[0, 1, 2, 3], [4, 3, 2, 1]])
    inputs, Y = student_side(_scratch_model_call, RNNModelScratch)
    assert_tensor(inputs, what="what forward_fn receives for X of shape (2, 4), vocab_size 5", shape=(4, 2, 5),
                  dtype=torch.float32)
    assert torch.equal(inputs, F.one_hot(X.T, 5).float()), \
        "forward_fn should get the one-hot encoding of X.T (time-major), as float32"
    assert_close(Y, inputs.reshape(-1, 5), what="net(X, state): what forward_fn returned, unchanged")


class CountingNet:
    """A stand-in language model over a vocabulary of letters: the state counts the steps taken, and the
    prediction is the input's letter moved on by that count."""

    def __init__(self, vocab_size):
        self.vocab_size = vocab_size

    def begin_state(self, batch_size, device):
        return (torch.zeros(batch_size, 1, device=device),)

    def __call__(self, X, state):
        steps = state[0] + 1
        target = (X.reshape(-1) + steps.reshape(-1).long()) % self.vocab_size
        return torch.nn.functional.one_hot(target, self.vocab_size).float(), (steps,)


class TokenIndex:
    """Check code: §8.2's ``Vocab`` interface over the tokens given, in that order: ``vocab[token]`` (a token it
    does not hold is index 0) or ``vocab[list]``, ``vocab.to_tokens(indices)``, ``len(vocab)``, ``idx_to_token``."""

    def __init__(self, idx_to_token):
        self.idx_to_token = list(idx_to_token)
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}
        self.unk = 0

    def __len__(self):
        return len(self.token_to_idx)      # the tokens are distinct

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, self.unk)
        return [self[t] for t in tokens]

    def to_tokens(self, indices):
        if not isinstance(indices, (list, tuple)):
            return self.idx_to_token[int(indices)]
        return [self.idx_to_token[int(i)] for i in indices]


class StandInVocab(TokenIndex):
    """The book's ``Vocab`` (§8.2) as check code: ``<unk>`` 0, the reserved tokens, then the tokens seen at least
    ``min_freq`` times by decreasing count (``tokens`` a list of tokens or of lines of tokens)."""

    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        import collections
        tokens = tokens or []
        if len(tokens) and isinstance(tokens[0], (list, tuple)):
            tokens = [t for line in tokens for t in line]
        self.token_freqs = sorted(collections.Counter(tokens).items(), key=lambda kv: kv[1], reverse=True)
        idx_to_token = ["<unk>"] + list(reserved_tokens or [])
        idx_to_token += [t for t, f in self.token_freqs if f >= min_freq and t not in idx_to_token]
        super().__init__(idx_to_token)


class LetterVocab:
    idx_to_token = CHARS

    def __getitem__(self, token):
        return CHARS.index(token)

    def __len__(self):
        return len(CHARS)


@check("rnn_scratch.predict_ch8", clauses="values")
def check_predict_ch8_warm_up(predict_ch8):
    got = predict_ch8("ab", 3, CountingNet(len(CHARS)), LetterVocab(), "cpu")
    assert got == "abdgk", (f"predict_ch8('ab', 3, net, vocab) with a stand-in net whose state counts the steps "
                            f"(it predicts the input letter moved on by that count) gave {got!r}, expected 'abdgk': "
                            "warm up on the prefix carrying the state, then feed back each prediction")


class ScratchLike:
    """A scratch model's parameters (``net.params``), nothing else."""

    def __init__(self, params):
        self.params = params


@check("rnn_scratch.grad_clipping", clauses="values")
def check_grad_clipping_book_formula(grad_clipping):
    w, b = torch.zeros(1, 2, requires_grad=True), torch.zeros(1, requires_grad=True)
    w.grad, b.grad = torch.tensor([[3.0, 0.0]]), torch.tensor([4.0])
    grad_clipping(ScratchLike([w, b]), 1)
    assert_close(w.grad, torch.tensor([[0.6, 0.0]]), what="W.grad after grad_clipping(net, 1)",
                 hint="g <- (theta / ||g||) g with ||g|| the norm of all gradients together (here 5)")
    assert_close(b.grad, torch.tensor([0.8]), what="b.grad after grad_clipping(net, 1)")


class Uniform(nn.Module):
    """Predicts the uniform distribution over 10 tokens, whatever it is given."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(()))

    def forward(self, X, state):
        return self.w * torch.ones(X.numel(), 10), state

    def begin_state(self, batch_size, device):
        return torch.zeros(batch_size, 1, device=device)


@check("rnn_scratch.train_epoch_ch8", clauses="values", integration=True)
def check_train_epoch_ch8_uniform_model(train_epoch_ch8):
    net = Uniform()
    batches = [(torch.randint(0, 10, (4, 5)), torch.randint(0, 10, (4, 5))) for _ in range(3)]
    ppl, _ = train_epoch_ch8(net, batches, nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), 0.1),
                             "cpu", False)
    assert_close(ppl, 10.0, what="the perplexity of a model predicting a uniform distribution over 10 tokens "
                 "(with your grad_clipping)", rtol=1e-4, hint="perplexity = exp(mean cross-entropy per token)")


class Bigram:
    """A scratch-style model (``params``, ``begin_state``, call) that predicts the next token from the current one."""

    def __init__(self, vocab_size):
        self.vocab_size = vocab_size
        self.params = [torch.zeros(vocab_size, vocab_size, requires_grad=True)]

    def begin_state(self, batch_size, device):
        return (torch.zeros(batch_size, 1, device=device),)

    def __call__(self, X, state):
        return self.params[0][X.T.reshape(-1)], state


def cyclic_batches(vocab_size=len(CHARS), period=10, batch_size=4, num_steps=10, n=24):
    """Minibatches of a corpus that repeats its first ``period`` letters: each token tells the next one."""
    corpus = [1 + i % period for i in range(batch_size * num_steps * n + 1)]
    data = torch.tensor(corpus)
    Xs = data[:-1].reshape(n, batch_size, num_steps)
    Ys = data[1:].reshape(n, batch_size, num_steps)
    return [(X, Y) for X, Y in zip(Xs, Ys)]


def _train_bigram(train_ch8, batches, epochs, lr):
    import contextlib
    import io
    net = Bigram(len(CHARS))
    with contextlib.redirect_stdout(io.StringIO()):
        train_ch8(net, batches, LetterVocab(), lr, epochs, "cpu")
    return net.params[0].detach()


@check("rnn_scratch.train_ch8", clauses="values", integration=True)
def check_train_ch8_learns_a_cycle(train_ch8):
    batches = cyclic_batches()
    W = student_side(_train_bigram, train_ch8, batches, 2, 2.0)
    assert_tensor(W, what="the bigram model's weights after train_ch8", shape=(len(CHARS), len(CHARS)))
    loss = sum(float(F.cross_entropy(W[X.T.reshape(-1)], Y.T.reshape(-1), reduction="sum")) for X, Y in batches)
    ppl = math.exp(loss / sum(Y.numel() for _, Y in batches))
    assert ppl < 2, (f"a bigram model trained by train_ch8 (2 epochs, lr 2, with your train_epoch_ch8, grad_clipping "
                     f"and predict_ch8) on text that repeats 'abcdefghij' has perplexity {ppl:.3g}, untrained 27: it "
                     "should learn each letter's successor (below 2; the reference reaches 1.19)")


# §8.6 concise RNN --------------------------------------------------------------------------------

@check("rnn_concise.RNNModel", clauses="values")
def check_RNNModel_book_shapes(RNNModel):
    net = RNNModel(nn.RNN(28, 16), vocab_size=28)
    Y, new_state = net(torch.randint(0, 28, (2, 35)), torch.zeros(1, 2, 16))
    assert_tensor(Y, what="the output of RNNModel(nn.RNN(28, 16), 28) for X of shape (2, 35)", shape=(70, 28))
    assert_tensor(new_state, what="the new state", shape=(1, 2, 16))
    lstm = RNNModel(nn.LSTM(28, 16), vocab_size=28)
    Y, (H, C) = lstm(torch.randint(0, 28, (3, 5)), (torch.zeros(1, 3, 16), torch.zeros(1, 3, 16)))
    assert_tensor(Y, what="the output of RNNModel(nn.LSTM(28, 16), 28) for X of shape (3, 5)", shape=(15, 28))
    assert_tensor(C, what="C of its new state", shape=(1, 3, 16))
    gru = RNNModel(nn.GRU(28, 16, bidirectional=True), vocab_size=28)
    Y, state = gru(torch.randint(0, 28, (3, 5)), torch.zeros(2, 3, 16))
    assert_tensor(Y, what="the output of RNNModel(nn.GRU(28, 16, bidirectional=True), 28) for X of shape (3, 5) (the "
                          "linear layer reads both directions: 2 * 16 features)", shape=(15, 28))
