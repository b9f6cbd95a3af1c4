"""Regenerates the example models in `models/` deterministically:

    python -m shapdrift_export.examples [--output models]

Three examples, each a model export, `baseline.csv` (a sample of the training distribution) and
captured traffic as SageMaker data-capture JSON Lines under
`capture/{endpoint}/AllTraffic/2024/05/01/{hh}/capture.jsonl`, one hour per folder. In the hours
listed in DRIFTS, named features were shifted; the other hours are fresh samples of the training
distribution. `models/README.md` documents the same table.

Needs xgboost, lightgbm, scikit-learn and pandas (the `examples` extra), not shap.

Everything written is the same byte for byte on every machine, except the fitted coefficients
and intercept of the scikit-learn logistic regression: its solver's dot products run in the
installed BLAS, whose kernels (chosen by CPU) round differently. The fit is solved to convergence
(Newton–Cholesky, gradient below 1e-10), so those values differ between kernels by a few units in
the last place, and regeneration is checked against the committed files within FIT_RTOL / FIT_ATOL
(`models/README.md` states the rule).
"""
import argparse
import json
import os

import numpy as np
import pandas as pd

HOURS = [10, 11, 12, 13, 14, 15]
ROWS_PER_HOUR = 400
# Tolerance for the fitted floating-point parameters of ShapDrift JSON linear exports when a
# regeneration is compared with the committed examples: |new − old| <= FIT_ATOL + FIT_RTOL·|old|.
FIT_RTOL = 1e-10
FIT_ATOL = 1e-12
# Example → (endpoint name, drifted hours, {feature: description of the shift}).
DRIFTS = {
    "fraud-xgb": ("fraud-scoring", [13, 14, 15], {"distance_km": "× 4 (cards used far from home)", "foreign": "share 5 % → 60 %"}),
    "lgbm-regression-categorical": ("delivery-time", [14, 15], {"region": "region codes 5–7 dominate (new market)", "distance": "+ 8 km"}),
    "sklearn-logistic": ("churn-risk", [12, 13, 14, 15], {"support_calls": "+ 3 calls", "tenure_months": "÷ 3"}),
}


def fraud_rows(rng, count, drift):
    frame = pd.DataFrame({
        "amount": rng.lognormal(3.5, 1.0, count),
        "hour_of_day": rng.integers(0, 24, count).astype(float),
        "merchant_risk": rng.beta(2, 8, count),
        "account_age_days": rng.gamma(2.0, 400.0, count),
        "tx_last_24h": rng.poisson(3, count).astype(float),
        "distance_km": rng.exponential(15.0, count),
        "card_present": (rng.random(count) < 0.7).astype(float),
        "foreign": (rng.random(count) < (0.60 if drift else 0.05)).astype(float),
    })
    if drift:
        frame["distance_km"] *= 4
    return frame


def fraud_label(rng, frame):
    score = (0.8 * np.log1p(frame["amount"]) + 4 * frame["merchant_risk"] - 0.002 * frame["account_age_days"]
             + 0.25 * frame["tx_last_24h"] + 0.02 * frame["distance_km"] - 1.2 * frame["card_present"]
             + 1.5 * frame["foreign"] - 4.0)
    return (rng.random(len(frame)) < 1 / (1 + np.exp(-score))).astype(int)


def delivery_rows(rng, count, drift):
    region = rng.choice(8, count, p=[0.25, 0.2, 0.15, 0.15, 0.1, 0.05, 0.05, 0.05])
    if drift:
        region = rng.choice(8, count, p=[0.05, 0.05, 0.05, 0.05, 0.05, 0.25, 0.25, 0.25])
    return pd.DataFrame({
        "distance": rng.gamma(3.0, 2.5, count) + (8.0 if drift else 0.0),
        "items": rng.poisson(4, count).astype(float) + 1,
        "traffic_index": rng.uniform(0, 1, count),
        "courier_rating": rng.normal(4.5, 0.3, count),
        "region": region.astype(float),
    })


def delivery_target(rng, frame):
    region_effect = np.array([0, 2, -1, 3, 1, 6, 8, 4])[frame["region"].astype(int)]
    return (10 + 2.2 * frame["distance"] + 0.8 * frame["items"] + 12 * frame["traffic_index"]
            - 3 * (frame["courier_rating"] - 4.5) + region_effect + rng.normal(0, 2, len(frame)))


def churn_rows(rng, count, drift):
    frame = pd.DataFrame({
        "tenure_months": rng.gamma(2.0, 12.0, count),
        "monthly_charges": rng.normal(65, 20, count),
        "support_calls": rng.poisson(1.5, count).astype(float),
        "contract_length": rng.choice([1.0, 12.0, 24.0], count, p=[0.5, 0.3, 0.2]),
        "late_payments": rng.poisson(0.5, count).astype(float),
        "usage_gb": rng.gamma(3.0, 10.0, count),
    })
    if drift:
        frame["support_calls"] += 3
        frame["tenure_months"] /= 3
    return frame


def churn_label(rng, frame):
    score = (-0.05 * frame["tenure_months"] + 0.02 * frame["monthly_charges"] + 0.6 * frame["support_calls"]
             - 0.08 * frame["contract_length"] + 0.7 * frame["late_payments"] - 0.01 * frame["usage_gb"] - 1.0)
    return (rng.random(len(frame)) < 1 / (1 + np.exp(-score))).astype(int)


# Example → the function drawing its rows (the formulas `build` trains and samples with).
GENERATORS = {"fraud-xgb": fraud_rows, "lgbm-regression-categorical": delivery_rows, "sklearn-logistic": churn_rows}


def apply_drift(frame, rng, feature, kind, amount):
    """`frame` with one feature drifted, for drawing fresh drifted samples (the verdict-quality
    harness); the committed examples do not use it.

    kind "shift": add `amount` standard deviations (of this sample); "increment": add 1 to a random
    share `amount` of the rows (a mean shift that keeps a count feature's values whole); "scale":
    spread around the mean by the factor `amount`; "multiply": multiply by `amount` (log-mean +
    log(amount) for a log-normal feature); "share": `amount = (value, share)`, the share of rows holding `value`
    becomes `share` (rows move to it from the other values, or from it to the others in their
    proportions); "missing": a share `amount` of the values become missing (NaN).
    """
    frame = frame.copy()
    column = frame[feature].to_numpy(dtype=float).copy()
    count = len(column)
    if kind == "shift":
        column += amount * column.std()
    elif kind == "increment":
        column += rng.random(count) < amount
    elif kind == "scale":
        column = column.mean() + amount * (column - column.mean())
    elif kind == "multiply":
        column *= amount
    elif kind == "share":
        target, amount = amount
        current = np.mean(column == target)
        if amount > current:
            others = np.flatnonzero(column != target)
            move = others[rng.random(len(others)) < (amount - current) / (1 - current)]
            column[move] = target
        else:
            mine = np.flatnonzero(column == target)
            move = mine[rng.random(len(mine)) < (current - amount) / current]
            pool = column[column != target]
            column[move] = rng.choice(pool, len(move))
    elif kind == "missing":
        column[rng.random(count) < amount] = np.nan
    else:
        raise ValueError(f"unknown drift kind {kind}")
    frame[feature] = column
    return frame


def sample(name, rng, count, drift=None):
    """`count` fresh rows of example `name`'s training distribution, drifted by
    `drift = (feature, kind, amount)` when given (`apply_drift`)."""
    frame = GENERATORS[name](rng, count, drift=False)
    if drift is not None:
        frame = apply_drift(frame, rng, *drift)
    return frame


def to_csv(frame, path):
    frame.map(lambda v: repr(float(v))).to_csv(path, index=False)


def write_capture(frame, endpoint, hour, folder, rng):
    directory = os.path.join(folder, "capture", endpoint, "AllTraffic", "2024", "05", "01", f"{hour:02d}")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "capture.jsonl"), "w") as out:
        for index, row in enumerate(frame.itertuples(index=False)):
            second = index * 3600 // len(frame)
            record = {
                "captureData": {
                    "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                      "data": ",".join(repr(float(value)) for value in row), "encoding": "CSV"},
                    "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT",
                                       "data": "0", "encoding": "CSV"},
                },
                "eventMetadata": {"eventId": f"{endpoint}-{hour:02d}-{index:05d}",
                                  "inferenceTime": f"2024-05-01T{hour:02d}:{second // 60:02d}:{second % 60:02d}Z"},
                "eventVersion": "0",
            }
            out.write(json.dumps(record, separators=(",", ":")) + "\n")


def build(output):
    import lightgbm as lgb
    import xgboost as xgb
    from sklearn.linear_model import LogisticRegression

    from .exporter import export_model

    examples = {
        "fraud-xgb": (fraud_rows, fraud_label, 11),
        "lgbm-regression-categorical": (delivery_rows, delivery_target, 12),
        "sklearn-logistic": (churn_rows, churn_label, 13),
    }
    for name, (make_rows, make_target, seed) in examples.items():
        rng = np.random.default_rng(seed)
        folder = os.path.join(output, name)
        os.makedirs(folder, exist_ok=True)
        train = make_rows(rng, 5000, drift=False)
        target = make_target(rng, train)
        if name == "fraud-xgb":
            booster = xgb.train({"objective": "binary:logistic", "max_depth": 4, "eta": 0.2, "seed": 1, "nthread": 1},
                                xgb.DMatrix(train, label=target), num_boost_round=60)
            export_model(booster, os.path.join(folder, "model.json"))
        elif name == "lgbm-regression-categorical":
            booster = lgb.train({"objective": "regression", "num_leaves": 15, "learning_rate": 0.1, "seed": 2,
                                 "deterministic": True, "num_threads": 1, "verbose": -1, "min_data_per_group": 20},
                                lgb.Dataset(train, label=target, categorical_feature=["region"]), num_boost_round=80)
            export_model(booster, os.path.join(folder, "model.txt"))
        else:
            # Solved to the optimum, so the coefficients depend on the data, not on the rounding of
            # the path there (lbfgs's default stopping rule left them ~1e-4 from it, and 5e-9 apart
            # between BLAS kernels).
            model = LogisticRegression(solver="newton-cholesky", tol=1e-10, max_iter=100).fit(train, target)
            export_model(model, os.path.join(folder, "model.json"), feature_means=train.mean().to_numpy())
        to_csv(make_rows(rng, 1000, drift=False), os.path.join(folder, "baseline.csv"))
        endpoint, drifted, _ = DRIFTS[name]
        for hour in HOURS:
            write_capture(make_rows(rng, ROWS_PER_HOUR, drift=hour in drifted), endpoint, hour, folder, rng)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", default="models", help="directory to write the examples into (default: models)")
    build(parser.parse_args().output)


if __name__ == "__main__":
    main()
