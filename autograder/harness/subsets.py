"""Fixed Fashion-MNIST subsets for training on a budget (the graders' accuracy checks use them)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from d2lkit.data import fashion_mnist_tensors
from d2lkit.training import TensorBatches


def fashion_mnist_subset_iters(batch_size, limit, test_limit=2000, resize=None, seed=0):
    """``(train_iter, test_iter)`` over the first ``limit`` training and ``test_limit`` test images.

    Images are float32 ``(B, 1, 28, 28)`` in [0, 1], or ``resize × resize`` (bilinear,
    antialiased). The training batches are reshuffled each pass from a generator
    seeded with ``seed``; the test batches (of 1,000) keep their order.
    """
    X, y = fashion_mnist_tensors(True, limit=limit)
    X_test, y_test = fashion_mnist_tensors(False, limit=test_limit)
    if resize:
        X, X_test = (F.interpolate(images, size=(resize, resize), mode="bilinear", antialias=True)
                     for images in (X, X_test))
    return (TensorBatches((X, y), batch_size, generator=torch.Generator().manual_seed(seed)),
            TensorBatches((X_test, y_test), 1000, shuffle=False))
