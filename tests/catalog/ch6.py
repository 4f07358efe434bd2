"""Chapter 6: realistic wrong implementations, and the checks that must catch them."""
import textwrap

from catalog import Bug, wrapping


POOL2D = "pool2d(X, pool_size, mode='max')"
POOLING_LAYER = "pooling_layer(X, kernel_size, padding=0, stride=None, mode='max')"

# the lines of the reference Conv2D (solutions/ch6/conv_layer.py) that its bugs edit
CONV_WEIGHT = "self.weight = nn.Parameter(torch.rand(kernel_size))"
CONV_BIAS = "self.bias = nn.Parameter(torch.zeros(1))"
CONV_FORWARD = "return corr2d(x, self.weight) + self.bias"

BUGS = [
    # §6.2 corr2d ----------------------------------------------------------------------------------
    Bug("conv_layer.corr2d", "the kernel is flipped (a true convolution)", """
        _correct_corr2d = corr2d
        def corr2d(X, K):
            return _correct_corr2d(X, K.flip(0, 1))
        """, caught_by=("book_example", "edge_detection", "matches_reference"), clause="values"),
    Bug("conv_layer.corr2d", "output size off by one (n - k instead of n - k + 1)", """
        _correct_corr2d = corr2d
        def corr2d(X, K):
            return _correct_corr2d(X, K)[:-1, :-1]
        """, caught_by=("book_example", "edge_detection", "matches_reference")),
    Bug("conv_layer.corr2d", "the book's double loop over the output pixels", """
        def corr2d(X, K):
            h, w = K.shape
            Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype, device=X.device)
            for i in range(Y.shape[0]):
                for j in range(Y.shape[1]):
                    Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
            return Y
        """, caught_by="speed", clause="fast"),
    Bug("conv_layer.corr2d", "the kernel detached, so no gradient reaches it", """
        _correct_corr2d = corr2d
        def corr2d(X, K):
            return _correct_corr2d(X, K.detach())
        """, caught_by="gradients", clause="gradients"),
    Bug("conv_layer.corr2d", "F.conv2d does the work", """
        import torch.nn.functional as F
        def corr2d(X, K):
            return F.conv2d(X[None, None], K[None, None])[0, 0]
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("conv_layer.corr2d", "a float32 accumulator (torch.zeros without dtype=)", replace=[(
        "    Y = X.new_zeros((out_h, out_w))", "    Y = torch.zeros((out_h, out_w), device=X.device)")],
        caught_by="keeps_dtype", clause="dtype"),
    Bug("conv_layer.corr2d", "the accumulator made on the CPU (torch.zeros without device=)", replace=[(
        "    Y = X.new_zeros((out_h, out_w))", "    Y = torch.zeros((out_h, out_w), dtype=X.dtype)")],
        caught_by="on_device", clause="device"),
    Bug("conv_layer.corr2d", "the output written pixel by pixel into torch.zeros((h, w)) on the CPU", """
        def corr2d(X, K):
            h, w = K.shape
            Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
            windows = X.unfold(0, h, 1).unfold(1, w, 1)
            Y[:] = (windows * K).sum((-2, -1))
            return Y
        """, caught_by="on_device"),

    # §6.2 Conv2D ----------------------------------------------------------------------------------
    Bug("conv_layer.Conv2D", "the bias is a plain tensor, not a parameter", replace=[
        (CONV_BIAS, "self.bias = torch.zeros(1)")], caught_by=("parameter_shapes", "gradients")),
    Bug("conv_layer.Conv2D", "the bias registered before the weight", replace=[
        (f"{CONV_WEIGHT}\n        {CONV_BIAS}", f"{CONV_BIAS}\n        {CONV_WEIGHT}")],
        caught_by="parameter_shapes", clause="params"),
    Bug("conv_layer.Conv2D", "weights from N(0, 1)", replace=[
        (CONV_WEIGHT, "self.weight = nn.Parameter(torch.randn(kernel_size))")],
        caught_by="initialisation", clause="init"),
    Bug("conv_layer.Conv2D", "weights from N(0, 1) and the bias forgotten in forward", replace=[
        (CONV_WEIGHT, "self.weight = nn.Parameter(torch.randn(kernel_size))"),
        (CONV_FORWARD, "return corr2d(x, self.weight)")],
        caught_by=("forward_example", "forward_matches_reference", "initialisation")),
    Bug("conv_layer.Conv2D", "the bias drawn from U(0, 1) too", replace=[
        (CONV_BIAS, "self.bias = nn.Parameter(torch.rand(1))")], caught_by="initialisation", clause="init"),
    Bug("conv_layer.Conv2D", "forward flips the kernel", replace=[
        (CONV_FORWARD, "return corr2d(x, self.weight.flip(0, 1)) + self.bias")],
        caught_by=("forward_example", "forward_matches_reference", "learns_edge_kernel"), clause="values"),
    Bug("conv_layer.Conv2D", "forward calls F.conv2d instead of corr2d", replace=[
        ("import torch\n", "import torch\nimport torch.nn.functional as F\n"),
        (CONV_FORWARD, "return F.conv2d(x[None, None], self.weight[None, None])[0, 0] + self.bias")],
        caught_by="uses_corr2d", clause="uses"),
    Bug("conv_layer.Conv2D", "forward uses weight.detach(): the kernel never learns", replace=[
        (CONV_FORWARD, "return corr2d(x, self.weight.detach()) + self.bias")],
        caught_by=("gradients", "learns_edge_kernel"), clause="gradients"),
    # §6.3 padding and stride ------------------------------------------------------------------------
    Bug("padding_stride.comp_conv2d", "the batch and channel axes are not dropped", """
        def comp_conv2d(conv2d, X):
            return conv2d(X.reshape((1, 1) + X.shape))
        """, caught_by=("book_shapes", "matches_layer"), clause="values"),
    Bug("padding_stride.comp_conv2d", "only the batch axis dropped", """
        def comp_conv2d(conv2d, X):
            return conv2d(X.reshape((1, 1) + X.shape))[0]
        """, caught_by=("book_shapes", "matches_layer")),
    Bug("padding_stride.conv_output_shape", "padding counted once instead of on both sides", """
        def conv_output_shape(input_shape, kernel_size, padding=0, stride=1):
            return tuple((n - k + p) // s + 1 for n, k, p, s in
                         zip(input_shape, _pair(kernel_size), _pair(padding), _pair(stride)))
        """, caught_by=("book_cases", "matches_conv2d"), clause="values"),
    Bug("padding_stride.conv_output_shape", "true division: float sizes", """
        def conv_output_shape(input_shape, kernel_size, padding=0, stride=1):
            return tuple((n - k + 2 * p) / s + 1 for n, k, p, s in
                         zip(input_shape, _pair(kernel_size), _pair(padding), _pair(stride)))
        """, caught_by=("book_cases", "matches_conv2d", "returns_ints")),
    Bug("padding_stride.conv_output_shape", "rounds up instead of down", """
        def conv_output_shape(input_shape, kernel_size, padding=0, stride=1):
            return tuple(-(-(n - k + 2 * p) // s) + 1 for n, k, p, s in
                         zip(input_shape, _pair(kernel_size), _pair(padding), _pair(stride)))
        """, caught_by=("book_cases", "matches_conv2d")),
    Bug("padding_stride.conv_output_shape", "ints not accepted: every argument unpacked as a pair", """
        def conv_output_shape(input_shape, kernel_size, padding=0, stride=1):
            return tuple((n - k + 2 * p) // s + 1 for n, k, p, s in zip(input_shape, kernel_size, padding, stride))
        """, caught_by=("book_cases", "int_arguments"), clause="pairs"),
    Bug("padding_stride.conv_output_shape", "returns a list", """
        def conv_output_shape(input_shape, kernel_size, padding=0, stride=1):
            return [(n - k + 2 * p) // s + 1 for n, k, p, s in
                    zip(input_shape, _pair(kernel_size), _pair(padding), _pair(stride))]
        """, caught_by="returns_ints", clause="returns"),
    Bug("padding_stride.conv_output_shape", "builds an nn.Conv2d and measures its output", """
        import torch
        from torch import nn
        def conv_output_shape(input_shape, kernel_size, padding=0, stride=1):
            layer = nn.Conv2d(1, 1, kernel_size, stride, padding)
            return tuple(layer(torch.zeros(1, 1, *input_shape)).shape[2:])
        """, caught_by="plain_python", clause="plain"),

    # §6.4 channels ---------------------------------------------------------------------------------
    Bug("channels.corr2d_multi_in", "channels averaged instead of summed", """
        def corr2d_multi_in(X, K):
            return corr2d_multi_in_out(X, K.unsqueeze(0))[0] / X.shape[0]
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("channels.corr2d_multi_in", "only the first channel", """
        def corr2d_multi_in(X, K):
            return corr2d_multi_in_out(X[:1], K[:1].unsqueeze(0))[0]
        """, caught_by=("book_example", "matches_reference")),
    Bug("channels.corr2d_multi_in", "no .sum() over the input channels: one map per channel", """
        from .conv_layer import corr2d
        def corr2d_multi_in(X, K):
            return torch.stack([corr2d(x, k) for x, k in zip(X, K)])
        """, caught_by=("book_example", "matches_reference")),
    Bug("channels.corr2d_multi_in", "F.conv2d does the work", """
        import torch.nn.functional as F
        def corr2d_multi_in(X, K):
            return F.conv2d(X[None], K[None])[0, 0]
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("channels.corr2d_multi_in", "a float32 accumulator over the channels", """
        from .conv_layer import corr2d
        def corr2d_multi_in(X, K):
            Y = torch.zeros((X.shape[1] - K.shape[1] + 1, X.shape[2] - K.shape[2] + 1), device=X.device)
            for x, k in zip(X, K):
                Y += corr2d(x, k)
            return Y
        """, caught_by="keeps_dtype", clause="dtype"),
    Bug("channels.corr2d_multi_in", "an accumulator on the CPU", """
        from .conv_layer import corr2d
        def corr2d_multi_in(X, K):
            Y = torch.zeros((X.shape[1] - K.shape[1] + 1, X.shape[2] - K.shape[2] + 1), dtype=X.dtype)
            for x, k in zip(X, K):
                Y = Y + corr2d(x, k)
            return Y
        """, caught_by="on_device", clause="device"),
    Bug("channels.corr2d_multi_in", "the kernel detached", """
        def corr2d_multi_in(X, K):
            return corr2d_multi_in_out(X, K.detach().unsqueeze(0))[0]
        """, caught_by="gradients", clause="gradients"),
    Bug("channels.corr2d_multi_in_out", "input channels averaged", wrapping("corr2d_multi_in_out(X, K)",
        "return _correct(X, K) / X.shape[0]"), caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("channels.corr2d_multi_in_out", "a Python loop over the channel pairs", """
        from .conv_layer import corr2d
        def corr2d_multi_in_out(X, K):
            return torch.stack([sum(corr2d(x, k) for x, k in zip(X, K_o)) for K_o in K], 0)
        """, caught_by="speed", clause="fast"),
    Bug("channels.corr2d_multi_in_out", "F.conv2d does the work", """
        import torch.nn.functional as F
        def corr2d_multi_in_out(X, K):
            return F.conv2d(X[None], K)[0]
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("channels.corr2d_multi_in_out", "returns float32 whatever X's dtype", wrapping("corr2d_multi_in_out(X, K)",
        "return _correct(X, K).float()"), caught_by="keeps_dtype", clause="dtype"),
    Bug("channels.corr2d_multi_in_out", "products added up into a CPU accumulator", """
        def corr2d_multi_in_out(X, K):
            c_o, c_i, k_h, k_w = K.shape
            out_h, out_w = X.shape[1] - k_h + 1, X.shape[2] - k_w + 1
            Y = torch.zeros((c_o, out_h * out_w), dtype=X.dtype)
            for a in range(k_h):
                for b in range(k_w):
                    Y = Y + K[:, :, a, b] @ X[:, a:a + out_h, b:b + out_w].reshape(c_i, -1)
            return Y.reshape(c_o, out_h, out_w)
        """, caught_by="on_device", clause="device"),
    Bug("channels.corr2d_multi_in_out", "the input detached", wrapping("corr2d_multi_in_out(X, K)",
        "return _correct(X.detach(), K)"), caught_by="gradients", clause="gradients"),
    Bug("channels.corr2d_multi_in_out_1x1", "the kernel's channel axes read in the wrong order", """
        def corr2d_multi_in_out_1x1(X, K):
            c_i, h, w = X.shape
            return (K.reshape(c_i, -1).T @ X.reshape(c_i, h * w)).reshape(-1, h, w)
        """, caught_by=("book_example", "equals_general"), clause="values"),
    Bug("channels.corr2d_multi_in_out_1x1", "F.conv2d does the work", """
        import torch.nn.functional as F
        def corr2d_multi_in_out_1x1(X, K):
            return F.conv2d(X[None], K)[0]
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("channels.corr2d_multi_in_out_1x1", "a matrix-vector product per pixel", """
        def corr2d_multi_in_out_1x1(X, K):
            c_i, h, w = X.shape
            W = K.reshape(K.shape[0], c_i)
            return torch.stack([torch.stack([W @ X[:, i, j] for j in range(w)], -1) for i in range(h)], 1)
        """, caught_by="speed", clause="fast"),

    # §6.5 pooling ----------------------------------------------------------------------------------
    Bug("pooling.pool2d", "mode ignored: always max", wrapping(POOL2D, "return _correct(X, pool_size)"),
        caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("pooling.pool2d", "output size off by one", wrapping(POOL2D, "return _correct(X, pool_size, mode)[:-1, :-1]"),
        caught_by=("book_example", "matches_reference")),
    Bug("pooling.pool2d", "p_h and p_w swapped", wrapping(POOL2D,
        "return _correct(X, (pool_size[1], pool_size[0]), mode)"), caught_by="matches_reference"),
    Bug("pooling.pool2d", "the book's double loop", """
        import torch
        def pool2d(X, pool_size, mode='max'):
            p_h, p_w = pool_size
            Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1), dtype=X.dtype, device=X.device)
            for i in range(Y.shape[0]):
                for j in range(Y.shape[1]):
                    window = X[i: i + p_h, j: j + p_w]
                    Y[i, j] = window.max() if mode == 'max' else window.mean()
            return Y
        """, caught_by="speed", clause="fast"),
    Bug("pooling.pool2d", "F.max_pool2d / F.avg_pool2d do the work", """
        def pool2d(X, pool_size, mode='max'):
            pool = F.max_pool2d if mode == 'max' else F.avg_pool2d
            return pool(X[None, None], pool_size, stride=1)[0, 0]
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("pooling.pool2d", "computes in float32 whatever X's dtype", wrapping(POOL2D,
        "return _correct(X.float(), pool_size, mode)"), caught_by="keeps_dtype", clause="dtype"),
    Bug("pooling.pool2d", "the output added to torch.zeros(shape) made on the CPU", "import torch\n" + wrapping(POOL2D,
        "Y = _correct(X, pool_size, mode)", "return torch.zeros(Y.shape, dtype=X.dtype) + Y"), caught_by="on_device",
        clause="device"),
    Bug("pooling.pool2d", "the windows taken from X.detach()", wrapping(POOL2D,
        "return _correct(X.detach(), pool_size, mode)"), caught_by="gradients", clause="gradients"),
    Bug("pooling.pooling_layer", "the stride defaults to 1", wrapping(POOLING_LAYER,
        "return _correct(X, kernel_size, padding, 1 if stride is None else stride, mode)"),
        caught_by=("book_examples", "default_stride"), clause="stride"),
    Bug("pooling.pooling_layer", "the kernel's height and width swapped", wrapping(POOLING_LAYER,
        "k_h, k_w = _pair(kernel_size)",
        "return _correct(X, (k_w, k_h), padding, (k_h, k_w) if stride is None else stride, mode)"),
        caught_by=("book_examples", "matches_pytorch"), clause="values"),
    Bug("pooling.pooling_layer", "max pooling pads with zeros", replace=[
        ("X = F.pad(X, (p_w, p_w, p_h, p_h), value=fill)", "X = F.pad(X, (p_w, p_w, p_h, p_h))")],
        caught_by="matches_pytorch"),
    Bug("pooling.pooling_layer", "nn.functional pooling does the work", """
        def pooling_layer(X, kernel_size, padding=0, stride=None, mode='max'):
            pool = F.max_pool2d if mode == 'max' else F.avg_pool2d
            return pool(X, kernel_size, stride, padding)
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("pooling.pooling_layer", "kernel, padding and stride unpacked as pairs: ints fail", wrapping(POOLING_LAYER,
        "k_h, k_w = kernel_size", "p_h, p_w = padding if padding != 0 else (0, 0)",
        "s_h, s_w = stride if stride is not None else kernel_size",
        "return _correct(X, (k_h, k_w), (p_h, p_w), (s_h, s_w), mode)"), caught_by=("book_examples", "int_arguments"),
        clause="pairs"),
    Bug("pooling.pooling_layer", "returns float32 whatever X's dtype", wrapping(POOLING_LAYER,
        "return _correct(X, kernel_size, padding, stride, mode).float()"), caught_by="keeps_dtype", clause="dtype"),
    Bug("pooling.pooling_layer", "the padded copy made with torch.full on the CPU", replace=[
        ("import torch.nn.functional as F\n", "import torch\nimport torch.nn.functional as F\n"),
        ("    X = F.pad(X, (p_w, p_w, p_h, p_h), value=fill)\n",
         "    padded = torch.full(X.shape[:-2] + (X.shape[-2] + 2 * p_h, X.shape[-1] + 2 * p_w), fill, dtype=X.dtype)\n"
         "    padded[..., p_h:p_h + X.shape[-2], p_w:p_w + X.shape[-1]] = X\n"
         "    X = padded\n")],
        caught_by="on_device", clause="device"),
    Bug("pooling.pooling_layer", "the input detached", wrapping(POOLING_LAYER,
        "return _correct(X.detach(), kernel_size, padding, stride, mode)"), caught_by="gradients", clause="gradients"),
    Bug("pooling.pooling_layer", "a Python loop over the output pixels", replace=[
        ("import torch.nn.functional as F\n", "import torch\nimport torch.nn.functional as F\n"),
        ("    windows = X.unfold(-2, k_h, s_h).unfold(-2, k_w, s_w)\n"
         "    return windows.amax(dim=(-2, -1)) if mode == 'max' else windows.mean(dim=(-2, -1))",
         textwrap.indent(textwrap.dedent("""\
            out_h, out_w = (X.shape[-2] - k_h) // s_h + 1, (X.shape[-1] - k_w) // s_w + 1
            rows = []
            for i in range(out_h):
                row = []
                for j in range(out_w):
                    window = X[..., i * s_h:i * s_h + k_h, j * s_w:j * s_w + k_w]
                    row.append(window.amax(dim=(-2, -1)) if mode == 'max' else window.mean(dim=(-2, -1)))
                rows.append(torch.stack(row, -1))
            return torch.stack(rows, -2)"""), "    "))],
        caught_by="speed", clause="fast"),

    # §6.6 LeNet ------------------------------------------------------------------------------------
    Bug("lenet.lenet", "ReLU instead of sigmoid", wrapping("lenet()",
        "return nn.Sequential(*[nn.ReLU() if isinstance(m, nn.Sigmoid) else m for m in _correct()])"),
        caught_by="same_function", clause="values"),
    Bug("lenet.lenet", "max pooling instead of average pooling", wrapping("lenet()",
        "return nn.Sequential(*[nn.MaxPool2d(2, 2) if isinstance(m, nn.AvgPool2d) else m for m in _correct()])"),
        caught_by="same_function"),
    Bug("lenet.lenet", "no sigmoid after the last hidden layer", wrapping("lenet()", "layers = list(_correct())",
        "return nn.Sequential(*layers[:-2], layers[-1])"), caught_by=("layer_shapes", "same_function")),
    Bug("lenet.lenet", "a Reshape layer in front (13 layers)", """
        class Reshape(nn.Module):
            def forward(self, x):
                return x.view(-1, 1, 28, 28)
        _correct = lenet
        def lenet():
            return nn.Sequential(Reshape(), *_correct())
        """, caught_by="layer_shapes", clause="layers"),
    Bug("lenet.evaluate_accuracy_gpu", "mean of per-batch accuracies", replace=[
        ("    correct, total = 0.0, 0\n", "    accs = []\n"),
        ("            correct += float((net(X).argmax(dim=1) == y).sum())\n            total += y.numel()\n"
         "    return correct / total",
         "            accs.append(float((net(X).argmax(dim=1) == y).float().mean()))\n"
         "    return sum(accs) / len(accs)")],
        caught_by="weights", clause="weights"),
    Bug("lenet.evaluate_accuracy_gpu", "mean of per-batch accuracies, tensors only", """
        def evaluate_accuracy_gpu(net, data_iter, device=None):
            net.eval()
            device = device or next(iter(net.parameters())).device
            with torch.no_grad():
                accs = [float((net(X.to(device)).argmax(1) == y.to(device)).float().mean()) for X, y in data_iter]
            return sum(accs) / len(accs)
        """, caught_by=("weights", "list_inputs")),
    Bug("lenet.evaluate_accuracy_gpu", "returns the number of correct predictions", replace=[
        ("    return correct / total", "    return correct")],
        caught_by=("example", "matches_reference", "weights"), clause="values"),
    Bug("lenet.evaluate_accuracy_gpu", "no torch.no_grad(): BatchNorm would see training mode", """
        def evaluate_accuracy_gpu(net, data_iter, device=None):
            if isinstance(net, nn.Module):
                net.eval()
                if device is None:
                    device = next(iter(net.parameters())).device
            correct, total = 0.0, 0
            for X, y in data_iter:
                X = [x.to(device) for x in X] if isinstance(X, list) else X.to(device)
                correct += float((net(X).argmax(dim=1) == y.to(device)).sum())
                total += y.numel()
            return correct / total
        """, caught_by="no_grad", clause="no_grad"),
    Bug("lenet.evaluate_accuracy_gpu", "never switches to eval mode", replace=[(
        "    if isinstance(net, nn.Module):\n        net.eval()\n        if device is None:",
        "    if isinstance(net, nn.Module):\n        if device is None:")],
        caught_by="eval_mode", clause="eval_mode"),
    Bug("lenet.evaluate_accuracy_gpu", "the default device is the CPU, not the net's", replace=[(
        "            device = next(iter(net.parameters())).device", "            device = torch.device('cpu')")],
        caught_by="moves_to_device", clause="device"),
    Bug("lenet.evaluate_accuracy_gpu", "the labels are not moved", replace=[(
        "            y = y.to(device)\n", "")], caught_by="moves_to_device"),
    Bug("lenet.evaluate_accuracy_gpu", "a list X moved as if it were a tensor", replace=[(
        "            X = [x.to(device) for x in X] if isinstance(X, list) else X.to(device)",
        "            X = X.to(device)")], caught_by="list_inputs", clause="lists"),
    Bug("lenet.evaluate_accuracy_gpu", "returns a 0-dim tensor", replace=[(
        "            correct += float((net(X).argmax(dim=1) == y).sum())",
        "            correct += (net(X).argmax(dim=1) == y).sum()")], caught_by="returns_float", clause="returns"),

    # §6.6 train_ch6 --------------------------------------------------------------------------------
    Bug("lenet.train_ch6", "no Xavier initialisation", replace=[(
        "    net.apply(_init_weights)\n    net.to(device)", "    net.to(device)")],
        caught_by="xavier_initialisation"),
    Bug("lenet.train_ch6", "the biases zeroed as well", replace=[(
        "        nn.init.xavier_uniform_(m.weight)", "        nn.init.xavier_uniform_(m.weight)\n"
                                                    "        nn.init.zeros_(m.bias)")],
        caught_by="xavier_initialisation", clause="init"),
    Bug("lenet.train_ch6", "returns only the last epoch",
        wrapping("train_ch6(net, train_iter, test_iter, num_epochs, lr, device)",
        "return _correct(net, train_iter, test_iter, num_epochs, lr, device)[-1]"),
        caught_by=("returns_history", "history")),
    Bug("lenet.train_ch6", "one list per epoch instead of a tuple", replace=[(
        "        history.append((loss_sum / total, correct / total, evaluate_accuracy_gpu(net, test_iter, device)))",
        "        history.append([loss_sum / total, correct / total, evaluate_accuracy_gpu(net, test_iter, device)])")],
        caught_by="returns_history", clause="returns"),
    Bug("lenet.train_ch6", "gradients never zeroed", replace=[("            optimizer.zero_grad()\n", "")],
        caught_by=("matches_reference", "reaches_threshold")),
    Bug("lenet.train_ch6", "iter(train_iter) made once, before the epochs: the second epoch has no batches", replace=[
        ("    history = []\n    for _ in range(num_epochs):\n", "    history = []\n    batches = iter(train_iter)\n"
                                                                 "    for _ in range(num_epochs):\n"),
        ("        for X, y in train_iter:\n", "        for X, y in batches:\n")],
        caught_by=("returns_history", "matches_reference", "history"), clause="values"),
    Bug("lenet.train_ch6", "loss and accuracy averaged over batches, not examples", replace=[
        ("                loss_sum += l.item() * X.shape[0]", "                loss_sum += l.item()"),
        ("                correct += float((y_hat.argmax(dim=1) == y).sum())",
         "                correct += float((y_hat.argmax(dim=1) == y).float().mean())"),
        ("                total += X.shape[0]", "                total += 1")],
        caught_by="history", clause="history"),
    Bug("lenet.train_ch6", "net.train() once, before the epochs (evaluation leaves it in eval mode)", replace=[
        ("    for _ in range(num_epochs):\n        net.train()\n",
         "    net.train()\n    for _ in range(num_epochs):\n")],
        caught_by="train_mode", clause="train_mode"),
    Bug("lenet.train_ch6", "the batches are not moved to the device", replace=[(
        "            X, y = X.to(device), y.to(device)\n", "")], caught_by="moves_to_device", clause="device"),
    Bug("lenet.train_ch6", "a leftover debugging break after 10 batches", replace=[(
        "        for X, y in train_iter:\n", "        for i, (X, y) in enumerate(train_iter):\n"
                                            "            if i == 10:\n                break\n")],
        caught_by="reaches_threshold", clause="trains"),
]
