"""Chapter 5 as the book writes it (zh.d2l.ai §5.1-5.6): our own code, in the book's style.

The book writes most of this chapter as notebook cells (``chimera = nn.Sequential(...)``, ``torch.save(x,
'x-file')``, ``clone.load_state_dict(torch.load('mlp.params')); clone.eval()``); here each cell is the body
of the exercise's function, with the book's habits kept: ``type(m) == nn.Linear``, ``.data`` in the
forward pass and in the mask, ``print`` in ``my_init``, a plain tensor attribute for ``rand_weight``,
``X /= 2`` in place, ``torch.load`` without ``map_location``.
"""
from book import BookAnswer

ANSWERS = [
    BookAnswer("layers_and_blocks.MySequential", """
        class MySequential(nn.Module):
            def __init__(self, *args):
                super().__init__()
                for idx, module in enumerate(args):
                    # module is an instance of a Module subclass; _modules is an OrderedDict
                    self._modules[str(idx)] = module

            def forward(self, X):
                # an OrderedDict visits its members in the order they were added
                for block in self._modules.values():
                    X = block(X)
                return X
        """),
    BookAnswer("layers_and_blocks.FixedHiddenMLP", """
        class FixedHiddenMLP(nn.Module):
            def __init__(self):
                super().__init__()
                # a constant weight: no gradient, fixed during training
                self.rand_weight = torch.rand((20, 20), requires_grad=False)
                self.linear = nn.Linear(20, 20)

            def forward(self, X):
                X = self.linear(X)
                # the constant parameter, relu and mm
                X = F.relu(torch.mm(X, self.rand_weight) + 1)
                # reuse the fully connected layer: parameters shared by two layers
                X = self.linear(X)
                # control flow
                while X.abs().sum() > 1:
                    X /= 2
                return X.sum()
        """, deviations="buffer",
        why="the book keeps rand_weight as a plain tensor attribute: it is not in state_dict and .to(device) or "
            ".to(dtype) does not move it (a float64 or GPU copy of the block then fails)"),
    BookAnswer("parameters.init_normal", """
        def init_normal(m):
            if type(m) == nn.Linear:
                nn.init.normal_(m.weight, mean=0, std=0.01)
                nn.init.zeros_(m.bias)
        """),
    BookAnswer("parameters.init_constant", """
        def init_constant(m):
            if type(m) == nn.Linear:
                nn.init.constant_(m.weight, 1)
                nn.init.zeros_(m.bias)
        """),
    BookAnswer("parameters.my_init", """
        def my_init(m):
            if type(m) == nn.Linear:
                print("Init", *[(name, param.shape)
                                for name, param in m.named_parameters()][0])
                nn.init.uniform_(m.weight, -10, 10)
                m.weight.data *= m.weight.data.abs() >= 5
        """, deviations="silent",
        why="the book prints the name and shape of each layer it initialises (\"Init weight torch.Size([8, 4])\")"),
    BookAnswer("parameters.tied_net", """
        def tied_net():
            # a name for the shared layer, so that its parameters can be referred to
            shared = nn.Linear(8, 8)
            net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                                shared, nn.ReLU(),
                                shared, nn.ReLU(),
                                nn.Linear(8, 1))
            return net
        """),
    BookAnswer("custom_layers.MyLinear", """
        class MyLinear(nn.Module):
            def __init__(self, in_units, units):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(in_units, units))
                self.bias = nn.Parameter(torch.randn(units,))

            def forward(self, X):
                linear = torch.matmul(X, self.weight.data) + self.bias.data
                return F.relu(linear)
        """, deviations="gradients",
        why="the book's forward uses weight.data and bias.data: the output is detached from the parameters, so no "
            "gradient reaches them and the layer never learns"),
    BookAnswer("file_io.load_tensors", """
        def load_tensors(path, device="cpu"):
            return torch.load(path)
        """, deviations="on_device",
        why="the book loads with torch.load(path) alone: the tensors land where they were saved, not on device "
            "(no map_location); with torch >= 2.6 torch.load defaults to weights_only=True, so it is safe"),
    BookAnswer("file_io.load_params", """
        def load_params(net, path):
            net.load_state_dict(torch.load(path))
            return net.eval()
        """, deviations="gpu_file_on_cpu",
        why="the book's clone.load_state_dict(torch.load('mlp.params')) has no map_location: a file saved on a GPU "
            "does not load on a CPU-only machine"),
]

NO_BOOK_CODE = {}

# The book's code for these is the reference's, line for line (docstrings and comments aside): the
# references' own runs show that it gets full marks.
BOOK_IS_REFERENCE = (
    "layers_and_blocks.MLP",
    "layers_and_blocks.NestMLP",
    "layers_and_blocks.chimera",
    "custom_layers.CenteredLayer",
    "file_io.save_tensors",
    "file_io.save_params",
    "gpu.try_gpu",
    "gpu.try_all_gpus",
)
