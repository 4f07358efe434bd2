"""Chapter 7, 现代卷积神经网络 (Modern Convolutional Neural Networks)."""

# The exercises of this chapter, in book order: module.name -> zh.d2l.ai section.
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks) is derived from here.
EXERCISES = {
    "alexnet.alexnet": "7.1.2",
    "vgg.vgg_block": "7.2.1",
    "vgg.vgg_net": "7.2.2",
    "nin.nin_block": "7.3.1",
    "nin.nin_net": "7.3.2",
    "googlenet.Inception": "7.4.1",
    "googlenet.googlenet": "7.4.2",
    "batch_norm.batch_norm": "7.5.3",
    "batch_norm.BatchNorm": "7.5.3",
    "batch_norm.lenet_bn": "7.5.4",
    "resnet.Residual": "7.6.2",
    "resnet.resnet_block": "7.6.3",
    "resnet.resnet18": "7.6.3",
    "densenet.conv_block": "7.7.2",
    "densenet.DenseBlock": "7.7.2",
    "densenet.transition_block": "7.7.3",
    "densenet.densenet": "7.7.4",
}
