"""§9.6 编码器-解码器架构 (d2l.ai §10.6 The Encoder-Decoder Architecture)."""
from torch import nn


class Encoder(nn.Module):
    """The encoder interface (§9.6.1): an ``nn.Module`` whose subclasses implement ``forward(X, *args)``.

    ``__init__(**kwargs)`` passes its keyword arguments on to ``nn.Module``,
    so subclasses may register layers after ``super().__init__()``.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def forward(self, X, *args):
        """Encode ``X``; the interface raises ``NotImplementedError`` (a subclass must override it)."""
        raise NotImplementedError


class Decoder(nn.Module):
    """The decoder interface (§9.6.2): ``init_state(enc_outputs, *args)`` turns the encoder's outputs into
    the decoder's state; ``forward(X, state)`` decodes. Both raise ``NotImplementedError`` here; a subclass
    overrides them. ``__init__(**kwargs)`` passes its keyword arguments on to ``nn.Module``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def init_state(self, enc_outputs, *args):
        """The decoder's initial state from the encoder's outputs; the interface raises ``NotImplementedError``."""
        raise NotImplementedError

    def forward(self, X, state):
        """Decode ``X`` from ``state``; the interface raises ``NotImplementedError``."""
        raise NotImplementedError


class EncoderDecoder(nn.Module):
    """An encoder and a decoder wired together (§9.6.3); both registered as submodules
    (``self.encoder``, ``self.decoder``).

    ``forward(enc_X, dec_X, *args)``: ``enc_outputs = encoder(enc_X, *args)``,
    ``dec_state = decoder.init_state(enc_outputs, *args)``, and returns
    ``decoder(dec_X, dec_state)`` unchanged (whatever the decoder returns,
    e.g. ``(output, state)``).
    """

    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, enc_X, dec_X, *args):
        """Encode ``enc_X``, initialise the decoder's state from it, decode ``dec_X``."""
        enc_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_outputs, *args)
        return self.decoder(dec_X, dec_state)
