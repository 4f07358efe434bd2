"""Chapter 7: realistic wrong implementations, and the checks that must catch them."""
from catalog import Bug


def replace_layers(function, old, new):
    """Source of a bug that swaps every ``old`` layer of the reference network for ``new()``."""
    return f"""
        _correct = {function}
        def _swap(module):
            for name, child in module.named_children():
                if type(child) is {old}:
                    setattr(module, name, {new})
                else:
                    _swap(child)
            return module
        def {function}(*args, **kwargs):
            return _swap(_correct(*args, **kwargs))
        """


BUGS = [
    Bug("alexnet.alexnet", "no ReLU after the first convolution", """
        _correct = alexnet
        def alexnet():
            layers = list(_correct())
            return nn.Sequential(layers[0], *layers[2:])
        """, caught_by=("layer_shapes", "same_function")),
    Bug("alexnet.alexnet", "no padding in the first convolution (same shapes, other numbers)", """
        _correct = alexnet
        def alexnet():
            net = _correct()
            net[0] = nn.Conv2d(1, 96, kernel_size=11, stride=4)
            return net
        """, caught_by="same_function"),
    Bug("vgg.vgg_block", "one ReLU after the last convolution only", """
        def vgg_block(num_convs, in_channels, out_channels):
            layers = []
            for _ in range(num_convs):
                layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
                in_channels = out_channels
            return nn.Sequential(*layers, nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2))
        """, caught_by=("layers_and_shape", "same_function")),
    Bug("vgg.vgg_block", "average pooling instead of max pooling",
        replace_layers("vgg_block", "nn.MaxPool2d", "nn.AvgPool2d(2, 2)"), caught_by=("layers_and_shape", "same_function")),
    Bug("vgg.vgg_net", "the blocks wrapped in one nn.Sequential", """
        _correct = vgg_net
        def vgg_net(conv_arch):
            layers = list(_correct(conv_arch))
            return nn.Sequential(nn.Sequential(*layers[:len(conv_arch)]), *layers[len(conv_arch):])
        """, caught_by="block_shapes"),
    Bug("vgg.vgg_net", "no ReLU between the fully connected layers",
        replace_layers("vgg_net", "nn.ReLU", "nn.Identity()"), caught_by="same_function"),
    Bug("nin.nin_block", "no ReLU after the 1×1 convolutions", """
        def nin_block(in_channels, out_channels, kernel_size, strides, padding):
            return nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding), nn.ReLU(),
                nn.Conv2d(out_channels, out_channels, kernel_size=1),
                nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())
        """, caught_by=("layers_and_shape", "same_function")),
    Bug("nin.nin_block", "stride and padding passed in the wrong order", """
        def nin_block(in_channels, out_channels, kernel_size, strides, padding):
            return nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size, padding, strides), nn.ReLU(),
                nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
                nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())
        """, caught_by=("layers_and_shape", "same_function")),
    Bug("nin.nin_net", "max pooling without stride 2 (it defaults to the window, 3)",
        replace_layers("nin_net", "nn.MaxPool2d", "nn.MaxPool2d(3)"), caught_by=("block_shapes", "same_function")),
    Bug("nin.nin_net", "global max pooling instead of average",
        replace_layers("nin_net", "nn.AdaptiveAvgPool2d", "nn.AdaptiveMaxPool2d((1, 1))"), caught_by="same_function"),
    Bug("googlenet.Inception", "no ReLU on the pooling path", """
        class Inception(Inception):
            def forward(self, x):
                p1 = F.relu(self.p1_1(x))
                p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
                p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
                return torch.cat((p1, p2, p3, self.p4_2(self.p4_1(x))), dim=1)
        """, caught_by="same_function"),
    Bug("googlenet.Inception", "the pooling path's max pooling keeps its default stride", """
        _correct = Inception
        class Inception(_correct):
            def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
                super().__init__(in_channels, c1, c2, c3, c4, **kwargs)
                self.p4_1 = nn.MaxPool2d(kernel_size=3, padding=1)
        """, caught_by=("output_channels", "same_function")),
    Bug("googlenet.googlenet", "b3 without its max pooling", """
        _correct = googlenet
        def googlenet():
            net = _correct()
            net[2] = nn.Sequential(*net[2][:2])
            return net
        """, caught_by=("block_shapes", "same_function")),
    Bug("googlenet.googlenet", "the final Linear put inside b5", """
        _correct = googlenet
        def googlenet():
            net = _correct()
            return nn.Sequential(*net[:4], nn.Sequential(*net[4], net[5]))
        """, caught_by="block_shapes"),
    Bug("batch_norm.batch_norm", "momentum applied the wrong way round", """
        _correct = batch_norm
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
            return _correct(X, gamma, beta, moving_mean, moving_var, eps, 1 - momentum)
        """, caught_by=("small_example", "training_matches_reference", "against_pytorch")),
    Bug("batch_norm.batch_norm", "unbiased variance (X.var())", """
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
            if not torch.is_grad_enabled():
                X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
            else:
                dims = (0,) if X.dim() == 2 else (0, 2, 3)
                mean, var = X.mean(dim=dims, keepdim=True), X.var(dim=dims, keepdim=True)
                X_hat = (X - mean) / torch.sqrt(var + eps)
                moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
                moving_var = momentum * moving_var + (1.0 - momentum) * var
            return gamma * X_hat + beta, moving_mean.detach(), moving_var.detach()
        """, caught_by=("small_example", "training_matches_reference", "against_pytorch")),
    Bug("batch_norm.batch_norm", "inference uses the batch statistics too", """
        _correct = batch_norm
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
            with torch.enable_grad():
                Y, _, _ = _correct(X, gamma, beta, moving_mean, moving_var, eps, momentum)
            return Y, moving_mean, moving_var
        """, caught_by=("inference_mode", "against_pytorch")),
    Bug("batch_norm.batch_norm", "conv inputs normalized over the batch axis only", """
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
            if not torch.is_grad_enabled():
                X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
            else:
                mean = X.mean(dim=0, keepdim=True)
                var = ((X - mean) ** 2).mean(dim=0, keepdim=True)
                X_hat = (X - mean) / torch.sqrt(var + eps)
                moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
                moving_var = momentum * moving_var + (1.0 - momentum) * var
            return gamma * X_hat + beta, moving_mean.detach(), moving_var.detach()
        """, caught_by=("training_matches_reference", "against_pytorch")),
    Bug("batch_norm.batch_norm", "the moving statistics returned with their graph", """
        _correct = batch_norm
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
            Y, _, _ = _correct(X, gamma, beta, moving_mean, moving_var, eps, momentum)
            if torch.is_grad_enabled():
                dims = (0,) if X.dim() == 2 else (0, 2, 3)
                mean = X.mean(dim=dims, keepdim=True)
                moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
                moving_var = momentum * moving_var + (1.0 - momentum) * ((X - mean) ** 2).mean(dim=dims, keepdim=True)
            return Y, moving_mean, moving_var
        """, caught_by="detached_statistics"),
    Bug("batch_norm.batch_norm", "F.batch_norm does the normalization", """
        import torch.nn.functional as F
        _correct = batch_norm
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
            _, new_mean, new_var = _correct(X, gamma, beta, moving_mean, moving_var, eps, momentum)
            Y = F.batch_norm(X, moving_mean.reshape(-1), moving_var.reshape(-1), gamma.reshape(-1), beta.reshape(-1),
                             training=torch.is_grad_enabled(), eps=eps)
            return Y, new_mean, new_var
        """, caught_by="no_builtin"),
    Bug("batch_norm.batch_norm", "a Python loop over the channels", """
        _correct = batch_norm
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
            outs = [_correct(X[:, c:c + 1], gamma[:, c:c + 1], beta[:, c:c + 1], moving_mean[:, c:c + 1],
                             moving_var[:, c:c + 1], eps, momentum) for c in range(X.shape[1])]
            return tuple(torch.cat(parts, dim=1) for parts in zip(*outs))
        """, caught_by="speed"),
    Bug("batch_norm.BatchNorm", "the updated moving statistics are dropped", """
        class BatchNorm(BatchNorm):
            def forward(self, X):
                self.moving_mean, self.moving_var = self.moving_mean.to(X.device), self.moving_var.to(X.device)
                return batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var, eps=1e-5,
                                  momentum=0.9)[0]
        """, caught_by="updates_and_inference"),
    Bug("batch_norm.BatchNorm", "beta initialised to ones", """
        _correct = BatchNorm
        class BatchNorm(_correct):
            def __init__(self, num_features, num_dims):
                super().__init__(num_features, num_dims)
                self.beta = nn.Parameter(torch.ones_like(self.beta))
        """, caught_by=("parameters_and_state", "matches_nn_batchnorm")),
    Bug("batch_norm.BatchNorm", "PyTorch's momentum value 0.1 with the book's formula", """
        class BatchNorm(BatchNorm):
            def forward(self, X):
                self.moving_mean, self.moving_var = self.moving_mean.to(X.device), self.moving_var.to(X.device)
                Y, self.moving_mean, self.moving_var = batch_norm(X, self.gamma, self.beta, self.moving_mean,
                                                                  self.moving_var, eps=1e-5, momentum=0.1)
                return Y
        """, caught_by="updates_and_inference"),
    Bug("batch_norm.lenet_bn", "BatchNorm after the sigmoid instead of before", """
        _correct = lenet_bn
        def lenet_bn():
            layers = list(_correct())
            for i in (1, 5, 10, 13):
                layers[i], layers[i + 1] = layers[i + 1], layers[i]
            return nn.Sequential(*layers)
        """, caught_by="same_function"),
    Bug("batch_norm.lenet_bn", "the BatchNorm layers left out", """
        _correct = lenet_bn
        def lenet_bn():
            return nn.Sequential(*[m for m in _correct() if not isinstance(m, BatchNorm)])
        """, caught_by=("layer_shapes", "same_function", "learns_faster")),
    Bug("resnet.Residual", "the shortcut added after the final ReLU", """
        class Residual(Residual):
            def forward(self, X):
                Y = F.relu(self.bn1(self.conv1(X)))
                Y = F.relu(self.bn2(self.conv2(Y)))
                return Y + (self.conv3(X) if self.conv3 is not None else X)
        """, caught_by="same_function"),
    Bug("resnet.Residual", "the 1×1 projection never applied", """
        class Residual(Residual):
            def forward(self, X):
                Y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(X)))))
                return F.relu(Y + X)
        """, caught_by=("shapes", "same_function", "tiny_resnet_reaches_threshold")),
    Bug("resnet.Residual", "the second convolution created inside forward (a new random layer every call)", """
        class Residual(Residual):
            def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
                super().__init__(input_channels, num_channels, use_1x1conv, strides)
                del self.conv2
                self.num_channels = num_channels
            def forward(self, X):
                conv2 = nn.Conv2d(self.num_channels, self.num_channels, kernel_size=3, padding=1).to(X.device)
                Y = self.bn2(conv2(F.relu(self.bn1(self.conv1(X)))))
                return F.relu(Y + (self.conv3(X) if self.conv3 is not None else X))
        """, caught_by=("same_function", "tiny_resnet_reaches_threshold")),
    Bug("resnet.resnet_block", "every block halves the size", """
        def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
            return [Residual(input_channels if i == 0 else num_channels, num_channels, use_1x1conv=True, strides=2)
                    for i in range(num_residuals)]
        """, caught_by=("structure", "same_function")),
    Bug("resnet.resnet_block", "first_block ignored", """
        def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
            return [Residual(input_channels, num_channels, use_1x1conv=True, strides=2) if i == 0
                    else Residual(num_channels, num_channels) for i in range(num_residuals)]
        """, caught_by=("structure", "same_function")),
    Bug("resnet.resnet18", "b1 without batch normalization", """
        _correct = resnet18
        def resnet18():
            net = _correct()
            net[0] = nn.Sequential(net[0][0], net[0][2], net[0][3])
            return net
        """, caught_by="same_function"),
    Bug("resnet.resnet18", "b1 without the max pooling", """
        _correct = resnet18
        def resnet18():
            net = _correct()
            net[0] = nn.Sequential(*net[0][:3])
            return net
        """, caught_by=("block_shapes", "same_function")),
    Bug("densenet.conv_block", "post-activation order: convolution, batch norm, ReLU", """
        def conv_block(input_channels, num_channels):
            return nn.Sequential(nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1),
                                 nn.BatchNorm2d(num_channels), nn.ReLU())
        """, caught_by=("layers_and_shape", "same_function")),
    Bug("densenet.conv_block", "a 1×1 convolution instead of 3×3", """
        def conv_block(input_channels, num_channels):
            return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                                 nn.Conv2d(input_channels, num_channels, kernel_size=1))
        """, caught_by="same_function"),
    Bug("densenet.DenseBlock", "returns only the last block's new features", """
        class DenseBlock(DenseBlock):
            def forward(self, X):
                for block in self.net:
                    Y = block(X)
                    X = torch.cat((X, Y), dim=1)
                return Y
        """, caught_by=("book_example", "same_function")),
    Bug("densenet.DenseBlock", "new features concatenated in front of the input", """
        class DenseBlock(DenseBlock):
            def forward(self, X):
                for block in self.net:
                    X = torch.cat((block(X), X), dim=1)
                return X
        """, caught_by="same_function"),
    Bug("densenet.transition_block", "max pooling instead of average pooling", """
        def transition_block(input_channels, num_channels):
            return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                                 nn.Conv2d(input_channels, num_channels, kernel_size=1), nn.MaxPool2d(2, 2))
        """, caught_by="same_function"),
    Bug("densenet.transition_block", "no pooling", """
        def transition_block(input_channels, num_channels):
            return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                                 nn.Conv2d(input_channels, num_channels, kernel_size=1))
        """, caught_by=("book_example", "same_function")),
    Bug("densenet.densenet", "global max pooling instead of average",
        replace_layers("densenet", "nn.AdaptiveAvgPool2d", "nn.AdaptiveMaxPool2d((1, 1))"), caught_by="same_function"),
    Bug("densenet.densenet", "a transition block after the last dense block too", """
        _correct = densenet
        def densenet():
            layers = list(_correct())
            return nn.Sequential(*layers[:8], transition_block(248, 124), nn.BatchNorm2d(124), nn.ReLU(),
                                 nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(124, 10))
        """, caught_by=("block_shapes", "same_function")),
]
