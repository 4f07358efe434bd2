"""Chapter 8, 循环神经网络 (Recurrent Neural Networks)."""

# The exercises of this chapter, in book order: module.name -> (zh.d2l.ai section, clauses): the clauses of the
# exercise's contract, one property each, every one tested by its own checks (tests/test_contracts.py); the first
# is the main behaviour. Everything else (stubs, checks' ids, the gradebook's columns, notebooks,
# docs/contracts.md) is derived from here.
EXERCISES = {
    "text_preprocessing.read_time_machine": ("8.2.1", {
        "values": "the 3,221 lines of the text: each run of non-letters one space, stripped, lowercased "
                  "(empty lines stay '')",
        "returns": "a list of str",
    }),
    "text_preprocessing.tokenize": ("8.2.2", {
        "values": "one list of tokens per line: 'word' (the default) splits on whitespace, 'char' gives every "
                  "character, spaces included",
        "errors": "any other token type raises ValueError",
    }),
    "text_preprocessing.count_corpus": ("8.2.3", {
        "values": "the count of every token of a list of lists (flattened first)",
        "flat": "a 1-D list (an empty one, tuples as tokens) is counted as it is",
        "returns": "a collections.Counter",
    }),
    "text_preprocessing.Vocab": ("8.2.3", {
        "values": "idx_to_token: '<unk>', then the tokens by descending frequency, ties in first-seen order; "
                  "token_to_idx its inverse",
        "unk": "self.unk is the int 0 (an attribute or property, not a method); an unknown token maps to it",
        "reserved": "reserved_tokens right after '<unk>', in their order, never twice",
        "min_freq": "only tokens seen at least min_freq times get an index",
        "token_freqs": "token_freqs: every (token, count) seen, in that order, before min_freq",
        "getitem": "vocab[list or tuple] is the list of indices, recursively",
        "to_tokens": "to_tokens(index) is a token, to_tokens(list of indices) the list of tokens",
        "len": "len(vocab) counts '<unk>' and the reserved tokens",
        "empty": "tokens=None gives '<unk>' and the reserved tokens only",
    }),
    "text_preprocessing.load_corpus_time_machine": ("8.2.4", {
        "values": "corpus: the index of every character of every line, lines concatenated; vocab: the Vocab of "
                  "the characters (170,580 tokens, 28 in the vocabulary)",
        "max_tokens": "max_tokens > 0 keeps only the first max_tokens indices",
        "returns": "corpus is a flat list of Python ints",
    }),
    "language_model.seq_data_iter_random": ("8.3.4", {
        "values": "(X, Y) of num_steps consecutive tokens, Y shifted by one, (batch_size, num_steps): disjoint "
                  "subsequences from a random offset in [0, num_steps - 1], in random order, "
                  "num_subseqs // batch_size minibatches",
        "seeded": "the book's draws: random.randint for the offset, then random.shuffle of the start positions "
                  "(under random.seed, the book's minibatches)",
        "dtype": "X and Y are int64 tensors",
        "tensor_corpus": "corpus may be a 1-D tensor",
    }),
    "language_model.seq_data_iter_sequential": ("8.3.4", {
        "values": "(X, Y) of num_steps consecutive tokens, Y shifted by one, (batch_size, num_steps): batch_size "
                  "rows of the corpus from a random offset in [0, num_steps], row i of a minibatch continuing "
                  "row i of the previous one",
        "seeded": "the book's draw: random.randint(0, num_steps) for the offset (under random.seed, the book's "
                  "minibatches)",
        "dtype": "X and Y are int64 tensors",
        "tensor_corpus": "corpus may be a 1-D tensor",
    }),
    "language_model.SeqDataLoader": ("8.3.4", {
        "values": "self.corpus, self.vocab = load_corpus_time_machine(max_tokens)",
        "uses": "iter(loader) is this module's seq_data_iter_random (use_random_iter) or seq_data_iter_sequential "
                "on (self.corpus, batch_size, num_steps)",
        "passes": "every iter(loader) starts a fresh pass",
    }),
    "language_model.load_data_time_machine": ("8.3.4", {
        "values": "(data_iter, vocab): SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens) and its "
                  "vocab",
        "defaults": "use_random_iter=False and max_tokens=10000 by default",
    }),
    "rnn_scratch.get_params": ("8.5.2", {
        "values": "[W_xh (V, H), W_hh (H, H), b_h (H,), W_hq (H, V), b_q (V,)]: float32 weights from N(0, 0.01²) "
                  "drawn with torch's global generator in this order, zero biases (under a seed, the book's)",
        "grad": "leaf tensors with requires_grad=True",
        "device": "on device",
    }),
    "rnn_scratch.init_rnn_state": ("8.5.3", {
        "values": "a 1-tuple (H,) of float32 zeros (batch_size, num_hiddens)",
        "device": "on device",
    }),
    "rnn_scratch.rnn": ("8.5.3", {
        "values": "H = tanh(X W_xh + H W_hh + b_h), Y = H W_hq + b_q at every step: outputs (T * B, V) "
                  "time-major and the final (H,), as nn.RNN computes them (a character-level RNN built from it "
                  "trains to perplexity 12.5)",
        "gradients": "autograd flows through it: the reference's gradients (and the model trains)",
        "device": "the outputs and the state on the inputs' device",
        "no_builtin": "PyTorch's recurrent layers (nn.RNN, torch.rnn_tanh, ...) are not used",
        "fast": "one pass over the time steps, a few tensor operations each (no Python loop over the examples, "
                "nothing redone for the whole sequence at every step)",
    }),
    "rnn_scratch.RNNModelScratch": ("8.5.3", {
        "values": "net(X, state) one-hot encodes X.T to float32 (T, B, V) and returns forward_fn(inputs, state, "
                  "self.params) unchanged",
        "params": "__init__ keeps get_params(vocab_size, num_hiddens, device) as self.params",
        "begin_state": "begin_state(batch_size, device) is init_state(batch_size, num_hiddens, device)",
        "int_ids": "token ids of any integer dtype (int32 too) are accepted",
    }),
    "rnn_scratch.predict_ch8": ("8.5.4", {
        "values": "the prefix and num_preds argmax predictions, from net.begin_state(batch_size=1), the state "
                  "warmed up on the prefix and carried along",
        "device": "every input fed to net is a (1, 1) tensor on device",
    }),
    "rnn_scratch.grad_clipping": ("8.5.5", {
        "values": "g <- min(1, theta / ||g||) g with one L2 norm over all the gradients (net.params of a scratch "
                  "model)",
        "module": "for an nn.Module, the parameters that require grad (a frozen one's gradient stays)",
        "none_grads": "parameters whose .grad is None are skipped",
        "no_builtin": "torch.nn.utils.clip_grad_norm_ is not used",
    }),
    "rnn_scratch.train_epoch_ch8": ("8.5.6", {
        "values": "one epoch as the book's (labels Y.T.reshape(-1), mean loss, backward, step after zero_grad); "
                  "returns the perplexity exp(mean loss per token)",
        "counts": "a minibatch's loss counts by its B * T tokens in the perplexity",
        "state": "a new state on the first minibatch (on every one with use_random_iter), else the previous one "
                 "carried over, detached",
        "clipping": "this module's grad_clipping(net, 1) after backward, before the update",
        "updater": "a function updater is called as updater(batch_size=1)",
        "speed": "the second value is the number of tokens processed per second",
        "device": "X, the labels and the state on device",
    }),
    "rnn_scratch.train_ch8": ("8.5.6", {
        "values": "trains with nn.CrossEntropyLoss and SGD at lr (torch.optim.SGD for an nn.Module, else p -= lr * "
                  "p.grad on net.params) for num_epochs epochs (with your train_epoch_ch8 and grad_clipping, a "
                  "scratch RNN trains to perplexity 12.5)",
        "uses": "each epoch is this module's train_epoch_ch8(net, train_iter, loss, updater, device, "
                "use_random_iter)",
        "returns": "returns the list of the epochs' perplexities",
        "prints": "at the end prints the last perplexity and predict_ch8('time traveller', 50, net, vocab, device)",
    }),
    "rnn_concise.RNNModel": ("8.6.2", {
        "values": "forward: one-hot X.T (float32), the layer, self.linear on the (T * B, hidden) rows; returns "
                  "the outputs and the layer's new state (rnn, then linear, registered in that order)",
        "attrs": "attributes rnn, vocab_size, num_hiddens (the layer's hidden_size) and num_directions (2 if "
                 "bidirectional, else 1)",
        "init": "self.linear = nn.Linear(num_hiddens * num_directions, vocab_size) made once in __init__ (under a "
                "seed, the reference's weights)",
        "begin_state": "begin_state(device, batch_size=1): zeros (num_directions * num_layers, batch_size, "
                       "num_hiddens), a pair of them for nn.LSTM",
        "device": "begin_state's zeros are on device",
    }),
}
