"""Makes the KernelSHAP reference for a classifier explained in probability space.

shap's KernelExplainer in exact mode (nsamples = 2^M: every coalition enumerated, so the values
are the exact Shapley values w.r.t. the background) on the format-rule multi-class XGBoost model,
explaining predict_proba (softmax of the margins), one file per class.
Run with shap 0.54.1 and xgboost 3.4.1 (Python >= 3.12):
    python make_kernel_reference.py format_rules/xgb_multiclass kernel_probability
"""
import os
import sys

import numpy as np
import pandas as pd
import shap
import xgboost as xgb


def main(source, target):
    os.makedirs(target, exist_ok=True)
    data = pd.read_csv(os.path.join(source, "data.csv"))
    booster = xgb.Booster(model_file=os.path.join(source, "model.json"))
    names = list(data.columns)

    def probability(rows):
        margins = booster.predict(xgb.DMatrix(pd.DataFrame(rows, columns=names)), output_margin=True).astype(np.float64)
        margins -= margins.max(axis=1, keepdims=True)
        exps = np.exp(margins)
        return exps / exps.sum(axis=1, keepdims=True)

    background = data.iloc[10:30]
    current = data.iloc[:10]
    explainer = shap.KernelExplainer(probability, background.to_numpy())
    values = np.asarray(explainer.shap_values(current.to_numpy(), nsamples=2 ** len(names), l1_reg=False))
    values = values if values.shape[0] == len(current) else np.transpose(values, (1, 2, 0))
    background.to_csv(os.path.join(target, "background.csv"), index=False)
    current.to_csv(os.path.join(target, "current.csv"), index=False)
    for k in range(values.shape[2]):
        frame = pd.DataFrame(values[:, :, k], columns=names)
        frame["base_value"] = float(np.atleast_1d(explainer.expected_value)[k])
        frame.map(lambda v: repr(float(v))).to_csv(os.path.join(target, f"shap_kernel_class{k}.csv"), index=False)
    pd.DataFrame(probability(current.to_numpy()), columns=[f"probability_class{k}" for k in range(values.shape[2])]).map(
        lambda v: repr(float(v))).to_csv(os.path.join(target, "predictions.csv"), index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
