"""The shared harness: messages, forbidden calls, speed, gradients, data, loader."""
import os
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F

from autograder.harness import (Forbidden, assert_close, assert_fast_enough, assert_gradients_match,
                                assert_matches_reference, assert_no_forbidden_calls, assert_unchanged, randn)

SOFTMAX = Forbidden("softmax", functions=(torch.softmax, F.softmax, torch.Tensor.softmax), aten=("_softmax",))


def test_assert_close_message_names_input_index_and_values():
    with pytest.raises(AssertionError) as e:
        assert_close(torch.tensor([1.0, 2.0, 3.5]), torch.tensor([1.0, 2.0, 3.0]), what="f(x)")
    text = str(e.value)
    assert "f(x) is wrong" in text and "index (2,)" in text and "expected 3" in text and "got 3.5" in text


@pytest.mark.parametrize("got,fragment", [
    (torch.zeros(2, 3), "has shape (2, 3), expected (3,)"),
    (torch.zeros(3, dtype=torch.float64), "has dtype torch.float64"),
    ([0.0, 0.0, 0.0], "should be a torch.Tensor"),
    (torch.tensor([0.0, float("nan"), 0.0]), "has NaN"),
])
def test_assert_close_reports_kind_of_mismatch(got, fragment):
    with pytest.raises(AssertionError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        assert_close(got, torch.zeros(3), what="f(x)")


def test_assert_unchanged_catches_in_place_edits():
    def bad(X):
        X.sub_(1)
        return X
    with pytest.raises(AssertionError, match="in place"):
        assert_unchanged(bad, torch.ones(3), what="bad(X)")


@pytest.mark.parametrize("impl", [
    lambda X: torch.softmax(X, 1),
    lambda X: X.softmax(1),
    lambda X: F.softmax(X, dim=1),
    lambda X: torch.nn.Softmax(dim=1)(X),
    lambda X: torch.ops.aten._softmax(X, 1, False),
])
def test_forbidden_calls_cannot_be_dodged(impl):
    with pytest.raises(AssertionError, match="must not use softmax"):
        assert_no_forbidden_calls(impl, torch.randn(3, 4), forbidden=SOFTMAX, what="softmax")


def test_allowed_code_passes_forbidden_check():
    out = assert_no_forbidden_calls(lambda X: X.exp() / X.exp().sum(1, keepdim=True), torch.randn(3, 4),
                                    forbidden=SOFTMAX, what="softmax")
    assert out.shape == (3, 4)


def test_speed_check_catches_a_python_loop():
    inputs = lambda seed: (randn((3000, 10), seed),)  # noqa: E731
    looped = lambda X: torch.stack([row.exp() / row.exp().sum() for row in X])  # noqa: E731
    vectorised = lambda X: X.exp() / X.exp().sum(1, keepdim=True)  # noqa: E731
    with pytest.raises(AssertionError, match="too slow"):
        assert_fast_enough(looped, vectorised, inputs, limit=5, what="softmax")
    assert assert_fast_enough(vectorised, vectorised, inputs, limit=5, what="softmax") < 5


def test_speed_check_verifies_every_timed_output():
    calls = []

    def cached(X):      # right on the first input, then the same answer again and again
        calls.append(X)
        return calls[0].exp() / calls[0].exp().sum(1, keepdim=True)
    vectorised = lambda X: X.exp() / X.exp().sum(1, keepdim=True)  # noqa: E731
    with pytest.raises(AssertionError, match="timing input #"):
        assert_fast_enough(cached, vectorised, lambda seed: (randn((300, 10), seed),), limit=5, what="softmax")


def test_gradients_compare_and_detect_detach():
    ref = lambda x: (x ** 2).sum(1)  # noqa: E731
    assert_gradients_match(lambda x: (x * x).sum(1), ref, (randn((3, 4)),), what="f")
    with pytest.raises(AssertionError, match="no gradient flows"):
        assert_gradients_match(lambda x: (x.detach() ** 2).sum(1), ref, (randn((3, 4)),), what="f")
    with pytest.raises(AssertionError, match="gradient of f"):
        assert_gradients_match(lambda x: (x ** 3).sum(1), ref, (randn((3, 4)),), what="f")


def test_matches_reference_reports_seed():
    with pytest.raises(AssertionError, match=r"seed 1"):
        assert_matches_reference(lambda x: x * 2, lambda x: x * 2 + (x.sum() > 100) + 0,
                                 lambda s: (randn((2,), s) * (1 if s == 0 else 1000),), what="f", seeds=(0, 1))


def test_missing_data_gives_one_clear_message(tmp_path):
    code = "from d2lkit import read_fashion_mnist; read_fashion_mnist(True)"
    env = {**os.environ, "D2L_DATA_DIR": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path), "D2L_NO_DOWNLOAD": "1",
           "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode != 0
    assert "Fashion-MNIST was not found" in proc.stderr and "D2L_DATA_DIR" in proc.stderr


def test_data_dir_is_read(tmp_path):
    from d2lkit import data_file
    (tmp_path / "timemachine.txt").write_text("x")
    old = os.environ.get("D2L_DATA_DIR")
    os.environ["D2L_DATA_DIR"] = str(tmp_path)
    try:
        assert data_file("timemachine.txt") == tmp_path / "timemachine.txt"
    finally:
        if old is None:
            del os.environ["D2L_DATA_DIR"]
        else:
            os.environ["D2L_DATA_DIR"] = old


def test_read_fashion_mnist_shapes():
    from d2lkit import read_fashion_mnist
    images, labels = read_fashion_mnist(False)
    assert images.shape == (10000, 28, 28) and images.dtype == torch.uint8
    assert labels.shape == (10000,) and labels.dtype == torch.int64 and set(labels.unique().tolist()) == set(range(10))


def test_a_reference_sent_in_place_retires_its_worker():
    """Pickling an ``InPlace`` marks the session, and the judge then ends that worker after the check (on CUDA a
    worker otherwise serves the next checks: a later check of the exercise it answers must not find it)."""
    from autograder.harness.session import InPlace, Session
    session = Session(link=None)
    assert not session.sent_in_place
    session.dumps({"Inception": InPlace("ch7.googlenet.Inception")}, [])
    assert session.sent_in_place


def test_a_reference_goes_in_place_only_after_the_unit_checks_of_its_exercise():
    """In the grader's running order, every unit check of an exercise runs before a check that sends its reference
    in place (``substitute=`` and ch7's stand-ins): a piece the student's code met there cannot help its own checks."""
    from autograder.checks.hidden import ch7
    from autograder.grading.judging import in_running_order
    from autograder.harness.registry import available_chapters, load_chapter
    from autograder.harness.session import InPlace
    sent = 0
    for chapter in available_chapters():
        checks = in_running_order(load_chapter(chapter))
        unit = {}
        for i, c in enumerate(checks):
            if c.kind == "correctness":
                unit.setdefault(c.exercise.target, []).append(i)
        for i, c in enumerate(checks):
            pieces = [v for v in c.substitute.values() if isinstance(v, InPlace)] if isinstance(c.substitute, dict) \
                else []
            pieces += list(ch7.STAND_INS.get(c.exercise.name, {}).values()) if chapter == "ch7" else []
            for piece in pieces:
                if piece.target.startswith(chapter + "."):
                    sent += 1
                    assert max(unit[piece.target]) < i, f"{c.id} sends {piece.target} before its unit checks ran"
    assert sent > 20
