"""The book's training loops that students get ready-made, and a fast minibatch iterator.

The loops take the student's pieces as arguments (``train_epoch_ch3``,
``evaluate_accuracy``) so that the same loop trains the reference and the
student's code.
"""
from __future__ import annotations

import torch


class TensorBatches:
    """Minibatches of in-memory tensors, reshuffled on every pass when ``shuffle``.

    Much faster than a ``DataLoader`` over a ``TensorDataset`` (one slice per
    batch instead of one index per example); ``generator`` makes the order
    reproducible.
    """

    def __init__(self, tensors, batch_size, shuffle=True, generator=None):
        self.tensors = tuple(tensors)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        n = len(self.tensors[0])
        return (n + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        n = len(self.tensors[0])
        order = torch.randperm(n, generator=self.generator) if self.shuffle else None
        for i in range(0, n, self.batch_size):
            if order is None:
                yield tuple(t[i:i + self.batch_size] for t in self.tensors)
            else:
                idx = order[i:i + self.batch_size]
                yield tuple(t[idx] for t in self.tensors)


def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater, train_epoch_ch3, evaluate_accuracy,
              animator=None):
    """Train a model (§3.6.6) with the given epoch function and evaluator.

    Returns the history: one ``(train_loss, train_acc, test_acc)`` per epoch.
    """
    history = []
    for epoch in range(num_epochs):
        train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        history.append((train_loss, train_acc, test_acc))
        if animator is not None:
            animator.add(epoch + 1, (train_loss, train_acc, test_acc))
    return history
