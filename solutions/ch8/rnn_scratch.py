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
    def normal(shape):
        return torch.randn(shape, device=device) * 0.01

    params = [normal((vocab_size, num_hiddens)), normal((num_hiddens, num_hiddens)),
              torch.zeros(num_hiddens, device=device), normal((num_hiddens, vocab_size)),
              torch.zeros(vocab_size, device=device)]
    for param in params:
        param.requires_grad_(True)
    return params


def init_rnn_state(batch_size, num_hiddens, device):
    """The initial hidden state (§8.5.3): a 1-tuple ``(H,)``, ``H`` float32 zeros ``(batch_size, num_hiddens)``
    on ``device``."""
    return (torch.zeros((batch_size, num_hiddens), device=device),)


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
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    XW = inputs @ W_xh + b_h  # the input projections of all steps at once; only H @ W_hh is sequential
    hidden = []
    for XW_t in XW:
        H = torch.tanh(XW_t + H @ W_hh)
        hidden.append(H)
    return torch.cat(hidden, dim=0) @ W_hq + b_q, (H,)


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
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens, device)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X, state):
        """Outputs ``(T * B, vocab_size)`` and the new state for token indices ``X`` of shape ``(B, T)``."""
        inputs = F.one_hot(X.T.long(), self.vocab_size).type(torch.float32)
        return self.forward_fn(inputs, state, self.params)

    def begin_state(self, batch_size, device):
        """The initial state for ``batch_size`` sequences."""
        return self.init_state(batch_size, self.num_hiddens, device)


def predict_ch8(prefix, num_preds, net, vocab, device):
    """Generate ``num_preds`` characters after ``prefix`` (§8.5.4); returns prefix + generated text.

    Start from ``net.begin_state(batch_size=1, device=device)``; feed the prefix
    one token at a time (input shape ``(1, 1)``, on ``device``), carrying the
    state forward without predicting (warm-up); then ``num_preds`` times feed
    the last token and append the argmax of the output. ``net(X, state)``
    returns ``(Y, state)``.
    """
    state = net.begin_state(batch_size=1, device=device)
    outputs = [vocab[prefix[0]]]
    with torch.no_grad():
        for y in prefix[1:]:
            _, state = net(torch.tensor([[outputs[-1]]], device=device), state)
            outputs.append(vocab[y])
        for _ in range(num_preds):
            y, state = net(torch.tensor([[outputs[-1]]], device=device), state)
            outputs.append(int(y.argmax(dim=1).reshape(1)))
    return "".join(vocab.idx_to_token[i] for i in outputs)


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
    params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) else net.params
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    norm = torch.sqrt(sum((g * g).sum() for g in grads))
    if norm > theta:
        for g in grads:
            g.mul_(theta / norm)


def _detached(state):
    return state.detach() if isinstance(state, torch.Tensor) else tuple(s.detach() for s in state)


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
    state, timer = None, Timer()
    total_loss, total_tokens = 0.0, 0
    for X, Y in train_iter:
        if state is None or use_random_iter:
            state = net.begin_state(batch_size=X.shape[0], device=device)
        else:
            state = _detached(state)
        y = Y.T.reshape(-1).to(device)
        y_hat, state = net(X.to(device), state)
        l = loss(y_hat, y.long()).mean()
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.backward()
            grad_clipping(net, 1)
            updater.step()
        else:
            l.backward()
            grad_clipping(net, 1)
            updater(batch_size=1)  # the loss is already a mean
        total_loss += l.item() * y.numel()
        total_tokens += y.numel()
    return math.exp(total_loss / total_tokens), total_tokens / timer.stop()


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
    loss = nn.CrossEntropyLoss()
    if isinstance(net, nn.Module):
        updater = torch.optim.SGD(net.parameters(), lr)
    else:
        def updater(batch_size):
            with torch.no_grad():
                for param in net.params:
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()
    history = []
    for _ in range(num_epochs):
        ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)
        history.append(ppl)
    print(f"perplexity {history[-1]:.1f}, {speed:.1f} tokens/sec on {device}")
    print(predict_ch8("time traveller", 50, net, vocab, device))
    return history
