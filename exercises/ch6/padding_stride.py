"""§6.3 填充和步幅 (d2l.ai §7.3 Padding and Stride)."""
from torch.nn.modules.utils import _pair


def comp_conv2d(conv2d, X):
    """Apply the layer ``conv2d`` to the 2-D ``X`` (§6.3.1) and return a 2-D result.

    ``X`` of shape ``(n_h, n_w)`` gets batch and channel axes of size 1 in front
    (``(1, 1, n_h, n_w)``), goes through ``conv2d`` (an ``nn.Conv2d`` with one input
    and one output channel), and the two leading axes are dropped again.
    """
    raise NotImplementedError("comp_conv2d (§6.3.1)")


def conv_output_shape(input_shape, kernel_size, padding=0, stride=1):
    """The ``(height, width)`` that ``nn.Conv2d`` produces (§6.3.2), from the formula: a tuple of two Python ints.

    ``input_shape``: ``(n_h, n_w)``; ``kernel_size``, ``padding`` and ``stride``: an
    int or an ``(h, w)`` pair, with ``padding`` counted on each side as
    ``nn.Conv2d`` does (the book's total padding ``p_h`` is twice this). Each
    size is ``floor((n - k + 2p + s) / s)``, i.e. ``(n - k + 2p) // s + 1``.
    Pure arithmetic: do not build a layer or a tensor.
    """
    raise NotImplementedError("conv_output_shape (§6.3.2)")
