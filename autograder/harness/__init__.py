"""The shared harness: one piece of code that every chapter's checks are written with.

- ``exercises`` / ``check``: declare exercises and register checks (registry)
- ``randn``, ``uniform``, ``randint``, ``SEEDS``: seeded inputs (inputs)
- ``assert_close``, ``assert_matches_reference``, ``assert_unchanged``: comparisons (compare)
- ``assert_no_forbidden_calls``, ``Forbidden``: forbidden shortcuts (forbid)
- ``assert_gradients_match``: autograd against the reference (grad)
- ``speed_check``, ``module_speed_check``, ``assert_fast_enough``: speed against the reference (speedcheck, speed)
- ``train_to_threshold``: accuracy checks on a budget (train)
- ``assert_same_function``, ``assert_block_shapes``, ``assert_same_parameter_count``: networks (modules)
- ``reference``: the reference solution of an exercise (loader)
- ``scratch_params``, ``book_compatible_gru``: PyTorch's recurrent layers in the book's layout (recurrent)
"""
from autograder.harness.compare import (assert_close, assert_matches_reference, assert_same_outputs, assert_tensor,
                                        assert_unchanged)
from autograder.harness.forbid import Forbidden, assert_no_forbidden_calls, call_recorded, library_calls
from autograder.harness.grad import assert_gradients_match, gradients
from autograder.harness.inputs import SEEDS, describe, probabilities, randint, randn, shape, uniform
from autograder.harness.loader import Implementation, ImplementationError, reference
from autograder.harness.modules import (assert_block_shapes, assert_same_function, assert_same_parameter_count,
                                        block_shapes, count_parameters, load_weights_in_order)
from autograder.harness.recurrent import book_compatible_gru, layer_weights, scratch_params
from autograder.harness.registry import check, exercises, seed_everything
from autograder.harness.speed import assert_fast_enough, speed_ratio
from autograder.harness.speedcheck import module_speed_check, speed_check
from autograder.harness.train import fashion_mnist_history, single_thread, train_to_threshold

__all__ = [
    "assert_close", "assert_matches_reference", "assert_same_outputs", "assert_tensor", "assert_unchanged", "Forbidden",
    "assert_no_forbidden_calls", "call_recorded", "assert_gradients_match", "gradients", "SEEDS", "describe",
    "probabilities", "randint", "randn", "shape", "uniform", "Implementation", "ImplementationError", "reference",
    "check", "exercises", "seed_everything", "assert_fast_enough", "speed_ratio", "speed_check", "module_speed_check",
    "train_to_threshold", "single_thread", "library_calls", "fashion_mnist_history", "assert_block_shapes", "assert_same_function", "assert_same_parameter_count",
    "block_shapes", "count_parameters", "load_weights_in_order", "book_compatible_gru", "layer_weights",
    "scratch_params",
]
