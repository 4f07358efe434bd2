"""§4.4 模型选择、欠拟合和过拟合 (d2l.ai §3.6 Generalization)."""
import math

import torch
from torch import nn

from d2lkit import TensorBatches


def polynomial_features(x, max_degree):
    """The book's polynomial features (§4.4.4): column ``i`` holds ``x**i / i!`` for ``i < max_degree``.

    ``x``: float tensor of shape ``(n, 1)`` (the book's features) or ``(n,)``.
    Returns ``(n, max_degree)`` in ``x``'s dtype (the book computes in NumPy and
    returns float32; here float64 stays float64); column 0 is all ones. Dividing
    by ``i!`` keeps the large powers from exploding the gradients.
    """
    powers = torch.arange(max_degree, device=x.device)
    factorials = torch.tensor([math.factorial(i) for i in range(max_degree)], dtype=x.dtype, device=x.device)
    return x.reshape(-1, 1) ** powers / factorials


def evaluate_loss(net, data_iter, loss):
    """Mean loss of ``net`` over ``data_iter`` (§4.4.4), as a Python float.

    For each batch ``(X, y)``: reshape ``y`` like ``net(X)``, compute
    ``l = loss(out, y)``, add ``l.sum()`` and ``l.numel()`` to the totals; return
    total / count. With a per-example loss (``reduction='none'``) this is the mean
    over all loss entries (one per output of every example). No gradients are
    recorded (``torch.no_grad()``; the book's version builds a graph it never uses).
    """
    total, count = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            out = net(X)
            l = loss(out, y.reshape(out.shape))
            total, count = total + l.sum().item(), count + l.numel()
    return total / count


def train(train_features, test_features, train_labels, test_labels, num_epochs=400):
    """Fit a linear model without bias to polynomial features (§4.4.4); returns ``(w, train_loss, test_loss)``.

    The book's setup: ``nn.Linear(d, 1, bias=False)`` (the constant feature is
    the bias), squared loss ``nn.MSELoss(reduction='none')`` averaged over each
    minibatch before ``backward``, ``torch.optim.SGD`` with lr 0.01, minibatches
    of ``min(10, n_train)`` examples reshuffled every epoch (``d2lkit.TensorBatches``),
    ``num_epochs`` epochs. ``w`` is the learned weight as a float32 tensor of
    shape ``(d,)`` (the book prints ``net[0].weight.data``, of shape ``(1, d)``);
    the two losses are ``evaluate_loss`` on the training and test data after
    training, as Python floats. The book prints the weight and plots the losses;
    here they are returned so that they can be checked.
    """
    loss = nn.MSELoss(reduction="none")
    net = nn.Linear(train_features.shape[-1], 1, bias=False)
    batch_size = min(10, train_labels.shape[0])
    train_iter = TensorBatches((train_features, train_labels.reshape(-1, 1)), batch_size)
    test_iter = TensorBatches((test_features, test_labels.reshape(-1, 1)), batch_size, shuffle=False)
    trainer = torch.optim.SGD(net.parameters(), lr=0.01)
    for _ in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            loss(net(X), y).mean().backward()
            trainer.step()
    return (net.weight.detach().reshape(-1), evaluate_loss(net, train_iter, loss),
            evaluate_loss(net, test_iter, loss))
