"""Saves UBJSON twins of a few XGBoost fixtures: `model.ubj` beside each `model.json`, the same
booster loaded with xgboost and saved with `Booster.save_model("model.ubj")` (xgboost >= 2 writes
UBJSON for any name that does not end in `.json`).

The twins reuse their folder's references (`contribs*.csv`, `margin.csv` / `predictions.csv`):
this script checks, with xgboost, that the twin predicts the same margins and the same
`pred_contribs` as the JSON file on the folder's `data.csv`, bit for bit, so what holds for one
holds for the other. `UBJSONFixtureTests` loads both with ShapDrift and requires identical models,
predictions and attributions; `bad-input/make_bad_input.py` damages the xgb_float32_boundary twin
for the corpus's `xgboost-ubj` cases.

Cases: binary (logistic), multiclass (softprob), categorical splits, DART, no feature names, and
the corpus's base model. Deterministic (loading and saving only). Run with the test environment's
Python (xgboost 3.4.1, numpy, pandas):
    .venv-bench/bin/python Tests/Fixtures/make_ubjson_models.py
"""
import os

import numpy as np
import pandas as pd
import xgboost as xgb

FIXTURES = os.path.dirname(os.path.abspath(__file__))
CASES = [
    "objectives/xgb_binary_logistic",
    "objectives/xgb_multi_softprob",
    "objectives/xgb_dart",
    "objectives/xgb_numpy_no_names",
    "format_rules/xgb_categorical",
    "format_rules/xgb_float32_boundary",
]


def matrix(booster, folder):
    """The folder's rows as xgboost reads them: by the model's names and types when it has them
    (categorical columns need their type), else in order."""
    frame = pd.read_csv(os.path.join(folder, "data.csv"))
    values = frame.to_numpy(dtype=np.float64)
    if booster.feature_names is None:
        return xgb.DMatrix(values)
    return xgb.DMatrix(values, feature_names=booster.feature_names, feature_types=booster.feature_types,
                       enable_categorical=True)


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


for case in CASES:
    folder = os.path.join(FIXTURES, case)
    from_json = xgb.Booster(model_file=os.path.join(folder, "model.json"))
    twin = os.path.join(folder, "model.ubj")
    from_json.save_model(twin)
    with open(twin, "rb") as handle:
        head = handle.read(2)
    assert head == b"{L", f"{case}: expected a UBJSON object, found {head!r}"
    from_ubj = xgb.Booster(model_file=twin)
    rows = matrix(from_json, folder)
    for option in ({"output_margin": True}, {"pred_contribs": True}):
        assert same_bits(from_json.predict(rows, **option), from_ubj.predict(rows, **option)), f"{case}: {option} differs"
    print(f"{case}/model.ubj: {os.path.getsize(twin)} bytes, margins and pred_contribs as model.json's")
