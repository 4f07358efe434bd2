"""§3.5 图像分类数据集 (d2l.ai §4.2 The Image Classification Dataset)."""
import torch
import torch.nn.functional as F
from torch.utils import data
from d2lkit import read_fashion_mnist


def get_fashion_mnist_labels(labels):
    """The text labels of numeric Fashion-MNIST labels (§3.5.1): a list of str.

    ``labels`` is a tensor or a list of ints; label ``i`` names class ``i`` of the book's
    list (0 't-shirt', 1 'trouser', 2 'pullover', ..., 9 'ankle boot').
    """
    raise NotImplementedError("get_fashion_mnist_labels (§3.5.1)")


def load_data_fashion_mnist(batch_size, resize=None):
    """Fashion-MNIST minibatch iterators ``(train_iter, test_iter)`` (§3.5.3).

    Each yields ``(X, y)``: ``X`` float32 ``(B, 1, H, W)``, the images' pixels / 255
    (in [0, 1]; H = W = 28), ``y`` int64 ``(B,)``, their labels. With ``resize``, the
    images are resized to ``resize × resize`` bilinearly with antialiasing, as the
    book's ``transforms.Resize`` does (to within one grey level, 1/255). A pass
    yields every example once: the 60,000 training examples, reshuffled on every
    pass, and the 10,000 test examples in their stored order.
    """
    raise NotImplementedError("load_data_fashion_mnist (§3.5.3)")
