"""Provided utilities: what the book gives ready-made (data, plotting, timers, training loops).

Both the exercises and the reference solutions import from here; it replaces
the ``d2l`` package from PyPI, whose pins break modern stacks.
"""
from d2lkit.data import (DataNotFoundError, data_file, fashion_mnist_tensors, kaggle_house_paths,
                         read_fashion_mnist, read_time_machine_text, write_house_tiny)
from d2lkit.nmt import generated_fra_eng_text, read_fra_eng_text, read_nmt_text
from d2lkit.timer import Timer
from d2lkit.training import TensorBatches, train_ch3

__all__ = [
    "DataNotFoundError", "data_file", "fashion_mnist_tensors", "kaggle_house_paths", "read_fashion_mnist",
    "read_time_machine_text", "write_house_tiny",
    "generated_fra_eng_text", "read_fra_eng_text", "read_nmt_text", "Timer", "TensorBatches", "train_ch3",
]
