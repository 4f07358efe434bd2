"""Chapter 7 (现代卷积神经网络), public checks: the book's examples and the shapes it states."""
import torch
from torch import nn

from autograder.harness import assert_block_shapes, assert_close, assert_tensor, check, student_side, type_name


ALEXNET_SHAPES = [(1, 96, 54, 54), (1, 96, 54, 54), (1, 96, 26, 26), (1, 256, 26, 26), (1, 256, 26, 26),
                  (1, 256, 12, 12), (1, 384, 12, 12), (1, 384, 12, 12), (1, 384, 12, 12), (1, 384, 12, 12),
                  (1, 256, 12, 12), (1, 256, 12, 12), (1, 256, 5, 5), (1, 6400), (1, 4096), (1, 4096), (1, 4096),
                  (1, 4096), (1, 4096), (1, 4096), (1, 10)]
# The book trains VGG with a quarter of the channels (§7.2.3); the shapes are those of the full net divided by 4.
SMALL_CONV_ARCH = ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))
VGG_SMALL_SHAPES = [(1, 16, 112, 112), (1, 32, 56, 56), (1, 64, 28, 28), (1, 128, 14, 14), (1, 128, 7, 7),
                    (1, 6272), (1, 4096), (1, 4096), (1, 4096), (1, 4096), (1, 4096), (1, 4096), (1, 10)]
NIN_SHAPES = [(1, 96, 54, 54), (1, 96, 26, 26), (1, 256, 26, 26), (1, 256, 12, 12), (1, 384, 12, 12),
              (1, 384, 5, 5), (1, 384, 5, 5), (1, 10, 5, 5), (1, 10, 1, 1), (1, 10)]
GOOGLENET_SHAPES = [(1, 64, 24, 24), (1, 192, 12, 12), (1, 480, 6, 6), (1, 832, 3, 3), (1, 1024), (1, 10)]
LENET_BN_SHAPES = [(2, 6, 24, 24), (2, 6, 24, 24), (2, 6, 24, 24), (2, 6, 12, 12), (2, 16, 8, 8), (2, 16, 8, 8),
                   (2, 16, 8, 8), (2, 16, 4, 4), (2, 256), (2, 120), (2, 120), (2, 120), (2, 84), (2, 84), (2, 84),
                   (2, 10)]
RESNET_SHAPES = [(1, 64, 56, 56), (1, 64, 56, 56), (1, 128, 28, 28), (1, 256, 14, 14), (1, 512, 7, 7),
                 (1, 512, 1, 1), (1, 512), (1, 10)]
DENSENET_SHAPES = [(1, 64, 24, 24), (1, 192, 24, 24), (1, 96, 12, 12), (1, 224, 12, 12), (1, 112, 6, 6),
                   (1, 240, 6, 6), (1, 120, 3, 3), (1, 248, 3, 3), (1, 248, 3, 3), (1, 248, 3, 3), (1, 248, 1, 1),
                   (1, 248), (1, 10)]


def image(shape, seed=0):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def assert_layers(block, types, *, what):
    got = [type_name(m) for m in block]
    expected = [t.__name__ for t in types]
    assert got == expected, f"{what} should hold the layers {expected}, got {got}"


def sequential_of(blocks):
    """Student side: the blocks of a list (as ``resnet_block`` returns them) in one ``nn.Sequential``."""
    return nn.Sequential(*blocks)


@check("alexnet.alexnet", clauses="layers")
def check_alexnet_layer_shapes(alexnet):
    assert_block_shapes(alexnet(), ALEXNET_SHAPES, image((1, 1, 224, 224)), what="alexnet()")


@check("vgg.vgg_block", clauses="layers")
def check_vgg_block_layers_and_shape(vgg_block):
    block = vgg_block(2, 3, 8)
    assert_layers(block, (nn.Conv2d, nn.ReLU, nn.Conv2d, nn.ReLU, nn.MaxPool2d), what="vgg_block(2, 3, 8)")
    assert_tensor(block(image((2, 3, 16, 16))), what="vgg_block(2, 3, 8) on X (2, 3, 16, 16)", shape=(2, 8, 8, 8))


@check("vgg.vgg_net", clauses="layers", substitute=("vgg_block",))
def check_vgg_net_block_shapes(vgg_net):
    assert_block_shapes(vgg_net(SMALL_CONV_ARCH), VGG_SMALL_SHAPES, image((1, 1, 224, 224)),
                        what="vgg_net(small_conv_arch = ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128)))")


@check("nin.nin_block", clauses="layers")
def check_nin_block_layers_and_shape(nin_block):
    block = nin_block(1, 96, kernel_size=11, strides=4, padding=0)
    assert_layers(block, (nn.Conv2d, nn.ReLU) * 3, what="nin_block(1, 96, 11, 4, 0)")
    assert_tensor(block(image((1, 1, 224, 224))), what="nin_block(1, 96, 11, 4, 0) on X (1, 1, 224, 224)",
                  shape=(1, 96, 54, 54))


@check("nin.nin_net", clauses="layers", substitute=("nin_block",))
def check_nin_net_block_shapes(nin_net):
    assert_block_shapes(nin_net(), NIN_SHAPES, image((1, 1, 224, 224)), what="nin_net()")


@check("googlenet.Inception", clauses="values")
def check_Inception_output_channels(Inception):
    block = Inception(192, 64, (96, 128), (16, 32), 32)
    assert_tensor(block(image((1, 192, 12, 12))), what="Inception(192, 64, (96, 128), (16, 32), 32) on (1, 192, 12, 12)",
                  shape=(1, 256, 12, 12))
    small = Inception(3, 2, (4, 5), (2, 3), 4)
    assert_tensor(small(image((2, 3, 7, 9))), what="Inception(3, 2, (4, 5), (2, 3), 4) on (2, 3, 7, 9)",
                  shape=(2, 14, 7, 9))


@check("googlenet.googlenet", clauses="layers", integration=True)
def check_googlenet_block_shapes(googlenet):
    assert_block_shapes(googlenet(), GOOGLENET_SHAPES, image((1, 1, 96, 96)), what="googlenet() (with your Inception)")


BN_EXAMPLE = "batch_norm(X = [[1, 2], [3, 6]], gamma = 1, beta = 0, moving_mean = 0, moving_var = 1, eps = 1e-5, " \
             "momentum = 0.9)"


def bn_example(batch_norm):
    X = torch.tensor([[1.0, 2.0], [3.0, 6.0]])
    return batch_norm(X, torch.ones(1, 2), torch.zeros(1, 2), torch.zeros(1, 2), torch.ones(1, 2), eps=1e-5,
                      momentum=0.9)


@check("batch_norm.batch_norm", clauses="values")
def check_batch_norm_small_example(batch_norm):
    Y = bn_example(batch_norm)[0]
    assert_close(Y, torch.tensor([[-1.0, -1.0], [1.0, 1.0]]), what=f"Y of {BN_EXAMPLE}",
                 hint="normalize each feature (column) with the batch mean and the biased variance (divide by n)")


@check("batch_norm.batch_norm", clauses="moving")
def check_batch_norm_small_example_moving(batch_norm):
    _, mean, var = bn_example(batch_norm)
    assert_close(mean, torch.tensor([[0.2, 0.4]]), what=f"moving_mean of {BN_EXAMPLE}",
                 hint="moving = momentum * moving + (1 - momentum) * batch mean, in the shape (1, 2) of moving_mean")
    assert_close(var, torch.tensor([[1.0, 1.3]]), what=f"moving_var of {BN_EXAMPLE}",
                 hint="the biased batch variances are 1 and 4: 0.9 * 1 + 0.1 * [1, 4]")


@check("batch_norm.BatchNorm", clauses="init")
def check_BatchNorm_parameters_and_state(BatchNorm):
    for num_dims, shape in ((2, (1, 5)), (4, (1, 5, 1, 1))):
        layer = BatchNorm(5, num_dims)
        params = [name for name, _ in layer.named_parameters()]
        assert params == ["gamma", "beta"], \
            f"BatchNorm should register the parameters gamma and beta (in that order), got {params}"
        assert_close(layer.gamma.detach(), torch.ones(shape), what=f"BatchNorm(5, {num_dims}).gamma")
        assert_close(layer.beta.detach(), torch.zeros(shape), what=f"BatchNorm(5, {num_dims}).beta")
        assert_close(layer.moving_mean, torch.zeros(shape), what=f"BatchNorm(5, {num_dims}).moving_mean")
        assert_close(layer.moving_var, torch.ones(shape), what=f"BatchNorm(5, {num_dims}).moving_var")


@check("batch_norm.BatchNorm", clauses="values", substitute=("batch_norm",))
def check_BatchNorm_output(BatchNorm):
    layer = BatchNorm(3, 4)
    X = image((4, 3, 5, 5)) * 0.1 + 1
    gamma, beta = layer.gamma.detach(), layer.beta.detach()
    mean = X.mean(dim=(0, 2, 3), keepdim=True)
    var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
    expected = gamma * (X - mean) / torch.sqrt(var + 1e-5) + beta
    got = layer(X)
    assert_close(got.detach() if isinstance(got, torch.Tensor) else got, expected,
                 what="BatchNorm(3, 4) on X (4, 3, 5, 5) in training mode, with its own gamma and beta",
                 hint="per channel: batch mean and biased variance over axes 0, 2, 3; eps = 1e-5")


@check("batch_norm.lenet_bn", clauses="layers", integration=True)
def check_lenet_bn_layer_shapes(lenet_bn):
    assert_block_shapes(lenet_bn(), LENET_BN_SHAPES, image((2, 1, 28, 28)), what="lenet_bn() (with your BatchNorm)")


@check("resnet.Residual", clauses="values")
def check_Residual_shapes(Residual):
    X = image((4, 3, 6, 6))
    assert_tensor(Residual(3, 3)(X), what="Residual(3, 3) on X (4, 3, 6, 6)", shape=(4, 3, 6, 6))
    assert_tensor(Residual(3, 6, use_1x1conv=True, strides=2)(X),
                  what="Residual(3, 6, use_1x1conv=True, strides=2) on X (4, 3, 6, 6)", shape=(4, 6, 3, 3))


@check("resnet.resnet_block", clauses="returns")
def check_resnet_block_structure(resnet_block):
    for args, kwargs in (((64, 128, 2), {}), ((64, 64, 3), {"first_block": True})):
        shown = f"resnet_block{args[:2] + (args[2],)}" + (", first_block=True" if kwargs else "")
        blocks = resnet_block(*args, **kwargs)
        assert isinstance(blocks, list), f"{shown} should return a plain list (as the book), got {type_name(blocks)}"
        names = [type_name(b) for b in blocks]
        assert names == ["Residual"] * args[2], \
            f"{shown} should return {args[2]} Residual blocks, got {names}"


@check("resnet.resnet_block", clauses="values", integration=True)
def check_resnet_block_shapes(resnet_block):
    for args, kwargs, shape in (((64, 128, 2), {}, (2, 128, 4, 4)), ((64, 64, 2), {"first_block": True},
                                                                    (2, 64, 8, 8))):
        net = student_side(sequential_of, resnet_block(*args, **kwargs))
        shown = f"nn.Sequential(*resnet_block{args}{', first_block=True' if kwargs else ''}) (with your Residual)"
        assert_tensor(net(image((2, 64, 8, 8))), what=f"{shown} on X (2, 64, 8, 8)", shape=shape)


@check("resnet.resnet18", clauses="layers", integration=True)
def check_resnet18_block_shapes(resnet18):
    assert_block_shapes(resnet18(), RESNET_SHAPES, image((1, 1, 224, 224)),
                        what="resnet18() (with your resnet_block and Residual)")


@check("densenet.conv_block", clauses="layers")
def check_conv_block_layers_and_shape(conv_block):
    block = conv_block(3, 10)
    assert_layers(block, (nn.BatchNorm2d, nn.ReLU, nn.Conv2d), what="conv_block(3, 10)")
    assert_tensor(block(image((4, 3, 8, 8))), what="conv_block(3, 10) on X (4, 3, 8, 8)", shape=(4, 10, 8, 8))


@check("densenet.DenseBlock", clauses="values", substitute=("conv_block",))
def check_DenseBlock_book_example(DenseBlock):
    assert_tensor(DenseBlock(2, 3, 10)(image((4, 3, 8, 8))), what="DenseBlock(2, 3, 10) on X (4, 3, 8, 8)",
                  shape=(4, 23, 8, 8))


@check("densenet.transition_block", clauses="layers")
def check_transition_block_layers_and_shape(transition_block):
    block = transition_block(23, 10)
    assert_layers(block, (nn.BatchNorm2d, nn.ReLU, nn.Conv2d, nn.AvgPool2d), what="transition_block(23, 10)")
    assert_tensor(block(image((4, 23, 8, 8))), what="transition_block(23, 10) on X (4, 23, 8, 8)",
                  shape=(4, 10, 4, 4))


@check("densenet.densenet", clauses="layers", integration=True)
def check_densenet_block_shapes(densenet):
    assert_block_shapes(densenet(), DENSENET_SHAPES, image((1, 1, 96, 96)),
                        what="densenet() (with your DenseBlock, conv_block and transition_block)")
