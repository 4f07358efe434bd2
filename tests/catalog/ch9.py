"""Chapter 9: realistic wrong implementations, and the checks that must catch them. A bug with ``clause=`` breaks
that one clause of the contract: the checks that fail on it are exactly ``caught_by``."""
from catalog import Bug

BUGS = [
    # §9.1 GRU
    Bug("gru.get_params", "weights from N(0, 1)", """
        def get_params(vocab_size, num_hiddens, device):
            def three():
                return [torch.randn(vocab_size, num_hiddens), torch.randn(num_hiddens, num_hiddens),
                        torch.zeros(num_hiddens)]
            params = three() + three() + three() + [torch.randn(num_hiddens, vocab_size), torch.zeros(vocab_size)]
            return [p.to(device).requires_grad_(True) for p in params]
        """, caught_by="initialisation"),
    Bug("gru.get_params", "the output layer forgotten", """
        def get_params(vocab_size, num_hiddens, device):
            def three():
                return [torch.randn(vocab_size, num_hiddens) * 0.01, torch.randn(num_hiddens, num_hiddens) * 0.01,
                        torch.zeros(num_hiddens)]
            return [p.to(device).requires_grad_(True) for p in three() + three() + three()]
        """, caught_by=("shapes", "initialisation"), clause="values"),
    Bug("gru.get_params", "parameters do not require grad", replace=[
        ("    for param in params:\n        param.requires_grad_(True)\n    return params", "    return params")],
        caught_by="leaves_with_grad", clause="grad"),
    Bug("gru.get_params", "made on the CPU whatever the device", replace=[
        ("        return torch.randn(shape, device=device) * 0.01\n", "        return torch.randn(shape) * 0.01\n"),
        ("            torch.zeros(num_hiddens, device=device)\n", "            torch.zeros(num_hiddens)\n")],
        caught_by="on_device", clause="device"),
    Bug("gru.init_gru_state", "a tensor instead of a 1-tuple", """
        def init_gru_state(batch_size, num_hiddens, device):
            return torch.zeros((batch_size, num_hiddens), device=device)
        """, caught_by=("zeros", "shapes"), clause="values"),
    Bug("gru.init_gru_state", "shape (num_hiddens, batch_size)", """
        def init_gru_state(batch_size, num_hiddens, device):
            return (torch.zeros((num_hiddens, batch_size), device=device),)
        """, caught_by=("zeros", "shapes"), clause="values"),
    Bug("gru.init_gru_state", "zeros on the CPU whatever the device", """
        def init_gru_state(batch_size, num_hiddens, device):
            return (torch.zeros((batch_size, num_hiddens)),)
        """, caught_by="on_device", clause="device"),
    Bug("gru.gru", "update gate used the wrong way round", """
        def gru(inputs, state, params):
            W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
            H, = state
            outputs = []
            for X in inputs:
                Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
                R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
                H_tilde = torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
                H = (1 - Z) * H + Z * H_tilde
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H,)
        """, caught_by=("matches_nn_GRU_where_equal", "matches_reference", "matches_nn_GRU_long", "speed")),
    Bug("gru.gru", "reset gate applied after the product, as in PyTorch (R * (H W_hh))", """
        def gru(inputs, state, params):
            W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
            H, = state
            outputs = []
            for X in inputs:
                Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
                R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
                H_tilde = torch.tanh(X @ W_xh + R * (H @ W_hh) + b_h)
                H = Z * H + (1 - Z) * H_tilde
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H,)
        """, caught_by="matches_reference"),
    Bug("gru.gru", "the output read from the state before the update", """
        def gru(inputs, state, params):
            W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
            H, = state
            outputs = []
            for X in inputs:
                outputs.append(H @ W_hq + b_q)
                Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
                R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
                H_tilde = torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
                H = Z * H + (1 - Z) * H_tilde
            return torch.cat(outputs, dim=0), (H,)
        """, caught_by=("matches_nn_GRU_where_equal", "matches_reference", "matches_nn_GRU_long", "perplexity"),
        clause="values"),
    Bug("gru.gru", "the candidate state through torch.rnn_tanh_cell", """
        def gru(inputs, state, params):
            W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
            H, = state
            outputs = []
            for X in inputs:
                Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
                R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
                H_tilde = torch.rnn_tanh_cell(X, R * H, W_xh.T, W_hh.T, b_h, torch.zeros_like(b_h))
                H = Z * H + (1 - Z) * H_tilde
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H,)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("gru.gru", "torch.gru_cell at every step", """
        def gru(inputs, state, params):
            W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
            H, = state
            w_ih, w_hh = torch.cat([W_xr, W_xz, W_xh], 1).T, torch.cat([W_hr, W_hz, W_hh], 1).T
            b_ih, b_hh = torch.cat([b_r, b_z, b_h]), torch.zeros(3 * len(b_h))
            outputs = []
            for X in inputs:
                H = torch.gru_cell(X, H, w_ih, w_hh, b_ih, b_hh)
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H,)
        """, caught_by="no_builtin"),
    Bug("gru.gru", "the weights detached: no gradient reaches them", """
        def gru(inputs, state, params):
            W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = [p.detach() for p in params]
            H, = state
            outputs = []
            for X in inputs:
                Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
                R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
                H = Z * H + (1 - Z) * torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H,)
        """, caught_by=("gradients", "perplexity"), clause="gradients"),
    Bug("gru.gru", "the outputs grown from an empty tensor made on the CPU", """
        def gru(inputs, state, params):
            W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
            H, = state
            outputs = torch.empty(0, W_hq.shape[1])
            for X in inputs:
                Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
                R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
                H = Z * H + (1 - Z) * torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
                outputs = torch.cat([outputs, H @ W_hq + b_q])
            return outputs, (H,)
        """, caught_by="on_device", clause="device"),
    Bug("gru.gru", "a Python loop over the examples of the batch", """
        def gru(inputs, state, params):
            W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
            H_all, = state
            rows, finals = [], []
            for b in range(inputs.shape[1]):
                H, outputs = H_all[b:b + 1], []
                for X in inputs[:, b:b + 1]:
                    Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
                    R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
                    H = Z * H + (1 - Z) * torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
                    outputs.append(H @ W_hq + b_q)
                rows.append(torch.cat(outputs))
                finals.append(H)
            return torch.stack(rows, dim=1).reshape(-1, W_hq.shape[1]), (torch.cat(finals),)
        """, caught_by="speed"),
    Bug("gru.gru", "the whole sequence turned into a list at every step", """
        def gru(inputs, state, params):
            W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
            H, = state
            outputs = []
            for t in range(len(inputs)):
                X = list(inputs)[t]
                Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
                R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
                H = Z * H + (1 - Z) * torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H,)
        """, caught_by="speed", clause="fast"),
    Bug("lstm.lstm", "a Python loop over the examples of the batch", """
        def lstm(inputs, state, params):
            W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = params
            H_all, C_all = state
            rows, Hs, Cs = [], [], []
            for b in range(inputs.shape[1]):
                H, C, outputs = H_all[b:b + 1], C_all[b:b + 1], []
                for X in inputs[:, b:b + 1]:
                    I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
                    F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
                    O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
                    C = F * C + I * torch.tanh(X @ W_xc + H @ W_hc + b_c)
                    H = O * torch.tanh(C)
                    outputs.append(H @ W_hq + b_q)
                rows.append(torch.cat(outputs))
                Hs.append(H)
                Cs.append(C)
            return torch.stack(rows, dim=1).reshape(-1, W_hq.shape[1]), (torch.cat(Hs), torch.cat(Cs))
        """, caught_by="speed"),
    Bug("lstm.lstm", "the whole sequence turned into a list at every step", """
        def lstm(inputs, state, params):
            W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = params
            H, C = state
            outputs = []
            for t in range(len(inputs)):
                X = list(inputs)[t]
                I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
                F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
                O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
                C = F * C + I * torch.tanh(X @ W_xc + H @ W_hc + b_c)
                H = O * torch.tanh(C)
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H, C)
        """, caught_by="speed", clause="fast"),
    # §9.2 LSTM
    Bug("lstm.get_lstm_params", "weights from N(0, 1)", """
        def get_lstm_params(vocab_size, num_hiddens, device):
            def three():
                return [torch.randn(vocab_size, num_hiddens), torch.randn(num_hiddens, num_hiddens),
                        torch.zeros(num_hiddens)]
            params = three() + three() + three() + three() + [torch.randn(num_hiddens, vocab_size),
                                                              torch.zeros(vocab_size)]
            return [p.to(device).requires_grad_(True) for p in params]
        """, caught_by="initialisation"),
    Bug("lstm.get_lstm_params", "only three gates (the candidate cell forgotten)", """
        def get_lstm_params(vocab_size, num_hiddens, device):
            def three():
                return [torch.randn(vocab_size, num_hiddens) * 0.01, torch.randn(num_hiddens, num_hiddens) * 0.01,
                        torch.zeros(num_hiddens)]
            params = three() + three() + three() + [torch.randn(num_hiddens, vocab_size) * 0.01,
                                                    torch.zeros(vocab_size)]
            return [p.to(device).requires_grad_(True) for p in params]
        """, caught_by=("shapes", "initialisation"), clause="values"),
    Bug("lstm.get_lstm_params", "parameters do not require grad", replace=[
        ("    for param in params:\n        param.requires_grad_(True)\n    return params", "    return params")],
        caught_by="leaves_with_grad", clause="grad"),
    Bug("lstm.get_lstm_params", "made on the CPU whatever the device", replace=[
        ("        return torch.randn(shape, device=device) * 0.01\n", "        return torch.randn(shape) * 0.01\n"),
        ("            torch.zeros(num_hiddens, device=device)\n", "            torch.zeros(num_hiddens)\n"),
        ("              torch.zeros(vocab_size, device=device)]", "              torch.zeros(vocab_size)]")],
        caught_by="on_device", clause="device"),
    Bug("lstm.init_lstm_state", "one zeros tensor used for both H and C", """
        def init_lstm_state(batch_size, num_hiddens, device):
            zeros = torch.zeros((batch_size, num_hiddens), device=device)
            return (zeros, zeros)
        """, caught_by="separate_tensors", clause="separate"),
    Bug("lstm.init_lstm_state", "only H returned", """
        def init_lstm_state(batch_size, num_hiddens, device):
            return (torch.zeros((batch_size, num_hiddens), device=device),)
        """, caught_by=("shapes", "zeros_of_any_size", "separate_tensors"), clause="values"),
    Bug("lstm.init_lstm_state", "C made on the CPU whatever the device", """
        def init_lstm_state(batch_size, num_hiddens, device):
            return (torch.zeros((batch_size, num_hiddens), device=device), torch.zeros((batch_size, num_hiddens)))
        """, caught_by="on_device", clause="device"),
    Bug("lstm.lstm", "memory cell not passed on to the next step", """
        def lstm(inputs, state, params):
            W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = params
            H, C = state
            outputs = []
            for X in inputs:
                I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
                F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
                O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
                C_new = F * C + I * torch.tanh(X @ W_xc + H @ W_hc + b_c)
                H = O * torch.tanh(C_new)
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H, C_new)
        """, caught_by=("matches_nn_LSTM", "matches_reference", "matches_nn_LSTM_long", "speed")),
    Bug("lstm.lstm", "H = O * C (tanh of the cell forgotten)", """
        def lstm(inputs, state, params):
            W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = params
            H, C = state
            outputs = []
            for X in inputs:
                I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
                F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
                O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
                C = F * C + I * torch.tanh(X @ W_xc + H @ W_hc + b_c)
                H = O * C
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H, C)
        """, caught_by=("matches_nn_LSTM", "matches_reference")),
    Bug("lstm.lstm", "the output read from the state before the update", """
        def lstm(inputs, state, params):
            W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = params
            H, C = state
            outputs = []
            for X in inputs:
                outputs.append(H @ W_hq + b_q)
                I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
                F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
                O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
                C = F * C + I * torch.tanh(X @ W_xc + H @ W_hc + b_c)
                H = O * torch.tanh(C)
            return torch.cat(outputs, dim=0), (H, C)
        """, caught_by=("matches_nn_LSTM", "matches_reference", "matches_nn_LSTM_long", "perplexity"), clause="values"),
    Bug("lstm.lstm", "torch.lstm_cell at every step", """
        def lstm(inputs, state, params):
            W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = params
            H, C = state
            w_ih, w_hh = torch.cat([W_xi, W_xf, W_xc, W_xo], 1).T, torch.cat([W_hi, W_hf, W_hc, W_ho], 1).T
            b = torch.cat([b_i, b_f, b_c, b_o])
            outputs = []
            for X in inputs:
                H, C = torch.lstm_cell(X, (H, C), w_ih, w_hh, b, torch.zeros_like(b))
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H, C)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("lstm.lstm", "the weights detached: no gradient reaches them", """
        def lstm(inputs, state, params):
            W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = [p.detach() for p in params]
            H, C = state
            outputs = []
            for X in inputs:
                I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
                F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
                O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
                C = F * C + I * torch.tanh(X @ W_xc + H @ W_hc + b_c)
                H = O * torch.tanh(C)
                outputs.append(H @ W_hq + b_q)
            return torch.cat(outputs, dim=0), (H, C)
        """, caught_by=("gradients", "perplexity"), clause="gradients"),
    Bug("lstm.lstm", "the outputs grown from an empty tensor made on the CPU", """
        def lstm(inputs, state, params):
            W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = params
            H, C = state
            outputs = torch.empty(0, W_hq.shape[1])
            for X in inputs:
                I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
                F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
                O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
                C = F * C + I * torch.tanh(X @ W_xc + H @ W_hc + b_c)
                H = O * torch.tanh(C)
                outputs = torch.cat([outputs, H @ W_hq + b_q])
            return outputs, (H, C)
        """, caught_by="on_device", clause="device"),
    # §9.3 deep RNN
    Bug("deep_rnn.stacked_rnn", "every layer starts from layer 0's initial state", """
        def stacked_rnn(inputs, state, layers):
            outputs, finals = inputs, []
            for W_xh, W_hh, b_h in layers:
                H, hidden = state[0], []
                for X in outputs:
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    hidden.append(H)
                outputs = torch.stack(hidden)
                finals.append(H)
            return outputs, torch.stack(finals)
        """, caught_by=("matches_nn_RNN", "matches_reference", "matches_nn_RNN_three_layers"), clause="values"),
    Bug("deep_rnn.stacked_rnn", "only the top layer's final state returned", """
        def stacked_rnn(inputs, state, layers):
            outputs = inputs
            for (W_xh, W_hh, b_h), H in zip(layers, state):
                hidden = []
                for X in outputs:
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    hidden.append(H)
                outputs = torch.stack(hidden)
            return outputs, H[None]
        """, caught_by=("matches_nn_RNN", "matches_reference", "matches_nn_RNN_three_layers"), clause="values"),
    Bug("deep_rnn.stacked_rnn", "the weights detached: no gradient reaches them", """
        def stacked_rnn(inputs, state, layers):
            outputs, finals = inputs, []
            for (W_xh, W_hh, b_h), H in zip(layers, state):
                W_xh, W_hh, b_h = W_xh.detach(), W_hh.detach(), b_h.detach()
                hidden = []
                for X in outputs:
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    hidden.append(H)
                outputs = torch.stack(hidden)
                finals.append(H)
            return outputs, torch.stack(finals)
        """, caught_by="gradients", clause="gradients"),
    Bug("deep_rnn.stacked_rnn", "the final states gathered in a tensor made on the CPU", """
        def stacked_rnn(inputs, state, layers):
            outputs, finals = inputs, torch.zeros(0, *state.shape[1:])
            for (W_xh, W_hh, b_h), H in zip(layers, state):
                hidden = []
                for X in outputs:
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    hidden.append(H)
                outputs = torch.stack(hidden)
                finals = torch.cat([finals, H[None]])
            return outputs, finals
        """, caught_by="on_device", clause="device"),
    Bug("deep_rnn.stacked_rnn", "nn.RNN's kernel called through torch.rnn_tanh", """
        def stacked_rnn(inputs, state, layers):
            weights = [w for W_xh, W_hh, b_h in layers for w in (W_xh.T, W_hh.T, b_h, torch.zeros_like(b_h))]
            return torch.rnn_tanh(inputs, state, weights, True, len(layers), 0.0, False, False, False)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("deep_rnn.stacked_rnn", "every layer reads the inputs instead of the layer below", """
        def stacked_rnn(inputs, state, layers):
            outputs, finals = inputs, []
            for (W_xh, W_hh, b_h), H in zip(layers, state):
                hidden = []
                for X in inputs:
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    hidden.append(H)
                outputs = torch.stack(hidden)
                finals.append(H)
            return outputs, torch.stack(finals)
        """, caught_by=("matches_nn_RNN", "matches_reference", "matches_nn_RNN_three_layers"), clause="values"),
    # §9.4 bidirectional RNN
    Bug("bidirectional.bidirectional_rnn", "backward outputs left in reverse time order", """
        def bidirectional_rnn(inputs, state, forward_params, backward_params):
            outs = []
            for (W_xh, W_hh, b_h), H, seq in zip((forward_params, backward_params), state, (inputs, inputs.flip(0))):
                hidden = []
                for X in seq:
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    hidden.append(H)
                outs.append((torch.stack(hidden), H))
            (fwd, H_f), (bwd, H_b) = outs
            return torch.cat([fwd, bwd], dim=-1), torch.stack([H_f, H_b])
        """, caught_by=("matches_nn_RNN", "matches_reference"), clause="values"),
    Bug("bidirectional.bidirectional_rnn", "the backward direction reads the steps forward", """
        def bidirectional_rnn(inputs, state, forward_params, backward_params):
            outs = []
            for (W_xh, W_hh, b_h), H in zip((forward_params, backward_params), state):
                hidden = []
                for X in inputs:
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    hidden.append(H)
                outs.append((torch.stack(hidden), H))
            (fwd, H_f), (bwd, H_b) = outs
            return torch.cat([fwd, bwd], dim=-1), torch.stack([H_f, H_b])
        """, caught_by=("matches_nn_RNN", "matches_reference"), clause="values"),
    Bug("bidirectional.bidirectional_rnn", "both directions share the forward initial state", """
        def bidirectional_rnn(inputs, state, forward_params, backward_params):
            outs = []
            for (W_xh, W_hh, b_h), reverse in zip((forward_params, backward_params), (False, True)):
                H, hidden = state[0], []
                for X in (inputs.flip(0) if reverse else inputs):
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    hidden.append(H)
                hidden = torch.stack(hidden)
                outs.append((hidden.flip(0) if reverse else hidden, H))
            (fwd, H_f), (bwd, H_b) = outs
            return torch.cat([fwd, bwd], dim=-1), torch.stack([H_f, H_b])
        """, caught_by=("matches_nn_RNN", "matches_reference"), clause="values"),
    Bug("bidirectional.bidirectional_rnn", "the weights detached: no gradient reaches them", """
        def bidirectional_rnn(inputs, state, forward_params, backward_params):
            directions = []
            for params, H, reverse in zip((forward_params, backward_params), state, (False, True)):
                W_xh, W_hh, b_h = (p.detach() for p in params)
                hidden = []
                for X in (inputs.flip(0) if reverse else inputs):
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    hidden.append(H)
                hidden = torch.stack(hidden)
                directions.append((hidden.flip(0) if reverse else hidden, H))
            (fwd, H_f), (bwd, H_b) = directions
            return torch.cat([fwd, bwd], dim=-1), torch.stack([H_f, H_b])
        """, caught_by="gradients", clause="gradients"),
    Bug("bidirectional.bidirectional_rnn", "the final states gathered in a tensor made on the CPU", """
        def bidirectional_rnn(inputs, state, forward_params, backward_params):
            directions, finals = [], torch.zeros(0, *state.shape[1:])
            for (W_xh, W_hh, b_h), H, reverse in zip((forward_params, backward_params), state, (False, True)):
                hidden = []
                for X in (inputs.flip(0) if reverse else inputs):
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    hidden.append(H)
                hidden = torch.stack(hidden)
                directions.append(hidden.flip(0) if reverse else hidden)
                finals = torch.cat([finals, H[None]])
            return torch.cat(directions, dim=-1), finals
        """, caught_by="on_device", clause="device"),
    Bug("bidirectional.bidirectional_rnn", "nn.RNN's kernel called through torch.rnn_tanh", """
        def bidirectional_rnn(inputs, state, forward_params, backward_params):
            weights = [w for W_xh, W_hh, b_h in (forward_params, backward_params)
                       for w in (W_xh.T, W_hh.T, b_h, torch.zeros_like(b_h))]
            return torch.rnn_tanh(inputs, state, weights, True, 1, 0.0, False, True, False)
        """, caught_by="no_builtin", clause="no_builtin"),
    # §9.6 encoder-decoder
    Bug("encoder_decoder.Encoder", "__init__ does not call super().__init__()", """
        class Encoder(nn.Module):
            def __init__(self, **kwargs):
                self.kwargs = kwargs

            def forward(self, X, *args):
                raise NotImplementedError
        """, caught_by=("subclass", "interface"), clause="module"),
    Bug("encoder_decoder.Encoder", "a plain class, not an nn.Module", """
        class Encoder:
            def __init__(self, **kwargs):
                pass

            def forward(self, X, *args):
                raise NotImplementedError
        """, caught_by=("subclass", "interface"), clause="module"),
    Bug("encoder_decoder.Encoder", "keyword arguments dropped", replace=[
        ("    def __init__(self, **kwargs):\n        super().__init__(**kwargs)\n\n    def forward(self, X, *args):",
         "    def __init__(self, **kwargs):\n        super().__init__()\n\n    def forward(self, X, *args):")],
        caught_by="passes_keyword_arguments", clause="kwargs"),
    Bug("encoder_decoder.Encoder", "forward returns X unchanged by default", """
        class Encoder(nn.Module):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

            def forward(self, X, *args):
                return X
        """, caught_by="interface", clause="abstract"),
    Bug("encoder_decoder.Decoder", "init_state returns the encoder's outputs by default", """
        class Decoder(nn.Module):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

            def init_state(self, enc_outputs, *args):
                return enc_outputs

            def forward(self, X, state):
                raise NotImplementedError
        """, caught_by="interface", clause="abstract"),
    Bug("encoder_decoder.Decoder", "a plain class, not an nn.Module", """
        class Decoder:
            def __init__(self, **kwargs):
                pass

            def init_state(self, enc_outputs, *args):
                raise NotImplementedError

            def forward(self, X, state):
                raise NotImplementedError
        """, caught_by=("subclass", "interface"), clause="module"),
    Bug("encoder_decoder.Decoder", "keyword arguments dropped", replace=[
        ("    def __init__(self, **kwargs):\n        super().__init__(**kwargs)\n\n    def init_state",
         "    def __init__(self, **kwargs):\n        super().__init__()\n\n    def init_state")],
        caught_by="passes_keyword_arguments", clause="kwargs"),
    Bug("encoder_decoder.EncoderDecoder", "the decoder fed enc_X", """
        class EncoderDecoder(EncoderDecoder):
            def forward(self, enc_X, dec_X, *args):
                enc_outputs = self.encoder(enc_X, *args)
                return self.decoder(enc_X @ torch.ones(enc_X.shape[-1], dec_X.shape[-1]) / enc_X.shape[-1],
                                    self.decoder.init_state(enc_outputs, *args))
        """, caught_by=("wiring", "passes_through"), clause="values"),
    Bug("encoder_decoder.EncoderDecoder", "*args not passed to init_state", """
        class EncoderDecoder(EncoderDecoder):
            def forward(self, enc_X, dec_X, *args):
                enc_outputs = self.encoder(enc_X, *args)
                return self.decoder(dec_X, self.decoder.init_state(enc_outputs))
        """, caught_by="passes_args", clause="args"),
    Bug("encoder_decoder.EncoderDecoder", "parts kept in a plain list (not registered)", """
        class EncoderDecoder(nn.Module):
            def __init__(self, encoder, decoder, **kwargs):
                super().__init__(**kwargs)
                self.parts = [encoder, decoder]

            def forward(self, enc_X, dec_X, *args):
                encoder, decoder = self.parts
                return decoder(dec_X, decoder.init_state(encoder(enc_X, *args), *args))
        """, caught_by="registers_its_parts", clause="registered"),
    Bug("encoder_decoder.EncoderDecoder", "only the decoder's output returned, not its state", """
        class EncoderDecoder(EncoderDecoder):
            def forward(self, enc_X, dec_X, *args):
                enc_outputs = self.encoder(enc_X, *args)
                return self.decoder(dec_X, self.decoder.init_state(enc_outputs, *args))[0]
        """, caught_by=("wiring", "passes_through"), clause="values"),
]
