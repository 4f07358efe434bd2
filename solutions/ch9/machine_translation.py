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
    return read_nmt_text(corpus)


def preprocess_nmt(text):
    """Normalise the raw corpus text (§9.5.1), the book's three steps in this order:

    1. replace the no-break spaces ``'\\u202f'`` and ``'\\xa0'`` by ordinary spaces;
    2. lowercase;
    3. insert a space before each ``,`` ``.`` ``!`` ``?`` that follows a character other than a space
       (never at position 0), so that punctuation becomes a word of its own: ``"Go."`` -> ``"go ."``.

    Returns the new string; nothing else changes (tabs and newlines stay).
    """
    text = text.replace("\u202f", " ").replace("\xa0", " ").lower()
    return "".join(" " + char if i > 0 and char in ",.!?" and text[i - 1] != " " else char
                   for i, char in enumerate(text))


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
    source, target = [], []
    for i, line in enumerate(text.split("\n")):
        if num_examples is not None and i >= num_examples:
            break
        parts = line.split("\t")
        if len(parts) == 2:
            source.append(parts[0].split(" "))
            target.append(parts[1].split(" "))
    return source, target


def truncate_pad(line, num_steps, padding_token):
    """Truncate or pad a sequence to length ``num_steps`` (§9.5.4).

    ``line``: a list (of tokens or indices). Returns a new list: its first ``num_steps`` items if it is
    longer, else ``line`` followed by as many ``padding_token`` as it takes to reach ``num_steps``.
    ``line`` itself is left unchanged.
    """
    if len(line) > num_steps:
        return line[:num_steps]
    return line + [padding_token] * (num_steps - len(line))


def build_array_nmt(lines, vocab, num_steps):
    """Token lists to a minibatch array (§9.5.4).

    ``lines``: a list of token lists; ``vocab`` maps a token or a list of tokens to indices
    (``vocab[tokens]``, as §8.2's ``Vocab``). Each line becomes its indices followed by
    ``vocab['<eos>']``, truncated or padded with ``vocab['<pad>']`` to ``num_steps`` (``truncate_pad``).
    Returns ``(array, valid_len)``: ``array`` an int64 tensor ``(len(lines), num_steps)`` and
    ``valid_len`` an int64 tensor ``(len(lines),)`` counting the entries of each row that are not
    ``vocab['<pad>']``.
    """
    lines = [vocab[line] + [vocab["<eos>"]] for line in lines]
    array = torch.tensor([truncate_pad(line, num_steps, vocab["<pad>"]) for line in lines], dtype=torch.int64)
    valid_len = (array != vocab["<pad>"]).type(torch.int32).sum(1)
    return array, valid_len


class _Vocab:
    """§8.2's Vocab (chapter 8 is graded on its own, so this module cannot import it)."""

    def __init__(self, tokens, min_freq=0, reserved_tokens=None):
        counter = collections.Counter(token for line in tokens for token in line)
        self.token_freqs = sorted(counter.items(), key=lambda item: item[1], reverse=True)
        self.idx_to_token = ["<unk>"] + list(reserved_tokens or [])
        self.idx_to_token += [token for token, freq in self.token_freqs
                              if freq >= min_freq and token not in self.idx_to_token]
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}
        self.unk = 0

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, self.unk)
        return [self[token] for token in tokens]

    def to_tokens(self, indices):
        if not isinstance(indices, (list, tuple)):
            return self.idx_to_token[int(indices)]
        return [self.idx_to_token[int(index)] for index in indices]


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
    source, target = tokenize_nmt(preprocess_nmt(read_data_nmt()), num_examples)
    reserved = ["<pad>", "<bos>", "<eos>"]
    src_vocab = _Vocab(source, min_freq=2, reserved_tokens=reserved)
    tgt_vocab = _Vocab(target, min_freq=2, reserved_tokens=reserved)
    src_array, src_valid_len = build_array_nmt(source, src_vocab, num_steps)
    tgt_array, tgt_valid_len = build_array_nmt(target, tgt_vocab, num_steps)
    data_iter = TensorBatches((src_array, src_valid_len, tgt_array, tgt_valid_len), batch_size)
    return data_iter, src_vocab, tgt_vocab
