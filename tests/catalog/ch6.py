"""Chapter 6: realistic wrong implementations, and the checks that must catch them."""
from catalog import Bug

BUGS = [
    Bug("conv_layer.corr2d", "the kernel is flipped (a true convolution)", """
        _correct_corr2d = corr2d
        def corr2d(X, K):
            return _correct_corr2d(X, K.flip(0, 1))
        """, caught_by=("book_example", "edge_detection", "matches_reference")),
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
        """, caught_by="speed"),
    Bug("conv_layer.corr2d", "the kernel detached, so no gradient reaches it", """
        _correct_corr2d = corr2d
        def corr2d(X, K):
            return _correct_corr2d(X, K.detach())
        """, caught_by="gradients"),
    Bug("conv_layer.corr2d", "F.conv2d does the work", """
        import torch.nn.functional as F
        def corr2d(X, K):
            return F.conv2d(X[None, None], K[None, None])[0, 0]
        """, caught_by="no_builtin"),
    Bug("conv_layer.Conv2D", "the bias is a plain tensor, not a parameter", """
        class Conv2D(nn.Module):
            def __init__(self, kernel_size):
                super().__init__()
                self.weight = nn.Parameter(torch.rand(kernel_size))
                self.bias = torch.zeros(1)
            def forward(self, x):
                return corr2d(x, self.weight) + self.bias
        """, caught_by="shapes_and_forward"),
    Bug("conv_layer.Conv2D", "weights from N(0, 1) and the bias forgotten in forward", """
        class Conv2D(nn.Module):
            def __init__(self, kernel_size):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(kernel_size))
                self.bias = nn.Parameter(torch.zeros(1))
            def forward(self, x):
                return corr2d(x, self.weight)
        """, caught_by=("shapes_and_forward", "initialisation")),
    Bug("conv_layer.Conv2D", "forward flips the kernel", """
        class Conv2D(nn.Module):
            def __init__(self, kernel_size):
                super().__init__()
                self.weight = nn.Parameter(torch.rand(kernel_size))
                self.bias = nn.Parameter(torch.zeros(1))
            def forward(self, x):
                return corr2d(x, self.weight.flip(0, 1)) + self.bias
        """, caught_by=("shapes_and_forward", "learns_edge_kernel", "initialisation")),
    Bug("padding_stride.comp_conv2d", "the batch and channel axes are not dropped", """
        def comp_conv2d(conv2d, X):
            return conv2d(X.reshape((1, 1) + X.shape))
        """, caught_by=("book_cases", "matches_layer")),
    Bug("padding_stride.comp_conv2d", "only the batch axis dropped", """
        def comp_conv2d(conv2d, X):
            return conv2d(X.reshape((1, 1) + X.shape))[0]
        """, caught_by=("book_cases", "matches_layer")),
    Bug("padding_stride.conv_output_shape", "padding counted once instead of on both sides", """
        def conv_output_shape(input_shape, kernel_size, padding=0, stride=1):
            return tuple((n - k + p) // s + 1 for n, k, p, s in
                         zip(input_shape, _pair(kernel_size), _pair(padding), _pair(stride)))
        """, caught_by=("book_cases", "matches_conv2d")),
    Bug("padding_stride.conv_output_shape", "true division: float sizes", """
        def conv_output_shape(input_shape, kernel_size, padding=0, stride=1):
            return tuple((n - k + 2 * p) / s + 1 for n, k, p, s in
                         zip(input_shape, _pair(kernel_size), _pair(padding), _pair(stride)))
        """, caught_by=("book_cases", "matches_conv2d")),
    Bug("padding_stride.conv_output_shape", "rounds up instead of down", """
        def conv_output_shape(input_shape, kernel_size, padding=0, stride=1):
            return tuple(-(-(n - k + 2 * p) // s) + 1 for n, k, p, s in
                         zip(input_shape, _pair(kernel_size), _pair(padding), _pair(stride)))
        """, caught_by=("book_cases", "matches_conv2d")),
    Bug("channels.corr2d_multi_in", "channels averaged instead of summed", """
        def corr2d_multi_in(X, K):
            return corr2d_multi_in_out(X, K.unsqueeze(0))[0] / X.shape[0]
        """, caught_by=("book_example", "matches_reference")),
    Bug("channels.corr2d_multi_in", "only the first channel", """
        def corr2d_multi_in(X, K):
            return corr2d_multi_in_out(X[:1], K[:1].unsqueeze(0))[0]
        """, caught_by=("book_example", "matches_reference")),
    Bug("channels.corr2d_multi_in", "F.conv2d does the work", """
        import torch.nn.functional as F
        def corr2d_multi_in(X, K):
            return F.conv2d(X[None], K[None])[0, 0]
        """, caught_by="no_builtin"),
    Bug("channels.corr2d_multi_in_out", "input channels averaged", """
        _correct = corr2d_multi_in_out
        def corr2d_multi_in_out(X, K):
            return _correct(X, K) / X.shape[0]
        """, caught_by=("book_example", "matches_reference")),
    Bug("channels.corr2d_multi_in_out", "a Python loop over the channel pairs", """
        from .conv_layer import corr2d
        def corr2d_multi_in_out(X, K):
            return torch.stack([sum(corr2d(x, k) for x, k in zip(X, K_o)) for K_o in K], 0)
        """, caught_by="speed"),
    Bug("channels.corr2d_multi_in_out", "F.conv2d does the work", """
        import torch.nn.functional as F
        def corr2d_multi_in_out(X, K):
            return F.conv2d(X[None], K)[0]
        """, caught_by="no_builtin"),
    Bug("channels.corr2d_multi_in_out_1x1", "the kernel's channel axes read in the wrong order", """
        def corr2d_multi_in_out_1x1(X, K):
            c_i, h, w = X.shape
            return (K.reshape(c_i, -1).T @ X.reshape(c_i, h * w)).reshape(-1, h, w)
        """, caught_by=("book_example", "equals_general")),
    Bug("channels.corr2d_multi_in_out_1x1", "F.conv2d does the work", """
        import torch.nn.functional as F
        def corr2d_multi_in_out_1x1(X, K):
            return F.conv2d(X[None], K)[0]
        """, caught_by="no_builtin"),
    Bug("pooling.pool2d", "mode ignored: always max", """
        _correct = pool2d
        def pool2d(X, pool_size, mode='max'):
            return _correct(X, pool_size)
        """, caught_by=("book_example", "matches_reference")),
    Bug("pooling.pool2d", "output size off by one", """
        _correct = pool2d
        def pool2d(X, pool_size, mode='max'):
            return _correct(X, pool_size, mode)[:-1, :-1]
        """, caught_by=("book_example", "matches_reference")),
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
        """, caught_by="speed"),
    Bug("pooling.pool2d", "F.max_pool2d / F.avg_pool2d do the work", """
        def pool2d(X, pool_size, mode='max'):
            pool = F.max_pool2d if mode == 'max' else F.avg_pool2d
            return pool(X[None, None], pool_size, stride=1)[0, 0]
        """, caught_by="no_builtin"),
    Bug("pooling.pooling_layer", "the stride defaults to 1", """
        _correct = pooling_layer
        def pooling_layer(X, kernel_size, padding=0, stride=None, mode='max'):
            return _correct(X, kernel_size, padding, 1 if stride is None else stride, mode)
        """, caught_by=("book_examples", "matches_pytorch")),
    Bug("pooling.pooling_layer", "max pooling pads with zeros", """
        def pooling_layer(X, kernel_size, padding=0, stride=None, mode='max'):
            (k_h, k_w), (p_h, p_w) = _pair(kernel_size), _pair(padding)
            s_h, s_w = _pair(stride if stride is not None else kernel_size)
            windows = F.pad(X, (p_w, p_w, p_h, p_h)).unfold(-2, k_h, s_h).unfold(-2, k_w, s_w)
            return windows.amax(dim=(-2, -1)) if mode == 'max' else windows.mean(dim=(-2, -1))
        """, caught_by="matches_pytorch"),
    Bug("pooling.pooling_layer", "nn.functional pooling does the work", """
        def pooling_layer(X, kernel_size, padding=0, stride=None, mode='max'):
            pool = F.max_pool2d if mode == 'max' else F.avg_pool2d
            return pool(X, kernel_size, stride, padding)
        """, caught_by="no_builtin"),
    Bug("lenet.lenet", "ReLU instead of sigmoid", """
        _correct = lenet
        def lenet():
            return nn.Sequential(*[nn.ReLU() if isinstance(m, nn.Sigmoid) else m for m in _correct()])
        """, caught_by="same_function"),
    Bug("lenet.lenet", "max pooling instead of average pooling", """
        _correct = lenet
        def lenet():
            return nn.Sequential(*[nn.MaxPool2d(2, 2) if isinstance(m, nn.AvgPool2d) else m for m in _correct()])
        """, caught_by="same_function"),
    Bug("lenet.lenet", "no sigmoid after the last hidden layer", """
        _correct = lenet
        def lenet():
            layers = list(_correct())
            return nn.Sequential(*layers[:-2], layers[-1])
        """, caught_by=("layer_shapes", "same_function")),
    Bug("lenet.evaluate_accuracy_gpu", "mean of per-batch accuracies", """
        def evaluate_accuracy_gpu(net, data_iter, device=None):
            net.eval()
            device = device or next(iter(net.parameters())).device
            with torch.no_grad():
                accs = [float((net(X.to(device)).argmax(1) == y.to(device)).float().mean()) for X, y in data_iter]
            return sum(accs) / len(accs)
        """, caught_by="batches_device_and_mode"),
    Bug("lenet.evaluate_accuracy_gpu", "returns the number of correct predictions", """
        def evaluate_accuracy_gpu(net, data_iter, device=None):
            net.eval()
            device = device or next(iter(net.parameters())).device
            with torch.no_grad():
                return sum(float((net(X.to(device)).argmax(1) == y.to(device)).sum()) for X, y in data_iter)
        """, caught_by=("example", "batches_device_and_mode")),
    Bug("lenet.evaluate_accuracy_gpu", "no torch.no_grad(): BatchNorm would see training mode", """
        def evaluate_accuracy_gpu(net, data_iter, device=None):
            net.eval()
            device = device or next(iter(net.parameters())).device
            correct, total = 0.0, 0
            for X, y in data_iter:
                correct += float((net(X.to(device)).argmax(1) == y.to(device)).sum())
                total += y.numel()
            return correct / total
        """, caught_by="batches_device_and_mode"),
    Bug("lenet.train_ch6", "no Xavier initialisation", """
        _correct = train_ch6
        def train_ch6(net, train_iter, test_iter, num_epochs, lr, device):
            net.apply = lambda fn: net
            return _correct(net, train_iter, test_iter, num_epochs, lr, device)
        """, caught_by=("matches_reference", "xavier_initialisation")),
    Bug("lenet.train_ch6", "returns only the last epoch", """
        _correct = train_ch6
        def train_ch6(net, train_iter, test_iter, num_epochs, lr, device):
            return _correct(net, train_iter, test_iter, num_epochs, lr, device)[-1]
        """, caught_by=("returns_history", "matches_reference")),
    Bug("lenet.train_ch6", "gradients never zeroed", """
        def train_ch6(net, train_iter, test_iter, num_epochs, lr, device):
            net.apply(_init_weights)
            net.to(device)
            optimizer = torch.optim.SGD(net.parameters(), lr=lr)
            loss = nn.CrossEntropyLoss()
            history = []
            for _ in range(num_epochs):
                net.train()
                loss_sum, correct, total = 0.0, 0.0, 0
                for X, y in train_iter:
                    X, y = X.to(device), y.to(device)
                    y_hat = net(X)
                    l = loss(y_hat, y)
                    l.backward()
                    optimizer.step()
                    loss_sum += l.item() * X.shape[0]
                    correct += float((y_hat.argmax(dim=1) == y).sum())
                    total += X.shape[0]
                history.append((loss_sum / total, correct / total, evaluate_accuracy_gpu(net, test_iter, device)))
            return history
        """, caught_by=("matches_reference", "reaches_threshold")),
]
