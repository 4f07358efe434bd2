"""Chapter 2, 预备知识 (Preliminaries)."""

# The exercises of this chapter, in book order: module.name -> zh.d2l.ai section.
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks) is derived from here.
EXERCISES = {
    "data_manipulation.arange_reshape": "2.1.1",
    "data_manipulation.broadcast_shape": "2.1.3",
    "data_manipulation.add_inplace": "2.1.5",
    "data_preprocessing.preprocess": "2.2.2",
    "data_preprocessing.drop_most_missing": "2.2.5",
    "linear_algebra.cumsum": "2.3.6",
    "linear_algebra.dot": "2.3.7",
    "linear_algebra.mv": "2.3.8",
    "linear_algebra.mm": "2.3.9",
    "linear_algebra.l1_norm": "2.3.10",
    "linear_algebra.l2_norm": "2.3.10",
    "linear_algebra.frobenius_norm": "2.3.10",
    "calculus.numerical_lim": "2.4.1",
    "autograd.grad_scalar": "2.5.1",
    "autograd.grad_nonscalar": "2.5.2",
    "autograd.grad_detached": "2.5.3",
    "autograd.control_flow_f": "2.5.4",
    "probability.die_roll_estimates": "2.6.1",
}
