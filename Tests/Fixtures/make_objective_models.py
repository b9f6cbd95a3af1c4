"""Makes small real exports of every objective XGBoost 3.4 and LightGBM 4.7 document, and a few
scikit-learn exports, as fixtures for ShapDrift's loaders (objectives/README.md lists them).

Each case folder `objectives/<case>/` gets:
- the model: `model.json` (XGBoost, or ShapDrift JSON from our exporter) or `model.txt` (LightGBM);
- `data.csv`: the rows explained, with a header of feature names (NaN as an empty cell);
- `margin.csv`: the library's raw margin (xgboost `predict(output_margin=True)`, LightGBM
  `predict(raw_score=True)`, scikit-learn the raw decision function), one column per output;
- `prediction.csv`: the library's transformed prediction (`predict`), one column per output it
  returns (multi:softmax returns one: the class index);
- `contribs.csv` (one output) or `contribs_output{k}.csv` (several): the library's own SHAP values
  (xgboost `pred_contribs=True`, LightGBM `pred_contrib=True`), columns = feature names + `base_value`;
  scikit-learn cases have `shap.csv` (shap's TreeExplainer / LinearExplainer) instead;
- `case.json`: objective, parameters, outputs, library versions, output transform and base-score link.

The generator checks what case.json claims: applying the stated transform to margin.csv gives
prediction.csv, the contributions add up to the margin, and for XGBoost the margin offset derived
from the contributions equals the stated link applied to the stored base_score.

Deterministic (fixed seeds, one thread, LightGBM deterministic=True). Run with the test
environment's Python (xgboost 3.4.1, lightgbm 4.7.0, scikit-learn 1.9.1, shap 0.54.1):
    .venv-python/bin/python Tests/Fixtures/make_objective_models.py [output folder]
"""
import json
import math
import os
import shutil
import sys
import warnings

import lightgbm as lgb
import numpy as np
import pandas as pd
import shap
import sklearn
import xgboost as xgb

from shapdrift_export import export_model

FEATURES = ["alpha", "beta", "gamma", "delta"]
TRAIN_ROWS = 400
DATA_ROWS = 60

XGB_SOURCE = "xgboost v3.4.1"
LGB_SOURCE = "LightGBM 4.7 (src/ as of v4.6.0.99)"


def to_csv(frame, path):
    """Every number as the shortest decimal that reads back as the same float64; NaN as empty."""
    frame.map(lambda v: "" if pd.isna(v) else repr(float(v))).to_csv(path, index=False, lineterminator="\n")


def columns(values, name):
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        return pd.DataFrame({name: values})
    return pd.DataFrame({f"{name}_output{k}": values[:, k] for k in range(values.shape[1])})


def write_contribs(folder, contribs, names, outputs, file="contribs"):
    contribs = np.asarray(contribs, dtype=np.float64)
    header = list(names) + ["base_value"]
    if outputs == 1:
        to_csv(pd.DataFrame(contribs.reshape(len(contribs), -1), columns=header), os.path.join(folder, f"{file}.csv"))
    else:
        contribs = contribs.reshape(len(contribs), outputs, len(header))
        for k in range(outputs):
            to_csv(pd.DataFrame(contribs[:, k, :], columns=header), os.path.join(folder, f"{file}_output{k}.csv"))


def write_json(document, path):
    with open(path, "w") as handle:
        json.dump(document, handle, indent=1, sort_keys=True, allow_nan=False)
        handle.write("\n")


def fresh_folder(root, case):
    folder = os.path.join(root, case)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


# ---------------------------------------------------------------------------------------------
# Transforms, as the libraries apply them (checked against each case's prediction).

def softplus(x):
    return np.logaddexp(0.0, x)


def apply_transform(name, margin, info):
    margin = np.asarray(margin, dtype=np.float64)
    if name == "identity":
        return margin
    if name == "logistic":
        return 1.0 / (1.0 + np.exp(-info.get("sigmoid", 1.0) * margin))
    if name == "exponential":
        return np.exp(margin)
    if name == "softmax":
        e = np.exp(margin - margin.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if name == "argmax_class_index":
        return margin.argmax(axis=1).astype(np.float64)
    if name == "hinge_step":
        return (margin > 0).astype(np.float64)
    if name == "sort_each_row":
        return np.sort(margin, axis=1)
    if name == "expectile_cumulative_softplus":
        out = margin.copy()
        for j in range(1, margin.shape[1]):
            out[:, j] = out[:, j - 1] + 1e-6 + softplus(margin[:, j])  # kRtEps = 1e-6
        return out
    if name == "softplus":
        return softplus(margin)
    raise ValueError(name)


def check_prediction(case, transform, margin, prediction, info, rtol):
    expected = apply_transform(transform, margin, info)
    prediction = np.asarray(prediction, dtype=np.float64).reshape(expected.shape)
    if transform in ("argmax_class_index", "hinge_step"):
        assert np.array_equal(expected, prediction), case
    else:
        assert np.allclose(expected, prediction, rtol=rtol, atol=rtol), (case, np.max(np.abs(expected - prediction)))


# ---------------------------------------------------------------------------------------------
# Data

def features(rng, rows, missing=True):
    frame = pd.DataFrame({
        "alpha": rng.normal(size=rows),
        "beta": rng.normal(size=rows),
        "gamma": rng.uniform(-2, 2, size=rows),
        "delta": rng.integers(0, 5, size=rows).astype(float),
    })
    if missing:
        frame.loc[rng.random(rows) < 0.12, "beta"] = np.nan
        frame.loc[rng.random(rows) < 0.05, "gamma"] = np.nan
    return frame


def signal(frame):
    beta = frame["beta"].fillna(0.8).to_numpy()
    gamma = frame["gamma"].fillna(-1.0).to_numpy()
    return 0.9 * frame["alpha"].to_numpy() - 0.6 * beta + 0.5 * np.sin(2 * gamma) + 0.3 * frame["delta"].to_numpy() - 0.5


def labels(kind, rng, frame):
    s = signal(frame)
    n = len(frame)
    if kind == "real":
        return s + 0.3 * rng.normal(size=n)
    if kind == "heavy_tailed":
        return s + 0.3 * rng.standard_t(2, size=n)
    if kind == "positive":  # gamma-like, > 0
        return rng.gamma(2.0, np.exp(0.4 * s) / 2.0)
    if kind == "above_minus_one":
        return np.exp(0.5 * s) - 0.5
    if kind == "probability":  # in [0, 1]
        return 1.0 / (1.0 + np.exp(-(s + 0.5 * rng.normal(size=n))))
    if kind == "binary":
        return (rng.random(n) < 1.0 / (1.0 + np.exp(-2 * s))).astype(float)
    if kind == "count":
        return rng.poisson(np.exp(0.5 * s)).astype(float)
    if kind == "tweedie":  # compound Poisson-gamma: exact zeros and positive values
        counts = rng.poisson(np.exp(0.4 * s))
        return np.array([rng.gamma(2.0, 1.0, size=c).sum() for c in counts])
    if kind == "multiclass":
        return np.digitize(s + 0.4 * rng.normal(size=n), [-0.7, 0.3]).astype(float)
    if kind == "relevance":
        return np.digitize(s + 0.5 * rng.normal(size=n), [-1.0, 0.0, 1.0]).astype(float)
    raise ValueError(kind)


def query_groups(rows, size=20):
    return np.repeat(np.arange(rows // size), size)


# ---------------------------------------------------------------------------------------------
# XGBoost

# objective → (label kind, extra params, output transform, base-score link, note)
XGB_OBJECTIVES = {
    "reg:squarederror": ("real", {}, "identity", "identity", "base_score = label mean (FitInterceptGlmLike); src/objective/regression_loss.h LinearSquareLoss"),
    "reg:squaredlogerror": ("above_minus_one", {}, "identity", "identity",
                            "prediction is the margin itself (SquaredLogError::PredTransform is the identity); base_score from one Newton step from 0 (FitIntercept)"),
    "reg:logistic": ("probability", {}, "logistic", "logit",
                     "base_score = label mean, clamped to [1e-6, 1-1e-6] before the logit (LogisticRegression::ProbToMargin)"),
    "reg:pseudohubererror": ("heavy_tailed", {"huber_slope": 1.0}, "identity", "identity",
                             "base_score from one Newton step from 0 (FitIntercept, src/objective/init_estimation.cc)"),
    "reg:absoluteerror": ("heavy_tailed", {}, "identity", "identity",
                          "base_score = label mean + one smoothed-L1 Newton step (MeanAbsoluteError::InitEstimation in src/objective/regression_obj.cu): not the median"),
    "reg:quantileerror": ("real", {"quantile_alpha": [0.1, 0.5, 0.9]}, "sort_each_row", "identity",
                          "one output per quantile_alpha; base_score = the label quantiles (vector); predict() sorts each row's outputs ascending (QuantileRegression::PredTransform, src/objective/quantile_obj.cu); output_margin is unsorted"),
    "reg:expectileerror": ("real", {"expectile_alpha": [0.2, 0.8]}, "expectile_cumulative_softplus", "expectile_inverse",
                           "one output per expectile_alpha; prediction_j = margin_0 + sum_{k=1..j} (1e-6 + softplus(margin_k)); margin offset_0 = base_score_0, offset_j = softplus^-1(base_score_j - base_score_{j-1} - 1e-6) (ExpectileRegression in src/objective/regression_obj.cu). Outputs are not separable: SHAP of each margin is still exact"),
    "binary:logistic": ("binary", {}, "logistic", "logit", "base_score = positive share, clamped to [1e-6, 1-1e-6] before the logit"),
    "binary:logitraw": ("binary", {}, "identity", "identity",
                        "predict() returns the margin. base_score = the positive share (FitInterceptGlmLike: label mean, as binary:logistic), "
                        "but LogisticRaw::ProbToMargin is the identity, so that share is used as the margin offset as it stands"),
    "binary:hinge": ("binary", {}, "hinge_step", "identity",
                     "predict() = 1 if margin > 0 else 0 (HingeObj::PredTransform, src/objective/hinge.cu); base_score is the Newton stump pushed through that step, so it is stored as 0 or 1, and used as the margin offset unchanged (no ProbToMargin)"),
    "count:poisson": ("count", {"max_delta_step": 0.7}, "exponential", "log", "base_score = label mean; margin offset = log(base_score)"),
    "survival:cox": ("cox", {}, "exponential", "log",
                     "labels: survival time, negative = right-censored; predict() = hazard ratio exp(margin) (CoxRegression::PredTransform); base_score from one Newton step from 0 then exp() (FitIntercept), margin offset = log(base_score)"),
    "survival:aft": ("aft", {"aft_loss_distribution": "normal", "aft_loss_distribution_scale": 1.2}, "exponential", "log",
                     "labels are label_lower_bound / label_upper_bound (+inf = right-censored); predict() = exp(margin), the predicted survival time (AFTObj::PredTransform, src/objective/aft_obj.cu); no InitEstimation: base_score is the default 0.5, margin offset log(0.5)"),
    "multi:softmax": ("multiclass", {"num_class": 3}, "argmax_class_index", "identity",
                      "predict() = index of the largest margin (one column); base_score is a vector stored in margin space: log(class share) minus its mean (SoftmaxMultiClassObj::InitEstimation, src/objective/multiclass_obj.cu)"),
    "multi:softprob": ("multiclass", {"num_class": 3}, "softmax", "identity",
                       "base_score as multi:softmax: per-class log share centred, already margins"),
    "rank:ndcg": ("relevance", {"lambdarank_pair_method": "topk"}, "identity", "identity",
                  "query groups (qid); base_score from one Newton step from 0 on the lambda gradients (FitIntercept): ~0"),
    "rank:map": ("binary", {}, "identity", "identity", "binary relevance, query groups; base_score as rank:ndcg"),
    "rank:pairwise": ("relevance", {}, "identity", "identity", "query groups; base_score as rank:ndcg"),
    "reg:gamma": ("positive", {}, "exponential", "log", "base_score = label mean; margin offset = log(base_score)"),
    "reg:tweedie": ("tweedie", {"tweedie_variance_power": 1.5}, "exponential", "log", "base_score = label mean; margin offset = log(base_score)"),
}

XGB_TRANSFORM_SOURCE = {
    "reg:squarederror": "src/objective/regression_loss.h (LinearSquareLoss)",
    "reg:squaredlogerror": "src/objective/regression_loss.h (SquaredLogError)",
    "reg:logistic": "src/objective/regression_loss.h (LogisticRegression)",
    "reg:pseudohubererror": "src/objective/regression_obj.cu (PseudoHuberRegression: no PredTransform)",
    "reg:absoluteerror": "src/objective/regression_obj.cu (MeanAbsoluteError: no PredTransform)",
    "reg:quantileerror": "src/objective/quantile_obj.cu (QuantileRegression)",
    "reg:expectileerror": "src/objective/regression_obj.cu (ExpectileRegression)",
    "binary:logistic": "src/objective/regression_loss.h (LogisticClassification)",
    "binary:logitraw": "src/objective/regression_loss.h (LogisticRaw)",
    "binary:hinge": "src/objective/hinge.cu (HingeObj)",
    "count:poisson": "src/objective/regression_obj.cu (PoissonRegression)",
    "survival:cox": "src/objective/regression_obj.cu (CoxRegression)",
    "survival:aft": "src/objective/aft_obj.cu (AFTObj)",
    "multi:softmax": "src/objective/multiclass_obj.cu (SoftmaxMultiClassObj)",
    "multi:softprob": "src/objective/multiclass_obj.cu (SoftmaxMultiClassObj)",
    "rank:ndcg": "src/objective/lambdarank_obj.cc (LambdaRankNDCG, FitIntercept)",
    "rank:map": "src/objective/lambdarank_obj.cc (LambdaRankMAP, FitIntercept)",
    "rank:pairwise": "src/objective/lambdarank_obj.cc (LambdaRankPairwise, FitIntercept)",
    "reg:gamma": "src/objective/regression_loss.h (GammaDeviance)",
    "reg:tweedie": "src/objective/regression_obj.cu (TweedieRegression)",
}


def base_score_vector(document):
    text = document["learner"]["learner_model_param"]["base_score"]
    return np.atleast_1d(np.asarray(json.loads(text) if text.startswith("[") else float(text), dtype=np.float64))


def margin_offset(link, base_score):
    """The stated base-score link applied (float32 like xgboost, then widened)."""
    b = np.asarray(base_score, dtype=np.float32)
    if link == "identity":
        return b.astype(np.float64)
    if link == "logit":
        b = np.clip(b, np.float32(1e-6), np.float32(1 - 1e-6))
        return np.log(b / (1 - b)).astype(np.float64)
    if link == "log":
        return np.log(b).astype(np.float64)
    if link == "expectile_inverse":
        out = b.astype(np.float64).copy()
        for j in range(len(b) - 1, 0, -1):
            gap = float(b[j]) - float(b[j - 1]) - 1e-6
            out[j] = math.log(math.expm1(gap))
        return out
    raise ValueError(link)


def tree_expectations(document, outputs):
    """Σ over trees of Σ leaf·cover / root cover, per output (DART trees weighted by weight_drop)."""
    model = document["learner"]["gradient_booster"]["model"]
    weights = model.get("weight_drop") or [1.0] * len(model["trees"])
    total = np.zeros(outputs)
    for tree, group, weight in zip(model["trees"], model["tree_info"], weights):
        left = np.array(tree["left_children"])
        cover = np.array(tree["sum_hessian"], dtype=np.float64)
        leaf = left == -1
        values = np.array(tree["split_conditions"], dtype=np.float64)
        total[group] += weight * np.sum(values[leaf] * cover[leaf]) / cover[0]
    return total


def xgb_labels(objective_kind, rng, frame):
    if objective_kind == "cox":
        time = np.exp(-0.5 * signal(frame) + 0.3 * rng.normal(size=len(frame)))
        censored = rng.random(len(frame)) < 0.25
        return np.where(censored, -time, time), {}
    if objective_kind == "aft":
        time = np.exp(0.5 * signal(frame) + 0.3 * rng.normal(size=len(frame)))
        censored = rng.random(len(frame)) < 0.25
        lower = time
        upper = np.where(censored, np.inf, time)
        return None, {"label_lower_bound": lower, "label_upper_bound": upper}
    return labels(objective_kind, rng, frame), {}


def xgb_case(root, case, params, kind, transform, link, note, transform_source, rounds=6, seed=0,
             numpy_input=False, refused=None, extra_info=None):
    rng = np.random.default_rng(seed)
    train = features(rng, TRAIN_ROWS)
    data = features(rng, DATA_ROWS)
    label, bounds = xgb_labels(kind, rng, train)
    names = None if numpy_input else FEATURES
    qid = query_groups(TRAIN_ROWS) if params.get("objective", "").startswith("rank:") else None
    train_matrix = xgb.DMatrix(train.to_numpy() if numpy_input else train, label=label, qid=qid, missing=np.nan)
    for key, value in bounds.items():
        train_matrix.set_float_info(key, value)
    params = {"nthread": 1, "seed": seed, "max_depth": 3, "eta": 0.3, "tree_method": "hist", **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # booster="dart" is deprecated in 3.4 (still documented)
        booster = xgb.train(params, train_matrix, num_boost_round=rounds)
    folder = fresh_folder(root, case)
    path = os.path.join(folder, "model.json")
    booster.save_model(path)
    with open(path) as handle:
        document = json.load(handle)
    matrix = xgb.DMatrix(data.to_numpy() if numpy_input else data, missing=np.nan)
    margin = booster.predict(matrix, output_margin=True)
    prediction = booster.predict(matrix)
    outputs = 1 if margin.ndim == 1 else margin.shape[1]
    header = names if names is not None else [f"f{i}" for i in range(len(FEATURES))]
    to_csv(data.set_axis(header, axis=1), os.path.join(folder, "data.csv"))
    to_csv(columns(margin, "margin"), os.path.join(folder, "margin.csv"))
    to_csv(columns(prediction, "prediction"), os.path.join(folder, "prediction.csv"))
    info = {
        "case": case, "library": "xgboost", "library_version": xgb.__version__, "objective": params.get("objective", "reg:squarederror"),
        "booster": document["learner"]["gradient_booster"]["name"], "params": params, "num_boost_round": rounds,
        "n_outputs": outputs, "n_features": len(FEATURES), "feature_names": document["learner"].get("feature_names") or None,
        "data_columns": header, "output_transform": transform, "transform_source": f"{XGB_SOURCE} {transform_source}",
        "base_score_stored": base_score_vector(document).tolist(), "base_score_link": link, "notes": note,
        "prediction_columns": 1 if prediction.ndim == 1 else prediction.shape[1],
    }
    check_prediction(case, transform, margin, prediction, {}, rtol=2e-6)
    if refused:
        info["shapdrift_expected"] = f"refused: {refused}"
    else:
        info["shapdrift_expected"] = "loaded; explain matches contribs"
    try:
        contribs = booster.predict(matrix, pred_contribs=True)
    except xgb.core.XGBoostError as error:
        info["contribs"] = f"xgboost refuses pred_contribs: {str(error).splitlines()[0][:200]}"
        contribs = None
    if contribs is not None:
        write_contribs(folder, contribs, header, outputs)
        sums = np.asarray(contribs, dtype=np.float64).reshape(len(data), outputs, -1).sum(axis=2)
        assert np.allclose(sums, np.asarray(margin).reshape(len(data), outputs), rtol=1e-5, atol=1e-4), case
        if document["learner"]["gradient_booster"]["name"] == "gbtree" and "trees" in document["learner"]["gradient_booster"]["model"] \
                and not refused:
            bias = np.asarray(contribs, dtype=np.float64).reshape(len(data), outputs, -1)[0, :, -1]
            derived = bias - tree_expectations(document, outputs)
            stated = margin_offset(link, base_score_vector(document)) * np.ones(outputs)
            assert np.allclose(derived, stated, rtol=1e-5, atol=1e-5), (case, derived, stated)
            info["margin_offset"] = stated.tolist()
    if extra_info:
        info.update(extra_info(document) if callable(extra_info) else extra_info)
    write_json(info, os.path.join(folder, "case.json"))


def xgb_cases(root):
    for objective, (kind, extra, transform, link, note) in XGB_OBJECTIVES.items():
        case = "xgb_" + objective.replace(":", "_")
        xgb_case(root, case, {"objective": objective, **extra}, kind, transform, link, note, XGB_TRANSFORM_SOURCE[objective],
                 seed=len(case))

    def dart_info(document):
        weights = document["learner"]["gradient_booster"]["model"]["weight_drop"]
        return {"weight_drop": weights,
                "weight_drop_rule": (
                    "xgboost 3.4 saves a DART model as booster name \"gbtree\" with learner.gradient_booster.model.weight_drop "
                    "(one float per tree; older versions wrote booster \"dart\" with weight_drop beside the tree model, "
                    "read by GBTree::LoadModel in src/gbm/gbtree.cc). Prediction is base margin + sum_i weight_drop[i] * "
                    "tree_i(x): src/predictor/cpu_predictor.cc PredictBlockByAllTrees multiplies each tree's leaf by "
                    "tree_weights[tree_id] = model.TreeWeights(); dropout happens only while training "
                    "(GBTree::DropTrees returns no override when is_training is false). pred_contribs scales every "
                    "tree's contributions and its expectation by the same weight (src/predictor/interpretability/shap.cc). "
                    "Leaf values in split_conditions are NOT pre-scaled.")}
    xgb_case(root, "xgb_dart", {"objective": "reg:squarederror", "booster": "dart", "rate_drop": 0.3, "skip_drop": 0.0,
                                 "sample_type": "uniform", "normalize_type": "tree"}, "real", "identity", "identity",
             "DART: trees weighted by weight_drop at prediction", "src/gbm/gbtree.cc, src/predictor/cpu_predictor.cc",
             rounds=8, seed=101, extra_info=dart_info)
    xgb_case(root, "xgb_gblinear", {"objective": "reg:squarederror", "booster": "gblinear", "updater": "coord_descent"},
             "real", "identity", "identity", "a linear booster: no trees (learner.gradient_booster.model.weights)",
             "src/gbm/gblinear.cc", seed=102, refused="booster gblinear (not a tree model)")
    xgb_case(root, "xgb_numpy_no_names", {"objective": "binary:logistic"}, "binary", "logistic", "logit",
             "trained on a NumPy array: learner.feature_names is empty; data.csv's header is f0..f3",
             "src/objective/regression_loss.h (LogisticClassification)", seed=103, numpy_input=True)
    xgb_case(root, "xgb_multi_output_tree", {"objective": "multi:softprob", "num_class": 3, "multi_strategy": "multi_output_tree"},
             "multiclass", "softmax", "identity",
             "multi_strategy=multi_output_tree: one tree per round with a vector leaf (size_leaf_vector = 3)",
             "src/objective/multiclass_obj.cu", seed=104, refused="vector-leaf trees (multi_strategy=multi_output_tree)")


# ---------------------------------------------------------------------------------------------
# LightGBM

# objective → (label kind, extra params, output transform, init score ("boost from average", raw space), source)
LGB_OBJECTIVES = {
    "regression": ("real", {}, "identity", "mean of the labels", "regression_objective.hpp RegressionL2loss (ConvertOutput: identity unless reg_sqrt, then sign(x)·x²)"),
    "regression_l1": ("heavy_tailed", {}, "identity", "weighted median of the labels (leaf outputs renewed to residual medians)", "regression_objective.hpp RegressionL1loss"),
    "huber": ("heavy_tailed", {"alpha": 0.9}, "identity", "mean of the labels (inherits RegressionL2loss::BoostFromScore)", "regression_objective.hpp RegressionHuberLoss"),
    "fair": ("heavy_tailed", {"fair_c": 1.0}, "identity", "mean of the labels (inherits RegressionL2loss::BoostFromScore)", "regression_objective.hpp RegressionFairLoss"),
    "poisson": ("count", {}, "exponential", "log(mean of the labels) (SafeLog)", "regression_objective.hpp RegressionPoissonLoss"),
    "quantile": ("real", {"alpha": 0.7}, "identity", "weighted alpha-quantile of the labels (leaf outputs renewed)", "regression_objective.hpp RegressionQuantileloss"),
    "mape": ("positive", {}, "identity", "median of the labels weighted by 1/max(1, |label|) (leaf outputs renewed)", "regression_objective.hpp RegressionMAPELOSS"),
    "gamma": ("positive", {}, "exponential", "log(mean of the labels) (inherits RegressionPoissonLoss)", "regression_objective.hpp RegressionGammaLoss"),
    "tweedie": ("tweedie", {"tweedie_variance_power": 1.3}, "exponential", "log(mean of the labels) (inherits RegressionPoissonLoss)", "regression_objective.hpp RegressionTweedieLoss"),
    "binary": ("binary", {"sigmoid": 1.0}, "logistic", "log(p/(1-p))/sigmoid, p = positive share clamped to [1e-15, 1-1e-15]", "binary_objective.hpp BinaryLogloss (ConvertOutput 1/(1+exp(-sigmoid·x)))"),
    "multiclass": ("multiclass", {"num_class": 3}, "softmax", "per class: log(class share) (not centred; kEpsilon floor)", "multiclass_objective.hpp MulticlassSoftmax"),
    "multiclassova": ("multiclass", {"num_class": 3, "sigmoid": 1.0}, "logistic", "per class: that class's binary log-odds / sigmoid", "multiclass_objective.hpp MulticlassOVA (ConvertOutput: a sigmoid per class, no normalisation)"),
    "cross_entropy": ("probability", {}, "logistic", "log(p/(1-p)), p = mean label (clamped)", "xentropy_objective.hpp CrossEntropy"),
    "cross_entropy_lambda": ("probability", {}, "softplus", "log(expm1(mean label))", "xentropy_objective.hpp CrossEntropyLambda (ConvertOutput log1p(exp(x)))"),
    "lambdarank": ("relevance", {}, "identity", "none: 0 (ObjectiveFunction::BoostFromScore default)", "rank_objective.hpp LambdarankNDCG"),
    "rank_xendcg": ("relevance", {"objective_seed": 5}, "identity", "none: 0", "rank_objective.hpp RankXENDCG"),
}


class LightGBMLog:
    """Collects LightGBM's log lines (lgb.register_logger): the start score is only logged."""
    def __init__(self):
        self.lines = []

    def info(self, message):
        self.lines.append(message)

    warning = info


LGB_LOG = LightGBMLog()


def lightgbm_start_scores(params, train_set):
    """The "Start training from score %lf" values LightGBM logs (one per class; none when the
    init score is 0), from a one-round rerun with verbose=1."""
    LGB_LOG.lines.clear()
    lgb.train({**params, "verbose": 1}, train_set, num_boost_round=1)
    scores = [float(line.rsplit(" ", 1)[1]) for line in LGB_LOG.lines if "Start training from score" in line]
    LGB_LOG.lines.clear()
    return scores


def expected_start_scores(objective, params, label):
    """(low, high) bounds per class of BoostFromScore as LightGBM's source defines it."""
    logit = lambda p: math.log(p / (1 - p))
    clamp = lambda p: min(max(p, 1e-15), 1 - 1e-15)
    if objective in ("regression", "huber", "fair"):
        values = [label.mean()]
    elif objective in ("poisson", "gamma", "tweedie"):
        values = [math.log(label.mean())]
    elif objective == "binary":
        values = [logit(clamp(label.mean())) / params.get("sigmoid", 1.0)]
    elif objective == "multiclass":
        values = [math.log(np.mean(label == k)) for k in range(params["num_class"])]
    elif objective == "multiclassova":
        values = [logit(clamp(np.mean(label == k))) / params.get("sigmoid", 1.0) for k in range(params["num_class"])]
    elif objective == "cross_entropy":
        values = [logit(clamp(label.mean()))]
    elif objective == "cross_entropy_lambda":
        values = [math.log(math.expm1(label.mean()))]
    elif objective in ("lambdarank", "rank_xendcg"):
        return []
    elif objective in ("regression_l1", "quantile", "mape"):
        alpha = params.get("alpha", 0.9) if objective == "quantile" else 0.5
        weights = 1.0 / np.maximum(1.0, np.abs(label)) if objective == "mape" else np.ones_like(label)
        order = np.argsort(label, kind="stable")
        cumulative = np.cumsum(weights[order]) / weights.sum()
        at = int(np.searchsorted(cumulative, alpha))
        low, high = label[order][max(at - 1, 0)], label[order][min(at + 1, len(label) - 1)]
        return [(low, high)]  # a percentile between the neighbouring order statistics
    else:
        raise ValueError(objective)
    return [(v, v) for v in values]


def lgb_case(root, case, params, kind, transform, init_score, source, rounds=5, seed=0, rows=TRAIN_ROWS, numpy_input=False,
             refused=None, note="", missing=True, check=None):
    rng = np.random.default_rng(seed)
    train = features(rng, rows, missing=missing)
    data = features(rng, DATA_ROWS, missing=missing)
    label = labels(kind, rng, train)
    group = [20] * (rows // 20) if params.get("objective") in ("lambdarank", "rank_xendcg") else None
    params = {"num_threads": 1, "deterministic": True, "force_col_wise": True, "seed": seed, "verbose": -1,
              "num_leaves": 7, "learning_rate": 0.3, "min_data_in_leaf": 10, **params}
    train_set = lgb.Dataset(train.to_numpy() if numpy_input else train, label=label, group=group, free_raw_data=False)
    booster = lgb.train(params, train_set, num_boost_round=rounds)
    logged = lightgbm_start_scores(params, train_set)
    bounds = expected_start_scores(params["objective"], params, label)
    assert len(logged) == len(bounds) and all(low - 1e-6 <= v <= high + 1e-6 for v, (low, high) in zip(logged, bounds)), \
        (case, logged, bounds)
    folder = fresh_folder(root, case)
    path = os.path.join(folder, "model.txt")
    booster.save_model(path)
    names = booster.feature_name()
    X = data.to_numpy() if numpy_input else data
    margin = booster.predict(X, raw_score=True)
    prediction = booster.predict(X)
    outputs = 1 if np.ndim(margin) == 1 else margin.shape[1]
    to_csv(data.set_axis(names, axis=1), os.path.join(folder, "data.csv"))
    to_csv(columns(margin, "margin"), os.path.join(folder, "margin.csv"))
    to_csv(columns(prediction, "prediction"), os.path.join(folder, "prediction.csv"))
    contribs_note = None
    try:
        contribs = booster.predict(X, pred_contrib=True)
    except lgb.basic.LightGBMError as error:
        contribs_note = f"LightGBM refuses pred_contrib: {str(error).splitlines()[0][:200]}"
    else:
        write_contribs(folder, contribs, names, outputs)
        sums = np.asarray(contribs).reshape(len(data), outputs, -1).sum(axis=2)
        assert np.allclose(sums, np.asarray(margin).reshape(len(data), outputs), rtol=1e-9, atol=1e-9), case
    check_prediction(case, transform, margin, prediction, params, rtol=1e-12)
    text = open(path).read()
    info = {
        "case": case, "library": "lightgbm", "library_version": lgb.__version__, "objective": params.get("objective", "regression"),
        "objective_line": next(line for line in text.splitlines() if line.startswith("objective=")),
        "params": params, "num_boost_round": rounds, "n_outputs": outputs, "n_features": len(FEATURES),
        "feature_names": names, "trained_on_numpy": numpy_input, "output_transform": transform,
        "transform_source": f"{LGB_SOURCE} src/objective/{source}",
        "init_score": init_score + ("; added to the first iteration's leaf values (src/boosting/gbdt.cpp GBDT::BoostFromAverage, "
                                    "Tree::AddBias): model.txt has no separate base score"),
        "init_score_logged": logged or [0.0],
        "notes": note, "shapdrift_expected": f"refused: {refused}" if refused else "loaded; explain matches contribs",
    }
    if contribs_note:
        info["contribs"] = contribs_note
    if check:
        info.update(check(text, booster))
    write_json(info, os.path.join(folder, "case.json"))


def lgb_cases(root):
    for objective, (kind, extra, transform, init_score, source) in LGB_OBJECTIVES.items():
        lgb_case(root, f"lgb_{objective}", {"objective": objective, **extra}, kind, transform, init_score, source, seed=len(objective))

    def infinite_thresholds(text, booster):
        lines = [line for line in text.splitlines() if line.startswith("threshold=")]
        count = sum(token in ("inf", "-inf") for line in lines for token in line[len("threshold="):].split(" "))
        assert count > 0, "no inf threshold: tune the lgb_regression_nan_deep case"
        return {"inf_thresholds": count,
                "inf_note": "threshold lines hold the token `inf` (LightGBM writes doubles with %g-like formatting, "
                            "src/io/tree.cpp Tree::ToString via Common::ArrayToString): x <= inf is true for every number"}
    lgb_case(root, "lgb_regression_nan_deep", {"objective": "regression", "num_leaves": 63, "min_data_in_leaf": 1,
                                               "min_sum_hessian_in_leaf": 0.0, "learning_rate": 0.2, "max_bin": 15},
             "real", "identity", "mean of the labels", "regression_objective.hpp RegressionL2loss", rounds=6, seed=201, rows=1200,
             note="NaNs in training, deep leaf-wise trees: some thresholds are +inf (a split between the last numeric bin and NaN)",
             check=infinite_thresholds)
    lgb_case(root, "lgb_linear_tree", {"objective": "regression", "linear_tree": True}, "real", "identity", "mean of the labels",
             "regression_objective.hpp RegressionL2loss", seed=202, refused="linear trees (is_linear=1)",
             note="linear_tree=True: leaves hold linear models (leaf_const, leaf_coeff, leaf_features)")
    lgb_case(root, "lgb_numpy_no_names", {"objective": "binary"}, "binary", "logistic", "log(p/(1-p))/sigmoid",
             "binary_objective.hpp BinaryLogloss", seed=203, numpy_input=True,
             note="trained on a NumPy array: LightGBM names the features Column_0..Column_3 (feature_names= line)")
    lgb_case(root, "lgb_dart", {"objective": "regression", "boosting": "dart", "drop_rate": 0.3, "skip_drop": 0.0,
                                "drop_seed": 4}, "real", "identity", "mean of the labels", "regression_objective.hpp RegressionL2loss",
             rounds=8, seed=204,
             note="DART: dropped trees are rescaled in place while training (src/boosting/dart.hpp DART::Normalize calls "
                  "Tree::Shrinkage), so model.txt's leaf values are final: prediction is the plain sum")


# ---------------------------------------------------------------------------------------------
# scikit-learn, through shapdrift_export

def sklearn_cases(root):
    from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingRegressor

    rng = np.random.default_rng(301)
    train = features(rng, TRAIN_ROWS)
    missing = train["beta"].isna().to_numpy()
    y = labels("real", rng, train) + 6.0 * missing  # missingness matters: splits "on NaNs", threshold +inf
    model = HistGradientBoostingRegressor(max_iter=8, max_depth=3, random_state=0).fit(train, y)
    data = features(rng, DATA_ROWS)
    folder = fresh_folder(root, "sklearn_hgb_nan")
    path = export_model(model, os.path.join(folder, "model.json"))
    document = json.load(open(path))
    infinite = sum(math.isinf(t) for tree in document["tree_ensemble"]["trees"] for t in tree["threshold"])
    assert infinite > 0, "no +inf threshold: tune sklearn_hgb_nan"
    to_csv(data, os.path.join(folder, "data.csv"))
    to_csv(columns(model.predict(data), "margin"), os.path.join(folder, "margin.csv"))
    to_csv(columns(model.predict(data), "prediction"), os.path.join(folder, "prediction.csv"))
    explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
    values = np.asarray(explainer.shap_values(data))
    frame = pd.DataFrame(values, columns=FEATURES).assign(base_value=float(np.ravel(explainer.expected_value)[0]))
    assert np.allclose(frame.sum(axis=1), model.predict(data), atol=1e-9)
    to_csv(frame, os.path.join(folder, "shap.csv"))
    write_json({"case": "sklearn_hgb_nan", "library": "scikit-learn", "library_version": sklearn.__version__,
                "shap_version": shap.__version__, "estimator": "HistGradientBoostingRegressor",
                "params": {"max_iter": 8, "max_depth": 3, "random_state": 0}, "n_outputs": 1, "n_features": len(FEATURES),
                "feature_names": FEATURES, "output_transform": "identity", "infinite_thresholds": infinite,
                "shap": "TreeExplainer(feature_perturbation='tree_path_dependent')",
                "notes": "trained with NaNs in beta and gamma; splits on NaNs have threshold Infinity in model.json",
                "shapdrift_expected": "loaded; explain matches shap.csv"}, os.path.join(folder, "case.json"))

    # A tree model, not a linear one: a linear fit runs in BLAS, whose kernels (chosen by CPU)
    # round differently, and this folder must regenerate byte for byte on any machine.
    rng = np.random.default_rng(302)
    train = features(rng, TRAIN_ROWS, missing=False)
    label = labels("binary", rng, train)
    model = GradientBoostingClassifier(n_estimators=10, max_depth=3, learning_rate=0.3, random_state=0).fit(train.to_numpy(), label)
    assert not hasattr(model, "feature_names_in_")
    data = features(rng, DATA_ROWS, missing=False)
    folder = fresh_folder(root, "sklearn_gbc_numpy_no_names")
    path = export_model(model, os.path.join(folder, "model.json"))
    assert json.load(open(path))["feature_names"] is None
    X = data.to_numpy()
    to_csv(data, os.path.join(folder, "data.csv"))
    to_csv(columns(model.decision_function(X), "margin"), os.path.join(folder, "margin.csv"))
    to_csv(columns(model.predict_proba(X)[:, 1], "prediction"), os.path.join(folder, "prediction.csv"))
    explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
    values = np.asarray(explainer.shap_values(X))
    frame = pd.DataFrame(values, columns=FEATURES).assign(base_value=float(np.ravel(explainer.expected_value)[0]))
    assert np.allclose(frame.sum(axis=1), model.decision_function(X), atol=1e-9)
    to_csv(frame, os.path.join(folder, "shap.csv"))
    write_json({"case": "sklearn_gbc_numpy_no_names", "library": "scikit-learn", "library_version": sklearn.__version__,
                "shap_version": shap.__version__, "estimator": "GradientBoostingClassifier",
                "params": {"n_estimators": 10, "max_depth": 3, "learning_rate": 0.3, "random_state": 0}, "n_outputs": 1,
                "n_features": len(FEATURES), "feature_names": None, "data_columns": FEATURES, "output_transform": "logistic",
                "shap": "TreeExplainer(feature_perturbation='tree_path_dependent'), in log-odds (decision_function)",
                "notes": "fitted on a NumPy array: no feature_names_in_, so model.json has \"feature_names\": null; data.csv still has a header",
                "shapdrift_expected": "loaded; explain matches shap.csv, columns taken in order"},
               os.path.join(folder, "case.json"))


def main(root):
    os.makedirs(root, exist_ok=True)
    lgb.register_logger(LGB_LOG)
    xgb_cases(root)
    lgb_cases(root)
    sklearn_cases(root)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "objectives"))
