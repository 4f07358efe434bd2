"""§4.6 暂退法（Dropout） (d2l.ai §5.6 Dropout)."""
import torch
from torch import nn


def dropout_layer(X, dropout):
    """Dropout from scratch (§4.6.4): zero each entry of ``X`` with probability ``dropout``,
    scale the kept ones by ``1 / (1 - dropout)``.

    ``0 <= dropout <= 1`` (otherwise raise ``ValueError``, or ``AssertionError``
    as the book does); ``dropout == 1`` returns zeros, ``dropout == 0`` returns
    ``X``. A fresh random mask every call, drawn with torch's global generator
    (so ``torch.manual_seed`` reproduces it) on ``X``'s device (the book makes it
    on the CPU, as float32); any shape; the result has ``X``'s shape, dtype
    (float16 and float64 too) and device, and gradients flow to ``X``. ``X``
    itself is not modified. Do not use
    ``F.dropout``, ``nn.Dropout``, ``torch.bernoulli`` or the like: compare
    uniform draws with ``dropout``.
    """
    if not 0 <= dropout <= 1:
        raise ValueError(f"dropout must lie in [0, 1], got {dropout}")
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape, device=X.device) > dropout).to(X.dtype)
    return mask * X / (1.0 - dropout)


class Net(nn.Module):
    """The MLP with two dropout layers of §4.6.4: ``lin1 -> ReLU -> dropout1 -> lin2 -> ReLU -> dropout2 -> lin3``.

    Layers ``lin1 (num_inputs, num_hiddens1)``, ``lin2 (num_hiddens1, num_hiddens2)``,
    ``lin3 (num_hiddens2, num_outputs)`` (``nn.Linear``, created and registered in
    that order, with their default initialisation). ``forward`` flattens ``X`` to
    ``(-1, num_inputs)`` and applies ``dropout_layer`` (this module's) only in
    training mode: ``dropout1`` after the first hidden layer, ``dropout2`` after
    the second. The book passes ``is_training`` to the constructor and reads the
    rates from globals; here the rates are the constructor's arguments and the
    module's own mode decides (``net.train()`` / ``net.eval()``), as ``nn.Dropout`` does.
    """

    def __init__(self, num_inputs=784, num_outputs=10, num_hiddens1=256, num_hiddens2=256, dropout1=0.2,
                 dropout2=0.5):
        super().__init__()
        self.num_inputs, self.dropout1, self.dropout2 = num_inputs, dropout1, dropout2
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape(-1, self.num_inputs)))
        if self.training:
            H1 = dropout_layer(H1, self.dropout1)
        H2 = self.relu(self.lin2(H1))
        if self.training:
            H2 = dropout_layer(H2, self.dropout2)
        return self.lin3(H2)
