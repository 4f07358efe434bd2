"""Chapter 9, 现代循环神经网络 (Modern Recurrent Neural Networks)."""

# The exercises of this chapter, in book order: module.name -> (zh.d2l.ai section, clauses): the clauses of the
# exercise's contract, one property each, every one tested by its own checks (tests/test_contracts.py); the first
# is the main behaviour. Everything else (stubs, checks' ids, the gradebook's columns, notebooks,
# docs/contracts.md) is derived from here.
EXERCISES = {
    "gru.get_params": ("9.1.2", {
        "values": "[W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q] of shapes (V, H), (H, H), (H,) "
                  "per gate, (H, V), (V,): float32 weights from N(0, 0.01²) drawn with torch's global generator in "
                  "this order, zero biases (under a seed, the book's)",
        "grad": "leaf tensors with requires_grad=True",
        "device": "on device",
    }),
    "gru.init_gru_state": ("9.1.2", {
        "values": "a 1-tuple (H,) of float32 zeros (batch_size, num_hiddens)",
        "device": "on device",
    }),
    "gru.gru": ("9.1.2", {
        "values": "the book's GRU equations at every step (the reset gate before W_hh; Z near 1 keeps the old "
                  "state): outputs (T * B, V) time-major and the final (H,) (a character-level GRU built from it "
                  "trains to perplexity 12.5)",
        "gradients": "autograd flows through it: the reference's gradients (and the model trains)",
        "device": "the outputs and the state on the inputs' device",
        "no_builtin": "PyTorch's recurrent layers (nn.GRU, torch.gru_cell, ...) are not used",
        "fast": "one pass over the time steps, a few tensor operations each (no Python loop over the examples, "
                "nothing redone for the whole sequence at every step)",
    }),
    "lstm.get_lstm_params": ("9.2.2", {
        "values": "[W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q] of shapes "
                  "(V, H), (H, H), (H,) per gate, (H, V), (V,): float32 weights from N(0, 0.01²) drawn with "
                  "torch's global generator in this order, zero biases (under a seed, the book's)",
        "grad": "leaf tensors with requires_grad=True",
        "device": "on device",
    }),
    "lstm.init_lstm_state": ("9.2.2", {
        "values": "a pair (H, C) of float32 zeros (batch_size, num_hiddens)",
        "separate": "H and C are two separate tensors (writing into H leaves C as it is)",
        "device": "on device",
    }),
    "lstm.lstm": ("9.2.2", {
        "values": "the LSTM's equations at every step (the cell C carried along): outputs (T * B, V) time-major "
                  "and the final (H, C), as nn.LSTM computes them (a character-level LSTM built from it trains to "
                  "perplexity 13)",
        "gradients": "autograd flows through it: the reference's gradients (and the model trains)",
        "device": "the outputs and the state on the inputs' device",
        "no_builtin": "PyTorch's recurrent layers (nn.LSTM, torch.lstm_cell, ...) are not used",
        "fast": "one pass over the time steps, a few tensor operations each (no Python loop over the examples, "
                "nothing redone for the whole sequence at every step)",
    }),
    "deep_rnn.stacked_rnn": ("9.3", {
        "values": "layer l reads layer l - 1's hidden states: the top layer's states (T, B, h) and every layer's "
                  "final state (L, B, h), as nn.RNN(num_layers=L) computes them",
        "gradients": "autograd flows through it: the reference's gradients",
        "device": "the outputs and the states on the inputs' device",
        "no_builtin": "PyTorch's recurrent layers are not used",
    }),
    "bidirectional.bidirectional_rnn": ("9.4", {
        "values": "a forward and a backward tanh RNN: outputs (T, B, 2h), at step t both states after reading "
                  "step t, and the final states (2, B, h), as nn.RNN(bidirectional=True) computes them",
        "gradients": "autograd flows through it: the reference's gradients",
        "device": "the outputs and the states on the inputs' device",
        "no_builtin": "PyTorch's recurrent layers are not used",
    }),
    "encoder_decoder.Encoder": ("9.6.1", {
        "module": "an nn.Module: a subclass's layers registered after super().__init__() are its parameters, and "
                  "calling it runs its forward",
        "kwargs": "__init__(**kwargs) passes its keyword arguments on to nn.Module",
        "abstract": "the interface's forward raises NotImplementedError",
    }),
    "encoder_decoder.Decoder": ("9.6.2", {
        "module": "an nn.Module: a subclass's layers registered after super().__init__() are its parameters, and "
                  "calling it runs its forward",
        "kwargs": "__init__(**kwargs) passes its keyword arguments on to nn.Module",
        "abstract": "the interface's init_state and forward raise NotImplementedError",
    }),
    "encoder_decoder.EncoderDecoder": ("9.6.3", {
        "values": "forward(enc_X, dec_X) returns decoder(dec_X, decoder.init_state(encoder(enc_X))) unchanged",
        "args": "forward's *args go to the encoder and to decoder.init_state",
        "registered": "the encoder and the decoder are submodules self.encoder and self.decoder",
    }),
    # §9.5, §9.7, §9.8: machine translation, seq2seq, beam search -- (section, clauses of the contract)
    "machine_translation.read_data_nmt": ("9.5.1", {
        "values": "the raw text of d2lkit.read_nmt_text(corpus), unchanged: the generated corpus by default",
    }),
    "machine_translation.preprocess_nmt": ("9.5.1", {
        "values": "no-break spaces (\\u202f, \\xa0) become spaces, the text is lowercased, and a space is inserted "
                  "before each , . ! ? that follows a character other than a space",
    }),
    "machine_translation.tokenize_nmt": ("9.5.2", {
        "values": "(source, target): one list of tokens (split on ' ') per line with exactly two tab-separated "
                  "parts; other lines skipped",
        "num_examples": "only the first num_examples lines are read (the book reads num_examples + 1)",
    }),
    "machine_translation.truncate_pad": ("9.5.4", {
        "values": "a list of length num_steps: the first num_steps items, or the line followed by padding_token",
        "pure": "line is left unchanged (a new list is returned)",
    }),
    "machine_translation.build_array_nmt": ("9.5.4", {
        "values": "(array, valid_len): each line's indices plus <eos>, truncated or padded with <pad> to num_steps, "
                  "an int64 (n, num_steps) tensor; valid_len the int64 count of each row's non-<pad> entries",
    }),
    "machine_translation.load_data_nmt": ("9.5.5", {
        "values": "(data_iter, src_vocab, tgt_vocab): the batches hold build_array_nmt's rows of the first "
                  "num_examples examples, every example once per pass, batch_size at a time",
        "vocab": "each vocabulary is Vocab(tokens, min_freq=2, reserved_tokens=['<pad>', '<bos>', '<eos>']): <unk> "
                 "0, <pad> 1, <bos> 2, <eos> 3, then the tokens seen twice or more by decreasing frequency",
        "shuffle": "each pass goes through the examples in a new random order (the book's load_array shuffles)",
    }),
    "seq2seq.Seq2SeqEncoder": ("9.7.1", {
        "values": "with the same weights, (output (num_steps, batch, num_hiddens), state (num_layers, batch, "
                  "num_hiddens)) are what nn.Embedding then nn.GRU return; extra forward arguments ignored",
        "init": "embedding, rnn created in this order with PyTorch's default initialisation: the same seed gives the "
                "reference's initial weights",
        "dropout": "the GRU's dropout between layers, in training mode only",
    }),
    "seq2seq.Seq2SeqDecoder": ("9.7.2", {
        "values": "with the reference's weights, the logits (batch, num_steps, vocab_size) of forward(X, state): "
                  "the context state[-1] joins each step's embedding (embedding first)",
        "state": "forward returns the GRU's new state, and decoding step by step from the returned states gives the "
                 "reference's outputs",
        "init_state": "init_state(enc_outputs, *args) is the encoder's final state enc_outputs[1]",
        "init": "embedding, rnn, dense created in this order with PyTorch's default initialisation: the same seed "
                "gives the reference's initial weights",
        "dropout": "the GRU's dropout between layers, in training mode only",
    }),
    "seq2seq.MaskedSoftmaxCELoss": ("9.7.3", {
        "values": "(batch,) losses: the cross-entropy at the first valid_len positions of each row, 0 after, "
                  "averaged over all num_steps positions; logits at padded positions change nothing",
        "gradients": "autograd flows to pred: the gradient is the reference's (0 at the padded positions)",
        "device": "the losses are on pred's device (the mask made with device=pred.device)",
    }),
    "seq2seq.train_seq2seq": ("9.7.4", {
        "values": "from the same weights and batches, the trained parameters are the reference's: teacher forcing "
                  "(<bos> + Y[:, :-1]), l.sum().backward(), gradients clipped to norm 1, Adam; a model built from "
                  "your seq2seq pieces learns to translate",
        "init": "net.apply: xavier_uniform_ on the weight of every nn.Linear and the weight matrices of every nn.GRU "
                "before training, nothing else",
        "train_mode": "the model is in training mode while it trains",
        "history": "returns one float per epoch: the summed losses over the number of target tokens",
    }),
    "seq2seq.predict_seq2seq": ("9.7.5", {
        "values": "greedy translation: source + <eos> padded to num_steps, decoding from <bos> one token at a time "
                  "until <eos> or num_steps; the tokens joined by spaces",
        "eval": "net.eval() before translating (no dropout)",
        "attention": "with save_attention_weights, the decoder's attention_weights after every step (<eos> step "
                     "included); an empty list otherwise",
    }),
    "seq2seq.bleu": ("9.7.6", {
        "values": "exp(min(0, 1 - len_label / len_pred)) * prod_n p_n ** (1 / 2 ** n), p_n the clipped n-gram "
                  "precision",
        "short": "a prediction shorter than k tokens scores 0 (the book divides by zero)",
    }),
    "beam_search.beam_search": ("9.8.3", {
        "values": "(translation, score) of the best candidate, the beam keeping the beam_size most likely "
                  "extensions at each step, finished sequences leaving it (alpha = 0: plain log-probabilities); "
                  "beam_size 1 is greedy, a huge beam exhaustive",
        "normalization": "the score is the log-probability over L ** alpha, L counting every token and the <eos>",
        "batched": "one decoder call per step for the whole beam, not one per candidate",
    }),
}
