"""§4.5 权重衰减 (d2l.ai §3.7 Weight Decay)."""
import torch
from torch import nn
from d2lkit import TensorBatches


def init_params(num_inputs=200):
    """``[w, b]`` for linear regression (§4.5.3): ``w (num_inputs, 1)`` from N(0, 1), ``b (1,)`` zero.

    Both float32 leaf tensors with ``requires_grad=True``; ``w`` is drawn with
    torch's global random generator.
    """
    raise NotImplementedError("init_params (§4.5.3)")


def l2_penalty(w):
    """The L2 penalty ``||w||² / 2`` (§4.5.3): a 0-dim tensor that gradients flow through.

    Not ``torch.norm`` / ``linalg.norm``: square and sum.
    """
    raise NotImplementedError("l2_penalty (§4.5.3)")


def train(lambd, train_data, num_epochs=100, lr=0.003, batch_size=5):
    """Linear regression with weight decay, from scratch (§4.5.3); returns the trained ``[w, b]``.

    ``train_data`` is ``(X (n, d), y (n, 1))``. Start from this module's ``init_params(d)``;
    for ``num_epochs`` epochs over minibatches of ``batch_size`` reshuffled every
    epoch (``d2lkit.TensorBatches``): the loss of a minibatch is the sum over
    its examples of ``(Xw + b - y)² / 2 + lambd * l2_penalty(w)`` (this module's
    ``l2_penalty``; only ``w`` is penalised); after
    ``backward`` take the SGD step ``p -= lr * p.grad / batch_size`` for ``w``
    and ``b``, and zero the gradients. The book takes its data from globals and
    prints ``||w||``; here the data is an argument and the parameters are returned.
    """
    raise NotImplementedError("train (§4.5.3)")


def train_concise(wd, train_data, num_epochs=100, lr=0.003, batch_size=5):
    """Weight decay with the optimizer (§4.5.4); returns the trained ``nn.Sequential(nn.Linear(d, 1))``.

    All parameters start from N(0, 1) (``param.data.normal_()`` for each of
    ``net.parameters()``: the weight, then the bias); the loss is
    ``nn.MSELoss()`` (mean over the minibatch); ``torch.optim.SGD`` with learning
    rate ``lr`` decays the weight only: ``weight_decay=wd`` in the weight's
    parameter group, none for the bias. Minibatches as in ``train``.
    """
    raise NotImplementedError("train_concise (§4.5.4)")
