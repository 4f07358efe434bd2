"""Chapter 6, 卷积神经网络 (Convolutional Neural Networks)."""

# The exercises of this chapter, in book order: module.name -> zh.d2l.ai section.
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks) is derived from here.
EXERCISES = {
    "conv_layer.corr2d": "6.2.1",
    "conv_layer.Conv2D": "6.2.2",
    "padding_stride.comp_conv2d": "6.3.1",
    "padding_stride.conv_output_shape": "6.3.2",
    "channels.corr2d_multi_in": "6.4.1",
    "channels.corr2d_multi_in_out": "6.4.2",
    "channels.corr2d_multi_in_out_1x1": "6.4.3",
    "pooling.pool2d": "6.5.1",
    "pooling.pooling_layer": "6.5.2",
    "lenet.lenet": "6.6.1",
    "lenet.evaluate_accuracy_gpu": "6.6.2",
    "lenet.train_ch6": "6.6.2",
}
