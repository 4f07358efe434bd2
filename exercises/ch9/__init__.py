"""Chapter 9, 现代循环神经网络 (Modern Recurrent Neural Networks)."""

# The exercises of this chapter, in book order: module.name -> zh.d2l.ai section.
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks) is derived from here.
EXERCISES = {
    "gru.get_params": "9.1.2",
    "gru.init_gru_state": "9.1.2",
    "gru.gru": "9.1.2",
    "lstm.get_lstm_params": "9.2.2",
    "lstm.init_lstm_state": "9.2.2",
    "lstm.lstm": "9.2.2",
    "deep_rnn.stacked_rnn": "9.3",
    "bidirectional.bidirectional_rnn": "9.4",
    "encoder_decoder.Encoder": "9.6.1",
    "encoder_decoder.Decoder": "9.6.2",
    "encoder_decoder.EncoderDecoder": "9.6.3",
}
