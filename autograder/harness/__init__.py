"""The shared harness: one piece of code that every chapter's checks are written with.

- ``check``: register checks (registry; exercises are declared in ``solutions/chN/__init__.py``)
- ``student_side``, ``is_instance``, ``type_name``: where the code under test runs (context, session)
- ``randn``, ``uniform``, ``randint``, ``SEEDS``: seeded inputs (inputs)
- ``assert_close``, ``assert_matches_reference``, ``assert_keeps_dtype``, ``assert_pure``, ``assert_unchanged``:
  comparisons (compare)
- ``assert_keeps_device``: outputs on the inputs' device, tried on PyTorch's meta device (device)
- ``assert_no_forbidden_calls``, ``Forbidden``, ``counted_call``: forbidden shortcuts, operations counted (forbid)
- ``assert_gradients_match``: autograd against the reference (grad)
- ``speed_check``, ``module_speed_check``, ``assert_fast_enough``: speed against the reference (speedcheck, speed)
- ``reference_check``, ``dtype_check``, ``device_check``, ``pure_check``, ``gradients_check``, ``no_builtin_check``:
  a clause's check declared in one call (clausechecks)
- ``train_to_threshold``: accuracy checks on a budget (train)
- ``assert_same_function``, ``assert_block_shapes``, ``assert_same_parameter_count``: networks (modules)
- ``reference``, ``chapter_references``: the reference solution of an exercise (loader)
- ``InPlace``: a reference layer sent with its code into the student's network, as a stand-in (session)
- ``scratch_params``, ``book_compatible_gru``: PyTorch's recurrent layers in the book's layout (recurrent)
"""
from autograder.harness.clausechecks import (device_check, dtype_check, gradients_check, no_builtin_check, pure_check,
                                             reference_check)
from autograder.harness.compare import (assert_close, assert_keeps_dtype, assert_matches_reference, assert_pure,
                                        assert_same_outputs, assert_tensor, assert_unchanged)
from autograder.harness.device import assert_keeps_device, assert_right_on_device
from autograder.harness.forbid import Forbidden, assert_no_forbidden_calls, call_recorded, counted_call, library_calls
from autograder.harness.grad import assert_gradients_match, gradients
from autograder.harness.inputs import SEEDS, describe, probabilities, randint, randn, shape, uniform
from autograder.harness.loader import Implementation, ImplementationError, chapter_references, reference
from autograder.harness.modules import (assert_block_shapes, assert_same_function, assert_same_parameter_count,
                                        block_shapes, count_parameters, load_weights_in_order, on_its_side)
from autograder.harness.recurrent import book_compatible_gru, layer_weights, scratch_params
from autograder.harness.context import student_side
from autograder.harness.registry import check, check_for, seed_everything
from autograder.harness.session import InPlace, is_instance, type_name
from autograder.harness.speed import assert_fast_enough, speed_ratio
from autograder.harness.speedcheck import module_speed_check, speed_check
from autograder.harness.train import (accuracy_curve, fashion_mnist_run, optimizer_epoch, predict_labels, single_thread,
                                     test_accuracies, train_to_threshold, verified_test_accuracy)

__all__ = [
    "assert_close", "assert_keeps_dtype", "assert_matches_reference", "assert_pure", "assert_keeps_device",
    "assert_right_on_device", "assert_same_outputs", "assert_tensor", "assert_unchanged", "Forbidden",
    "assert_no_forbidden_calls", "call_recorded", "counted_call", "assert_gradients_match", "gradients", "SEEDS",
    "describe", "probabilities", "randint", "randn", "shape", "uniform", "Implementation", "ImplementationError",
    "chapter_references", "reference", "InPlace", "check", "check_for", "seed_everything", "student_side",
    "is_instance", "type_name", "on_its_side", "accuracy_curve", "fashion_mnist_run", "optimizer_epoch",
    "predict_labels", "test_accuracies", "verified_test_accuracy", "assert_fast_enough", "speed_ratio",
    "speed_check", "module_speed_check", "train_to_threshold", "single_thread", "library_calls",
    "assert_block_shapes", "assert_same_function", "assert_same_parameter_count", "block_shapes",
    "count_parameters", "load_weights_in_order", "book_compatible_gru", "layer_weights", "scratch_params",
    "reference_check", "dtype_check", "device_check", "pure_check", "gradients_check", "no_builtin_check",
]
