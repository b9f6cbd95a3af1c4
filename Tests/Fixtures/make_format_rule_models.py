"""Makes the small real model exports that pin ShapDrift's format rules (Tests/.../FormatRuleTests).

Each case folder gets the native model file, `data.csv` (rows chosen to exercise one rule),
`predictions.csv` (the native library's raw output) and `contribs[_class<k>].csv` (the native
library's own SHAP: xgboost `pred_contribs`, LightGBM `pred_contrib`; features + base_value);
the output-transform cases also `predicted.csv` (the library's `predict`).

Run with xgboost 3.4.1, lightgbm 4.7.0, numpy, pandas (Python >= 3.10):
    python make_format_rule_models.py format_rules
"""
import json
import os
import sys

import lightgbm as lgb
import numpy as np
import pandas as pd
import xgboost as xgb


def to_csv(frame, path):
    """Writes every number as the shortest decimal that reads back as the same float64; NaN as empty."""
    text = frame.map(lambda v: "" if pd.isna(v) else repr(float(v)))
    text.to_csv(path, index=False)


def write_case(folder, frame, raw, contribs, feature_names):
    os.makedirs(folder, exist_ok=True)
    to_csv(frame, os.path.join(folder, "data.csv"))
    raw = np.asarray(raw, dtype=np.float64)
    if raw.ndim == 1:
        to_csv(pd.DataFrame({"raw_output": raw}), os.path.join(folder, "predictions.csv"))
    else:
        to_csv(pd.DataFrame({f"raw_output_class{k}": raw[:, k] for k in range(raw.shape[1])}),
               os.path.join(folder, "predictions.csv"))
    contribs = np.asarray(contribs, dtype=np.float64)
    columns = list(feature_names) + ["base_value"]
    if contribs.ndim == 2:
        to_csv(pd.DataFrame(contribs, columns=columns), os.path.join(folder, "contribs.csv"))
    else:
        for k in range(contribs.shape[1]):
            to_csv(pd.DataFrame(contribs[:, k, :], columns=columns), os.path.join(folder, f"contribs_class{k}.csv"))


def xgb_case(folder, params, X, y, X_test, rounds=8, rewrite=None):
    names = list(X.columns)
    booster = xgb.train(params, xgb.DMatrix(X, label=y, feature_names=names), num_boost_round=rounds)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.json")
    booster.save_model(path)
    if rewrite:
        with open(path) as handle:
            document = json.load(handle)
        rewrite(document)
        with open(path, "w") as handle:
            json.dump(document, handle)
        booster = xgb.Booster(model_file=path)
    test = xgb.DMatrix(X_test, feature_names=names, missing=np.nan)
    raw = booster.predict(test, output_margin=True)
    contribs = booster.predict(test, pred_contribs=True)
    write_case(folder, X_test, raw, contribs, names)
    return booster


def main(root):
    rng = np.random.default_rng(20261125)

    # float32 boundary: rows exactly on a threshold, and doubles just below it that round to it
    # in float32 (xgboost compares float32(x) < float32(threshold): both go right).
    X = pd.DataFrame({"a": rng.normal(size=400) * 1.7 + 0.3, "b": rng.normal(size=400)})
    y = (X["a"] > 0.31).astype(float) * 3 + X["b"]
    booster = xgb_case(os.path.join(root, "xgb_float32_boundary"), {"objective": "reg:squarederror", "max_depth": 2, "eta": 0.5, "seed": 1},
                       X, y, X.head(2), rounds=4)
    tree = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"][0]
    threshold = np.float32(tree["split_conditions"][0])
    feature = ["a", "b"][tree["split_indices"][0]]
    on = float(threshold)
    below = np.nextafter(on, -np.inf)  # a double below the threshold ...
    assert np.float32(below) == threshold  # ... that rounds to it in float32
    clearly_below = float(np.nextafter(threshold, np.float32(-np.inf)))
    test = pd.DataFrame({"a": [0.0, 0.0, 0.0], "b": [0.0, 0.0, 0.0]})
    test[feature] = [on, below, clearly_below]
    xgb_case(os.path.join(root, "xgb_float32_boundary"), {"objective": "reg:squarederror", "max_depth": 2, "eta": 0.5, "seed": 1},
             X, y, test, rounds=4)

    # default_left: missing values in training make some splits send NaN left, some right.
    X = pd.DataFrame({"a": rng.normal(size=600), "b": rng.normal(size=600), "c": rng.normal(size=600)})
    y = X["a"] * 2 - X["b"] + (X["c"] > 0)
    X.loc[rng.random(600) < 0.3, "a"] = np.nan
    X.loc[rng.random(600) < 0.3, "c"] = np.nan
    y = np.where(X["a"].isna(), 4.0, y)
    test = X.sample(40, random_state=3).reset_index(drop=True)
    test.loc[0:9, ["a", "b", "c"]] = np.nan
    xgb_case(os.path.join(root, "xgb_default_left"), {"objective": "reg:squarederror", "max_depth": 3, "eta": 0.3, "seed": 2},
             X, y, test, rounds=10)

    # base_score forms, binary:logistic (logit link): the array string xgboost 3 writes ...
    Xb = pd.DataFrame({"p": rng.normal(size=500), "q": rng.normal(size=500)})
    yb = (Xb["p"] + 0.5 * rng.normal(size=500) > 0.4).astype(float)
    xgb_case(os.path.join(root, "xgb_base_score_array"), {"objective": "binary:logistic", "max_depth": 2, "seed": 3},
             Xb, yb, Xb.head(20))

    # ... a plain number string, as xgboost 1.x wrote it ...
    def plain(document):
        document["learner"]["learner_model_param"]["base_score"] = "3.5E-1"
    xgb_case(os.path.join(root, "xgb_base_score_plain"), {"objective": "binary:logistic", "max_depth": 2, "seed": 3},
             Xb, yb, Xb.head(20), rewrite=plain)

    # ... and the log link of count:poisson.
    yc = rng.poisson(np.exp(0.5 * Xb["p"] + 0.3))
    xgb_case(os.path.join(root, "xgb_poisson"), {"objective": "count:poisson", "max_depth": 2, "seed": 4},
             Xb, yc, Xb.head(20))

    # multi-class grouping with one base score per class.
    Xm = pd.DataFrame({f"m{i}": rng.normal(size=600) for i in range(4)})
    ym = np.argmax(Xm.values[:, :3] + 0.3 * rng.normal(size=(600, 3)), axis=1)
    xgb_case(os.path.join(root, "xgb_multiclass"), {"objective": "multi:softprob", "num_class": 3, "max_depth": 2, "seed": 5},
             Xm, ym, Xm.head(30), rounds=5)

    # LightGBM: categorical bitsets spanning several 32-bit words (categories up to 69), NaN and
    # zero missing types, and multi-class interleaving.
    n = 3000
    cat = rng.integers(0, 70, size=n)
    effect = np.where(np.isin(cat, [3, 17, 33, 40, 41, 64, 68]), 2.0, 0.0)
    Xl = pd.DataFrame({"x one": rng.normal(size=n), "zeroish": np.where(rng.random(n) < 0.3, 0.0, rng.normal(size=n)), "cat": cat.astype(float)})
    yl = effect + Xl["x one"] + np.where(Xl["zeroish"] == 0, 1.5, Xl["zeroish"])
    Xl.loc[rng.random(n) < 0.2, "x one"] = np.nan
    yl = np.where(Xl["x one"].isna(), yl + 3.0, yl)
    params = {"objective": "regression", "num_leaves": 15, "learning_rate": 0.2, "min_data_per_group": 5, "cat_smooth": 1,
              "max_cat_threshold": 64, "min_data_in_leaf": 5, "verbose": -1, "seed": 6, "deterministic": True, "num_threads": 1}
    booster = lgb.train(params, lgb.Dataset(Xl, label=yl, categorical_feature=["cat"]), num_boost_round=15)
    folder = os.path.join(root, "lgbm_categorical_missing")
    os.makedirs(folder, exist_ok=True)
    booster.save_model(os.path.join(folder, "model.txt"))
    test = Xl.sample(60, random_state=7).reset_index(drop=True)
    test.loc[0:4, "x one"] = np.nan
    test.loc[5:9, "zeroish"] = 0.0
    test.loc[10:12, "cat"] = [np.nan, -1.0, 99.0]
    write_case(folder, test, booster.predict(test, raw_score=True), booster.predict(test, pred_contrib=True), list(Xl.columns))

    ymc = np.argmax(Xm.values[:, :3] + 0.3 * rng.normal(size=(600, 3)), axis=1)
    booster = lgb.train({"objective": "multiclass", "num_class": 3, "num_leaves": 7, "verbose": -1, "seed": 8, "num_threads": 1},
                        lgb.Dataset(Xm, label=ymc), num_boost_round=6)
    folder = os.path.join(root, "lgbm_multiclass")
    os.makedirs(folder, exist_ok=True)
    booster.save_model(os.path.join(folder, "model.txt"))
    test = Xm.head(30)
    contribs = booster.predict(test, pred_contrib=True).reshape(len(test), 3, Xm.shape[1] + 1)
    write_case(folder, test, booster.predict(test, raw_score=True), contribs, list(Xm.columns))

    # XGBoost categorical splits (split_type 1): a category in the node's set goes right, missing
    # takes the default child, categories never seen in training go left.
    n = 2000
    colour = rng.integers(0, 40, size=n)
    Xc = pd.DataFrame({"size": rng.normal(size=n), "colour": pd.Categorical(colour, categories=list(range(40)))})
    yc = np.where(np.isin(colour, [2, 5, 11, 33, 38]), 3.0, 0.0) + Xc["size"]
    Xc.loc[rng.random(n) < 0.1, "colour"] = np.nan
    booster = xgb.train({"objective": "reg:squarederror", "max_depth": 3, "eta": 0.3, "seed": 9, "max_cat_to_onehot": 1},
                        xgb.DMatrix(Xc, label=yc, enable_categorical=True), num_boost_round=8)
    folder = os.path.join(root, "xgb_categorical")
    os.makedirs(folder, exist_ok=True)
    booster.save_model(os.path.join(folder, "model.json"))
    test = Xc.sample(40, random_state=4).reset_index(drop=True)
    test.loc[0:2, "colour"] = np.nan
    test_matrix = xgb.DMatrix(test, enable_categorical=True)
    codes = test.assign(colour=test["colour"].astype(float))
    write_case(folder, codes, booster.predict(test_matrix, output_margin=True),
               booster.predict(test_matrix, pred_contribs=True), list(Xc.columns))

    # LightGBM reads every input with |x| <= kZeroThreshold (the float 1e-35 widened to double:
    # 1.0000000180025095e-35) as exactly 0 before any split sees it (src/c_api.cpp,
    # RowPairFunctionFromDenseMatric; src/io/parser.hpp). Its own rng, so the cases above do not move.
    zero_rng = np.random.default_rng(20261202)
    k_zero = float(np.float32(1e-35))
    assert k_zero == 1.0000000180025095e-35
    n = 2000

    # ... so a split of missing type Zero (zero_as_missing) sends a value between the double 1e-35
    # and kZeroThreshold to its default child, and the next double above kZeroThreshold is compared.
    z = np.where(zero_rng.random(n) < 0.3, 0.0, zero_rng.uniform(0.01, 2.0, size=n))
    Xz = pd.DataFrame({"z": z, "noise": zero_rng.normal(size=n)})
    yz = np.where(z == 0, 3.0, np.where(z < 1, 0.0, 3.0)) + 0.1 * Xz["noise"]
    params = {"objective": "regression", "num_leaves": 4, "learning_rate": 0.5, "zero_as_missing": True, "min_data_in_leaf": 20,
              "verbose": -1, "seed": 10, "deterministic": True, "num_threads": 1}
    booster = lgb.train(params, lgb.Dataset(Xz, label=yz), num_boost_round=3)
    folder = os.path.join(root, "lgbm_zero_missing_type")
    os.makedirs(folder, exist_ok=True)
    booster.save_model(os.path.join(folder, "model.txt"))
    tiny = [0.0, 1e-35, 1.00000001e-35, k_zero, float(np.nextafter(k_zero, np.inf)), 1e-34, -1e-36, -k_zero,
            float(np.nextafter(-k_zero, -np.inf)), 0.5, 1.5, np.nan]
    test = pd.DataFrame({"z": tiny, "noise": [0.0] * len(tiny)})
    write_case(folder, test, booster.predict(test, raw_score=True), booster.predict(test, pred_contrib=True), list(Xz.columns))

    # ... and a split of missing type None at threshold -kZeroThreshold (the upper bound of the
    # last negative bin) sends -kZeroThreshold itself right, as 0; a categorical split reads
    # -0.5 and -1e-40 as category 0 (int truncation of 0).
    w = np.where(zero_rng.random(n) < 0.4, 0.0, zero_rng.normal(size=n))
    c = zero_rng.integers(0, 4, size=n).astype(float)
    Xw = pd.DataFrame({"w": w, "c": c})
    yw = np.where(w < 0, 0.0, 4.0) + np.where(c == 0, 2.0, 0.0)
    params = {"objective": "regression", "num_leaves": 4, "learning_rate": 0.5, "min_data_in_leaf": 20, "min_data_per_group": 5,
              "cat_smooth": 1, "verbose": -1, "seed": 11, "deterministic": True, "num_threads": 1}
    booster = lgb.train(params, lgb.Dataset(Xw, label=yw, categorical_feature=["c"]), num_boost_round=3)
    folder = os.path.join(root, "lgbm_zero_input")
    os.makedirs(folder, exist_ok=True)
    booster.save_model(os.path.join(folder, "model.txt"))
    thresholds = [t for tree in booster.dump_model()["tree_info"] for t in split_thresholds(tree["tree_structure"], 0)]
    assert -k_zero in thresholds, thresholds
    test = pd.DataFrame({"w": [-k_zero, float(np.nextafter(-k_zero, -np.inf)), -1e-36, 0.0, k_zero, -0.5, 0.5],
                         "c": [1.0, 1.0, 1.0, 1.0, 1.0, -0.5, -1e-40]})
    write_case(folder, test, booster.predict(test, raw_score=True), booster.predict(test, pred_contrib=True), list(Xw.columns))

    # Output transforms with a parameter, against LightGBM's own predict(): binary with
    # sigmoid:2.5 (1/(1+exp(-2.5 r))), reg_sqrt (sign(r) r^2) and a custom objective (the raw
    # score). `predicted.csv` holds predict().
    transform_rng = np.random.default_rng(20261203)
    Xt = pd.DataFrame({"u": transform_rng.normal(size=800), "v": transform_rng.normal(size=800)})
    cases = [
        ("lgbm_sigmoid", {"objective": "binary", "sigmoid": 2.5}, (Xt["u"] + 0.5 * transform_rng.normal(size=800) > 0).astype(float)),
        ("lgbm_reg_sqrt", {"objective": "regression", "reg_sqrt": True}, 3 * Xt["u"] * np.abs(Xt["u"]) + Xt["v"]),
    ]
    # A custom objective (a Python function): LightGBM saves no objective line and predicts raw scores.
    def squared_error(predictions, dataset):
        return predictions - dataset.get_label(), np.ones_like(predictions)
    cases.append(("lgbm_custom_objective", {"objective": squared_error}, Xt["u"] - 2 * Xt["v"]))
    for name, objective, label in cases:
        params = {**objective, "num_leaves": 7, "learning_rate": 0.3, "verbose": -1, "seed": 12, "deterministic": True, "num_threads": 1}
        booster = lgb.train(params, lgb.Dataset(Xt, label=label), num_boost_round=5)
        folder = os.path.join(root, name)
        os.makedirs(folder, exist_ok=True)
        booster.save_model(os.path.join(folder, "model.txt"))
        test = Xt.head(30)
        write_case(folder, test, booster.predict(test, raw_score=True), booster.predict(test, pred_contrib=True), list(Xt.columns))
        to_csv(pd.DataFrame({"prediction": booster.predict(test)}), os.path.join(folder, "predicted.csv"))

    # Early stopping: the file keeps every round and records learner.attributes.best_iteration;
    # Booster.predict (the references here) uses every round. `predicted_best.csv` holds the
    # margins of the rounds up to the best one, which the scikit-learn wrapper would predict.
    stopping_rng = np.random.default_rng(20261204)
    Xs = pd.DataFrame({"s": stopping_rng.normal(size=300), "t": stopping_rng.normal(size=300)})
    ys = Xs["s"] + 0.8 * stopping_rng.normal(size=300)
    names = list(Xs.columns)
    train = xgb.DMatrix(Xs.iloc[:200], label=ys.iloc[:200], feature_names=names)
    valid = xgb.DMatrix(Xs.iloc[200:], label=ys.iloc[200:], feature_names=names)
    booster = xgb.train({"objective": "reg:squarederror", "max_depth": 3, "eta": 0.5, "seed": 13, "nthread": 1}, train,
                        num_boost_round=40, evals=[(valid, "valid")], early_stopping_rounds=3, verbose_eval=False)
    assert booster.best_iteration + 1 < booster.num_boosted_rounds(), (booster.best_iteration, booster.num_boosted_rounds())
    folder = os.path.join(root, "xgb_early_stopping")
    os.makedirs(folder, exist_ok=True)
    booster.save_model(os.path.join(folder, "model.json"))
    test = Xs.head(20)
    matrix = xgb.DMatrix(test, feature_names=names)
    write_case(folder, test, booster.predict(matrix, output_margin=True), booster.predict(matrix, pred_contribs=True), names)
    best = booster.predict(matrix, output_margin=True, iteration_range=(0, booster.best_iteration + 1))
    to_csv(pd.DataFrame({"raw_output": best}), os.path.join(folder, "predicted_best.csv"))


def split_thresholds(node, feature):
    """The numerical thresholds of a dumped LightGBM tree's splits on feature index `feature`."""
    if "split_index" not in node:
        return []
    own = [node["threshold"]] if node["split_feature"] == feature and node["decision_type"] == "<=" else []
    return own + split_thresholds(node["left_child"], feature) + split_thresholds(node["right_child"], feature)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "format_rules")
