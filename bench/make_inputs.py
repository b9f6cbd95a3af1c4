"""Generates the benchmark's models and data deterministically (no downloads).

T1: XGBoost regression, 500 trees, max_depth 8, 50 features. T2: the same with 200 trees, depth 6.
T3: LightGBM binary, 500 trees, 127 leaves. K1: a 10-feature XGBoost model. Data: 10,000 rows to
explain, 100 background rows, 2,000 and 100,000 rows of T1's features (S1: small windows). W1: a
10-class linear model (softmax) over 1,000 features as ShapDrift JSON, and 40,000 rows for it. C1: a
linear model over T1's 50 features (ShapDrift JSON), beside T1-T3, I1 and K1's models, per core.
Usage: python make_inputs.py OUTPUT_DIR
"""
import json
import os
import sys

import lightgbm as lgb
import numpy as np
import pandas as pd
import xgboost as xgb


def data(rng, rows, features):
    X = rng.normal(size=(rows, features))
    y = X[:, 0] * 2 + np.sin(X[:, 1] * 3) + X[:, 2] * X[:, 3] + 0.5 * np.abs(X[:, 4]) + rng.normal(scale=0.3, size=rows)
    return pd.DataFrame(X, columns=[f"f{i}" for i in range(features)]), y


def write(frame, path):
    frame.to_csv(path, index=False, float_format="%.9g")


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(6)
    X, y = data(rng, 20000, 50)
    names = list(X.columns)
    for name, trees, depth in [("t1", 500, 8), ("t2", 200, 6)]:
        if not os.path.exists(os.path.join(out, f"{name}.json")):
            booster = xgb.train({"objective": "reg:squarederror", "max_depth": depth, "eta": 0.05, "subsample": 0.8,
                                 "seed": 1, "nthread": 2}, xgb.DMatrix(X, label=y, feature_names=names), num_boost_round=trees)
            booster.save_model(os.path.join(out, f"{name}.json"))
    if not os.path.exists(os.path.join(out, "t3.txt")):
        booster = lgb.train({"objective": "binary", "num_leaves": 127, "learning_rate": 0.05, "min_data_in_leaf": 5,
                             "seed": 2, "deterministic": True, "num_threads": 2, "verbose": -1},
                            lgb.Dataset(X, label=(y > np.median(y)).astype(int)), num_boost_round=500)
        booster.save_model(os.path.join(out, "t3.txt"))
    Xk, yk = data(rng, 5000, 10)
    if not os.path.exists(os.path.join(out, "k1.json")):
        booster = xgb.train({"objective": "reg:squarederror", "max_depth": 4, "eta": 0.1, "seed": 3, "nthread": 2},
                            xgb.DMatrix(Xk, label=yk, feature_names=list(Xk.columns)), num_boost_round=100)
        booster.save_model(os.path.join(out, "k1.json"))
    explain, _ = data(rng, 10000, 50)
    write(explain, os.path.join(out, "rows.csv"))
    write(explain.head(1000), os.path.join(out, "rows-1k.csv"))
    write(X.sample(100, random_state=4), os.path.join(out, "background.csv"))
    k_rows, _ = data(rng, 100, 10)
    write(k_rows, os.path.join(out, "k1-rows.csv"))
    write(Xk.sample(50, random_state=5), os.path.join(out, "k1-background.csv"))
    write(explain.head(2000), os.path.join(out, "rows-2k.csv"))
    if not os.path.exists(os.path.join(out, "rows-100k.csv")):
        many, _ = data(np.random.default_rng(7), 100_000, 50)
        write(many, os.path.join(out, "rows-100k.csv"))
    if not os.path.exists(os.path.join(out, "c1-linear.json")):
        linear = np.random.default_rng(9)
        model = {"format": "shapdrift", "schema_version": 1, "model_type": "linear", "n_features": 50, "n_outputs": 1,
                 "output_transform": "identity", "feature_names": names,
                 "linear": {"coefficients": [linear.normal(size=50).tolist()], "intercept": [0.5], "feature_means": X.mean().tolist()}}
        with open(os.path.join(out, "c1-linear.json"), "w") as handle:
            json.dump(model, handle)
    wide(out)


def wide(out, classes=10, features=1000, rows=40_000):
    """W1: a multinomial linear model, as the exporter writes it (docs/shapdrift-json.md)."""
    rng = np.random.default_rng(8)
    names = [f"x{i}" for i in range(features)]
    if not os.path.exists(os.path.join(out, "w1.json")):
        model = {"format": "shapdrift", "schema_version": 1, "model_type": "linear", "n_features": features, "n_outputs": classes,
                 "output_transform": "softmax", "feature_names": names,
                 "linear": {"coefficients": rng.normal(scale=0.1, size=(classes, features)).tolist(),
                            "intercept": rng.normal(size=classes).tolist(), "feature_means": [0.0] * features}}
        with open(os.path.join(out, "w1.json"), "w") as handle:
            json.dump(model, handle)
    if not os.path.exists(os.path.join(out, "w1-rows.csv")):
        write(pd.DataFrame(rng.normal(size=(rows, features)), columns=names), os.path.join(out, "w1-rows.csv"))


if __name__ == "__main__":
    main(sys.argv[1])
