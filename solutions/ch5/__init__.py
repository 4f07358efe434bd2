"""Chapter 5, 深度学习计算 (Builders' Guide)."""

# The exercises of this chapter, in book order: module.name -> zh.d2l.ai section.
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks) is derived from here.
EXERCISES = {
    "layers_and_blocks.MLP": "5.1.1",
    "layers_and_blocks.MySequential": "5.1.2",
    "layers_and_blocks.FixedHiddenMLP": "5.1.3",
    "layers_and_blocks.NestMLP": "5.1.3",
    "layers_and_blocks.chimera": "5.1.3",
    "parameters.init_normal": "5.2.2",
    "parameters.init_constant": "5.2.2",
    "parameters.my_init": "5.2.2",
    "parameters.tied_net": "5.2.3",
    "custom_layers.CenteredLayer": "5.4.1",
    "custom_layers.MyLinear": "5.4.2",
    "file_io.save_tensors": "5.5.1",
    "file_io.load_tensors": "5.5.1",
    "file_io.save_params": "5.5.2",
    "file_io.load_params": "5.5.2",
    "gpu.try_gpu": "5.6.1",
    "gpu.try_all_gpus": "5.6.1",
}
