"""Makes the reference for correlation-aware linear SHAP (shap's LinearExplainer,
feature_perturbation="correlation_dependent").

shap estimates its transforms from `nsamples` random feature permutations; here its own code is run
over every permutation exactly once (np.random.shuffle is fed each of the M! orderings in turn), so
the reference is the exact expectation, the value ShapDrift computes by enumerating subsets.
Run with shap 0.54.1, scikit-learn 1.9.1 and shapdrift_export installed:
    python make_correlation_reference.py linear_correlation
"""
import itertools
import os
import sys

import numpy as np
import pandas as pd
import shap
from sklearn.linear_model import LinearRegression, LogisticRegression

from shapdrift_export import export_model

NAMES = ["income", "debt", "age", "tenure", "score"]


def correlated(rng, count):
    base = rng.normal(size=(count, 5))
    mix = np.array([[1.0, 0.6, 0.0, 0.2, 0.0], [0.0, 1.0, 0.3, 0.0, 0.5], [0.0, 0.0, 1.0, 0.7, 0.0],
                    [0.0, 0.0, 0.0, 1.0, 0.4], [0.0, 0.0, 0.0, 0.0, 1.0]])
    return pd.DataFrame(base @ mix * [3.0, 1.0, 10.0, 2.0, 0.5] + [50, 10, 40, 5, 0], columns=NAMES)


def exact_shap(model, background, rows):
    permutations = itertools.cycle(itertools.permutations(range(len(NAMES))))
    original = np.random.shuffle

    def every_permutation(array):
        array[:] = next(permutations)

    np.random.shuffle = every_permutation
    try:
        explainer = shap.LinearExplainer(model, background.to_numpy(), feature_perturbation="correlation_dependent",
                                         nsamples=120)
    finally:
        np.random.shuffle = original
    return np.asarray(explainer.shap_values(rows.to_numpy())), float(np.atleast_1d(explainer.expected_value)[0])


def main(target):
    rng = np.random.default_rng(5)
    os.makedirs(target, exist_ok=True)
    train = correlated(rng, 600)
    background = correlated(rng, 200)
    current = correlated(rng, 40)
    regression = LinearRegression().fit(train, train @ [0.5, -2.0, 0.1, 1.5, 4.0] + rng.normal(size=600))
    labels = (train["income"] - 3 * train["debt"] + 2 * train["score"] + rng.normal(size=600) > 20).astype(int)
    classifier = LogisticRegression(max_iter=5000).fit(train, labels)
    background.map(lambda v: repr(float(v))).to_csv(os.path.join(target, "background.csv"), index=False)
    current.map(lambda v: repr(float(v))).to_csv(os.path.join(target, "current.csv"), index=False)
    for name, model in [("regression", regression), ("logistic", classifier)]:
        export_model(model, os.path.join(target, f"{name}.json"))
        values, base = exact_shap(model, background, current)
        frame = pd.DataFrame(values.reshape(len(current), -1), columns=NAMES)
        frame["base_value"] = base
        frame.map(lambda v: repr(float(v))).to_csv(os.path.join(target, f"shap_{name}.csv"), index=False)


if __name__ == "__main__":
    main(sys.argv[1])
