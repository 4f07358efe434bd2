"""Chapter 3, 线性神经网络 (Linear Neural Networks)."""

# The exercises of this chapter, in book order: module.name -> zh.d2l.ai section, or (section, clauses): the
# clauses of the exercise's contract, one property each, every one tested by its own checks (tests/test_contracts.py).
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks, docs/contracts.md) is derived from here.
EXERCISES = {
    "linear_regression.synthetic_data": "3.2.1",
    "linear_regression.data_iter": "3.2.2",
    "linear_regression.linreg": "3.2.4",
    "linear_regression.squared_loss": "3.2.5",
    "linear_regression.sgd": "3.2.6",
    "linear_regression_concise.load_array": "3.3.2",
    "linear_regression_concise.linear_net": "3.3.3",
    "image_classification_dataset.get_fashion_mnist_labels": "3.5.1",
    "image_classification_dataset.load_data_fashion_mnist": "3.5.3",
    "softmax_regression.softmax": ("3.6.2", {
        "values": "each row of the result is the softmax of that row of X: exp(x_ij) / sum_k exp(x_ik)",
        "stable": "large logits (1000) do not overflow: subtracting each row's maximum first",
        "dtype": "the result has X's dtype (float64 in, float64 out)",
        "device": "the result is on X's device (no tensor made elsewhere)",
        "pure": "X is left unchanged",
        "gradients": "autograd flows through it: the gradient is the softmax's",
        "no_builtin": "torch.softmax, F.softmax and log_softmax are not used",
        "fast": "vectorized: no Python loop over the rows",
    }),
    "softmax_regression.net": "3.6.3",
    "softmax_regression.cross_entropy": "3.6.4",
    "softmax_regression.accuracy": ("3.6.5", {
        "count": "the number of correct predictions (a count, not a fraction)",
        "labels": "y_hat may hold class scores (n, q) or predicted labels (n,)",
        "float": "a Python float",
    }),
    "softmax_regression.Accumulator": "3.6.5",
    "softmax_regression.evaluate_accuracy": ("3.6.5", {
        "fraction": "the fraction of all examples of data_iter that net predicts right",
        "weights": "batches of different sizes count by their examples (not one batch, one vote)",
        "eval_mode": "an nn.Module is put in eval mode",
    }),
    "softmax_regression.train_epoch_ch3": "3.6.6",
    "softmax_regression_concise.init_weights": "3.7.1",
    "softmax_regression_concise.concise_classifier": "3.7",
}
