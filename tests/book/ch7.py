"""Chapter 7 as the book writes it (zh.d2l.ai §7.1-7.7): our own code, in the book's style.

The book builds most of these networks as module-level ``net = ...`` statements; here they are the bodies of the
exercises' functions. Its habits kept: ``super(Inception, self).__init__(**kwargs)``, lists of blocks grown with
``append``, ``.data`` for the moving statistics, the 2-D statistics without ``keepdim``, ``if self.conv3:``,
``Y += X`` and the unused ``self.relu = nn.ReLU(inplace=True)`` in ``Residual``, max pooling in the batch-normalized
LeNet of the first printing, and the global max pooling of the PyTorch DenseNet.
"""
from book import BookAnswer

ANSWERS = [
    BookAnswer("vgg.vgg_block", """
        def vgg_block(num_convs, in_channels, out_channels):
            layers = []
            for _ in range(num_convs):
                layers.append(nn.Conv2d(in_channels, out_channels,
                                        kernel_size=3, padding=1))
                layers.append(nn.ReLU())
                in_channels = out_channels
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            return nn.Sequential(*layers)
        """),
    BookAnswer("vgg.vgg_net", replace=[
        ("    blocks, in_channels = [], 1\n    for num_convs, out_channels in conv_arch:\n"
         "        blocks.append(vgg_block(num_convs, in_channels, out_channels))",
         "    conv_blks = []\n    in_channels = 1\n    # the convolutional part\n"
         "    for (num_convs, out_channels) in conv_arch:\n"
         "        conv_blks.append(vgg_block(num_convs, in_channels, out_channels))"),
        ("        *blocks, nn.Flatten(),\n        nn.Linear(in_channels * 7 * 7, 4096)",
         "        *conv_blks, nn.Flatten(),\n        # the fully connected part\n"
         "        nn.Linear(out_channels * 7 * 7, 4096)")]),
    BookAnswer("googlenet.Inception", replace=[
        ("        super().__init__(**kwargs)", "        super(Inception, self).__init__(**kwargs)")]),
    BookAnswer("batch_norm.batch_norm", """
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
            # is_grad_enabled tells training from prediction
            if not torch.is_grad_enabled():
                # prediction: the moving averages passed in
                X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
            else:
                assert len(X.shape) in (2, 4)
                if len(X.shape) == 2:
                    # after a fully connected layer: mean and variance per feature
                    mean = X.mean(dim=0)
                    var = ((X - mean) ** 2).mean(dim=0)
                else:
                    # after a 2-D convolution: per channel (axis=1), keeping X's shape for broadcasting
                    mean = X.mean(dim=(0, 2, 3), keepdim=True)
                    var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
                # training: normalize with the current mean and variance
                X_hat = (X - mean) / torch.sqrt(var + eps)
                # update the moving averages
                moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
                moving_var = momentum * moving_var + (1.0 - momentum) * var
            Y = gamma * X_hat + beta  # scale and shift
            return Y, moving_mean.data, moving_var.data
        """),
    BookAnswer("batch_norm.BatchNorm", replace=[
        ("        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)\n",
         "        if num_dims == 2:\n            shape = (1, num_features)\n"
         "        else:\n            shape = (1, num_features, 1, 1)\n")]),
    BookAnswer("batch_norm.lenet_bn", replace=[
        ("        nn.AvgPool2d(kernel_size=2, stride=2),\n        nn.Conv2d(6, 16",
         "        nn.MaxPool2d(kernel_size=2, stride=2),\n        nn.Conv2d(6, 16"),
        ("        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),",
         "        nn.MaxPool2d(kernel_size=2, stride=2), nn.Flatten(),")],
        deviations="average_pooling",
        why="the zh book's first printing of §7.5.4 pools with nn.MaxPool2d; our contract (and the later text) "
            "uses AvgPool2d as lenet does, so that the two nets differ only by the normalization. The other checks "
            "give max pooling the benefit of the doubt: the reference is compared with its pooling made the same, "
            "and the training check trains with average pooling (with max pooling it stays at 0.28 on its budget)"),
    BookAnswer("resnet.Residual", """
        class Residual(nn.Module):
            def __init__(self, input_channels, num_channels,
                         use_1x1conv=False, strides=1):
                super().__init__()
                self.conv1 = nn.Conv2d(input_channels, num_channels,
                                       kernel_size=3, padding=1, stride=strides)
                self.conv2 = nn.Conv2d(num_channels, num_channels,
                                       kernel_size=3, padding=1)
                if use_1x1conv:
                    self.conv3 = nn.Conv2d(input_channels, num_channels,
                                           kernel_size=1, stride=strides)
                else:
                    self.conv3 = None
                self.bn1 = nn.BatchNorm2d(num_channels)
                self.bn2 = nn.BatchNorm2d(num_channels)
                self.relu = nn.ReLU(inplace=True)

            def forward(self, X):
                Y = F.relu(self.bn1(self.conv1(X)))
                Y = self.bn2(self.conv2(Y))
                if self.conv3:
                    X = self.conv3(X)
                Y += X
                return F.relu(Y)
        """),
    BookAnswer("resnet.resnet_block", """
        def resnet_block(input_channels, num_channels, num_residuals,
                         first_block=False):
            blk = []
            for i in range(num_residuals):
                if i == 0 and not first_block:
                    blk.append(Residual(input_channels, num_channels,
                                        use_1x1conv=True, strides=2))
                else:
                    blk.append(Residual(num_channels, num_channels))
            return blk
        """),
    BookAnswer("densenet.DenseBlock", """
        class DenseBlock(nn.Module):
            def __init__(self, num_convs, input_channels, num_channels):
                super(DenseBlock, self).__init__()
                layer = []
                for i in range(num_convs):
                    layer.append(conv_block(
                        num_channels * i + input_channels, num_channels))
                self.net = nn.Sequential(*layer)

            def forward(self, X):
                for blk in self.net:
                    Y = blk(X)
                    # concatenate each block's input and output along the channels
                    X = torch.cat((X, Y), dim=1)
                return X
        """),
    BookAnswer("densenet.densenet", """
        def densenet():
            b1 = nn.Sequential(
                nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
                nn.BatchNorm2d(64), nn.ReLU(),
                nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
            # num_channels: the current number of channels
            num_channels, growth_rate = 64, 32
            num_convs_in_dense_blocks = [4, 4, 4, 4]
            blks = []
            for i, num_convs in enumerate(num_convs_in_dense_blocks):
                blks.append(DenseBlock(num_convs, num_channels, growth_rate))
                # the output channels of the previous dense block
                num_channels += num_convs * growth_rate
                # a transition layer that halves the channels between dense blocks
                if i != len(num_convs_in_dense_blocks) - 1:
                    blks.append(transition_block(num_channels, num_channels // 2))
                    num_channels = num_channels // 2
            return nn.Sequential(
                b1, *blks,
                nn.BatchNorm2d(num_channels), nn.ReLU(),
                nn.AdaptiveMaxPool2d((1, 1)),
                nn.Flatten(),
                nn.Linear(num_channels, 10))
        """, deviations="global_average_pooling",
        why="the zh book's PyTorch DenseNet ends with nn.AdaptiveMaxPool2d((1, 1)); its text, the paper and d2l.ai "
            "use global average pooling, which is our contract (the other checks compare with the reference's "
            "pooling made the same)"),
]

NO_BOOK_CODE = {}

# The book's code for these is the reference's, line for line (docstrings and comments aside): the
# references' own runs show that it gets full marks.
BOOK_IS_REFERENCE = (
    "alexnet.alexnet",
    "nin.nin_block",
    "nin.nin_net",
    "googlenet.googlenet",
    "resnet.resnet18",
    "densenet.conv_block",
    "densenet.transition_block",
)
