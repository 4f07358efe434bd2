"""§2.2 数据预处理 (d2l.ai §2.2 Data Preprocessing)."""
import pandas as pd
import torch


def preprocess(data):
    """Turn a table like ``house_tiny.csv`` into tensors (§2.2.2, §2.2.3).

    ``data``: a ``pd.DataFrame``; its last column is the output, the others the inputs.
    Missing values of numeric input columns become the column's mean (pandas >= 2
    needs ``mean(numeric_only=True)``); every other input column is one-hot encoded
    with ``pd.get_dummies(..., dummy_na=True)`` (a ``_nan`` column for missing values).
    Returns ``(X, y)``: ``X`` float64 of shape ``(n, k)`` (numeric columns first, then
    the one-hot columns, as ``get_dummies`` orders them) and ``y`` float64 of shape
    ``(n,)``. Deviation from the book: ``y`` is float64 (the book keeps the CSV's int64
    prices) so that both tensors are ready for regression. ``data`` is not modified.
    """
    inputs, outputs = data.iloc[:, :-1], data.iloc[:, -1]
    inputs = inputs.fillna(inputs.mean(numeric_only=True))
    inputs = pd.get_dummies(inputs, dummy_na=True)
    return (torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float64),
            torch.tensor(outputs.to_numpy(dtype=float), dtype=torch.float64))


def drop_most_missing(data):
    """``data`` without the column that has the most missing values (§2.2.5, exercise 1).

    Ties go to the leftmost such column. Returns a new ``pd.DataFrame``; ``data`` is not
    modified.
    """
    return data.drop(columns=data.isna().sum().idxmax())
