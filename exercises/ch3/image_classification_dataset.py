"""§3.5 图像分类数据集 (d2l.ai §4.2 The Image Classification Dataset)."""
import torch
import torch.nn.functional as F
from torch.utils import data
from d2lkit import read_fashion_mnist


def get_fashion_mnist_labels(labels):
    """The text labels of numeric Fashion-MNIST labels (§3.5.1): a list of str."""
    raise NotImplementedError("get_fashion_mnist_labels (§3.5.1)")


def load_data_fashion_mnist(batch_size, resize=None):
    """Fashion-MNIST minibatch iterators ``(train_iter, test_iter)`` (§3.5.3).

    Each yields ``(X, y)``: ``X`` float32 ``(B, 1, H, W)`` in [0, 1] (H = W = 28,
    or ``resize``), ``y`` int64 ``(B,)``. The training set (60,000) is reshuffled
    every pass, the test set (10,000) keeps its order.
    """
    raise NotImplementedError("load_data_fashion_mnist (§3.5.3)")
