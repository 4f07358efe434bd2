"""§8.2 文本预处理 (d2l.ai §9.2 Converting Raw Text into Sequence Data)."""
import collections
import re
from d2lkit import read_time_machine_text


def read_time_machine():
    """The lines of *The Time Machine* (§8.2.1): a list of 3,221 strings.

    Read the text with ``d2lkit.read_time_machine_text()`` and split it into
    lines. In every line, each run of characters other than the letters
    ``A-Z a-z`` becomes one space; then the line is stripped and lowercased,
    so only ``a-z`` and single spaces remain (empty lines stay, as ``''``).
    """
    raise NotImplementedError("read_time_machine (§8.2.1)")


def tokenize(lines, token="word"):
    """Split each line into tokens (§8.2.2): a list with one list of tokens per line.

    ``token='word'`` splits on whitespace; ``token='char'`` gives the line's
    characters (spaces included). Any other token type raises ``ValueError``
    (the book prints an error and returns ``None``; an error cannot go unnoticed).
    """
    raise NotImplementedError("tokenize (§8.2.2)")


def count_corpus(tokens):
    """A ``collections.Counter`` of the tokens (§8.2.3).

    ``tokens`` is a list of lists of tokens (flattened first) or a 1-D list of
    tokens, counted as it is; an empty list gives an empty ``Counter``. A token
    is any hashable value (a word, or a tuple of words for n-grams).
    """
    raise NotImplementedError("count_corpus (§8.2.3)")


class Vocab:
    """A vocabulary: tokens to indices and back (§8.2.3).

    Index 0 is ``'<unk>'`` (``self.unk`` is the int 0: an attribute or a
    property, not a method), then the ``reserved_tokens`` in
    their order, then every other token seen at least ``min_freq`` times, by
    descending frequency; tokens of equal frequency keep the order in which
    they first occur in ``tokens``. ``self.token_freqs`` is the list of
    ``(token, count)`` pairs of all tokens seen, in that same order (before
    ``min_freq``). ``tokens`` is a 1-D list or a list of lists (or ``None``:
    then only ``'<unk>'`` and the reserved tokens).
    """

    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        raise NotImplementedError("Vocab.__init__ (§8.2.3)")

    def __len__(self):
        """The number of tokens, ``'<unk>'`` and the reserved tokens included."""
        raise NotImplementedError("Vocab.__len__ (§8.2.3)")

    def __getitem__(self, tokens):
        """The index of a token (``self.unk`` if unknown); for a list or tuple, a list of indices, recursively."""
        raise NotImplementedError("Vocab.__getitem__ (§8.2.3)")

    def to_tokens(self, indices):
        """The token at an index; for a list or tuple of indices, the list of tokens."""
        raise NotImplementedError("Vocab.to_tokens (§8.2.3)")


def load_corpus_time_machine(max_tokens=-1):
    """The character-level corpus of *The Time Machine* and its vocabulary (§8.2.4).

    Returns ``(corpus, vocab)``: ``corpus`` is a flat list of ints (the index of
    every character of every line, lines concatenated without separators),
    ``vocab`` the ``Vocab`` of the characters. With ``max_tokens > 0`` only the
    first ``max_tokens`` indices are kept. The full corpus has 170,580 tokens
    and the vocabulary 28 (26 letters, space, ``'<unk>'``).
    """
    raise NotImplementedError("load_corpus_time_machine (§8.2.4)")
