"""§10.4 Bahdanau 注意力 (d2l.ai §11.4 The Bahdanau Attention Mechanism)."""
import torch
from torch import nn

from .attention_scoring import AdditiveAttention


class AttentionDecoder(nn.Module):
    """The interface of a decoder with attention (§10.4.2): §9.6's decoder interface plus the weights.

    ``__init__(**kwargs)`` passes its keyword arguments on to ``nn.Module``. ``init_state(enc_outputs,
    *args)`` and ``forward(X, state)`` raise ``NotImplementedError`` (a subclass implements them, as for
    §9.6's ``Decoder``), and so does reading the property ``attention_weights``, which a subclass
    overrides to return the attention weights of its last forward pass.
    Deviation from the book: it derives from §9.6's ``Decoder``; chapters are graded on their own (one
    notebook each), so here it derives from ``nn.Module`` and declares the same two methods itself.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def init_state(self, enc_outputs, *args):
        """The decoder's initial state; the interface raises ``NotImplementedError``."""
        raise NotImplementedError

    def forward(self, X, state):
        """Decode ``X`` from ``state``; the interface raises ``NotImplementedError``."""
        raise NotImplementedError

    @property
    def attention_weights(self):
        """The attention weights of the last forward pass; the interface raises ``NotImplementedError``."""
        raise NotImplementedError


class Seq2SeqAttentionDecoder(nn.Module):
    """The RNN decoder with Bahdanau attention (§10.4.2).

    Layers, created and registered in this order like the book, with PyTorch's default initialisation:
    ``attention = AdditiveAttention(num_hiddens, num_hiddens, num_hiddens, dropout)`` (this chapter's),
    ``embedding = nn.Embedding(vocab_size, embed_size)``, ``rnn = nn.GRU(embed_size + num_hiddens,
    num_hiddens, num_layers, dropout=dropout)``, ``dense = nn.Linear(num_hiddens, vocab_size)``.
    ``init_state(enc_outputs, enc_valid_lens, *args)``: ``enc_outputs = (outputs, hidden_state)`` from
    §9.7's encoder (``outputs`` ``(num_steps, batch_size, num_hiddens)``, ``hidden_state`` ``(num_layers,
    batch_size, num_hiddens)``); returns ``(outputs.permute(1, 0, 2), hidden_state, enc_valid_lens)``.
    ``forward(X, state)``: ``X`` token indices ``(batch_size, num_steps)``, ``state`` as from
    ``init_state``. One step at a time: the query is the top layer of the current hidden state,
    ``hidden_state[-1]`` as ``(batch_size, 1, num_hiddens)``; the context is ``self.attention(query,
    enc_outputs, enc_outputs, enc_valid_lens)`` (encoder positions past the valid lengths get no weight);
    the GRU's input is ``torch.cat((context, embedded step), dim=-1)`` (context first) and it continues from
    the hidden state. ``dense`` maps the GRU's outputs to logits. Returns ``(outputs, state)``: ``outputs``
    ``(batch_size, num_steps, vocab_size)`` and the new state ``[enc_outputs, hidden_state,
    enc_valid_lens]`` (a list or a tuple). ``attention_weights``: the list of the attention's weights
    ``(batch_size, 1, num_enc_steps)`` of each step of the last forward pass, in order.
    It implements ``AttentionDecoder``'s interface; the book derives it from ``AttentionDecoder``, which
    adds nothing else: deriving from this module's ``AttentionDecoder`` is fine.
    """

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.attention = AdditiveAttention(num_hiddens, num_hiddens, num_hiddens, dropout)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, enc_valid_lens, *args):
        outputs, hidden_state = enc_outputs
        return (outputs.permute(1, 0, 2), hidden_state, enc_valid_lens)

    def forward(self, X, state):
        enc_outputs, hidden_state, enc_valid_lens = state
        X = self.embedding(X).permute(1, 0, 2)
        outputs, self._attention_weights = [], []
        for x in X:
            query = hidden_state[-1].unsqueeze(1)
            context = self.attention(query, enc_outputs, enc_outputs, enc_valid_lens)
            x = torch.cat((context, x.unsqueeze(1)), dim=-1)
            out, hidden_state = self.rnn(x.permute(1, 0, 2), hidden_state)
            outputs.append(out)
            self._attention_weights.append(self.attention.attention_weights)
        outputs = self.dense(torch.cat(outputs, dim=0))
        return outputs.permute(1, 0, 2), [enc_outputs, hidden_state, enc_valid_lens]

    @property
    def attention_weights(self):
        return self._attention_weights
