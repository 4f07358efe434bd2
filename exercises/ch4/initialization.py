"""§4.8 数值稳定性和模型初始化 (d2l.ai §5.4 Numerical Stability and Initialization)."""
import math
import torch


def xavier_uniform_(tensor, gain=1.0):
    """Xavier initialisation from scratch (§4.8.2), in place: fill ``tensor`` from U(-a, a), return it.

    ``a = gain * sqrt(6 / (fan_in + fan_out))``, so that the variance
    ``a² / 3 = gain² * 2 / (fan_in + fan_out)``. For a weight of shape
    ``(out, in, *kernel)`` (``nn.Linear``: ``(out, in)``; ``nn.Conv2d``:
    ``(out, in, kh, kw)``) ``fan_in = in * prod(kernel)`` and
    ``fan_out = out * prod(kernel)`` -- the semantics of
    ``nn.init.xavier_uniform_``, which you may not call (nor other ``nn.init``
    functions). At least 2 dimensions (else ``ValueError``); the values are
    drawn with torch's global generator (``tensor.uniform_``) and no gradient is
    recorded, so an ``nn.Parameter`` can be filled and stays a leaf.
    """
    raise NotImplementedError("xavier_uniform_ (§4.8.2)")
