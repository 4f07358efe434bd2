"""§3.3 线性回归的简洁实现 (d2l.ai §3.5 Concise Implementation of Linear Regression)."""
from torch import nn
from torch.utils import data


def load_array(data_arrays, batch_size, is_train=True):
    """A ``DataLoader`` over the tensors ``data_arrays`` (§3.3.2), shuffled only when ``is_train``."""
    raise NotImplementedError("load_array (§3.3.2)")


def linear_net(num_inputs):
    """``nn.Sequential(nn.Linear(num_inputs, 1))`` with weights from N(0, 0.01²) and zero bias (§3.3.3-4)."""
    raise NotImplementedError("linear_net (§3.3.3)")
