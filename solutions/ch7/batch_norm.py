"""§7.5 批量规范化 (d2l.ai §8.5 Batch Normalization)."""
import torch
from torch import nn


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    """Batch normalization from scratch, exactly as the book (§7.5.3); returns ``(Y, moving_mean, moving_var)``.

    ``X``: ``(N, C)`` (after a fully connected layer) or ``(N, C, H, W)`` (after a
    convolution); ``gamma``, ``beta``, ``moving_mean``, ``moving_var``: ``(1, C)`` or
    ``(1, C, 1, 1)``.

    - Training or inference is read from ``torch.is_grad_enabled()``, as the book
      does (not from a module's ``training`` flag): under ``torch.no_grad()``,
      ``X`` is normalized with ``moving_mean``/``moving_var`` and those come back
      unchanged.
    - Otherwise the statistics are those of the batch: per feature over axis 0
      for 2-D ``X``, per channel over axes 0, 2, 3 for 4-D ``X``, with the biased
      variance (divide by the count, not count - 1); ``X`` is normalized with them
      and the moving averages are updated as
      ``moving = momentum * moving + (1 - momentum) * batch_statistic``.
    - ``Y = gamma * (X - mean) / sqrt(var + eps) + beta`` (``eps`` inside the square
      root); the returned moving statistics are detached (the book's ``.data``) and
      keep the parameters' shape.
    - The results have ``X``'s dtype and device (float64 in, float64 out).

    Compared with ``F.batch_norm``/``nn.BatchNorm2d``: ``Y`` is the same in both
    modes, but PyTorch's ``momentum`` is the weight of the *new* statistic (the
    book's 0.9 is PyTorch's 0.1) and its ``running_var`` is updated with the
    *unbiased* batch variance. Must not call PyTorch's batch norm
    (``F.batch_norm``, ``nn.BatchNorm*``, ``torch.batch_norm``) and must be vectorized.
    """
    if not torch.is_grad_enabled():
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert X.dim() in (2, 4), f"batch_norm expects 2-D or 4-D inputs, got {X.dim()}-D"
        dims = (0,) if X.dim() == 2 else (0, 2, 3)
        mean = X.mean(dim=dims, keepdim=True)
        var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
        moving_var = momentum * moving_var + (1.0 - momentum) * var
    return gamma * X_hat + beta, moving_mean.detach(), moving_var.detach()


class BatchNorm(nn.Module):
    """A batch normalization layer around ``batch_norm`` (§7.5.3), with ``eps=1e-5`` and ``momentum=0.9``.

    ``num_features``: outputs of a fully connected layer or channels of a
    convolution; ``num_dims``: 2 or 4 (the input's number of axes). The shape is
    ``(1, num_features)`` or ``(1, num_features, 1, 1)``. Parameters ``gamma``
    (ones) and ``beta`` (zeros), registered in that order; ``moving_mean`` (zeros)
    and ``moving_var`` (ones) are tensor attributes that are not parameters (plain
    attributes, as in the book; registered buffers are fine too). ``forward(X)``
    first moves the moving statistics to ``X``'s device if they are elsewhere
    (``net.to(device)`` does not move plain attributes), then calls this module's
    ``batch_norm`` and keeps the updated statistics it returns.
    """

    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.moving_mean = torch.zeros(shape)
        self.moving_var = torch.ones(shape)

    def forward(self, X):
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var, eps=1e-5, momentum=0.9)
        return Y


def lenet_bn():
    """LeNet with this module's ``BatchNorm`` after every convolution and hidden linear layer (§7.5.4), an
    ``nn.Sequential``:

    Conv2d(1, 6, 5), BatchNorm(6, 4), Sigmoid, AvgPool2d(2, stride=2),
    Conv2d(6, 16, 5), BatchNorm(16, 4), Sigmoid, AvgPool2d(2, stride=2), Flatten,
    Linear(256, 120), BatchNorm(120, 2), Sigmoid, Linear(120, 84), BatchNorm(84, 2),
    Sigmoid, Linear(84, 10). Input ``(B, 1, 28, 28)`` (no padding in the first
    convolution, hence 16 * 4 * 4 = 256 features), output ``(B, 10)``; average pooling
    as in ``lenet``, so that the two differ only by the normalization (the zh book's
    first printing of this section has ``MaxPool2d``: that costs the pooling check only).
    """
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10))
