"""Chapter 4 as the book writes it (zh.d2l.ai §4.2-4.10): our own code, in the book's style and habits.

Where the book works on globals (``num_inputs``, ``train_iter``, ``dropout1``), the answer takes them as the
exercise's arguments; what the book takes from ``d2l`` (``load_array``, ``Accumulator``, ``linreg``, ``sgd``,
``train_epoch_ch3``) is written out beside the answer, as ``d2l`` ships it.
"""
import textwrap

from book import BookAnswer
from book.ch3 import ACCUMULATOR, TRAIN_EPOCH_CH3
from catalog import variant

LOAD_ARRAY = '''
        from torch.utils import data


        def load_array(data_arrays, batch_size, is_train=True):
            """Construct a PyTorch data iterator (d2l)."""
            dataset = data.TensorDataset(*data_arrays)
            return data.DataLoader(dataset, batch_size, shuffle=is_train)
        '''  # indented like the answers below, which it is prepended to

# d2l.train_epoch_ch3 without the metrics (polynomial_regression has no accuracy to count)
TRAIN_EPOCH = variant(
    TRAIN_EPOCH_CH3, ("updater):\n", 'updater):\n    """One training epoch (d2l, §3.6.6), without the metrics."""\n'),
    ("    metric = Accumulator(3)\n", ""),
    ("        metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())\n"
     "    return metric[0] / metric[2], metric[1] / metric[2]\n", ""))

# the concise MLP as §4.3 writes it (a bug of the catalog nests its hidden layer)
CONCISE_MLP = """
def concise_mlp(num_hiddens=256):
    net = nn.Sequential(nn.Flatten(),
                        nn.Linear(784, num_hiddens),
                        nn.ReLU(),
                        nn.Linear(num_hiddens, 10))

    def init_weights(m):
        if type(m) == nn.Linear:
            nn.init.normal_(m.weight, std=0.01)

    net.apply(init_weights)
    return net
"""

ANSWERS = [
    BookAnswer("mlp_scratch.init_params", """
        def init_params(num_inputs=784, num_hiddens=256, num_outputs=10):
            W1 = nn.Parameter(torch.randn(
                num_inputs, num_hiddens, requires_grad=True) * 0.01)
            b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
            W2 = nn.Parameter(torch.randn(
                num_hiddens, num_outputs, requires_grad=True) * 0.01)
            b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
            params = [W1, b1, W2, b2]
            return params
        """),
    BookAnswer("mlp_scratch.relu", """
        def relu(X):
            a = torch.zeros_like(X)
            return torch.max(X, a)
        """),
    BookAnswer("mlp_scratch.net", """
        def net(X, params):
            W1, b1, W2, b2 = params
            X = X.reshape((-1, W1.shape[0]))
            H = relu(X@W1 + b1)  # "@" is matrix multiplication
            return (H@W2 + b2)
        """),
    BookAnswer("mlp_concise.concise_mlp", CONCISE_MLP),
    BookAnswer("polynomial_regression.polynomial_features", """
        import numpy as np

        def polynomial_features(x, max_degree):
            features = x.reshape(-1, 1).numpy()
            poly_features = np.power(features, np.arange(max_degree).reshape(1, -1))
            for i in range(max_degree):
                poly_features[:, i] /= math.gamma(i + 1)  # gamma(n) = (n-1)!
            return torch.tensor(poly_features, dtype=torch.float32)
        """, deviations="keeps_dtype",
        why="the book builds the features in NumPy and converts them with torch.tensor(..., dtype=d2l.float32): a "
            "float64 x comes back float32"),
    BookAnswer("polynomial_regression.evaluate_loss", variant(
        ACCUMULATOR, ("class Accumulator:", 'class Accumulator:\n    \"\"\"For accumulating sums over n variables (d2l).\"\"\"'))
        + textwrap.dedent("""

        def evaluate_loss(net, data_iter, loss):
            \"\"\"Evaluate the loss of a model on the given dataset.\"\"\"
            metric = Accumulator(2)  # sum of the losses, number of examples
            for X, y in data_iter:
                out = net(X)
                y = y.reshape(out.shape)
                l = loss(out, y)
                metric.add(l.sum(), l.numel())
            return metric[0] / metric[1]
        """), deviations="no_grad",
        why="the book evaluates without torch.no_grad(), so every batch builds an autograd graph that is never used"),
    BookAnswer("polynomial_regression.train", textwrap.dedent(LOAD_ARRAY) + "\n\n" + TRAIN_EPOCH + textwrap.dedent("""

        def train(train_features, test_features, train_labels, test_labels,
                  num_epochs=400):
            loss = nn.MSELoss(reduction='none')
            input_shape = train_features.shape[-1]
            # No bias: it is already in the polynomial features
            net = nn.Sequential(nn.Linear(input_shape, 1, bias=False))
            batch_size = min(10, train_labels.shape[0])
            train_iter = load_array((train_features, train_labels.reshape(-1, 1)),
                                    batch_size)
            test_iter = load_array((test_features, test_labels.reshape(-1, 1)),
                                   batch_size, is_train=False)
            trainer = torch.optim.SGD(net.parameters(), lr=0.01)
            for epoch in range(num_epochs):
                train_epoch_ch3(net, train_iter, loss, trainer)
            return (net[0].weight.data, evaluate_loss(net, train_iter, loss),
                    evaluate_loss(net, test_iter, loss))
        """), deviations="poly_train_returns",
        why="the book prints net[0].weight.data, the layer's (1, d) weight; the contract returns it as a vector (d,)"),
    BookAnswer("weight_decay.l2_penalty", """
        def l2_penalty(w):
            return torch.sum(w.pow(2)) / 2
        """),
    BookAnswer("weight_decay.train", LOAD_ARRAY + """

        def linreg(X, w, b):
            \"\"\"The linear regression model (d2l).\"\"\"
            return torch.matmul(X, w) + b


        def squared_loss(y_hat, y):
            \"\"\"Squared loss (d2l).\"\"\"
            return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


        def sgd(params, lr, batch_size):
            \"\"\"Minibatch stochastic gradient descent (d2l).\"\"\"
            with torch.no_grad():
                for param in params:
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()


        def train(lambd, train_data, num_epochs=100, lr=0.003, batch_size=5):
            w, b = init_params(train_data[0].shape[1])
            net, loss = lambda X: linreg(X, w, b), squared_loss
            train_iter = load_array(train_data, batch_size)
            for epoch in range(num_epochs):
                for X, y in train_iter:
                    # The L2 norm penalty; broadcasting makes l2_penalty(w) a vector of length batch_size
                    l = loss(net(X), y) + lambd * l2_penalty(w)
                    l.sum().backward()
                    sgd([w, b], lr, batch_size)
            return [w, b]
        """),
    BookAnswer("weight_decay.train_concise", LOAD_ARRAY + """

        def train_concise(wd, train_data, num_epochs=100, lr=0.003, batch_size=5):
            net = nn.Sequential(nn.Linear(train_data[0].shape[1], 1))
            for param in net.parameters():
                param.data.normal_()
            loss = nn.MSELoss(reduction='none')
            train_iter = load_array(train_data, batch_size)
            # The bias parameter is not decayed
            trainer = torch.optim.SGD([
                {"params": net[0].weight, 'weight_decay': wd},
                {"params": net[0].bias}], lr=lr)
            for epoch in range(num_epochs):
                for X, y in train_iter:
                    trainer.zero_grad()
                    l = loss(net(X), y)
                    l.mean().backward()
                    trainer.step()
            return net
        """),
    BookAnswer("dropout.dropout_layer", """
        def dropout_layer(X, dropout):
            assert 0 <= dropout <= 1
            # In this case, all elements are dropped
            if dropout == 1:
                return torch.zeros_like(X)
            # In this case, all elements are kept
            if dropout == 0:
                return X
            mask = (torch.Tensor(X.shape).uniform_(0, 1) > dropout).float()
            return mask * X / (1.0 - dropout)
        """, deviations=("keeps_dtype", "on_device"),
        why="the book draws the mask with torch.Tensor(X.shape) on the CPU and converts it with .float(): on another "
            "device than the CPU the product fails (the meta device shows it on any machine), and a float16 X comes "
            "back float32"),
    BookAnswer("dropout.Net", """
        dropout1, dropout2 = 0.2, 0.5

        class Net(nn.Module):
            def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2,
                         is_training=True):
                super(Net, self).__init__()
                self.num_inputs = num_inputs
                self.training = is_training
                self.lin1 = nn.Linear(num_inputs, num_hiddens1)
                self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
                self.lin3 = nn.Linear(num_hiddens2, num_outputs)
                self.relu = nn.ReLU()

            def forward(self, X):
                H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
                # Use dropout only when training the model
                if self.training == True:
                    # Add a dropout layer after the first fully connected layer
                    H1 = dropout_layer(H1, dropout1)
                H2 = self.relu(self.lin2(H1))
                if self.training == True:
                    # Add a dropout layer after the second fully connected layer
                    H2 = dropout_layer(H2, dropout2)
                out = self.lin3(H2)
                return out
        """, deviations="rates_from_arguments",
        why="the book reads the dropout rates from the globals dropout1, dropout2 and its constructor takes "
            "is_training instead; Net(..., dropout1=0.7, dropout2=0.1) raises TypeError (its own mode still follows "
            "net.train() / net.eval(), since both set self.training)"),
    BookAnswer("kaggle_house.preprocess", """
        def preprocess(train_data, test_data):
            all_features = pd.concat((train_data.iloc[:, 1:-1], test_data.iloc[:, 1:]))
            # If test data were inaccessible, mean and standard deviation could be calculated from training data
            numeric_features = all_features.dtypes[all_features.dtypes != 'object'].index
            all_features[numeric_features] = all_features[numeric_features].apply(
                lambda x: (x - x.mean()) / (x.std()))
            # After standardizing the data all means vanish, hence we can set missing values to 0
            all_features[numeric_features] = all_features[numeric_features].fillna(0)
            # dummy_na=True considers "na" (missing value) as a valid feature value
            all_features = pd.get_dummies(all_features, dummy_na=True)
            n_train = train_data.shape[0]
            train_features = torch.tensor(all_features[:n_train].values, dtype=torch.float32)
            test_features = torch.tensor(all_features[n_train:].values, dtype=torch.float32)
            train_labels = torch.tensor(
                train_data.SalePrice.values.reshape(-1, 1), dtype=torch.float32)
            return train_features, test_features, train_labels
        """, deviations=("shapes", "one_hot", "str_columns"),
        why="the book's code runs only on the pandas it was written for: since pandas 2 get_dummies makes bool "
            "columns, so .values of the mixed frame is an object array that torch.tensor refuses (one_hot), and "
            "since pandas 3 text columns have dtype str, so dtypes != 'object' picks them too and standardising "
            "them raises TypeError (str_columns); the Kaggle CSVs as pd.read_csv gives them hit both (shapes). On "
            "numbers only it is right (values, pure)"),
    BookAnswer("kaggle_house.log_rmse", """
        loss = nn.MSELoss()

        def log_rmse(net, features, labels):
            # To further stabilize the value when the logarithm is taken, set the value less than 1 as 1
            clipped_preds = torch.clamp(net(features), 1, float('inf'))
            rmse = torch.sqrt(loss(torch.log(clipped_preds),
                                   torch.log(labels)))
            return rmse.item()
        """),
    BookAnswer("kaggle_house.get_net", """
        def get_net(in_features):
            net = nn.Sequential(nn.Linear(in_features, 1))
            return net
        """),
    BookAnswer("kaggle_house.train", LOAD_ARRAY + """
        loss = nn.MSELoss()

        def train(net, train_features, train_labels, test_features, test_labels,
                  num_epochs, learning_rate, weight_decay, batch_size):
            train_ls, test_ls = [], []
            train_iter = load_array((train_features, train_labels), batch_size)
            # The Adam optimization algorithm is used here
            optimizer = torch.optim.Adam(net.parameters(),
                                         lr=learning_rate,
                                         weight_decay=weight_decay)
            for epoch in range(num_epochs):
                for X, y in train_iter:
                    optimizer.zero_grad()
                    l = loss(net(X), y)
                    l.backward()
                    optimizer.step()
                train_ls.append(log_rmse(net, train_features, train_labels))
                if test_labels is not None:
                    test_ls.append(log_rmse(net, test_features, test_labels))
            return train_ls, test_ls
        """),
    BookAnswer("kaggle_house.get_k_fold_data", """
        def get_k_fold_data(k, i, X, y):
            assert k > 1
            fold_size = X.shape[0] // k
            X_train, y_train = None, None
            for j in range(k):
                idx = slice(j * fold_size, (j + 1) * fold_size)
                X_part, y_part = X[idx, :], y[idx]
                if j == i:
                    X_valid, y_valid = X_part, y_part
                elif X_train is None:
                    X_train, y_train = X_part, y_part
                else:
                    X_train = torch.cat([X_train, X_part], 0)
                    y_train = torch.cat([y_train, y_part], 0)
            return X_train, y_train, X_valid, y_valid
        """),
    BookAnswer("kaggle_house.k_fold", """
        def k_fold(k, X_train, y_train, num_epochs, learning_rate, weight_decay,
                   batch_size):
            train_l_sum, valid_l_sum = 0, 0
            for i in range(k):
                data = get_k_fold_data(k, i, X_train, y_train)
                net = get_net(X_train.shape[1])
                train_ls, valid_ls = train(net, *data, num_epochs, learning_rate,
                                           weight_decay, batch_size)
                train_l_sum += train_ls[-1]
                valid_l_sum += valid_ls[-1]
                # (the book also plots the first fold's curves)
                print(f'fold {i + 1}, train log rmse {float(train_ls[-1]):f}, '
                      f'valid log rmse {float(valid_ls[-1]):f}')
            return train_l_sum / k, valid_l_sum / k
        """),
]

NO_BOOK_CODE = {
    "initialization.xavier_uniform_": "§4.8.2 gives Xavier's variance formula only; the book's code calls "
                                      "nn.init.xavier_uniform_ (which the exercise forbids)",
}

# The book's code for these is the reference's, line for line (docstrings and comments aside): the
# references' own runs show that it gets full marks.
BOOK_IS_REFERENCE = (
    "weight_decay.init_params",
)
