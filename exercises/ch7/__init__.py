"""Chapter 7, 现代卷积神经网络 (Modern Convolutional Neural Networks)."""

# The exercises of this chapter, in book order: module.name -> (zh.d2l.ai section, clauses): the clauses of the
# exercise's contract, one property each, every one tested by its own checks (tests/test_contracts.py).
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks, docs/contracts.md) is derived from here.
# A network's "values" are its outputs once its parameters hold the same numbers as the reference's (matched by
# name, else in registration order), so that how the layers are grouped or named is a clause of its own.
EXERCISES = {
    "alexnet.alexnet": ("7.1.2", {
        "values": "the layers listed, in this order: with the same weights, the reference's outputs (eval mode)",
        "layers": "one flat nn.Sequential, one entry per listed layer: the output shape after each is the book's "
                  "table on (1, 1, 224, 224)",
        "dropout": "Dropout(0.5) after each hidden Linear + ReLU: in training mode, nn.Dropout(0.5)'s draws under "
                   "the same seed",
    }),
    "vgg.vgg_block": ("7.2.1", {
        "values": "num_convs x (Conv2d 3x3 padding 1, ReLU), in_channels -> out_channels first, then MaxPool2d(2, "
                  "stride 2): the reference's outputs with the same weights",
        "layers": "one flat nn.Sequential of the 2 * num_convs + 1 layers (Conv2d, ReLU, ..., MaxPool2d)",
    }),
    "vgg.vgg_net": ("7.2.2", {
        "values": "the blocks of conv_arch then the classifier: the reference's outputs with the same weights "
                  "(eval mode)",
        "layers": "one flat nn.Sequential: the blocks, Flatten, Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear",
        "dropout": "Dropout(0.5) after each hidden Linear + ReLU (nn.Dropout(0.5)'s draws under the same seed)",
        "uses": "each block is made by this module's vgg_block (one call per entry of conv_arch)",
    }),
    "nin.nin_block": ("7.3.1", {
        "values": "Conv2d(in, out, kernel_size, strides, padding), ReLU, then twice Conv2d(out, out, 1), ReLU: the "
                  "reference's outputs with the same weights",
        "layers": "one flat nn.Sequential of the 6 layers",
    }),
    "nin.nin_net": ("7.3.2", {
        "values": "the book's NiN: the reference's outputs with the same weights (eval mode)",
        "layers": "one flat nn.Sequential of the 4 NiN blocks, the pooling and dropout layers, the global average "
                  "pooling and Flatten: the output shape after each is the book's on (1, 1, 224, 224)",
        "dropout": "one Dropout(0.5) before the last NiN block (nn.Dropout(0.5)'s draws under the same seed)",
        "uses": "the four NiN blocks are made by this module's nin_block",
    }),
    "googlenet.Inception": ("7.4.1", {
        "values": "the four paths, each convolution followed by a ReLU, concatenated along the channels in path "
                  "order: the reference's outputs with the same weights; height and width kept",
        "names": "the layers are the attributes p1_1, p2_1, p2_2, p3_1, p3_2, p4_1, p4_2, registered in this order",
    }),
    "googlenet.googlenet": ("7.4.2", {
        "values": "b1 ... b5 and Linear(1024, 10) as listed: the reference's outputs with the same weights",
        "layers": "nn.Sequential(b1, b2, b3, b4, b5, Linear): the output shape after each is the book's on "
                  "(1, 1, 96, 96)",
        "uses": "the nine Inception blocks are this module's Inception",
    }),
    "batch_norm.batch_norm": ("7.5.3", {
        "values": "with gradients enabled, Y = gamma * (X - mean) / sqrt(var + eps) + beta with the batch's mean "
                  "and biased variance, per feature (2-D X) or per channel over axes 0, 2, 3 (4-D X)",
        "moving": "with gradients enabled, the returned moving statistics are momentum * moving + (1 - momentum) "
                  "* batch statistic (the book's convention: PyTorch's momentum is the other way round), with the "
                  "biased variance, in the parameters' shape",
        "inference": "under torch.no_grad(), X is normalized with moving_mean and moving_var, which come back "
                     "unchanged",
        "gradients": "autograd flows from Y to X, gamma and beta as through the formula (the batch statistics "
                     "depend on X)",
        "detached": "the returned moving statistics are detached (the book's .data): no graph is kept through them",
        "dtype": "the results have X's dtype (float64 in, float64 out)",
        "device": "the results are on X's device (no tensor made elsewhere)",
        "no_builtin": "PyTorch's batch normalization (F.batch_norm, torch.batch_norm, nn.BatchNorm*) is not used",
        "fast": "vectorized: no Python loop over the channels",
    }),
    "batch_norm.BatchNorm": ("7.5.3", {
        "values": "forward in training mode: batch_norm's Y for its gamma and beta, with eps 1e-5 and momentum 0.9",
        "init": "gamma (ones) and beta (zeros) are its parameters, in that order, of shape (1, C) or (1, C, 1, 1); "
                "moving_mean starts as zeros and moving_var as ones, tensor attributes that are not parameters",
        "updates": "each forward keeps the moving statistics batch_norm returns; under torch.no_grad() it "
                   "normalizes with them",
        "device": "forward moves the moving statistics to X's device first (net.to(device) does not move plain "
                  "tensor attributes)",
        "uses": "forward calls this module's batch_norm",
    }),
    "batch_norm.lenet_bn": ("7.5.4", {
        "values": "LeNet with a BatchNorm between each convolution or hidden Linear and its sigmoid: the "
                  "reference's outputs with the same weights, in training and in inference mode",
        "layers": "one flat nn.Sequential of the 16 layers listed: the output shape after each on (B, 1, 28, 28)",
        "uses": "the four normalization layers are this module's BatchNorm",
        "pooling": "the pooling layers are AvgPool2d(2, stride 2), as in lenet",
        "trains": "with this module's BatchNorm, trained as the book trains LeNet (2 epochs on 10,000 images, lr "
                  "0.9; any max pooling taken as average pooling, the pooling clause's business), it reaches 0.5 "
                  "test accuracy and beats plain LeNet by 0.2",
    }),
    "resnet.Residual": ("7.6.2", {
        "values": "ReLU(bn2(conv2(ReLU(bn1(conv1(X))))) + shortcut(X)): the reference's outputs with the same "
                  "weights, in training and eval mode, for every combination of use_1x1conv and strides",
        "names": "its parameters are those of conv1, conv2, conv3 (only with use_1x1conv, else conv3 is None), "
                 "bn1 and bn2, registered in this order",
        "trains": "a small ResNet built from it reaches 0.5 test accuracy on a small Fashion-MNIST budget",
    }),
    "resnet.resnet_block": ("7.6.3", {
        "values": "the first block halves height and width and changes the channels unless first_block; the "
                  "others keep them: nn.Sequential(*blocks) gives the reference's outputs with the same weights",
        "returns": "a plain list of num_residuals instances of this module's Residual",
    }),
    "resnet.resnet18": ("7.6.3", {
        "values": "b1, the four resnet_block stages, the global average pooling and the Linear: the reference's "
                  "outputs with the same weights",
        "layers": "an nn.Sequential of 8 entries: the output shape after each is the book's on (1, 1, 224, 224)",
        "uses": "the four stages are made by this module's resnet_block",
    }),
    "densenet.conv_block": ("7.7.2", {
        "values": "BatchNorm2d, ReLU, then Conv2d 3x3 padding 1 (pre-activation order): the reference's outputs "
                  "with the same weights",
        "layers": "one flat nn.Sequential of the 3 layers",
    }),
    "densenet.DenseBlock": ("7.7.2", {
        "values": "each block's input and output concatenated along the channels (input first) and fed to the next: "
                  "the reference's outputs with the same weights; input_channels + num_convs * num_channels "
                  "channels out",
        "uses": "its blocks are made by this module's conv_block",
        "names": "the blocks are held in self.net, an nn.Sequential",
    }),
    "densenet.transition_block": ("7.7.3", {
        "values": "BatchNorm2d, ReLU, Conv2d 1x1, AvgPool2d(2, stride 2): the reference's outputs with the same "
                  "weights",
        "layers": "one flat nn.Sequential of the 4 layers",
    }),
    "densenet.densenet": ("7.7.4", {
        "values": "b1, four DenseBlock(4, c, 32) with a transition_block(c, c // 2) between consecutive ones, "
                  "BatchNorm2d, ReLU, global pooling, Flatten, Linear: the reference's outputs with the same weights",
        "layers": "one flat nn.Sequential: b1, the 7 blocks, then the head; the output shape after each is the "
                  "book's on (1, 1, 96, 96)",
        "uses": "the dense blocks are this module's DenseBlock and the transitions come from its "
                "transition_block",
        "pooling": "the global pooling is AdaptiveAvgPool2d((1, 1)) (the zh book's code has AdaptiveMaxPool2d)",
    }),
}
