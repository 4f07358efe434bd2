"""Chapter 4, 多层感知机 (Multilayer Perceptrons)."""

# The exercises of this chapter, in book order: module.name -> zh.d2l.ai section.
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks) is derived from here.
EXERCISES = {
    "mlp_scratch.init_params": "4.2.1",
    "mlp_scratch.relu": "4.2.2",
    "mlp_scratch.net": "4.2.3",
    "mlp_concise.concise_mlp": "4.3",
    "polynomial_regression.polynomial_features": "4.4.4",
    "polynomial_regression.evaluate_loss": "4.4.4",
    "polynomial_regression.train": "4.4.4",
    "weight_decay.init_params": "4.5.3",
    "weight_decay.l2_penalty": "4.5.3",
    "weight_decay.train": "4.5.3",
    "weight_decay.train_concise": "4.5.4",
    "dropout.dropout_layer": "4.6.4",
    "dropout.Net": "4.6.4",
    "initialization.xavier_uniform_": "4.8.2",
    "kaggle_house.preprocess": "4.10.4",
    "kaggle_house.log_rmse": "4.10.5",
    "kaggle_house.get_net": "4.10.5",
    "kaggle_house.train": "4.10.5",
    "kaggle_house.get_k_fold_data": "4.10.6",
    "kaggle_house.k_fold": "4.10.6",
}
