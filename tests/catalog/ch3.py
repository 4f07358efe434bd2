"""Chapter 3: realistic wrong implementations, and the checks that must catch them."""
from catalog import Bug

BUGS = [
    # §3.2 linear regression from scratch
    Bug("linear_regression.synthetic_data", "labels left of shape (n,)", """
        def synthetic_data(w, b, num_examples):
            X = torch.normal(0, 1, (num_examples, len(w)))
            return X, X @ w + b + torch.normal(0, 0.01, (num_examples,))
        """, caught_by="shapes", clause="shape"),
    Bug("linear_regression.synthetic_data", "noise with std 1 instead of 0.01", """
        def synthetic_data(w, b, num_examples):
            X = torch.normal(0, 1, (num_examples, len(w)))
            return X, (X @ w + b + torch.normal(0, 1, (num_examples,))).reshape(-1, 1)
        """, caught_by=("statistics", "draws"), clause="values"),
    Bug("linear_regression.synthetic_data", "b forgotten", """
        def synthetic_data(w, b, num_examples):
            X = torch.normal(0, 1, (num_examples, len(w)))
            return X, (X @ w + torch.normal(0, 0.01, (num_examples,))).reshape(-1, 1)
        """, caught_by=("statistics", "draws"), clause="values"),
    Bug("linear_regression.synthetic_data", "promoted to float64 'for precision'", """
        def synthetic_data(w, b, num_examples):
            X = torch.normal(0, 1, (num_examples, len(w)))
            y = X @ w + b + torch.normal(0, 0.01, (num_examples,))
            return X.double(), y.reshape(-1, 1).double()
        """, caught_by="float32", clause="dtype"),
    Bug("linear_regression.synthetic_data", "the noise drawn before the features", """
        def synthetic_data(w, b, num_examples):
            noise = torch.normal(0, 0.01, (num_examples, 1))
            X = torch.normal(0, 1, (num_examples, len(w)))
            return X, (X @ w + b).reshape(-1, 1) + noise
        """, caught_by="draws", clause="draws"),
    Bug("linear_regression.synthetic_data", "drawn with NumPy", """
        import numpy as np
        def synthetic_data(w, b, num_examples):
            X = torch.from_numpy(np.random.normal(0, 1, (num_examples, len(w))))
            y = X @ w.double() + b + torch.from_numpy(np.random.normal(0, 0.01, num_examples))
            return X, y.reshape(-1, 1)
        """, caught_by=("float32", "draws")),
    Bug("linear_regression.data_iter", "no shuffling", """
        def data_iter(batch_size, features, labels):
            for i in range(0, len(features), batch_size):
                yield features[i:i + batch_size], labels[i:i + batch_size]
        """, caught_by="random_order", clause="shuffle"),
    Bug("linear_regression.data_iter", "a private seeded generator: the same order on every pass", """
        import random
        def data_iter(batch_size, features, labels):
            indices = list(range(len(features)))
            random.Random(42).shuffle(indices)
            for i in range(0, len(features), batch_size):
                batch = torch.tensor(indices[i:i + batch_size])
                yield features[batch], labels[batch]
        """, caught_by="random_order", clause="shuffle"),
    Bug("linear_regression.data_iter", "the last, partial batch is dropped", """
        def data_iter(batch_size, features, labels):
            indices = torch.randperm(len(features))
            for i in range(0, len(features) - batch_size + 1, batch_size):
                batch = indices[i:i + batch_size]
                yield features[batch], labels[batch]
        """, caught_by="rest", clause="rest"),
    Bug("linear_regression.data_iter", "features and labels shuffled separately", """
        def data_iter(batch_size, features, labels):
            i_x, i_y = torch.randperm(len(features)), torch.randperm(len(features))
            for i in range(0, len(features), batch_size):
                yield features[i_x[i:i + batch_size]], labels[i_y[i:i + batch_size]]
        """, caught_by=("book_example", "pairs_every_example", "random_order", "rest"), clause="values"),
    Bug("linear_regression.linreg", "bias forgotten", """
        def linreg(X, w, b):
            return X @ w
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("linear_regression.linreg", "w detached, so no gradient reaches it", """
        def linreg(X, w, b):
            return X @ w.detach() + b
        """, caught_by="gradients", clause="gradients"),
    Bug("linear_regression.squared_loss", "y not reshaped: broadcasting makes an (n, n) matrix", """
        def squared_loss(y_hat, y):
            return (y_hat - y) ** 2 / 2
        """, caught_by=("example", "reshapes_y"), clause="reshape"),
    Bug("linear_regression.squared_loss", "the 1/2 is missing", """
        def squared_loss(y_hat, y):
            return (y_hat - y.reshape(y_hat.shape)) ** 2
        """, caught_by=("example", "matches_reference", "reshapes_y", "gradients"), clause="values"),
    Bug("linear_regression.squared_loss", "computed on detached predictions", """
        def squared_loss(y_hat, y):
            return (y_hat.detach() - y.reshape(y_hat.shape)) ** 2 / 2
        """, caught_by="gradients", clause="gradients"),
    Bug("linear_regression.sgd", "not divided by the batch size", """
        def sgd(params, lr, batch_size):
            with torch.no_grad():
                for param in params:
                    param -= lr * param.grad
                    param.grad.zero_()
        """, caught_by=("one_step", "matches_reference", "in_place", "resets_gradients")),
    Bug("linear_regression.sgd", "the step goes uphill (+= instead of -=)", """
        def sgd(params, lr, batch_size):
            with torch.no_grad():
                for param in params:
                    param += lr * param.grad / batch_size
                    param.grad.zero_()
        """, caught_by=("one_step", "matches_reference", "recovers_true_parameters"), clause="values"),
    Bug("linear_regression.sgd", "gradients never zeroed", """
        def sgd(params, lr, batch_size):
            with torch.no_grad():
                for param in params:
                    param -= lr * param.grad / batch_size
        """, caught_by=("resets_gradients", "recovers_true_parameters"), clause="zero_grad"),
    Bug("linear_regression.sgd", "param.data rebound to a new tensor (not in place)", """
        def sgd(params, lr, batch_size):
            for param in params:
                param.data = param.data - lr * param.grad / batch_size
                param.grad.zero_()
        """, caught_by="in_place", clause="in_place"),
    Bug("linear_regression.sgd", "rebinding the loop variable instead of updating in place", """
        def sgd(params, lr, batch_size):
            with torch.no_grad():
                for param in params:
                    param = param - lr * param.grad / batch_size
                    param.grad = None
        """, caught_by=("one_step", "matches_reference", "in_place", "resets_gradients", "recovers_true_parameters")),
    # §3.3 concise linear regression
    Bug("linear_regression_concise.load_array", "always shuffled", """
        def load_array(data_arrays, batch_size, is_train=True):
            return data.DataLoader(data.TensorDataset(*data_arrays), batch_size, shuffle=True)
        """, caught_by="keeps_order_for_testing", clause="order"),
    Bug("linear_regression_concise.load_array", "never shuffled", """
        def load_array(data_arrays, batch_size, is_train=True):
            return data.DataLoader(data.TensorDataset(*data_arrays), batch_size)
        """, caught_by="shuffles_for_training", clause="shuffle"),
    Bug("linear_regression_concise.load_array", "the tuple of tensors passed as the data set", """
        def load_array(data_arrays, batch_size, is_train=True):
            return data.DataLoader(data_arrays, batch_size, shuffle=is_train)
        """, caught_by=("batches", "values", "shuffles_for_training", "keeps_order_for_testing"), clause="values"),
    Bug("linear_regression_concise.load_array", "the last, partial batch dropped (drop_last=True)", """
        def load_array(data_arrays, batch_size, is_train=True):
            return data.DataLoader(data.TensorDataset(*data_arrays), batch_size, shuffle=is_train, drop_last=True)
        """, caught_by=("values", "shuffles_for_training", "keeps_order_for_testing")),
    Bug("linear_regression_concise.load_array", "an in-memory iterator of its own instead of a DataLoader", """
        class _Batches:
            def __init__(self, arrays, batch_size, shuffle):
                self.arrays, self.batch_size, self.shuffle = arrays, batch_size, shuffle

            def __iter__(self):
                n = len(self.arrays[0])
                order = torch.randperm(n) if self.shuffle else torch.arange(n)
                for i in range(0, n, self.batch_size):
                    yield tuple(a[order[i:i + self.batch_size]] for a in self.arrays)

        import torch
        def load_array(data_arrays, batch_size, is_train=True):
            return _Batches(tuple(data_arrays), batch_size, is_train)
        """, caught_by="returns_a_data_loader", clause="returns"),
    Bug("linear_regression_concise.linear_net", "default initialisation kept", """
        def linear_net(num_inputs):
            return nn.Sequential(nn.Linear(num_inputs, 1))
        """, caught_by=("initialisation", "draws"), clause="init"),
    Bug("linear_regression_concise.linear_net", "a Flatten layer added in front", """
        def linear_net(num_inputs):
            net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, 1))
            nn.init.normal_(net[1].weight, 0, 0.01)
            nn.init.zeros_(net[1].bias)
            return net
        """, caught_by="structure", clause="layers"),
    Bug("linear_regression_concise.linear_net", "a seed of its own (torch.manual_seed(0) inside)", """
        import torch
        def linear_net(num_inputs):
            torch.manual_seed(0)
            net = nn.Sequential(nn.Linear(num_inputs, 1))
            nn.init.normal_(net[0].weight, 0, 0.01)
            nn.init.zeros_(net[0].bias)
            return net
        """, caught_by="draws", clause="draws"),
    # §3.5 the image classification data set
    Bug("image_classification_dataset.get_fashion_mnist_labels", "labels counted from 1", """
        def get_fashion_mnist_labels(labels):
            names = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                     'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
            return [names[int(i) - 1] for i in labels]
        """, caught_by=("example", "all_classes"), clause="values"),
    Bug("image_classification_dataset.get_fashion_mnist_labels", "pullover and coat swapped", """
        def get_fashion_mnist_labels(labels):
            names = ['t-shirt', 'trouser', 'coat', 'dress', 'pullover',
                     'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
            return [names[int(i)] for i in labels]
        """, caught_by=("all_classes", "accepts_lists", "returns_a_list")),
    Bug("image_classification_dataset.get_fashion_mnist_labels", "labels.tolist(): only tensors accepted", """
        def get_fashion_mnist_labels(labels):
            return [TEXT_LABELS[i] for i in labels.tolist()]
        """, caught_by="accepts_lists", clause="accepts"),
    Bug("image_classification_dataset.get_fashion_mnist_labels", "a NumPy array of names instead of a list", """
        import numpy as np
        def get_fashion_mnist_labels(labels):
            return np.array(TEXT_LABELS)[np.asarray(labels, dtype=np.int64)]
        """, caught_by="returns_a_list", clause="returns"),
    Bug("image_classification_dataset.load_data_fashion_mnist", "pixels left in 0..255", replace=[(
        ".unsqueeze(1).float().div(255)", ".unsqueeze(1).float()")],
        caught_by=("values", "resize", "complete", "reshuffles", "test_order"), clause="values"),
    Bug("image_classification_dataset.load_data_fashion_mnist", "the test set shuffled too", replace=[(
        "batch_size, shuffle=train,", "batch_size, shuffle=True,")], caught_by="test_order", clause="order"),
    Bug("image_classification_dataset.load_data_fashion_mnist", "resize ignored", replace=[(
        "        if resize:\n"
        "            images = F.interpolate(images, size=(resize, resize), mode=\"bilinear\", antialias=True,\n"
        "                                   align_corners=False)\n", "")],
        caught_by=("shapes", "resize")),
    Bug("image_classification_dataset.load_data_fashion_mnist", "no channel axis: X of shape (B, 28, 28)", replace=[(
        "images = torch.stack([img for img, _ in batch]).unsqueeze(1).float().div(255)",
        "images = torch.stack([img for img, _ in batch]).float().div(255)"), (
        "            images = F.interpolate(images, size=(resize, resize), mode=\"bilinear\", antialias=True,\n"
        "                                   align_corners=False)",
        "            images = F.interpolate(images.unsqueeze(1), size=(resize, resize), mode=\"bilinear\",\n"
        "                                   antialias=True, align_corners=False).squeeze(1)")],
        caught_by="shapes", clause="shapes"),
    Bug("image_classification_dataset.load_data_fashion_mnist", "resized bilinearly without antialiasing", replace=[(
        "mode=\"bilinear\", antialias=True,", "mode=\"bilinear\", antialias=False,")],
        caught_by="resize", clause="resize"),
    Bug("image_classification_dataset.load_data_fashion_mnist", "the last, partial batch dropped (drop_last=True)",
        replace=[("batch_size, shuffle=train,", "batch_size, shuffle=train, drop_last=train,")],
        caught_by="complete", clause="complete"),
    Bug("image_classification_dataset.load_data_fashion_mnist", "the training set shuffled once, then served in "
        "that order", replace=[(
            "        images, labels = read_fashion_mnist(train)\n",
            "        images, labels = read_fashion_mnist(train)\n"
            "        if train:\n"
            "            order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))\n"
            "            images, labels = images[order], labels[order]\n"),
            ("batch_size, shuffle=train,", "batch_size, shuffle=False,")],
        caught_by="reshuffles", clause="shuffle"),
    # §3.6 softmax regression from scratch
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
        """, caught_by=("shape", "matches_reference", "uses_softmax"), clause="values"),
    Bug("softmax_regression.net", "bias forgotten", """
        def net(X, W, b):
            return softmax(X.reshape(-1, W.shape[0]) @ W)
        """, caught_by=("matches_reference", "uses_softmax")),
    Bug("softmax_regression.net", "torch.softmax instead of this module's softmax", """
        def net(X, W, b):
            return torch.softmax(X.reshape(-1, W.shape[0]) @ W + b, dim=1)
        """, caught_by="uses_softmax", clause="uses"),
    Bug("softmax_regression.cross_entropy", "returns the mean instead of one loss per example", """
        def cross_entropy(y_hat, y):
            return -torch.log(y_hat[range(len(y_hat)), y]).mean()
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("softmax_regression.cross_entropy", "y_hat[:, y] picks a whole matrix", """
        def cross_entropy(y_hat, y):
            return -torch.log(y_hat[:, y])
        """, caught_by=("book_example", "matches_reference")),
    Bug("softmax_regression.cross_entropy", "computed on y_hat.data: no gradient flows", """
        def cross_entropy(y_hat, y):
            return -torch.log(y_hat.data[torch.arange(len(y_hat)), y])
        """, caught_by="gradients", clause="gradients"),
    Bug("softmax_regression.cross_entropy", "calls the built-in loss", """
        import torch.nn.functional as F
        def cross_entropy(y_hat, y):
            return F.nll_loss(torch.log(y_hat), y, reduction="none")
        """, caught_by="no_builtin"),
    Bug("softmax_regression.cross_entropy", "F.nll_loss to pick each example's probability", """
        import torch.nn.functional as F
        def cross_entropy(y_hat, y):
            return -torch.log(-F.nll_loss(y_hat, y, reduction="none"))
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("softmax_regression.cross_entropy", "a Python loop over examples", """
        def cross_entropy(y_hat, y):
            return torch.stack([-torch.log(y_hat[i, y[i]]) for i in range(len(y))])
        """, caught_by="speed", clause="fast"),
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
    Bug("softmax_regression.Accumulator", "add overwrites the sums instead of adding to them", """
        class Accumulator:
            def __init__(self, n):
                self.data = [0.0] * n
            def add(self, *args):
                self.data = [float(b) for b in args]
            def reset(self):
                self.data = [0.0] * len(self.data)
            def __getitem__(self, idx):
                return self.data[idx]
        """, caught_by=("add", "sums"), clause="values"),
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
        """, caught_by="reset", clause="reset"),
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
        """, caught_by="floats", clause="floats"),
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
        caught_by=("updater", "reaches_threshold"), clause="updater"),
    Bug("softmax_regression.train_epoch_ch3", "optimizer's gradients never zeroed", replace=[(
        "            updater.zero_grad()\n", "")], caught_by=("optimizer", "train_mode"), clause="optimizer"),
    Bug("softmax_regression.train_epoch_ch3", "returns sums instead of averages", replace=[(
        "    return metric[0] / metric[2], metric[1] / metric[2]", "    return metric[0], metric[1]")],
        caught_by=("returns", "metrics"), clause="returns"),
    Bug("softmax_regression.train_epoch_ch3", "the mean of the per-batch means", replace=[(
        "        metric.add(float(l.sum().detach()), accuracy(y_hat, y), y.numel())",
        "        metric.add(float(l.mean().detach()), accuracy(y_hat, y) / y.numel(), 1)")],
        caught_by="metrics"),
    Bug("softmax_regression.train_epoch_ch3", "never puts the network in train mode", replace=[(
        "    if isinstance(net, torch.nn.Module):\n        net.train()\n", "")],
        caught_by="train_mode", clause="train_mode"),
    # §3.7 concise softmax regression
    Bug("softmax_regression_concise.init_weights", "uniform instead of normal", """
        def init_weights(m):
            if isinstance(m, nn.Linear):
                nn.init.uniform_(m.weight, -0.01, 0.01)
        """, caught_by=("leaves_other_modules", "normal", "draws"), clause="init"),
    Bug("softmax_regression_concise.init_weights", "every module with a weight re-initialised", """
        def init_weights(m):
            if hasattr(m, "weight"):
                nn.init.normal_(m.weight, std=0.01)
        """, caught_by="linear_only"),
    Bug("softmax_regression_concise.init_weights", "no type test: fails on layers without weights", """
        def init_weights(m):
            nn.init.normal_(m.weight, std=0.01)
        """, caught_by=("leaves_other_modules", "linear_only"), clause="others"),
    Bug("softmax_regression_concise.init_weights", "drawn with NumPy", """
        import numpy as np
        def init_weights(m):
            if isinstance(m, nn.Linear):
                m.weight.data = torch.from_numpy(np.random.normal(0, 0.01, tuple(m.weight.shape))).float()
        """, caught_by="draws", clause="draws"),
    Bug("softmax_regression_concise.init_weights", "drawn in the book's (inputs, outputs) layout, then transposed", """
        def init_weights(m):
            if isinstance(m, nn.Linear):
                m.weight.data = torch.normal(0, 0.01, size=(m.in_features, m.out_features)).T
        """, caught_by="draws", clause="draws"),
    Bug("softmax_regression_concise.init_weights", "the bias zeroed too", """
        def init_weights(m):
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)
        """, caught_by="keeps_bias", clause="bias"),
    Bug("softmax_regression_concise.concise_classifier", "loss averaged (reduction='mean')", """
        def concise_classifier(lr=0.1):
            net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
            net.apply(init_weights)
            return net, nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=lr)
        """, caught_by=("loss_shape", "loss"), clause="loss"),
    Bug("softmax_regression_concise.concise_classifier", "a softmax layer before CrossEntropyLoss", """
        def concise_classifier(lr=0.1):
            net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Softmax(dim=1))
            net.apply(init_weights)
            return net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=lr)
        """, caught_by=("layers", "reaches_threshold")),
    Bug("softmax_regression_concise.concise_classifier", "no Flatten layer", """
        def concise_classifier(lr=0.1):
            net = nn.Sequential(nn.Linear(784, 10))
            net.apply(init_weights)
            return net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=lr)
        """, caught_by=("output_shape", "layers", "reaches_threshold"), clause="layers"),
    Bug("softmax_regression_concise.concise_classifier", "the bias zeroed as well", """
        def concise_classifier(lr=0.1):
            net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
            net.apply(init_weights)
            nn.init.zeros_(net[1].bias)
            return net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=lr)
        """, caught_by="init", clause="init"),
    Bug("softmax_regression_concise.concise_classifier", "the weights drawn inline instead of with init_weights", """
        def concise_classifier(lr=0.1):
            net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
            nn.init.normal_(net[1].weight, std=0.01)
            return net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=lr)
        """, caught_by="uses_init_weights", clause="uses"),
    Bug("softmax_regression_concise.concise_classifier", "the learning rate ignored (always 0.1)", """
        def concise_classifier(lr=0.1):
            net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
            net.apply(init_weights)
            return net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=0.1)
        """, caught_by="trainer", clause="trainer"),
    Bug("softmax_regression_concise.concise_classifier", "the trainer made before the network is rebuilt", """
        def concise_classifier(lr=0.1):
            net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
            trainer = torch.optim.SGD(net.parameters(), lr=lr)
            net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
            net.apply(init_weights)
            return net, nn.CrossEntropyLoss(reduction="none"), trainer
        """, caught_by=("trainer", "reaches_threshold")),
]
