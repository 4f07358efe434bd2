"""Chapter 3: realistic wrong implementations, and the checks that must catch them."""
from catalog import Bug

BUGS = [
    Bug("linear_regression.synthetic_data", "labels left of shape (n,)", """
        def synthetic_data(w, b, num_examples):
            X = torch.normal(0, 1, (num_examples, len(w)))
            return X, X @ w + b + torch.normal(0, 0.01, (num_examples,))
        """, caught_by=("shapes", "statistics")),
    Bug("linear_regression.synthetic_data", "noise with std 1 instead of 0.01", """
        def synthetic_data(w, b, num_examples):
            X = torch.normal(0, 1, (num_examples, len(w)))
            return X, (X @ w + b + torch.normal(0, 1, (num_examples,))).reshape(-1, 1)
        """, caught_by="statistics"),
    Bug("linear_regression.data_iter", "no shuffling", """
        def data_iter(batch_size, features, labels):
            for i in range(0, len(features), batch_size):
                yield features[i:i + batch_size], labels[i:i + batch_size]
        """, caught_by="random_order_and_rest"),
    Bug("linear_regression.data_iter", "the last, partial batch is dropped", """
        def data_iter(batch_size, features, labels):
            indices = torch.randperm(len(features))
            for i in range(0, len(features) - batch_size + 1, batch_size):
                batch = indices[i:i + batch_size]
                yield features[batch], labels[batch]
        """, caught_by="random_order_and_rest"),
    Bug("linear_regression.data_iter", "features and labels shuffled separately", """
        def data_iter(batch_size, features, labels):
            i_x, i_y = torch.randperm(len(features)), torch.randperm(len(features))
            for i in range(0, len(features), batch_size):
                yield features[i_x[i:i + batch_size]], labels[i_y[i:i + batch_size]]
        """, caught_by=("book_example", "random_order_and_rest")),
    Bug("linear_regression.linreg", "bias forgotten", """
        def linreg(X, w, b):
            return X @ w
        """, caught_by=("book_example", "matches_reference")),
    Bug("linear_regression.linreg", "w detached, so no gradient reaches it", """
        def linreg(X, w, b):
            return X @ w.detach() + b
        """, caught_by="matches_reference"),
    Bug("linear_regression.squared_loss", "y not reshaped: broadcasting makes an (n, n) matrix", """
        def squared_loss(y_hat, y):
            return (y_hat - y) ** 2 / 2
        """, caught_by=("example", "matches_reference")),
    Bug("linear_regression.squared_loss", "the 1/2 is missing", """
        def squared_loss(y_hat, y):
            return (y_hat - y.reshape(y_hat.shape)) ** 2
        """, caught_by=("example", "matches_reference")),
    Bug("linear_regression.sgd", "not divided by the batch size", """
        def sgd(params, lr, batch_size):
            with torch.no_grad():
                for param in params:
                    param -= lr * param.grad
                    param.grad.zero_()
        """, caught_by=("one_step", "in_place_and_zeroes_grad")),
    Bug("linear_regression.sgd", "gradients never zeroed", """
        def sgd(params, lr, batch_size):
            with torch.no_grad():
                for param in params:
                    param -= lr * param.grad / batch_size
        """, caught_by=("in_place_and_zeroes_grad", "recovers_true_parameters")),
    Bug("linear_regression.sgd", "rebinding the loop variable instead of updating in place", """
        def sgd(params, lr, batch_size):
            with torch.no_grad():
                for param in params:
                    param = param - lr * param.grad / batch_size
                    param.grad = None
        """, caught_by=("one_step", "in_place_and_zeroes_grad", "recovers_true_parameters")),
    Bug("linear_regression_concise.load_array", "always shuffled", """
        def load_array(data_arrays, batch_size, is_train=True):
            return data.DataLoader(data.TensorDataset(*data_arrays), batch_size, shuffle=True)
        """, caught_by="shuffle_only_for_training"),
    Bug("linear_regression_concise.load_array", "never shuffled", """
        def load_array(data_arrays, batch_size, is_train=True):
            return data.DataLoader(data.TensorDataset(*data_arrays), batch_size)
        """, caught_by="shuffle_only_for_training"),
    Bug("linear_regression_concise.load_array", "the tuple of tensors passed as the data set", """
        def load_array(data_arrays, batch_size, is_train=True):
            return data.DataLoader(data_arrays, batch_size, shuffle=is_train)
        """, caught_by=("batches", "shuffle_only_for_training")),
    Bug("linear_regression_concise.linear_net", "default initialisation kept", """
        def linear_net(num_inputs):
            return nn.Sequential(nn.Linear(num_inputs, 1))
        """, caught_by="initialisation"),
    Bug("linear_regression_concise.linear_net", "a Flatten layer added in front", """
        def linear_net(num_inputs):
            net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, 1))
            nn.init.normal_(net[1].weight, 0, 0.01)
            nn.init.zeros_(net[1].bias)
            return net
        """, caught_by="structure"),
    Bug("image_classification_dataset.get_fashion_mnist_labels", "labels counted from 1", """
        def get_fashion_mnist_labels(labels):
            names = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                     'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
            return [names[int(i) - 1] for i in labels]
        """, caught_by=("example", "all_classes")),
    Bug("image_classification_dataset.get_fashion_mnist_labels", "pullover and coat swapped", """
        def get_fashion_mnist_labels(labels):
            names = ['t-shirt', 'trouser', 'coat', 'dress', 'pullover',
                     'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
            return [names[int(i)] for i in labels]
        """, caught_by="all_classes"),
    Bug("image_classification_dataset.load_data_fashion_mnist", "pixels left in 0..255", """
        def load_data_fashion_mnist(batch_size, resize=None):
            def collate(batch):
                images = torch.stack([img for img, _ in batch]).unsqueeze(1).float()
                if resize:
                    images = F.interpolate(images, size=(resize, resize), mode="bilinear", antialias=True)
                return images, torch.stack([label for _, label in batch])
            return tuple(data.DataLoader(data.TensorDataset(*read_fashion_mnist(train)), batch_size,
                                         shuffle=train, collate_fn=collate) for train in (True, False))
        """, caught_by="values_and_order"),
    Bug("image_classification_dataset.load_data_fashion_mnist", "the test set shuffled too", """
        def load_data_fashion_mnist(batch_size, resize=None):
            def collate(batch):
                images = torch.stack([img for img, _ in batch]).unsqueeze(1).float() / 255
                if resize:
                    images = F.interpolate(images, size=(resize, resize), mode="bilinear", antialias=True)
                return images, torch.stack([label for _, label in batch])
            return tuple(data.DataLoader(data.TensorDataset(*read_fashion_mnist(train)), batch_size,
                                         shuffle=True, collate_fn=collate) for train in (True, False))
        """, caught_by="values_and_order"),
    Bug("image_classification_dataset.load_data_fashion_mnist", "resize ignored", """
        def load_data_fashion_mnist(batch_size, resize=None):
            def collate(batch):
                images = torch.stack([img for img, _ in batch]).unsqueeze(1).float() / 255
                return images, torch.stack([label for _, label in batch])
            return tuple(data.DataLoader(data.TensorDataset(*read_fashion_mnist(train)), batch_size,
                                         shuffle=train, collate_fn=collate) for train in (True, False))
        """, caught_by=("shapes", "values_and_order")),
    Bug("softmax_regression.softmax", "exp overflows for large logits (no row maximum subtracted)", """
        def softmax(X):
            X_exp = torch.exp(X)
            return X_exp / X_exp.sum(1, keepdim=True)
        """, caught_by="stability", clause="stable"),
    Bug("softmax_regression.softmax", "normalised over the wrong axis", """
        def softmax(X):
            X_exp = torch.exp(X - X.max())
            return X_exp / X_exp.sum(0, keepdim=True)
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("softmax_regression.softmax", "float32 for every input (torch.tensor of the list)", """
        def softmax(X):
            X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
            return torch.tensor((X_exp / X_exp.sum(dim=1, keepdim=True)).tolist())
        """, caught_by=("keeps_dtype", "on_device", "gradients")),
    Bug("softmax_regression.softmax", "computes in float32, whatever X's dtype", """
        def softmax(X):
            X = X.float()
            X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
            return X_exp / X_exp.sum(dim=1, keepdim=True)
        """, caught_by="keeps_dtype", clause="dtype"),
    Bug("softmax_regression.softmax", "the row sums made on the CPU", """
        def softmax(X):
            X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
            sums = torch.zeros(X.shape[0], 1)
            for j in range(X.shape[1]):
                sums = sums + X_exp[:, j:j + 1].to(sums.device)
            return X_exp / sums.to(X.device) if X.device.type != "meta" else X_exp / sums
        """, caught_by="on_device", clause="device"),
    Bug("softmax_regression.softmax", "writes into the caller's X", """
        def softmax(X):
            X -= X.max(dim=1, keepdim=True).values
            X.exp_()
            return X / X.sum(dim=1, keepdim=True)
        """, caught_by="input_unchanged", clause="pure"),
    Bug("softmax_regression.softmax", "detaches: no gradient flows", """
        def softmax(X):
            X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values).detach()
            return X_exp / X_exp.sum(dim=1, keepdim=True)
        """, caught_by="gradients", clause="gradients"),
    Bug("softmax_regression.softmax", "calls the built-in", """
        def softmax(X):
            return torch.softmax(X, dim=1)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("softmax_regression.softmax", "calls the built-in under another name", """
        from torch.nn.functional import softmax as _normalise
        def softmax(X):
            return _normalise(X, 1)
        """, caught_by="no_builtin"),
    Bug("softmax_regression.softmax", "a Python loop over rows", """
        def softmax(X):
            rows = []
            for row in X:
                e = torch.exp(row - row.max())
                rows.append(e / e.sum())
            return torch.stack(rows)
        """, caught_by="speed", clause="fast"),
    Bug("softmax_regression.net", "X not flattened", """
        def net(X, W, b):
            return softmax(X @ W + b)
        """, caught_by=("shape", "matches_reference")),
    Bug("softmax_regression.net", "bias forgotten", """
        def net(X, W, b):
            return softmax(X.reshape(-1, W.shape[0]) @ W)
        """, caught_by="matches_reference"),
    Bug("softmax_regression.cross_entropy", "returns the mean instead of one loss per example", """
        def cross_entropy(y_hat, y):
            return -torch.log(y_hat[range(len(y_hat)), y]).mean()
        """, caught_by=("book_example", "matches_reference")),
    Bug("softmax_regression.cross_entropy", "y_hat[:, y] picks a whole matrix", """
        def cross_entropy(y_hat, y):
            return -torch.log(y_hat[:, y])
        """, caught_by=("book_example", "matches_reference")),
    Bug("softmax_regression.cross_entropy", "calls the built-in loss", """
        import torch.nn.functional as F
        def cross_entropy(y_hat, y):
            return F.nll_loss(torch.log(y_hat), y, reduction="none")
        """, caught_by="no_builtin"),
    Bug("softmax_regression.cross_entropy", "a Python loop over examples", """
        def cross_entropy(y_hat, y):
            return torch.stack([-torch.log(y_hat[i, y[i]]) for i in range(len(y))])
        """, caught_by="speed"),
    Bug("softmax_regression.accuracy", "returns a fraction instead of a count", """
        def accuracy(y_hat, y):
            if y_hat.dim() > 1 and y_hat.shape[1] > 1:
                y_hat = y_hat.argmax(dim=1)
            return float((y_hat.type(y.dtype) == y).float().mean())
        """, caught_by=("book_example", "matches_reference"), clause="count"),
    Bug("softmax_regression.accuracy", "argmax over the batch axis", """
        def accuracy(y_hat, y):
            if y_hat.dim() > 1:
                y_hat = y_hat.argmax(dim=0)
            return float((y_hat.type(y.dtype) == y).sum())
        """, caught_by=("book_example", "matches_reference")),
    Bug("softmax_regression.accuracy", "predicted labels (1-D) not accepted", """
        def accuracy(y_hat, y):
            return float((y_hat.argmax(dim=1).type(y.dtype) == y).sum())
        """, caught_by="takes_labels", clause="labels"),
    Bug("softmax_regression.accuracy", "returns a 0-dim tensor", """
        def accuracy(y_hat, y):
            if y_hat.dim() > 1 and y_hat.shape[1] > 1:
                y_hat = y_hat.argmax(dim=1)
            return (y_hat.type(y.dtype) == y).sum().double()
        """, caught_by="returns_float", clause="float"),
    Bug("softmax_regression.Accumulator", "reset() leaves a single slot", """
        class Accumulator:
            def __init__(self, n):
                self.data = [0.0] * n
            def add(self, *args):
                self.data = [a + float(b) for a, b in zip(self.data, args)]
            def reset(self):
                self.data = [0.0]
            def __getitem__(self, idx):
                return self.data[idx]
        """, caught_by=("add_and_reset", "floats_and_size")),
    Bug("softmax_regression.Accumulator", "sums kept as tensors", """
        class Accumulator:
            def __init__(self, n):
                self.data = [0.0] * n
            def add(self, *args):
                self.data = [a + b for a, b in zip(self.data, args)]
            def reset(self):
                self.data = [0.0] * len(self.data)
            def __getitem__(self, idx):
                return self.data[idx]
        """, caught_by="floats_and_size"),
    Bug("softmax_regression.evaluate_accuracy", "mean of per-batch accuracies", """
        def evaluate_accuracy(net, data_iter):
            if isinstance(net, torch.nn.Module):
                net.eval()
            accs = [accuracy(net(X), y) / y.numel() for X, y in data_iter]
            return sum(accs) / len(accs)
        """, caught_by="weights", clause="weights"),
    Bug("softmax_regression.evaluate_accuracy", "returns the count of correct predictions", """
        def evaluate_accuracy(net, data_iter):
            if isinstance(net, torch.nn.Module):
                net.eval()
            return sum(accuracy(net(X), y) for X, y in data_iter)
        """, caught_by=("example", "weights", "eval_mode"), clause="fraction"),
    Bug("softmax_regression.evaluate_accuracy", "never switches to eval mode", """
        def evaluate_accuracy(net, data_iter):
            metric = Accumulator(2)
            for X, y in data_iter:
                metric.add(accuracy(net(X), y), y.numel())
            return metric[0] / metric[1]
        """, caught_by="eval_mode", clause="eval_mode"),
    Bug("softmax_regression.train_epoch_ch3", "mean loss with a function updater (divides twice)", replace=[(
        "            l.sum().backward()\n            updater(X.shape[0])",
        "            l.mean().backward()\n            updater(X.shape[0])")],
        caught_by=("matches_reference", "reaches_threshold")),
    Bug("softmax_regression.train_epoch_ch3", "optimizer's gradients never zeroed", replace=[(
        "            updater.zero_grad()\n", "")], caught_by="matches_reference"),
    Bug("softmax_regression.train_epoch_ch3", "returns sums instead of averages", replace=[(
        "    return metric[0] / metric[2], metric[1] / metric[2]", "    return metric[0], metric[1]")],
        caught_by=("returns", "matches_reference")),
    Bug("softmax_regression_concise.init_weights", "uniform instead of normal", """
        def init_weights(m):
            if isinstance(m, nn.Linear):
                nn.init.uniform_(m.weight, -0.01, 0.01)
        """, caught_by=("leaves_other_modules", "normal_and_linear_only")),
    Bug("softmax_regression_concise.init_weights", "every module with a weight re-initialised", """
        def init_weights(m):
            if hasattr(m, "weight"):
                nn.init.normal_(m.weight, std=0.01)
        """, caught_by="normal_and_linear_only"),
    Bug("softmax_regression_concise.init_weights", "no type test: fails on layers without weights", """
        def init_weights(m):
            nn.init.normal_(m.weight, std=0.01)
        """, caught_by=("leaves_other_modules", "normal_and_linear_only")),
    Bug("softmax_regression_concise.concise_classifier", "loss averaged (reduction='mean')", """
        def concise_classifier(lr=0.1):
            net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
            net.apply(init_weights)
            return net, nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=lr)
        """, caught_by="parts"),
    Bug("softmax_regression_concise.concise_classifier", "a softmax layer before CrossEntropyLoss", """
        def concise_classifier(lr=0.1):
            net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Softmax(dim=1))
            net.apply(init_weights)
            return net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=lr)
        """, caught_by="reaches_threshold"),
    Bug("softmax_regression_concise.concise_classifier", "no Flatten layer", """
        def concise_classifier(lr=0.1):
            net = nn.Sequential(nn.Linear(784, 10))
            net.apply(init_weights)
            return net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=lr)
        """, caught_by=("parts", "reaches_threshold")),
]
