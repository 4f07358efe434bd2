"""Chapter 5, 深度学习计算 (Builders' Guide)."""

# The exercises of this chapter, in book order: module.name -> (zh.d2l.ai section, clauses): the clauses of the
# exercise's contract, one property each, every one tested by its own checks (tests/test_contracts.py).
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks, docs/contracts.md) is derived from here.
EXERCISES = {
    "layers_and_blocks.MLP": ("5.1.1", {
        "values": "MLP()(X) is output(relu(hidden(X))): X (n, 20) -> (n, 10), 7,946 parameters",
        "names": "the layers are the attributes hidden and output: state_dict keys hidden.weight, hidden.bias, "
                 "output.weight, output.bias (a saved book MLP loads into it)",
        "init": "both layers keep nn.Linear's default initialisation, hidden created first (under one seed, the "
                "reference's initial parameters)",
    }),
    "layers_and_blocks.MySequential": ("5.1.2", {
        "values": "MySequential(*blocks)(X) applies the blocks in the order given",
        "registers": "parameters() and state_dict() list every block's parameters and buffers, in the order given",
        "reaches": "train()/eval() and .to(dtype or device) reach the very blocks passed in (registered "
                   "themselves, not copies)",
    }),
    "layers_and_blocks.FixedHiddenMLP": ("5.1.3", {
        "values": "forward: linear, relu(X @ rand_weight + 1), linear again (one layer used twice), halving while "
                  "X.abs().sum() > 1, then X.sum() (a 0-dim tensor)",
        "buffer": "rand_weight is a registered buffer, not a parameter: in state_dict, moved by .to(dtype or device)",
        "init": "rand_weight from U(0, 1) (torch.rand) drawn first, then linear with its default initialisation "
                "(under one seed, the reference's initial values)",
    }),
    "layers_and_blocks.NestMLP": ("5.1.3", {
        "values": "NestMLP()(X) is linear(net(X)) with net = Sequential(Linear(20, 64), ReLU, Linear(64, 32), ReLU) "
                  "and linear = Linear(32, 16): (n, 20) -> (n, 16)",
        "names": "the attributes are net and linear: state_dict keys net.0.weight, ..., linear.bias",
        "init": "every layer keeps nn.Linear's default initialisation, created in the order listed (under one seed, "
                "the reference's initial parameters)",
    }),
    "layers_and_blocks.chimera": ("5.1.3", {
        "values": "chimera()(X) is Sequential(NestMLP(), Linear(16, 20), FixedHiddenMLP())(X): (n, 20) -> a 0-dim "
                  "tensor",
        "uses": "its three blocks are an instance of this module's NestMLP, an nn.Linear(16, 20) and an instance of "
                "this module's FixedHiddenMLP",
    }),
    "parameters.init_normal": ("5.2.2", {
        "values": "net.apply(init_normal) gives every nn.Linear weights from N(0, 0.01²) and a zero bias",
        "draws": "the weight is drawn as nn.init.normal_(m.weight, mean=0, std=0.01) draws it (under one seed, the "
                 "same numbers)",
        "only_linear": "other modules (an nn.Conv2d) are left alone",
        "silent": "nothing is printed",
    }),
    "parameters.init_constant": ("5.2.2", {
        "values": "net.apply(init_constant) sets every nn.Linear's weights to 1 and its bias to 0",
        "only_linear": "other modules (an nn.Conv2d) are left alone",
    }),
    "parameters.my_init": ("5.2.2", {
        "values": "net.apply(my_init) draws every nn.Linear's weight from U(-10, 10) and zeroes the entries with "
                  "|w| < 5 (about half of them)",
        "draws": "the weight is drawn as nn.init.uniform_(m.weight, -10, 10) draws it (under one seed, the same "
                 "numbers), then masked",
        "leaves_rest": "the bias and every other module (an nn.Conv2d) are left alone",
        "in_place": "the weight stays the same nn.Parameter, a leaf that requires grad (changed in place, no "
                    "gradient recorded)",
        "silent": "nothing is printed (the book prints the layer's name)",
    }),
    "parameters.tied_net": ("5.2.3", {
        "values": "tied_net()(X) is Sequential(Linear(4, 8), ReLU, shared, ReLU, shared, ReLU, Linear(8, 1))(X): "
                  "(n, 4) -> (n, 1)",
        "shared": "net[2] and net[4] are one nn.Linear(8, 8): 121 parameters, a change to net[2].weight is one to "
                  "net[4].weight, and its gradient is the sum over both uses",
    }),
    "custom_layers.CenteredLayer": ("5.4.1", {
        "values": "CenteredLayer()(X) is X - X.mean(), the mean over all entries (not per row)",
        "dtype": "the output has X's dtype (float64 in, float64 out)",
        "gradients": "autograd flows to X: the gradient is that of X - X.mean()",
        "no_params": "the layer registers no parameters",
    }),
    "custom_layers.MyLinear": ("5.4.2", {
        "values": "MyLinear(in_units, units)(X) is relu(X @ weight + bias)",
        "params": "weight (in_units, units) and bias (units,) are registered nn.Parameters named weight and bias",
        "init": "weight then bias drawn from N(0, 1) with torch.randn (under one seed, the reference's values)",
        "gradients": "gradients reach weight and bias: forward uses the parameters, not .data (the book's does)",
    }),
    "file_io.save_tensors": ("5.5.1", {
        "values": "the file loads back with torch.load(path, weights_only=True) as the same tensor, list or dict "
                  "(values, dtypes, shapes, keys)",
        "path": "the file is written at exactly path, a str or a pathlib.Path (no suffix added)",
    }),
    "file_io.load_tensors": ("5.5.1", {
        "values": "load_tensors(path) gives back the tensor, list or dict that torch.save wrote",
        "device": "every tensor is on device (tried with the meta device)",
        "safe": "a file that holds code is refused with an error, its code never run (weights_only=True)",
    }),
    "file_io.save_params": ("5.5.2", {
        "values": "the file holds every parameter and buffer of net under its state_dict key",
        "state_dict": "the file is the state_dict, not the pickled module: it loads with weights_only=True",
    }),
    "file_io.load_params": ("5.5.2", {
        "values": "net's parameters and buffers become the saved ones",
        "eval": "net is put in eval mode",
        "returns": "it returns net itself",
        "strict": "a file with a missing or an unexpected key is an error (strict loading)",
        "safe": "a file that holds code is refused with an error, its code never run (weights_only=True)",
        "device": "the tensors are mapped onto the device of net's parameters: a file saved on a GPU loads on a "
                  "CPU-only machine (map_location)",
    }),
    "gpu.try_gpu": ("5.6.1", {
        "values": "try_gpu(i) is cuda:i when GPU i exists (i < torch.cuda.device_count()), else the CPU",
        "returns": "it returns a torch.device, never a string",
    }),
    "gpu.try_all_gpus": ("5.6.1", {
        "values": "try_all_gpus() lists cuda:0 ... cuda:n-1 for n GPUs (torch.cuda.device_count()), else the CPU "
                  "alone",
        "returns": "it returns a list of torch.device",
    }),
}
