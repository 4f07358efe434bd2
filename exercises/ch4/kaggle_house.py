"""§4.10 实战Kaggle比赛：预测房价 (d2l.ai §5.7 Predicting House Prices on Kaggle)."""
import pandas as pd
import torch
from torch import nn
from d2lkit import TensorBatches


def preprocess(train_data, test_data):
    """The book's features and labels (§4.10.4): ``(train_features, test_features, train_labels)``.

    ``train_data`` and ``test_data`` are the Kaggle CSVs read with ``pd.read_csv``
    (columns ``Id``, the features, and for training ``SalePrice`` last). Steps,
    in the book's order, on the features of both sets stacked together
    (``Id`` and ``SalePrice`` dropped): standardise every numeric column to
    mean 0 and std 1 (pandas' ``std``, ddof 1), then fill its missing values
    with 0 (pick the numeric columns with ``select_dtypes(include="number")``:
    since pandas 3 text columns are no longer of dtype ``object``, so the
    book's ``dtypes != 'object'`` test picks them too); one-hot encode the other columns with
    ``pd.get_dummies(..., dummy_na=True)`` (numeric columns first, as pandas
    orders them); booleans become 0.0 / 1.0 (since pandas 2 ``get_dummies`` makes
    bool columns, and ``torch.tensor`` cannot convert them mixed with floats, as
    the book's ``.values`` would be). Returns float32 tensors
    ``(n_train, d)``, ``(n_test, d)`` and the prices ``(n_train, 1)``.
    The input frames are not modified.
    """
    raise NotImplementedError("preprocess (§4.10.4)")


def log_rmse(net, features, labels):
    """Root-mean-square error of the logarithms (§4.10.5), as a Python float.

    ``sqrt(mean((log(clamp(net(features), min=1)) - log(labels))²))``: clamping
    the predictions to at least 1 keeps the logarithm finite.
    """
    raise NotImplementedError("log_rmse (§4.10.5)")


def get_net(in_features):
    """The book's model (§4.10.5): ``nn.Sequential(nn.Linear(in_features, 1))`` with default initialisation."""
    raise NotImplementedError("get_net (§4.10.5)")


def train(net, train_features, train_labels, test_features, test_labels, num_epochs, learning_rate,
          weight_decay, batch_size):
    """Train ``net`` with Adam (§4.10.5); returns ``(train_ls, test_ls)``, one ``log_rmse`` per epoch.

    ``nn.MSELoss()`` on minibatches of ``batch_size`` reshuffled every epoch
    (``d2lkit.TensorBatches``); ``torch.optim.Adam(lr=learning_rate,
    weight_decay=weight_decay)``. After each epoch append ``log_rmse`` on the
    whole training set, and on the test set unless ``test_labels`` is None
    (then ``test_ls`` stays empty): lists of Python floats.
    """
    raise NotImplementedError("train (§4.10.5)")


def get_k_fold_data(k, i, X, y):
    """Fold ``i`` of ``k`` (§4.10.6): ``(X_train, y_train, X_valid, y_valid)``, with the book's slicing.

    ``fold_size = n // k``; fold ``j`` is rows ``[j * fold_size, (j + 1) * fold_size)``;
    fold ``i`` is the validation data, the other folds concatenated in order
    are the training data (the last ``n % k`` rows are in neither). ``k > 1``
    (else ``ValueError``, or ``AssertionError`` as the book's ``assert`` does).
    """
    raise NotImplementedError("get_k_fold_data (§4.10.6)")


def k_fold(k, X_train, y_train, num_epochs, learning_rate, weight_decay, batch_size):
    """K-fold cross-validation (§4.10.6): ``(mean final train log_rmse, mean final valid log_rmse)``.

    For each fold ``i``: a fresh ``get_net(X_train.shape[1])``, trained with
    this module's ``train`` on ``get_k_fold_data(k, i, X_train, y_train)``; the last entries
    of its ``train_ls`` and ``valid_ls`` are averaged over the ``k`` folds.
    Returns two Python floats.
    """
    raise NotImplementedError("k_fold (§4.10.6)")
