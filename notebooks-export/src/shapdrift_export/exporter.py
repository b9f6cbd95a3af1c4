"""Writes models in the ShapDrift JSON schema (docs/shapdrift-json.md in the ShapDrift repository).

Output spaces follow shap's TreeExplainer and LinearExplainer: regressors their prediction,
GradientBoosting*, HistGradientBoosting* and linear classifiers their raw decision function
(log-odds, or per-class margins), generalized linear models their linear predictor (the log of
the mean for a log link), RandomForest/ExtraTrees/DecisionTree classifiers their class
probabilities (one output per class).

Every file is written to a temporary file beside its destination and renamed into place, so a
failed export leaves neither a half-written file nor the temporary behind.
"""
import contextlib
import json
import math
import os
import secrets

import numpy as np

SCHEMA_VERSION = 1

SUPPORTED_ESTIMATORS = (
    "LinearRegression", "Ridge", "Lasso", "ElasticNet", "LogisticRegression",
    "SGDClassifier", "SGDRegressor", "LinearSVC", "LinearSVR",
    "PoissonRegressor", "GammaRegressor", "TweedieRegressor",
    "DecisionTreeRegressor", "DecisionTreeClassifier", "RandomForestRegressor", "RandomForestClassifier",
    "ExtraTreesRegressor", "ExtraTreesClassifier", "GradientBoostingRegressor", "GradientBoostingClassifier",
    "HistGradientBoostingRegressor", "HistGradientBoostingClassifier",
    "Pipeline(StandardScaler, linear model)", "xgboost.Booster / XGBModel", "lightgbm.Booster / LGBMModel",
)

_LINEAR = {"LinearRegression", "Ridge", "Lasso", "ElasticNet", "LogisticRegression", "SGDClassifier", "SGDRegressor",
           "LinearSVC", "LinearSVR", "PoissonRegressor", "GammaRegressor", "TweedieRegressor"}
_FORESTS = {"RandomForestRegressor", "RandomForestClassifier", "ExtraTreesRegressor", "ExtraTreesClassifier"}


def export_model(model, path, feature_names=None, feature_means=None):
    """Writes `model` to `path` for ShapDrift and returns the path.

    scikit-learn models are written in the ShapDrift JSON schema; XGBoost and LightGBM models in
    their native formats (`save_model`), which ShapDrift reads directly.

    feature_names: names in model order; default `feature_names_in_` (set when the model was
        trained on a pandas DataFrame), else none (ShapDrift then takes data columns in order).
    feature_means: for linear models, the training means to measure attributions from (linear
        SHAP's background), so `shapdrift explain` needs no `--background`.
    Raises TypeError for any other kind of model, naming the supported ones, and NotFittedError
    (a ValueError and AttributeError) for a supported estimator that is not fitted. The file is
    written to a temporary beside `path` and renamed into place: on any error `path` is left as
    it was and the temporary is removed.
    """
    path = os.fspath(path)
    if _is_native(model):
        _check_fitted(model)
        booster = _native_booster(model)
        with _atomic_output(path) as temporary:
            booster.save_model(temporary)
        return path
    document = model_document(model, feature_names=feature_names, feature_means=feature_means)
    with _atomic_output(path) as temporary:
        with open(temporary, "w") as handle:
            _write_document(document, handle)
    return path


def _write_document(document, handle):
    # allow_nan: ±inf split thresholds are written as the bare tokens Infinity / -Infinity (the
    # only non-finite numbers a document can hold: _check_numbers refused every other one).
    json.dump(document, handle, allow_nan=True)
    handle.write("\n")


@contextlib.contextmanager
def _atomic_output(path):
    """Yields a temporary path beside `path` (same directory, same extension: xgboost picks its
    format by extension); renames it onto `path` when the block succeeds, removes it otherwise."""
    directory, base = os.path.split(os.path.abspath(path))
    extension = os.path.splitext(base)[1]
    while True:
        temporary = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp{extension}")
        try:
            # Created here (mode 0666 less the umask, as open() would) so the name is ours.
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            break
        except FileExistsError:
            continue
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        raise


def model_document(model, feature_names=None, feature_means=None):
    """The ShapDrift JSON document of a scikit-learn model, as a dict."""
    name = type(model).__name__
    if name == "Pipeline":
        document = _pipeline_document(model, feature_names, feature_means)
    elif name in _LINEAR:
        _check_fitted(model)
        coefficients, intercept = _linear_parameters(model)
        document = _linear_document(model, coefficients, intercept, feature_names, feature_means)
    elif name in ("DecisionTreeRegressor", "DecisionTreeClassifier") or name in _FORESTS:
        _check_fitted(model)
        document = _forest_document(model, feature_names)
    elif name in ("GradientBoostingRegressor", "GradientBoostingClassifier"):
        _check_fitted(model)
        document = _gradient_boosting_document(model, feature_names)
    elif name in ("HistGradientBoostingRegressor", "HistGradientBoostingClassifier"):
        _check_fitted(model)
        document = _hist_gradient_boosting_document(model, feature_names)
    else:
        raise TypeError(f"cannot export {type(model).__module__}.{name}; supported: {', '.join(SUPPORTED_ESTIMATORS)}")
    _check_numbers(document)
    return document


def _check_fitted(model):
    """Raises NotFittedError "<estimator> is not fitted: call fit() before export_model"."""
    if not hasattr(model, "fit"):
        return  # an xgboost/LightGBM Booster: made by training or loading, so it holds a model
    try:
        from sklearn.exceptions import NotFittedError
        from sklearn.utils.validation import check_is_fitted
    except ImportError:  # an XGBoost/LightGBM estimator without scikit-learn installed
        if hasattr(model, "__sklearn_is_fitted__") and not model.__sklearn_is_fitted__():
            raise ValueError(f"{type(model).__name__} is not fitted: call fit() before export_model") from None
        return
    try:
        check_is_fitted(model)
    except NotFittedError as error:
        raise NotFittedError(f"{type(model).__name__} is not fitted: call fit() before export_model") from error


def _check_numbers(document):
    """Every number finite, except split thresholds, which may be ±inf (never NaN)."""
    def visit(value, where, threshold):
        if isinstance(value, dict):
            for key, item in value.items():
                visit(item, f"{where}.{key}" if where else key, key == "threshold")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, f"{where}[{index}]", threshold)
        elif isinstance(value, float) and (math.isnan(value) or (math.isinf(value) and not threshold)):
            raise ValueError(f"cannot export {document.get('estimator')}: {where} is {value}; ShapDrift needs "
                             "finite numbers (split thresholds may be ±inf, never NaN)")
    visit(document, "", False)


def _is_native(model):
    return type(model).__module__.startswith(("xgboost", "lightgbm"))


def _native_booster(model):
    if type(model).__module__.startswith("xgboost"):
        return model.get_booster() if hasattr(model, "get_booster") else model
    return model.booster_ if hasattr(model, "fit") else model


def _linear_parameters(model):
    """(coefficients (outputs, features), intercept (outputs,)) in float64. coef_ is 1-d for
    regressors and GLMs, (1, n) for a binary classifier, (classes, n) for a multi-class one; a
    scalar intercept_ (GLMs, fit_intercept=False) serves every output."""
    coefficients = np.atleast_2d(np.asarray(model.coef_, dtype=np.float64))
    intercept = np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64)) * np.ones(coefficients.shape[0])
    return coefficients, intercept


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
    header = {
        "format": "shapdrift",
        "schema_version": SCHEMA_VERSION,
        "model_type": kind,
        "estimator": f"{type(model).__module__.split('.')[0]}.{type(model).__name__}",
        "n_features": int(count),
        "n_outputs": int(outputs),
        "output_transform": transform,
        "feature_names": _names(model, feature_names, count),
    }
    names = _output_names(model, outputs)
    if names is not None:
        header["output_names"] = names
    return header


def _output_names(model, outputs):
    """A classifier's class labels per output, as strings: every class for one output per class,
    the positive class (`classes_[1]`) for a binary classifier's single margin; None otherwise."""
    classes = getattr(model, "classes_", None)
    if classes is None or np.ndim(classes) != 1:
        return None
    labels = [str(label) for label in classes]
    if len(labels) == outputs:
        return labels
    if outputs == 1 and len(labels) == 2:
        return [labels[1]]
    return None


def _linear_document(model, coefficients, intercept, feature_names, feature_means):
    count = coefficients.shape[1]
    document = _header(model, "linear", count, coefficients.shape[0], _linear_transform(model, coefficients.shape[0]),
                       feature_names)
    document["linear"] = {"coefficients": coefficients.tolist(), "intercept": intercept.tolist()}
    if feature_means is not None:
        means = np.asarray(feature_means, dtype=np.float64).ravel()
        if means.shape[0] != count:
            raise ValueError(f"{means.shape[0]} feature means for a model with {count} features")
        document["linear"]["feature_means"] = means.tolist()
    return document


def _linear_transform(model, outputs):
    """How the raw output (X @ coef_ + intercept_, what is explained) becomes the prediction."""
    name = type(model).__name__
    if name == "LogisticRegression":
        # Multinomial with several classes (scikit-learn >= 1.7 has no one-vs-rest option here).
        return "logistic" if outputs == 1 else "softmax"
    if name == "SGDClassifier":
        # log_loss: predict_proba = sigmoid of each class's margin (one-vs-rest; with several
        # classes scikit-learn then divides by their sum). Other losses have no probability
        # model: the decision function itself.
        return "logistic" if model.loss == "log_loss" else "identity"
    if name in ("PoissonRegressor", "GammaRegressor"):
        return "exponential"
    if name == "TweedieRegressor":
        return "exponential" if _tweedie_link(model) == "log" else "identity"
    # Linear regressors: the prediction; LinearSVC/LinearSVR: the raw decision function.
    return "identity"


def _tweedie_link(model):
    """scikit-learn's rule (TweedieRegressor._get_loss): link="auto" is identity for power <= 0
    and log for power > 0; "identity" and "log" are taken as given."""
    if model.link == "auto":
        return "identity" if model.power <= 0 else "log"
    return model.link


def _pipeline_document(pipeline, feature_names, feature_means):
    """A StandardScaler followed by a linear model, folded into one linear model:
    w' = w / scale, b' = b − Σ w·mean / scale (the same function of the raw inputs)."""
    steps = [step for _, step in pipeline.steps if step != "passthrough" and step is not None]
    if len(steps) != 2 or type(steps[0]).__name__ != "StandardScaler" or type(steps[1]).__name__ not in _LINEAR:
        raise TypeError("a Pipeline is exported only as StandardScaler followed by a linear model; "
                        f"supported: {', '.join(SUPPORTED_ESTIMATORS)}")
    scaler, linear = steps
    _check_fitted(scaler)
    _check_fitted(linear)
    coefficients, intercept = _linear_parameters(linear)
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
            if np.any(np.isnan(nodes["num_threshold"][~leaf])):
                raise ValueError("cannot export a HistGradientBoosting split whose threshold is NaN")
            # A split "on NaNs" (every value left, missing right) has threshold +inf: kept as
            # is, and written as the JSON token Infinity.
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
