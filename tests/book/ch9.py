"""Chapter 9 as the book writes it (zh.d2l.ai §9.1, §9.2, §9.5, §9.6, §9.7): our own code, in the book's style (the
gates computed one matrix product at a time, every step).

The book's habits kept here: ``tokenize_nmt``'s ``if num_examples and i > num_examples: break``, ``d2l.Vocab``
and ``d2l.load_array`` (a ``DataLoader`` over a ``TensorDataset``, batches as lists), the classes derived from
§9.6's ``Encoder``/``Decoder``, ``MaskedSoftmaxCELoss`` setting ``self.reduction = 'none'`` and masking with the
in-place ``sequence_mask``, ``train_seq2seq`` with ``d2l.grad_clipping`` and an ``Accumulator`` that only prints,
``predict_seq2seq`` with ``d2l.truncate_pad``, ``bleu`` with its ``defaultdict`` of label n-grams.
"""
import textwrap

from book import BookAnswer
from book.ch8 import BOOK_VOCAB, GRAD_CLIPPING
from catalog import variant

# §9.6's interfaces as the book writes them (d2l.Encoder, d2l.Decoder); chapter 10's answers carry them too
D2L_ENCODER = textwrap.dedent("""\
    class Encoder(nn.Module):
        def __init__(self, **kwargs):
            super(Encoder, self).__init__(**kwargs)

        def forward(self, X, *args):
            raise NotImplementedError
    """)
D2L_DECODER = textwrap.dedent("""\
    class Decoder(nn.Module):
        def __init__(self, **kwargs):
            super(Decoder, self).__init__(**kwargs)

        def init_state(self, enc_outputs, *args):
            raise NotImplementedError

        def forward(self, X, state):
            raise NotImplementedError
    """)

# d2l.sequence_mask as the book writes it (§9.7.3: it masks X in place); chapter 10's answers use it too
D2L_SEQUENCE_MASK = textwrap.dedent("""\
    def sequence_mask(X, valid_len, value=0):
        maxlen = X.size(1)
        mask = torch.arange((maxlen), dtype=torch.float32,
                            device=X.device)[None, :] < valid_len[:, None]
        X[~mask] = value
        return X
    """)


def as_helper(function: str, comment: str) -> str:
    """The book's ``sequence_mask`` as a private helper of another exercise's answer (``_d2l_sequence_mask``)."""
    return variant(function, ("def sequence_mask(X, valid_len, value=0):\n",
                              f"def _d2l_sequence_mask(X, valid_len, value=0):\n    {comment}\n"))

# §9.1's parameters as the book writes them; §9.2's LSTM has the same with four gates
BOOK_GRU_PARAMS = textwrap.dedent("""\
    def get_params(vocab_size, num_hiddens, device):
        num_inputs = num_outputs = vocab_size

        def normal(shape):
            return torch.randn(size=shape, device=device) * 0.01

        def three():
            return (normal((num_inputs, num_hiddens)),
                    normal((num_hiddens, num_hiddens)),
                    torch.zeros(num_hiddens, device=device))

        W_xz, W_hz, b_z = three()  # update gate
        W_xr, W_hr, b_r = three()  # reset gate
        W_xh, W_hh, b_h = three()  # candidate hidden state
        W_hq = normal((num_hiddens, num_outputs))
        b_q = torch.zeros(num_outputs, device=device)
        params = [W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q]
        for param in params:
            param.requires_grad_(True)
        return params
    """)
BOOK_LSTM_PARAMS = variant(
    BOOK_GRU_PARAMS, ("def get_params(", "def get_lstm_params("),
    ("    W_xz, W_hz, b_z = three()  # update gate\n"
     "    W_xr, W_hr, b_r = three()  # reset gate\n"
     "    W_xh, W_hh, b_h = three()  # candidate hidden state\n",
     "    W_xi, W_hi, b_i = three()  # input gate\n"
     "    W_xf, W_hf, b_f = three()  # forget gate\n"
     "    W_xo, W_ho, b_o = three()  # output gate\n"
     "    W_xc, W_hc, b_c = three()  # candidate memory cell\n"),
    ("params = [W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q]",
     "params = [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q]"))

# the book's gru and lstm (§9.1.2, §9.2.2): the loops the catalog's bugs of gru.gru and lstm.lstm change
BOOK_GRU = textwrap.dedent("""\
    def gru(inputs, state, params):
        W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
        H, = state
        outputs = []
        for X in inputs:
            Z = torch.sigmoid((X @ W_xz) + (H @ W_hz) + b_z)
            R = torch.sigmoid((X @ W_xr) + (H @ W_hr) + b_r)
            H_tilda = torch.tanh((X @ W_xh) + ((R * H) @ W_hh) + b_h)
            H = Z * H + (1 - Z) * H_tilda
            Y = H @ W_hq + b_q
            outputs.append(Y)
        return torch.cat(outputs, dim=0), (H,)
    """)
BOOK_LSTM = textwrap.dedent("""\
    def lstm(inputs, state, params):
        [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q] = params
        (H, C) = state
        outputs = []
        for X in inputs:
            I = torch.sigmoid((X @ W_xi) + (H @ W_hi) + b_i)
            F = torch.sigmoid((X @ W_xf) + (H @ W_hf) + b_f)
            O = torch.sigmoid((X @ W_xo) + (H @ W_ho) + b_o)
            C_tilda = torch.tanh((X @ W_xc) + (H @ W_hc) + b_c)
            C = F * C + I * C_tilda
            H = O * torch.tanh(C)
            Y = (H @ W_hq) + b_q
            outputs.append(Y)
        return torch.cat(outputs, dim=0), (H, C)
    """)

# the book's tokenize_nmt is the reference but for the test that ends its loop (a catalog bug of chapter 9 too)
BOOK_NUM_EXAMPLES = ("if num_examples is not None and i >= num_examples:", "if num_examples and i > num_examples:")

ANSWERS = [
    BookAnswer("gru.get_params", BOOK_GRU_PARAMS),
    BookAnswer("gru.gru", BOOK_GRU),
    BookAnswer("lstm.get_lstm_params", BOOK_LSTM_PARAMS),
    BookAnswer("lstm.lstm", BOOK_LSTM),
    BookAnswer("encoder_decoder.Encoder", D2L_ENCODER),
    BookAnswer("encoder_decoder.Decoder", D2L_DECODER),
    BookAnswer("encoder_decoder.EncoderDecoder", replace=[
        ("super().__init__(**kwargs)\n        self.encoder = encoder",
         "super(EncoderDecoder, self).__init__(**kwargs)\n        self.encoder = encoder")]),

    # §9.5, §9.7 (appended)
    BookAnswer("machine_translation.preprocess_nmt", """
        def preprocess_nmt(text):
            def no_space(char, prev_char):
                return char in set(',.!?') and prev_char != ' '

            # replace no-break spaces by spaces, capitals by small letters
            text = text.replace('\\u202f', ' ').replace('\\xa0', ' ').lower()
            # a space between words and punctuation
            out = [' ' + char if i > 0 and no_space(char, text[i - 1]) else char
                   for i, char in enumerate(text)]
            return ''.join(out)
        """),
    BookAnswer("machine_translation.tokenize_nmt", replace=[BOOK_NUM_EXAMPLES], deviations="num_examples",
        why="its loop breaks only when i > num_examples, so it reads num_examples + 1 lines"),
    BookAnswer("machine_translation.build_array_nmt", """
        def build_array_nmt(lines, vocab, num_steps):
            lines = [vocab[l] for l in lines]
            lines = [l + [vocab['<eos>']] for l in lines]
            array = torch.tensor([truncate_pad(
                l, num_steps, vocab['<pad>']) for l in lines])
            valid_len = (array != vocab['<pad>']).type(torch.int32).sum(1)
            return array, valid_len
        """),
    BookAnswer("machine_translation.load_data_nmt", textwrap.dedent("""\
        import collections as _collections

        from torch.utils import data as _data


        """) + variant(BOOK_VOCAB, ("class Vocab:\n", "class _BookVocab:\n    # d2l.Vocab (§8.2)\n"),
                       ("counter = count_corpus(tokens)",
                        "counter = _collections.Counter([token for line in tokens for token in line])"))
        + textwrap.dedent("""

        def _load_array(data_arrays, batch_size, is_train=True):
            # d2l.load_array (§3.3)
            dataset = _data.TensorDataset(*data_arrays)
            return _data.DataLoader(dataset, batch_size, shuffle=is_train)


        def load_data_nmt(batch_size, num_steps, num_examples=600):
            text = preprocess_nmt(read_data_nmt())
            source, target = tokenize_nmt(text, num_examples)
            src_vocab = _BookVocab(source, min_freq=2, reserved_tokens=['<pad>', '<bos>', '<eos>'])
            tgt_vocab = _BookVocab(target, min_freq=2, reserved_tokens=['<pad>', '<bos>', '<eos>'])
            src_array, src_valid_len = build_array_nmt(source, src_vocab, num_steps)
            tgt_array, tgt_valid_len = build_array_nmt(target, tgt_vocab, num_steps)
            data_arrays = (src_array, src_valid_len, tgt_array, tgt_valid_len)
            data_iter = _load_array(data_arrays, batch_size)
            return data_iter, src_vocab, tgt_vocab
        """)),
    BookAnswer("seq2seq.Seq2SeqEncoder", """
        from .encoder_decoder import Encoder as _Encoder


        class Seq2SeqEncoder(_Encoder):
            def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
                super(Seq2SeqEncoder, self).__init__(**kwargs)
                # the embedding layer
                self.embedding = nn.Embedding(vocab_size, embed_size)
                self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

            def forward(self, X, *args):
                # X after the embedding: (batch_size, num_steps, embed_size)
                X = self.embedding(X)
                # in recurrent networks the first axis is the time step
                X = X.permute(1, 0, 2)
                # without a state, it defaults to zeros
                output, state = self.rnn(X)
                # output: (num_steps, batch_size, num_hiddens); state: (num_layers, batch_size, num_hiddens)
                return output, state
        """),
    BookAnswer("seq2seq.Seq2SeqDecoder", replace=[
        ("class Seq2SeqDecoder(nn.Module):",
         "from .encoder_decoder import Decoder as _Decoder\n\n\nclass Seq2SeqDecoder(_Decoder):"),
        ("super().__init__(**kwargs)\n        self.embedding = nn.Embedding(vocab_size, embed_size)\n"
         "        self.rnn = nn.GRU(embed_size + num_hiddens",
         "super(Seq2SeqDecoder, self).__init__(**kwargs)\n        self.embedding = nn.Embedding(vocab_size, embed_size)\n"
         "        self.rnn = nn.GRU(embed_size + num_hiddens"),
        ("        X = self.embedding(X).permute(1, 0, 2)\n"
         "        context = state[-1].repeat(X.shape[0], 1, 1)\n"
         "        output, state = self.rnn(torch.cat((X, context), 2), state)\n"
         "        return self.dense(output).permute(1, 0, 2), state",
         "        # X after the embedding: (num_steps, batch_size, embed_size)\n"
         "        X = self.embedding(X).permute(1, 0, 2)\n"
         "        # broadcast the context to num_steps steps\n"
         "        context = state[-1].repeat(X.shape[0], 1, 1)\n"
         "        X_and_context = torch.cat((X, context), 2)\n"
         "        output, state = self.rnn(X_and_context, state)\n"
         "        output = self.dense(output).permute(1, 0, 2)\n"
         "        # output: (batch_size, num_steps, vocab_size); state: (num_layers, batch_size, num_hiddens)\n"
         "        return output, state")]),
    BookAnswer("seq2seq.MaskedSoftmaxCELoss", as_helper(D2L_SEQUENCE_MASK, "# §9.7.3: masks X in place")
               + textwrap.dedent("""

        class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
            # pred: (batch_size, num_steps, vocab_size); label: (batch_size, num_steps); valid_len: (batch_size,)
            def forward(self, pred, label, valid_len):
                weights = torch.ones_like(label)
                weights = _d2l_sequence_mask(weights, valid_len)
                self.reduction = 'none'
                unweighted_loss = super(MaskedSoftmaxCELoss, self).forward(
                    pred.permute(0, 2, 1), label)
                weighted_loss = (unweighted_loss * weights).mean(dim=1)
                return weighted_loss
        """)),
    # the reference's train_seq2seq with d2l.grad_clipping, and the loss printed, not returned
    BookAnswer("seq2seq.train_seq2seq", replace=[
        ("def train_seq2seq(", "from d2lkit import Timer as _Timer\n\n\n" + variant(
            GRAD_CLIPPING,
            ("def grad_clipping(net, theta):", "def _grad_clipping(net, theta):\n    # d2l.grad_clipping (§8.5)"))
         + "\n\ndef train_seq2seq("),
        ("    history = []\n    for _ in range(num_epochs):\n        total, tokens = 0.0, 0.0\n",
         "    for epoch in range(num_epochs):\n        timer = _Timer()\n"
         "        metric = [0.0, 0.0]  # the summed training loss, the number of tokens\n"),
        ("            nn.utils.clip_grad_norm_(net.parameters(), 1)\n",
         "            _grad_clipping(net, 1)\n            num_tokens = Y_valid_len.sum()\n"),
        ("                total += float(l.sum())\n                tokens += float(Y_valid_len.sum())\n"
         "        history.append(total / tokens)\n    return history\n",
         "                metric[0] += float(l.sum())\n                metric[1] += float(num_tokens)\n"
         "    print(f'loss {metric[0] / metric[1]:.3f}, {metric[1] / timer.stop():.1f} '\n"
         "          f'tokens/sec on {str(device)}')\n")],
        deviations="history",
        why="it plots and prints the loss per token and returns nothing; ours returns one loss per epoch"),
    # the reference's predict_seq2seq with d2l.truncate_pad and the book's tensors (its torch.no_grad() kept: the book
    # decodes with autograd on, which no check can see)
    BookAnswer("seq2seq.predict_seq2seq", replace=[
        ("def predict_seq2seq(", "from .machine_translation import truncate_pad as _truncate_pad\n\n\ndef predict_seq2seq("),
        ("    if len(src_tokens) > num_steps:\n        src_tokens = src_tokens[:num_steps]\n"
         "    src_tokens = src_tokens + [src_vocab[\"<pad>\"]] * (num_steps - len(src_tokens))\n",
         "    src_tokens = _truncate_pad(src_tokens, num_steps, src_vocab['<pad>'])\n"),
        ("    enc_X = torch.tensor(src_tokens, dtype=torch.long, device=device).unsqueeze(0)\n",
         "    # add the batch axis\n"
         "    enc_X = torch.unsqueeze(\n        torch.tensor(src_tokens, dtype=torch.long, device=device), dim=0)\n"),
        ("        dec_X = torch.tensor([[tgt_vocab[\"<bos>\"]]], dtype=torch.long, device=device)\n",
         "        # add the batch axis\n"
         "        dec_X = torch.unsqueeze(torch.tensor(\n"
         "            [tgt_vocab['<bos>']], dtype=torch.long, device=device), dim=0)\n"),
        ("pred = int(dec_X.squeeze(dim=0).item())", "pred = dec_X.squeeze(dim=0).type(torch.int32).item()")]),
    BookAnswer("seq2seq.bleu", """
        def bleu(pred_seq, label_seq, k):
            pred_tokens, label_tokens = pred_seq.split(' '), label_seq.split(' ')
            len_pred, len_label = len(pred_tokens), len(label_tokens)
            score = math.exp(min(0, 1 - len_label / len_pred))
            for n in range(1, k + 1):
                num_matches, label_subs = 0, collections.defaultdict(int)
                for i in range(len_label - n + 1):
                    label_subs[' '.join(label_tokens[i: i + n])] += 1
                for i in range(len_pred - n + 1):
                    if label_subs[' '.join(pred_tokens[i: i + n])] > 0:
                        num_matches += 1
                        label_subs[' '.join(pred_tokens[i: i + n])] -= 1
                score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
            return score
        """, deviations="short_predictions",
        why="a prediction shorter than k has no k-grams: len_pred - k + 1 is 0 and it divides by zero; ours scores 0"),
]

NO_BOOK_CODE = {
    "deep_rnn.stacked_rnn": "the book builds a deep RNN from nn.LSTM(num_inputs, num_hiddens, num_layers) (§9.3) and "
                            "gives no from-scratch code",
    "bidirectional.bidirectional_rnn": "the book builds a bidirectional RNN from nn.LSTM(..., bidirectional=True) "
                                       "(§9.4) and gives no from-scratch code",
    "machine_translation.read_data_nmt": "the book's read_data_nmt() downloads fra-eng.zip and reads its fra.txt "
                                         "(d2lkit.read_fra_eng_text keeps that loader); the exercise reads d2lkit's "
                                         "generated corpus instead, so there is no book code to compare",
    "beam_search.beam_search": "§9.8 describes the algorithm only; its name and contract are ours",
}

# The book's code for these is the reference's, line for line (docstrings and comments aside): the
# references' own runs show that it gets full marks.
BOOK_IS_REFERENCE = (
    "gru.init_gru_state",
    "lstm.init_lstm_state",
    "machine_translation.truncate_pad",
)
