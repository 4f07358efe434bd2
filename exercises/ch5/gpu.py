"""§5.6 GPU (d2l.ai §6.7 GPUs)."""
import torch


def try_gpu(i=0):
    """``torch.device(f'cuda:{i}')`` if GPU ``i`` exists, else ``torch.device('cpu')`` (§5.6.1).

    Count the GPUs with ``torch.cuda.device_count()``; always return a
    ``torch.device``, never a string.
    """
    raise NotImplementedError("try_gpu (§5.6.1)")


def try_all_gpus():
    """Every GPU as a list ``[cuda:0, cuda:1, ...]`` of ``torch.device``, or ``[torch.device('cpu')]``
    when there is none (§5.6.1); count them with ``torch.cuda.device_count()``."""
    raise NotImplementedError("try_all_gpus (§5.6.1)")
