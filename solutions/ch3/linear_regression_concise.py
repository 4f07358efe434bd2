"""§3.3 线性回归的简洁实现 (d2l.ai §3.5 Concise Implementation of Linear Regression)."""
from torch import nn
from torch.utils import data


def load_array(data_arrays, batch_size, is_train=True):
    """A ``torch.utils.data.DataLoader`` over the tensors ``data_arrays`` (§3.3.2).

    Each batch holds one tensor per array: the same ``batch_size`` rows of each
    (the last batch holds the rest). With ``is_train`` the examples are
    shuffled, in a new order on every pass; otherwise they keep their stored order.
    """
    return data.DataLoader(data.TensorDataset(*data_arrays), batch_size, shuffle=is_train)


def linear_net(num_inputs):
    """``nn.Sequential(nn.Linear(num_inputs, 1))`` with weights from N(0, 0.01²) and zero bias (§3.3.3-4).

    The weights are drawn from torch's global random generator right after the layer
    is made, as ``nn.init.normal_`` draws them: under a seed, the book's numbers.
    """
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    nn.init.normal_(net[0].weight, 0, 0.01)
    nn.init.zeros_(net[0].bias)
    return net
