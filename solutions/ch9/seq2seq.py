"""§9.7 序列到序列学习（seq2seq） (d2l.ai §10.7 Sequence-to-Sequence Learning for Machine Translation)."""
import collections
import math

import torch
from torch import nn


class Seq2SeqEncoder(nn.Module):
    """The RNN encoder of seq2seq (§9.7.1): an embedding, then a multi-layer GRU.

    Layers, created and registered in this order like the book, with PyTorch's default initialisation
    (so under the same seed the initial weights are the reference's): ``embedding =
    nn.Embedding(vocab_size, embed_size)``, ``rnn = nn.GRU(embed_size, num_hiddens, num_layers,
    dropout=dropout)`` (dropout between the GRU's layers, in training mode only).
    ``forward(X, *args)``: ``X`` token indices ``(batch_size, num_steps)`` (int64); further arguments
    (the valid lengths) are accepted and ignored. Embeds, makes the steps the first axis and runs the GRU
    from its default zero state: returns ``(output, state)``, ``output`` ``(num_steps, batch_size,
    num_hiddens)`` (the last layer's state at every step) and ``state`` ``(num_layers, batch_size,
    num_hiddens)`` (every layer's state after the last step), exactly what ``nn.GRU`` returns.
    It follows the encoder interface of §9.6 (``forward(X, *args)``); the book derives it from §9.6's
    ``Encoder``, which adds nothing to ``nn.Module``: deriving from this chapter's ``Encoder`` is fine.
    """

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        output, state = self.rnn(self.embedding(X).permute(1, 0, 2))
        return output, state


class Seq2SeqDecoder(nn.Module):
    """The RNN decoder of seq2seq (§9.7.2): the context (the top layer of the state) joins every input.

    Layers, created and registered in this order like the book, with PyTorch's default initialisation:
    ``embedding = nn.Embedding(vocab_size, embed_size)``, ``rnn = nn.GRU(embed_size + num_hiddens,
    num_hiddens, num_layers, dropout=dropout)``, ``dense = nn.Linear(num_hiddens, vocab_size)``.
    ``init_state(enc_outputs, *args)``: the decoder's state is the encoder's final state,
    ``enc_outputs[1]`` ``(num_layers, batch_size, num_hiddens)``.
    ``forward(X, state)``: ``X`` token indices ``(batch_size, num_steps)``. The context is the top
    layer of the ``state`` passed in, ``state[-1]``, repeated at every step and concatenated after each
    step's embedding (``torch.cat((embedded, context), 2)``, embedding first); the GRU runs from
    ``state``, and ``dense`` maps its outputs to logits. Returns ``(output, state)``: ``output``
    ``(batch_size, num_steps, vocab_size)`` and the GRU's new state ``(num_layers, batch_size,
    num_hiddens)``, which the next call continues from. As in the book, when decoding one step at a time
    the context is the top layer of the state passed to that step (the encoder's state at the first step
    only). Like ``Seq2SeqEncoder``, it follows §9.6's decoder interface (the book derives it from
    ``Decoder``; so may you).
    """

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, *args):
        return enc_outputs[1]

    def forward(self, X, state):
        X = self.embedding(X).permute(1, 0, 2)
        context = state[-1].repeat(X.shape[0], 1, 1)
        output, state = self.rnn(torch.cat((X, context), 2), state)
        return self.dense(output).permute(1, 0, 2), state


def _valid_mask(shape, valid_len, device):
    """1 at positions j < valid_len[i] of each row, 0 after (§9.7.3's sequence_mask of ones)."""
    return (torch.arange(shape[1], device=device)[None, :] < valid_len.to(device)[:, None]).float()


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    """The softmax cross-entropy of seq2seq, padding masked out (§9.7.3).

    ``forward(pred, label, valid_len)``: ``pred`` logits ``(batch_size, num_steps, vocab_size)``,
    ``label`` int64 ``(batch_size, num_steps)``, ``valid_len`` integer ``(batch_size,)``. The
    cross-entropy of every position (``nn.CrossEntropyLoss`` with ``reduction='none'``, the classes on
    axis 1: ``pred.permute(0, 2, 1)``) is multiplied by weights that are 1 at the first
    ``valid_len[i]`` positions of row ``i`` and 0 after (§9.7.3's ``sequence_mask`` of ones), then
    averaged over all ``num_steps`` positions of the row (``.mean(dim=1)``, padded ones included, as the
    book does). Returns the ``(batch_size,)`` losses, in ``pred``'s dtype, on ``pred``'s device (make the
    mask with ``device=pred.device``); gradients flow to ``pred``, and logits at padded positions change
    neither the loss nor its gradient. A subclass of ``nn.CrossEntropyLoss``, like the book's.
    The mask is that of chapter 10's ``sequence_mask`` (the book defines it here, in §9.7.3); chapters
    are graded on their own, so build it in this module (``torch.arange(num_steps) < valid_len[:, None]``).
    """

    def forward(self, pred, label, valid_len):
        weights = _valid_mask(label.shape, valid_len, pred.device).to(pred.dtype)
        unweighted = nn.functional.cross_entropy(pred.permute(0, 2, 1), label, reduction="none")
        return (unweighted * weights).mean(dim=1)


def _xavier_init_weights(m):
    if type(m) == nn.Linear:
        nn.init.xavier_uniform_(m.weight)
    if type(m) == nn.GRU:
        for name in m._flat_weights_names:
            if "weight" in name:
                nn.init.xavier_uniform_(m._parameters[name])


def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device):
    """Train a seq2seq model with teacher forcing (§9.7.4); returns the loss per token of every epoch.

    First ``net.apply(init)`` with the book's initialisation: ``nn.init.xavier_uniform_`` on the
    ``weight`` of every ``nn.Linear`` and on every weight matrix (``weight_ih_l*``, ``weight_hh_l*``) of
    every ``nn.GRU`` (modules matched by ``type(m) == ...``, as the book does; biases and embeddings
    keep their values); then ``net.to(device)``, ``torch.optim.Adam(net.parameters(), lr=lr)``, one
    ``MaskedSoftmaxCELoss()`` of this module, and ``net.train()``.
    Each epoch goes once through ``data_iter`` (minibatches ``(X, X_valid_len, Y, Y_valid_len)``, moved to
    ``device``). For each: zero the gradients; the decoder's input is ``<bos>`` followed by ``Y`` without
    its last column (``dec_input = torch.cat([bos, Y[:, :-1]], 1)``, ``bos`` a column of
    ``tgt_vocab['<bos>']`` made on ``device``: teacher forcing); ``Y_hat, _ = net(X, dec_input,
    X_valid_len)``; ``l = loss(Y_hat, Y, Y_valid_len)``; ``l.sum().backward()``; clip the gradients of all
    parameters to a global L2 norm of at most 1 (§8.5's ``grad_clipping(net, 1)``, e.g.
    ``nn.utils.clip_grad_norm_(net.parameters(), 1)``); ``optimizer.step()``.
    Returns a list with one float per epoch: the sum of ``l`` over the epoch divided by the number of
    target tokens (the sum of ``Y_valid_len``), what the book prints as ``loss``.
    Deviation from the book: it returns nothing (it plots and prints the loss).
    """
    net.apply(_xavier_init_weights)
    net.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    loss = MaskedSoftmaxCELoss()
    net.train()
    history = []
    for _ in range(num_epochs):
        total, tokens = 0.0, 0.0
        for batch in data_iter:
            optimizer.zero_grad()
            X, X_valid_len, Y, Y_valid_len = [x.to(device) for x in batch]
            bos = torch.tensor([tgt_vocab["<bos>"]] * Y.shape[0], device=device).reshape(-1, 1)
            dec_input = torch.cat([bos, Y[:, :-1]], 1)
            Y_hat, _ = net(X, dec_input, X_valid_len)
            l = loss(Y_hat, Y, Y_valid_len)
            l.sum().backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1)
            optimizer.step()
            with torch.no_grad():
                total += float(l.sum())
                tokens += float(Y_valid_len.sum())
        history.append(total / tokens)
    return history


def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device, save_attention_weights=False):
    """Greedy translation of one sentence (§9.7.5): ``(translation, attention_weight_seq)``.

    ``net.eval()`` first. The source: ``src_vocab[src_sentence.lower().split(' ')]`` followed by
    ``src_vocab['<eos>']``, its valid length ``enc_valid_len = torch.tensor([len(tokens)])`` (counted
    before truncation, as the book does), truncated or padded with ``src_vocab['<pad>']`` to
    ``num_steps``, as a ``(1, num_steps)`` int64 batch on ``device``. ``enc_outputs = net.encoder(enc_X,
    enc_valid_len)``, ``dec_state = net.decoder.init_state(enc_outputs, enc_valid_len)``; the decoder
    starts from ``tgt_vocab['<bos>']`` (a ``(1, 1)`` batch) and runs at most ``num_steps`` steps, one
    token at a time: ``Y, dec_state = net.decoder(dec_X, dec_state)``, the next input is the most likely
    token ``Y.argmax(dim=2)``; when it is ``tgt_vocab['<eos>']`` the translation ends (the ``<eos>`` is not
    part of it). With ``save_attention_weights``, ``net.decoder.attention_weights`` is appended to
    ``attention_weight_seq`` after every step (the ``<eos>`` step included); otherwise the list stays empty.
    Returns the translation as the predicted tokens joined by single spaces
    (``' '.join(tgt_vocab.to_tokens(indices))``, ``''`` when the first token is ``<eos>``) and the list.
    Gradients are not needed: decode under ``torch.no_grad()`` if you like.
    """
    net.eval()
    src_tokens = src_vocab[src_sentence.lower().split(" ")] + [src_vocab["<eos>"]]
    enc_valid_len = torch.tensor([len(src_tokens)], device=device)
    if len(src_tokens) > num_steps:
        src_tokens = src_tokens[:num_steps]
    src_tokens = src_tokens + [src_vocab["<pad>"]] * (num_steps - len(src_tokens))
    enc_X = torch.tensor(src_tokens, dtype=torch.long, device=device).unsqueeze(0)
    output_seq, attention_weight_seq = [], []
    with torch.no_grad():
        enc_outputs = net.encoder(enc_X, enc_valid_len)
        dec_state = net.decoder.init_state(enc_outputs, enc_valid_len)
        dec_X = torch.tensor([[tgt_vocab["<bos>"]]], dtype=torch.long, device=device)
        for _ in range(num_steps):
            Y, dec_state = net.decoder(dec_X, dec_state)
            dec_X = Y.argmax(dim=2)
            pred = int(dec_X.squeeze(dim=0).item())
            if save_attention_weights:
                attention_weight_seq.append(net.decoder.attention_weights)
            if pred == tgt_vocab["<eos>"]:
                break
            output_seq.append(pred)
    return " ".join(tgt_vocab.to_tokens(output_seq)), attention_weight_seq


def bleu(pred_seq, label_seq, k):
    """The book's BLEU of a predicted sentence against one label (§9.7.6).

    Tokens are ``pred_seq.split(' ')`` and ``label_seq.split(' ')``, of lengths ``len_pred`` and
    ``len_label``. Returns the float ``exp(min(0, 1 - len_label / len_pred)) * prod_{n=1..k}
    p_n ** (1 / 2 ** n)``, where ``p_n`` is the clipped n-gram precision: the number of n-grams of the
    prediction that match an n-gram of the label, each n-gram of the label matched at most as many times
    as it occurs there, divided by the number of n-grams of the prediction, ``len_pred - n + 1``.
    Where the prediction has no n-grams of some order ``n <= k`` (``len_pred < k``), ``p_n`` is 0 and so
    is the score (the book divides by zero there). 1.0 for a prediction equal to its label.
    This is nltk's ``sentence_bleu([label_tokens], pred_tokens, weights=(1/2, 1/4, ..., 1/2**k))``
    without smoothing. Standard BLEU (Papineni et al.) weighs the orders equally, ``p_n ** (1 / k)``, and
    is usually computed over a whole corpus with k = 4: the book's weights favour the short n-grams and
    do not sum to 1, so the two agree only where every ``p_n`` is 0 or 1.
    """
    pred_tokens, label_tokens = pred_seq.split(" "), label_seq.split(" ")
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    if len_pred < k:
        return 0.0
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, k + 1):
        label_subs = collections.Counter(tuple(label_tokens[i:i + n]) for i in range(len_label - n + 1))
        num_matches = 0
        for i in range(len_pred - n + 1):
            gram = tuple(pred_tokens[i:i + n])
            if label_subs[gram] > 0:
                num_matches += 1
                label_subs[gram] -= 1
        score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
    return score
