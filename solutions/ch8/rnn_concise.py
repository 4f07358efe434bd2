"""§8.6 循环神经网络的简洁实现 (d2l.ai §9.6 Concise Implementation of Recurrent Neural Networks)."""
import torch
import torch.nn.functional as F
from torch import nn


class RNNModel(nn.Module):
    """A language model around a PyTorch recurrent layer (§8.6.2).

    ``rnn_layer`` is an ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` (time-major, any
    ``num_layers``, bidirectional or not) with ``input_size == vocab_size``.
    Attributes: ``self.rnn``, ``self.vocab_size``, ``self.num_hiddens``
    (the layer's ``hidden_size``), ``self.num_directions`` (2 if bidirectional,
    else 1) and ``self.linear = nn.Linear(num_hiddens * num_directions, vocab_size)``,
    registered in that order (the linear layer made in ``__init__``, with
    PyTorch's default initialisation). ``forward(inputs, state)``: token indices
    ``(B, T)`` -> one-hot float32 ``(T, B, V)`` -> the layer -> outputs
    ``(T * B, V)`` (time-major rows) and the layer's new state.
    """

    def __init__(self, rnn_layer, vocab_size, **kwargs):
        super().__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.num_directions = 2 if self.rnn.bidirectional else 1
        self.linear = nn.Linear(self.num_hiddens * self.num_directions, self.vocab_size)

    def forward(self, inputs, state):
        """Outputs ``(T * B, vocab_size)`` and the new state for token indices ``(B, T)``."""
        X = F.one_hot(inputs.T.long(), self.vocab_size).to(torch.float32)
        Y, state = self.rnn(X, state)
        return self.linear(Y.reshape(-1, Y.shape[-1])), state

    def begin_state(self, device, batch_size=1):
        """Zeros ``(num_directions * num_layers, batch_size, num_hiddens)`` on ``device``; a pair of them for
        ``nn.LSTM``."""
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        if isinstance(self.rnn, nn.LSTM):
            return torch.zeros(shape, device=device), torch.zeros(shape, device=device)
        return torch.zeros(shape, device=device)
