"""Chapter 4: realistic wrong implementations, and the checks that must catch them (``clause=``: the one clause of
the contract it breaks, so exactly that clause's checks fail)."""
from autograder.book import reference_definition
from book.ch4 import CONCISE_MLP
from catalog import Bug, variant

# dropout_layer with the book's assert instead of the reference's ValueError, as most students write it: the base
# of its bugs
DROPOUT_LAYER = variant(reference_definition("ch4", "dropout.dropout_layer"), (
    '    if not 0 <= dropout <= 1:\n        raise ValueError(f"dropout must lie in [0, 1], got {dropout}")\n',
    "    assert 0 <= dropout <= 1\n"))
DROPOUT_MASK = "    mask = (torch.rand(X.shape, device=X.device) > dropout).to(X.dtype)\n"
# kaggle_house.train's losses of an epoch, recorded after its updates
KAGGLE_RECORD = ("        train_ls.append(log_rmse(net, train_features, train_labels))\n"
                 "        if test_labels is not None:\n"
                 "            test_ls.append(log_rmse(net, test_features, test_labels))\n")

BUGS = [
    # §4.2 MLP from scratch
    Bug("mlp_scratch.init_params", "the weights not scaled by 0.01 (std 1)", """
        def init_params(num_inputs=784, num_hiddens=256, num_outputs=10):
            W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens))
            W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs))
            return [W1, nn.Parameter(torch.zeros(num_hiddens)), W2, nn.Parameter(torch.zeros(num_outputs))]
        """, caught_by=("seeded", "zero_bias", "parameters"), clause="init"),
    Bug("mlp_scratch.init_params", "W2 drawn before W1", """
        def init_params(num_inputs=784, num_hiddens=256, num_outputs=10):
            W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * 0.01)
            W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * 0.01)
            return [W1, nn.Parameter(torch.zeros(num_hiddens)), W2, nn.Parameter(torch.zeros(num_outputs))]
        """, caught_by="seeded"),
    Bug("mlp_scratch.init_params", "W1 made (num_hiddens, num_inputs)", """
        def init_params(num_inputs=784, num_hiddens=256, num_outputs=10):
            W1 = nn.Parameter(torch.randn(num_hiddens, num_inputs) * 0.01)
            W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * 0.01)
            return [W1, nn.Parameter(torch.zeros(num_hiddens)), W2, nn.Parameter(torch.zeros(num_outputs))]
        """, caught_by="shapes", clause="shapes"),
    Bug("mlp_scratch.init_params", "the biases start at 0.01 (to keep the ReLUs alive)", """
        def init_params(num_inputs=784, num_hiddens=256, num_outputs=10):
            W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * 0.01)
            W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * 0.01)
            return [W1, nn.Parameter(torch.full((num_hiddens,), 0.01)), W2, nn.Parameter(torch.full((num_outputs,), 0.01))]
        """, caught_by="zero_bias", clause="zero_bias"),
    Bug("mlp_scratch.init_params", "plain tensors instead of nn.Parameter", """
        def init_params(num_inputs=784, num_hiddens=256, num_outputs=10):
            W1 = (torch.randn(num_inputs, num_hiddens) * 0.01).requires_grad_()
            W2 = (torch.randn(num_hiddens, num_outputs) * 0.01).requires_grad_()
            return [W1, torch.zeros(num_hiddens, requires_grad=True), W2, torch.zeros(num_outputs, requires_grad=True)]
        """, caught_by="parameters", clause="returns"),
    Bug("mlp_scratch.relu", "calls torch.relu", """
        def relu(X):
            return torch.relu(X)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("mlp_scratch.relu", "clamp under another name", """
        from torch import clamp as _floor_at
        def relu(X):
            return _floor_at(X, min=0)
        """, caught_by="no_builtin"),
    Bug("mlp_scratch.relu", "torch.max(X, 0) (a reduction over dim 0, not an elementwise max)", """
        def relu(X):
            return torch.max(X, 0).values
        """, caught_by=("book_example", "matches_reference", "keeps_dtype", "on_device"), clause="values"),
    Bug("mlp_scratch.relu", "the zeros made with torch.zeros(X.shape): float32 on the CPU", """
        def relu(X):
            return torch.maximum(X, torch.zeros(X.shape))
        """, caught_by=("on_device", "keeps_dtype")),
    Bug("mlp_scratch.relu", "computes in float32 (X.float() first)", """
        def relu(X):
            X = X.float()
            return X * (X > 0)
        """, caught_by="keeps_dtype", clause="dtype"),
    Bug("mlp_scratch.relu", "the zeros made on the CPU (dtype kept)", """
        def relu(X):
            return torch.maximum(X, torch.zeros(X.shape, dtype=X.dtype))
        """, caught_by="on_device", clause="device"),
    Bug("mlp_scratch.relu", "zeroes the negatives of X in place", """
        def relu(X):
            X[X < 0] = 0
            return X
        """, caught_by="input_unchanged"),
    Bug("mlp_scratch.relu", "multiplies X by its mask in place", """
        def relu(X):
            return X.mul_(X > 0)
        """, caught_by="input_unchanged", clause="pure"),
    Bug("mlp_scratch.relu", "computed on X.detach(): no gradient flows", """
        def relu(X):
            return torch.maximum(X.detach(), torch.zeros((), dtype=X.dtype, device=X.device))
        """, caught_by=("book_gradient", "gradients"), clause="gradients"),
    Bug("mlp_scratch.relu", "a Python loop over rows", """
        def relu(X):
            return torch.stack([torch.maximum(row, torch.zeros_like(row)) for row in X])
        """, caught_by="speed", clause="fast"),
    Bug("mlp_scratch.net", "ReLU forgotten", """
        def net(X, params):
            W1, b1, W2, b2 = params
            return (X.reshape(-1, W1.shape[0]) @ W1 + b1) @ W2 + b2
        """, caught_by=("hand_example", "matches_reference")),
    Bug("mlp_scratch.net", "X not flattened", """
        def net(X, params):
            W1, b1, W2, b2 = params
            return relu(X @ W1 + b1) @ W2 + b2
        """, caught_by=("hand_example", "matches_reference", "reaches_threshold"), clause="values"),
    Bug("mlp_scratch.net", "ReLU on the output too", """
        def net(X, params):
            W1, b1, W2, b2 = params
            return relu(relu(X.reshape(-1, W1.shape[0]) @ W1 + b1) @ W2 + b2)
        """, caught_by="matches_reference"),
    Bug("mlp_scratch.net", "softmax on the output, then CrossEntropyLoss applies it again", """
        def net(X, params):
            W1, b1, W2, b2 = params
            return torch.softmax(relu(X.reshape(-1, W1.shape[0]) @ W1 + b1) @ W2 + b2, dim=1)
        """, caught_by=("matches_reference", "reaches_threshold")),
    Bug("mlp_scratch.net", "the output bias added through b2.data (it never learns)", """
        def net(X, params):
            W1, b1, W2, b2 = params
            return relu(X.reshape(-1, W1.shape[0]) @ W1 + b1) @ W2 + b2.data
        """, caught_by="gradients", clause="gradients"),
    # §4.3 concise MLP
    Bug("mlp_concise.concise_mlp", "ReLU forgotten", replace=[(
        "nn.Linear(784, num_hiddens), nn.ReLU(), nn.Linear", "nn.Linear(784, num_hiddens), nn.Linear")],
        caught_by=("structure", "same_function")),
    Bug("mlp_concise.concise_mlp", "the default initialisation kept", """
        def concise_mlp(num_hiddens=256):
            return nn.Sequential(nn.Flatten(), nn.Linear(784, num_hiddens), nn.ReLU(), nn.Linear(num_hiddens, 10))
        """, caught_by="initialisation", clause="init"),
    Bug("mlp_concise.concise_mlp", "the biases zeroed too", replace=[(
        "            nn.init.normal_(layer.weight, std=0.01)\n",
        "            nn.init.normal_(layer.weight, std=0.01)\n            nn.init.zeros_(layer.bias)\n")],
        caught_by="initialisation"),
    Bug("mlp_concise.concise_mlp", "num_hiddens ignored", replace=[(
        "nn.Linear(784, num_hiddens), nn.ReLU(), nn.Linear(num_hiddens, 10)",
        "nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)")], caught_by="same_function", clause="values"),
    Bug("mlp_concise.concise_mlp", "the hidden layer and its ReLU nested in a block of their own", variant(
        CONCISE_MLP, ("                        nn.Linear(784, num_hiddens),\n                        nn.ReLU(),\n",
                      "                        nn.Sequential(nn.Linear(784, num_hiddens), nn.ReLU()),\n")),
        caught_by="structure", clause="layers"),
    # §4.4 polynomial regression
    Bug("polynomial_regression.polynomial_features", "powers not divided by i!", """
        def polynomial_features(x, max_degree):
            return x.reshape(-1, 1) ** torch.arange(max_degree, device=x.device)
        """, caught_by=("example", "matches_reference"), clause="values"),
    Bug("polynomial_regression.polynomial_features", "powers start at 1 (no constant column)", """
        def polynomial_features(x, max_degree):
            powers = torch.arange(1, max_degree + 1)
            factorials = torch.tensor([math.factorial(i) for i in range(1, max_degree + 1)], dtype=x.dtype)
            return x.reshape(-1, 1) ** powers / factorials
        """, caught_by=("example", "matches_reference")),
    Bug("polynomial_regression.polynomial_features", "float32 whatever x's dtype", """
        def polynomial_features(x, max_degree):
            factorials = torch.tensor([math.factorial(i) for i in range(max_degree)], dtype=torch.float32)
            return x.reshape(-1, 1).float() ** torch.arange(max_degree) / factorials
        """, caught_by="keeps_dtype", clause="dtype"),
    Bug("polynomial_regression.polynomial_features", "x not reshaped: only a column x broadcasts", """
        def polynomial_features(x, max_degree):
            factorials = torch.tensor([math.factorial(i) for i in range(max_degree)], dtype=x.dtype, device=x.device)
            return x ** torch.arange(max_degree, device=x.device) / factorials
        """, caught_by="flat_x", clause="shapes"),
    Bug("polynomial_regression.evaluate_loss", "the mean of the batch means", """
        def evaluate_loss(net, data_iter, loss):
            means = []
            with torch.no_grad():
                for X, y in data_iter:
                    out = net(X)
                    means.append(loss(out, y.reshape(out.shape)).mean().item())
            return sum(means) / len(means)
        """, caught_by="uneven_batches"),
    Bug("polynomial_regression.evaluate_loss", "returns the total loss, not the mean", replace=[(
        "    return total / count", "    return total")], caught_by=("example", "uneven_batches"), clause="values"),
    Bug("polynomial_regression.evaluate_loss", "y not reshaped: (n, 1) against (n,) broadcasts to (n, n)", replace=[(
        "            out = net(X)\n            l = loss(out, y.reshape(out.shape))\n",
        "            l = loss(net(X), y)\n")],
        caught_by="reshapes_labels", clause="reshape"),
    Bug("polynomial_regression.evaluate_loss", "counts examples (len(y)), not loss entries", replace=[(
        "count + l.numel()", "count + len(y)")], caught_by="several_outputs", clause="counts"),
    Bug("polynomial_regression.evaluate_loss", "returns a tensor", replace=[(
        "total + l.sum().item()", "total + l.sum()")], caught_by="returns_float", clause="returns"),
    Bug("polynomial_regression.evaluate_loss", "no torch.no_grad(): a graph is built for nothing", replace=[(
        "    with torch.no_grad():\n"
        "        for X, y in data_iter:\n"
        "            out = net(X)\n"
        "            l = loss(out, y.reshape(out.shape))\n"
        "            total, count = total + l.sum().item(), count + l.numel()\n",
        "    for X, y in data_iter:\n"
        "        out = net(X)\n"
        "        l = loss(out, y.reshape(out.shape))\n"
        "        total, count = total + l.sum().item(), count + l.numel()\n")], caught_by="no_grad", clause="no_grad"),
    Bug("polynomial_regression.train", "a bias in the linear layer (the constant feature is the bias)", replace=[(
        "nn.Linear(train_features.shape[-1], 1, bias=False)", "nn.Linear(train_features.shape[-1], 1)")],
        caught_by=("poly_train_third_order", "poly_train_underfit_and_losses")),
    Bug("polynomial_regression.train", "learning rate 0.001: the cubic is not learned in 400 epochs", replace=[(
        "torch.optim.SGD(net.parameters(), lr=0.01)", "torch.optim.SGD(net.parameters(), lr=0.001)")],
        caught_by=("poly_train_third_order", "poly_train_another_cubic"), clause="fits"),
    Bug("polynomial_regression.train", "the losses measured before training", replace=[
        ("    trainer = torch.optim.SGD(net.parameters(), lr=0.01)\n",
         "    losses = evaluate_loss(net, train_iter, loss), evaluate_loss(net, test_iter, loss)\n"
         "    trainer = torch.optim.SGD(net.parameters(), lr=0.01)\n"),
        ("    return (net.weight.detach().reshape(-1), evaluate_loss(net, train_iter, loss),\n"
         "            evaluate_loss(net, test_iter, loss))", "    return (net.weight.detach().reshape(-1), *losses)")],
        caught_by="poly_train_underfit_and_losses", clause="losses"),
    Bug("polynomial_regression.train", "returns the weight as the layer stores it, (1, d)", replace=[(
        "    return (net.weight.detach().reshape(-1), evaluate_loss(net, train_iter, loss),",
        "    return (net.weight.detach(), evaluate_loss(net, train_iter, loss),")],
        caught_by="poly_train_returns", clause="returns"),
    # §4.5 weight decay
    Bug("weight_decay.init_params", "w from N(0, 0.01²) as in chapter 3", """
        def init_params(num_inputs=200):
            return [torch.normal(0, 0.01, size=(num_inputs, 1), requires_grad=True), torch.zeros(1, requires_grad=True)]
        """, caught_by="wd_init_params_seeded", clause="init"),
    Bug("weight_decay.init_params", "w of shape (num_inputs,)", """
        def init_params(num_inputs=200):
            return [torch.normal(0, 1, size=(num_inputs,), requires_grad=True), torch.zeros(1, requires_grad=True)]
        """, caught_by="wd_init_params_shapes", clause="shapes"),
    Bug("weight_decay.init_params", "b starts at 1", """
        def init_params(num_inputs=200):
            return [torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True), torch.ones(1, requires_grad=True)]
        """, caught_by="wd_init_params_zero_bias", clause="zero_bias"),
    Bug("weight_decay.init_params", "b does not require gradients", """
        def init_params(num_inputs=200):
            return [torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True), torch.zeros(1)]
        """, caught_by="wd_init_params_leaves", clause="returns"),
    Bug("weight_decay.init_params", "w scaled after requires_grad: not a leaf", """
        def init_params(num_inputs=200):
            return [torch.randn(num_inputs, 1, requires_grad=True) * 1.0, torch.zeros(1, requires_grad=True)]
        """, caught_by="wd_init_params_leaves"),
    Bug("weight_decay.l2_penalty", "the 1/2 is missing", """
        def l2_penalty(w):
            return (w ** 2).sum()
        """, caught_by=("example", "matches_reference"), clause="values"),
    Bug("weight_decay.l2_penalty", "L1 instead of L2", """
        def l2_penalty(w):
            return w.abs().sum() / 2
        """, caught_by=("example", "matches_reference")),
    Bug("weight_decay.l2_penalty", "torch.norm", """
        def l2_penalty(w):
            return torch.norm(w) ** 2 / 2
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("weight_decay.l2_penalty", "computed on w.detach(): the penalty has no gradient", """
        def l2_penalty(w):
            return (w.detach() ** 2).sum() / 2
        """, caught_by="gradients", clause="gradients"),
    Bug("weight_decay.train", "lambd ignored", replace=[(
        "l = (X @ w + b - y.reshape(-1, 1)) ** 2 / 2 + lambd * l2_penalty(w)",
        "l = (X @ w + b - y.reshape(-1, 1)) ** 2 / 2")],
        caught_by=("wd_train_book_experiment", "wd_train_exact_decay"), clause="trains"),
    Bug("weight_decay.train", "the penalty added once per batch instead of once per example", replace=[
        (" + lambd * l2_penalty(w)\n", "\n"), ("l.sum().backward()", "(l.sum() + lambd * l2_penalty(w)).backward()")],
        caught_by="wd_train_exact_decay"),
    Bug("weight_decay.train", "the step not divided by the batch size", replace=[(
        "p -= lr * p.grad / batch_size\n", "p -= lr * p.grad\n")], caught_by="wd_train_exact_decay", clause="decay"),
    Bug("weight_decay.train", "the bias penalised too", replace=[(
        "lambd * l2_penalty(w)\n", "lambd * (l2_penalty(w) + l2_penalty(b))\n")], caught_by="wd_train_exact_decay"),
    Bug("weight_decay.train", "w and b drawn inline instead of with init_params", replace=[(
        "    w, b = init_params(train_data[0].shape[1])\n",
        "    w = torch.normal(0, 1, size=(train_data[0].shape[1], 1), requires_grad=True)\n"
        "    b = torch.zeros(1, requires_grad=True)\n")], caught_by="wd_train_uses_helpers", clause="uses"),
    Bug("weight_decay.train_concise", "weight decay on the bias too", replace=[(
        'torch.optim.SGD([{"params": net[0].weight, "weight_decay": wd}, {"params": net[0].bias}], lr=lr)',
        "torch.optim.SGD(net.parameters(), lr=lr, weight_decay=wd)")], caught_by="bias_not_decayed", clause="bias"),
    Bug("weight_decay.train_concise", "wd never given to the optimizer", replace=[(
        'torch.optim.SGD([{"params": net[0].weight, "weight_decay": wd}, {"params": net[0].bias}], lr=lr)',
        "torch.optim.SGD(net.parameters(), lr=lr)")], caught_by=("book_experiment", "decays_weight"), clause="trains"),
    Bug("weight_decay.train_concise", "the penalty added by hand as wd * ||w||² (without the 1/2)", replace=[
        ('torch.optim.SGD([{"params": net[0].weight, "weight_decay": wd}, {"params": net[0].bias}], lr=lr)',
         "torch.optim.SGD(net.parameters(), lr=lr)"),
        ("loss(net(X), y.reshape(-1, 1)).backward()",
         "(loss(net(X), y.reshape(-1, 1)) + wd * (net[0].weight ** 2).sum()).backward()")],
        caught_by="decays_weight", clause="decay"),
    Bug("weight_decay.train_concise", "only the weight redrawn (the bias keeps its default)", replace=[(
        "    for param in net.parameters():\n        param.data.normal_()\n", "    net[0].weight.data.normal_()\n")],
        caught_by="initialisation", clause="init"),
    # §4.6 dropout
    Bug("dropout.dropout_layer", "kept entries not rescaled by 1/(1-p)", variant(DROPOUT_LAYER, (
        "    if dropout == 0:\n        return X\n" + DROPOUT_MASK + "    return mask * X / (1.0 - dropout)",
        "    return (torch.rand(X.shape, device=X.device) > dropout).to(X.dtype) * X")),
        caught_by=("book_example", "mask_statistics", "gradient", "on_device"), clause="values"),
    Bug("dropout.dropout_layer", "keeps with probability p instead of 1 - p", variant(DROPOUT_LAYER, (
        "device=X.device) > dropout)", "device=X.device) < dropout)")), caught_by="mask_statistics"),
    Bug("dropout.dropout_layer", "a normal draw (torch.randn) instead of a uniform one in the mask", variant(
        DROPOUT_LAYER, ("torch.rand(X.shape", "torch.randn(X.shape")),
        caught_by=("mask_statistics", "keeps_dtype", "on_device")),
    Bug("dropout.dropout_layer", "no special case for p = 1 (divides by zero)", variant(DROPOUT_LAYER, (
        "    if dropout == 1:\n        return torch.zeros_like(X)\n    if dropout == 0:\n        return X\n", "")),
        caught_by=("book_example", "edge_cases"), clause="edges"),
    Bug("dropout.dropout_layer", "p outside [0, 1] accepted", variant(
        DROPOUT_LAYER, ("    assert 0 <= dropout <= 1\n", ""), ("if dropout == 1:", "if dropout >= 1:"),
        ("if dropout == 0:", "if dropout <= 0:")),
        caught_by="rejects_bad_rates", clause="errors"),
    Bug("dropout.dropout_layer", "the same mask every call (a freshly seeded generator)", variant(DROPOUT_LAYER, (
        DROPOUT_MASK + "    return mask * X / (1.0 - dropout)",
        "    draws = torch.rand(X.shape, generator=torch.Generator().manual_seed(0)).to(X.device)\n"
        "    return (draws > dropout).to(X.dtype) * X / (1.0 - dropout)")),
        caught_by="fresh_seeded_masks", clause="rng"),
    Bug("dropout.dropout_layer", "masks X in place", variant(DROPOUT_LAYER, (
        DROPOUT_MASK + "    return mask * X / (1.0 - dropout)",
        "    with torch.no_grad():\n"
        "        return X.mul_((torch.rand(X.shape, device=X.device) > dropout).to(X.dtype)).div_(1.0 - dropout)")),
        caught_by=("input_unchanged", "gradient")),
    Bug("dropout.dropout_layer", "X *= mask, X /= 1 - p: the caller's X overwritten", variant(DROPOUT_LAYER, (
        "    return mask * X / (1.0 - dropout)", "    X *= mask\n    X /= 1.0 - dropout\n    return X")),
        caught_by="input_unchanged", clause="pure"),
    Bug("dropout.dropout_layer", "computed on X.data: no gradient reaches X", variant(DROPOUT_LAYER, (
        "return mask * X / (1.0 - dropout)", "return mask * X.data / (1.0 - dropout)")),
        caught_by="gradient", clause="gradients"),
    Bug("dropout.dropout_layer", "calls F.dropout", """
        import torch.nn.functional as F
        def dropout_layer(X, dropout):
            assert 0 <= dropout <= 1
            return F.dropout(X, dropout, training=True)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("dropout.dropout_layer", "the mask made with torch.rand(X.shape).float(): float32, on the CPU", variant(
        DROPOUT_LAYER, (DROPOUT_MASK + "    return mask * X / (1.0 - dropout)",
                        "    return (torch.rand(X.shape) > dropout).float() * X / (1.0 - dropout)")),
        caught_by=("on_device", "keeps_dtype")),
    Bug("dropout.dropout_layer", "the mask converted with .float(): float16 comes back float32", variant(
        DROPOUT_LAYER, (DROPOUT_MASK + "    return mask * X / (1.0 - dropout)",
                        "    return (torch.rand(X.shape, device=X.device) > dropout).float() * X / (1.0 - dropout)")),
        caught_by="keeps_dtype", clause="dtype"),
    Bug("dropout.dropout_layer", "the mask drawn on the CPU (dtype kept)", variant(DROPOUT_LAYER, (
        "torch.rand(X.shape, device=X.device)", "torch.rand(X.shape)")), caught_by="on_device", clause="device"),
    Bug("dropout.Net", "dropout applied in eval mode too", replace=[
        ("        if self.training:\n            H1 = dropout_layer", "        H1 = dropout_layer"),
        ("        if self.training:\n            H2 = dropout_layer", "        H2 = dropout_layer")],
        caught_by=("modes", "same_function")),
    Bug("dropout.Net", "dropout decided by torch.is_grad_enabled(), not by the module's mode", replace=[
        ("        if self.training:\n            H1 = ", "        if torch.is_grad_enabled():\n            H1 = "),
        ("        if self.training:\n            H2 = ", "        if torch.is_grad_enabled():\n            H2 = ")],
        caught_by="modes", clause="modes"),
    Bug("dropout.Net", "X not flattened", replace=[("self.lin1(X.reshape(-1, self.num_inputs))", "self.lin1(X)")],
        caught_by=("same_function", "reaches_threshold"), clause="values"),
    Bug("dropout.Net", "the two dropout rates swapped", replace=[
        ("dropout_layer(H1, self.dropout1)", "dropout_layer(H1, self.dropout2)"),
        ("dropout_layer(H2, self.dropout2)", "dropout_layer(H2, self.dropout1)")],
        caught_by=("rates", "rates_from_arguments")),
    Bug("dropout.Net", "the default rates swapped (0.5 first, then 0.2)", replace=[(
        "dropout1=0.2,\n                 dropout2=0.5):", "dropout1=0.5,\n                 dropout2=0.2):")],
        caught_by="rates", clause="rates"),
    Bug("dropout.Net", "the rates taken from module constants, the arguments ignored", replace=[
        ("class Net(nn.Module):", "DROPOUT1, DROPOUT2 = 0.2, 0.5\n\n\nclass Net(nn.Module):"),
        ("dropout_layer(H1, self.dropout1)", "dropout_layer(H1, DROPOUT1)"),
        ("dropout_layer(H2, self.dropout2)", "dropout_layer(H2, DROPOUT2)")],
        caught_by="rates_from_arguments", clause="arguments"),
    Bug("dropout.Net", "nn.Dropout layers instead of this module's dropout_layer", """
        class Net(Net):
            def __init__(self, num_inputs=784, num_outputs=10, num_hiddens1=256, num_hiddens2=256, dropout1=0.2,
                         dropout2=0.5):
                super().__init__(num_inputs, num_outputs, num_hiddens1, num_hiddens2, dropout1, dropout2)
                self.drop1, self.drop2 = nn.Dropout(dropout1), nn.Dropout(dropout2)

            def forward(self, X):
                H1 = self.drop1(self.relu(self.lin1(X.reshape(-1, self.num_inputs))))
                H2 = self.drop2(self.relu(self.lin2(H1)))
                return self.lin3(H2)
        """, caught_by="uses_dropout_layer", clause="uses"),
    Bug("dropout.Net", "the layers re-initialised from N(0, 0.01²) (the init_weights of §4.3)", """
        class Net(Net):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for layer in (self.lin1, self.lin2, self.lin3):
                    nn.init.normal_(layer.weight, std=0.01)
        """, caught_by="initialisation", clause="init"),
    Bug("dropout.Net", "the layers kept in a plain Python list (not registered, so never trained)", """
        class Net(nn.Module):
            def __init__(self, num_inputs=784, num_outputs=10, num_hiddens1=256, num_hiddens2=256, dropout1=0.2,
                         dropout2=0.5):
                super().__init__()
                self.num_inputs, self.dropouts = num_inputs, (dropout1, dropout2, 0)
                self.layers = [nn.Linear(num_inputs, num_hiddens1), nn.Linear(num_hiddens1, num_hiddens2),
                               nn.Linear(num_hiddens2, num_outputs)]

            def forward(self, X):
                X = X.reshape(-1, self.num_inputs)
                for i, (layer, p) in enumerate(zip(self.layers, self.dropouts)):
                    X = layer(X)
                    if i < 2:
                        X = torch.relu(X)
                        if self.training:
                            X = dropout_layer(X, p)
                return X
        """, caught_by=("same_function", "reaches_threshold")),
    # §4.8 Xavier initialisation
    Bug("initialization.xavier_uniform_", "the bound from fan_in alone", replace=[(
        "math.sqrt(6.0 / (fan_in + fan_out))", "math.sqrt(6.0 / fan_in)")],
        caught_by=("linear", "bound_and_variance", "fans"), clause="values"),
    Bug("initialization.xavier_uniform_", "the receptive field of convolutions ignored", replace=[(
        "fan_in, fan_out = tensor.shape[1] * receptive, tensor.shape[0] * receptive",
        "fan_in, fan_out = tensor.shape[1], tensor.shape[0]")], caught_by="fans", clause="fans"),
    Bug("initialization.xavier_uniform_", "normal with the Xavier std instead of uniform", replace=[
        ("bound = gain * math.sqrt(6.0 / (fan_in + fan_out))", "std = gain * math.sqrt(2.0 / (fan_in + fan_out))"),
        ("return tensor.uniform_(-bound, bound)", "return tensor.normal_(0, std)")],
        caught_by=("linear", "bound_and_variance")),
    Bug("initialization.xavier_uniform_", "calls nn.init.xavier_uniform_", """
        from torch import nn
        def xavier_uniform_(tensor, gain=1.0):
            return nn.init.xavier_uniform_(tensor, gain)
        """, caught_by="no_nn_init", clause="no_builtin"),
    Bug("initialization.xavier_uniform_", "returns a new tensor instead of filling the given one", replace=[(
        "    with torch.no_grad():\n        return tensor.uniform_(-bound, bound)",
        "    return (torch.rand(tensor.shape) * 2 - 1) * bound")], caught_by="in_place", clause="in_place"),
    Bug("initialization.xavier_uniform_", "drawn with NumPy's generator", replace=[
        ("import torch\n", "import numpy as np\nimport torch\n"),
        ("return tensor.uniform_(-bound, bound)",
         "return tensor.copy_(torch.from_numpy(np.random.uniform(-bound, bound, tuple(tensor.shape))))")],
        caught_by="seeded", clause="rng"),
    Bug("initialization.xavier_uniform_", "no torch.no_grad(): an nn.Parameter cannot be filled", replace=[(
        "    with torch.no_grad():\n        return tensor.uniform_(-bound, bound)",
        "    return tensor.uniform_(-bound, bound)")], caught_by="parameter", clause="parameter"),
    Bug("initialization.xavier_uniform_", "no check of the number of dimensions", replace=[(
        '    if tensor.dim() < 2:\n'
        '        raise ValueError("Xavier initialisation needs a tensor with at least 2 dimensions")\n', "")],
        caught_by="rejects_vectors", clause="errors"),
    # §4.10 Kaggle house prices
    Bug("kaggle_house.preprocess", "missing values filled with 0 before standardising", replace=[(
        "features[numeric].apply(lambda x: (x - x.mean()) / x.std()).fillna(0)",
        "features[numeric].fillna(0).apply(lambda x: (x - x.mean()) / x.std())")],
        caught_by=("matches_reference", "one_hot", "str_columns"), clause="values"),
    Bug("kaggle_house.preprocess", "training and test sets encoded separately", """
        def preprocess(train_data, test_data):
            def encode(features):
                numeric = features.select_dtypes(include="number").columns
                features[numeric] = features[numeric].apply(lambda x: (x - x.mean()) / x.std()).fillna(0)
                return torch.tensor(pd.get_dummies(features, dummy_na=True).astype("float32").values)
            labels = torch.tensor(train_data["SalePrice"].values.reshape(-1, 1), dtype=torch.float32)
            return encode(train_data.iloc[:, 1:-1].copy()), encode(test_data.iloc[:, 1:].copy()), labels
        """, caught_by=("shapes", "matches_reference")),
    Bug("kaggle_house.preprocess", "dummy_na forgotten", replace=[(
        "pd.get_dummies(features, dummy_na=True)", "pd.get_dummies(features)")],
        caught_by=("shapes", "one_hot"), clause="onehot"),
    Bug("kaggle_house.preprocess", "the one-hot booleans handed to torch.tensor as they are", replace=[(
        'pd.get_dummies(features, dummy_na=True).astype("float32")', "pd.get_dummies(features, dummy_na=True)")],
        caught_by=("shapes", "one_hot", "str_columns")),
    Bug("kaggle_house.preprocess", "the book's dtypes != 'object' test: pandas 3's str columns standardised too",
        replace=[('features.select_dtypes(include="number").columns',
                  'features.dtypes[features.dtypes != "object"].index')],
        caught_by=("shapes", "str_columns"), clause="str_columns"),
    Bug("kaggle_house.preprocess", "the prices popped off the caller's training frame", replace=[
        ('    labels = torch.tensor(train_data["SalePrice"].values.reshape(-1, 1), dtype=torch.float32)\n', ""),
        ("    features = pd.concat((train_data.iloc[:, 1:-1], test_data.iloc[:, 1:]))",
         '    labels = torch.tensor(train_data.pop("SalePrice").values.reshape(-1, 1), dtype=torch.float32)\n'
         "    features = pd.concat((train_data.iloc[:, 1:], test_data.iloc[:, 1:]))")],
        caught_by="leaves_frames", clause="pure"),
    Bug("kaggle_house.log_rmse", "no clamp: predictions below 1 give negative logs", """
        def log_rmse(net, features, labels):
            with torch.no_grad():
                return torch.sqrt(nn.functional.mse_loss(torch.log(net(features)), torch.log(labels))).item()
        """, caught_by=("example", "clamps"), clause="clamp"),
    Bug("kaggle_house.log_rmse", "no square root", """
        def log_rmse(net, features, labels):
            with torch.no_grad():
                preds = torch.clamp(net(features), 1, float("inf"))
                return nn.functional.mse_loss(torch.log(preds), torch.log(labels)).item()
        """, caught_by=("example", "matches_reference"), clause="values"),
    Bug("kaggle_house.log_rmse", "returns a tensor", """
        def log_rmse(net, features, labels):
            with torch.no_grad():
                preds = torch.clamp(net(features), 1, float("inf"))
                return torch.sqrt(nn.functional.mse_loss(torch.log(preds), torch.log(labels)))
        """, caught_by="returns_float", clause="returns"),
    Bug("kaggle_house.get_net", "no bias", """
        def get_net(in_features):
            return nn.Sequential(nn.Linear(in_features, 1, bias=False))
        """, caught_by=("same_function", "initialisation")),
    Bug("kaggle_house.get_net", "an output per feature", """
        def get_net(in_features):
            return nn.Sequential(nn.Linear(in_features, in_features))
        """, caught_by=("shape", "same_function"), clause="values"),
    Bug("kaggle_house.get_net", "the weights drawn from N(0, 0.01²) as in §4.3", """
        def get_net(in_features):
            net = nn.Sequential(nn.Linear(in_features, 1))
            nn.init.normal_(net[0].weight, std=0.01)
            return net
        """, caught_by="initialisation", clause="init"),
    Bug("kaggle_house.train", "the losses recorded before each epoch's updates", replace=[
        (KAGGLE_RECORD, ""),
        ("    for _ in range(num_epochs):\n", "    for _ in range(num_epochs):\n" + KAGGLE_RECORD)],
        caught_by="kaggle_train_reports", clause="reports"),
    Bug("kaggle_house.train", "plain SGD instead of Adam", replace=[(
        "torch.optim.Adam(net.parameters(),", "torch.optim.SGD(net.parameters(),")],
        caught_by="kaggle_train_learns", clause="trains"),
    Bug("kaggle_house.train", "the test loss computed even without test labels", replace=[(
        "        if test_labels is not None:\n            test_ls.append(",
        "        test_ls.append(")], caught_by="kaggle_train_returns", clause="no_test"),
    Bug("kaggle_house.train", "weight_decay never given to Adam", replace=[(
        "torch.optim.Adam(net.parameters(), lr=learning_rate, weight_decay=weight_decay)",
        "torch.optim.Adam(net.parameters(), lr=learning_rate)")],
        caught_by="kaggle_train_weight_decay", clause="decay"),
    Bug("kaggle_house.get_k_fold_data", "slices one row too long: neighbouring folds overlap", replace=[(
        "    parts = [(X[j * fold_size:(j + 1) * fold_size], y[j * fold_size:(j + 1) * fold_size]) for j in range(k)]",
        "    parts = [(X[j * fold_size:(j + 1) * fold_size + 1], y[j * fold_size:(j + 1) * fold_size + 1])\n"
        "             for j in range(k)]")], caught_by=("example", "partition", "remainder"), clause="values"),
    Bug("kaggle_house.get_k_fold_data", "the validation fold left in the training data", """
        def get_k_fold_data(k, i, X, y):
            assert k > 1
            fold_size = X.shape[0] // k
            idx = slice(i * fold_size, (i + 1) * fold_size)
            return X[:k * fold_size], y[:k * fold_size], X[idx], y[idx]
        """, caught_by=("example", "partition")),
    Bug("kaggle_house.get_k_fold_data", "the last n % k rows added to the last fold", replace=[(
        "    parts = [(X[j * fold_size:(j + 1) * fold_size], y[j * fold_size:(j + 1) * fold_size]) for j in range(k)]",
        "    bounds = [j * fold_size for j in range(k)] + [X.shape[0]]\n"
        "    parts = [(X[bounds[j]:bounds[j + 1]], y[bounds[j]:bounds[j + 1]]) for j in range(k)]")],
        caught_by="remainder", clause="rest"),
    Bug("kaggle_house.get_k_fold_data", "k <= 1 accepted", replace=[
        ('    if k <= 1:\n        raise ValueError(f"k-fold cross-validation needs k > 1, got {k}")\n', ""),
        ("rest = parts[:i] + parts[i + 1:]", "rest = parts[:i] + parts[i + 1:] or [(X[:0], y[:0])]")],
        caught_by="rejects_k", clause="errors"),
    Bug("kaggle_house.k_fold", "sums over the folds instead of means", replace=[(
        "    return train_sum / k, valid_sum / k", "    return train_sum, valid_sum")],
        caught_by=("means_of_last_losses", "reaches_threshold", "returns"), clause="values"),
    Bug("kaggle_house.k_fold", "returns a list of tensors", replace=[
        ("    train_sum, valid_sum = 0.0, 0.0\n", "    results = []\n"),
        ("        train_sum, valid_sum = train_sum + train_ls[-1], valid_sum + valid_ls[-1]\n"
         "    return train_sum / k, valid_sum / k",
         "        results.append(torch.tensor([train_ls[-1], valid_ls[-1]]))\n"
         "    return list(torch.stack(results).mean(0))")], caught_by="returns", clause="returns"),
    Bug("kaggle_house.k_fold", "one net trained on every fold in turn", replace=[
        ("    train_sum, valid_sum = 0.0, 0.0\n",
         "    net = get_net(X_train.shape[1])\n    train_sum, valid_sum = 0.0, 0.0\n"),
        ("train(get_net(X_train.shape[1]), *data,", "train(net, *data,")], caught_by="fresh_nets", clause="fresh"),
    Bug("kaggle_house.k_fold", "the first epoch's losses averaged, not the last", replace=[(
        "train_sum + train_ls[-1], valid_sum + valid_ls[-1]", "train_sum + train_ls[0], valid_sum + valid_ls[0]")],
        caught_by=("means_of_last_losses", "reaches_threshold")),
]
