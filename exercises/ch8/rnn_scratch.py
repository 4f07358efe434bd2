"""§8.5 循环神经网络的从零开始实现 (d2l.ai §9.5 Recurrent Neural Network Implementation from Scratch)."""
import math
import torch
import torch.nn.functional as F
from torch import nn
from d2lkit import Timer


def get_params(vocab_size, num_hiddens, device):
    """The RNN's parameters (§8.5.2): ``[W_xh, W_hh, b_h, W_hq, b_q]``, in this order.

    Shapes ``(V, H)``, ``(H, H)``, ``(H,)``, ``(H, V)``, ``(V,)`` with ``V =
    vocab_size`` (one-hot inputs and outputs) and ``H = num_hiddens``; weights
    from N(0, 0.01²), biases zero; float32 leaf tensors on ``device`` with
    ``requires_grad=True``. The weights are drawn with torch's global generator
    in the order of the list (``torch.randn(shape, device=device) * 0.01`` for
    ``W_xh``, ``W_hh``, ``W_hq``), so the same seed gives the book's weights.
    """
    raise NotImplementedError("get_params (§8.5.2)")


def init_rnn_state(batch_size, num_hiddens, device):
    """The initial hidden state (§8.5.3): a 1-tuple ``(H,)``, ``H`` float32 zeros ``(batch_size, num_hiddens)``
    on ``device``."""
    raise NotImplementedError("init_rnn_state (§8.5.3)")


def rnn(inputs, state, params):
    """Run the RNN over all time steps (§8.5.3).

    ``inputs``: ``(T, B, V)`` (time-major, one-hot rows); ``state``: ``(H,)``
    with ``H`` of shape ``(B, num_hiddens)``; ``params`` as from ``get_params``.
    At each step ``H = tanh(X_t W_xh + H W_hh + b_h)`` and ``Y_t = H W_hq + b_q``.
    Returns ``(outputs, (H,))``: ``outputs`` of shape ``(T * B, V)`` with the
    rows of step 0 first, then step 1, ... (the book's ``torch.cat(outputs,
    dim=0)``), and the final state. PyTorch's ``nn.RNN`` (tanh) computes the
    same with ``W_xh = weight_ih_l0.T``, ``W_hh = weight_hh_l0.T``,
    ``b_h = bias_ih_l0 + bias_hh_l0``. The outputs and the state are on the
    inputs' device (make no tensor elsewhere). May not use PyTorch's recurrent
    layers (``nn.RNN``, ``nn.RNNCell``, ``torch.rnn_tanh``, ...).
    """
    raise NotImplementedError("rnn (§8.5.3)")


class RNNModelScratch:
    """An RNN language model from its pieces (§8.5.3).

    ``self.params = get_params(vocab_size, num_hiddens, device)``; calling the
    model on ``X`` of token indices ``(B, T)`` and a state one-hot encodes
    ``X.T`` to float32 ``(T, B, vocab_size)`` and returns ``forward_fn(inputs,
    state, self.params)``: outputs ``(T * B, vocab_size)`` and the new state.
    ``X`` may be of any integer dtype: int64, as the data iterators yield it, or
    int32 (``F.one_hot`` needs int64: convert with ``.long()``; the book does
    not). ``begin_state(batch_size, device)`` is ``init_state(batch_size,
    num_hiddens, device)``.
    """

    def __init__(self, vocab_size, num_hiddens, device, get_params, init_state, forward_fn):
        raise NotImplementedError("RNNModelScratch.__init__ (§8.5.3)")

    def __call__(self, X, state):
        """Outputs ``(T * B, vocab_size)`` and the new state for token indices ``X`` of shape ``(B, T)``."""
        raise NotImplementedError("RNNModelScratch.__call__ (§8.5.3)")

    def begin_state(self, batch_size, device):
        """The initial state for ``batch_size`` sequences."""
        raise NotImplementedError("RNNModelScratch.begin_state (§8.5.3)")


def predict_ch8(prefix, num_preds, net, vocab, device):
    """Generate ``num_preds`` characters after ``prefix`` (§8.5.4); returns prefix + generated text.

    Start from ``net.begin_state(batch_size=1, device=device)``; feed the prefix
    one token at a time (input shape ``(1, 1)``, on ``device``), carrying the
    state forward without predicting (warm-up); then ``num_preds`` times feed
    the last token and append the argmax of the output. ``net(X, state)``
    returns ``(Y, state)``.
    """
    raise NotImplementedError("predict_ch8 (§8.5.4)")


def grad_clipping(net, theta):
    """Clip the gradients by their global norm (§8.5.5), in place.

    The parameters are ``net.parameters()`` that require grad for an
    ``nn.Module``, else ``net.params``. With ``g`` all their gradients as one
    vector, ``g <- min(1, theta / ||g||) g``: rescale every gradient by the
    same factor, and only when the L2 norm of all of them together exceeds
    ``theta``. Parameters without a gradient (``.grad`` is ``None``) are left
    alone (the book's code fails on them). May not use
    ``torch.nn.utils.clip_grad_norm_``.
    """
    raise NotImplementedError("grad_clipping (§8.5.5)")


def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
    """One training epoch of a language model (§8.5.6); returns ``(perplexity, tokens per second)``.

    For every minibatch ``(X, Y)`` of shape ``(B, T)``: start a new state with
    ``net.begin_state(batch_size=B, device=device)`` on the first minibatch and,
    with ``use_random_iter``, on every one; otherwise carry the state over,
    detached from the previous minibatch's graph (a tensor for ``nn.RNN``/
    ``nn.GRU``, a tuple for ``nn.LSTM`` and the scratch models). ``X`` and the
    labels ``y = Y.T.reshape(-1)`` (time-major, like the outputs) go to
    ``device``; ``l = loss(y_hat, y).mean()``; backward, this module's
    ``grad_clipping(net, 1)``, then ``updater.step()`` after ``zero_grad`` for a
    ``torch.optim.Optimizer``, else ``updater(batch_size=1)``. The perplexity is
    ``exp`` of the mean loss per token over the epoch (a minibatch counts by
    its ``B * T`` tokens); the speed is the number of tokens processed per
    second of the epoch.
    """
    raise NotImplementedError("train_epoch_ch8 (§8.5.6)")


def train_ch8(net, train_iter, vocab, lr, num_epochs, device, use_random_iter=False):
    """Train a language model (§8.5.6); returns the perplexity of every epoch, a list of floats.

    Loss ``nn.CrossEntropyLoss()``; updater ``torch.optim.SGD(net.parameters(),
    lr)`` for an ``nn.Module``, else minibatch SGD on ``net.params`` (``p -= lr
    * p.grad``, then zero the gradient); each epoch is this module's
    ``train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)``.
    At the end, print the last perplexity (``f"{ppl:.1f}"``) and
    ``predict_ch8('time traveller', 50, net, vocab, device)``. (The book returns
    nothing and plots; returning the history lets you plot it.)
    """
    raise NotImplementedError("train_ch8 (§8.5.6)")
