"""Chapter 8 (循环神经网络), public checks: the book's examples and the shapes it states."""
import torch
from torch import nn

from autograder.harness import type_name, assert_close, assert_tensor, check, randn, scratch_params


BOOK_TOP_WORDS = [("<unk>", 0), ("the", 1), ("i", 2), ("and", 3), ("of", 4), ("a", 5), ("to", 6), ("was", 7),
                  ("in", 8), ("that", 9)]
CHARS = list(" abcdefghijklmnopqrstuvwxyz")


# §8.2 text preprocessing ------------------------------------------------------------------------

@check("text_preprocessing.read_time_machine")
def check_read_time_machine_book_example(read_time_machine):
    lines = read_time_machine()
    assert isinstance(lines, list), f"read_time_machine() should return a list of lines, got {type_name(lines)}"
    assert len(lines) == 3221, f"the Time Machine has 3,221 lines, read_time_machine() returned {len(lines):,}"
    for i, expected in ((0, "the time machine by h g wells"),
                        (10, "twinkled and his usually pale face was flushed and animated the")):
        assert lines[i] == expected, f"lines[{i}] should be {expected!r}, got {lines[i]!r}"


@check("text_preprocessing.tokenize")
def check_tokenize_book_example(tokenize):
    lines = ["the time machine by h g wells", "", "i"]
    words = tokenize(lines)
    assert words == [["the", "time", "machine", "by", "h", "g", "wells"], [], ["i"]], \
        f"tokenize(lines) (token='word') gave {words}"
    chars = tokenize(["a bc"], "char")
    assert chars == [["a", " ", "b", "c"]], f"tokenize(['a bc'], 'char') gave {chars}, expected [['a', ' ', 'b', 'c']]"


@check("text_preprocessing.count_corpus")
def check_count_corpus_example(count_corpus):
    got = count_corpus([["a", "b", "a"], ["c", "a"]])
    assert dict(got) == {"a": 3, "b": 1, "c": 1}, f"count_corpus([['a', 'b', 'a'], ['c', 'a']]) gave {dict(got)}"


@check("text_preprocessing.Vocab", uses={"read_time_machine": "text_preprocessing.read_time_machine",
                                         "tokenize": "text_preprocessing.tokenize"})
def check_Vocab_book_example(read_time_machine, tokenize, Vocab):
    vocab = Vocab(tokenize(read_time_machine()))
    got = list(vocab.token_to_idx.items())[:10]
    assert got == BOOK_TOP_WORDS, f"the first ten (token, index) pairs of the word vocabulary are {got}, " \
                                  f"the book prints {BOOK_TOP_WORDS}"
    assert len(vocab) == 4580, f"the word vocabulary of the Time Machine has 4,580 tokens, got {len(vocab):,}"
    assert vocab["the"] == 1 and vocab["no-such-word"] == 0, "vocab['the'] is 1 and an unknown word maps to 0"
    assert vocab.to_tokens([1, 2]) == ["the", "i"], f"to_tokens([1, 2]) gave {vocab.to_tokens([1, 2])}"


@check("text_preprocessing.load_corpus_time_machine")
def check_load_corpus_time_machine_book_example(load_corpus_time_machine):
    corpus, vocab = load_corpus_time_machine()
    assert (len(corpus), len(vocab)) == (170580, 28), \
        f"len(corpus), len(vocab) should be (170580, 28) (the book's values), got ({len(corpus)}, {len(vocab)})"


# §8.3 reading long sequences ---------------------------------------------------------------------

def batches_of(iterator, what):
    batches = list(iterator)
    for X, Y in batches:
        assert_tensor(X, what=f"X of {what}", shape=(2, 5), dtype=torch.int64)
        assert_tensor(Y, what=f"Y of {what}", shape=(2, 5), dtype=torch.int64)
        assert torch.equal(Y, X + 1), f"in {what}, Y must be X shifted by one token: X={X.tolist()}, Y={Y.tolist()}"
    return batches


@check("language_model.seq_data_iter_random")
def check_seq_data_iter_random_book_example(seq_data_iter_random):
    batches = batches_of(seq_data_iter_random(list(range(35)), batch_size=2, num_steps=5),
                         "seq_data_iter_random(range(35), batch_size=2, num_steps=5)")
    assert len(batches) == 3, \
        f"over range(35) with batch_size=2, num_steps=5 there are 3 minibatches, got {len(batches)}"
    starts = sorted(int(X[i, 0]) for X, _ in batches for i in range(2))
    assert len(set(s % 5 for s in starts)) == 1 and all(b - a >= 5 for a, b in zip(starts, starts[1:])), \
        f"the subsequences must not overlap (one partition from one random offset); they start at {starts}"


@check("language_model.seq_data_iter_sequential")
def check_seq_data_iter_sequential_book_example(seq_data_iter_sequential):
    batches = batches_of(seq_data_iter_sequential(list(range(35)), batch_size=2, num_steps=5),
                         "seq_data_iter_sequential(range(35), batch_size=2, num_steps=5)")
    assert len(batches) in (2, 3), f"over range(35) there are 2 or 3 minibatches (by the offset), got {len(batches)}"
    for (X, _), (X_next, _) in zip(batches, batches[1:]):
        assert torch.equal(X_next[:, 0], X[:, -1] + 1), \
            f"each row must continue where it stopped in the previous minibatch: {X.tolist()} then {X_next.tolist()}"


@check("language_model.SeqDataLoader")
def check_SeqDataLoader_shapes(SeqDataLoader):
    loader = SeqDataLoader(4, 7, False, 1000)
    assert len(loader.corpus) == 1000 and len(loader.vocab) == 28, \
        (f"SeqDataLoader(4, 7, False, max_tokens=1000): corpus of {len(loader.corpus)} tokens, "
         f"vocab of {len(loader.vocab)} (expected 1,000 and 28)")
    X, Y = next(iter(loader))
    assert_tensor(X, what="X of the first minibatch of SeqDataLoader(4, 7, ...)", shape=(4, 7), dtype=torch.int64)
    assert_tensor(Y, what="Y of the first minibatch", shape=(4, 7), dtype=torch.int64)


@check("language_model.load_data_time_machine")
def check_load_data_time_machine_defaults(load_data_time_machine):
    data_iter, vocab = load_data_time_machine(32, 35)
    assert len(vocab) == 28, f"the character vocabulary has 28 tokens, got {len(vocab)}"
    n = sum(1 for _ in data_iter)
    assert n in (8, 9), f"with the default max_tokens=10000 one pass has 8 minibatches of 32 x 35, got {n}"


# §8.5 RNN from scratch ---------------------------------------------------------------------------

@check("rnn_scratch.get_params")
def check_get_params_shapes(get_params):
    params = get_params(28, 16, "cpu")
    shapes = [tuple(p.shape) for p in params]
    expected = [(28, 16), (16, 16), (16,), (16, 28), (28,)]
    assert shapes == expected, f"get_params(28, 16) shapes (W_xh, W_hh, b_h, W_hq, b_q): {shapes}, expected {expected}"
    assert all(p.requires_grad and p.is_leaf for p in params), "every parameter must be a leaf with requires_grad=True"


@check("rnn_scratch.init_rnn_state")
def check_init_rnn_state_book_example(init_rnn_state):
    state = init_rnn_state(2, 512, "cpu")
    assert isinstance(state, tuple) and len(state) == 1, \
        f"init_rnn_state should return a 1-tuple (H,), got {type_name(state)}" \
        + (f" of length {len(state)}" if isinstance(state, tuple) else "")
    assert_close(state[0], torch.zeros(2, 512), what="H of init_rnn_state(2, 512)")


def torch_rnn(seed, V=6, H=5):
    torch.manual_seed(seed)
    return nn.RNN(V, H), nn.Linear(H, V)


@check("rnn_scratch.rnn")
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


class StandIn:
    """Records what RNNModelScratch passes to its pieces."""

    def __init__(self):
        self.calls = []

    def get_params(self, vocab_size, num_hiddens, device):
        self.calls.append(("get_params", vocab_size, num_hiddens, device))
        return [torch.ones(1)]

    def init_state(self, batch_size, num_hiddens, device):
        self.calls.append(("init_state", batch_size, num_hiddens, device))
        return (torch.zeros(batch_size, num_hiddens),)

    def forward_fn(self, inputs, state, params):
        self.inputs = inputs
        return inputs.reshape(-1, inputs.shape[-1]), state


@check("rnn_scratch.RNNModelScratch")
def check_RNNModelScratch_wiring(RNNModelScratch):
    parts = StandIn()
    net = RNNModelScratch(5, 3, "cpu", parts.get_params, parts.init_state, parts.forward_fn)
    assert parts.calls == [("get_params", 5, 3, "cpu")], f"__init__ should call get_params(5, 3, 'cpu'): {parts.calls}"
    state = net.begin_state(2, "cpu")
    assert parts.calls[-1] == ("init_state", 2, 3, "cpu"), \
        f"begin_state(2, 'cpu') should call init_state(2, num_hiddens=3, 'cpu'), got {parts.calls[-1]}"
    X = torch.tensor([[0, 1, 2, 3], [4, 3, 2, 1]])
    net(X, state)
    assert_tensor(parts.inputs, what="what forward_fn receives for X of shape (2, 4)", shape=(4, 2, 5),
                  dtype=torch.float32)
    assert torch.equal(parts.inputs.argmax(-1), X.T), "forward_fn should get the one-hot encoding of X.T (time-major)"


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


class LetterVocab:
    idx_to_token = CHARS

    def __getitem__(self, token):
        return CHARS.index(token)

    def __len__(self):
        return len(CHARS)


@check("rnn_scratch.predict_ch8")
def check_predict_ch8_warm_up(predict_ch8):
    got = predict_ch8("ab", 3, CountingNet(len(CHARS)), LetterVocab(), "cpu")
    assert got == "abdgk", (f"predict_ch8('ab', 3, net, vocab) with a stand-in net whose state counts the steps "
                            f"(it predicts the input letter moved on by that count) gave {got!r}, expected 'abdgk': "
                            "warm up on the prefix carrying the state, then feed back each prediction")


@check("rnn_scratch.grad_clipping")
def check_grad_clipping_book_formula(grad_clipping):
    net = nn.Linear(2, 1, bias=True)
    net.weight.grad, net.bias.grad = torch.tensor([[3.0, 0.0]]), torch.tensor([4.0])
    grad_clipping(net, 1)
    assert_close(net.weight.grad, torch.tensor([[0.6, 0.0]]), what="weight.grad after grad_clipping(net, 1)",
                 hint="g <- (theta / ||g||) g with ||g|| the norm of all gradients together (here 5)")
    assert_close(net.bias.grad, torch.tensor([0.8]), what="bias.grad after grad_clipping(net, 1)")


@check("rnn_scratch.train_epoch_ch8")
def check_train_epoch_ch8_uniform_model(train_epoch_ch8):
    class Uniform(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.zeros(()))

        def forward(self, X, state):
            return self.w * torch.ones(X.numel(), 10), state

        def begin_state(self, batch_size, device):
            return torch.zeros(batch_size, 1)
    net = Uniform()
    batches = [(torch.randint(0, 10, (4, 5)), torch.randint(0, 10, (4, 5))) for _ in range(3)]
    ppl, speed = train_epoch_ch8(net, batches, nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), 0.1),
                                 "cpu", False)
    assert_close(ppl, 10.0, what="the perplexity of a model predicting a uniform distribution over 10 tokens",
                 rtol=1e-4, hint="perplexity = exp(mean cross-entropy per token)")
    assert speed > 0, f"the second value returned is the speed in tokens per second, got {speed}"


@check("rnn_scratch.train_ch8", uses={"get_params": "rnn_scratch.get_params",
                                      "init_rnn_state": "rnn_scratch.init_rnn_state", "rnn": "rnn_scratch.rnn",
                                      "RNNModelScratch": "rnn_scratch.RNNModelScratch",
                                      "load_data_time_machine": "language_model.load_data_time_machine"})
def check_train_ch8_returns_history(get_params, init_rnn_state, rnn, RNNModelScratch, load_data_time_machine,
                                    train_ch8):
    train_iter, vocab = load_data_time_machine(8, 10, max_tokens=1000)
    net = RNNModelScratch(len(vocab), 16, "cpu", get_params, init_rnn_state, rnn)
    history = train_ch8(net, train_iter, vocab, 1, 3, "cpu")
    assert isinstance(history, list) and len(history) == 3, \
        f"train_ch8(..., num_epochs=3, ...) should return the 3 perplexities of the epochs, got {history!r}"
    assert all(1 < p < 40 for p in history), f"the perplexities should lie between 1 and 28-ish, got {history}"


# §8.6 concise RNN --------------------------------------------------------------------------------

@check("rnn_concise.RNNModel")
def check_RNNModel_book_shapes(RNNModel):
    net = RNNModel(nn.RNN(28, 16), vocab_size=28)
    state = net.begin_state("cpu", batch_size=2)
    assert_tensor(state, what="begin_state('cpu', batch_size=2) for nn.RNN(28, 16)", shape=(1, 2, 16))
    Y, new_state = net(torch.randint(0, 28, (2, 35)), state)
    assert_tensor(Y, what="the output for X of shape (2, 35)", shape=(70, 28))
    assert_tensor(new_state, what="the new state", shape=(1, 2, 16))
    lstm = RNNModel(nn.LSTM(28, 16), vocab_size=28)
    state = lstm.begin_state("cpu", batch_size=3)
    assert isinstance(state, tuple) and len(state) == 2, "for nn.LSTM begin_state returns a pair (H, C)"
    assert_tensor(state[1], what="C of begin_state for nn.LSTM(28, 16), batch_size=3", shape=(1, 3, 16))
