"""§8.3 语言模型和数据集 (d2l.ai §9.3 Language Models)."""
import random
import torch
from .text_preprocessing import load_corpus_time_machine


def seq_data_iter_random(corpus, batch_size, num_steps):
    """Minibatches of subsequences by random sampling (§8.3.4).

    Drop a random number ``offset`` in ``[0, num_steps - 1]`` of leading tokens
    (``random.randint``), cut the rest into disjoint subsequences of
    ``num_steps`` tokens (the last one must still have a next token for its
    label), shuffle their order (``random.shuffle``) and yield
    ``num_subseqs // batch_size`` pairs ``(X, Y)`` of int64 tensors of shape
    ``(batch_size, num_steps)``; ``Y`` is ``X`` shifted one token to the right.
    Each subsequence appears at most once per pass; rows of consecutive
    minibatches are not adjacent in the corpus. ``corpus`` is a list (or 1-D
    tensor) of token indices.

    The draws are the book's: one ``random.randint(0, num_steps - 1)`` for the
    offset, then one ``random.shuffle`` of the list of start positions in
    increasing order, so under ``random.seed(s)`` a pass is the book's.
    """
    raise NotImplementedError("seq_data_iter_random (§8.3.4)")


def seq_data_iter_sequential(corpus, batch_size, num_steps):
    """Minibatches of subsequences by sequential partitioning (§8.3.4).

    Drop a random number ``offset`` in ``[0, num_steps]`` of leading tokens
    (``random.randint``), lay the next ``((len - offset - 1) // batch_size) *
    batch_size`` tokens out as ``batch_size`` rows of consecutive tokens, and
    yield their columns ``num_steps`` at a time: ``(X, Y)`` int64 tensors of
    shape ``(batch_size, num_steps)``, ``Y`` being ``X`` shifted by one. Row
    ``i`` of a minibatch continues row ``i`` of the previous one in the corpus,
    so the hidden state can be carried over between minibatches. ``corpus`` is
    a list (or 1-D tensor) of token indices. The one draw is the book's,
    ``random.randint(0, num_steps)`` at the start of a pass, so under
    ``random.seed(s)`` a pass is the book's.
    """
    raise NotImplementedError("seq_data_iter_sequential (§8.3.4)")


class SeqDataLoader:
    """An iterable over minibatches of the Time Machine's character corpus (§8.3.4).

    ``self.corpus, self.vocab`` come from ``load_corpus_time_machine(max_tokens)``;
    every ``iter(loader)`` starts a fresh pass: it returns this module's
    ``seq_data_iter_random`` (if ``use_random_iter``) or
    ``seq_data_iter_sequential`` called on ``(self.corpus, batch_size, num_steps)``.
    """

    def __init__(self, batch_size, num_steps, use_random_iter, max_tokens):
        raise NotImplementedError("SeqDataLoader.__init__ (§8.3.4)")

    def __iter__(self):
        """A new pass over the corpus."""
        raise NotImplementedError("SeqDataLoader.__iter__ (§8.3.4)")


def load_data_time_machine(batch_size, num_steps, use_random_iter=False, max_tokens=10000):
    """``(data_iter, vocab)`` for the Time Machine (§8.3.4): a ``SeqDataLoader`` and its vocabulary."""
    raise NotImplementedError("load_data_time_machine (§8.3.4)")
