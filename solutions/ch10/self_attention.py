"""§10.6 自注意力和位置编码 (d2l.ai §11.6 Self-Attention and Positional Encoding)."""
import torch
from torch import nn


class PositionalEncoding(nn.Module):
    """Sinusoidal positional encoding (§10.6.3), added to the input, then dropout.

    The table ``self.P`` ``(1, max_len, num_hiddens)`` (float32) holds, for position
    ``i`` and ``j = 0, 1, ...``: ``P[0, i, 2j] = sin(i / 10000^(2j / num_hiddens))``
    and ``P[0, i, 2j + 1] = cos(i / 10000^(2j / num_hiddens))``.
    ``forward(X)``: ``X`` ``(batch, n, num_hiddens)`` with ``n <= max_len``; returns
    ``dropout(X + P[:, :n])`` of ``X``'s shape, on ``X``'s device; ``self.dropout =
    nn.Dropout(dropout)`` acts in training mode only.
    Deviation from the book: its code fails for an odd ``num_hiddens`` (one more sine
    column than cosine columns); here an odd ``num_hiddens`` works, the last column being
    a sine (the cosines are cut to fit). The table is a non-persistent buffer (registered
    with ``register_buffer("P", ..., persistent=False)``), so it follows ``.to(device)`` and stays
    out of ``state_dict``; the module has no parameters, like the book's. The book keeps
    ``self.P`` as a plain attribute instead.
    """

    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        angles = torch.arange(max_len, dtype=torch.float64)[:, None] / torch.pow(
            10000, torch.arange(0, num_hiddens, 2, dtype=torch.float64) / num_hiddens)
        P = torch.zeros(1, max_len, num_hiddens, dtype=torch.float64)
        P[0, :, 0::2] = torch.sin(angles)
        P[0, :, 1::2] = torch.cos(angles[:, :num_hiddens // 2])
        self.register_buffer("P", P.float(), persistent=False)

    def forward(self, X):
        return self.dropout(X + self.P[:, :X.shape[1], :].to(X.device))
