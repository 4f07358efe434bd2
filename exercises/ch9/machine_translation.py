"""§9.5 机器翻译与数据集 (d2l.ai §10.5 Machine Translation and the Dataset)."""
import collections
import torch
from d2lkit import TensorBatches, read_nmt_text


def read_data_nmt(corpus="generated"):
    """The raw text of the English-French corpus (§9.5.1): ``d2lkit.read_nmt_text(corpus)``, unchanged.

    ``corpus='generated'`` (the default, what the checks use) is the parallel corpus that ``d2lkit``
    generates from a small grammar (12,000 lines, no file, no network); ``'fra-eng'`` is the book's
    ``fra-eng.zip``, downloaded from the book's URL (sha1 checked) where there is a network. Both have one
    ``English<TAB>French`` pair per line, lines ending with ``'\\n'``.
    The book's ``read_data_nmt()`` reads its file directly and takes no argument.
    """
    raise NotImplementedError("read_data_nmt (§9.5.1)")


def preprocess_nmt(text):
    """Normalise the raw corpus text (§9.5.1), the book's three steps in this order:

    1. replace the no-break spaces ``'\\u202f'`` and ``'\\xa0'`` by ordinary spaces;
    2. lowercase;
    3. insert a space before each ``,`` ``.`` ``!`` ``?`` that follows a character other than a space
       (never at position 0), so that punctuation becomes a word of its own: ``"Go."`` -> ``"go ."``.

    Returns the new string; nothing else changes (tabs and newlines stay).
    """
    raise NotImplementedError("preprocess_nmt (§9.5.1)")


def tokenize_nmt(text, num_examples=None):
    """Split preprocessed text into source and target tokens (§9.5.2).

    ``text`` has one ``English<TAB>French`` example per line (lines separated by ``'\\n'``). Returns
    ``(source, target)``: two lists with one list of tokens per example, the tokens being the parts of
    each side split on single spaces (``str.split(' ')``). A line that does not have exactly two
    tab-separated parts (an empty last line, for example) is skipped. ``num_examples``: ``None`` (every
    line) or a positive int: only the first ``num_examples`` lines of the text are read.
    Deviation from the book: its loop stops after line ``num_examples`` (``if i > num_examples:
    break``), so it reads ``num_examples + 1`` lines.
    """
    raise NotImplementedError("tokenize_nmt (§9.5.2)")


def truncate_pad(line, num_steps, padding_token):
    """Truncate or pad a sequence to length ``num_steps`` (§9.5.4).

    ``line``: a list (of tokens or indices). Returns a new list: its first ``num_steps`` items if it is
    longer, else ``line`` followed by as many ``padding_token`` as it takes to reach ``num_steps``.
    ``line`` itself is left unchanged.
    """
    raise NotImplementedError("truncate_pad (§9.5.4)")


def build_array_nmt(lines, vocab, num_steps):
    """Token lists to a minibatch array (§9.5.4).

    ``lines``: a list of token lists; ``vocab`` maps a token or a list of tokens to indices
    (``vocab[tokens]``, as §8.2's ``Vocab``). Each line becomes its indices followed by
    ``vocab['<eos>']``, truncated or padded with ``vocab['<pad>']`` to ``num_steps`` (``truncate_pad``).
    Returns ``(array, valid_len)``: ``array`` an int64 tensor ``(len(lines), num_steps)`` and
    ``valid_len`` an int64 tensor ``(len(lines),)`` counting the entries of each row that are not
    ``vocab['<pad>']``.
    """
    raise NotImplementedError("build_array_nmt (§9.5.4)")


def load_data_nmt(batch_size, num_steps, num_examples=600):
    """The translation data set (§9.5.5): ``(data_iter, src_vocab, tgt_vocab)``.

    Reads ``read_data_nmt()`` (the generated corpus), preprocesses it and takes the first
    ``num_examples`` examples with ``tokenize_nmt``. Each side gets its vocabulary, built like §8.2's
    ``Vocab(tokens, min_freq=2, reserved_tokens=['<pad>', '<bos>', '<eos>'])``: index 0 ``'<unk>'``,
    then ``'<pad>'`` 1, ``'<bos>'`` 2, ``'<eos>'`` 3, then the tokens seen at least twice by decreasing
    frequency (ties in order of first appearance). The vocabulary objects support ``len(vocab)``,
    ``vocab[token]`` and ``vocab[list_of_tokens]`` (unknown tokens: 0) and ``vocab.to_tokens(indices)``.
    Chapters are graded on their own, so this module cannot import chapter 8's ``Vocab``: copy yours
    into this module under a private name (``_Vocab``, as the reference does).
    ``data_iter`` iterates over minibatches ``(X, X_valid_len, Y, Y_valid_len)`` of the arrays of
    ``build_array_nmt(source, src_vocab, num_steps)`` and ``build_array_nmt(target, tgt_vocab,
    num_steps)``, every example exactly once per pass, in batches of ``batch_size`` (the last one
    smaller), shuffled as the book's ``load_array`` does: ``d2lkit.TensorBatches(arrays, batch_size)``.
    """
    raise NotImplementedError("load_data_nmt (§9.5.5)")
