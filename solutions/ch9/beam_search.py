"""§9.8 束搜索 (d2l.ai §10.8 Beam Search)."""
import torch


def beam_search(net, src_tokens, src_vocab, tgt_vocab, num_steps, beam_size, alpha=0.75, device="cpu"):
    """Beam search with the book's length-normalised score (§9.8.3): ``(translation, score)``.

    The book describes the algorithm only; this contract is ours. ``net`` is a §9.7 encoder-decoder
    (``net.encoder``, ``net.decoder.init_state``, ``net.decoder(X, state)`` returning logits ``(batch,
    steps, vocab)`` and a state tensor ``(num_layers, batch, num_hiddens)``, batch on axis 1).
    ``src_tokens``: the source sentence as a list of tokens. As in ``predict_seq2seq`` (``net.eval()``
    first): the source is ``src_vocab[src_tokens]`` plus ``src_vocab['<eos>']``, its valid length counted
    before truncation, truncated or padded with ``src_vocab['<pad>']`` to ``num_steps``, a ``(1,
    num_steps)`` batch on ``device``; the decoder's state comes from ``init_state(enc_outputs,
    enc_valid_len)`` and the first input is ``tgt_vocab['<bos>']``.

    A candidate is a sequence of target tokens ``y_1 ... y_L``: it ends at its first ``<eos>`` (which
    belongs to it and is counted in ``L``) or after ``num_steps`` tokens. Its log-probability is
    ``sum_t log P(y_t | y_<t, source)``, each ``P`` the softmax of the decoder's logits; its score is
    ``log-probability / L ** alpha`` (the book's ``1 / L^α · Σ log p``).
    The search: the beam starts as ``[<bos>]``; at each of at most ``num_steps`` steps, every sequence of
    the beam is extended by every token of the vocabulary, and of all those extensions the
    ``beam_size`` with the highest log-probabilities are kept (ties: the first in (beam order, token
    index) order). Kept sequences that end with ``<eos>`` are finished: they are candidates and are not
    extended; the others form the next step's beam (which may then hold fewer than ``beam_size``).
    The search stops when the beam is empty; what is left in it after ``num_steps`` steps are candidates
    too. Returns the candidate with the highest score (ties: the first finished) as its tokens without
    ``<eos>`` joined by single spaces (``predict_seq2seq``'s format), and its score as a float.
    So ``beam_size=1`` is greedy search (``predict_seq2seq``'s translation), and a ``beam_size`` at
    least ``len(tgt_vocab) ** num_steps`` searches every sequence.
    The sequences of a step are decoded together: one decoder call per step on a batch of the beam's
    sequences (their states side by side on the batch axis), not one call per sequence.
    """
    net.eval()
    tokens = src_vocab[list(src_tokens)] + [src_vocab["<eos>"]]
    enc_valid_len = torch.tensor([len(tokens)], device=device)
    tokens = tokens[:num_steps] + [src_vocab["<pad>"]] * (num_steps - len(tokens))
    enc_X = torch.tensor([tokens], dtype=torch.long, device=device)
    eos = tgt_vocab["<eos>"]
    with torch.no_grad():
        state = net.decoder.init_state(net.encoder(enc_X, enc_valid_len), enc_valid_len)
        beam = [([], 0.0)]                      # (token indices, log-probability)
        inputs = torch.tensor([[tgt_vocab["<bos>"]]], dtype=torch.long, device=device)
        candidates = []                         # (score, order, tokens)
        for _ in range(num_steps):
            Y, state = net.decoder(inputs, state)
            log_probs = torch.log_softmax(Y[:, -1].double(), dim=-1).cpu()
            totals = torch.tensor([score for _, score in beam], dtype=torch.float64)[:, None] + log_probs
            vocab_size = totals.shape[1]
            # a stable descending sort: ties keep (beam order, token index) order
            order = torch.sort(totals.reshape(-1), descending=True, stable=True).indices[:beam_size]
            kept, rows = [], []
            for flat in order.tolist():
                row, token = divmod(flat, vocab_size)
                sequence, total = beam[row][0] + [token], float(totals[row, token])
                if token == eos:
                    candidates.append((total / len(sequence) ** alpha, len(candidates), sequence))
                else:
                    kept.append((sequence, total))
                    rows.append(row)
            if not kept:
                break
            beam = kept
            index = torch.tensor(rows, device=state.device)
            state = state.index_select(1, index)
            inputs = torch.tensor([[sequence[-1]] for sequence, _ in beam], dtype=torch.long, device=device)
        else:
            for sequence, total in beam:
                candidates.append((total / len(sequence) ** alpha, len(candidates), sequence))
    score, _, best = max(candidates, key=lambda c: (c[0], -c[1]))
    words = [token for token in best if token != eos]
    return " ".join(tgt_vocab.to_tokens(words)), score
