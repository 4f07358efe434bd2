"""Chapter 6 (卷积神经网络), public checks: the book's examples and the shapes it states."""
import torch
from torch import nn

from autograder.harness import assert_block_shapes, assert_close, assert_tensor, check, student_side


def book_X():
    return torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])


def edge_image():
    """The book's 6×8 image: ones with a black (zero) band in columns 2..5 (§6.2.3)."""
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    return X


def edge_output():
    Y = torch.zeros((6, 7))
    Y[:, 1], Y[:, 5] = 1.0, -1.0
    return Y


@check("conv_layer.corr2d", clauses="values")
def check_corr2d_book_example(corr2d):
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert_close(corr2d(book_X(), K), torch.tensor([[19.0, 25.0], [37.0, 43.0]]),
                 what="corr2d(X = [[0, 1, 2], [3, 4, 5], [6, 7, 8]], K = [[0, 1], [2, 3]])",
                 hint="Y[i, j] = (X[i:i + h, j:j + w] * K).sum(); the output is (3 - 2 + 1) × (3 - 2 + 1)")


@check("conv_layer.corr2d", clauses="values")
def check_corr2d_edge_detection(corr2d):
    K = torch.tensor([[1.0, -1.0]])
    assert_close(corr2d(edge_image(), K), edge_output(), what="corr2d(the book's 6×8 edge image, K = [[1, -1]])",
                 hint="1 where white turns black, -1 where black turns white (cross-correlation: K is not flipped)")
    assert_close(corr2d(edge_image().t(), K), torch.zeros((8, 5)),
                 what="corr2d(X.t(), K = [[1, -1]]): the kernel sees no vertical edge in the transposed image")


@check("conv_layer.Conv2D", clauses="params")
def check_Conv2D_parameter_shapes(Conv2D):
    layer = Conv2D(kernel_size=(1, 2))
    params = list(layer.named_parameters())
    names = [name for name, _ in params]
    assert names == ["weight", "bias"], \
        f"Conv2D should register the parameters 'weight' and then 'bias' (nn.Parameter), got {names}"
    assert_tensor(params[0][1], what="Conv2D((1, 2)).weight", shape=(1, 2))
    assert_tensor(params[1][1], what="Conv2D((1, 2)).bias", shape=(1,))


def forward_with(Conv2D, kernel_size, weight, bias, X):
    """Student side: a fresh Conv2D with the given weight and bias (set in place), applied to X."""
    layer = Conv2D(kernel_size=kernel_size)
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(bias)
        return layer(X)


@check("conv_layer.Conv2D", clauses="values", substitute=("corr2d",))
def check_Conv2D_forward_example(Conv2D):
    got = student_side(forward_with, Conv2D, (1, 2), torch.tensor([[1.0, -1.0]]), torch.tensor([0.5]), edge_image())
    assert_close(got, edge_output() + 0.5, what="Conv2D with weight [[1, -1]] and bias 0.5 on the edge image",
                 hint="forward(x) = corr2d(x, self.weight) + self.bias")


@check("padding_stride.comp_conv2d", clauses="values")
def check_comp_conv2d_book_shapes(comp_conv2d):
    X = torch.rand(size=(8, 8))
    cases = [(dict(kernel_size=3, padding=1), (8, 8)), (dict(kernel_size=(5, 3), padding=(2, 1)), (8, 8)),
             (dict(kernel_size=3, padding=1, stride=2), (4, 4)),
             (dict(kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)), (2, 2))]
    for kwargs, expected in cases:
        got = comp_conv2d(nn.Conv2d(1, 1, **kwargs), X)
        assert_tensor(got, what=f"comp_conv2d(nn.Conv2d(1, 1, {kwargs}), X (8, 8))", shape=expected)


@check("padding_stride.conv_output_shape", clauses=("values", "pairs"))
def check_conv_output_shape_book_cases(conv_output_shape):
    cases = [(((8, 8), 3, 1, 1), (8, 8)), (((8, 8), (5, 3), (2, 1), 1), (8, 8)), (((8, 8), 3, 1, 2), (4, 4)),
             (((8, 8), (3, 5), (0, 1), (3, 4)), (2, 2))]
    for args, expected in cases:
        got = conv_output_shape(*args)
        assert isinstance(got, (tuple, list)) and tuple(got) == expected, \
            (f"conv_output_shape(input {args[0]}, kernel {args[1]}, padding {args[2]}, stride {args[3]}) gave {got}, "
             f"expected {expected}: (n - k + 2p) // s + 1 with p the padding on each side")


def book_multi_X():
    return torch.stack((book_X(), book_X() + 1))


def book_multi_K():
    return torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])


@check("channels.corr2d_multi_in", clauses="values", substitute=("corr2d", "corr2d_multi_in_out"))
def check_corr2d_multi_in_book_example(corr2d_multi_in):
    assert_close(corr2d_multi_in(book_multi_X(), book_multi_K()), torch.tensor([[56.0, 72.0], [104.0, 120.0]]),
                 what="corr2d_multi_in(the book's X (2, 3, 3), K (2, 2, 2))",
                 hint="cross-correlate each input channel with its own kernel, then add the channels up "
                      "(.sum() over the input channels: one (2, 2) map, not one per channel)")


@check("channels.corr2d_multi_in_out", clauses="values", substitute=("corr2d", "corr2d_multi_in"))
def check_corr2d_multi_in_out_book_example(corr2d_multi_in_out):
    K = book_multi_K()
    K = torch.stack((K, K + 1, K + 2), 0)
    expected = torch.tensor([[[56.0, 72.0], [104.0, 120.0]], [[76.0, 100.0], [148.0, 172.0]],
                             [[96.0, 128.0], [192.0, 224.0]]])
    assert_close(corr2d_multi_in_out(book_multi_X(), K), expected,
                 what="corr2d_multi_in_out(the book's X (2, 3, 3), K = stack((K, K + 1, K + 2)) (3, 2, 2, 2))")


@check("channels.corr2d_multi_in_out_1x1", clauses="values",
       substitute=("corr2d", "corr2d_multi_in", "corr2d_multi_in_out"))
def check_corr2d_multi_in_out_1x1_book_example(corr2d_multi_in_out_1x1):
    generator = torch.Generator().manual_seed(0)
    X = torch.normal(0, 1, (3, 3, 3), generator=generator)
    K = torch.normal(0, 1, (2, 3, 1, 1), generator=generator)
    expected = torch.einsum("oi,ihw->ohw", K[:, :, 0, 0], X)
    assert_close(corr2d_multi_in_out_1x1(X, K), expected, atol=1e-6,
                 what="corr2d_multi_in_out_1x1(X (3, 3, 3), K (2, 3, 1, 1)) (the book's example)",
                 hint="a 1×1 convolution is the matrix product K.reshape(c_o, c_i) @ X.reshape(c_i, h * w)")


@check("pooling.pool2d", clauses="values")
def check_pool2d_book_example(pool2d):
    assert_close(pool2d(book_X(), (2, 2)), torch.tensor([[4.0, 5.0], [7.0, 8.0]]),
                 what="pool2d(X = [[0, 1, 2], [3, 4, 5], [6, 7, 8]], (2, 2)) (max pooling, the default)")
    assert_close(pool2d(book_X(), (2, 2), 'avg'), torch.tensor([[2.0, 3.0], [5.0, 6.0]]),
                 what="pool2d(X, (2, 2), 'avg')")


@check("pooling.pooling_layer", clauses=("values", "stride", "pairs"))
def check_pooling_layer_book_examples(pooling_layer):
    X = torch.arange(16, dtype=torch.float32).reshape((1, 1, 4, 4))
    assert_close(pooling_layer(X, 3), torch.tensor([[[[10.0]]]]),
                 what="pooling_layer(arange(16).reshape(1, 1, 4, 4), 3): the stride defaults to the window size")
    corners = torch.tensor([[[[5.0, 7.0], [13.0, 15.0]]]])
    assert_close(pooling_layer(X, 3, padding=1, stride=2), corners,
                 what="pooling_layer(X, 3, padding=1, stride=2)")
    assert_close(pooling_layer(X, (2, 3), padding=(0, 1), stride=(2, 3)), corners,
                 what="pooling_layer(X, (2, 3), padding=(0, 1), stride=(2, 3))")
    X2 = torch.cat((X, X + 1), 1)
    assert_close(pooling_layer(X2, 3, padding=1, stride=2), torch.cat((corners, corners + 1), 1),
                 what="pooling_layer(cat((X, X + 1), 1), 3, padding=1, stride=2) (two channels pooled separately)")


LENET_SHAPES = [(1, 6, 28, 28), (1, 6, 28, 28), (1, 6, 14, 14), (1, 16, 10, 10), (1, 16, 10, 10), (1, 16, 5, 5),
                (1, 400), (1, 120), (1, 120), (1, 84), (1, 84), (1, 10)]


@check("lenet.lenet", clauses="layers")
def check_lenet_layer_shapes(lenet):
    assert_block_shapes(lenet(), LENET_SHAPES, torch.rand(size=(1, 1, 28, 28)), what="lenet()")


class _Identity(nn.Module):
    """A "network" whose scores are its inputs (it has one unused parameter, for the device)."""

    def __init__(self):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(1))

    def forward(self, X):
        return X


@check("lenet.evaluate_accuracy_gpu", clauses="values")
def check_evaluate_accuracy_gpu_example(evaluate_accuracy_gpu):
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    y = torch.tensor([0, 1, 1, 1])
    got = evaluate_accuracy_gpu(_Identity(), [(X[:2], y[:2]), (X[2:], y[2:])])
    assert_close(got, 0.5, what="evaluate_accuracy_gpu on 4 examples, 2 right")


@check("lenet.train_ch6", clauses="returns", substitute=("evaluate_accuracy_gpu",))
def check_train_ch6_returns_history(train_ch6):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    X, y = torch.eye(4).reshape(4, 1, 2, 2).repeat(4, 1, 1, 1), torch.tensor([0, 1, 0, 1] * 4)
    batches = [(X[:8], y[:8]), (X[8:], y[8:])]
    history = train_ch6(net, batches, batches, 3, 0.5, "cpu")
    assert isinstance(history, list) and len(history) == 3, \
        f"train_ch6(..., num_epochs=3, ...) should return a list of 3 epochs, got {history!r}"
    for epoch in history:
        assert isinstance(epoch, tuple) and len(epoch) == 3, \
            f"each epoch should be (train_loss, train_acc, test_acc), got {epoch!r}"
    assert history[-1][0] < history[0][0], f"the training loss should fall over 3 epochs: {history}"
