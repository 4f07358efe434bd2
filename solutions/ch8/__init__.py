"""Chapter 8, 循环神经网络 (Recurrent Neural Networks)."""

# The exercises of this chapter, in book order: module.name -> zh.d2l.ai section.
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks) is derived from here.
EXERCISES = {
    "text_preprocessing.read_time_machine": "8.2.1",
    "text_preprocessing.tokenize": "8.2.2",
    "text_preprocessing.count_corpus": "8.2.3",
    "text_preprocessing.Vocab": "8.2.3",
    "text_preprocessing.load_corpus_time_machine": "8.2.4",
    "language_model.seq_data_iter_random": "8.3.4",
    "language_model.seq_data_iter_sequential": "8.3.4",
    "language_model.SeqDataLoader": "8.3.4",
    "language_model.load_data_time_machine": "8.3.4",
    "rnn_scratch.get_params": "8.5.2",
    "rnn_scratch.init_rnn_state": "8.5.3",
    "rnn_scratch.rnn": "8.5.3",
    "rnn_scratch.RNNModelScratch": "8.5.3",
    "rnn_scratch.predict_ch8": "8.5.4",
    "rnn_scratch.grad_clipping": "8.5.5",
    "rnn_scratch.train_epoch_ch8": "8.5.6",
    "rnn_scratch.train_ch8": "8.5.6",
    "rnn_concise.RNNModel": "8.6.2",
}
