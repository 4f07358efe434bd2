"""Chapter 5: realistic wrong implementations, and the checks that must catch them.

A bug with ``clause=`` breaks exactly that clause of the exercise's contract (solutions/ch5/__init__.py):
the checks that fail on it are exactly that clause's checks.
"""
from catalog import Bug

# lines of the references that many bugs edit (solutions/ch5/layers_and_blocks.py, custom_layers.py)
MLP_LAYERS = "self.hidden = nn.Linear(20, 256)\n        self.output = nn.Linear(256, 10)"
MLP_FORWARD = "return self.output(F.relu(self.hidden(X)))"
SEQ_REGISTER = "for idx, module in enumerate(args):\n            self.add_module(str(idx), module)"
SEQ_FORWARD = "for block in self.children():\n            X = block(X)\n        return X"
RAND_WEIGHT = 'self.register_buffer("rand_weight", torch.rand((20, 20)))'
NEST_NET = "self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())"
NEST_LINEAR = "self.linear = nn.Linear(32, 16)"
NEST_FORWARD = "return self.linear(self.net(X))"
LINEAR_FORWARD = "return F.relu(X @ self.weight + self.bias)"

BUGS = [
    # §5.1 layers and blocks
    Bug("layers_and_blocks.MLP", "ReLU forgotten", replace=[(MLP_FORWARD, "return self.output(self.hidden(X))")],
        caught_by=("same_function", "names")),
    Bug("layers_and_blocks.MLP", "hidden layer of 128 units", replace=[
        (MLP_LAYERS, "self.hidden = nn.Linear(20, 128)\n        self.output = nn.Linear(128, 10)")],
        caught_by=("book_example", "same_function"), clause="values"),
    Bug("layers_and_blocks.MLP", "layers given other names than hidden and output", replace=[
        (MLP_LAYERS, "self.fc1 = nn.Linear(20, 256)\n        self.fc2 = nn.Linear(256, 10)"),
        (MLP_FORWARD, "return self.fc2(F.relu(self.fc1(X)))")],
        caught_by="names", clause="names"),
    Bug("layers_and_blocks.MLP", "output layer created before the hidden one", caught_by="initial_parameters",
        clause="init", replace=[(MLP_LAYERS, "self.output = nn.Linear(256, 10)\n"
                                             "        self.hidden = nn.Linear(20, 256)")]),
    Bug("layers_and_blocks.MLP", "biases initialised to zero", replace=[
        (MLP_LAYERS, MLP_LAYERS + "\n        nn.init.zeros_(self.hidden.bias)"
                                  "\n        nn.init.zeros_(self.output.bias)")],
        caught_by="initial_parameters", clause="init"),
    Bug("layers_and_blocks.MySequential", "blocks kept in a plain Python list", replace=[
        (SEQ_REGISTER, "self.blocks = list(args)"), ("for block in self.children():", "for block in self.blocks:")],
        caught_by=("book_parameters", "registers_in_order", "reaches_blocks")),
    Bug("layers_and_blocks.MySequential", "blocks applied in reverse order", replace=[
        ("for block in self.children():", "for block in reversed(list(self.children())):")],
        caught_by=("book_example", "same_function"), clause="values"),
    Bug("layers_and_blocks.MySequential", "only the last block applied", replace=[
        (SEQ_FORWARD, "return list(self.children())[-1](X)")],
        caught_by=("book_example", "same_function"), clause="values"),
    Bug("layers_and_blocks.MySequential", "blocks registered back to front (run by index, so the output is right)",
        replace=[(SEQ_REGISTER, "for idx in reversed(range(len(args))):\n"
                                "            self._modules[str(idx)] = args[idx]"),
                 ("for block in self.children():\n            X = block(X)",
                  "for idx in range(len(self._modules)):\n            X = self._modules[str(idx)](X)")],
        caught_by=("book_parameters", "registers_in_order"), clause="registers"),
    Bug("layers_and_blocks.MySequential", "copies of the blocks registered (to be safe)", replace=[
        ("import torch\n", "import copy\nimport torch\n"),
        ("self.add_module(str(idx), module)", "self.add_module(str(idx), copy.deepcopy(module))")],
        caught_by="reaches_blocks", clause="reaches"),
    Bug("layers_and_blocks.FixedHiddenMLP", "rand_weight a plain attribute, as in the book", caught_by="buffer",
        clause="buffer", replace=[(RAND_WEIGHT, "self.rand_weight = torch.rand((20, 20), requires_grad=False)")]),
    Bug("layers_and_blocks.FixedHiddenMLP", "rand_weight a trainable nn.Parameter", caught_by="buffer", clause="buffer",
        replace=[(RAND_WEIGHT, "self.rand_weight = nn.Parameter(torch.rand((20, 20)))")]),
    Bug("layers_and_blocks.FixedHiddenMLP", "the halving loop forgotten", replace=[
        ("        while X.abs().sum() > 1:\n            X = X / 2\n", "")],
        caught_by="same_function"),
    Bug("layers_and_blocks.FixedHiddenMLP", "returns X instead of X.sum()", replace=[("return X.sum()", "return X")],
        caught_by=("book_example", "same_function"), clause="values"),
    Bug("layers_and_blocks.FixedHiddenMLP", "two different Linear layers instead of one used twice", replace=[
        ("self.linear = nn.Linear(20, 20)",
         "self.linear = nn.Linear(20, 20)\n        self.linear2 = nn.Linear(20, 20)"),
        ("X = F.relu(X @ self.rand_weight + 1)\n        X = self.linear(X)",
         "X = F.relu(X @ self.rand_weight + 1)\n        X = self.linear2(X)")],
        caught_by="same_function"),
    Bug("layers_and_blocks.FixedHiddenMLP", "rand_weight from N(0, 1) (torch.randn) instead of U(0, 1)", replace=[
        (RAND_WEIGHT, 'self.register_buffer("rand_weight", torch.randn((20, 20)))')],
        caught_by="initial_values", clause="init"),
    Bug("layers_and_blocks.FixedHiddenMLP", "linear created before rand_weight is drawn", replace=[
        (f"{RAND_WEIGHT}\n        self.linear = nn.Linear(20, 20)",
         f"self.linear = nn.Linear(20, 20)\n        {RAND_WEIGHT}")],
        caught_by="initial_values", clause="init"),
    Bug("layers_and_blocks.NestMLP", "the inner ReLUs forgotten", replace=[
        (NEST_NET, "self.net = nn.Sequential(nn.Linear(20, 64), nn.Linear(64, 32))")],
        caught_by=("same_function", "names")),
    Bug("layers_and_blocks.NestMLP", "the final linear layer never applied", replace=[
        (NEST_FORWARD, "return self.net(X)")],
        caught_by=("book_example", "same_function"), clause="values"),
    Bug("layers_and_blocks.NestMLP", "the parts called body and head", replace=[
        ("self.net = nn.Sequential(", "self.body = nn.Sequential("), (NEST_LINEAR, "self.head = nn.Linear(32, 16)"),
        (NEST_FORWARD, "return self.head(self.body(X))")],
        caught_by="names", clause="names"),
    Bug("layers_and_blocks.NestMLP", "the output layer created before the inner Sequential", replace=[
        (f"{NEST_NET}\n        {NEST_LINEAR}", f"{NEST_LINEAR}\n        {NEST_NET}")],
        caught_by="initial_parameters", clause="init"),
    Bug("layers_and_blocks.chimera", "FixedHiddenMLP left out", """
        def chimera():
            return nn.Sequential(NestMLP(), nn.Linear(16, 20))
        """, caught_by=("book_example", "same_function", "uses_the_blocks"), clause="values"),
    Bug("layers_and_blocks.chimera", "a ReLU slipped in after the middle layer", """
        def chimera():
            return nn.Sequential(NestMLP(), nn.Linear(16, 20), nn.ReLU(), FixedHiddenMLP())
        """, caught_by=("book_example", "same_function", "uses_the_blocks"), clause="values"),
    Bug("layers_and_blocks.chimera", "NestMLP spelled out as an nn.Sequential of the same layers", """
        def chimera():
            nest = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 16))
            return nn.Sequential(nest, nn.Linear(16, 20), FixedHiddenMLP())
        """, caught_by=("book_example", "uses_the_blocks"), clause="uses"),
    # §5.2 parameter management
    Bug("parameters.init_normal", "std 1 instead of 0.01", """
        def init_normal(m):
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight)
                nn.init.zeros_(m.bias)
        """, caught_by=("book_example", "statistics", "draws"), clause="values"),
    Bug("parameters.init_normal", "every module with a weight re-initialised", """
        def init_normal(m):
            if hasattr(m, "weight"):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)
        """, caught_by="only_linear", clause="only_linear"),
    Bug("parameters.init_normal", "bias left as it was", """
        def init_normal(m):
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.01)
        """, caught_by=("book_example", "statistics"), clause="values"),
    Bug("parameters.init_normal", "weight drawn as (in, out) and transposed (the scratch chapters' layout)", """
        def init_normal(m):
            if isinstance(m, nn.Linear):
                m.weight.data = torch.normal(0, 0.01, size=(m.in_features, m.out_features)).T.contiguous()
                nn.init.zeros_(m.bias)
        """, caught_by="draws", clause="draws"),
    Bug("parameters.init_normal", "prints each layer it initialises", """
        def init_normal(m):
            if type(m) == nn.Linear:
                print("Init", m)
                nn.init.normal_(m.weight, mean=0, std=0.01)
                nn.init.zeros_(m.bias)
        """, caught_by="silent", clause="silent"),
    Bug("parameters.init_constant", "bias set to 1 as well", """
        def init_constant(m):
            if isinstance(m, nn.Linear):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 1)
        """, caught_by=("book_example", "every_linear", "only_linear"), clause="values"),
    Bug("parameters.init_constant", "applied to convolutions too", """
        def init_constant(m):
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.constant_(m.weight, 1)
                nn.init.zeros_(m.bias)
        """, caught_by="only_linear", clause="only_linear"),
    Bug("parameters.my_init", "keeps |w| < 5 and zeroes the rest (the mask inverted)", """
        def my_init(m):
            if isinstance(m, nn.Linear):
                nn.init.uniform_(m.weight, -10, 10)
                with torch.no_grad():
                    m.weight *= m.weight.abs() < 5
        """, caught_by=("book_example", "statistics", "draws"), clause="values"),
    Bug("parameters.my_init", "a new Parameter instead of changing the weight in place", """
        def my_init(m):
            if isinstance(m, nn.Linear):
                w = torch.empty_like(m.weight).uniform_(-10, 10)
                m.weight = nn.Parameter(w * (w.abs() >= 5))
        """, caught_by="in_place", clause="in_place"),
    Bug("parameters.my_init", "requires_grad switched off to mask in place, and never switched back on", """
        def my_init(m):
            if isinstance(m, nn.Linear):
                nn.init.uniform_(m.weight, -10, 10)
                m.weight.requires_grad_(False)
                m.weight *= m.weight.abs() >= 5
        """, caught_by="in_place", clause="in_place"),
    Bug("parameters.my_init", "U(-5, 5) ... then the mask keeps almost nothing", """
        def my_init(m):
            if isinstance(m, nn.Linear):
                nn.init.uniform_(m.weight, -5, 5)
                with torch.no_grad():
                    m.weight *= m.weight.abs() >= 5
        """, caught_by=("book_example", "statistics"), clause="values"),
    Bug("parameters.my_init", "the weight drawn as (in, out) and transposed", """
        def my_init(m):
            if isinstance(m, nn.Linear):
                w = torch.empty(m.in_features, m.out_features).uniform_(-10, 10).T
                with torch.no_grad():
                    m.weight.copy_(w * (w.abs() >= 5))
        """, caught_by="draws", clause="draws"),
    Bug("parameters.my_init", "every parameter of the layer drawn and masked, the bias too", """
        def my_init(m):
            if isinstance(m, nn.Linear):
                for p in m.parameters():
                    nn.init.uniform_(p, -10, 10)
                    p.data *= p.data.abs() >= 5
        """, caught_by="leaves_the_rest", clause="leaves_rest"),
    Bug("parameters.my_init", "prints the layer's name and shape, as the book does", """
        def my_init(m):
            if type(m) == nn.Linear:
                print("Init", *[(name, param.shape) for name, param in m.named_parameters()][0])
                nn.init.uniform_(m.weight, -10, 10)
                m.weight.data *= m.weight.data.abs() >= 5
        """, caught_by="silent", clause="silent"),
    Bug("parameters.tied_net", "two separate layers instead of one shared", """
        def tied_net():
            return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(),
                                 nn.Linear(8, 1))
        """, caught_by=("book_example", "shared_parameters", "gradients_accumulate"), clause="shared"),
    Bug("parameters.tied_net", "a copy of the shared layer (same start, separate parameters)", """
        import copy
        def tied_net():
            shared = nn.Linear(8, 8)
            return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), copy.deepcopy(shared), nn.ReLU(),
                                 nn.Linear(8, 1))
        """, caught_by=("book_example", "shared_parameters", "gradients_accumulate"), clause="shared"),
    Bug("parameters.tied_net", "the last ReLU left out", """
        def tied_net():
            shared = nn.Linear(8, 8)
            return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.Linear(8, 1))
        """, caught_by="same_function", clause="values"),
    # §5.4 custom layers
    Bug("custom_layers.CenteredLayer", "centred per row", """
        class CenteredLayer(nn.Module):
            def forward(self, X):
                return X - X.mean(dim=-1, keepdim=True)
        """, caught_by=("matches_reference", "keeps_dtype", "gradients", "no_parameters")),
    Bug("custom_layers.CenteredLayer", "the mean detached", """
        class CenteredLayer(nn.Module):
            def forward(self, X):
                return X - X.mean().item()
        """, caught_by="gradients", clause="gradients"),
    Bug("custom_layers.CenteredLayer", "divides by the mean instead of subtracting it", """
        class CenteredLayer(nn.Module):
            def forward(self, X):
                return X / X.mean()
        """, caught_by=("book_example", "matches_reference"), clause="values"),
    Bug("custom_layers.CenteredLayer", "computes in float32 (X.float() first, for integer inputs)", """
        class CenteredLayer(nn.Module):
            def forward(self, X):
                X = X.float()
                return X - X.mean()
        """, caught_by="keeps_dtype", clause="dtype"),
    Bug("custom_layers.CenteredLayer", "a learnable offset, initialised to 0", """
        class CenteredLayer(nn.Module):
            def __init__(self):
                super().__init__()
                self.offset = nn.Parameter(torch.zeros(1))

            def forward(self, X):
                return X - X.mean() + self.offset
        """, caught_by="no_parameters", clause="no_params"),
    Bug("custom_layers.MyLinear", "the book's .data: no gradient reaches the parameters", replace=[
        (LINEAR_FORWARD, "return F.relu(X @ self.weight.data + self.bias.data)")],
        caught_by="gradients", clause="gradients"),
    Bug("custom_layers.MyLinear", "plain tensors instead of nn.Parameter", replace=[
        ("self.weight = nn.Parameter(torch.randn(in_units, units))",
         "self.weight = torch.randn(in_units, units, requires_grad=True)"),
        ("self.bias = nn.Parameter(torch.randn(units))", "self.bias = torch.randn(units, requires_grad=True)")],
        caught_by=("book_parameters", "parameters"), clause="params"),
    Bug("custom_layers.MyLinear", "weight stored as (units, in_units) and used as such", replace=[
        ("torch.randn(in_units, units)", "torch.randn(units, in_units)"),
        (LINEAR_FORWARD, "return F.relu(X @ self.weight.T + self.bias)")],
        caught_by=("book_parameters", "parameters", "same_function", "initial_values", "gradients")),
    Bug("custom_layers.MyLinear", "ReLU forgotten", replace=[(LINEAR_FORWARD, "return X @ self.weight + self.bias")],
        caught_by=("book_example", "same_function"), clause="values"),
    Bug("custom_layers.MyLinear", "bias initialised to zeros", replace=[
        ("self.bias = nn.Parameter(torch.randn(units))", "self.bias = nn.Parameter(torch.zeros(units))")],
        caught_by="initial_values", clause="init"),
    # §5.5 file I/O
    Bug("file_io.save_tensors", "saved with numpy (np.save): torch.load cannot read it", """
        import numpy as np
        def save_tensors(obj, path):
            with open(path, "wb") as f:
                np.save(f, obj.numpy() if isinstance(obj, torch.Tensor) else np.array(obj, dtype=object),
                        allow_pickle=True)
        """, caught_by=("book_example", "round_trips", "path"), clause="values"),
    Bug("file_io.save_tensors", "a dict saved as the list of its values", """
        def save_tensors(obj, path):
            torch.save(list(obj.values()) if isinstance(obj, dict) else obj, path)
        """, caught_by="round_trips"),
    Bug("file_io.save_tensors", "saved with pickle.dump instead of torch.save", """
        import pickle
        def save_tensors(obj, path):
            with open(path, "wb") as f:
                pickle.dump(obj, f)
        """, caught_by=("book_example", "round_trips"), clause="values"),
    Bug("file_io.save_tensors", "a .pt suffix added to the path", """
        def save_tensors(obj, path):
            torch.save(obj, f"{path}.pt")
        """, caught_by="path", clause="path"),
    Bug("file_io.load_tensors", "weights_only=False: a file holding code is loaded", """
        def load_tensors(path, device="cpu"):
            return torch.load(path, map_location=device, weights_only=False)
        """, caught_by="safe", clause="safe"),
    Bug("file_io.load_tensors", "a list loaded back as a list of its first item", """
        def load_tensors(path, device="cpu"):
            obj = torch.load(path, map_location=device, weights_only=True)
            return obj[:1] if isinstance(obj, list) else obj
        """, caught_by=("book_example", "round_trips"), clause="values"),
    Bug("file_io.load_tensors", "device ignored... and dict keys turned into a list", """
        def load_tensors(path, device="cpu"):
            obj = torch.load(path, weights_only=True)
            return list(obj.values()) if isinstance(obj, dict) else obj
        """, caught_by=("round_trips", "on_device", "safe")),
    Bug("file_io.load_tensors", "map_location forgotten: the tensors stay where they were saved", """
        def load_tensors(path, device="cpu"):
            return torch.load(path, weights_only=True)
        """, caught_by="on_device", clause="device"),
    Bug("file_io.save_params", "saves the whole module, not its state_dict", """
        def save_params(net, path):
            torch.save(net, path)
        """, caught_by="state_dict", clause="state_dict"),
    Bug("file_io.save_params", "saves the list of parameters (buffers and names lost)", """
        def save_params(net, path):
            torch.save([p.detach() for p in net.parameters()], path)
        """, caught_by=("book_example", "every_tensor", "state_dict"), clause="values"),
    Bug("file_io.save_params", "saves the named parameters only (the buffers lost)", """
        def save_params(net, path):
            torch.save(dict(net.named_parameters()), path)
        """, caught_by=("every_tensor", "state_dict")),
    Bug("file_io.load_params", "returns what load_state_dict returns", """
        def load_params(net, path):
            return net.load_state_dict(torch.load(path, weights_only=True))
        """, caught_by=("eval_mode", "returns_net", "gpu_file_on_cpu")),
    Bug("file_io.load_params", "eval mode forgotten (and no map_location)", """
        def load_params(net, path):
            net.load_state_dict(torch.load(path, weights_only=True))
            return net
        """, caught_by=("eval_mode", "gpu_file_on_cpu")),
    Bug("file_io.load_params", "strict=False: missing parameters silently keep their random values", """
        def load_params(net, path):
            net.load_state_dict(torch.load(path, weights_only=True), strict=False)
            return net.eval()
        """, caught_by=("strict", "gpu_file_on_cpu")),
    Bug("file_io.load_params", "the book's file name 'mlp.params' instead of path", replace=[
        ("net.load_state_dict(torch.load(path, map_location=device, weights_only=True))",
         "net.load_state_dict(torch.load('mlp.params', map_location=device, weights_only=True))")],
        caught_by=("book_example", "fresh_model", "eval_mode", "returns_net", "strict", "safe", "gpu_file_on_cpu"),
        clause="values"),
    Bug("file_io.load_params", "net.eval() forgotten", replace=[("    net.eval()\n", "")],
        caught_by="eval_mode", clause="eval"),
    Bug("file_io.load_params", "returns the missing and unexpected keys (load_state_dict's result)", replace=[
        ("    net.load_state_dict(torch.load(path, map_location=device, weights_only=True))\n    net.eval()\n"
         "    return net",
         "    keys = net.load_state_dict(torch.load(path, map_location=device, weights_only=True))\n    net.eval()\n"
         "    return keys")],
        caught_by="returns_net", clause="returns"),
    Bug("file_io.load_params", "strict=False", replace=[
        ("torch.load(path, map_location=device, weights_only=True))",
         "torch.load(path, map_location=device, weights_only=True), strict=False)")],
        caught_by="strict", clause="strict"),
    Bug("file_io.load_params", "weights_only=False", replace=[
        ("net.load_state_dict(torch.load(path, map_location=device, weights_only=True))",
         "net.load_state_dict(torch.load(path, map_location=device, weights_only=False))")],
        caught_by="safe", clause="safe"),
    Bug("file_io.load_params", "map_location forgotten", replace=[
        ("net.load_state_dict(torch.load(path, map_location=device, weights_only=True))",
         "net.load_state_dict(torch.load(path, weights_only=True))")],
        caught_by="gpu_file_on_cpu", clause="device"),
    # §5.6 GPUs
    Bug("gpu.try_gpu", "returns a string", """
        def try_gpu(i=0):
            return f"cuda:{i}" if torch.cuda.device_count() >= i + 1 else "cpu"
        """, caught_by="returns_device", clause="returns"),
    Bug("gpu.try_gpu", "off by one: GPU i used when only i GPUs exist", """
        def try_gpu(i=0):
            if torch.cuda.device_count() >= i:
                return torch.device(f"cuda:{i}")
            return torch.device("cpu")
        """, caught_by=("here", "counts"), clause="values"),
    Bug("gpu.try_gpu", "ignores i", """
        def try_gpu(i=0):
            return torch.device("cuda:0") if torch.cuda.device_count() else torch.device("cpu")
        """, caught_by=("counts", "returns_device")),
    Bug("gpu.try_all_gpus", "an empty list without GPUs", """
        def try_all_gpus():
            return [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
        """, caught_by=("here", "counts", "returns_devices"), clause="values"),
    Bug("gpu.try_all_gpus", "only the first GPU", """
        def try_all_gpus():
            return [torch.device("cuda:0")] if torch.cuda.device_count() else [torch.device("cpu")]
        """, caught_by=("counts", "returns_devices")),
    Bug("gpu.try_all_gpus", "a list of strings", """
        def try_all_gpus():
            return [f"cuda:{i}" for i in range(torch.cuda.device_count())] or ["cpu"]
        """, caught_by="returns_devices", clause="returns"),
]
