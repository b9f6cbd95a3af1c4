"""Writes models in the ShapDrift JSON schema (docs/shapdrift-json.md in the ShapDrift repository).

Output spaces follow shap's TreeExplainer and LinearExplainer: regressors their prediction,
GradientBoosting*, HistGradientBoosting* and logistic models their raw decision function
(log-odds, or per-class margins), RandomForest/ExtraTrees/DecisionTree classifiers their class
probabilities (one output per class).
"""
import json
import os

import numpy as np

SCHEMA_VERSION = 1

SUPPORTED_ESTIMATORS = (
    "LinearRegression", "Ridge", "Lasso", "ElasticNet", "LogisticRegression",
    "DecisionTreeRegressor", "DecisionTreeClassifier", "RandomForestRegressor", "RandomForestClassifier",
    "ExtraTreesRegressor", "ExtraTreesClassifier", "GradientBoostingRegressor", "GradientBoostingClassifier",
    "HistGradientBoostingRegressor", "HistGradientBoostingClassifier",
    "Pipeline(StandardScaler, linear model)", "xgboost.Booster / XGBModel", "lightgbm.Booster / LGBMModel",
)

_LINEAR = {"LinearRegression", "Ridge", "Lasso", "ElasticNet", "LogisticRegression"}
_FORESTS = {"RandomForestRegressor", "RandomForestClassifier", "ExtraTreesRegressor", "ExtraTreesClassifier"}


def export_model(model, path, feature_names=None, feature_means=None):
    """Writes `model` to `path` for ShapDrift and returns the path.

    scikit-learn models are written in the ShapDrift JSON schema; XGBoost and LightGBM models in
    their native formats (`save_model`), which ShapDrift reads directly.

    feature_names: names in model order; default `feature_names_in_` (set when the model was
        trained on a pandas DataFrame), else none (ShapDrift then takes data columns in order).
    feature_means: for linear models, the training means to measure attributions from (linear
        SHAP's background), so `shapdrift explain` needs no `--background`.
    Raises TypeError for any other kind of model, naming the supported ones.
    """
    path = os.fspath(path)
    native = _save_native(model, path)
    if native:
        return path
    document = model_document(model, feature_names=feature_names, feature_means=feature_means)
    temporary = f"{path}.tmp"
    with open(temporary, "w") as handle:
        json.dump(document, handle, allow_nan=False)
        handle.write("\n")
    os.replace(temporary, path)
    return path


def model_document(model, feature_names=None, feature_means=None):
    """The ShapDrift JSON document of a scikit-learn model, as a dict."""
    name = type(model).__name__
    if name == "Pipeline":
        return _pipeline_document(model, feature_names, feature_means)
    if name in _LINEAR:
        coefficients = np.atleast_2d(np.asarray(model.coef_, dtype=np.float64))
        intercept = np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64)) * np.ones(coefficients.shape[0])
        return _linear_document(model, coefficients, intercept, feature_names, feature_means)
    if name in ("DecisionTreeRegressor", "DecisionTreeClassifier") or name in _FORESTS:
        return _forest_document(model, feature_names)
    if name in ("GradientBoostingRegressor", "GradientBoostingClassifier"):
        return _gradient_boosting_document(model, feature_names)
    if name in ("HistGradientBoostingRegressor", "HistGradientBoostingClassifier"):
        return _hist_gradient_boosting_document(model, feature_names)
    raise TypeError(f"cannot export {type(model).__module__}.{name}; supported: {', '.join(SUPPORTED_ESTIMATORS)}")


def _save_native(model, path):
    module = type(model).__module__
    if module.startswith("xgboost"):
        booster = model.get_booster() if hasattr(model, "get_booster") else model
        booster.save_model(path)
        return True
    if module.startswith("lightgbm"):
        booster = model.booster_ if hasattr(model, "booster_") else model
        booster.save_model(path)
        return True
    return False


def _names(model, feature_names, count):
    if feature_names is None and hasattr(model, "feature_names_in_"):
        feature_names = model.feature_names_in_
    if feature_names is None:
        return None
    names = [str(name) for name in feature_names]
    if len(names) != count:
        raise ValueError(f"{len(names)} feature names for a model with {count} features")
    return names


def _header(model, kind, count, outputs, transform, feature_names):
    return {
        "format": "shapdrift",
        "schema_version": SCHEMA_VERSION,
        "model_type": kind,
        "estimator": f"{type(model).__module__.split('.')[0]}.{type(model).__name__}",
        "n_features": int(count),
        "n_outputs": int(outputs),
        "output_transform": transform,
        "feature_names": _names(model, feature_names, count),
    }


def _linear_document(model, coefficients, intercept, feature_names, feature_means):
    count = coefficients.shape[1]
    name = type(model).__name__
    if name == "LogisticRegression":
        transform = "logistic" if coefficients.shape[0] == 1 else "softmax"
    else:
        transform = "identity"
    document = _header(model, "linear", count, coefficients.shape[0], transform, feature_names)
    document["linear"] = {"coefficients": coefficients.tolist(), "intercept": intercept.tolist()}
    if feature_means is not None:
        means = np.asarray(feature_means, dtype=np.float64).ravel()
        if means.shape[0] != count:
            raise ValueError(f"{means.shape[0]} feature means for a model with {count} features")
        document["linear"]["feature_means"] = means.tolist()
    return document


def _pipeline_document(pipeline, feature_names, feature_means):
    """A StandardScaler followed by a linear model, folded into one linear model:
    w' = w / scale, b' = b − Σ w·mean / scale (the same function of the raw inputs)."""
    steps = [step for _, step in pipeline.steps if step != "passthrough" and step is not None]
    if len(steps) != 2 or type(steps[0]).__name__ != "StandardScaler" or type(steps[1]).__name__ not in _LINEAR:
        raise TypeError("a Pipeline is exported only as StandardScaler followed by a linear model; "
                        f"supported: {', '.join(SUPPORTED_ESTIMATORS)}")
    scaler, linear = steps
    coefficients = np.atleast_2d(np.asarray(linear.coef_, dtype=np.float64))
    intercept = np.atleast_1d(np.asarray(linear.intercept_, dtype=np.float64)) * np.ones(coefficients.shape[0])
    scale = scaler.scale_ if scaler.with_std and scaler.scale_ is not None else np.ones(coefficients.shape[1])
    mean = scaler.mean_ if scaler.with_mean and scaler.mean_ is not None else np.zeros(coefficients.shape[1])
    folded = coefficients / scale
    intercept = intercept - folded @ mean
    if feature_names is None and hasattr(pipeline, "feature_names_in_"):
        feature_names = pipeline.feature_names_in_
    document = _linear_document(linear, folded, intercept, feature_names, feature_means)
    document["estimator"] = "sklearn.Pipeline(StandardScaler, " + type(linear).__name__ + ")"
    return document


def _tree_arrays(tree, values, output=None):
    """One scikit-learn `tree_` as the schema's arrays; `values` is (n_nodes, leaf_width)."""
    left = tree.children_left.astype(np.int64)
    entry = {
        "children_left": left.tolist(),
        "children_right": tree.children_right.astype(np.int64).tolist(),
        "feature": np.where(left < 0, 0, tree.feature).astype(np.int64).tolist(),
        "threshold": np.where(left < 0, 0.0, tree.threshold).astype(np.float64).tolist(),
        "cover": tree.weighted_n_node_samples.astype(np.float64).tolist(),
        "value": np.asarray(values, dtype=np.float64).tolist(),
    }
    if hasattr(tree, "missing_go_to_left"):
        entry["missing_go_to_left"] = np.asarray(tree.missing_go_to_left).astype(np.int64).tolist()
    if output is not None:
        entry["output"] = int(output)
    return entry


def _forest_document(model, feature_names):
    estimators = getattr(model, "estimators_", None) or [model]
    is_classifier = hasattr(model, "classes_")
    if is_classifier and np.ndim(model.classes_) != 1:
        raise TypeError("multi-output classifiers are not supported")
    outputs = len(model.classes_) if is_classifier else 1
    if not is_classifier and getattr(model, "n_outputs_", 1) != 1:
        raise TypeError("multi-output regressors are not supported")
    scale = 1.0 / len(estimators)
    trees = []
    for estimator in estimators:
        tree = estimator.tree_
        if is_classifier:
            raw = tree.value[:, 0, :]
            totals = raw.sum(axis=1, keepdims=True)
            values = raw / np.where(totals > 0, totals, 1.0)
        else:
            values = tree.value[:, 0, :1]
        trees.append(_tree_arrays(tree, values * scale))
    document = _header(model, "tree_ensemble", model.n_features_in_, outputs, "identity", feature_names)
    document["tree_ensemble"] = {"split_rule": "float32_less_equal", "leaf_width": int(outputs),
                                 "base_offset": [0.0] * outputs, "trees": trees}
    return document


def _gradient_boosting_document(model, feature_names):
    stages, outputs = model.estimators_.shape
    base = np.asarray(model._raw_predict_init(np.zeros((1, model.n_features_in_))), dtype=np.float64).ravel()
    trees = []
    for stage in range(stages):
        for output in range(outputs):
            tree = model.estimators_[stage, output].tree_
            trees.append(_tree_arrays(tree, tree.value[:, 0, :1] * model.learning_rate, output))
    return _boosting_document(model, outputs, "float32_less_equal", base, trees, feature_names)


def _boosting_document(model, outputs, split_rule, base, trees, feature_names):
    """A boosted ensemble explained in its raw decision function: log-odds (binary), per-class
    margins (multi-class) or the prediction (regression), one tree per output per stage."""
    if hasattr(model, "classes_"):
        transform = "logistic" if outputs == 1 else "softmax"
    else:
        transform = "identity"
    document = _header(model, "tree_ensemble", model.n_features_in_, outputs, transform, feature_names)
    document["tree_ensemble"] = {"split_rule": split_rule, "leaf_width": 1,
                                 "base_offset": (np.asarray(base, dtype=np.float64) * np.ones(outputs)).tolist(), "trees": trees}
    return document


def _hist_gradient_boosting_document(model, feature_names):
    trees = []
    outputs = len(model._predictors[0])
    for iteration in model._predictors:
        for output, predictor in enumerate(iteration):
            nodes = predictor.nodes
            if np.any(nodes["is_categorical"][nodes["is_leaf"] == 0]):
                raise TypeError("HistGradientBoosting models with categorical splits are not supported yet; "
                                "only numerical splits are exported")
            leaf = nodes["is_leaf"].astype(bool)
            trees.append({
                "children_left": np.where(leaf, -1, nodes["left"].astype(np.int64)).tolist(),
                "children_right": np.where(leaf, -1, nodes["right"].astype(np.int64)).tolist(),
                "feature": np.where(leaf, 0, nodes["feature_idx"]).astype(np.int64).tolist(),
                "threshold": np.where(leaf, 0.0, nodes["num_threshold"]).astype(np.float64).tolist(),
                "missing_go_to_left": nodes["missing_go_to_left"].astype(np.int64).tolist(),
                "cover": nodes["count"].astype(np.float64).tolist(),
                "value": nodes["value"].astype(np.float64).reshape(-1, 1).tolist(),
                "output": output,
            })
    base = np.asarray(model._baseline_prediction, dtype=np.float64).ravel()
    return _boosting_document(model, outputs, "float64_less_equal", base, trees, feature_names)
