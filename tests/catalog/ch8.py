"""Chapter 8: realistic wrong implementations, and the checks that must catch them. A bug with ``clause=`` breaks
that one clause of the contract: the checks that fail on it are exactly ``caught_by``."""
from book.ch8 import BOOK_RNN, GRAD_CLIPPING
from catalog import Bug, variant

VOCAB_BUILD = '''        self.idx_to_token = ["<unk>"] + list(reserved_tokens or [])
        self.idx_to_token += [token for token, freq in self.token_freqs
                              if freq >= min_freq and token not in self.idx_to_token]
'''

# mistakes in the book's loops over the time steps that rnn, and chapter 9's gru and lstm, share
DETACHED_WEIGHTS = ("= params\n", "= [p.detach() for p in params]\n")
RANDN_ON_CPU = ("        return torch.randn(shape, device=device) * 0.01\n", "        return torch.randn(shape) * 0.01\n")
LIST_AT_EVERY_STEP = ("    for X in inputs:\n", "    for t in range(len(inputs)):\n        X = list(inputs)[t]\n")

ZERO_STATE = "return (torch.zeros((batch_size, num_hiddens), device=device),)"


def zero_state_bugs(exercise, values_check):
    """The bugs of a 1-tuple of zeros as the initial state: init_rnn_state's, and chapter 9's init_gru_state's."""
    return [
        Bug(exercise, "a tensor instead of a 1-tuple", replace=[
            (ZERO_STATE, "return torch.zeros((batch_size, num_hiddens), device=device)")],
            caught_by=(values_check, "shapes"), clause="values"),
        Bug(exercise, "shape (num_hiddens, batch_size)", replace=[
            (ZERO_STATE, "return (torch.zeros((num_hiddens, batch_size), device=device),)")],
            caught_by=(values_check, "shapes"), clause="values"),
        Bug(exercise, "zeros on the CPU whatever the device", replace=[
            (ZERO_STATE, "return (torch.zeros((batch_size, num_hiddens)),)")],
            caught_by="on_device", clause="device"),
    ]


BUGS = [
    # §8.2 text preprocessing
    Bug("text_preprocessing.read_time_machine", "not lowercased", """
        def read_time_machine():
            return [re.sub("[^A-Za-z]+", " ", line).strip() for line in read_time_machine_text().splitlines()]
        """, caught_by=("book_example", "clean_lines"), clause="values"),
    Bug("text_preprocessing.read_time_machine", "each non-letter becomes its own space (no +)", """
        def read_time_machine():
            return [re.sub("[^A-Za-z]", " ", line).strip().lower() for line in read_time_machine_text().splitlines()]
        """, caught_by=("book_example", "clean_lines"), clause="values"),
    Bug("text_preprocessing.read_time_machine", "lines not stripped", """
        def read_time_machine():
            return [re.sub("[^A-Za-z]+", " ", line).lower() for line in read_time_machine_text().splitlines()]
        """, caught_by="clean_lines"),
    Bug("text_preprocessing.read_time_machine", "a tuple of lines", """
        def read_time_machine():
            return tuple(re.sub("[^A-Za-z]+", " ", line).strip().lower()
                         for line in read_time_machine_text().splitlines())
        """, caught_by="returns_a_list", clause="returns"),
    Bug("text_preprocessing.tokenize", "prints an error for an unknown token type (the book's code)", """
        def tokenize(lines, token="word"):
            if token == "word":
                return [line.split() for line in lines]
            if token == "char":
                return [list(line) for line in lines]
            print("error: unknown token type: " + token)
        """, caught_by="rejects_unknown", clause="errors"),
    Bug("text_preprocessing.tokenize", "anything but 'char' splits into words", """
        def tokenize(lines, token="word"):
            if token == "char":
                return [list(line) for line in lines]
            return [line.split() for line in lines]
        """, caught_by="rejects_unknown", clause="errors"),
    Bug("text_preprocessing.tokenize", "words split on single spaces", """
        def tokenize(lines, token="word"):
            if token == "word":
                return [line.split(" ") for line in lines]
            if token == "char":
                return [list(line) for line in lines]
            raise ValueError(token)
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("text_preprocessing.tokenize", "spaces dropped from character tokens", """
        def tokenize(lines, token="word"):
            if token == "word":
                return [line.split() for line in lines]
            if token == "char":
                return [list(line.replace(" ", "")) for line in lines]
            raise ValueError(token)
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("text_preprocessing.count_corpus", "always flattens, so a 1-D list of words is counted by letter", """
        def count_corpus(tokens):
            return collections.Counter(token for line in tokens for token in line)
        """, caught_by="flat_empty_and_tuples", clause="flat"),
    Bug("text_preprocessing.count_corpus", "tokens[0] looked at before checking for an empty list", """
        def count_corpus(tokens):
            if isinstance(tokens[0], list):
                tokens = [token for line in tokens for token in line]
            return collections.Counter(tokens)
        """, caught_by="flat_empty_and_tuples", clause="flat"),
    Bug("text_preprocessing.count_corpus", "counts the lines, not the tokens", """
        def count_corpus(tokens):
            return collections.Counter(tuple(line) if isinstance(line, list) else line for line in tokens)
        """, caught_by=("example", "matches_reference"), clause="values"),
    Bug("text_preprocessing.count_corpus", "a plain dict of counts", """
        def count_corpus(tokens):
            if len(tokens) == 0 or isinstance(tokens[0], list):
                tokens = [token for line in tokens for token in line]
            return dict(collections.Counter(tokens))
        """, caught_by="returns_a_counter", clause="returns"),
    Bug("text_preprocessing.Vocab", "tokens sorted alphabetically", """
        class Vocab(Vocab):
            def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                super().__init__(tokens, min_freq, reserved_tokens)
                rest = sorted(self.idx_to_token[1 + len(reserved_tokens or []):])
                self.idx_to_token = self.idx_to_token[:1 + len(reserved_tokens or [])] + rest
                self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("text_preprocessing.Vocab", "'<unk>' last", """
        class Vocab(Vocab):
            def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                super().__init__(tokens, min_freq, reserved_tokens)
                self.idx_to_token = self.idx_to_token[1:] + ["<unk>"]
                self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}
                self.unk = len(self.idx_to_token) - 1
        """, caught_by=("book_example", "matches_reference", "unknown_token"), clause="values"),
    Bug("text_preprocessing.Vocab", "min_freq off by one (freq > min_freq)", """
        class Vocab(Vocab):
            def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                super().__init__(tokens, min_freq + 1, reserved_tokens)
        """, caught_by="min_freq", clause="min_freq"),
    Bug("text_preprocessing.Vocab", "ties broken alphabetically", """
        class Vocab(Vocab):
            def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                super().__init__(tokens, min_freq, reserved_tokens)
                self.token_freqs = sorted(self.token_freqs, key=lambda item: (-item[1], item[0]))
                head = self.idx_to_token[:1 + len(reserved_tokens or [])]
                self.idx_to_token = head + [t for t, f in self.token_freqs if f >= min_freq and t not in head]
                self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}
        """, caught_by=("matches_reference", "token_freqs", "min_freq")),
    Bug("text_preprocessing.Vocab", "nested lists not handled in __getitem__", """
        class Vocab(Vocab):
            def __getitem__(self, tokens):
                if not isinstance(tokens, (list, tuple)):
                    return self.token_to_idx.get(tokens, self.unk)
                return [self.token_to_idx.get(token, self.unk) for token in tokens]
        """, caught_by="lists_of_tokens", clause="getitem"),
    Bug("text_preprocessing.Vocab", "unk written as a method instead of a property", replace=[
        ("        self.unk = 0\n", ""),
        ('''    def __len__(self):
        """The number''', '''    def unk(self):
        return 0

    def __len__(self):
        """The number''')], caught_by="unknown_token", clause="unk"),
    Bug("text_preprocessing.Vocab", "reserved tokens put after the counted ones", replace=[(VOCAB_BUILD, '''\
        self.idx_to_token = ["<unk>"] + [token for token, freq in self.token_freqs if freq >= min_freq]
        self.idx_to_token += [t for t in (reserved_tokens or []) if t not in self.idx_to_token]
''')], caught_by="reserved_tokens", clause="reserved"),
    Bug("text_preprocessing.Vocab", "token_freqs only of the tokens kept by min_freq", """
        class Vocab(Vocab):
            def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
                super().__init__(tokens, min_freq, reserved_tokens)
                self.token_freqs = [(t, f) for t, f in self.token_freqs if f >= min_freq]
        """, caught_by="token_freqs", clause="token_freqs"),
    Bug("text_preprocessing.Vocab", "to_tokens handles lists only", """
        class Vocab(Vocab):
            def to_tokens(self, indices):
                return [self.idx_to_token[index] for index in indices]
        """, caught_by="to_tokens", clause="to_tokens"),
    Bug("text_preprocessing.Vocab", "len counts the tokens seen, not the vocabulary", """
        class Vocab(Vocab):
            def __len__(self):
                return len(self.token_freqs)
        """, caught_by="len", clause="len"),
    Bug("text_preprocessing.Vocab", "tokens=None handed to count_corpus", replace=[
        ("        counter = count_corpus(tokens or [])", "        counter = count_corpus(tokens)")],
        caught_by="without_tokens", clause="empty"),
    Bug("text_preprocessing.load_corpus_time_machine", "word tokens instead of characters", """
        def load_corpus_time_machine(max_tokens=-1):
            tokens = tokenize(read_time_machine(), "word")
            vocab = Vocab(tokens)
            corpus = [vocab[token] for line in tokens for token in line]
            return (corpus[:max_tokens] if max_tokens > 0 else corpus), vocab
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("text_preprocessing.load_corpus_time_machine", "max_tokens ignored", """
        def load_corpus_time_machine(max_tokens=-1):
            tokens = tokenize(read_time_machine(), "char")
            vocab = Vocab(tokens)
            return [vocab[token] for line in tokens for token in line], vocab
        """, caught_by="max_tokens", clause="max_tokens"),
    Bug("text_preprocessing.load_corpus_time_machine", "max_tokens=0 keeps nothing", replace=[
        ("    if max_tokens > 0:\n", "    if max_tokens >= 0:\n")], caught_by="max_tokens", clause="max_tokens"),
    Bug("text_preprocessing.load_corpus_time_machine", "corpus returned as a tensor", """
        import torch

        def load_corpus_time_machine(max_tokens=-1):
            tokens = tokenize(read_time_machine(), "char")
            vocab = Vocab(tokens)
            corpus = torch.tensor([vocab[token] for line in tokens for token in line])
            return (corpus[:max_tokens] if max_tokens > 0 else corpus), vocab
        """, caught_by="returns_ints", clause="returns"),
    # §8.3 reading long sequences
    Bug("language_model.seq_data_iter_random", "windows sampled anywhere, so they overlap", """
        def seq_data_iter_random(corpus, batch_size, num_steps):
            data = torch.as_tensor(corpus)
            num_batches = (len(corpus) - 1) // num_steps // batch_size
            for _ in range(num_batches):
                starts = torch.tensor(random.sample(range(len(corpus) - num_steps), batch_size))
                index = starts[:, None] + torch.arange(num_steps)
                yield data[index], data[index + 1]
        """, caught_by=("book_example", "disjoint_and_random"), clause="values"),
    Bug("language_model.seq_data_iter_random", "no random offset", """
        def seq_data_iter_random(corpus, batch_size, num_steps):
            num_subseqs = (len(corpus) - 1) // num_steps
            starts = list(range(0, num_subseqs * num_steps, num_steps))
            random.shuffle(starts)
            data = torch.as_tensor(corpus)
            for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
                index = torch.tensor(starts[i:i + batch_size])[:, None] + torch.arange(num_steps)
                yield data[index], data[index + 1]
        """, caught_by="disjoint_and_random"),
    Bug("language_model.seq_data_iter_random", "labels are the inputs (no shift)", """
        def seq_data_iter_random(corpus, batch_size, num_steps):
            offset = random.randint(0, num_steps - 1)
            num_subseqs = (len(corpus) - offset - 1) // num_steps
            starts = list(range(offset, offset + num_subseqs * num_steps, num_steps))
            random.shuffle(starts)
            data = torch.as_tensor(corpus)
            for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
                index = torch.tensor(starts[i:i + batch_size])[:, None] + torch.arange(num_steps)
                yield data[index], data[index]
        """, caught_by=("book_example", "disjoint_and_random"), clause="values"),
    Bug("language_model.seq_data_iter_random", "the order drawn with torch.randperm, not random.shuffle", replace=[
        ("    random.shuffle(starts)\n", "    starts = [starts[i] for i in torch.randperm(len(starts)).tolist()]\n")],
        caught_by="book_draws", clause="seeded"),
    Bug("language_model.seq_data_iter_random", "int32 minibatches", replace=[
        ("    data, window = torch.as_tensor(corpus, dtype=torch.int64)",
         "    data, window = torch.as_tensor(corpus, dtype=torch.int32)")],
        caught_by="int64", clause="dtype"),
    Bug("language_model.seq_data_iter_random", "windows sliced from the corpus and stacked with torch.tensor", """
        def seq_data_iter_random(corpus, batch_size, num_steps):
            corpus = corpus[random.randint(0, num_steps - 1):]
            num_subseqs = (len(corpus) - 1) // num_steps
            starts = list(range(0, num_subseqs * num_steps, num_steps))
            random.shuffle(starts)
            for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
                batch = starts[i:i + batch_size]
                yield torch.tensor([corpus[j:j + num_steps] for j in batch]), \\
                    torch.tensor([corpus[j + 1:j + 1 + num_steps] for j in batch])
        """, caught_by="tensor_corpus", clause="tensor_corpus"),
    Bug("language_model.seq_data_iter_sequential", "every minibatch from a fresh random offset (rows restart)", """
        def seq_data_iter_sequential(corpus, batch_size, num_steps):
            data = torch.as_tensor(corpus)
            num_batches = ((len(corpus) - 1) // batch_size) // num_steps
            for _ in range(num_batches):
                offset = random.randint(0, num_steps)
                Xs = data[offset:offset + batch_size * num_steps].reshape(batch_size, num_steps)
                Ys = data[offset + 1:offset + 1 + batch_size * num_steps].reshape(batch_size, num_steps)
                yield Xs, Ys
        """, caught_by=("book_example", "adjacent_rows"), clause="values"),
    Bug("language_model.seq_data_iter_sequential", "rows interleaved (reshape(-1, batch_size).T)", """
        def seq_data_iter_sequential(corpus, batch_size, num_steps):
            offset = random.randint(0, num_steps)
            num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
            data = torch.as_tensor(corpus)
            Xs = data[offset:offset + num_tokens].reshape(-1, batch_size).T
            Ys = data[offset + 1:offset + 1 + num_tokens].reshape(-1, batch_size).T
            for i in range(0, num_steps * (Xs.shape[1] // num_steps), num_steps):
                yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps]
        """, caught_by=("book_example", "adjacent_rows"), clause="values"),
    Bug("language_model.seq_data_iter_sequential", "no random offset", """
        def seq_data_iter_sequential(corpus, batch_size, num_steps):
            num_tokens = ((len(corpus) - 1) // batch_size) * batch_size
            data = torch.as_tensor(corpus)
            Xs = data[:num_tokens].reshape(batch_size, -1)
            Ys = data[1:1 + num_tokens].reshape(batch_size, -1)
            for i in range(0, num_steps * (Xs.shape[1] // num_steps), num_steps):
                yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps]
        """, caught_by="adjacent_rows"),
    Bug("language_model.seq_data_iter_sequential", "the offset drawn with torch.randint", replace=[
        ("    offset = random.randint(0, num_steps)\n", "    offset = int(torch.randint(0, num_steps + 1, ()))\n")],
        caught_by="book_draws", clause="seeded"),
    Bug("language_model.seq_data_iter_sequential", "int32 minibatches", replace=[
        ("    data = torch.as_tensor(corpus, dtype=torch.int64)\n    Xs",
         "    data = torch.as_tensor(corpus, dtype=torch.int32)\n    Xs")], caught_by="int64", clause="dtype"),
    Bug("language_model.seq_data_iter_sequential", "rows sliced from the corpus and stacked with torch.tensor", """
        def seq_data_iter_sequential(corpus, batch_size, num_steps):
            offset = random.randint(0, num_steps)
            length = (len(corpus) - offset - 1) // batch_size
            Xs = torch.tensor([corpus[offset + i * length:offset + (i + 1) * length] for i in range(batch_size)])
            Ys = torch.tensor([corpus[offset + 1 + i * length:offset + 1 + (i + 1) * length]
                               for i in range(batch_size)])
            for i in range(0, num_steps * (length // num_steps), num_steps):
                yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps]
        """, caught_by="tensor_corpus", clause="tensor_corpus"),
    Bug("language_model.SeqDataLoader", "one generator made in __init__, so only one pass", """
        class SeqDataLoader(SeqDataLoader):
            def __init__(self, batch_size, num_steps, use_random_iter, max_tokens):
                super().__init__(batch_size, num_steps, use_random_iter, max_tokens)
                self.corpus_ = None

            def __iter__(self):
                if self.corpus_ is None:
                    self.corpus_ = self.data_iter_fn(self.corpus, self.batch_size, self.num_steps)
                return self.corpus_
        """, caught_by="fresh_passes", clause="passes"),
    Bug("language_model.SeqDataLoader", "use_random_iter the wrong way round", """
        class SeqDataLoader(SeqDataLoader):
            def __init__(self, batch_size, num_steps, use_random_iter, max_tokens):
                super().__init__(batch_size, num_steps, not use_random_iter, max_tokens)
        """, caught_by="uses_the_samplers", clause="uses"),
    Bug("language_model.SeqDataLoader", "batch_size and num_steps swapped", """
        class SeqDataLoader(SeqDataLoader):
            def __init__(self, batch_size, num_steps, use_random_iter, max_tokens):
                super().__init__(num_steps, batch_size, use_random_iter, max_tokens)
        """, caught_by="uses_the_samplers", clause="uses"),
    Bug("language_model.SeqDataLoader", "the whole corpus, whatever max_tokens", replace=[
        ("        self.corpus, self.vocab = load_corpus_time_machine(max_tokens)",
         "        self.corpus, self.vocab = load_corpus_time_machine()")],
        caught_by=("corpus_and_vocab", "corpus_from_max_tokens"), clause="values"),
    Bug("language_model.load_data_time_machine", "the whole corpus by default (max_tokens=-1)", """
        def load_data_time_machine(batch_size, num_steps, use_random_iter=False, max_tokens=-1):
            data_iter = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens)
            return data_iter, data_iter.vocab
        """, caught_by=("defaults", "default_arguments"), clause="defaults"),
    Bug("language_model.load_data_time_machine", "random sampling by default", """
        def load_data_time_machine(batch_size, num_steps, use_random_iter=True, max_tokens=10000):
            data_iter = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens)
            return data_iter, data_iter.vocab
        """, caught_by="default_arguments"),
    Bug("language_model.load_data_time_machine", "use_random_iter not passed on", """
        def load_data_time_machine(batch_size, num_steps, use_random_iter=False, max_tokens=10000):
            data_iter = SeqDataLoader(batch_size, num_steps, False, max_tokens)
            return data_iter, data_iter.vocab
        """, caught_by="arguments", clause="values"),
    # §8.5 RNN from scratch
    Bug("rnn_scratch.get_params", "weights from N(0, 1) (the 0.01 forgotten)", """
        def get_params(vocab_size, num_hiddens, device):
            params = [torch.randn(vocab_size, num_hiddens), torch.randn(num_hiddens, num_hiddens),
                      torch.zeros(num_hiddens), torch.randn(num_hiddens, vocab_size), torch.zeros(vocab_size)]
            return [p.to(device).requires_grad_(True) for p in params]
        """, caught_by="initialisation"),
    Bug("rnn_scratch.get_params", "W_xh transposed", """
        def get_params(vocab_size, num_hiddens, device):
            params = [torch.randn(num_hiddens, vocab_size) * 0.01, torch.randn(num_hiddens, num_hiddens) * 0.01,
                      torch.zeros(num_hiddens), torch.randn(num_hiddens, vocab_size) * 0.01, torch.zeros(vocab_size)]
            return [p.to(device).requires_grad_(True) for p in params]
        """, caught_by=("shapes", "initialisation"), clause="values"),
    Bug("rnn_scratch.get_params", "requires_grad set before scaling (non-leaf tensors)", """
        def get_params(vocab_size, num_hiddens, device):
            def normal(shape):
                return torch.randn(shape, device=device, requires_grad=True) * 0.01
            return [normal((vocab_size, num_hiddens)), normal((num_hiddens, num_hiddens)),
                    torch.zeros(num_hiddens, device=device, requires_grad=True), normal((num_hiddens, vocab_size)),
                    torch.zeros(vocab_size, device=device, requires_grad=True)]
        """, caught_by="leaves_with_grad", clause="grad"),
    Bug("rnn_scratch.get_params", "biases drawn at random too", """
        def get_params(vocab_size, num_hiddens, device):
            def normal(shape):
                return torch.randn(shape, device=device) * 0.01
            params = [normal((vocab_size, num_hiddens)), normal((num_hiddens, num_hiddens)), normal((num_hiddens,)),
                      normal((num_hiddens, vocab_size)), normal((vocab_size,))]
            return [p.requires_grad_(True) for p in params]
        """, caught_by="initialisation"),
    Bug("rnn_scratch.get_params", "made on the CPU whatever the device", replace=[RANDN_ON_CPU],
        caught_by="on_device", clause="device"),
    *zero_state_bugs("rnn_scratch.init_rnn_state", "book_example"),
    # the bugs of rnn: the book's loop (tests/book/ch8.py) with one mistake
    Bug("rnn_scratch.rnn", "outputs concatenated batch-major", variant(
        BOOK_RNN, ("torch.cat(outputs, dim=0)", "torch.stack(outputs, dim=1).reshape(-1, W_hq.shape[1])")),
        caught_by=("matches_nn_RNN", "matches_reference", "matches_nn_RNN_deep_batch", "speed"), clause="values"),
    Bug("rnn_scratch.rnn", "the output read from the state before the update", variant(BOOK_RNN, (
        "        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)\n        Y = torch.mm(H, W_hq) + b_q\n",
        "        Y = torch.mm(H, W_hq) + b_q\n        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)\n")),
        caught_by=("matches_nn_RNN", "matches_reference", "perplexity"), clause="values"),
    Bug("rnn_scratch.rnn", "ReLU instead of tanh", variant(BOOK_RNN, ("torch.tanh(", "torch.relu(")),
        caught_by=("matches_nn_RNN", "matches_reference")),
    Bug("rnn_scratch.rnn", "a return inside the time loop", variant(
        BOOK_RNN, ("    return torch.cat", "        return torch.cat")),
        caught_by=("matches_nn_RNN", "matches_reference", "matches_nn_RNN_deep_batch", "perplexity"),
        clause="values"),
    Bug("rnn_scratch.rnn", "the state never updated", variant(
        BOOK_RNN, ("H = torch.tanh(", "H_new = torch.tanh("), ("torch.mm(H, W_hq)", "torch.mm(H_new, W_hq)")),
        caught_by=("matches_nn_RNN", "matches_reference", "matches_nn_RNN_deep_batch")),
    Bug("rnn_scratch.rnn", "the weights detached: no gradient reaches them", variant(BOOK_RNN, DETACHED_WEIGHTS),
        caught_by=("gradients", "perplexity"), clause="gradients"),
    # (not grown step by step with torch.cat: that is quadratic in the steps, at the speed limit on some machines)
    Bug("rnn_scratch.rnn", "the outputs concatenated after an empty tensor made on the CPU", variant(
        BOOK_RNN, ("outputs = []", "outputs = [torch.empty(0, W_hq.shape[1])]"),
        ("torch.cat(outputs, dim=0)", "torch.cat(outputs)")),
        caught_by="on_device", clause="device"),
    Bug("rnn_scratch.rnn", "nn.RNN's kernel called through torch.rnn_tanh", """
        def rnn(inputs, state, params):
            W_xh, W_hh, b_h, W_hq, b_q = params
            H, = state
            Y, H_n = torch.rnn_tanh(inputs, H[None], [W_xh.T, W_hh.T, b_h, torch.zeros_like(b_h)], True, 1, 0.0,
                                    False, False, False)
            return Y.reshape(-1, Y.shape[-1]) @ W_hq + b_q, (H_n[0],)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("rnn_scratch.rnn", "a Python loop over the examples of the batch at every step", variant(BOOK_RNN, (
        "H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)",
        "H = torch.stack([torch.tanh(x @ W_xh + h @ W_hh + b_h) for x, h in zip(X, H)])")),
        caught_by="speed"),
    Bug("rnn_scratch.rnn", "the whole sequence turned into a list at every step", variant(BOOK_RNN, LIST_AT_EVERY_STEP),
        caught_by="speed", clause="fast"),
    Bug("rnn_scratch.RNNModelScratch", "X one-hot encoded without transposing (batch-major)", """
        class RNNModelScratch(RNNModelScratch):
            def __call__(self, X, state):
                return self.forward_fn(F.one_hot(X.long(), self.vocab_size).float(), state, self.params)
        """, caught_by=("one_hot_inputs", "passes_through"), clause="values"),
    Bug("rnn_scratch.RNNModelScratch", "one-hot left as int64", """
        class RNNModelScratch(RNNModelScratch):
            def __call__(self, X, state):
                return self.forward_fn(F.one_hot(X.T.long(), self.vocab_size), state, self.params)
        """, caught_by=("one_hot_inputs", "passes_through"), clause="values"),
    Bug("rnn_scratch.RNNModelScratch", "begin_state passes num_hiddens as the batch size", """
        class RNNModelScratch(RNNModelScratch):
            def begin_state(self, batch_size, device):
                return self.init_state(self.num_hiddens, batch_size, device)
        """, caught_by="begin_state", clause="begin_state"),
    Bug("rnn_scratch.RNNModelScratch", "get_params called with the sizes swapped", replace=[
        ("        self.params = get_params(vocab_size, num_hiddens, device)",
         "        self.params = get_params(num_hiddens, vocab_size, device)")],
        caught_by="keeps_params", clause="params"),
    Bug("rnn_scratch.RNNModelScratch", "int32 token ids passed to F.one_hot as they are (the book's code)", """
        class RNNModelScratch(RNNModelScratch):
            def __call__(self, X, state):
                return self.forward_fn(F.one_hot(X.T, self.vocab_size).type(torch.float32), state, self.params)
        """, caught_by="other_int_dtypes", clause="int_ids"),
    Bug("rnn_scratch.predict_ch8", "no warm-up: the state restarts for every character", replace=[
        ("            _, state = net(torch.tensor([[outputs[-1]]], device=device), state)\n", ""),
        ("        for _ in range(num_preds):\n",
         "        for _ in range(num_preds):\n            state = net.begin_state(batch_size=1, device=device)\n")],
        caught_by=("warm_up", "matches_reference"), clause="values"),
    Bug("rnn_scratch.predict_ch8", "predictions during warm-up replace the prefix", replace=[
        ("        for y in prefix[1:]:\n            _, state = net(torch.tensor([[outputs[-1]]], device=device), state)\n"
         "            outputs.append(vocab[y])\n        for _ in range(num_preds):\n",
         "        for _ in range(len(prefix) - 1 + num_preds):\n")],
        caught_by="matches_reference"),
    Bug("rnn_scratch.predict_ch8", "one prediction too few", replace=[
        ("for _ in range(num_preds):", "for _ in range(num_preds - 1):")],
        caught_by=("warm_up", "matches_reference"), clause="values"),
    Bug("rnn_scratch.predict_ch8", "inputs made on the CPU", replace=[
        ("_, state = net(torch.tensor([[outputs[-1]]], device=device), state)",
         "_, state = net(torch.tensor([[outputs[-1]]]), state)"),
        ("y, state = net(torch.tensor([[outputs[-1]]], device=device), state)",
         "y, state = net(torch.tensor([[outputs[-1]]]), state)")],
        caught_by="inputs_on_device", clause="device"),
    Bug("rnn_scratch.grad_clipping", "each parameter clipped by its own norm", """
        def grad_clipping(net, theta):
            params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) else net.params
            for p in params:
                if p.grad is not None and p.grad.norm() > theta:
                    p.grad.mul_(theta / p.grad.norm())
        """, caught_by=("book_formula", "global_norm"), clause="values"),
    Bug("rnn_scratch.grad_clipping", "always rescaled to norm theta", """
        def grad_clipping(net, theta):
            params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) else net.params
            grads = [p.grad for p in params if p.grad is not None]
            norm = torch.sqrt(sum((g ** 2).sum() for g in grads))
            for g in grads:
                g.mul_(theta / norm)
        """, caught_by="global_norm"),
    Bug("rnn_scratch.grad_clipping", "clipped by value (clamp) instead of by norm", """
        def grad_clipping(net, theta):
            params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) else net.params
            for p in params:
                if p.grad is not None:
                    p.grad.clamp_(-theta, theta)
        """, caught_by=("book_formula", "global_norm"), clause="values"),
    Bug("rnn_scratch.grad_clipping", "torch.nn.utils.clip_grad_norm_", """
        def grad_clipping(net, theta):
            params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) else net.params
            torch.nn.utils.clip_grad_norm_(params, theta)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("rnn_scratch.grad_clipping", "every parameter of an nn.Module, frozen ones too", replace=[
        ("    params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) else net.params",
         "    params = list(net.parameters()) if isinstance(net, nn.Module) else net.params")],
        caught_by="module_parameters", clause="module"),
    Bug("rnn_scratch.grad_clipping", "a parameter whose .grad is None crashes (the book's code)", GRAD_CLIPPING, caught_by="skips_missing_gradients", clause="none_grads"),
    Bug("rnn_scratch.train_epoch_ch8", "state never detached",
        replace=[("            state = _detached(state)\n", "            pass\n")], caught_by="state_handling",
        clause="state"),
    Bug("rnn_scratch.train_epoch_ch8", "state reset on every minibatch, also for sequential partitioning",
        replace=[("        if state is None or use_random_iter:", "        if True:")], caught_by="state_handling",
        clause="state"),
    Bug("rnn_scratch.train_epoch_ch8", "the perplexity not exponentiated (the mean loss)", replace=[
        ("    return math.exp(total_loss / total_tokens), total_tokens / timer.stop()",
         "    return total_loss / total_tokens, total_tokens / timer.stop()")],
        caught_by=("uniform_model", "matches_reference"), clause="values"),
    Bug("rnn_scratch.train_epoch_ch8", "labels batch-major (Y.reshape(-1))", replace=[(
        "        y = Y.T.reshape(-1).to(device)", "        y = Y.reshape(-1).to(device)")],
        caught_by="matches_reference"),
    Bug("rnn_scratch.train_epoch_ch8", "gradients not clipped", replace=[
        ("            l.backward()\n            grad_clipping(net, 1)\n            updater.step()",
         "            l.backward()\n            updater.step()"),
        ("            l.backward()\n            grad_clipping(net, 1)\n            updater(batch_size=1)",
         "            l.backward()\n            updater(batch_size=1)")],
        caught_by="clips_gradients", clause="clipping"),
    Bug("rnn_scratch.train_epoch_ch8", "clipped after the update", replace=[
        ("            l.backward()\n            grad_clipping(net, 1)\n            updater.step()",
         "            l.backward()\n            updater.step()\n            grad_clipping(net, 1)")],
        caught_by="clips_gradients", clause="clipping"),
    Bug("rnn_scratch.train_epoch_ch8", "perplexity averaged over minibatches of exp(loss)", replace=[
        ("        total_loss += l.item() * y.numel()\n        total_tokens += y.numel()\n",
         "        total_loss += math.exp(l.item())\n        total_tokens += 1\n"),
        ("    return math.exp(total_loss / total_tokens), total_tokens / timer.stop()",
         "    return total_loss / total_tokens, 0.0")],
        caught_by=("matches_reference", "tokens_per_second")),
    Bug("rnn_scratch.train_epoch_ch8", "a minibatch's loss weighed by its sequences, not its tokens", replace=[
        ("    total_loss, total_tokens = 0.0, 0\n", "    total_loss, total_tokens, rows = 0.0, 0, 0\n"),
        ("        total_loss += l.item() * y.numel()\n",
         "        total_loss += l.item() * X.shape[0]\n        rows += X.shape[0]\n"),
        ("    return math.exp(total_loss / total_tokens), total_tokens / timer.stop()",
         "    return math.exp(total_loss / rows), total_tokens / timer.stop()")],
        caught_by="counts_tokens", clause="counts"),
    Bug("rnn_scratch.train_epoch_ch8", "a function updater given the batch size", replace=[
        ("            updater(batch_size=1)  # the loss is already a mean",
         "            updater(batch_size=X.shape[0])")],
        caught_by="function_updater", clause="updater"),
    Bug("rnn_scratch.train_epoch_ch8", "the speed is the epoch's seconds", replace=[
        ("    return math.exp(total_loss / total_tokens), total_tokens / timer.stop()",
         "    return math.exp(total_loss / total_tokens), timer.stop()")],
        caught_by="tokens_per_second", clause="speed"),
    Bug("rnn_scratch.train_epoch_ch8", "X not moved to the device", replace=[
        ("        y_hat, state = net(X.to(device), state)", "        y_hat, state = net(X, state)")],
        caught_by="on_device", clause="device"),
    Bug("rnn_scratch.train_ch8", "gradients of the scratch model never zeroed", replace=[
        ("                    param.grad.zero_()\n", "")],
        caught_by=("matches_reference", "perplexity")),
    Bug("rnn_scratch.train_ch8", "the learning rate divided by the batch size", replace=[
        ("updater = torch.optim.SGD(net.parameters(), lr)", "updater = torch.optim.SGD(net.parameters(), lr / 32)"),
        ("param -= lr * param.grad / batch_size", "param -= lr / 32 * param.grad")],
        caught_by=("matches_reference", "perplexity", "learns_a_cycle"), clause="values"),
    Bug("rnn_scratch.train_ch8", "only the last perplexity returned", replace=[
        ("    return history\n", "    return history[-1]\n")], caught_by="returns_history", clause="returns"),
    Bug("rnn_scratch.train_ch8", "use_random_iter not passed on to the epochs", replace=[
        ("        ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)",
         "        ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, False)")],
        caught_by="calls_train_epoch_ch8", clause="uses"),
    Bug("rnn_scratch.train_ch8", "prints nothing at the end", replace=[
        ('''    print(f"perplexity {history[-1]:.1f}, {speed:.1f} tokens/sec on {device}")
    print(predict_ch8("time traveller", 50, net, vocab, device))
''', "")], caught_by="prints_a_prediction", clause="prints"),
    # §8.6 concise RNN
    Bug("rnn_concise.RNNModel", "num_directions ignores bidirectional", """
        class RNNModel(RNNModel):
            def __init__(self, rnn_layer, vocab_size, **kwargs):
                super().__init__(rnn_layer, vocab_size, **kwargs)
                self.num_directions = 1
                self.linear = nn.Linear(self.num_hiddens, self.vocab_size)
        """, caught_by=("book_shapes", "matches_reference", "attributes"), clause="values"),
    Bug("rnn_concise.RNNModel", "begin_state forgets the number of layers", """
        class RNNModel(RNNModel):
            def begin_state(self, device, batch_size=1):
                shape = (self.num_directions, batch_size, self.num_hiddens)
                if isinstance(self.rnn, nn.LSTM):
                    return torch.zeros(shape, device=device), torch.zeros(shape, device=device)
                return torch.zeros(shape, device=device)
        """, caught_by="begin_state", clause="begin_state"),
    Bug("rnn_concise.RNNModel", "inputs one-hot encoded batch-major", """
        class RNNModel(RNNModel):
            def forward(self, inputs, state):
                X = F.one_hot(inputs.long(), self.vocab_size).float().transpose(0, 1).contiguous()
                Y, state = self.rnn(X, state)
                return self.linear(Y.transpose(0, 1).reshape(-1, Y.shape[-1])), state
        """, caught_by="matches_reference"),
    Bug("rnn_concise.RNNModel", "LSTM's begin_state a single tensor", """
        class RNNModel(RNNModel):
            def begin_state(self, device, batch_size=1):
                return torch.zeros((self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens),
                                   device=device)
        """, caught_by="begin_state", clause="begin_state"),
    Bug("rnn_concise.RNNModel", "the sizes kept inside, not as attributes", """
        class RNNModel(nn.Module):
            def __init__(self, rnn_layer, vocab_size, **kwargs):
                super().__init__(**kwargs)
                self.rnn = rnn_layer
                self.vocab = vocab_size
                self.linear = nn.Linear(rnn_layer.hidden_size * (2 if rnn_layer.bidirectional else 1), vocab_size)

            def forward(self, inputs, state):
                Y, state = self.rnn(F.one_hot(inputs.T.long(), self.vocab).to(torch.float32), state)
                return self.linear(Y.reshape(-1, Y.shape[-1])), state

            def begin_state(self, device, batch_size=1):
                shape = ((2 if self.rnn.bidirectional else 1) * self.rnn.num_layers, batch_size, self.rnn.hidden_size)
                if isinstance(self.rnn, nn.LSTM):
                    return torch.zeros(shape, device=device), torch.zeros(shape, device=device)
                return torch.zeros(shape, device=device)
        """, caught_by="attributes", clause="attrs"),
    Bug("rnn_concise.RNNModel", "a linear layer for one direction drawn, then replaced for two", replace=[
        ("        self.linear = nn.Linear(self.num_hiddens * self.num_directions, self.vocab_size)",
         "        self.linear = nn.Linear(self.num_hiddens, self.vocab_size)\n"
         "        if self.num_directions == 2:\n"
         "            self.linear = nn.Linear(self.num_hiddens * 2, self.vocab_size)")],
        caught_by="initialisation", clause="init"),
    Bug("rnn_concise.RNNModel", "begin_state's zeros made on the CPU", """
        class RNNModel(RNNModel):
            def begin_state(self, device, batch_size=1):
                shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
                if isinstance(self.rnn, nn.LSTM):
                    return torch.zeros(shape), torch.zeros(shape)
                return torch.zeros(shape)
        """, caught_by="begin_state_on_device", clause="device"),
]
