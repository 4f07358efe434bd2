"""§3.5 图像分类数据集 (d2l.ai §4.2 The Image Classification Dataset)."""
import torch
import torch.nn.functional as F
from torch.utils import data

from d2lkit import read_fashion_mnist

TEXT_LABELS = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
               'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']


def get_fashion_mnist_labels(labels):
    """The text labels of numeric Fashion-MNIST labels (§3.5.1): a list of str.

    ``labels`` is a tensor or a list of ints; label ``i`` names class ``i`` of the book's
    list (0 't-shirt', 1 'trouser', 2 'pullover', ..., 9 'ankle boot').
    """
    return [TEXT_LABELS[int(i)] for i in labels]


def _to_batch(resize):
    def collate(batch):
        images = torch.stack([img for img, _ in batch]).unsqueeze(1).float().div(255)
        if resize:
            images = F.interpolate(images, size=(resize, resize), mode="bilinear", antialias=True,
                                   align_corners=False)
        return images, torch.stack([label for _, label in batch])
    return collate


def load_data_fashion_mnist(batch_size, resize=None):
    """Fashion-MNIST minibatch iterators ``(train_iter, test_iter)`` (§3.5.3).

    Each yields ``(X, y)``: ``X`` float32 ``(B, 1, H, W)``, the images' pixels / 255
    (in [0, 1]; H = W = 28), ``y`` int64 ``(B,)``, their labels. With ``resize``, the
    images are resized to ``resize × resize`` bilinearly with antialiasing, as the
    book's ``transforms.Resize`` does (to within one grey level, 1/255). A pass
    yields every example once: the 60,000 training examples, reshuffled on every
    pass, and the 10,000 test examples in their stored order.
    """
    loaders = []
    for train in (True, False):
        images, labels = read_fashion_mnist(train)
        loaders.append(data.DataLoader(data.TensorDataset(images, labels), batch_size, shuffle=train,
                                       collate_fn=_to_batch(resize)))
    return tuple(loaders)
