"""Chapter 8 as the book writes it (zh.d2l.ai §8.2-8.6): our own code, in the book's style and habits (printing on a
bad token type, windows stacked with ``torch.tensor``, ``one_hot`` on int64 ids, no ``None``-grad handling, in-place
``detach_``, ``d2l.sgd``, a ``train_ch8`` that prints and returns nothing)."""
import textwrap

from book import BookAnswer
from book.ch3 import ACCUMULATOR
from catalog import variant

# d2l.grad_clipping (§8.5), which the catalog's bug of that name and chapter 9's book answers bring too.
GRAD_CLIPPING = """\
def grad_clipping(net, theta):
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm
"""

# d2l.Vocab (§8.2), which chapter 9's book answer of load_data_nmt brings too
BOOK_VOCAB = textwrap.dedent("""\
    class Vocab:
        def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
            if tokens is None:
                tokens = []
            if reserved_tokens is None:
                reserved_tokens = []
            counter = count_corpus(tokens)
            self.token_freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
            self.unk, uniq_tokens = 0, ['<unk>'] + reserved_tokens
            uniq_tokens += [token for token, freq in self.token_freqs
                            if freq >= min_freq and token not in uniq_tokens]
            self.idx_to_token, self.token_to_idx = [], dict()
            for token in uniq_tokens:
                self.idx_to_token.append(token)
                self.token_to_idx[token] = len(self.idx_to_token) - 1

        def __len__(self):
            return len(self.idx_to_token)

        def __getitem__(self, tokens):
            if not isinstance(tokens, (list, tuple)):
                return self.token_to_idx.get(tokens, self.unk)
            return [self.__getitem__(token) for token in tokens]

        def to_tokens(self, indices):
            if not isinstance(indices, (list, tuple)):
                return self.idx_to_token[indices]
            return [self.idx_to_token[index] for index in indices]
    """)

# the book's rnn (§8.5.3): the loop the catalog's bugs of rnn_scratch.rnn change
BOOK_RNN = textwrap.dedent("""\
    def rnn(inputs, state, params):
        W_xh, W_hh, b_h, W_hq, b_q = params
        H, = state
        outputs = []
        for X in inputs:
            H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
            Y = torch.mm(H, W_hq) + b_q
            outputs.append(Y)
        return torch.cat(outputs, dim=0), (H,)
    """)

ANSWERS = [
    BookAnswer("text_preprocessing.read_time_machine", """
        import io

        def read_time_machine():
            with io.StringIO(read_time_machine_text()) as f:  # the book opens d2l.download('time_machine')
                lines = f.readlines()
            return [re.sub('[^A-Za-z]+', ' ', line).strip().lower() for line in lines]
        """),
    BookAnswer("text_preprocessing.tokenize", """
        def tokenize(lines, token='word'):
            if token == 'word':
                return [line.split() for line in lines]
            elif token == 'char':
                return [list(line) for line in lines]
            else:
                print('error: unknown token type: ' + token)
        """, deviations="rejects_unknown",
        why="the book prints an error for an unknown token type and returns None; our contract raises ValueError"),
    BookAnswer("text_preprocessing.Vocab", BOOK_VOCAB),
    BookAnswer("text_preprocessing.load_corpus_time_machine", """
        def load_corpus_time_machine(max_tokens=-1):
            lines = read_time_machine()
            tokens = tokenize(lines, 'char')
            vocab = Vocab(tokens)
            corpus = [vocab[token] for line in tokens for token in line]
            if max_tokens > 0:
                corpus = corpus[:max_tokens]
            return corpus, vocab
        """),
    BookAnswer("language_model.seq_data_iter_random", """
        def seq_data_iter_random(corpus, batch_size, num_steps):
            corpus = corpus[random.randint(0, num_steps - 1):]
            num_subseqs = (len(corpus) - 1) // num_steps
            initial_indices = list(range(0, num_subseqs * num_steps, num_steps))
            random.shuffle(initial_indices)

            def data(pos):
                return corpus[pos: pos + num_steps]

            num_batches = num_subseqs // batch_size
            for i in range(0, batch_size * num_batches, batch_size):
                initial_indices_per_batch = initial_indices[i: i + batch_size]
                X = [data(j) for j in initial_indices_per_batch]
                Y = [data(j + 1) for j in initial_indices_per_batch]
                yield torch.tensor(X), torch.tensor(Y)
        """, deviations="tensor_corpus",
        why="the book stacks the windows with torch.tensor(list of slices), which fails for a corpus given as a tensor "
            "(our contract accepts a 1-D tensor too)"),
    BookAnswer("language_model.seq_data_iter_sequential", """
        def seq_data_iter_sequential(corpus, batch_size, num_steps):
            offset = random.randint(0, num_steps)
            num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
            Xs = torch.tensor(corpus[offset: offset + num_tokens])
            Ys = torch.tensor(corpus[offset + 1: offset + 1 + num_tokens])
            Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
            num_batches = Xs.shape[1] // num_steps
            for i in range(0, num_steps * num_batches, num_steps):
                X = Xs[:, i: i + num_steps]
                Y = Ys[:, i: i + num_steps]
                yield X, Y
        """),
    BookAnswer("language_model.SeqDataLoader", """
        class SeqDataLoader:
            def __init__(self, batch_size, num_steps, use_random_iter, max_tokens):
                if use_random_iter:
                    self.data_iter_fn = seq_data_iter_random
                else:
                    self.data_iter_fn = seq_data_iter_sequential
                self.corpus, self.vocab = load_corpus_time_machine(max_tokens)
                self.batch_size, self.num_steps = batch_size, num_steps

            def __iter__(self):
                return self.data_iter_fn(self.corpus, self.batch_size, self.num_steps)
        """),
    BookAnswer("rnn_scratch.get_params", """
        def get_params(vocab_size, num_hiddens, device):
            num_inputs = num_outputs = vocab_size

            def normal(shape):
                return torch.randn(size=shape, device=device) * 0.01

            W_xh = normal((num_inputs, num_hiddens))
            W_hh = normal((num_hiddens, num_hiddens))
            b_h = torch.zeros(num_hiddens, device=device)
            W_hq = normal((num_hiddens, num_outputs))
            b_q = torch.zeros(num_outputs, device=device)
            params = [W_xh, W_hh, b_h, W_hq, b_q]
            for param in params:
                param.requires_grad_(True)
            return params
        """),
    BookAnswer("rnn_scratch.rnn", BOOK_RNN),
    BookAnswer("rnn_scratch.RNNModelScratch", """
        class RNNModelScratch:
            def __init__(self, vocab_size, num_hiddens, device, get_params, init_state, forward_fn):
                self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
                self.params = get_params(vocab_size, num_hiddens, device)
                self.init_state, self.forward_fn = init_state, forward_fn

            def __call__(self, X, state):
                X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
                return self.forward_fn(X, state, self.params)

            def begin_state(self, batch_size, device):
                return self.init_state(batch_size, self.num_hiddens, device)
        """, deviations="other_int_dtypes",
        why="the book calls F.one_hot(X.T, ...) on the ids as they come: its data iterators yield int64, and one_hot "
            "rejects int32 (our contract accepts any integer dtype)"),
    BookAnswer("rnn_scratch.predict_ch8", """
        def predict_ch8(prefix, num_preds, net, vocab, device):
            state = net.begin_state(batch_size=1, device=device)
            outputs = [vocab[prefix[0]]]
            get_input = lambda: torch.tensor([outputs[-1]], device=device).reshape((1, 1))
            for y in prefix[1:]:  # warm-up
                _, state = net(get_input(), state)
                outputs.append(vocab[y])
            for _ in range(num_preds):  # predict num_preds steps
                y, state = net(get_input(), state)
                outputs.append(int(y.argmax(dim=1).reshape(1)))
            return ''.join([vocab.idx_to_token[i] for i in outputs])
        """),
    BookAnswer("rnn_scratch.grad_clipping", GRAD_CLIPPING, deviations="skips_missing_gradients",
        why="the book squares every parameter's .grad, so a parameter without a gradient (None) crashes it"),
    # the reference's train_epoch_ch8 with the book's d2l.Accumulator, in-place detach_ and separate .to(device)
    BookAnswer("rnn_scratch.train_epoch_ch8", replace=[
        ("def train_epoch_ch8(", variant(
            ACCUMULATOR, ("class Accumulator:", "class _Accumulator:  # d2l.Accumulator (§3.6)"),
            ("    def reset(self):\n        self.data = [0.0] * len(self.data)\n\n", "")) + "\n\ndef train_epoch_ch8("),
        ("    total_loss, total_tokens = 0.0, 0\n",
         "    metric = _Accumulator(2)  # sum of training loss, number of tokens\n"),
        ("            state = _detached(state)\n",
         "            if isinstance(net, nn.Module) and not isinstance(state, tuple):\n"
         "                state.detach_()\n"
         "            else:\n"
         "                for s in state:\n"
         "                    s.detach_()\n"),
        ("        y = Y.T.reshape(-1).to(device)\n        y_hat, state = net(X.to(device), state)\n",
         "        y = Y.T.reshape(-1)\n        X, y = X.to(device), y.to(device)\n        y_hat, state = net(X, state)\n"),
        ("        total_loss += l.item() * y.numel()\n        total_tokens += y.numel()\n",
         "        metric.add(l * y.numel(), y.numel())\n"),
        ("    return math.exp(total_loss / total_tokens), total_tokens / timer.stop()",
         "    return math.exp(metric[0] / metric[1]), metric[1] / timer.stop()")]),
    BookAnswer("rnn_scratch.train_ch8", """
        def _sgd(params, lr, batch_size):  # d2l.sgd (§3.2)
            with torch.no_grad():
                for param in params:
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()

        def train_ch8(net, train_iter, vocab, lr, num_epochs, device, use_random_iter=False):
            loss = nn.CrossEntropyLoss()
            # (the book plots the perplexity with a d2l.Animator here)
            if isinstance(net, nn.Module):
                updater = torch.optim.SGD(net.parameters(), lr)
            else:
                updater = lambda batch_size: _sgd(net.params, lr, batch_size)
            predict = lambda prefix: predict_ch8(prefix, 50, net, vocab, device)
            for epoch in range(num_epochs):
                ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)
                if (epoch + 1) % 10 == 0:
                    print(predict('time traveller'))
            print(f'perplexity {ppl:.1f}, {speed:.1f} tokens/sec {str(device)}')
            print(predict('time traveller'))
            print(predict('traveller'))
        """, deviations="returns_history",
        why="the book's train_ch8 plots the perplexities and returns nothing; our contract returns them as a list"),
    BookAnswer("rnn_concise.RNNModel", """
        class RNNModel(nn.Module):
            def __init__(self, rnn_layer, vocab_size, **kwargs):
                super(RNNModel, self).__init__(**kwargs)
                self.rnn = rnn_layer
                self.vocab_size = vocab_size
                self.num_hiddens = self.rnn.hidden_size
                if not self.rnn.bidirectional:
                    self.num_directions = 1
                    self.linear = nn.Linear(self.num_hiddens, self.vocab_size)
                else:
                    self.num_directions = 2
                    self.linear = nn.Linear(self.num_hiddens * 2, self.vocab_size)

            def forward(self, inputs, state):
                X = F.one_hot(inputs.T.long(), self.vocab_size)
                X = X.to(torch.float32)
                Y, state = self.rnn(X, state)
                output = self.linear(Y.reshape((-1, Y.shape[-1])))
                return output, state

            def begin_state(self, device, batch_size=1):
                if not isinstance(self.rnn, nn.LSTM):
                    return torch.zeros((self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens),
                                       device=device)
                else:
                    return (torch.zeros((self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens),
                                        device=device),
                            torch.zeros((self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens),
                                        device=device))
        """),
]

NO_BOOK_CODE = {}

# The book's code for these is the reference's, line for line (docstrings and comments aside): the
# references' own runs show that it gets full marks.
BOOK_IS_REFERENCE = (
    "text_preprocessing.count_corpus",
    "language_model.load_data_time_machine",
    "rnn_scratch.init_rnn_state",
)
