"""Chapter 9: realistic wrong implementations, and the checks that must catch them. A bug with ``clause=`` breaks
that one clause of the contract: the checks that fail on it are exactly ``caught_by``."""
from book.ch9 import BOOK_GRU, BOOK_LSTM, BOOK_NUM_EXAMPLES
from catalog import Bug, created_first, variant
from catalog.ch8 import DETACHED_WEIGHTS, LIST_AT_EVERY_STEP, RANDN_ON_CPU, zero_state_bugs

# the outputs of gru's and lstm's loops grown from a tensor made on the CPU
GROWN_ON_CPU = [("outputs = []", "outputs = torch.empty(0, W_hq.shape[1])"),
                ("outputs.append(Y)", "outputs = torch.cat([outputs, Y])"),
                ("return torch.cat(outputs, dim=0), ", "return outputs, ")]


def parameter_bugs(exercise, *more_on_cpu):
    """The bugs that get_params and get_lstm_params share (the same code with three or four gates)."""
    return [
        Bug(exercise, "weights from N(0, 1)", replace=[
            ("        return torch.randn(shape, device=device) * 0.01\n",
             "        return torch.randn(shape, device=device)\n")],
            caught_by="initialisation"),
        Bug(exercise, "parameters do not require grad", replace=[
            ("    for param in params:\n        param.requires_grad_(True)\n    return params", "    return params")],
            caught_by="leaves_with_grad", clause="grad"),
        Bug(exercise, "made on the CPU whatever the device", replace=[
            RANDN_ON_CPU,
            ("            torch.zeros(num_hiddens, device=device)\n", "            torch.zeros(num_hiddens)\n"), *more_on_cpu],
            caught_by="on_device", clause="device"),
    ]


BUGS = [
    # §9.1 GRU
    *parameter_bugs("gru.get_params"),
    Bug("gru.get_params", "the output layer forgotten", replace=[
        ("params = [*three(), *three(), *three(), normal((num_hiddens, vocab_size)), "
         "torch.zeros(vocab_size, device=device)]", "params = [*three(), *three(), *three()]")],
        caught_by=("shapes", "initialisation"), clause="values"),
    *zero_state_bugs("gru.init_gru_state", "zeros"),
    # the bugs of gru and lstm: the book's loops (tests/book/ch9.py) with one mistake
    Bug("gru.gru", "update gate used the wrong way round", variant(
        BOOK_GRU, ("H = Z * H + (1 - Z) * H_tilda", "H = (1 - Z) * H + Z * H_tilda")),
        caught_by=("matches_nn_GRU_where_equal", "matches_reference", "matches_nn_GRU_long", "speed")),
    Bug("gru.gru", "reset gate applied after the product, as in PyTorch (R * (H W_hh))", variant(
        BOOK_GRU, ("((R * H) @ W_hh)", "(R * (H @ W_hh))")),
        caught_by="matches_reference"),
    Bug("gru.gru", "the output read from the state before the update", variant(
        BOOK_GRU, ("        Y = H @ W_hq + b_q\n        outputs.append(Y)\n", ""),
        ("    for X in inputs:\n", "    for X in inputs:\n        Y = H @ W_hq + b_q\n        outputs.append(Y)\n")),
        caught_by=("matches_nn_GRU_where_equal", "matches_reference", "matches_nn_GRU_long", "perplexity"),
        clause="values"),
    Bug("gru.gru", "the candidate state through torch.rnn_tanh_cell", variant(BOOK_GRU, (
        "torch.tanh((X @ W_xh) + ((R * H) @ W_hh) + b_h)",
        "torch.rnn_tanh_cell(X, R * H, W_xh.T, W_hh.T, b_h, torch.zeros_like(b_h))")),
        caught_by="no_builtin", clause="no_builtin"),
    Bug("gru.gru", "torch.gru_cell at every step", """
        def gru(inputs, state, params):
            W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
            H, = state
            w_ih, w_hh = torch.cat([W_xr, W_xz, W_xh], 1).T, torch.cat([W_hr, W_hz, W_hh], 1).T
            b_ih, b_hh = torch.cat([b_r, b_z, b_h]), torch.zeros(3 * len(b_h))
            outputs = []
            for X in inputs:
                H = torch.gru_cell(X, H, w_ih, w_hh, b_ih, b_hh)
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H,)
        """, caught_by="no_builtin"),
    Bug("gru.gru", "the weights detached: no gradient reaches them", variant(BOOK_GRU, DETACHED_WEIGHTS),
        caught_by=("gradients", "perplexity"), clause="gradients"),
    Bug("gru.gru", "the outputs grown from an empty tensor made on the CPU", variant(BOOK_GRU, *GROWN_ON_CPU),
        caught_by="on_device", clause="device"),
    Bug("gru.gru", "a Python loop over the examples of the batch", """
        def gru(inputs, state, params):
            W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
            H_all, = state
            rows, finals = [], []
            for b in range(inputs.shape[1]):
                H, outputs = H_all[b:b + 1], []
                for X in inputs[:, b:b + 1]:
                    Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
                    R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
                    H = Z * H + (1 - Z) * torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
                    outputs.append(H @ W_hq + b_q)
                rows.append(torch.cat(outputs))
                finals.append(H)
            return torch.stack(rows, dim=1).reshape(-1, W_hq.shape[1]), (torch.cat(finals),)
        """, caught_by="speed"),
    Bug("gru.gru", "the whole sequence turned into a list at every step", variant(BOOK_GRU, LIST_AT_EVERY_STEP),
        caught_by="speed", clause="fast"),
    Bug("lstm.lstm", "a Python loop over the examples of the batch", """
        def lstm(inputs, state, params):
            W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = params
            H_all, C_all = state
            rows, Hs, Cs = [], [], []
            for b in range(inputs.shape[1]):
                H, C, outputs = H_all[b:b + 1], C_all[b:b + 1], []
                for X in inputs[:, b:b + 1]:
                    I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
                    F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
                    O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
                    C = F * C + I * torch.tanh(X @ W_xc + H @ W_hc + b_c)
                    H = O * torch.tanh(C)
                    outputs.append(H @ W_hq + b_q)
                rows.append(torch.cat(outputs))
                Hs.append(H)
                Cs.append(C)
            return torch.stack(rows, dim=1).reshape(-1, W_hq.shape[1]), (torch.cat(Hs), torch.cat(Cs))
        """, caught_by="speed"),
    Bug("lstm.lstm", "the whole sequence turned into a list at every step", variant(BOOK_LSTM, LIST_AT_EVERY_STEP),
        caught_by="speed", clause="fast"),
    # §9.2 LSTM
    *parameter_bugs("lstm.get_lstm_params", ("              torch.zeros(vocab_size, device=device)]",
                                             "              torch.zeros(vocab_size)]")),
    Bug("lstm.get_lstm_params", "only three gates (the candidate cell forgotten)", replace=[
        ("params = [*three(), *three(), *three(), *three(), ", "params = [*three(), *three(), *three(), ")],
        caught_by=("shapes", "initialisation"), clause="values"),
    Bug("lstm.init_lstm_state", "one zeros tensor used for both H and C", """
        def init_lstm_state(batch_size, num_hiddens, device):
            zeros = torch.zeros((batch_size, num_hiddens), device=device)
            return (zeros, zeros)
        """, caught_by="separate_tensors", clause="separate"),
    Bug("lstm.init_lstm_state", "only H returned", """
        def init_lstm_state(batch_size, num_hiddens, device):
            return (torch.zeros((batch_size, num_hiddens), device=device),)
        """, caught_by=("shapes", "zeros_of_any_size", "separate_tensors"), clause="values"),
    Bug("lstm.init_lstm_state", "C made on the CPU whatever the device", """
        def init_lstm_state(batch_size, num_hiddens, device):
            return (torch.zeros((batch_size, num_hiddens), device=device), torch.zeros((batch_size, num_hiddens)))
        """, caught_by="on_device", clause="device"),
    Bug("lstm.lstm", "memory cell not passed on to the next step", variant(
        BOOK_LSTM, ("C = F * C + I * C_tilda", "C_new = F * C + I * C_tilda"),
        ("H = O * torch.tanh(C)", "H = O * torch.tanh(C_new)"), ("(H, C)\n", "(H, C_new)\n")),
        caught_by=("matches_nn_LSTM", "matches_reference", "matches_nn_LSTM_long", "speed")),
    Bug("lstm.lstm", "H = O * C (tanh of the cell forgotten)", variant(BOOK_LSTM, ("H = O * torch.tanh(C)", "H = O * C")),
        caught_by=("matches_nn_LSTM", "matches_reference")),
    Bug("lstm.lstm", "the output read from the state before the update", variant(
        BOOK_LSTM, ("        Y = (H @ W_hq) + b_q\n        outputs.append(Y)\n", ""),
        ("    for X in inputs:\n", "    for X in inputs:\n        Y = (H @ W_hq) + b_q\n        outputs.append(Y)\n")),
        caught_by=("matches_nn_LSTM", "matches_reference", "matches_nn_LSTM_long", "perplexity"), clause="values"),
    Bug("lstm.lstm", "torch.lstm_cell at every step", """
        def lstm(inputs, state, params):
            W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = params
            H, C = state
            w_ih, w_hh = torch.cat([W_xi, W_xf, W_xc, W_xo], 1).T, torch.cat([W_hi, W_hf, W_hc, W_ho], 1).T
            b = torch.cat([b_i, b_f, b_c, b_o])
            outputs = []
            for X in inputs:
                H, C = torch.lstm_cell(X, (H, C), w_ih, w_hh, b, torch.zeros_like(b))
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H, C)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("lstm.lstm", "the weights detached: no gradient reaches them", variant(BOOK_LSTM, DETACHED_WEIGHTS),
        caught_by=("gradients", "perplexity"), clause="gradients"),
    Bug("lstm.lstm", "the outputs grown from an empty tensor made on the CPU", variant(BOOK_LSTM, *GROWN_ON_CPU),
        caught_by="on_device", clause="device"),
    # §9.3 deep RNN: the reference with one mistake
    Bug("deep_rnn.stacked_rnn", "every layer starts from layer 0's initial state", replace=[
        ("        hidden = []\n", "        H, hidden = state[0], []\n")],
        caught_by=("matches_nn_RNN", "matches_reference", "matches_nn_RNN_three_layers"), clause="values"),
    Bug("deep_rnn.stacked_rnn", "only the top layer's final state returned", replace=[
        ("return outputs, torch.stack(finals)", "return outputs, H[None]")],
        caught_by=("matches_nn_RNN", "matches_reference", "matches_nn_RNN_three_layers"), clause="values"),
    Bug("deep_rnn.stacked_rnn", "the weights detached: no gradient reaches them", replace=[
        ("        XW = outputs @ W_xh + b_h",
         "        W_xh, W_hh, b_h = W_xh.detach(), W_hh.detach(), b_h.detach()\n        XW = outputs @ W_xh + b_h")],
        caught_by="gradients", clause="gradients"),
    Bug("deep_rnn.stacked_rnn", "the final states gathered in a tensor made on the CPU", replace=[
        ("    outputs, finals = inputs, []\n", "    outputs, finals = inputs, torch.zeros(0, *state.shape[1:])\n"),
        ("        finals.append(H)\n", "        finals = torch.cat([finals, H[None]])\n"),
        ("    return outputs, torch.stack(finals)", "    return outputs, finals")],
        caught_by="on_device", clause="device"),
    Bug("deep_rnn.stacked_rnn", "nn.RNN's kernel called through torch.rnn_tanh", """
        def stacked_rnn(inputs, state, layers):
            weights = [w for W_xh, W_hh, b_h in layers for w in (W_xh.T, W_hh.T, b_h, torch.zeros_like(b_h))]
            return torch.rnn_tanh(inputs, state, weights, True, len(layers), 0.0, False, False, False)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("deep_rnn.stacked_rnn", "every layer reads the inputs instead of the layer below", replace=[
        ("XW = outputs @ W_xh + b_h", "XW = inputs @ W_xh + b_h")],
        caught_by=("matches_nn_RNN", "matches_reference", "matches_nn_RNN_three_layers"), clause="values"),
    # §9.4 bidirectional RNN: the reference with one mistake
    Bug("bidirectional.bidirectional_rnn", "backward outputs left in reverse time order", replace=[
        ("directions.append((hidden.flip(0) if reverse else hidden, H))", "directions.append((hidden, H))")],
        caught_by=("matches_nn_RNN", "matches_reference"), clause="values"),
    Bug("bidirectional.bidirectional_rnn", "the backward direction reads the steps forward", replace=[
        ("_tanh_layer(XW.flip(0) if reverse else XW, H, W_hh)", "_tanh_layer(XW, H, W_hh)")],
        caught_by=("matches_nn_RNN", "matches_reference"), clause="values"),
    Bug("bidirectional.bidirectional_rnn", "both directions share the forward initial state", replace=[
        ("_tanh_layer(XW.flip(0) if reverse else XW, H, W_hh)", "_tanh_layer(XW.flip(0) if reverse else XW, state[0], W_hh)")],
        caught_by=("matches_nn_RNN", "matches_reference"), clause="values"),
    Bug("bidirectional.bidirectional_rnn", "the weights detached: no gradient reaches them", replace=[
        ("        XW = inputs @ W_xh + b_h\n",
         "        W_xh, W_hh, b_h = (p.detach() for p in (W_xh, W_hh, b_h))\n        XW = inputs @ W_xh + b_h\n")],
        caught_by="gradients", clause="gradients"),
    Bug("bidirectional.bidirectional_rnn", "the final states gathered in a tensor made on the CPU", replace=[
        ("    directions = []\n", "    directions, finals = [], torch.zeros(0, *state.shape[1:])\n"),
        ("        directions.append((hidden.flip(0) if reverse else hidden, H))\n",
         "        directions.append((hidden.flip(0) if reverse else hidden, H))\n"
         "        finals = torch.cat([finals, H[None]])\n"),
        ("torch.stack([H_f, H_b])", "finals")],
        caught_by="on_device", clause="device"),
    Bug("bidirectional.bidirectional_rnn", "nn.RNN's kernel called through torch.rnn_tanh", """
        def bidirectional_rnn(inputs, state, forward_params, backward_params):
            weights = [w for W_xh, W_hh, b_h in (forward_params, backward_params)
                       for w in (W_xh.T, W_hh.T, b_h, torch.zeros_like(b_h))]
            return torch.rnn_tanh(inputs, state, weights, True, 1, 0.0, False, True, False)
        """, caught_by="no_builtin", clause="no_builtin"),
    # §9.6 encoder-decoder
    Bug("encoder_decoder.Encoder", "__init__ does not call super().__init__()", """
        class Encoder(nn.Module):
            def __init__(self, **kwargs):
                self.kwargs = kwargs

            def forward(self, X, *args):
                raise NotImplementedError
        """, caught_by=("subclass", "interface"), clause="module"),
    Bug("encoder_decoder.Encoder", "a plain class, not an nn.Module", """
        class Encoder:
            def __init__(self, **kwargs):
                pass

            def forward(self, X, *args):
                raise NotImplementedError
        """, caught_by=("subclass", "interface"), clause="module"),
    Bug("encoder_decoder.Encoder", "keyword arguments dropped", replace=[
        ("    def __init__(self, **kwargs):\n        super().__init__(**kwargs)\n\n    def forward(self, X, *args):",
         "    def __init__(self, **kwargs):\n        super().__init__()\n\n    def forward(self, X, *args):")],
        caught_by="passes_keyword_arguments", clause="kwargs"),
    Bug("encoder_decoder.Encoder", "forward returns X unchanged by default", """
        class Encoder(nn.Module):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

            def forward(self, X, *args):
                return X
        """, caught_by="interface", clause="abstract"),
    Bug("encoder_decoder.Decoder", "init_state returns the encoder's outputs by default", """
        class Decoder(nn.Module):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

            def init_state(self, enc_outputs, *args):
                return enc_outputs

            def forward(self, X, state):
                raise NotImplementedError
        """, caught_by="interface", clause="abstract"),
    Bug("encoder_decoder.Decoder", "a plain class, not an nn.Module", """
        class Decoder:
            def __init__(self, **kwargs):
                pass

            def init_state(self, enc_outputs, *args):
                raise NotImplementedError

            def forward(self, X, state):
                raise NotImplementedError
        """, caught_by=("subclass", "interface"), clause="module"),
    Bug("encoder_decoder.Decoder", "keyword arguments dropped", replace=[
        ("    def __init__(self, **kwargs):\n        super().__init__(**kwargs)\n\n    def init_state",
         "    def __init__(self, **kwargs):\n        super().__init__()\n\n    def init_state")],
        caught_by="passes_keyword_arguments", clause="kwargs"),
    Bug("encoder_decoder.EncoderDecoder", "the decoder fed enc_X", """
        class EncoderDecoder(EncoderDecoder):
            def forward(self, enc_X, dec_X, *args):
                enc_outputs = self.encoder(enc_X, *args)
                return self.decoder(enc_X @ torch.ones(enc_X.shape[-1], dec_X.shape[-1]) / enc_X.shape[-1],
                                    self.decoder.init_state(enc_outputs, *args))
        """, caught_by=("wiring", "passes_through"), clause="values"),
    Bug("encoder_decoder.EncoderDecoder", "*args not passed to init_state", """
        class EncoderDecoder(EncoderDecoder):
            def forward(self, enc_X, dec_X, *args):
                enc_outputs = self.encoder(enc_X, *args)
                return self.decoder(dec_X, self.decoder.init_state(enc_outputs))
        """, caught_by="passes_args", clause="args"),
    Bug("encoder_decoder.EncoderDecoder", "parts kept in a plain list (not registered)", """
        class EncoderDecoder(nn.Module):
            def __init__(self, encoder, decoder, **kwargs):
                super().__init__(**kwargs)
                self.parts = [encoder, decoder]

            def forward(self, enc_X, dec_X, *args):
                encoder, decoder = self.parts
                return decoder(dec_X, decoder.init_state(encoder(enc_X, *args), *args))
        """, caught_by="registers_its_parts", clause="registered"),
    Bug("encoder_decoder.EncoderDecoder", "only the decoder's output returned, not its state", """
        class EncoderDecoder(EncoderDecoder):
            def forward(self, enc_X, dec_X, *args):
                enc_outputs = self.encoder(enc_X, *args)
                return self.decoder(dec_X, self.decoder.init_state(enc_outputs, *args))[0]
        """, caught_by=("wiring", "passes_through"), clause="values"),

    # ==========================================================================================================
    # §9.5 machine translation data, §9.7 seq2seq, §9.8 beam search (appended). A bug with clause= breaks exactly
    # that clause of its exercise's contract (solutions/ch9/__init__.py).
    # ==========================================================================================================
    Bug("machine_translation.read_data_nmt", "the text preprocessed while reading it", """
        def read_data_nmt(corpus="generated"):
            return preprocess_nmt(read_nmt_text(corpus))
        """, caught_by=("first_lines", "whole_corpus"), clause="values"),
    Bug("machine_translation.read_data_nmt", "only the first 600 lines read", """
        def read_data_nmt(corpus="generated"):
            return "".join(read_nmt_text(corpus).splitlines(True)[:600])
        """, caught_by="whole_corpus"),
    Bug("machine_translation.read_data_nmt", "the text stripped (the last newline lost)", """
        def read_data_nmt(corpus="generated"):
            return read_nmt_text(corpus).strip()
        """, caught_by="whole_corpus"),
    Bug("machine_translation.preprocess_nmt", "only the narrow no-break space replaced", replace=[
        ('text.replace("\\u202f", " ").replace("\\xa0", " ").lower()', 'text.replace("\\u202f", " ").lower()')],
        caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("machine_translation.preprocess_nmt", "the previous character read from the raw text (before the no-break "
        "spaces are replaced)", """
        def preprocess_nmt(raw):
            text = raw.replace("\\u202f", " ").replace("\\xa0", " ").lower()
            return "".join(" " + char if i > 0 and char in ",.!?" and raw[i - 1] != " " else char
                           for i, char in enumerate(text))
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("machine_translation.preprocess_nmt", "commas left attached", replace=[('char in ",.!?"', 'char in ".!?"')],
        caught_by="matches_reference"),
    Bug("machine_translation.tokenize_nmt", "source and target swapped", replace=[
        ("source.append(parts[0].split(\" \"))\n            target.append(parts[1].split(\" \"))",
         "source.append(parts[1].split(\" \"))\n            target.append(parts[0].split(\" \"))")],
        caught_by=("book_example", "matches_reference", "num_examples"), clause="values"),
    Bug("machine_translation.tokenize_nmt", "split on any whitespace (empty tokens lost)", replace=[
        ("source.append(parts[0].split(\" \"))\n            target.append(parts[1].split(\" \"))",
         "source.append(parts[0].split())\n            target.append(parts[1].split())")],
        caught_by="matches_reference"),
    Bug("machine_translation.tokenize_nmt", "the book's loop: num_examples + 1 lines read", replace=[BOOK_NUM_EXAMPLES],
        caught_by="num_examples", clause="num_examples"),
    Bug("machine_translation.truncate_pad", "the last num_steps items kept when truncating", replace=[
        ("return line[:num_steps]", "return line[-num_steps:]")],
        caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("machine_translation.truncate_pad", "the caller's line padded in place", """
        def truncate_pad(line, num_steps, padding_token):
            if len(line) > num_steps:
                return line[:num_steps]
            line.extend([padding_token] * (num_steps - len(line)))
            return line
        """, caught_by="leaves_line_unchanged", clause="pure"),
    Bug("machine_translation.truncate_pad", "the line itself returned when it already has num_steps items", """
        def truncate_pad(line, num_steps, padding_token):
            if len(line) == num_steps:
                return line
            return line[:num_steps] if len(line) > num_steps else line + [padding_token] * (num_steps - len(line))
        """, caught_by="leaves_line_unchanged", clause="pure"),
    Bug("machine_translation.build_array_nmt", "no <eos> appended", replace=[
        ('lines = [vocab[line] + [vocab["<eos>"]] for line in lines]', "lines = [vocab[line] for line in lines]")],
        caught_by=("shapes", "matches_reference"), clause="values"),
    Bug("machine_translation.build_array_nmt", "valid_len counts the <eos> out", replace=[
        ('valid_len = (array != vocab["<pad>"]).type(torch.int32).sum(1)',
         'valid_len = (array != vocab["<pad>"]).type(torch.int32).sum(1) - 1')],
        caught_by=("shapes", "matches_reference"), clause="values"),
    Bug("machine_translation.build_array_nmt", "an int32 array", replace=[
        ('vocab["<pad>"]) for line in lines], dtype=torch.int64)', 'vocab["<pad>"]) for line in lines], dtype=torch.int32)')],
        caught_by=("shapes", "matches_reference"), clause="values"),
    Bug("machine_translation.load_data_nmt", "the arrays in the wrong order (both arrays, then both lengths)", replace=[
        ("TensorBatches((src_array, src_valid_len, tgt_array, tgt_valid_len), batch_size)",
         "TensorBatches((src_array, tgt_array, src_valid_len, tgt_valid_len), batch_size)")],
        caught_by=("book_example", "batches", "vocabularies", "shuffles"), clause="values"),
    Bug("machine_translation.load_data_nmt", "num_examples ignored: every example loaded", replace=[
        ("source, target = tokenize_nmt(preprocess_nmt(read_data_nmt()), num_examples)",
         "source, target = tokenize_nmt(preprocess_nmt(read_data_nmt()))")],
        caught_by="batches"),
    Bug("machine_translation.load_data_nmt", "min_freq=1: tokens seen once kept", replace=[
        ("src_vocab = _Vocab(source, min_freq=2, reserved_tokens=reserved)",
         "src_vocab = _Vocab(source, min_freq=1, reserved_tokens=reserved)"),
        ("tgt_vocab = _Vocab(target, min_freq=2, reserved_tokens=reserved)",
         "tgt_vocab = _Vocab(target, min_freq=1, reserved_tokens=reserved)")],
        caught_by="vocabularies", clause="vocab"),
    Bug("machine_translation.load_data_nmt", "the reserved tokens in another order", replace=[
        ('reserved = ["<pad>", "<bos>", "<eos>"]', 'reserved = ["<bos>", "<eos>", "<pad>"]')],
        caught_by=("book_example", "vocabularies")),
    Bug("machine_translation.load_data_nmt", "batches in the file's order every pass", replace=[
        ("TensorBatches((src_array, src_valid_len, tgt_array, tgt_valid_len), batch_size)",
         "TensorBatches((src_array, src_valid_len, tgt_array, tgt_valid_len), batch_size, shuffle=False)")],
        caught_by="shuffles", clause="shuffle"),
    Bug("seq2seq.Seq2SeqEncoder", "the embeddings fed batch-first to a time-major GRU", replace=[
        ("output, state = self.rnn(self.embedding(X).permute(1, 0, 2))", "output, state = self.rnn(self.embedding(X))")],
        caught_by=("book_shapes", "matches_torch"), clause="values"),
    Bug("seq2seq.Seq2SeqEncoder", "forward(X) without *args: the valid lengths cannot be passed", replace=[
        ("    def forward(self, X, *args):\n        output, state", "    def forward(self, X):\n        output, state")],
        caught_by="matches_torch"),
    Bug("seq2seq.Seq2SeqEncoder", "dropout not passed to the GRU", replace=[
        ("self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)",
         "self.rnn = nn.GRU(embed_size, num_hiddens, num_layers)")],
        caught_by="dropout", clause="dropout"),
    Bug("seq2seq.Seq2SeqEncoder", "the GRU created before the embedding", replace=[created_first(
        "        self.embedding = nn.Embedding(vocab_size, embed_size)\n"
        "        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)\n")],
        caught_by="initial_weights", clause="init"),
    Bug("seq2seq.Seq2SeqDecoder", "the logits left time-major", replace=[
        ("return self.dense(output).permute(1, 0, 2), state", "return self.dense(output), state")],
        caught_by=("book_shapes", "matches_reference"), clause="values"),
    Bug("seq2seq.Seq2SeqDecoder", "the context put before the embedding", replace=[
        ("output, state = self.rnn(torch.cat((X, context), 2), state)",
         "output, state = self.rnn(torch.cat((context, X), 2), state)")],
        caught_by=("matches_reference", "carries_its_state")),
    Bug("seq2seq.Seq2SeqDecoder", "the state that came in returned (the decoder's state not carried)", replace=[
        ("output, state = self.rnn(torch.cat((X, context), 2), state)",
         "output, _ = self.rnn(torch.cat((X, context), 2), state)")],
        caught_by="carries_its_state", clause="state"),
    Bug("seq2seq.Seq2SeqDecoder", "init_state returns the encoder's outputs",
        replace=[("return enc_outputs[1]", "return enc_outputs[0]")],
        caught_by="init_state", clause="init_state"),
    Bug("seq2seq.Seq2SeqDecoder", "dropout not passed to the GRU", replace=[
        ("self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)",
         "self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers)")],
        caught_by="dropout", clause="dropout"),
    Bug("seq2seq.Seq2SeqDecoder", "dense created before the GRU", replace=[created_first(
        "        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)\n"
        "        self.dense = nn.Linear(num_hiddens, vocab_size)\n")],
        caught_by="initial_weights", clause="init"),
    Bug("seq2seq.MaskedSoftmaxCELoss", "averaged over the valid positions, not over all num_steps", replace=[
        ("(unweighted * weights).mean(dim=1)", "(unweighted * weights).sum(dim=1) / valid_len.clamp(min=1)")],
        caught_by=("book_example", "matches_reference", "ignores_padding"), clause="values"),
    Bug("seq2seq.MaskedSoftmaxCELoss", "the mask one position too long (j <= valid_len)", """
        def _valid_mask(shape, valid_len, device):
            return (torch.arange(shape[1], device=device)[None, :] <= valid_len.to(device)[:, None]).float()
        """, caught_by=("book_example", "matches_reference", "ignores_padding"), clause="values"),
    Bug("seq2seq.MaskedSoftmaxCELoss", "no mask: the padding counts", """
        def _valid_mask(shape, valid_len, device):
            return torch.ones(shape, device=device)
        """, caught_by=("book_example", "matches_reference", "ignores_padding")),
    Bug("seq2seq.MaskedSoftmaxCELoss", "the losses computed from detached logits", replace=[
        ('unweighted = nn.functional.cross_entropy(pred.permute(0, 2, 1), label, reduction="none")',
         'unweighted = nn.functional.cross_entropy(pred.detach().permute(0, 2, 1), label, reduction="none")')],
        caught_by="gradients", clause="gradients"),
    Bug("seq2seq.MaskedSoftmaxCELoss", "the mask's arange made on the CPU", """
        def _valid_mask(shape, valid_len, device):
            return (torch.arange(shape[1])[None, :] < valid_len[:, None]).float()
        """, caught_by="on_device", clause="device"),
    Bug("seq2seq.train_seq2seq", "no teacher forcing: the decoder is fed Y itself", replace=[
        ("            dec_input = torch.cat([bos, Y[:, :-1]], 1)", "            dec_input = Y")],
        caught_by=("learns_to_copy", "matches_reference", "learns_to_translate"), clause="values"),
    Bug("seq2seq.train_seq2seq", "the mean of the losses backpropagated", replace=[("            l.sum().backward()", "            l.mean().backward()")],
        caught_by="matches_reference"),
    Bug("seq2seq.train_seq2seq", "no gradient clipping", replace=[("            nn.utils.clip_grad_norm_(net.parameters(), 1)\n", "")],
        caught_by="matches_reference"),
    Bug("seq2seq.train_seq2seq", "a loss mask that leaves out the <eos> (the model never learns to stop)", """
        def _valid_mask(shape, valid_len, device):
            return (torch.arange(shape[1], device=device)[None, :] < valid_len.to(device)[:, None] - 1).float()
        """, caught_by="learns_to_translate"),
    Bug("seq2seq.train_seq2seq", "the decoder fed <bos> and padding only (no teacher forcing)", replace=[
        ("            dec_input = torch.cat([bos, Y[:, :-1]], 1)",
         "            dec_input = torch.cat([bos, torch.ones_like(Y[:, :-1])], 1)")],
        caught_by=("matches_reference", "learns_to_translate")),
    Bug("seq2seq.train_seq2seq", "xavier_normal_ instead of xavier_uniform_", replace=[
        ("nn.init.xavier_uniform_(m.weight)", "nn.init.xavier_normal_(m.weight)"),
        ("nn.init.xavier_uniform_(m._parameters[name])", "nn.init.xavier_normal_(m._parameters[name])")],
        caught_by="initialisation", clause="init"),
    Bug("seq2seq.train_seq2seq", "no initialisation at all", replace=[("    net.apply(_xavier_init_weights)\n", "")],
        caught_by="initialisation"),
    Bug("seq2seq.train_seq2seq", "net.train() forgotten", replace=[("    net.train()\n    history = []", "    history = []")],
        caught_by="training_mode", clause="train_mode"),
    Bug("seq2seq.train_seq2seq", "the loss per sequence reported, not per token", replace=[
        ("tokens += float(Y_valid_len.sum())", "tokens += float(Y_valid_len.numel())")],
        caught_by="history", clause="history"),
    Bug("seq2seq.train_seq2seq", "nothing returned (the book prints the loss)", replace=[("    return history\n", "")],
        caught_by="history", clause="history"),
    Bug("seq2seq.predict_seq2seq", "net.eval() forgotten", replace=[("    net.eval()\n    src_tokens", "    src_tokens")],
        caught_by="eval_mode", clause="eval"),
    Bug("seq2seq.predict_seq2seq", "the token indices returned instead of the sentence", replace=[
        ('return " ".join(tgt_vocab.to_tokens(output_seq)), attention_weight_seq',
         "return output_seq, attention_weight_seq")],
        caught_by=("sentence_shape", "matches_reference", "attention_weights"), clause="values"),
    Bug("seq2seq.predict_seq2seq", "no <eos> after the source", replace=[
        ('src_tokens = src_vocab[src_sentence.lower().split(" ")] + [src_vocab["<eos>"]]',
         'src_tokens = src_vocab[src_sentence.lower().split(" ")]')],
        caught_by="matches_reference"),
    Bug("seq2seq.predict_seq2seq", "the valid length counted after truncation", replace=[
        ("enc_valid_len = torch.tensor([len(src_tokens)], device=device)",
         "enc_valid_len = torch.tensor([min(len(src_tokens), num_steps)], device=device)")],
        caught_by="matches_reference"),
    Bug("seq2seq.predict_seq2seq", "the <eos> kept in the translation", replace=[
        ("            if pred == tgt_vocab[\"<eos>\"]:\n                break\n            output_seq.append(pred)",
         "            output_seq.append(pred)\n            if pred == tgt_vocab[\"<eos>\"]:\n                break")],
        caught_by="matches_reference"),
    Bug("seq2seq.predict_seq2seq", "the weights of the <eos> step not saved", replace=[  # saved after the <eos> test
        ("            if save_attention_weights:\n                attention_weight_seq.append(net.decoder.attention_weights)\n",
         ""),
        ("            output_seq.append(pred)",
         "            if save_attention_weights:\n                attention_weight_seq.append(net.decoder.attention_weights)\n"
         "            output_seq.append(pred)")],
        caught_by="attention_weights", clause="attention"),
    Bug("seq2seq.bleu", "the weights 1/n instead of 1/2^n", replace=[("math.pow(0.5, n)", "1 / n")],
        caught_by=("book_examples", "matches_the_formula", "short_predictions"), clause="values"),
    Bug("seq2seq.bleu", "BLEU without the brevity penalty", replace=[
        ("score = math.exp(min(0, 1 - len_label / len_pred))", "score = 1.0")],
        caught_by="matches_the_formula"),
    Bug("seq2seq.bleu", "n-grams not clipped: a repeated n-gram matched every time", replace=[
        ("                label_subs[gram] -= 1\n", "")],
        caught_by="matches_the_formula"),
    Bug("seq2seq.bleu", "the book's version: a prediction shorter than k divides by zero", replace=[
        ("    if len_pred < k:\n        return 0.0\n", "")],
        caught_by="short_predictions", clause="short"),
    Bug("beam_search.beam_search", "the token list returned instead of the sentence", replace=[
        ('return " ".join(tgt_vocab.to_tokens(words)), score', "return tgt_vocab.to_tokens(words), score")],
        caught_by=("output_shape", "matches_reference", "size_one_is_greedy",
                   "huge_beam_is_exhaustive"), clause="values"),
    Bug("beam_search.beam_search", "the beam refilled: finished sequences make room for more live ones", replace=[
        (".indices[:beam_size]", ".indices"),
        ("                else:\n                    kept.append((sequence, total))",
         "                elif len(kept) < beam_size:\n                    kept.append((sequence, total))")],
        caught_by="length_normalisation"),
    Bug("beam_search.beam_search", "only the sequences left after num_steps are candidates", replace=[
        ("                if token == eos:\n                    candidates.append((total / len(sequence) ** alpha, len(candidates), sequence))\n"
         "                else:\n                    kept.append((sequence, total))\n                    rows.append(row)",
         "                kept.append((sequence, total))\n                rows.append(row)")],
        caught_by=("matches_reference", "huge_beam_is_exhaustive")),
    Bug("beam_search.beam_search", "beam scores not length-normalised", replace=[
        ("candidates.append((total / len(sequence) ** alpha, len(candidates), sequence))\n                else:",
         "candidates.append((total, len(candidates), sequence))\n                else:"),
        ("            for sequence, total in beam:\n                candidates.append((total / len(sequence) ** alpha, "
         "len(candidates), sequence))",
         "            for sequence, total in beam:\n                candidates.append((total, len(candidates), sequence))")],
        caught_by="length_normalisation", clause="normalization"),
    Bug("beam_search.beam_search", "L counts the tokens without the <eos>", replace=[
        ("candidates.append((total / len(sequence) ** alpha, len(candidates), sequence))\n                else:",
         "candidates.append((total / max(len(sequence) - 1, 1) ** alpha, len(candidates), sequence))\n                else:")],
        caught_by="length_normalisation", clause="normalization"),
    Bug("beam_search.beam_search", "one decoder call per sequence of the beam", replace=[
        ("            Y, state = net.decoder(inputs, state)\n",
         "            steps = [net.decoder(inputs[r:r + 1], state[:, r:r + 1]) for r in range(len(beam))]\n"
         "            Y, state = torch.cat([Y for Y, _ in steps]), torch.cat([s for _, s in steps], dim=1)\n")],
        caught_by=("one_decoder_call_per_step", "speed"), clause="batched"),
]
