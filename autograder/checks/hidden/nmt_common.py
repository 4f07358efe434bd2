"""Machine translation for the checks of chapters 9 and 10: the generated corpus prepared by the judge, §9.7's
seq2seq and its training loop, greedy decoding, and BLEU computed by the judge.

Everything here that runs where the code under test lives (the decoding, the training runs) is check code:
this module is shipped by value, like the check modules themselves, and exists in the student's process
only while a check runs. The judge prepares the data (the student's code never sees the test sentences'
translations) and computes BLEU from the token ids the trained model predicted.

The seq2seq pieces are the references (``InPlace``): a module must hold its parameters and carry autograd
where it lives, so where the code under test builds or trains one (a decoder beside the book's GRU encoder,
a training loop that makes this chapter's ``MaskedSoftmaxCELoss``), or a check sends one the judge made
(``gru_translator``), the reference goes there with its code, not as a stub that calls back into the judge.
"""
from __future__ import annotations

import dataclasses
import functools
import random

import torch

from autograder.checks.public.ch8 import StandInVocab
from autograder.harness.loader import chapter_references
from autograder.harness.session import InPlace, ship_by_value
from d2lkit import read_nmt_text

RESERVED = ["<pad>", "<bos>", "<eos>"]
nmt_ref = chapter_references("ch9")      # judge side: preprocessing, arrays and BLEU are the references'


# --- the corpus (judge side) ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def corpus_pairs() -> tuple:
    """Every (source tokens, target tokens) pair of the generated corpus, preprocessed and split."""
    pairs = []
    for line in nmt_ref("machine_translation.preprocess_nmt")(read_nmt_text("generated")).split("\n"):
        parts = line.split("\t")
        if len(parts) == 2:
            pairs.append((tuple(parts[0].split(" ")), tuple(parts[1].split(" "))))
    return tuple(pairs)


@dataclasses.dataclass(frozen=True)
class Task:
    """A translation task on the generated corpus: sentences whose source has ``lo``..``hi`` tokens, shuffled
    with ``seed``, ``n_train`` to train on and the next ``n_test`` (unseen) to translate."""
    lo: int
    hi: int
    n_train: int
    n_test: int
    num_steps: int
    seed: int = 0

    def __str__(self):
        return (f"{self.n_train:,} sentence pairs of the generated corpus with {self.lo} to {self.hi} source tokens "
                f"(num_steps {self.num_steps}), translating {self.n_test} others")


@functools.lru_cache(maxsize=8)
def task_data(task: Task) -> dict:
    """Judge side: the vocabularies (of the training sentences, min_freq 2), the training arrays, the test
    sources and the test references (never sent to the student's side)."""
    pairs = [p for p in corpus_pairs() if task.lo <= len(p[0]) <= task.hi]
    random.Random(task.seed).shuffle(pairs)
    if len(pairs) < task.n_train + task.n_test:
        raise ValueError(f"the corpus has only {len(pairs)} pairs for {task}")
    train, test = pairs[:task.n_train], pairs[task.n_train:task.n_train + task.n_test]
    src_vocab = StandInVocab([s for s, _ in train], 2, RESERVED)
    tgt_vocab = StandInVocab([t for _, t in train], 2, RESERVED)
    build_array = nmt_ref("machine_translation.build_array_nmt")
    X, X_valid_len = build_array([s for s, _ in train], src_vocab, task.num_steps)
    Y, Y_valid_len = build_array([t for _, t in train], tgt_vocab, task.num_steps)
    test_X, test_X_valid_len = build_array([s for s, _ in test], src_vocab, task.num_steps)
    return {"src_vocab": src_vocab, "tgt_vocab": tgt_vocab, "arrays": (X, X_valid_len, Y, Y_valid_len),
            "test": (test_X, test_X_valid_len), "references": [" ".join(t) for _, t in test]}


def student_view(data: dict) -> dict:
    """What the student's side gets of a task: the vocabularies, the training arrays, the test sources."""
    return {k: data[k] for k in ("src_vocab", "tgt_vocab", "arrays", "test")}


class EpochBatches:
    """Minibatches of ``arrays``: every example once per pass, a new order each pass (seeded by the pass)."""

    def __init__(self, arrays, batch_size, seed=0):
        self.arrays, self.batch_size, self.seed, self.passes = tuple(arrays), batch_size, seed, 0

    def __iter__(self):
        self.passes += 1
        order = torch.randperm(len(self.arrays[0]), generator=torch.Generator().manual_seed(self.seed + self.passes))
        for i in range(0, len(order), self.batch_size):
            index = order[i:i + self.batch_size]
            yield tuple(a[index] for a in self.arrays)

    def __len__(self):
        return (len(self.arrays[0]) + self.batch_size - 1) // self.batch_size


# --- §9.6-9.7's seq2seq: the references, sent with their code where they are used --------------------------

EncoderDecoder = InPlace("ch9.encoder_decoder.EncoderDecoder")
GRUEncoder = InPlace("ch9.seq2seq.Seq2SeqEncoder")
GRUDecoder = InPlace("ch9.seq2seq.Seq2SeqDecoder")
MaskedCE = InPlace("ch9.seq2seq.MaskedSoftmaxCELoss")
book_train = InPlace("ch9.seq2seq.train_seq2seq")     # §9.7.4's loop: returns the loss per token of each epoch


def prefix_translate(net, X, X_valid_len, bos, eos, num_steps):
    """Greedy decoding of a batch, each step decoding the whole prefix again from the encoder's state, in
    training mode (the checks train with dropout 0, so that is deterministic) under no_grad.

    This is what teacher forcing trains: every position sees the encoder's state as §9.7's decoder saw it in
    training (decoding one token at a time, the book's decoder takes the previous step's state as its
    context instead), and the Transformer's decoder keeps its causal mask and its positions. Returns the
    predicted ids ``(batch, num_steps)``; what follows the first ``eos`` of a row is not part of it."""
    net.train()
    with torch.no_grad():
        enc_outputs = net.encoder(X, X_valid_len)
        out = torch.full((X.shape[0], 1), bos, dtype=torch.long, device=X.device)
        for _ in range(num_steps):
            Y, _ = net.decoder(out, net.decoder.init_state(enc_outputs, X_valid_len))
            out = torch.cat([out, Y[:, -1].argmax(-1, keepdim=True)], 1)
    return out[:, 1:].cpu()


# --- BLEU (judge side) ---------------------------------------------------------------------------------------

def translations(rows, tgt_vocab, eos):
    """Judge side: predicted id rows -> sentences (cut at the first eos)."""
    found = []
    for row in rows.tolist():
        if eos in row:
            row = row[:row.index(eos)]
        found.append(" ".join(tgt_vocab.to_tokens(row)))
    return found


def mean_bleu(run, data, *, k=2, what="the trained model"):
    """Judge side: the mean BLEU (k=2) of the translations the student's trained model predicted for the judge's
    test sentences."""
    predicted = run.get("predicted") if isinstance(run, dict) else None
    references = data["references"]
    n = len(references)
    if not isinstance(predicted, torch.Tensor) or predicted.dim() != 2 or predicted.shape[0] != n or \
            predicted.dtype not in (torch.int64, torch.int32):
        raise AssertionError(f"{what}: its predictions should be integer token ids of shape ({n}, num_steps)")
    sentences = translations(predicted, data["tgt_vocab"], data["tgt_vocab"]["<eos>"])
    bleu = nmt_ref("seq2seq.bleu")
    return sum(bleu(p, r, k) for p, r in zip(sentences, references)) / n


def seq2seq_run(make_encoder, make_decoder, train, data, budget, device):
    """Student side: build ``EncoderDecoder(make_encoder(len(src_vocab)), make_decoder(len(tgt_vocab)))``, train it
    with ``train(net, data_iter, lr, num_epochs, tgt_vocab, device)`` and translate the test sentences."""
    src_vocab, tgt_vocab = data["src_vocab"], data["tgt_vocab"]
    net = EncoderDecoder(make_encoder(len(src_vocab)), make_decoder(len(tgt_vocab)))
    history = train(net, EpochBatches(data["arrays"], budget["batch_size"]), budget["lr"], budget["num_epochs"],
                    tgt_vocab, device)
    X, X_valid_len = data["test"]
    predicted = prefix_translate(net, X.to(device), X_valid_len.to(device), tgt_vocab["<bos>"], tgt_vocab["<eos>"],
                                 X.shape[1])
    return {"history": list(history) if isinstance(history, (list, tuple)) else [], "predicted": predicted}


# --- modules: weights, initial states, forward passes where the module lives --------------------------------

def _load(net, names, values):
    """Copy ``values`` into ``net``'s state: by name where the names are the reference's, else in registration
    order (shapes must line up). None, or a listing of ``net``'s tensors."""
    mine = {k: v for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}
    pairs = [(mine[k], v) for k, v in zip(names, values)] if set(mine) == set(names) else list(zip(mine.values(), values))
    if len(mine) != len(values) or any(tuple(a.shape) != tuple(b.shape) for a, b in pairs):
        return "\n".join(f"    {k}: {tuple(v.shape)}" for k, v in list(mine.items())[:40]) or "    (none)"
    with torch.no_grad():
        for a, b in pairs:
            a.copy_(b)
    return None


def load_weights(net, source, *, what):
    """``source``'s tensors (a module of the judge's, or ``{name: tensor}``) into ``net``, where ``net`` lives."""
    from autograder.harness import on_its_side
    items = list(source.items()) if isinstance(source, dict) else \
        [(k, v.detach()) for k, v in source.state_dict().items() if not k.endswith("num_batches_tracked")]
    listing = on_its_side(net, _load, [k for k, _ in items], [v for _, v in items])
    if listing is not None:
        expected = "\n".join(f"    {k}: {tuple(v.shape)}" for k, v in items)
        raise AssertionError(f"{what}: its parameters do not line up with the reference's.\n  yours:\n{listing}\n"
                             f"  reference:\n{expected}")


def _call(net, method, inputs, train, seed, dtype):
    if dtype is not None:
        net.to(dtype)
    net.train(train)
    torch.manual_seed(seed)
    with torch.no_grad():
        return getattr(net, method)(*inputs) if method else net(*inputs)


def step_by_step(net, X, state):
    """Decode X one column at a time, each call from the state the previous one returned (eval mode, no_grad):
    the outputs and the last state (where the decoder lives)."""
    net.eval()
    outputs = []
    with torch.no_grad():
        for t in range(X.shape[1]):
            Y, state = net(X[:, t:t + 1], state)
            outputs.append(Y)
    return outputs, state


def call_module(net, *inputs, method=None, train=False, seed=0, dtype=None):
    """``net(*inputs)`` (or ``net.method(*inputs)``) in eval (or training) mode after ``torch.manual_seed(seed)``,
    under no_grad, where ``net`` lives."""
    from autograder.harness import on_its_side
    return on_its_side(net, _call, method, tuple(inputs), train, seed, dtype)


def _initial_state(cls, args, kwargs, seed):
    torch.manual_seed(seed)
    net = cls(*args, **kwargs)
    return [(k, v.detach().clone()) for k, v in net.state_dict().items()]


def assert_same_initial_state(cls, reference_cls, args, kwargs, *, seeds, what, hint):
    """Under the same seed, the student's module starts with the reference's parameters and buffers (the same
    draws in the same order), compared by name where the names are the reference's."""
    from autograder.harness import assert_close, student_side
    for seed in seeds:
        mine = student_side(_initial_state, cls, args, kwargs, seed)
        theirs = _initial_state(reference_cls, args, kwargs, seed)
        shown = ", ".join(f"{k} {tuple(v.shape)}" for k, v in theirs)
        if [tuple(v.shape) for _, v in mine] != [tuple(v.shape) for _, v in theirs]:
            raise AssertionError(f"{what} has the tensors {', '.join(f'{k} {tuple(v.shape)}' for k, v in mine)}; "
                                 f"the reference {shown}\n  hint: {hint}")
        if {k for k, _ in mine} == {k for k, _ in theirs}:
            named = dict(mine)
            mine = [(k, named[k]) for k, _ in theirs]
        for (name, got), (ref_name, expected) in zip(mine, theirs):
            assert_close(got, expected, what=f"the initial {name} of {what} after torch.manual_seed({seed}) (the "
                         f"reference's {ref_name})", hint=hint)



def initial_weights_check(exercise: str, args, kwargs=None, *, what: str, hint: str, seeds=(0, 1), substitute=()):
    """Declare the check ``initial_weights`` of a module exercise (clause ``init``), from a check module:
    ``assert_same_initial_state`` of ``cls(*args, **kwargs)`` and the reference's."""
    from autograder.harness import check_for, reference
    from autograder.harness.registry import declaring_module
    module = declaring_module()
    target = f"{module.rsplit('.', 1)[1]}.{exercise}"
    check_for(module, exercise, lambda fn: assert_same_initial_state(fn, reference(target), args, kwargs or {},
                                                                     seeds=seeds, what=what, hint=hint),
              name="initial_weights", clauses="init", substitute=substitute)

ship_by_value(__name__)
