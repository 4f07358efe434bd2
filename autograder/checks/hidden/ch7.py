"""Chapter 7 (现代卷积神经网络), hidden checks: networks against the references (parameter counts, outputs
with the reference's weights), batch normalization against the book and PyTorch, speed and accuracy."""
import functools

import torch
import torch.nn.functional as F
from torch import nn

from autograder.checks.public.ch7 import image
from autograder.harness import (type_name, SEEDS, Forbidden, assert_close, assert_gradients_match, assert_matches_reference,
                                assert_no_forbidden_calls, assert_same_function, assert_same_parameter_count, check,
                                load_weights_in_order, randn, reference, speed_check, train_to_threshold, uniform)
from d2lkit.subsets import fashion_mnist_subset_iters

BATCH_NORM_FUNCS = Forbidden(
    "PyTorch's batch normalization (F.batch_norm, torch.batch_norm, nn.BatchNorm*)",
    functions=(F.batch_norm, torch.batch_norm, F.instance_norm, F.group_norm, F.layer_norm),
    aten=("batch_norm", "native_batch_norm", "_native_batch_norm_legit", "_native_batch_norm_legit_no_training",
          "_batch_norm_impl_index", "cudnn_batch_norm", "miopen_batch_norm", "_batch_norm_with_update",
          "_batch_norm_no_update", "instance_norm", "group_norm", "native_group_norm", "layer_norm",
          "native_layer_norm"))


def ref(name):
    return reference(f"ch7.{name}")


def assert_same_net(net, reference_net, X, *, what, train=False):
    """Same number of parameters, and the same outputs once the reference's weights are loaded."""
    assert_same_parameter_count(net, reference_net, what=what)
    assert_same_function(net, reference_net, (X,), what=f"{what} on X {tuple(X.shape)}", train=train)


# §7.1-7.4 AlexNet, VGG, NiN, GoogLeNet ----------------------------------------------------------

@check("alexnet.alexnet", points=2)
def check_alexnet_same_function(alexnet):
    assert_same_net(alexnet(), ref("alexnet.alexnet")(), image((1, 1, 224, 224), 1), what="alexnet()")


@check("vgg.vgg_block", points=2)
def check_vgg_block_same_function(vgg_block):
    for args in ((1, 2, 4), (3, 3, 5)):
        assert_same_net(vgg_block(*args), ref("vgg.vgg_block")(*args), image((2, args[1], 10, 12), 1),
                        what=f"vgg_block{args}")


@check("vgg.vgg_net", points=2)
def check_vgg_net_same_function(vgg_net):
    arch = ((1, 4), (2, 8))  # two blocks take 28×28 down to 7×7
    assert_same_net(vgg_net(arch), ref("vgg.vgg_net")(arch), image((2, 1, 28, 28), 1), what=f"vgg_net({arch})")


@check("nin.nin_block", points=2)
def check_nin_block_same_function(nin_block):
    for args in ((3, 5, 3, 1, 1), (2, 4, 5, 2, 0)):
        assert_same_net(nin_block(*args), ref("nin.nin_block")(*args), image((2, args[0], 12, 12), 1),
                        what=f"nin_block{args}")


@check("nin.nin_net", points=2)
def check_nin_net_same_function(nin_net):
    assert_same_net(nin_net(), ref("nin.nin_net")(), image((1, 1, 224, 224), 1), what="nin_net()")


@check("googlenet.Inception", points=2)
def check_Inception_same_function(Inception):
    args = (6, 2, (3, 4), (2, 5), 3)
    assert_same_net(Inception(*args), ref("googlenet.Inception")(*args), image((2, 6, 7, 9), 1),
                    what=f"Inception{args}")


@check("googlenet.googlenet", points=2)
def check_googlenet_same_function(googlenet):
    assert_same_net(googlenet(), ref("googlenet.googlenet")(), image((1, 1, 96, 96), 1), what="googlenet()")


# §7.5 batch normalization -----------------------------------------------------------------------

def bn_args(seed, num_dims=4):
    """(X, gamma, beta, moving_mean, moving_var, eps, momentum), 2-D (8, 5) or 4-D (6, 3, 4, 5)."""
    X = randn((8, 5) if num_dims == 2 else (6, 3, 4, 5), seed, scale=2) + 1
    shape = (1, 5) if num_dims == 2 else (1, 3, 1, 1)
    return (X, randn(shape, seed + 1), randn(shape, seed + 2), randn(shape, seed + 3),
            uniform(shape, seed + 4, low=0.5, high=2.0), 1e-5, 0.9)


@check("batch_norm.batch_norm", points=3)
def check_batch_norm_training_matches_reference(batch_norm):
    for num_dims in (2, 4):
        assert_matches_reference(batch_norm, ref("batch_norm.batch_norm"), functools.partial(bn_args, num_dims=num_dims),
                                 what=f"batch_norm in training mode ({num_dims}-D input)", seeds=SEEDS,
                                 hint="statistics over axis 0 (2-D) or axes 0, 2, 3 (4-D), biased variance; "
                                      "moving = momentum * moving + (1 - momentum) * batch statistic")
        assert_gradients_match(lambda *a: batch_norm(*a)[0], lambda *a: ref("batch_norm.batch_norm")(*a)[0],
                               bn_args(0, num_dims), wrt=(0, 1, 2), what=f"Y of batch_norm ({num_dims}-D input)")


@check("batch_norm.batch_norm", points=2)
def check_batch_norm_inference_mode(batch_norm):
    def under_no_grad(fn):
        def run(*args):
            with torch.no_grad():
                return fn(*args)
        return run
    for num_dims in (2, 4):
        assert_matches_reference(under_no_grad(batch_norm), under_no_grad(ref("batch_norm.batch_norm")),
                                 functools.partial(bn_args, num_dims=num_dims),
                                 what=f"batch_norm under torch.no_grad() ({num_dims}-D input)", seeds=SEEDS,
                                 hint="inference (torch.is_grad_enabled() is False): normalize with moving_mean and "
                                      "moving_var, and return them unchanged")


@check("batch_norm.batch_norm", points=2)
def check_batch_norm_against_pytorch(batch_norm):
    """PyTorch's F.batch_norm: same Y; its momentum is 1 - the book's; its running_var uses the unbiased variance."""
    for num_dims in (2, 4):
        X, gamma, beta, mean, var, eps, momentum = bn_args(1, num_dims)
        n = X.numel() // X.shape[1]
        running_mean, running_var = mean.reshape(-1).clone(), var.reshape(-1).clone()
        expected = F.batch_norm(X, running_mean, running_var, gamma.reshape(-1), beta.reshape(-1), training=True,
                                momentum=1 - momentum, eps=eps)
        Y, new_mean, new_var = batch_norm(X, gamma, beta, mean, var, eps, momentum)
        what = f"batch_norm in training mode ({num_dims}-D, X {tuple(X.shape)}) against F.batch_norm"
        assert_close(Y, expected.reshape(Y.shape), what=f"Y of {what}")
        assert_close(new_mean.reshape(-1), running_mean, what=f"moving_mean of {what} (PyTorch momentum 0.1)")
        batch_unbiased = (running_var - momentum * var.reshape(-1)) / (1 - momentum)
        assert_close(new_var.reshape(-1), momentum * var.reshape(-1) + (1 - momentum) * batch_unbiased * (n - 1) / n,
                     what=f"moving_var of {what} (PyTorch's running_var with its unbiased variance made biased)",
                     hint="the book uses the biased variance ((X - mean) ** 2).mean(), not X.var()")
        with torch.no_grad():
            Y = batch_norm(X, gamma, beta, mean, var, eps, momentum)[0]
        expected = F.batch_norm(X, mean.reshape(-1), var.reshape(-1), gamma.reshape(-1), beta.reshape(-1),
                                training=False, eps=eps)
        assert_close(Y, expected.reshape(Y.shape), what=f"Y of batch_norm under torch.no_grad() ({num_dims}-D) "
                                                        "against F.batch_norm(training=False)")


@check("batch_norm.batch_norm")
def check_batch_norm_detached_statistics(batch_norm):
    X, gamma, beta, mean, var, eps, momentum = bn_args(2)
    Y, new_mean, new_var = batch_norm(X.requires_grad_(), gamma.requires_grad_(), beta, mean, var, eps, momentum)
    assert Y.requires_grad, "Y must stay in the autograd graph (gradients flow to X, gamma and beta)"
    assert not new_mean.requires_grad and not new_var.requires_grad, \
        ("the moving statistics batch_norm returns should be detached (the book returns moving_mean.data): "
         "otherwise every batch's graph stays alive through them")


@check("batch_norm.batch_norm")
def check_batch_norm_no_builtin(batch_norm):
    assert_no_forbidden_calls(batch_norm, *bn_args(3), forbidden=BATCH_NORM_FUNCS, what="batch_norm")


def bn_speed_args(device):
    shape = (1, 512, 1, 1)
    return (randn((32, 512, 4, 4), 0, device=device), randn(shape, 1, device=device), randn(shape, 2, device=device),
            randn(shape, 3, device=device), uniform(shape, 4, low=0.5, high=2.0, device=device), 1e-5, 0.9)


def builtin_batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    """F.batch_norm in training mode (running statistics updated in place, PyTorch's conventions)."""
    return F.batch_norm(X, moving_mean.reshape(-1).clone(), moving_var.reshape(-1).clone(), gamma.reshape(-1),
                        beta.reshape(-1), training=True, momentum=1 - momentum, eps=eps)


speed_check("batch_norm.batch_norm", bn_speed_args, builtin=builtin_batch_norm, limit=15,
            hint="no Python loop over the 512 channels: reduce over the axes (0, 2, 3) with keepdim=True and "
                 "let broadcasting do the rest")


@check("batch_norm.BatchNorm", points=2)
def check_BatchNorm_updates_and_inference(BatchNorm, device):
    reference_bn = ref("batch_norm.batch_norm")
    for num_dims, shape in ((4, (6, 3, 4, 5)), (2, (8, 3))):
        layer = BatchNorm(3, num_dims).to(device)
        moving = (torch.zeros((1, 3) + (1, 1) * (num_dims == 4)), torch.ones((1, 3) + (1, 1) * (num_dims == 4)))
        for step in range(2):
            X = randn(shape, step, scale=2, device=device) + 1
            Y = layer(X)
            expected, *moving = reference_bn(X.cpu(), layer.gamma.detach().cpu(), layer.beta.detach().cpu(),
                                             *moving, eps=1e-5, momentum=0.9)
            what = f"BatchNorm(3, {num_dims}) in training mode, call {step + 1} on X {shape} ({device})"
            assert_close(Y.detach().cpu(), expected, what=f"the output of {what}")
            for got, exp, name in zip((layer.moving_mean, layer.moving_var), moving, ("moving_mean", "moving_var")):
                assert_close(torch.as_tensor(got).detach().cpu(), exp, what=f"{name} after {what}",
                             hint="keep the updated statistics batch_norm returns (eps 1e-5, momentum 0.9)")
        with torch.no_grad():
            X = randn(shape, 9, device=device)
            expected = reference_bn(X.cpu(), layer.gamma.detach().cpu(), layer.beta.detach().cpu(), *moving,
                                    eps=1e-5, momentum=0.9)[0]
            assert_close(layer(X).cpu(), expected, what=f"BatchNorm(3, {num_dims}) under torch.no_grad() ({device})",
                         hint="inference uses the moving statistics")


@check("batch_norm.BatchNorm")
def check_BatchNorm_matches_nn_batchnorm(BatchNorm):
    layer, builtin = BatchNorm(4, 4), nn.BatchNorm2d(4)
    X = randn((5, 4, 3, 3), 0, scale=3)
    assert_close(layer(X).detach(), builtin(X).detach(), what="BatchNorm(4, 4) in training mode against nn.BatchNorm2d(4)",
                 hint="same normalization as PyTorch: batch statistics, biased variance, eps 1e-5")


@check("batch_norm.lenet_bn", points=2)
def check_lenet_bn_same_function(lenet_bn):
    assert_same_net(lenet_bn(), ref("batch_norm.lenet_bn")(), randn((4, 1, 28, 28), 0), what="lenet_bn()")
    net, reference_net = lenet_bn(), ref("batch_norm.lenet_bn")()
    load_weights_in_order(net, reference_net, what="lenet_bn()")
    X = randn((6, 1, 28, 28), 1)
    assert_close(net(X).detach(), reference_net(X).detach(), what="lenet_bn() in training mode (batch statistics)",
                 hint="BatchNorm goes between each convolution or linear layer and its sigmoid")


BN_BUDGET = ("2 epochs on the first 10,000 training images (batch 128, lr 0.9, the reference train_ch6), "
             "tested on the first 2,000 test images")


def lenet_history(make_net, device):
    torch.manual_seed(0)
    return reference("ch6.lenet.train_ch6")(make_net(), *fashion_mnist_subset_iters(128, limit=10000), 2, 0.9, device)


@functools.lru_cache(maxsize=2)
def plain_lenet_accuracy(device):
    """What the reference LeNet without batch normalization reaches on the same budget (once per process)."""
    return lenet_history(reference("ch6.lenet.lenet"), device)[-1][2]


@check("batch_norm.lenet_bn", points=3, kind="accuracy")
def check_lenet_bn_learns_faster(lenet_bn, device):
    result = train_to_threshold(lambda: lenet_history(lenet_bn, device), metric=lambda h: h[-1][2], threshold=0.5,
                                reference_value=0.628, budget=BN_BUDGET,
                                what="test accuracy of lenet_bn() with your BatchNorm")
    plain = plain_lenet_accuracy(device)
    assert result.value >= plain + 0.2, \
        (f"with your BatchNorm LeNet reached {result.value:.3f} after {BN_BUDGET}; without batch normalization it "
         f"reaches {plain:.3f}: batch normalization should be ahead by at least 0.2 on this budget")


# §7.6 ResNet ------------------------------------------------------------------------------------

RESIDUAL_CONFIGS = ((3, 3, False, 1), (3, 6, True, 2), (4, 4, True, 1))


@check("resnet.Residual", points=2)
def check_Residual_same_function(Residual):
    for args in RESIDUAL_CONFIGS:
        assert_same_net(Residual(*args), ref("resnet.Residual")(*args), image((4, args[0], 6, 6), 1),
                        what=f"Residual{args} in training mode", train=True)


def tiny_resnet(Residual):
    """A small ResNet from the student's Residual: 16 then 32 channels, for 16×16 images."""
    return nn.Sequential(nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                         Residual(16, 16), Residual(16, 32, use_1x1conv=True, strides=2),
                         nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(32, 10))


RESNET_BUDGET = ("3 epochs on the first 3,000 training images resized to 16×16 (batch 32, lr 0.05, the reference "
                 "train_ch6), tested on the first 2,000 test images")


def tiny_resnet_history(Residual, device):
    torch.manual_seed(0)
    return reference("ch6.lenet.train_ch6")(tiny_resnet(Residual), *fashion_mnist_subset_iters(32, limit=3000, resize=16),
                                            3, 0.05, device)


@check("resnet.Residual", points=3, kind="accuracy")
def check_Residual_tiny_resnet_reaches_threshold(Residual, device):
    train_to_threshold(lambda: tiny_resnet_history(Residual, device), metric=lambda h: h[-1][2], threshold=0.5,
                       reference_value=0.67, budget=RESNET_BUDGET,
                       what="test accuracy of a small ResNet built from your Residual")


@check("resnet.resnet_block", points=2)
def check_resnet_block_same_function(resnet_block):
    for args, kwargs in (((4, 8, 2), {}), ((4, 4, 2), {"first_block": True}), ((3, 6, 1), {})):
        blocks = resnet_block(*args, **kwargs)
        assert isinstance(blocks, list), f"resnet_block should return a list, got {type_name(blocks)}"
        assert_same_net(nn.Sequential(*blocks), nn.Sequential(*ref("resnet.resnet_block")(*args, **kwargs)),
                        image((2, args[0], 8, 8), 1), what=f"nn.Sequential(*resnet_block{args}, {kwargs})", train=True)


@check("resnet.resnet18", points=2)
def check_resnet18_same_function(resnet18):
    assert_same_net(resnet18(), ref("resnet.resnet18")(), image((2, 1, 64, 64), 1), what="resnet18() in training mode",
                    train=True)


# §7.7 DenseNet ----------------------------------------------------------------------------------

@check("densenet.conv_block", points=2)
def check_conv_block_same_function(conv_block):
    assert_same_net(conv_block(3, 5), ref("densenet.conv_block")(3, 5), image((4, 3, 6, 6), 1),
                    what="conv_block(3, 5) in training mode", train=True)


@check("densenet.DenseBlock", points=2)
def check_DenseBlock_same_function(DenseBlock):
    for args in ((2, 3, 4), (3, 2, 5)):
        assert_same_net(DenseBlock(*args), ref("densenet.DenseBlock")(*args), image((2, args[1], 6, 6), 1),
                        what=f"DenseBlock{args} in training mode", train=True)


@check("densenet.transition_block", points=2)
def check_transition_block_same_function(transition_block):
    assert_same_net(transition_block(6, 3), ref("densenet.transition_block")(6, 3), image((2, 6, 8, 8), 1),
                    what="transition_block(6, 3) in training mode", train=True)


@check("densenet.densenet", points=2)
def check_densenet_same_function(densenet):
    assert_same_net(densenet(), ref("densenet.densenet")(), image((2, 1, 64, 64), 1), what="densenet() in training mode",
                    train=True)
