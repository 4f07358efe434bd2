"""Train to a threshold: a fixed seed and budget, the student's pieces in the book's loop, verdicts in the judge.

The training runs where the code under test lives (``student_side``); what comes back is the
history the student's loop reported and the trained model's predictions on inputs the judge
chose. The judge computes the metric itself from those predictions (the labels never leave it),
and a metric that the student's code reported must agree with the judge's computation: a number
that was not really computed (a constant, a copy of the threshold) fails.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import re
import time

import torch

from autograder.harness.context import add_curve, student_side
from autograder.harness.registry import seed_everything
from d2lkit import TensorBatches, fashion_mnist_tensors


@contextlib.contextmanager
def single_thread():
    """Run on one CPU thread: small models train as fast or faster, the numbers are the same on every
    machine, and a busy machine does not slow them down a hundredfold (threads waiting for each other)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@dataclasses.dataclass
class TrainResult:
    value: float        # the final metric
    history: list       # one entry per epoch (whatever the loop returns)
    seconds: float
    run: object = None  # everything the training returned


def sgd_updater(params, lr):
    """The book's function updater (§3.6.6, §8.5.6): ``updater(batch_size)`` does ``p -= lr * p.grad / batch_size``
    and zeroes the gradient, for each of ``params`` (check code: not the student's ``sgd``)."""
    def updater(batch_size):
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad / batch_size
                p.grad.zero_()
    return updater


def _seeded(train, seed):
    seed_everything(seed)
    with single_thread():
        return train()


def whole_run(run):
    """The default ``history`` of ``train_to_threshold``: what the training returned is the per-epoch curve."""
    return run


def train_to_threshold(train, *, metric, threshold: float, what: str, budget: str, seed: int = 0,
                       higher_is_better: bool = True, reference_value: float | None = None,
                       history=whole_run, names: tuple | None = None, threshold_on: str | None = "auto",
                       x: str | None = None) -> TrainResult:
    """Run ``train()`` under ``seed`` where the code under test lives, compute ``metric(run)`` here, and fail on
    the wrong side of ``threshold``.

    ``history(run)`` picks the per-epoch curve that the feedback plots; ``budget`` says what the run was allowed
    ("5 epochs on 10,000 images"), and ``reference_value`` what the reference reaches on that budget.
    How the feedback labels the curve: ``names`` says what each position of an epoch's entry is, as the book's
    loops name them (``("train loss", "train acc", "test acc")``, ``("perplexity",)``); ``threshold_on`` which
    of them ``threshold`` applies to (``"all"``: each of them; ``None``: the metric is not a value of the curve,
    e.g. a ratio, so no threshold line is drawn); ``x`` what one entry is (``"epoch"``). Left out, they are
    inferred from ``what``, ``budget``, ``history`` and the length of an entry (``curve_description``).
    """
    start = time.perf_counter()
    run = student_side(_seeded, train, seed)
    seconds = time.perf_counter() - start
    curve = list(history(run))
    try:                                   # the value first (it tells which position the threshold is on) ...
        value, failure = float(metric(run)), None
    except BaseException as e:  # noqa: BLE001  ... but the curve is recorded even when the metric fails
        value, failure = None, e
    add_curve(curve_key(what, **curve_description(what, budget, curve, history, names=names,
                                                  threshold=threshold, higher_is_better=higher_is_better,
                                                  threshold_on=threshold_on, x=x, value=value)), curve)
    if failure is not None:
        raise failure
    ok = value >= threshold if higher_is_better else value <= threshold
    if not ok:
        sense = "at least" if higher_is_better else "at most"
        ref = f"; the reference reaches {reference_value:.3f}" if reference_value is not None else ""
        raise AssertionError(f"{what} reached {value:.4f} after {budget}; it needs {sense} {threshold:g}{ref}")
    return TrainResult(value, curve, seconds, run)


# --- what a curve is: carried in its key, so that records keep their shape {what: [entry per epoch]} -------------

CURVE_META = " #curve "


def curve_key(what: str, *, names, x: str = "epoch", threshold: float | None = None, higher_is_better: bool = True,
              threshold_on: str | None = None) -> str:
    """``what`` followed by `` #curve {json}``: the names of an entry's positions, the x unit and the threshold."""
    meta = {"names": [str(n) for n in names], "x": x}
    if threshold is not None:
        meta["threshold"] = {"value": float(threshold), "sense": ">=" if higher_is_better else "<=", "on": threshold_on}
    return f"{what}{CURVE_META}{json.dumps(meta, ensure_ascii=False, sort_keys=True)}"


def parse_curve_key(key: str) -> tuple[str, dict]:
    """``(what, meta)`` of a curve's key; ``meta`` is ``{}`` for a key written before curves had names."""
    what, sep, meta = str(key).rpartition(CURVE_META)
    if sep:
        try:
            found = json.loads(meta)
        except ValueError:
            found = None
        if isinstance(found, dict) and isinstance(found.get("names"), list):
            return what, found
    return str(key), {}


def _width(curve) -> int:
    """Numbers per entry: 1 for a curve of numbers, else the longest entry's length (0: no entry)."""
    widths = [len(e) if isinstance(e, (tuple, list)) else 1 for e in curve]
    return max(widths, default=0)


# (entry width, words of `what` one of which must occur, names): the book's loops, most specific first
_BOOK_LOOPS = (
    (3, ("accuracy",), ("train loss", "train acc", "test acc")),          # train_ch3, train_ch6
    (2, ("accuracy",), ("train loss", "test acc")),                       # a loop that reports no train acc
    (2, ("log-rmse", "log rmse"), ("train log rmse", "valid log rmse")),  # §4.10 k_fold
    (2, ("w, b",), ("w error", "b error")),                                # §3.2 recovering w and b
    (1, ("w, b",), ("largest w, b error",)),
    (1, ("perplexity",), ("perplexity",)),                                # train_ch8
    (1, ("log-rmse", "log rmse"), ("train log rmse",)),
    (1, ("accuracy",), ("test acc",)),
    (1, ("loss",), ("train loss",)),
)
_THRESHOLD_WORDS = (("test acc", ("test accuracy",)),
                    ("valid log rmse", ("validation log-rmse", "validation log rmse")),
                    ("perplexity", ("perplexity",)), ("train loss", ("training loss",)), ("test acc", ("accuracy",)))


def curve_names(what: str, curve, history=whole_run) -> tuple:
    """The book's names for the positions of an entry, guessed from ``what`` and the entry's length."""
    width, words = _width(curve), what.lower()
    if history is accuracy_curve:
        return {3: ("train loss", "train acc", "test acc"), 2: ("train loss", "test acc")}.get(width, ("test acc",))
    # a history of its own may record something else than the accuracy the check is about (a tagger's losses):
    # accuracy names only where ``what`` starts by saying it measures an accuracy ("test accuracy of ...")
    measured = re.split(r" of |:|\(", words, maxsplit=1)[0]
    custom = history is not whole_run and "accura" not in measured
    for n, keys, names in _BOOK_LOOPS:
        if n == width and any(k in words for k in keys) and not (custom and "acc" in " ".join(names)):
            return names
    return ("recorded value",) if width <= 1 else tuple(f"value {i + 1}" for i in range(width))


def _last_equal(curve, names, value) -> str | None:
    """The name of the position whose last entry is ``value`` (the metric is that number of the curve), or None."""
    if value is None or not curve or not names:
        return None
    last = curve[-1] if isinstance(curve[-1], (tuple, list)) else [curve[-1]]
    for name, v in zip(names, last):
        try:
            if math.isclose(float(v), value, rel_tol=1e-9, abs_tol=1e-12):
                return name
        except (TypeError, ValueError):
            continue
    return None


def curve_description(what: str, budget: str, curve, history=whole_run, *, names=None, threshold=None,
                      higher_is_better=True, threshold_on="auto", x=None, value=None) -> dict:
    """The ``curve_key`` arguments of a ``train_to_threshold`` call: given ones kept, the others inferred
    (``value``: what the metric gave, where known: the threshold is on the position whose last entry it is)."""
    names = tuple(names) if names else curve_names(what, curve, history)
    if threshold_on == "auto":
        words = what.lower()
        threshold_on = _last_equal(curve, names, value)
        measured = re.split(r" of |:|\(", words, maxsplit=1)[0]
        if threshold_on is None and (history is whole_run or history is accuracy_curve
                                     or any(k in measured for _, keys in _THRESHOLD_WORDS for k in keys)):
            # the metric is a value of the curve (the book's loops report it), or ``what`` starts by naming it
            threshold_on = next((n for n, keys in _THRESHOLD_WORDS if n in names and any(k in words for k in keys)),
                                "all" if names and all(n.endswith("error") for n in names) else None)
    if x is None:
        x = "epoch" if history is accuracy_curve or "epoch" in f"{what} {budget}".lower() else "entry"
    return {"names": names, "x": x, "threshold": threshold, "higher_is_better": higher_is_better,
            "threshold_on": threshold_on}


def predict_labels(net, X, batch_size: int = 1000) -> torch.Tensor:
    """The class ``net`` predicts for each row of ``X`` (argmax of its outputs), in eval mode, without gradients."""
    if isinstance(net, torch.nn.Module):
        net.eval()
    with torch.no_grad():
        return torch.cat([net(X[i:i + batch_size]).argmax(dim=1) for i in range(0, len(X), batch_size)])


def optimizer_epoch(net, batches, loss, trainer):
    """One epoch with a ``torch.optim`` optimizer (the generic loop, for checks whose subject is not the loop):
    mean loss, backward, step. Returns the mean training loss."""
    if isinstance(net, torch.nn.Module):
        net.train()
    total, count = 0.0, 0
    for X, y in batches:
        trainer.zero_grad()
        l = loss(net(X), y)
        l.mean().backward()
        trainer.step()
        total, count = total + float(l.sum().detach()), count + l.numel()
    return total / max(count, 1)


def fashion_mnist_run(net, loss, updater, *, epochs: int = 10, batch_size: int = 256, train_epoch=None,
                      evaluate=None) -> dict:
    """Student side: the book's §3.6 loop on all of Fashion-MNIST (in memory, batches in a fixed order).

    ``train_epoch(net, batches, loss, updater)`` defaults to ``optimizer_epoch``; ``evaluate(net, test_batches)``
    (the student's ``evaluate_accuracy``, when it is part of what is graded) reports a test accuracy per epoch.
    Returns ``{"history": [(train_loss, train_acc or None, reported test_acc or None), ...],
    "predictions": [test-set predictions after each epoch]}``.
    """
    (X, y), (X_test, y_test) = fashion_mnist_tensors(True), fashion_mnist_tensors(False)
    train_iter = TensorBatches((X, y), batch_size, generator=torch.Generator().manual_seed(0))
    history, predictions = [], []
    for _ in range(epochs):
        metrics = (train_epoch or optimizer_epoch)(net, train_iter, loss, updater)
        metrics = tuple(metrics) if isinstance(metrics, (tuple, list)) else (metrics, None)
        reported = evaluate(net, TensorBatches((X_test, y_test), 1000, shuffle=False)) if evaluate else None
        history.append((*metrics[:2], reported))
        predictions.append(predict_labels(net, X_test))
    return {"history": history, "predictions": predictions}


def test_accuracies(run: dict) -> list[float]:
    """Judge side: the test accuracy after each epoch of a ``fashion_mnist_run``, from its predictions."""
    labels = fashion_mnist_tensors(False)[1]
    found = []
    for p in run["predictions"]:
        if not isinstance(p, torch.Tensor) or p.shape != labels.shape:
            raise AssertionError("the trained model's predictions on the test set have the wrong shape")
        found.append(float((p.to(labels.device) == labels).double().mean()))
    return found


def verified_test_accuracy(run: dict, *, last: int = 1, what: str = "test accuracy") -> float:
    """The mean test accuracy of the last ``last`` epochs, computed here; where the student's code reported a
    test accuracy too, it must be the same number."""
    accuracies = test_accuracies(run)
    for epoch, (entry, computed) in enumerate(zip(run["history"], accuracies), start=1):
        reported = entry[2] if len(entry) > 2 else None
        if reported is not None and not (isinstance(reported, float) and abs(reported - computed) < 1e-6):
            raise AssertionError(f"after epoch {epoch} your code reported a {what} of {reported!r}, but the model's "
                                 f"predictions on the test set are right for {computed:.4f} of the examples: "
                                 "the reported accuracy must be computed from the model's predictions")
    return sum(accuracies[-last:]) / len(accuracies[-last:])


def accuracy_curve(run: dict) -> list:
    """The per-epoch curve the feedback plots: the reported numbers, with the judge's test accuracy last."""
    return [(*[v for v in entry[:2] if v is not None], acc) for entry, acc in zip(run["history"], test_accuracies(run))]
