"""Machine translation (§9.5-§9.8, §10.4, §10.7): the generated corpus, BLEU against a maintained library, and
the checks' stand-ins against the references they stand for."""
import hashlib

import pytest
import torch

from autograder.checks.hidden.ch9 import bleu_pairs
from autograder.harness.loader import reference
from d2lkit import DataNotFoundError, generated_fra_eng_text, read_nmt_text
from d2lkit import nmt as corpus

# The corpus is part of every reference value of chapters 9 and 10 (BLEU thresholds): a change to the grammar must
# be deliberate, and then the thresholds re-measured.
CORPUS_SHA1 = "2285a7e9b91144cc9c41e9e4a4fa957e15eb5a2e"


def test_generated_corpus_is_deterministic():
    text = generated_fra_eng_text()
    assert hashlib.sha1(text.encode()).hexdigest() == CORPUS_SHA1
    assert generated_fra_eng_text.__wrapped__() == text          # not an accident of the cache
    assert read_nmt_text() == read_nmt_text("generated") == text


def test_generated_corpus_is_a_parallel_corpus_like_the_books():
    lines = generated_fra_eng_text().split("\n")
    assert lines[-1] == "" and len(lines) == corpus.NUM_LINES + 1
    pairs = [line.split("\t") for line in lines[:-1]]
    assert all(len(p) == 2 and p[0] and p[1] for p in pairs)
    english = [p[0] for p in pairs]
    assert len(set(english)) == len(english), "every English sentence has one translation"
    lengths = [len(e.split()) for e in english]
    assert lengths == sorted(lengths), "sorted by the length of the English side, like fra.txt"
    assert lengths[0] == 1 and max(lengths) >= 25
    text = "\n".join(p[1] for p in pairs)
    assert "\u202f" in text and "\xa0" in text, "the French side keeps the raw file's no-break spaces"
    assert any(e[0].isupper() for e in english) and any(e.endswith(".") for e in english)


def test_the_grammar_agrees_and_reorders():
    pairs = dict(line.split("\t") for line in generated_fra_eng_text().split("\n") if line)
    assert pairs["Go."] == "Va."
    samples = [(e, f) for e, f in pairs.items() if e.startswith("The girls are ")]
    assert samples and all(f.startswith("Les filles sont ") or f.startswith("Les filles ne sont ") for _, f in samples)
    # colour adjectives after the noun, agreeing with it
    assert any("voiture rouge" in f for f in pairs.values()) and any("chiens noirs" in f for f in pairs.values())
    # object pronouns before the verb, negation around it
    assert any(" le vois" in f or " la voit" in f for f in pairs.values())
    assert any(" ne " in f and " pas" in f for f in pairs.values())


def test_the_books_corpus_is_not_downloaded_when_downloads_are_off(monkeypatch, tmp_path):
    monkeypatch.setenv("D2L_NO_DOWNLOAD", "1")
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(DataNotFoundError, match="fra-eng"):
        read_nmt_text("fra-eng")
    with pytest.raises(ValueError):
        read_nmt_text("no-such-corpus")


def random_pairs(n, seed=0):
    """The hidden BLEU check's random (prediction, label, k) triples, the sentences as token lists."""
    return ((pred.split(), label.split(), k) for pred, label, k in bleu_pairs(seed, n))


def precisions(pred, label, k):
    from collections import Counter
    found = []
    for n in range(1, k + 1):
        grams = Counter(tuple(label[i:i + n]) for i in range(len(label) - n + 1))
        pred_grams = Counter(tuple(pred[i:i + n]) for i in range(len(pred) - n + 1))
        found.append(sum(min(c, grams[g]) for g, c in pred_grams.items()) / (len(pred) - n + 1))
    return found


def test_bleu_is_nltks_sentence_bleu_with_the_books_weights():
    """The book's BLEU is nltk's sentence_bleu with the weights 1/2, 1/4, ..., 1/2^k (no smoothing), on every pair
    with at least k tokens predicted."""
    bleu_score = pytest.importorskip("nltk.translate.bleu_score")
    bleu = reference("ch9.seq2seq.bleu")
    for pred, label, k in random_pairs(2000):
        weights = tuple(0.5 ** n for n in range(1, k + 1))
        expected = bleu_score.sentence_bleu([label], pred, weights=weights)
        assert bleu(" ".join(pred), " ".join(label), k) == pytest.approx(expected, abs=1e-12)


def test_bleu_and_standard_bleu():
    """Standard BLEU weighs the orders equally (1/k each): it agrees with the book's where every clipped precision is
    0 or 1, and differs elsewhere (the book's weights favour the short n-grams and do not sum to 1)."""
    bleu_score = pytest.importorskip("nltk.translate.bleu_score")
    bleu = reference("ch9.seq2seq.bleu")
    agree = differ = 0
    for pred, label, k in random_pairs(3000, seed=1):
        standard = bleu_score.sentence_bleu([label], pred, weights=(1 / k,) * k)
        ours = bleu(" ".join(pred), " ".join(label), k)
        if all(p in (0.0, 1.0) for p in precisions(pred, label, k)):
            assert ours == pytest.approx(standard, abs=1e-12)
            agree += 1
        elif abs(ours - standard) > 1e-9:
            differ += 1
    assert agree > 50 and differ > 500
    # the book's example: 'il est riche .' for 'il est calme .' is 0.658 with the book's weights, 0.5 with equal ones
    assert bleu_score.sentence_bleu([["il", "est", "calme", "."]], ["il", "est", "riche", "."],
                                    weights=(0.5, 0.5)) == pytest.approx(0.5)


def test_the_checks_vocabulary_indexes_as_the_references():
    """The check's vocabulary (which goes to the student's side, where a reference Vocab cannot) holds the tokens
    of the reference's Vocab, and the reference's build_array_nmt makes the same rows of tokens with either (ties
    of frequency may be numbered in another order)."""
    from autograder.checks.hidden import nmt_common as nmt
    pairs = list(nmt.corpus_pairs())[:300]
    sources = [list(s) for s, _ in pairs]
    ours = nmt.StandInVocab([s for s, _ in pairs], 2, nmt.RESERVED)
    theirs = reference("ch8.text_preprocessing.Vocab")(sources, 2, nmt.RESERVED)
    build_array = reference("ch9.machine_translation.build_array_nmt")
    for num_steps in (3, 10):
        (got, got_len), (expected, expected_len) = build_array(sources, ours, num_steps), \
            build_array(sources, theirs, num_steps)
        assert got.dtype == expected.dtype and torch.equal(got_len, expected_len)
        assert [ours.to_tokens(row) for row in got.tolist()] == [theirs.to_tokens(row) for row in expected.tolist()]
    assert sorted(ours.token_to_idx) == sorted(theirs.token_to_idx) and ours.unk == theirs.unk == 0


@pytest.mark.parametrize("name,args,inputs", [
    ("AdditiveAttention", (4, 6, 8, 0.0), lambda: (torch.randn(3, 2, 6), torch.randn(3, 5, 4), torch.randn(3, 5, 3),
                                                   torch.tensor([2, 5, 3]))),
    ("MultiHeadAttention", (4, 6, 5, 12, 3, 0.0), lambda: (torch.randn(3, 2, 6), torch.randn(3, 5, 4),
                                                           torch.randn(3, 5, 5), torch.tensor([2, 5, 3]))),
    ("PositionalEncoding", (9, 0.0), lambda: (torch.randn(2, 7, 9),)),
    ("PositionWiseFFN", (4, 6, 3), lambda: (torch.randn(2, 3, 4),)),
    ("AddNorm", ([4], 0.0), lambda: (torch.randn(2, 3, 4), torch.randn(2, 3, 4))),
    ("EncoderBlock", (16, 16, 16, 16, [16], 16, 32, 4, 0.0, True), lambda: (torch.randn(3, 6, 16),
                                                                            torch.tensor([6, 2, 4]))),
    ("DecoderBlock", (16, 16, 16, 16, [16], 16, 32, 4, 0.0, 0), lambda: (
        torch.randn(3, 6, 16), [torch.randn(3, 5, 16), torch.tensor([5, 2, 4]), [None]])),
])
def test_the_chapter_10_stand_ins_are_the_references_sent_with_their_code(name, args, inputs):
    """The stand-ins that unit checks put in place of the chapter's other modules are the references, rebuilt from
    their pickled code as a worker rebuilds them, and compute what the reference computes from the same initial
    weights (the same draws)."""
    from autograder.checks.hidden import ch10
    from autograder.harness import worker
    from autograder.harness.session import reference_code
    cls = reference(ch10.stand_in(name)[name].target)
    stand_in_cls = worker._in_place(reference_code(cls), None)
    torch.manual_seed(0)
    expected_net = cls(*args)
    torch.manual_seed(0)
    stand_in = stand_in_cls(*args)
    assert list(stand_in.state_dict()) == list(expected_net.state_dict())
    for a, b in zip(stand_in.state_dict().values(), expected_net.state_dict().values()):
        assert torch.equal(a, b)
    for train in (False, True):
        outputs = []
        for net in (stand_in, expected_net):
            net.train(train)
            torch.manual_seed(1)
            out = net(*inputs())
            outputs.append(out[0] if isinstance(out, tuple) else out)
        assert torch.equal(*outputs)


def test_a_reference_sent_in_place_needs_no_reference_module_where_it_is_rebuilt():
    """``InPlace`` pickles the reference's code (and that of the references it uses, here MultiHeadAttention's and
    DotProductAttention's): a process that has no reference package rebuilds the class and runs it."""
    import subprocess
    import sys
    from autograder.checks.hidden import ch10
    from autograder.harness.session import reference_code
    code = reference_code(reference(ch10.stand_in("EncoderBlock")["EncoderBlock"].target))
    script = ("import pickle, sys, torch; cls = pickle.loads(sys.stdin.buffer.read()); "
              "net = cls(8, 8, 8, 8, [8], 8, 16, 2, 0.0); "
              "print(cls.__module__, net(torch.randn(2, 3, 8), torch.tensor([3, 1])).shape, "
              "any(m.startswith('_d2l_reference') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], input=code, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    out = done.stdout.decode().split()
    assert out[0].endswith(".ch10.transformer") and out[1:] == ["torch.Size([2,", "3,", "8])", "False"], out


def test_a_model_the_judge_makes_of_references_goes_to_the_worker_with_its_code():
    """A check that makes §9.7's model in the judge (``gru_translator``: the references' EncoderDecoder,
    Seq2SeqEncoder and Seq2SeqDecoder) sends it as tracked modules whose classes go with their code, not as
    stubs (a module must hold its parameters where it lives); the session knows a reference went there."""
    from autograder.checks.hidden.ch9 import gru_translator
    from autograder.harness.session import Session
    session, tracked = Session(link=None), []
    net = gru_translator(0)
    assert type(net).__module__.startswith("_d2l_reference")
    session.dumps(net, tracked)
    assert session.sent_in_place and not session.stubs
    sent = {type(m).__name__ for m in tracked if isinstance(m, torch.nn.Module)}
    assert {"EncoderDecoder", "Seq2SeqEncoder", "Seq2SeqDecoder"} <= sent, sent


def test_attention_beats_plain_seq2seq_on_the_long_sentences_by_the_measured_margin():
    """The Bahdanau check's threshold stands for the book's claim: the plain seq2seq model (§9.7's decoder, the check's
    reference, trained by the same loop on the same budget) stays far below it on the long sentences, as measured."""
    from autograder.checks.hidden import ch10
    from autograder.checks.hidden.nmt_common import (GRUDecoder, GRUEncoder, book_train, mean_bleu, seq2seq_run,
                                                     student_view, task_data)
    from autograder.harness.registry import seed_everything
    data, b = task_data(ch10.LONG_TASK), ch10.LONG_BUDGET
    E, H, L = b["embed_size"], b["num_hiddens"], b["num_layers"]
    seed_everything(0)
    run = seq2seq_run(lambda v: GRUEncoder(v, E, H, L), lambda v: GRUDecoder(v, E, H, L), book_train,
                      student_view(data), b, "cpu")
    plain = mean_bleu(run, data)
    assert plain == pytest.approx(ch10.PLAIN_ON_LONG, abs=0.03), "re-measure PLAIN_ON_LONG (and the margin)"
    assert ch10.LONG_THRESHOLD - plain >= 0.3, "attention must beat the plain model by a wide margin"
