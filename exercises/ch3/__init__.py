"""Chapter 3, 线性神经网络 (Linear Neural Networks)."""

# The exercises of this chapter, in book order: module.name -> zh.d2l.ai section, or (section, clauses): the
# clauses of the exercise's contract, one property each, every one tested by its own checks (tests/test_contracts.py).
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks, docs/contracts.md) is derived from here.
EXERCISES = {
    "linear_regression.synthetic_data": ("3.2.1", {
        "values": "X has entries from N(0, 1) and y = Xw + b + noise from N(0, 0.01²)",
        "shape": "X is (num_examples, d), y is (num_examples, 1)",
        "dtype": "X and y are float32",
        "draws": "from torch's global generator, X first, then the noise: under a seed, the reference's numbers",
    }),
    "linear_regression.data_iter": ("3.2.2", {
        "values": "each batch pairs rows of features with the same rows of labels; every example once per pass",
        "shuffle": "the examples come in a random order, a new one on every pass",
        "rest": "the last batch holds the rest when batch_size does not divide the number of examples",
    }),
    "linear_regression.linreg": ("3.2.4", {
        "values": "Xw + b, of shape (n, 1)",
        "gradients": "autograd flows through it to X, w and b",
    }),
    "linear_regression.squared_loss": ("3.2.5", {
        "values": "(y_hat - y)² / 2 for each example",
        "reshape": "y of shape (n,) is reshaped like y_hat (n, 1) first: no (n, n) broadcast",
        "gradients": "autograd flows through it to y_hat",
    }),
    "linear_regression.sgd": ("3.2.6", {
        "values": "each parameter becomes p - lr * p.grad / batch_size",
        "in_place": "in place: the parameters stay leaf tensors with requires_grad and keep their storage",
        "zero_grad": "each gradient is reset afterwards (zero_() or None): the next backward does not add to it",
    }),
    "linear_regression_concise.load_array": ("3.3.2", {
        "values": "batches of batch_size rows (the rest last), one tensor per array, rows of the same examples",
        "shuffle": "is_train=True: shuffled, in a new order on every pass",
        "order": "is_train=False: the examples keep their stored order",
        "returns": "a torch.utils.data.DataLoader",
    }),
    "linear_regression_concise.linear_net": ("3.3.3", {
        "layers": "an nn.Sequential holding one nn.Linear(num_inputs, 1)",
        "init": "weights from N(0, 0.01²), bias 0",
        "draws": "the weights drawn from torch's global generator after the layer is made: under a seed, the "
                 "reference's numbers",
    }),
    "image_classification_dataset.get_fashion_mnist_labels": ("3.5.1", {
        "values": "label i is the i-th name of the book's list (t-shirt, trouser, pullover, ...)",
        "accepts": "labels may be a tensor or a list of ints",
        "returns": "a list of str",
    }),
    "image_classification_dataset.load_data_fashion_mnist": ("3.5.3", {
        "values": "X holds the images' pixels / 255, y their labels",
        "shapes": "X is float32 (B, 1, H, W) (H = W = 28, or resize), y int64 (B,)",
        "resize": "resize: bilinear with antialiasing, as the book's transforms.Resize (within one grey level)",
        "complete": "a pass yields each of the 60,000 training (10,000 test) examples once",
        "shuffle": "train_iter reshuffles the training set on every pass",
        "order": "test_iter yields the test set in its stored order",
    }),
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
    "softmax_regression.net": ("3.6.3", {
        "values": "softmax(X.reshape(-1, W.shape[0]) @ W + b)",
        "uses": "through this module's softmax",
    }),
    "softmax_regression.cross_entropy": ("3.6.4", {
        "values": "-log y_hat[i, y[i]] for each example: a vector of shape (n,)",
        "gradients": "autograd flows through it to y_hat",
        "no_builtin": "F.cross_entropy, F.nll_loss and nn.CrossEntropyLoss are not used",
        "fast": "vectorized: one fancy index, no Python loop over the examples",
    }),
    "softmax_regression.accuracy": ("3.6.5", {
        "count": "the number of correct predictions (a count, not a fraction)",
        "labels": "y_hat may hold class scores (n, q) or predicted labels (n,)",
        "float": "a Python float",
    }),
    "softmax_regression.Accumulator": ("3.6.5", {
        "values": "add(*args) adds each number to its running sum; acc[i] is sum i",
        "reset": "reset() sets all n sums back to 0 (n of them still)",
        "floats": "the sums are Python floats, tensors added too",
    }),
    "softmax_regression.evaluate_accuracy": ("3.6.5", {
        "fraction": "the fraction of all examples of data_iter that net predicts right",
        "weights": "batches of different sizes count by their examples (not one batch, one vote)",
        "eval_mode": "an nn.Module is put in eval mode",
    }),
    "softmax_regression.train_epoch_ch3": ("3.6.6", {
        "optimizer": "with a torch.optim optimizer, per minibatch: zero_grad, backward of the mean loss, step",
        "updater": "with a function updater(batch_size): backward of the summed losses, then updater(X.shape[0])",
        "returns": "(mean loss, accuracy): summed per-example losses and correct predictions over the epoch, "
                   "divided by the number of examples",
        "train_mode": "an nn.Module is put in train mode",
    }),
    "softmax_regression_concise.init_weights": ("3.7.1", {
        "init": "an nn.Linear's weight is redrawn from N(0, 0.01²)",
        "draws": "drawn from torch's global generator as nn.init.normal_ does: under a seed, the reference's numbers",
        "bias": "the nn.Linear's bias keeps its value",
        "others": "other modules are left alone (and do not make it fail)",
    }),
    "softmax_regression_concise.concise_classifier": ("3.7", {
        "layers": "net is nn.Sequential(nn.Flatten(), nn.Linear(784, 10))",
        "init": "initialised by net.apply(init_weights): under a seed, the reference's weights and bias",
        "uses": "through this module's init_weights",
        "loss": "loss is nn.CrossEntropyLoss(reduction='none'): one loss per example, from unnormalised scores",
        "trainer": "trainer is torch.optim.SGD over net's parameters with learning rate lr",
    }),
}
