"""Chapter 9 as the book writes it (zh.d2l.ai §9.1, §9.2, §9.6): our own code, in the book's style (the gates
computed one matrix product at a time, every step)."""
from book import BookAnswer

ANSWERS = [
    BookAnswer("gru.get_params", """
        def get_params(vocab_size, num_hiddens, device):
            num_inputs = num_outputs = vocab_size

            def normal(shape):
                return torch.randn(size=shape, device=device) * 0.01

            def three():
                return (normal((num_inputs, num_hiddens)),
                        normal((num_hiddens, num_hiddens)),
                        torch.zeros(num_hiddens, device=device))

            W_xz, W_hz, b_z = three()  # update gate
            W_xr, W_hr, b_r = three()  # reset gate
            W_xh, W_hh, b_h = three()  # candidate hidden state
            W_hq = normal((num_hiddens, num_outputs))
            b_q = torch.zeros(num_outputs, device=device)
            params = [W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q]
            for param in params:
                param.requires_grad_(True)
            return params
        """),
    BookAnswer("gru.init_gru_state", """
        def init_gru_state(batch_size, num_hiddens, device):
            return (torch.zeros((batch_size, num_hiddens), device=device), )
        """),
    BookAnswer("gru.gru", """
        def gru(inputs, state, params):
            W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
            H, = state
            outputs = []
            for X in inputs:
                Z = torch.sigmoid((X @ W_xz) + (H @ W_hz) + b_z)
                R = torch.sigmoid((X @ W_xr) + (H @ W_hr) + b_r)
                H_tilda = torch.tanh((X @ W_xh) + ((R * H) @ W_hh) + b_h)
                H = Z * H + (1 - Z) * H_tilda
                Y = H @ W_hq + b_q
                outputs.append(Y)
            return torch.cat(outputs, dim=0), (H,)
        """),
    BookAnswer("lstm.get_lstm_params", """
        def get_lstm_params(vocab_size, num_hiddens, device):
            num_inputs = num_outputs = vocab_size

            def normal(shape):
                return torch.randn(size=shape, device=device) * 0.01

            def three():
                return (normal((num_inputs, num_hiddens)),
                        normal((num_hiddens, num_hiddens)),
                        torch.zeros(num_hiddens, device=device))

            W_xi, W_hi, b_i = three()  # input gate
            W_xf, W_hf, b_f = three()  # forget gate
            W_xo, W_ho, b_o = three()  # output gate
            W_xc, W_hc, b_c = three()  # candidate memory cell
            W_hq = normal((num_hiddens, num_outputs))
            b_q = torch.zeros(num_outputs, device=device)
            params = [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q]
            for param in params:
                param.requires_grad_(True)
            return params
        """),
    BookAnswer("lstm.init_lstm_state", """
        def init_lstm_state(batch_size, num_hiddens, device):
            return (torch.zeros((batch_size, num_hiddens), device=device),
                    torch.zeros((batch_size, num_hiddens), device=device))
        """),
    BookAnswer("lstm.lstm", """
        def lstm(inputs, state, params):
            [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q] = params
            (H, C) = state
            outputs = []
            for X in inputs:
                I = torch.sigmoid((X @ W_xi) + (H @ W_hi) + b_i)
                F = torch.sigmoid((X @ W_xf) + (H @ W_hf) + b_f)
                O = torch.sigmoid((X @ W_xo) + (H @ W_ho) + b_o)
                C_tilda = torch.tanh((X @ W_xc) + (H @ W_hc) + b_c)
                C = F * C + I * C_tilda
                H = O * torch.tanh(C)
                Y = (H @ W_hq) + b_q
                outputs.append(Y)
            return torch.cat(outputs, dim=0), (H, C)
        """),
    BookAnswer("encoder_decoder.Encoder", """
        class Encoder(nn.Module):
            def __init__(self, **kwargs):
                super(Encoder, self).__init__(**kwargs)

            def forward(self, X, *args):
                raise NotImplementedError
        """),
    BookAnswer("encoder_decoder.Decoder", """
        class Decoder(nn.Module):
            def __init__(self, **kwargs):
                super(Decoder, self).__init__(**kwargs)

            def init_state(self, enc_outputs, *args):
                raise NotImplementedError

            def forward(self, X, state):
                raise NotImplementedError
        """),
    BookAnswer("encoder_decoder.EncoderDecoder", """
        class EncoderDecoder(nn.Module):
            def __init__(self, encoder, decoder, **kwargs):
                super(EncoderDecoder, self).__init__(**kwargs)
                self.encoder = encoder
                self.decoder = decoder

            def forward(self, enc_X, dec_X, *args):
                enc_outputs = self.encoder(enc_X, *args)
                dec_state = self.decoder.init_state(enc_outputs, *args)
                return self.decoder(dec_X, dec_state)
        """),
]

NO_BOOK_CODE = {
    "deep_rnn.stacked_rnn": "the book builds a deep RNN from nn.LSTM(num_inputs, num_hiddens, num_layers) (§9.3) and "
                            "gives no from-scratch code",
    "bidirectional.bidirectional_rnn": "the book builds a bidirectional RNN from nn.LSTM(..., bidirectional=True) "
                                       "(§9.4) and gives no from-scratch code",
}
