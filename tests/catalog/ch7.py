"""Chapter 7: realistic wrong implementations, and the checks that must catch them."""
import textwrap

from catalog import Bug, wrapping

# what the bugs wrap or edit in the references (solutions/ch7/batch_norm.py, densenet.py, googlenet.py)
BATCH_NORM = "batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum)"
BATCH_MEAN = "mean = X.mean(dim=dims, keepdim=True)"
BATCH_VAR = "var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)"
MOVE_STATISTICS = ("        if self.moving_mean.device != X.device:\n"
                   "            self.moving_mean = self.moving_mean.to(X.device)\n"
                   "            self.moving_var = self.moving_var.to(X.device)\n")
CALL_BATCH_NORM = ("        Y, self.moving_mean, self.moving_var = batch_norm(\n"
                   "            X, self.gamma, self.beta, self.moving_mean, self.moving_var, eps=1e-5, momentum=0.9)\n"
                   "        return Y")
BN_RELU = "        nn.BatchNorm2d(input_channels), nn.ReLU(),\n"  # in conv_block and transition_block
CONV_3X3 = "        nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))"
CONV_1X1 = "        nn.Conv2d(input_channels, num_channels, kernel_size=1),\n"
INCEPTION_RENAMED = {"p1_1": "branch1", "p2_1": "branch2a", "p2_2": "branch2b", "p3_1": "branch3a",
                     "p3_2": "branch3b", "p4_1": "branch4a", "p4_2": "branch4b"}


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
    # §7.1 AlexNet
    Bug("alexnet.alexnet", "no ReLU after the first convolution", wrapping("alexnet()", "layers = list(_correct())",
        "return nn.Sequential(layers[0], *layers[2:])"), caught_by=("layer_shapes", "same_function")),
    Bug("alexnet.alexnet", "no padding in the first convolution (same shapes, other numbers)", wrapping("alexnet()",
        "net = _correct()", "net[0] = nn.Conv2d(1, 96, kernel_size=11, stride=4)", "return net"),
        caught_by="same_function", clause="values"),
    Bug("alexnet.alexnet", "the convolutional part grouped in one nn.Sequential", wrapping("alexnet()",
        "layers = list(_correct())", "return nn.Sequential(nn.Sequential(*layers[:13]), *layers[13:])"),
        caught_by="layer_shapes", clause="layers"),
    Bug("alexnet.alexnet", "Dropout(0.2) instead of 0.5", replace_layers("alexnet", "nn.Dropout", "nn.Dropout(0.2)"),
        caught_by="dropout", clause="dropout"),
    # §7.2 VGG
    Bug("vgg.vgg_block", "one ReLU after the last convolution only", """
        def vgg_block(num_convs, in_channels, out_channels):
            layers = []
            for _ in range(num_convs):
                layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
                in_channels = out_channels
            return nn.Sequential(*layers, nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2))
        """, caught_by=("layers_and_shape", "same_function")),
    Bug("vgg.vgg_block", "average pooling instead of max pooling",
        replace_layers("vgg_block", "nn.MaxPool2d", "nn.AvgPool2d(2, 2)"), caught_by=("layers_and_shape", "same_function"),
        clause="values"),
    Bug("vgg.vgg_block", "each convolution and its ReLU in an nn.Sequential of their own", """
        def vgg_block(num_convs, in_channels, out_channels):
            layers = []
            for _ in range(num_convs):
                layers.append(nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU()))
                in_channels = out_channels
            return nn.Sequential(*layers, nn.MaxPool2d(kernel_size=2, stride=2))
        """, caught_by="layers_and_shape", clause="layers"),
    Bug("vgg.vgg_net", "the blocks wrapped in one nn.Sequential", wrapping("vgg_net(conv_arch)",
        "layers = list(_correct(conv_arch))",
        "return nn.Sequential(nn.Sequential(*layers[:len(conv_arch)]), *layers[len(conv_arch):])"),
        caught_by="block_shapes", clause="layers"),
    Bug("vgg.vgg_net", "no ReLU between the fully connected layers",
        replace_layers("vgg_net", "nn.ReLU", "nn.Identity()"), caught_by="same_function", clause="values"),
    Bug("vgg.vgg_net", "Dropout(0.1) instead of 0.5", replace_layers("vgg_net", "nn.Dropout", "nn.Dropout(0.1)"),
        caught_by="dropout", clause="dropout"),
    Bug("vgg.vgg_net", "the convolutions written out again instead of calling vgg_block", """
        def vgg_net(conv_arch):
            blocks, in_channels = [], 1
            for num_convs, out_channels in conv_arch:
                layers = []
                for _ in range(num_convs):
                    layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU()]
                    in_channels = out_channels
                blocks.append(nn.Sequential(*layers, nn.MaxPool2d(kernel_size=2, stride=2)))
            return nn.Sequential(
                *blocks, nn.Flatten(),
                nn.Linear(in_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
                nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 10))
        """, caught_by="uses_vgg_block", clause="uses"),
    # §7.3 NiN
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
        """, caught_by=("layers_and_shape", "same_function"), clause="values"),
    Bug("nin.nin_block", "the 1×1 convolutions in an inner nn.Sequential", """
        def nin_block(in_channels, out_channels, kernel_size, strides, padding):
            return nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding), nn.ReLU(),
                nn.Sequential(nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
                              nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU()))
        """, caught_by="layers_and_shape", clause="layers"),
    Bug("nin.nin_net", "max pooling without stride 2 (it defaults to the window, 3)",
        replace_layers("nin_net", "nn.MaxPool2d", "nn.MaxPool2d(3)"), caught_by=("block_shapes", "same_function"),
        clause="values"),
    Bug("nin.nin_net", "global max pooling instead of average",
        replace_layers("nin_net", "nn.AdaptiveAvgPool2d", "nn.AdaptiveMaxPool2d((1, 1))"), caught_by="same_function"),
    Bug("nin.nin_net", "the NiN blocks' layers spliced into the outer nn.Sequential",
        wrapping("nin_net()",
                 "layers = []",
                 "for m in _correct():",
                 "    layers += list(m) if isinstance(m, nn.Sequential) else [m]",
                 "return nn.Sequential(*layers)"),
        caught_by="block_shapes", clause="layers"),
    Bug("nin.nin_net", "Dropout(0.2) instead of 0.5", replace_layers("nin_net", "nn.Dropout", "nn.Dropout(0.2)"),
        caught_by="dropout", clause="dropout"),
    Bug("nin.nin_net", "the NiN blocks made by a private copy of nin_block", """
        def _block(i, o, k, s, p):
            return nn.Sequential(nn.Conv2d(i, o, k, s, p), nn.ReLU(), nn.Conv2d(o, o, kernel_size=1), nn.ReLU(),
                                 nn.Conv2d(o, o, kernel_size=1), nn.ReLU())
        def nin_net():
            return nn.Sequential(
                _block(1, 96, 11, 4, 0), nn.MaxPool2d(3, stride=2), _block(96, 256, 5, 1, 2),
                nn.MaxPool2d(3, stride=2), _block(256, 384, 3, 1, 1), nn.MaxPool2d(3, stride=2), nn.Dropout(0.5),
                _block(384, 10, 3, 1, 1), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
        """, caught_by="uses_nin_block", clause="uses"),
    # §7.4 GoogLeNet
    Bug("googlenet.Inception", "no ReLU on the pooling path", replace=[
        ("p4 = F.relu(self.p4_2(self.p4_1(x)))", "p4 = self.p4_2(self.p4_1(x))")], caught_by="same_function"),
    Bug("googlenet.Inception", "the pooling path's max pooling keeps its default stride", replace=[
        ("nn.MaxPool2d(kernel_size=3, stride=1, padding=1)", "nn.MaxPool2d(kernel_size=3, padding=1)")],
        caught_by=("output_channels", "same_function"), clause="values"),
    Bug("googlenet.Inception", "the layers named branch1, branch2a, ... (the same order)", replace=[
        (f"self.{old}{use}", f"self.{new}{use}") for old, new in INCEPTION_RENAMED.items() for use in (" = ", "(")],
        caught_by="layer_names", clause="names"),
    Bug("googlenet.googlenet", "b3 without its max pooling", wrapping("googlenet()", "net = _correct()",
        "net[2] = nn.Sequential(*net[2][:2])", "return net"), caught_by=("block_shapes", "same_function"),
        clause="values"),
    Bug("googlenet.googlenet", "the final Linear put inside b5", wrapping("googlenet()", "net = _correct()",
        "return nn.Sequential(*net[:4], nn.Sequential(*net[4], net[5]))"), caught_by="block_shapes", clause="layers"),
    Bug("googlenet.googlenet", "b5's Inception blocks from a subclass of its own", replace=[
        ("def googlenet():\n", "class BigInception(Inception):\n    pass\n\n\ndef googlenet():\n"),
        ("b5 = nn.Sequential(Inception(832, 256,", "b5 = nn.Sequential(BigInception(832, 256,"),
        ("    Inception(832, 384,", "    BigInception(832, 384,")],
        caught_by="uses_Inception", clause="uses"),
    # §7.5 batch normalization
    Bug("batch_norm.batch_norm", "momentum applied the wrong way round (PyTorch's convention)", wrapping(BATCH_NORM,
        "return _correct(X, gamma, beta, moving_mean, moving_var, eps, 1 - momentum)"),
        caught_by=("small_example_moving", "moving_statistics"), clause="moving"),
    Bug("batch_norm.batch_norm", "unbiased variance (X.var())", replace=[
        (BATCH_VAR, "var = X.var(dim=dims, keepdim=True)")],
        caught_by=("small_example", "training_matches_reference", "against_pytorch"), clause="values"),
    Bug("batch_norm.batch_norm", "the unbiased variance for moving_var only (PyTorch's running_var)",
        wrapping(BATCH_NORM,
                 "Y, new_mean, new_var = _correct(X, gamma, beta, moving_mean, moving_var, eps, momentum)",
                 "if torch.is_grad_enabled():",
                 "    dims = (0,) if X.dim() == 2 else (0, 2, 3)",
                 "    new_var = (momentum * moving_var + (1.0 - momentum) * X.var(dim=dims, keepdim=True)).detach()",
                 "return Y, new_mean, new_var"),
        caught_by=("small_example_moving", "moving_statistics")),
    Bug("batch_norm.batch_norm", "eps added outside the square root", replace=[
        ("torch.sqrt(moving_var + eps)", "(torch.sqrt(moving_var) + eps)"),
        ("torch.sqrt(var + eps)", "(torch.sqrt(var) + eps)")],
        caught_by=("training_matches_reference", "against_pytorch", "inference_mode")),
    Bug("batch_norm.batch_norm", "inference uses the batch statistics too",
        wrapping(BATCH_NORM,
                 "with torch.enable_grad():",
                 "    Y, _, _ = _correct(X, gamma, beta, moving_mean, moving_var, eps, momentum)",
                 "return Y, moving_mean, moving_var"),
        caught_by=("inference_mode", "moving_statistics")),
    Bug("batch_norm.batch_norm", "under torch.no_grad() it still normalizes with the batch statistics",
        wrapping(BATCH_NORM,
                 "if torch.is_grad_enabled():",
                 "    return _correct(X, gamma, beta, moving_mean, moving_var, eps, momentum)",
                 "with torch.enable_grad():",
                 "    Y, _, _ = _correct(X, gamma, beta, moving_mean, moving_var, eps, momentum)",
                 "return Y.detach(), moving_mean, moving_var"),
        caught_by="inference_mode", clause="inference"),
    Bug("batch_norm.batch_norm", "conv inputs normalized over the batch axis only", replace=[
        ("dims = (0,) if X.dim() == 2 else (0, 2, 3)", "dims = (0,)")],
        caught_by=("training_matches_reference", "against_pytorch")),
    Bug("batch_norm.batch_norm", "the batch statistics detached before normalizing", replace=[
        (BATCH_MEAN, BATCH_MEAN + ".detach()"), (BATCH_VAR, BATCH_VAR + ".detach()")],
        caught_by="gradients", clause="gradients"),
    Bug("batch_norm.batch_norm", "the moving statistics returned with their graph", replace=[
        ("return gamma * X_hat + beta, moving_mean.detach(), moving_var.detach()",
         "return gamma * X_hat + beta, moving_mean, moving_var")],
        caught_by="detached_statistics", clause="detached"),
    Bug("batch_norm.batch_norm", "the results cast to float32 (.float())", wrapping(BATCH_NORM,
        "Y, new_mean, new_var = _correct(X, gamma, beta, moving_mean, moving_var, eps, momentum)",
        "return Y.float(), new_mean.float(), new_var.float()"), caught_by="keeps_dtype", clause="dtype"),
    Bug("batch_norm.batch_norm", "the count of values made as a tensor on the CPU", replace=[
        (f"{BATCH_MEAN}\n        {BATCH_VAR}",
         "n = torch.tensor([X.numel() // X.shape[1]], dtype=X.dtype)\n"
         "        mean = X.sum(dim=dims, keepdim=True) / n\n"
         "        var = ((X - mean) ** 2).sum(dim=dims, keepdim=True) / n")],
        caught_by="on_device", clause="device"),
    Bug("batch_norm.batch_norm", "F.batch_norm does the normalization", """
        import torch.nn.functional as F
        _correct = batch_norm
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
            _, new_mean, new_var = _correct(X, gamma, beta, moving_mean, moving_var, eps, momentum)
            Y = F.batch_norm(X, moving_mean.reshape(-1).clone(), moving_var.reshape(-1).clone(), gamma.reshape(-1),
                             beta.reshape(-1), training=torch.is_grad_enabled(), eps=eps)
            return Y, new_mean, new_var
        """, caught_by="no_builtin", clause="no_builtin"),
    Bug("batch_norm.batch_norm", "a Python loop over the channels", """
        _correct = batch_norm
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
            outs = [_correct(X[:, c:c + 1], gamma[:, c:c + 1], beta[:, c:c + 1], moving_mean[:, c:c + 1],
                             moving_var[:, c:c + 1], eps, momentum) for c in range(X.shape[1])]
            return tuple(torch.cat(parts, dim=1) for parts in zip(*outs))
        """, caught_by="speed", clause="fast"),
    Bug("batch_norm.BatchNorm", "gamma and beta passed to batch_norm the wrong way round", replace=[
        ("X, self.gamma, self.beta, self.moving_mean", "X, self.beta, self.gamma, self.moving_mean")],
        caught_by=("output", "training_output", "matches_nn_batchnorm"), clause="values"),
    Bug("batch_norm.BatchNorm", "the updated moving statistics are dropped", replace=[
        ("Y, self.moving_mean, self.moving_var = batch_norm(", "Y, _, _ = batch_norm(")],
        caught_by="updates_and_inference", clause="updates"),
    Bug("batch_norm.BatchNorm", "beta initialised to ones", """
        _correct = BatchNorm
        class BatchNorm(_correct):
            def __init__(self, num_features, num_dims):
                super().__init__(num_features, num_dims)
                self.beta = nn.Parameter(torch.ones_like(self.beta))
        """, caught_by="parameters_and_state", clause="init"),
    Bug("batch_norm.BatchNorm", "PyTorch's momentum value 0.1 with the book's formula", replace=[
        ("eps=1e-5, momentum=0.9)", "eps=1e-5, momentum=0.1)")],
        caught_by="updates_and_inference"),
    Bug("batch_norm.BatchNorm", "the moving statistics never moved to X's device", replace=[(MOVE_STATISTICS, "")],
        caught_by="on_device", clause="device"),
    Bug("batch_norm.BatchNorm", "the normalization written out again instead of calling batch_norm", replace=[
        (CALL_BATCH_NORM, textwrap.indent(textwrap.dedent("""\
            if not torch.is_grad_enabled():
                X_hat = (X - self.moving_mean) / torch.sqrt(self.moving_var + 1e-5)
            else:
                dims = (0,) if X.dim() == 2 else (0, 2, 3)
                mean = X.mean(dim=dims, keepdim=True)
                var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
                X_hat = (X - mean) / torch.sqrt(var + 1e-5)
                self.moving_mean = (0.9 * self.moving_mean + 0.1 * mean).detach()
                self.moving_var = (0.9 * self.moving_var + 0.1 * var).detach()
            return self.gamma * X_hat + self.beta"""), "        "))],
        caught_by="uses_batch_norm", clause="uses"),
    Bug("batch_norm.lenet_bn", "BatchNorm after the sigmoid instead of before",
        wrapping("lenet_bn()",
                 "layers = list(_correct())",
                 "for i in (1, 5, 10, 13):",
                 "    layers[i], layers[i + 1] = layers[i + 1], layers[i]",
                 "return nn.Sequential(*layers)"),
        caught_by="same_function"),
    Bug("batch_norm.lenet_bn", "the BatchNorm layers left out", wrapping("lenet_bn()",
        "return nn.Sequential(*[m for m in _correct() if not isinstance(m, BatchNorm)])"),
        caught_by=("layer_shapes", "same_function", "learns_faster"), clause="values"),
    Bug("batch_norm.lenet_bn", "the convolutional part grouped in one nn.Sequential", wrapping("lenet_bn()",
        "layers = list(_correct())", "return nn.Sequential(nn.Sequential(*layers[:8]), *layers[8:])"),
        caught_by="layer_shapes", clause="layers"),
    Bug("batch_norm.lenet_bn", "PyTorch's nn.BatchNorm2d/nn.BatchNorm1d instead of this module's BatchNorm", """
        def lenet_bn():
            return nn.Sequential(
                nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                nn.Flatten(), nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
                nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(), nn.Linear(84, 10))
        """, caught_by="uses_BatchNorm", clause="uses"),
    Bug("batch_norm.lenet_bn", "max pooling (the zh book's first printing)", wrapping("lenet_bn()", "net = _correct()",
        "net[3], net[7] = nn.MaxPool2d(kernel_size=2, stride=2), nn.MaxPool2d(kernel_size=2, stride=2)", "return net"),
        caught_by="average_pooling", clause="pooling"),
    Bug("batch_norm.lenet_bn", "its BatchNorm normalizes with the moving statistics in training too", replace=[
        (CALL_BATCH_NORM,
         "        return self.gamma * (X - self.moving_mean) / torch.sqrt(self.moving_var + 1e-5) + self.beta")],
        caught_by="learns_faster", clause="trains"),
    # §7.6 ResNet
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
        """, caught_by=("shapes", "same_function", "tiny_resnet_reaches_threshold"), clause="values"),
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
    Bug("resnet.Residual", "the batch norms registered before the convolutions", """
        _correct = Residual
        class Residual(_correct):
            def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
                nn.Module.__init__(self)
                self.bn1, self.bn2 = nn.BatchNorm2d(num_channels), nn.BatchNorm2d(num_channels)
                self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
                self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
                self.conv3 = (nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
                              if use_1x1conv else None)
        """, caught_by="layer_names", clause="names"),
    Bug("resnet.Residual", "the block's output detached (nothing before it learns)", """
        class Residual(Residual):
            def forward(self, X):
                return super().forward(X).detach()
        """, caught_by="tiny_resnet_reaches_threshold", clause="trains"),
    Bug("resnet.resnet_block", "every block halves the size", """
        def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
            return [Residual(input_channels if i == 0 else num_channels, num_channels, use_1x1conv=True, strides=2)
                    for i in range(num_residuals)]
        """, caught_by=("shapes", "same_function"), clause="values"),
    Bug("resnet.resnet_block", "first_block ignored", """
        def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
            return [Residual(input_channels, num_channels, use_1x1conv=True, strides=2) if i == 0
                    else Residual(num_channels, num_channels) for i in range(num_residuals)]
        """, caught_by=("shapes", "same_function")),
    Bug("resnet.resnet_block", "an nn.Sequential returned instead of a list",
        wrapping("resnet_block(input_channels, num_channels, num_residuals, first_block=False)",
        "return nn.Sequential(*_correct(input_channels, num_channels, num_residuals, first_block))"),
        caught_by="structure", clause="returns"),
    Bug("resnet.resnet18", "b1 without batch normalization", wrapping("resnet18()", "net = _correct()",
        "net[0] = nn.Sequential(net[0][0], net[0][2], net[0][3])", "return net"), caught_by="same_function",
        clause="values"),
    Bug("resnet.resnet18", "b1 without the max pooling", wrapping("resnet18()", "net = _correct()",
        "net[0] = nn.Sequential(*net[0][:3])", "return net"), caught_by=("block_shapes", "same_function")),
    Bug("resnet.resnet18", "the head (pooling, Flatten, Linear) in one nn.Sequential", wrapping("resnet18()",
        "net = _correct()", "return nn.Sequential(*net[:5], nn.Sequential(*net[5:]))"), caught_by="block_shapes",
        clause="layers"),
    Bug("resnet.resnet18", "the stages built from Residual directly, not with resnet_block", """
        def _stage(input_channels, num_channels, num_residuals, first_block=False):
            return nn.Sequential(*[Residual(input_channels, num_channels, use_1x1conv=True, strides=2)
                                   if i == 0 and not first_block else Residual(num_channels, num_channels)
                                   for i in range(num_residuals)])
        def resnet18():
            b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
                               nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
            return nn.Sequential(b1, _stage(64, 64, 2, first_block=True), _stage(64, 128, 2), _stage(128, 256, 2),
                                 _stage(256, 512, 2), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, 10))
        """, caught_by="uses_resnet_block", clause="uses"),
    # §7.7 DenseNet
    Bug("densenet.conv_block", "post-activation order: convolution, batch norm, ReLU", replace=[
        (BN_RELU + CONV_3X3, "        nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1),\n"
                             "        nn.BatchNorm2d(num_channels), nn.ReLU())")],
        caught_by=("layers_and_shape", "same_function")),
    Bug("densenet.conv_block", "a 1×1 convolution instead of 3×3", replace=[
        (CONV_3X3, "        nn.Conv2d(input_channels, num_channels, kernel_size=1))")],
        caught_by="same_function", clause="values"),
    Bug("densenet.conv_block", "batch norm and ReLU in an inner nn.Sequential", replace=[
        (BN_RELU + CONV_3X3, "        nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU()),\n" + CONV_3X3)],
        caught_by="layers_and_shape", clause="layers"),
    Bug("densenet.DenseBlock", "returns only the last block's new features", """
        class DenseBlock(DenseBlock):
            def forward(self, X):
                for block in self.net:
                    Y = block(X)
                    X = torch.cat((X, Y), dim=1)
                return Y
        """, caught_by=("book_example", "same_function"), clause="values"),
    Bug("densenet.DenseBlock", "new features concatenated in front of the input", """
        class DenseBlock(DenseBlock):
            def forward(self, X):
                for block in self.net:
                    X = torch.cat((block(X), X), dim=1)
                return X
        """, caught_by="same_function"),
    Bug("densenet.DenseBlock", "the blocks written out again instead of calling conv_block", """
        class DenseBlock(DenseBlock):
            def __init__(self, num_convs, input_channels, num_channels):
                nn.Module.__init__(self)
                self.net = nn.Sequential(*[
                    nn.Sequential(nn.BatchNorm2d(input_channels + i * num_channels), nn.ReLU(),
                                  nn.Conv2d(input_channels + i * num_channels, num_channels, kernel_size=3, padding=1))
                    for i in range(num_convs)])
        """, caught_by="uses_conv_block", clause="uses"),
    Bug("densenet.DenseBlock", "the blocks held in self.blocks", """
        class DenseBlock(DenseBlock):
            def __init__(self, num_convs, input_channels, num_channels):
                super().__init__(num_convs, input_channels, num_channels)
                self.blocks = self.net
                del self.net
            def forward(self, X):
                for block in self.blocks:
                    X = torch.cat((X, block(X)), dim=1)
                return X
        """, caught_by="holds_net", clause="names"),
    Bug("densenet.transition_block", "max pooling instead of average pooling", replace=[
        ("nn.AvgPool2d(kernel_size=2, stride=2))", "nn.MaxPool2d(2, 2))")],
        caught_by=("layers_and_shape", "same_function")),
    Bug("densenet.transition_block", "no pooling", replace=[
        ("kernel_size=1),\n        nn.AvgPool2d(kernel_size=2, stride=2))", "kernel_size=1))")],
        caught_by=("layers_and_shape", "same_function"), clause="values"),
    Bug("densenet.transition_block", "batch norm and ReLU in an inner nn.Sequential", replace=[
        (BN_RELU + CONV_1X1, "        nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU()),\n" + CONV_1X1)],
        caught_by="layers_and_shape", clause="layers"),
    Bug("densenet.densenet", "global max pooling instead of average (the zh book's code)",
        replace_layers("densenet", "nn.AdaptiveAvgPool2d", "nn.AdaptiveMaxPool2d((1, 1))"),
        caught_by="global_average_pooling", clause="pooling"),
    Bug("densenet.densenet", "a transition block after the last dense block too",
        wrapping("densenet()",
                 "layers = list(_correct())",
                 "return nn.Sequential(*layers[:8], transition_block(248, 124), nn.BatchNorm2d(124), nn.ReLU(),",
                 "                     nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(124, 10))"),
        caught_by=("block_shapes", "same_function"), clause="values"),
    Bug("densenet.densenet", "the head in one nn.Sequential", wrapping("densenet()", "layers = list(_correct())",
        "return nn.Sequential(*layers[:8], nn.Sequential(*layers[8:]))"), caught_by="block_shapes", clause="layers"),
    Bug("densenet.densenet", "the dense blocks from a subclass of its own, not DenseBlock itself", replace=[
        ("def densenet():\n", "class WideBlock(DenseBlock):\n    pass\n\n\ndef densenet():\n"),
        ("blocks.append(DenseBlock(", "blocks.append(WideBlock(")],
        caught_by="uses_its_blocks", clause="uses"),
]
