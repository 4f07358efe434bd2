"""The feedback a student reads: one renderer for every place a message appears (HTML and Markdown pages,
results.json, nbgrader), the index's order and totals, the contract, the book's links, and the plots.

Fast: built from records of real checks (``results.record``) with messages the harness writes, no grading run.
The browser tests and the tests on real grading runs are in ``test_feedback_browser.py``.
"""
from __future__ import annotations

import ast
import html
import json
import re
from types import SimpleNamespace

from unittest import mock

import pytest
import torch

from autograder import book
from autograder.grading import feedback_text, plots
from autograder.grading.booklinks import EN_PAGES, ZH_PAGES, links
from autograder.grading.feedback import build, contract, write_feedback
from autograder.grading.reports import gradescope, write_all
from autograder.harness import assert_close
from autograder.harness.registry import REPO_ROOT, load_chapter
from autograder.harness.train import (accuracy_curve, curve_description, curve_key, curve_names, parse_curve_key,
                                      whole_run)
from autograder.nbgrader.kernel import CheckFailed, feedback_message
from autograder.results import plain_curves, record
from reports_spec import valid_results_json


def harness_message(hint="normalise over dim 1 (each example), not dim 0") -> str:
    """A message as the harness writes it (assert_close with a small tensor: expected/got lines and a hint), with
    the citation the check wrapper appends."""
    with pytest.raises(AssertionError) as caught:
        assert_close(torch.tensor([[0.7, 0.3], [0.3, 0.7]]), torch.tensor([[0.4, 0.6], [0.5, 0.5]]),
                     what="softmax(X) for X float32 (2, 2) (seed 0)", hint=hint)
    return f"{caught.value}\n  [{book.cite('3.6.2')}]"


def check(chapter, exercise, name=None, kind=None):
    found = [c for c in load_chapter(chapter) if c.exercise.label == exercise and (name is None or c.name == name)
             and (kind is None or c.kind == kind)]
    assert found, (chapter, exercise, name)
    return found[0]


def grade_of(records, student="alice", reference_curves=None, notes=(), output="", stopped=False):
    return SimpleNamespace(student=student, records=records, seconds=1.0, notes=list(notes), flags=[], output=output,
                           reference_curves=reference_curves or {}, stopped=stopped,
                           score=sum(r["earned"] for r in records),
                           max_score=sum(r["points"] for r in records if r["outcome"] != "skipped"))


def unescape_md(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def visible_text(page: str) -> str:
    """The text of an HTML page as a reader gets it (tags dropped, entities decoded, spaces collapsed)."""
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- one message, every place ---------------------------------------------------------------------------------------

def test_a_harness_message_is_read_into_verdict_pairs_hint_and_book():
    msg = feedback_text.parse(harness_message())
    assert [p.kind for p in msg.parts] == ["text", "pair", "pair", "hint", "cite"]
    assert msg.first_line.startswith("softmax(X) for X float32 (2, 2) (seed 0) is wrong: max abs error")
    assert [p.label for p in msg.parts if p.kind == "pair"] == ["expected", "got"]
    assert msg.hints == ["normalise over dim 1 (each example), not dim 0"]
    assert msg.section == "3.6.2"


def test_plain_text_aligns_expected_and_got_and_sets_the_hint_and_book_apart():
    lines = feedback_text.text(harness_message()).splitlines()
    pairs = [line for line in lines if line.startswith(("  expected", "  got"))]
    assert len(pairs) == 2 and pairs[0].index("[[") == pairs[1].index("[[")
    assert "  hint: normalise over dim 1 (each example), not dim 0" in lines
    assert any("https://zh.d2l.ai/chapter_linear-networks/softmax-regression-scratch.html" in line for line in lines)
    assert any("https://d2l.ai/chapter_linear-classification/softmax-regression-scratch.html" in line
               for line in lines)
    long = feedback_text.text("x " * 200)
    assert max(len(line) for line in long.splitlines()) <= feedback_text.WIDTH


def test_markdown_and_html_carry_the_same_parts():
    raw = harness_message()
    md, page = feedback_text.markdown(raw), feedback_text.html(raw)
    msg = feedback_text.parse(raw)
    for part in msg.parts:
        if part.kind in ("text", "pair", "hint"):
            assert part.text in unescape_md(md), part
            assert part.text in html.unescape(page), part
    assert "```text\nexpected [[" in md and "\ngot      [[" in md          # aligned in a code block
    assert "> **Hint:**" in md and "<aside class='hint'><strong>Hint</strong>" in page
    assert "<dl class='pairs'><dt class='pair-expected'>expected</dt>" in page
    assert "](https://zh.d2l.ai/chapter_linear-networks/softmax-regression-scratch.html)" in md
    assert "href='https://d2l.ai/chapter_linear-classification/softmax-regression-scratch.html'" in page


@pytest.mark.parametrize("raw", ["not implemented yet: softmax (§3.6.2)",
                                 "not implemented yet: Accumulator.__init__ (§3.6.5)\n  [§3.6.5 x]"])
def test_markdown_keeps_the_verdict_first_and_readable(raw):
    md = feedback_text.markdown(raw)
    assert md.startswith("not implemented yet")                       # what results.json readers match on
    assert unescape_md(md.splitlines()[0]) == raw.splitlines()[0]


def test_markdown_escapes_markup_but_not_names():
    assert feedback_text.md_escape("init_rnn_state") == "init_rnn_state"
    assert feedback_text.md_escape("__init__ *x* <b> `a`") == r"\_\_init\_\_ \*x\* \<b\> \`a\`"
    assert feedback_text.md_escape("f([[1, 2], [3]]) #1") == "f([[1, 2], [3]]) #1"
    assert feedback_text.md_escape("# [a](b)") == r"\# \[a\](b)"


def test_nbgrader_failing_cells_are_written_by_the_same_renderer():
    raw = harness_message()
    shown = CheckFailed(raw)._render_traceback_()
    assert shown == feedback_message(raw).split("\n")
    assert shown[0].startswith("CheckFailed: softmax(X)")
    assert "\n".join(shown).removeprefix("CheckFailed: ") == feedback_text.text(raw)
    assert str(CheckFailed(raw)) == raw                              # the cell's error value stays the message


# --- the book's pages -----------------------------------------------------------------------------------------------

def test_every_section_links_to_both_books():
    for number, (zh_title, en_number, en_title) in book.SECTIONS.items():
        found = links(number)
        assert re.fullmatch(r"https://zh\.d2l\.ai/chapter_[a-z-]+/[a-z0-9-]+\.html", found["zh"]["url"]), number
        assert re.fullmatch(r"https://d2l\.ai/chapter_[a-z-]+/[a-z0-9-]+\.html", found["en"]["url"]), number
        assert (found["zh"]["title"], found["en"]["number"], found["en"]["title"]) == (zh_title, en_number, en_title)
    assert links("3.6.2")["zh"]["url"] == "https://zh.d2l.ai/chapter_linear-networks/softmax-regression-scratch.html"
    assert links("10.2")["zh"]["url"].endswith("/chapter_attention-mechanisms/nadaraya-waston.html")  # sic, the book's
    assert links("9.1")["en"]["url"] == "https://d2l.ai/chapter_recurrent-modern/gru.html"            # d2l.ai 10.2
    zh_counts = {ch: sum(k.split(".")[0] == ch for k in book.SECTIONS) for ch in ZH_PAGES}
    assert all(len(ZH_PAGES[ch][1]) >= n for ch, n in zh_counts.items())
    assert {s[1].split(".")[0] for s in book.SECTIONS.values()} <= set(EN_PAGES)


# --- the model: order, totals, skipped checks, contract --------------------------------------------------------------

def mixed_records():
    """ch10 before ch2 in the records (string order), a failing and a passing exercise in ch2, a skipped GPU
    check in ch4."""
    fail = check("ch2", "dot")
    records = [record(c, "passed") for c in load_chapter("ch10") if c.exercise.label == "sequence_mask"]
    records += [record(c, "failed" if c is fail else "passed", harness_message() if c is fail else "")
                for c in load_chapter("ch2") if c.exercise.label in ("dot", "cumsum")]
    records += [record(c, "skipped" if c.gpu else "passed",
                       "GPU check skipped: no CUDA device on this machine" if c.gpu else "")
                for c in load_chapter("ch4") if c.exercise.label == "dropout_layer"]
    return records, fail


def test_chapters_in_book_order_failing_exercises_first_and_skipped_checks_out_of_the_totals(tmp_path):
    records, fail = mixed_records()
    report = build(grade_of(records))
    assert [ch.chapter for ch in report.chapters] == ["ch2", "ch4", "ch10"]
    ch2 = report.chapters[0]
    assert [e.label for e in ch2.exercises] == ["dot", "cumsum"]              # dot fails, so it comes first
    assert ch2.exercises[0].checks[0].name == fail.name                       # the failing check first
    ch4 = report.chapters[1]
    gpu = [c for c in load_chapter("ch4") if c.exercise.label == "dropout_layer" and c.gpu]
    assert len(ch4.skipped_checks) == len(gpu) == 1
    assert ch4.worth == sum(r["points"] for r in records if r["chapter"] == "ch4" and r["outcome"] != "skipped")
    assert report.max_score == sum(ch.worth for ch in report.chapters)
    write_feedback(grade_of(records), tmp_path, plots=False)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert index.index("id='ch2'") < index.index("id='ch4'") < index.index("id='ch10'")
    text = visible_text(index)
    assert "GPU check skipped: no CUDA device on this machine" in text and "Not counted" in text
    assert f"{ch4.earned:g} / {ch4.worth:g} points" in text
    first = feedback_text.parse(harness_message()).first_line
    assert words(first) in text                                                # the failing message, one line
    md = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert md.index("ch2 ") < md.index("ch4 ") < md.index("ch10 ") and words(first) in unescape_md(md)


def test_the_contract_is_the_stubs_docstring():
    c = contract("ch3", "softmax_regression", "softmax")
    tree = ast.parse((REPO_ROOT / "exercises/ch3/softmax_regression.py").read_text(encoding="utf-8"))
    node = next(n for n in tree.body if getattr(n, "name", "") == "softmax")
    assert (c.signature, c.docstring) == ("def softmax(X)", ast.get_docstring(node))
    cls = contract("ch3", "softmax_regression", "Accumulator")
    assert cls.signature == "class Accumulator" and "add(self, *args)" in cls.methods
    assert contract("ch3", "softmax_regression", "no_such_thing") is None


def test_every_page_says_the_same_as_results_json_and_nbgrader(tmp_path):
    records, fail = mixed_records()
    grade = grade_of(records, notes=["a note for the student"], output="hello from the code\n")
    write_all(grade, tmp_path)
    data = valid_results_json(tmp_path / "results.json")
    assert data["output_format"] == data["test_output_format"] == "md"
    assert "a note for the student" in data["output"] and "hello from the code" in data["output"]
    assert "GPU check skipped" in data["output"]                           # named under "Not counted"
    failed = next(r for r in records if r["outcome"] == "failed")
    test = next(t for t in data["tests"] if t["number"] == failed["id"])
    assert test["output"] == feedback_text.markdown(failed["message"]) and test["output_format"] == "md"
    page = tmp_path / "feedback" / "ch2" / "dot"
    text_html = visible_text(page.with_suffix(".html").read_text(encoding="utf-8"))
    text_md = unescape_md(page.with_suffix(".md").read_text(encoding="utf-8"))
    text_nb = feedback_message(failed["message"])
    for part in feedback_text.parse(failed["message"]).parts:
        if part.kind in ("text", "pair", "hint"):
            for where, text in (("html", text_html), ("md", text_md), ("results.json", unescape_md(test["output"])),
                                ("nbgrader", text_nb)):
                assert words(part.text) in words(text), (where, part.text)


def test_exercise_page_cards_say_pass_fail_skip_in_words(tmp_path):
    records, _ = mixed_records()
    write_feedback(grade_of(records), tmp_path, plots=False)
    page = (tmp_path / "ch4" / "dropout_layer.html").read_text(encoding="utf-8")
    assert "class='card skipped'" in page and ">Skipped</span>" in page and ">Passed</span>" in page
    assert "not counted" in visible_text(page)
    dot = (tmp_path / "ch2" / "dot.html").read_text(encoding="utf-8")
    assert "class='card failed'" in dot and ">Failed</span>" in dot
    assert "<h2 id='contract'>Contract</h2>" in dot and "def dot(" in dot
    assert "https://zh.d2l.ai/chapter_preliminaries/linear-algebra.html" in dot
    assert "https://d2l.ai/chapter_preliminaries/linear-algebra.html" in dot
    assert "<script" not in dot and "http://" not in dot and "<link" not in dot     # self-contained
    assert "Noto Sans CJK SC" in dot and "lang='zh-Hans'" in dot


def test_a_stopped_grading_says_so():
    records, _ = mixed_records()
    report = build(grade_of(records, stopped=True))
    from autograder.grading.feedback_html import index_page
    assert "Grading was stopped before the end" in index_page(report)


# --- curves: names, threshold, plots ---------------------------------------------------------------------------------

def test_curve_keys_round_trip_and_old_keys_still_read():
    key = curve_key("test accuracy of x", names=("train loss", "test acc"), threshold=0.8, threshold_on="test acc")
    what, meta = parse_curve_key(key)
    assert what == "test accuracy of x" and meta["names"] == ["train loss", "test acc"]
    assert meta["threshold"] == {"value": 0.8, "sense": ">=", "on": "test acc"}
    assert parse_curve_key("test accuracy of x") == ("test accuracy of x", {})
    assert list(plain_curves({key: [(1, 0.5)]})) == [key]                     # records keep the key as it is


@pytest.mark.parametrize("what,budget,curve,history,names,on", [
    ("test accuracy of your lenet() trained by your train_ch6", "5 epochs", [(1.0, 0.5, 0.6)], whole_run,
     ("train loss", "train acc", "test acc"), "test acc"),
    ("test accuracy of your concise softmax regression", "10 epochs", [(0.6, 0.8)], accuracy_curve,
     ("train loss", "test acc"), "test acc"),
    ("the training perplexity of the character-level RNN", "20 epochs of train_ch8", [12.0, 9.0], whole_run,
     ("perplexity",), "perplexity"),
    ("the 5-fold mean validation log-rmse of your k_fold", "100 epochs", [[0.12, 0.16]], whole_run,
     ("train log rmse", "valid log rmse"), "valid log rmse"),
    ("the largest error of the learned w, b against w=[2, -3.4], b=4.2", "3 epochs", [[0.01, 0.02]], whole_run,
     ("w error", "b error"), "all"),
    ("the loss of the book's loop in epoch 5, as a fraction of epoch 1's", "5 epochs", [3.0, 1.0],
     lambda run: run, ("train loss",), None),
    ("a tagger: the lower of its accuracies", "200 Adam steps", [2.0, 1.0], lambda run: run,
     ("recorded value",), None),
])
def test_existing_calls_get_the_books_names_by_default(what, budget, curve, history, names, on):
    found = curve_description(what, budget, curve, history, threshold=0.5)
    assert found["names"] == names and found["threshold_on"] == on
    explicit = curve_description(what, budget, curve, history, names=("train loss",), threshold_on=None, x="step")
    assert (explicit["names"], explicit["threshold_on"], explicit["x"]) == (("train loss",), None, "step")
    assert curve_names(what, curve, history) == names


@pytest.mark.parametrize("what,curve,history,value,names,on", [
    # ch6: train_ch6's own history (a custom history), the metric recomputed from the predictions
    ("test accuracy (from the trained net's predictions) of your lenet() trained by your train_ch6",
     [(2.3, 0.1, 0.2), (1.0, 0.6, 0.65)], lambda run: run["history"], 0.651, ("train loss", "train acc", "test acc"),
     "test acc"),
    # ch7: the accuracies computed in the judge; the metric is the last of them
    ("test accuracy of lenet_bn() with your BatchNorm and batch_norm", [0.4, 0.6], lambda run: run, 0.6,
     ("test acc",), "test acc"),
    # ch3 §3.2: the curve is the metric itself
    ("the largest error of w, b against w=[2, -3.4], b=4.2, learned by the book's loop", [0.01], lambda run: [run],
     0.01, ("largest w, b error",), "largest w, b error"),
    # ch8: the perplexity the student's train_ch8 reported, the metric recomputed (close, not equal)
    ("the training perplexity of your rnn", [12.0, 9.0], lambda run: run, 9.0004, ("perplexity",), "perplexity"),
    # ch10: a tagger's losses, the metric an accuracy: no accuracy names, no threshold line
    ("a one-layer self-attention tagger built from your MultiHeadAttention: the lower of its accuracies on x",
     [2.0, 1.0], lambda run: run["losses"], 0.95, ("recorded value",), None),
    # ch10 §10.2: a ratio of two losses
    ("the loss of the book's loop in epoch 5, as a fraction of epoch 1's", [3.0, 1.0], lambda run: run, 0.33,
     ("train loss",), None),
])
def test_custom_histories_are_named_and_the_threshold_found_from_the_metric(what, curve, history, value, names, on):
    found = curve_description(what, "5 epochs", curve, history, threshold=0.5, value=value)
    assert found["names"] == names and found["threshold_on"] == on


def test_the_curve_is_recorded_even_when_the_metric_fails():
    from autograder.harness import train as train_module
    added = {}

    def bad_metric(run):
        raise AssertionError("the predictions have the wrong shape")
    with mock.patch.object(train_module, "student_side", lambda fn, *a: fn(*a)), \
            mock.patch.object(train_module, "add_curve", lambda k, v: added.update({k: v})):
        with pytest.raises(AssertionError, match="wrong shape"):
            train_module.train_to_threshold(lambda: [(1.0, 0.5, 0.6)], metric=bad_metric, threshold=0.5,
                                            what="test accuracy of x", budget="1 epoch")
    (key, curve), = added.items()
    assert curve == [(1.0, 0.5, 0.6)] and parse_curve_key(key)[1]["names"] == ["train loss", "train acc", "test acc"]


def keyed(what, names, curve, threshold=0.8, on="test acc", higher=True):
    return {curve_key(what, names=names, threshold=threshold, threshold_on=on, higher_is_better=higher): curve}


def test_plot_puts_both_curves_on_the_same_axes_with_the_threshold(tmp_path):
    what = "test accuracy of your concise softmax regression"
    student = keyed(what, ("train loss", "test acc"), [[1.9, 0.65], [1.4, 0.68], [1.2, 0.72]])
    reference = keyed(what, ("train loss", "train acc", "test acc"), [[0.8, 0.7, 0.77], [0.6, 0.8, 0.81],
                                                                    [0.5, 0.83, 0.82]])
    found = plots.panels(student, reference)
    assert len(found) == 1 and found[0].names == ["train loss", "test acc", "train acc"]
    fig = plots.figure(found)
    accuracy_axes, loss_axes = fig.axes
    assert accuracy_axes.get_ylabel() == "accuracy" and loss_axes.get_ylabel() == "loss"
    styles = {(line.get_color(), line.get_linestyle()) for line in accuracy_axes.get_lines()}
    green = plots.colour("test acc", found[0].names)
    assert {(green, "-"), (green, "--")} <= styles                          # same colour, yours solid, theirs dashed
    assert any(list(line.get_ydata()) == [0.8, 0.8] for line in accuracy_axes.get_lines())    # the threshold
    assert any("threshold: test acc at least 0.8" in t.get_text() for t in accuracy_axes.texts)
    legend = [t.get_text() for leg in accuracy_axes.findobj(lambda a: a.__class__.__name__ == "Legend")
              for t in leg.get_texts()]
    assert {"test acc", "train acc", "your code", "reference", "threshold"} <= set(legend)
    assert "series" not in " ".join(legend) and accuracy_axes.get_xlabel() == "epoch"
    summary = plots.plot_check(student, reference, tmp_path / "p.png")
    import matplotlib.image
    assert matplotlib.image.imread(tmp_path / "p.png").shape[:2] == (round(plots.DPI * (2 * plots.ROW_IN + 0.3)),
                                                                      round(plots.DPI * plots.WIDTH_IN))
    assert "test acc: yours 0.72, reference 0.82" in summary.alt and "Threshold: test acc at least 0.8" in summary.alt


def test_plot_without_a_curve_from_the_student_says_why(tmp_path):
    reference = keyed("the training perplexity of the RNN", ("perplexity",), [20.0, 14.0, 10.0], threshold=12.5,
                      on="perplexity", higher=False)
    reason = "not implemented yet: rnn (§8.5.4)"
    fig = plots.figure(plots.panels({}, reference), reason)
    notes = [t.get_text().replace("\n", " ") for t in fig.axes[0].texts]
    assert any(f"Your code produced no curve: {reason}" in n for n in notes)
    summary = plots.plot_check({}, reference, tmp_path / "p.png", reason=reason)
    assert (tmp_path / "p.png").stat().st_size > 1000 and f"No curve from your code ({reason})" in summary.alt
    assert plots.plot_check({}, {}, tmp_path / "none.png") is None and not (tmp_path / "none.png").exists()


def test_single_results_are_bars_and_errors_far_under_the_threshold_on_a_log_scale():
    what = "the largest error of the learned w, b against w=[2, -3.4], b=4.2"
    student = keyed(what, ("w error", "b error"), [[0.0009, 0.0013]], threshold=0.05, on="all", higher=False)
    reference = keyed(what, ("w error", "b error"), [[0.0007, 0.0012]], threshold=0.05, on="all", higher=False)
    ax = plots.figure(plots.panels(student, reference)).axes[0]
    assert len(ax.patches) == 4 and ax.get_yscale() == "log" and ax.get_ylabel() == "error"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["w error", "b error"]


def test_old_curves_without_names_are_named_from_what_they_measure():
    found = plots.panels({"test accuracy of your lenet()": [[1.0, 0.5, 0.6], [0.8, 0.6, 0.7]]}, {})
    assert found[0].names == ["train loss", "train acc", "test acc"] and found[0].threshold is None


def test_accuracy_pages_show_the_plot_with_words_for_it(tmp_path):
    c = check("ch3", "concise_classifier", kind="accuracy")
    what = "test accuracy of your concise softmax regression"
    r = record(c, "failed", f"{what} reached 0.7239 after 10 epochs; it needs at least 0.8",
               curves=keyed(what, ("train loss", "test acc"), [(1.9, 0.65), (1.5, 0.70)]))
    stub = record(check("ch3", "sgd", kind="accuracy"), "failed", "not implemented yet: sgd (§3.2.6)")
    reference = {c.id: keyed(what, ("train loss", "test acc"), [(0.8, 0.77), (0.6, 0.80)]),
                 stub["id"]: keyed("the largest error of the learned w, b", ("w error", "b error"), [[0.001, 0.001]],
                                   threshold=0.05, on="all", higher=False)}
    write_feedback(grade_of([r, stub], reference_curves=reference), tmp_path)
    page = (tmp_path / "ch3" / "concise_classifier.html").read_text(encoding="utf-8")
    image = f"concise_classifier-{c.name}.png"
    assert f"<img src='{image}'" in page and (tmp_path / "ch3" / image).exists()
    assert "alt='Training curves of test accuracy of your concise softmax regression." in page
    assert image in (tmp_path / "ch3" / "concise_classifier.md").read_text(encoding="utf-8")
    sgd = (tmp_path / "ch3" / "sgd.html").read_text(encoding="utf-8")
    assert "No result from your code (not implemented yet: sgd (§3.2.6))" in html.unescape(sgd)


def test_a_check_that_records_no_curve_by_design_says_so_instead_of_a_missing_plot(tmp_path):
    c = check("ch4", "polynomial_regression.train", "poly_train_third_order")   # history=lambda run: []
    what = "the largest distance of the third-order fit's weights from [5, 1.2, -3.4, 5.6]"
    empty = {curve_key(what, names=("recorded value",), threshold=0.1, higher_is_better=False): []}
    r = record(c, "passed", curves=empty)
    write_feedback(grade_of([r], reference_curves={c.id: empty}), tmp_path)
    page = html.unescape((tmp_path / "ch4" / f"{c.exercise.label}.html").read_text(encoding="utf-8"))
    assert "This check measures one number" in page and "<img" not in page
    assert not list((tmp_path / "ch4").glob("*.png"))
