"""Train to a threshold: a fixed seed and budget, the student's pieces in the book's loop."""
from __future__ import annotations

import contextlib
import dataclasses
import time

import torch

from autograder.harness.loader import reference
from autograder.harness.registry import seed_everything
from d2lkit import TensorBatches, fashion_mnist_tensors, train_ch3

# Training curves of the checks run in this process, by metric name: the grader plots them.
CURVES: dict[str, list] = {}


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


def train_to_threshold(train, *, metric, threshold: float, what: str, budget: str, seed: int = 0,
                       higher_is_better: bool = True, reference_value: float | None = None) -> TrainResult:
    """Run ``train()`` under ``seed``, read ``metric(history)`` and fail below ``threshold``.

    ``budget`` says what the run was allowed ("5 epochs on 10,000 images"), and
    ``reference_value`` what the reference reaches on that budget; both go in the message.
    """
    seed_everything(seed)
    start = time.perf_counter()
    with single_thread():
        history = train()
    seconds = time.perf_counter() - start
    value = float(metric(history))
    CURVES[what] = list(history)
    ok = value >= threshold if higher_is_better else value <= threshold
    if not ok:
        sense = "at least" if higher_is_better else "at most"
        ref = f"; the reference reaches {reference_value:.3f}" if reference_value is not None else ""
        raise AssertionError(f"{what} reached {value:.4f} after {budget}; it needs {sense} {threshold:g}{ref}")
    return TrainResult(value, history, seconds)


def fashion_mnist_history(net, loss, updater, *, epochs: int = 10, batch_size: int = 256, train_epoch=None,
                          evaluate=None) -> list:
    """The book's §3.6 loop (``d2lkit.train_ch3``) on all of Fashion-MNIST, in memory, batches in a fixed order.

    ``train_epoch`` and ``evaluate`` default to the chapter-3 references; pass the student's to grade them.
    Returns the history: ``(train_loss, train_acc, test_acc)`` per epoch.
    """
    (X, y), (X_test, y_test) = fashion_mnist_tensors(True), fashion_mnist_tensors(False)
    return train_ch3(net, TensorBatches((X, y), batch_size, generator=torch.Generator().manual_seed(0)),
                     TensorBatches((X_test, y_test), 1000, shuffle=False), loss, epochs, updater,
                     train_epoch or reference("ch3.softmax_regression.train_epoch_ch3"),
                     evaluate or reference("ch3.softmax_regression.evaluate_accuracy"))
