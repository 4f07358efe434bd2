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
}
