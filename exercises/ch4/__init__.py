"""Chapter 4, 多层感知机 (Multilayer Perceptrons)."""

# The exercises of this chapter, in book order: module.name -> zh.d2l.ai section, or (section, clauses): the
# clauses of the exercise's contract, one property each, every one tested by its own checks (tests/test_contracts.py).
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks, docs/contracts.md) is derived from here.
EXERCISES = {
    "mlp_scratch.init_params": ("4.2.1", {
        "init": "W1 then W2 drawn from N(0, 0.01²) with torch's global generator (torch.randn(...) * 0.01): "
                "under the same seed, the reference's numbers",
        "shapes": "W1 (num_inputs, num_hiddens), b1 (num_hiddens,), W2 (num_hiddens, num_outputs), b2 (num_outputs,)",
        "zero_bias": "b1 and b2 start at zero",
        "returns": "a list [W1, b1, W2, b2] of float32 nn.Parameters (leaves that require gradients)",
    }),
    "mlp_scratch.relu": ("4.2.2", {
        "values": "max(x, 0) for every entry of X, same shape",
        "dtype": "the result has X's dtype (float64 and float16 too)",
        "device": "the result is on X's device (no tensor made elsewhere)",
        "pure": "X is left unchanged",
        "gradients": "autograd flows through it: 0 for negative inputs, 1 for positive ones",
        "no_builtin": "torch.relu, F.relu, nn.ReLU, clamp/clip and threshold are not used",
        "fast": "vectorized: one elementwise operation, no Python loop",
    }),
    "mlp_scratch.net": ("4.2.3", {
        "values": "the logits relu(X W1 + b1) W2 + b2, X flattened to (-1, W1.shape[0]) (images or rows): "
                  "trained from init_params and relu as in §4.2.5 it learns Fashion-MNIST",
        "gradients": "autograd flows to W1, b1, W2 and b2",
    }),
    "mlp_concise.concise_mlp": ("4.3", {
        "values": "the function of Flatten -> Linear(784, num_hiddens) -> ReLU -> Linear(num_hiddens, 10)",
        "layers": "an nn.Sequential of exactly those four layers (net[1] and net[3] the linear ones)",
        "init": "every nn.Linear's weight redrawn from N(0, 0.01²) with net.apply, in layer order, the biases "
                "keeping their default initialisation: under the same seed, the reference's parameters",
    }),
    "polynomial_regression.polynomial_features": ("4.4.4", {
        "values": "column i holds x**i / i! for i < max_degree (column 0 all ones), for x of shape (n, 1) as the "
                  "book's features are",
        "shapes": "x may also be of shape (n,); the result is (n, max_degree)",
        "dtype": "the result has x's dtype (float64 in, float64 out)",
    }),
    "polynomial_regression.evaluate_loss": ("4.4.4", {
        "values": "the sum of loss(net(X), y) over every batch divided by the number of loss entries: batches of "
                  "different sizes count by their examples",
        "counts": "the count is l.numel(): several outputs per example count one entry each",
        "reshape": "y is reshaped like net(X) first (labels (n,) against outputs (n, 1))",
        "returns": "a Python float",
        "no_grad": "no gradients are recorded (torch.no_grad())",
    }),
    "polynomial_regression.train": ("4.4.4", {
        "fits": "the book's setup (no bias, squared loss averaged per minibatch, SGD lr 0.01, minibatches of "
                "min(10, n)) fits the third-order polynomial within 0.1 in 400 epochs",
        "losses": "the losses returned are evaluate_loss of the trained model on the training and the test data",
        "returns": "(w, train_loss, test_loss): w a float32 tensor of shape (d,), the losses Python floats",
    }),
    "weight_decay.init_params": ("4.5.3", {
        "init": "w drawn from N(0, 1) with torch's global generator: under the same seed, the reference's numbers",
        "shapes": "w (num_inputs, 1) and b (1,)",
        "zero_bias": "b starts at zero",
        "returns": "a list [w, b] of float32 leaf tensors that require gradients",
    }),
    "weight_decay.l2_penalty": ("4.5.3", {
        "values": "||w||² / 2, the sum of the squares halved, as a 0-dim tensor",
        "gradients": "autograd flows through it: the gradient is w",
        "no_builtin": "torch.norm and torch.linalg.norm are not used",
    }),
    "weight_decay.train": ("4.5.3", {
        "trains": "the book's experiment (20 examples, 200 features): ||w|| stays above 8 with lambd=0 and falls "
                  "below 0.6 with lambd=3",
        "decay": "the minibatch loss sums (Xw + b - y)²/2 + lambd * l2_penalty(w) over its examples and the step "
                 "divides by batch_size: each step shrinks w by (1 - lr * lambd), b is not decayed",
        "uses": "it starts from this module's init_params(d) and penalises with its l2_penalty",
    }),
    "weight_decay.train_concise": ("4.5.4", {
        "trains": "the book's experiment: ||w|| stays above 8 with wd=0 and falls below 0.6 with wd=3",
        "decay": "SGD's weight_decay=wd on the weight: each step shrinks it by (1 - lr * wd)",
        "bias": "the bias is not decayed (a parameter group of its own)",
        "init": "the weight, then the bias, redrawn from N(0, 1) (param.data.normal_()): under the same seed, the "
                "reference's parameters",
    }),
    "dropout.dropout_layer": ("4.6.4", {
        "values": "each entry is zeroed with probability dropout, the kept ones scaled by 1 / (1 - dropout), any "
                  "shape",
        "edges": "dropout == 0 returns X, dropout == 1 returns zeros",
        "errors": "a dropout outside [0, 1] raises ValueError (or AssertionError, as the book's assert does)",
        "rng": "a fresh mask every call, from torch's global generator (the same mask again under the same seed)",
        "dtype": "the result has X's dtype (float64 and float16 too)",
        "device": "the mask is made on X's device",
        "pure": "X is left unchanged",
        "gradients": "gradients flow to X: mask / (1 - dropout)",
        "no_builtin": "F.dropout, nn.Dropout and torch.bernoulli are not used: uniform draws compared with dropout",
    }),
    "dropout.Net": ("4.6.4", {
        "values": "in eval mode: lin1 -> ReLU -> lin2 -> ReLU -> lin3 on X flattened to (-1, num_inputs); "
                  "trained as in §4.6.4 it learns Fashion-MNIST",
        "init": "lin1, lin2, lin3 created in that order with nn.Linear's default initialisation: under the same "
                "seed, the reference's parameters",
        "modes": "dropout only in training mode: the module's own mode (net.train() / net.eval()) decides",
        "rates": "in training mode the first hidden layer's outputs are dropped with dropout1 (0.2), the second's "
                 "with dropout2 (0.5), the kept ones scaled",
        "arguments": "dropout1 and dropout2 are the constructor's arguments",
        "uses": "the dropout is this module's dropout_layer",
    }),
    "initialization.xavier_uniform_": ("4.8.2", {
        "values": "values from U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)), for a weight (out, in)",
        "fans": "for (out, in, *kernel): fan_in = in * prod(kernel), fan_out = out * prod(kernel)",
        "rng": "drawn with torch's global generator (tensor.uniform_): under the same seed, the reference's numbers",
        "in_place": "fills the tensor it is given and returns that same tensor",
        "parameter": "works on an nn.Parameter: no gradient is recorded, it stays a leaf",
        "no_builtin": "nn.init's functions are not used",
        "errors": "a tensor with fewer than 2 dimensions raises ValueError",
    }),
    "kaggle_house.preprocess": ("4.10.4", {
        "values": "the numeric columns of both sets stacked, standardised (mean, std with ddof 1), then missing "
                  "values filled with 0; the prices (n_train, 1); float32 tensors",
        "onehot": "the other columns one-hot encoded with pd.get_dummies(dummy_na=True) after the numeric ones, "
                  "booleans as 0.0 / 1.0: the same columns for both sets",
        "str_columns": "text columns of pandas 3's str dtype (as pd.read_csv gives them) are not standardised: the "
                       "numeric columns are picked with select_dtypes(include='number')",
        "pure": "the data frames given are not modified",
    }),
    "kaggle_house.log_rmse": ("4.10.5", {
        "values": "sqrt(mean((log(net(features)) - log(labels))²))",
        "clamp": "predictions below 1 are clamped to 1 first",
        "returns": "a Python float",
    }),
    "kaggle_house.get_net": ("4.10.5", {
        "values": "nn.Sequential(nn.Linear(in_features, 1))",
        "init": "nn.Linear's default initialisation: under the same seed, the reference's parameters",
    }),
    "kaggle_house.train": ("4.10.5", {
        "trains": "Adam with learning_rate on minibatches of batch_size, nn.MSELoss: 30 epochs on a Kaggle fold "
                  "bring the training log-rmse below 0.7",
        "reports": "after each epoch, log_rmse of the net on the training and the test data, as Python floats",
        "no_test": "without test labels (None) test_ls stays []",
        "decay": "weight_decay is Adam's weight decay",
    }),
    "kaggle_house.get_k_fold_data": ("4.10.6", {
        "values": "(X_train, y_train, X_valid, y_valid): fold i (rows [i * fold_size, (i + 1) * fold_size), "
                  "fold_size = n // k) for validation, the other folds in order for training",
        "rest": "the last n % k rows are in neither",
        "errors": "k <= 1 raises ValueError (or AssertionError, as the book's assert does)",
    }),
    "kaggle_house.k_fold": ("4.10.6", {
        "values": "the means over the k folds of the last train_ls and valid_ls entries that this module's train "
                  "returns for get_k_fold_data(k, i, ...)",
        "fresh": "a fresh get_net(X_train.shape[1]) for every fold",
        "returns": "two Python floats",
    }),
}
