"""Chapter 6, 卷积神经网络 (Convolutional Neural Networks)."""

# The exercises of this chapter, in book order: module.name -> zh.d2l.ai section, or (section, clauses): the
# clauses of the exercise's contract, one property each, every one tested by its own checks (tests/test_contracts.py).
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks, docs/contracts.md) is derived from here.
EXERCISES = {
    "conv_layer.corr2d": ("6.2.1", {
        "values": "Y[i, j] = (X[i:i + k_h, j:j + k_w] * K).sum(), of shape (n_h - k_h + 1, n_w - k_w + 1): "
                  "the kernel is not flipped",
        "dtype": "the result has X's dtype (float64 in, float64 out)",
        "device": "the result is on X's device (no tensor made elsewhere)",
        "gradients": "gradients flow to X and K",
        "no_builtin": "no PyTorch convolution (F.conv2d, torch.conv2d, nn.Conv2d) and no F.unfold/nn.Unfold",
        "fast": "vectorized: no Python loop over the output pixels",
    }),
    "conv_layer.Conv2D": ("6.2.2", {
        "values": "forward(x) = corr2d(x, weight) + bias for a 2-D x",
        "params": "weight (kernel_size) and bias (1,) are nn.Parameters, registered in this order",
        "init": "weight is torch.rand(kernel_size), the layer's only random draw (U(0, 1), the reference's numbers "
                "under the same seed); bias starts at zero",
        "uses": "forward calls this module's corr2d",
        "gradients": "gradients reach weight and bias: the book's loop of §6.2.4 learns the edge kernel [[1, -1]]",
    }),
    "padding_stride.comp_conv2d": ("6.3.1", {
        "values": "conv2d's output on X reshaped to (1, 1, n_h, n_w), the two leading axes dropped: 2-D",
    }),
    "padding_stride.conv_output_shape": ("6.3.2", {
        "values": "(n - k + 2p) // s + 1 for each axis, the padding p counted on each side",
        "pairs": "kernel_size, padding and stride may each be an int or an (h, w) pair",
        "returns": "a tuple of two Python ints",
        "plain": "pure arithmetic: no layer and no tensor is built",
    }),
    "channels.corr2d_multi_in": ("6.4.1", {
        "values": "the sum over the input channels c of corr2d(X[c], K[c]): shape (n_h - k_h + 1, n_w - k_w + 1)",
        "dtype": "the result has X's dtype (float64 in, float64 out)",
        "device": "the result is on X's device (no tensor made elsewhere)",
        "gradients": "gradients flow to X and K",
        "no_builtin": "no PyTorch convolution and no F.unfold/nn.Unfold",
    }),
    "channels.corr2d_multi_in_out": ("6.4.2", {
        "values": "output channel o is corr2d_multi_in(X, K[o]): shape (c_o, n_h - k_h + 1, n_w - k_w + 1)",
        "dtype": "the result has X's dtype (float64 in, float64 out)",
        "device": "the result is on X's device (no tensor made elsewhere)",
        "gradients": "gradients flow to X and K",
        "no_builtin": "no PyTorch convolution and no F.unfold/nn.Unfold",
        "fast": "no Python loop over the channels: the channels combined by matrix products",
    }),
    "channels.corr2d_multi_in_out_1x1": ("6.4.3", {
        "values": "equal to corr2d_multi_in_out(X, K) for a (c_o, c_i, 1, 1) kernel: shape (c_o, h, w)",
        "no_builtin": "no PyTorch convolution and no F.unfold/nn.Unfold",
        "fast": "one matrix product: no Python loop over the pixels or the channels",
    }),
    "pooling.pool2d": ("6.5.1", {
        "values": "the maximum ('max', the default) or the mean ('avg') of each p_h × p_w window: "
                  "shape (n_h - p_h + 1, n_w - p_w + 1)",
        "dtype": "the result has X's dtype (float64 in, float64 out)",
        "device": "the result is on X's device (no tensor made elsewhere)",
        "gradients": "gradients flow to X",
        "no_builtin": "no PyTorch pooling (F.max_pool2d, F.avg_pool2d, nn.MaxPool2d, adaptive pooling) or convolution",
        "fast": "vectorized: no Python loop over the output pixels",
    }),
    "pooling.pooling_layer": ("6.5.2", {
        "values": "like nn.MaxPool2d / nn.AvgPool2d for (h, w) pairs: each channel pooled on its own, padding -inf "
                  "for 'max' and 0 (counted in the mean) for 'avg', sizes (n + 2p - k) // s + 1",
        "stride": "the stride defaults to the kernel size",
        "pairs": "kernel_size, padding and stride may each be an int or an (h, w) pair",
        "dtype": "the result has X's dtype (float64 in, float64 out)",
        "device": "the result is on X's device (no tensor made elsewhere)",
        "gradients": "gradients flow to X",
        "no_builtin": "no PyTorch pooling or convolution",
        "fast": "vectorized: no Python loop over the output pixels",
    }),
    "lenet.lenet": ("6.6.1", {
        "values": "the book's LeNet-5: with the reference's weights loaded in order, the same outputs",
        "layers": "exactly the book's 12 layers as the top-level children of an nn.Sequential (no Reshape in front), "
                  "with the book's output shape after each",
    }),
    "lenet.evaluate_accuracy_gpu": ("6.6.2", {
        "values": "the fraction of the examples of data_iter whose argmax of net(X) is the label",
        "weights": "correct / total over all examples, not a mean of per-batch accuracies",
        "eval_mode": "an nn.Module is put in eval mode",
        "no_grad": "the forward passes run under torch.no_grad()",
        "device": "every X and y is moved to device, which defaults to that of the net's first parameter",
        "lists": "X may be a list of tensors, each moved to device",
        "returns": "a Python float",
    }),
    "lenet.train_ch6": ("6.6.2", {
        "values": "plain SGD with learning rate lr on nn.CrossEntropyLoss() (the batch mean), one step per batch: the "
                  "reference's parameters after the same epochs",
        "init": "first the weights of every nn.Linear and nn.Conv2d are re-drawn by nn.init.xavier_uniform_ (in "
                "net.apply order: the reference's numbers under the same seed); biases and other modules are left "
                "as they are",
        "history": "per epoch, the training loss and accuracy averaged over the epoch's examples, and "
                   "evaluate_accuracy_gpu(net, test_iter, device) after the epoch",
        "returns": "a list with one (train_loss, train_acc, test_acc) tuple per epoch",
        "train_mode": "the net is in train mode for every training step",
        "device": "the net and every training batch are moved to device",
        "trains": "the book's LeNet run of §6.6.2 on a budget (your lenet, train_ch6 and evaluate_accuracy_gpu) "
                  "reaches 0.5 test accuracy, and the test accuracy it reports is the model's",
    }),
}
