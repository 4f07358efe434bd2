"""§5.5 读写文件 (d2l.ai §6.6 File I/O)."""
import torch


def save_tensors(obj, path):
    """Save a tensor, a list of tensors or a dict of tensors to ``path`` with ``torch.save`` (§5.5.1).

    ``path`` is a ``str`` or a ``pathlib.Path``; the file is written at exactly that
    path (no suffix added), and ``torch.load(path, weights_only=True)`` gives ``obj`` back.
    """
    raise NotImplementedError("save_tensors (§5.5.1)")


def load_tensors(path, device="cpu"):
    """Load what ``save_tensors`` wrote (§5.5.1), with every tensor on ``device``.

    Load safely: ``torch.load(..., weights_only=True)``, so a file that holds
    anything but tensors and plain containers (a pickled module, a custom
    class) is refused with an error instead of running its code. Use
    ``map_location`` to put the tensors on ``device``.
    """
    raise NotImplementedError("load_tensors (§5.5.1)")


def save_params(net, path):
    """Save the parameters of ``net`` (§5.5.2): its ``state_dict()``, not the module object, to ``path``.

    The file then loads with ``torch.load(path, weights_only=True)`` and holds every
    parameter and buffer of ``net`` under its ``state_dict`` key.
    """
    raise NotImplementedError("save_params (§5.5.2)")


def load_params(net, path):
    """Load parameters saved by ``save_params`` into ``net`` (a fresh model of the same class) (§5.5.2).

    Load with ``weights_only=True`` (a file holding code is refused with an error,
    its code never run) and ``map_location`` on the device of ``net``'s parameters
    (a file saved on a GPU loads on a CPU-only machine); every key must match
    (strict loading: a missing or unexpected key is an error). Put ``net`` in eval
    mode and return ``net`` itself.
    """
    raise NotImplementedError("load_params (§5.5.2)")
