"""Every supported estimator: export → `shapdrift explain`/`predict` → compared with shap and with
the estimator's own raw output."""
import json
import os

import numpy as np
import pandas as pd
import pytest
import shap
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, GradientBoostingClassifier,
                              GradientBoostingRegressor, HistGradientBoostingClassifier,
                              HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor)
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from conftest import FIXTURES, explain, per_output, predict, run_shapdrift, write_csv
from shapdrift_export import export_model, model_document

FEATURES = [f"x {i}" for i in range(6)]


def regression_data(missing=False):
    X, y = make_regression(n_samples=400, n_features=6, noise=5.0, random_state=1)
    frame = pd.DataFrame(X, columns=FEATURES)
    if missing:
        frame.iloc[::7, 2] = np.nan
    return frame, y


def classification_data(classes=2):
    X, y = make_classification(n_samples=400, n_features=6, n_informative=4, n_classes=classes, random_state=2)
    return pd.DataFrame(X, columns=FEATURES), y


def raw_output(model, X):
    """The space shap explains: decision function for GB, HGB and logistic models, class
    probabilities for forest and tree classifiers, the prediction for regressors."""
    name = type(model).__name__
    if name in ("GradientBoostingClassifier", "HistGradientBoostingClassifier", "LogisticRegression"):
        return np.asarray(model.decision_function(X)).reshape(len(X), -1)
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    return np.asarray(model.predict(X)).reshape(len(X), -1)


TREE_CASES = {
    "DecisionTreeRegressor": (lambda: DecisionTreeRegressor(max_depth=6, random_state=0), lambda: regression_data(missing=True)),
    "DecisionTreeClassifier": (lambda: DecisionTreeClassifier(max_depth=5, random_state=0), lambda: classification_data(3)),
    "RandomForestRegressor": (lambda: RandomForestRegressor(n_estimators=15, max_depth=6, random_state=0), regression_data),
    "RandomForestClassifier": (lambda: RandomForestClassifier(n_estimators=15, max_depth=5, random_state=0), lambda: classification_data(3)),
    "ExtraTreesRegressor": (lambda: ExtraTreesRegressor(n_estimators=15, max_depth=6, random_state=0), regression_data),
    "ExtraTreesClassifier": (lambda: ExtraTreesClassifier(n_estimators=15, max_depth=5, random_state=0), classification_data),
    "GradientBoostingRegressor": (lambda: GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0), regression_data),
    "GradientBoostingClassifier": (lambda: GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0), classification_data),
    "GradientBoostingClassifier-multiclass": (lambda: GradientBoostingClassifier(n_estimators=10, max_depth=3, random_state=0), lambda: classification_data(3)),
    "HistGradientBoostingRegressor": (lambda: HistGradientBoostingRegressor(max_iter=30, random_state=0), lambda: regression_data(missing=True)),
    "HistGradientBoostingClassifier": (lambda: HistGradientBoostingClassifier(max_iter=20, random_state=0), classification_data),
    "HistGradientBoostingClassifier-multiclass": (lambda: HistGradientBoostingClassifier(max_iter=10, random_state=0), lambda: classification_data(3)),
}

LINEAR_CASES = {
    "LinearRegression": (LinearRegression, regression_data),
    "Ridge": (lambda: Ridge(alpha=2.0), regression_data),
    "Lasso": (lambda: Lasso(alpha=0.5), regression_data),
    "ElasticNet": (lambda: ElasticNet(alpha=0.3, l1_ratio=0.4), regression_data),
    "LogisticRegression": (lambda: LogisticRegression(max_iter=5000), classification_data),
    "LogisticRegression-multinomial": (lambda: LogisticRegression(max_iter=5000), lambda: classification_data(3)),
}


def shap_tree_reference(model, X):
    if type(model).__name__ == "GradientBoostingClassifier" and model.estimators_.shape[1] > 1:
        return shap_per_tree_reference(model, X)
    explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
    values = np.asarray(explainer.shap_values(X))
    if values.ndim == 2:
        values = values[:, None, :]
    elif values.shape[0] != len(X):
        values = np.transpose(values, (1, 0, 2))
    else:
        values = np.transpose(values, (0, 2, 1))
    return values, np.atleast_1d(explainer.expected_value)


def shap_per_tree_reference(model, X):
    """shap does not explain multi-class GradientBoostingClassifier; SHAP values are linear in the
    trees, so the reference sums shap's values of each stage's regression tree, per class."""
    stages, classes = model.estimators_.shape
    values = np.zeros((len(X), classes, X.shape[1]))
    base = np.asarray(model._raw_predict_init(np.zeros((1, X.shape[1])))).ravel().astype(np.float64)
    for stage in range(stages):
        for k in range(classes):
            explainer = shap.TreeExplainer(model.estimators_[stage, k], feature_perturbation="tree_path_dependent")
            values[:, k, :] += model.learning_rate * np.asarray(explainer.shap_values(X.to_numpy()))
            base[k] += model.learning_rate * float(np.atleast_1d(explainer.expected_value)[0])
    return values, base


def check_attributions(values, base, reference_values, reference_base, tolerance=1e-6):
    scale = max(1.0, float(np.max(np.abs(reference_values))))
    assert values.shape == reference_values.shape
    assert np.max(np.abs(values - reference_values)) <= tolerance * scale
    assert np.max(np.abs(base - reference_base)) <= tolerance * scale


def fitted_and_exported(cases, case, tmp_path):
    """The case's model trained on its data, exported; returns (model, X, path)."""
    make_model, make_data = cases[case]
    X, y = make_data()
    model = make_model().fit(X, y)
    return model, X, export_model(model, tmp_path / "model.json")


@pytest.mark.parametrize("case", sorted(TREE_CASES))
def test_tree_attributions_match_shap_and_add_up(case, tmp_path):
    model, X, path = fitted_and_exported(TREE_CASES, case, tmp_path)
    data = write_csv(X.head(120), tmp_path / "data.csv")
    values, base = per_output(explain(path, data, tmp_path), FEATURES)
    reference_values, reference_base = shap_tree_reference(model, X.head(120))
    check_attributions(values, base, reference_values, reference_base)
    raw = raw_output(model, X.head(120))
    scale = max(1.0, float(np.max(np.abs(raw))))
    assert np.max(np.abs(values.sum(axis=2) + base - raw)) <= 1e-9 * scale


@pytest.mark.parametrize("case", ["RandomForestClassifier", "DecisionTreeClassifier", "RandomForestRegressor"])
def test_interventional_tree_attributions_match_shap(case, tmp_path):
    """Interventional TreeSHAP, including forests whose leaves hold one value per class."""
    model, X, path = fitted_and_exported(TREE_CASES, case, tmp_path)
    background = X.iloc[200:260]
    data = write_csv(X.head(60), tmp_path / "data.csv")
    values, base = per_output(explain(path, data, tmp_path, "--method", "tree-interventional",
                                      "--background", write_csv(background, tmp_path / "bg.csv")), FEATURES)
    explainer = shap.TreeExplainer(model, data=background, feature_perturbation="interventional")
    reference = np.asarray(explainer.shap_values(X.head(60), check_additivity=False))
    reference = reference[:, None, :] if reference.ndim == 2 else np.transpose(reference, (0, 2, 1))
    check_attributions(values, base, reference, np.atleast_1d(explainer.expected_value))


@pytest.mark.parametrize("case", sorted(LINEAR_CASES))
def test_linear_attributions_match_shap_and_add_up(case, tmp_path):
    model, X, path = fitted_and_exported(LINEAR_CASES, case, tmp_path)
    background = X.iloc[200:300]
    data = write_csv(X.head(100), tmp_path / "data.csv")
    values, base = per_output(explain(path, data, tmp_path, "--background", write_csv(background, tmp_path / "bg.csv")), FEATURES)
    explainer = shap.LinearExplainer(model, shap.maskers.Independent(background, max_samples=1000))
    reference = np.asarray(explainer.shap_values(X.head(100)))
    reference = reference[:, None, :] if reference.ndim == 2 else np.transpose(reference, (0, 2, 1))
    check_attributions(values, base, reference, np.atleast_1d(explainer.expected_value))
    raw = raw_output(model, X.head(100))
    assert np.max(np.abs(values.sum(axis=2) + base - raw)) <= 1e-9 * max(1.0, float(np.max(np.abs(raw))))


@pytest.mark.parametrize("case", sorted(TREE_CASES) + sorted(LINEAR_CASES))
def test_predict_equals_the_estimators_raw_output(case, tmp_path):
    model, X, path = fitted_and_exported({**TREE_CASES, **LINEAR_CASES}, case, tmp_path)
    ours = predict(path, write_csv(X, tmp_path / "data.csv"), tmp_path)
    raw = raw_output(model, X)
    assert np.max(np.abs(ours - raw)) <= 1e-9 * max(1.0, float(np.max(np.abs(raw))))


def test_pipeline_with_standard_scaler_is_folded_into_the_coefficients(tmp_path):
    X, y = classification_data()
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X, y)
    path = export_model(pipeline, tmp_path / "model.json", feature_means=X.mean().to_numpy())
    document = json.loads(open(path).read())
    assert document["feature_names"] == FEATURES and document["output_transform"] == "logistic"
    ours = predict(path, write_csv(X, tmp_path / "data.csv"), tmp_path)
    raw = pipeline.decision_function(X).reshape(-1, 1)
    assert np.max(np.abs(ours - raw)) <= 1e-9 * max(1.0, float(np.max(np.abs(raw))))
    values, base = per_output(explain(path, tmp_path / "data.csv", tmp_path), FEATURES)
    assert np.max(np.abs(values.sum(axis=2) + base - raw)) <= 1e-9 * max(1.0, float(np.max(np.abs(raw))))


def test_every_schema_field_round_trips(tmp_path):
    X, y = classification_data(3)
    model = LogisticRegression(max_iter=5000).fit(X, y)
    means = X.mean().to_numpy()
    document = json.loads(open(export_model(model, tmp_path / "m.json", feature_means=means)).read())
    assert document["format"] == "shapdrift" and document["schema_version"] == 1
    assert document["model_type"] == "linear" and document["estimator"] == "sklearn.LogisticRegression"
    assert document["n_features"] == 6 and document["n_outputs"] == 3 and document["output_transform"] == "softmax"
    assert document["feature_names"] == FEATURES
    assert np.array_equal(np.array(document["linear"]["coefficients"]), model.coef_)
    assert np.array_equal(np.array(document["linear"]["intercept"]), model.intercept_)
    assert np.array_equal(np.array(document["linear"]["feature_means"]), means)
    inspect = run_shapdrift("inspect", "--model", tmp_path / "m.json").stdout
    assert "shapdrift-json" in inspect and "softmax" in inspect and "x 5" in inspect and "exported" in inspect

    forest = RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, y)
    document = model_document(forest)
    section = document["tree_ensemble"]
    assert section["split_rule"] == "float32_less_equal" and section["leaf_width"] == 3 and len(section["trees"]) == 3
    first = section["trees"][0]
    tree = forest.estimators_[0].tree_
    assert first["children_left"] == tree.children_left.tolist()
    assert first["cover"] == tree.weighted_n_node_samples.tolist()
    assert np.allclose(np.array(first["value"]).sum(axis=1), 1 / 3)


def test_tree_schema_fields_round_trip():
    X, y = regression_data(missing=True)
    boosting = GradientBoostingClassifier(n_estimators=4, max_depth=2, random_state=0).fit(*classification_data(3))
    section = model_document(boosting)["tree_ensemble"]
    init = boosting._raw_predict_init(np.zeros((1, 6))).ravel()
    assert section["base_offset"] == init.tolist() and section["leaf_width"] == 1
    assert [tree["output"] for tree in section["trees"]] == [k for _ in range(4) for k in range(3)]
    tree = boosting.estimators_[1, 2].tree_
    exported = section["trees"][5]
    assert exported["children_right"] == tree.children_right.tolist()
    internal = tree.children_left >= 0
    assert np.array_equal(np.array(exported["feature"])[internal], tree.feature[internal])
    assert np.array_equal(np.array(exported["threshold"])[internal], tree.threshold[internal])
    assert np.array_equal(np.array(exported["value"])[:, 0], tree.value[:, 0, 0] * boosting.learning_rate)

    single = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y)
    exported = model_document(single)["tree_ensemble"]["trees"][0]
    assert exported["missing_go_to_left"] == single.tree_.missing_go_to_left.astype(int).tolist()
    assert 1 in exported["missing_go_to_left"] or 0 in exported["missing_go_to_left"]

    hist = HistGradientBoostingRegressor(max_iter=3, random_state=0).fit(X, y)
    section = model_document(hist)["tree_ensemble"]
    nodes = hist._predictors[0][0].nodes
    assert section["split_rule"] == "float64_less_equal"
    assert section["base_offset"] == np.ravel(hist._baseline_prediction).tolist()
    assert section["trees"][0]["cover"] == nodes["count"].astype(float).tolist()
    assert section["trees"][0]["missing_go_to_left"] == nodes["missing_go_to_left"].astype(int).tolist()


def test_a_model_trained_on_a_dataframe_keeps_its_column_names(tmp_path):
    X, y = regression_data()
    document = model_document(Ridge().fit(X, y))
    assert document["feature_names"] == FEATURES
    document = model_document(Ridge().fit(X.to_numpy(), y))
    assert document["feature_names"] is None
    assert model_document(Ridge().fit(X.to_numpy(), y), feature_names=list("abcdef"))["feature_names"] == list("abcdef")


def test_unsupported_estimators_raise_a_type_error_naming_the_supported_ones(tmp_path):
    X, y = regression_data()
    with pytest.raises(TypeError, match="supported: .*LinearRegression.*HistGradientBoostingClassifier"):
        export_model(KNeighborsRegressor().fit(X, y), tmp_path / "m.json")
    assert not os.path.exists(tmp_path / "m.json")


@pytest.mark.parametrize("case", ["sklearn_dtree_reg_diabetes", "sklearn_gbr", "sklearn_rf_reg", "sklearn_linreg_diabetes",
                                  "sklearn_logreg_breast_cancer"])
def test_shared_fixture_models_reproduce_shaps_recorded_values(case, tmp_path):
    folder = os.path.join(FIXTURES, case)
    model = pd.read_pickle(os.path.join(folder, "model.pkl"))
    current = pd.read_csv(os.path.join(folder, "current.csv"))
    # The pickled models were trained on arrays, so they carry no names: give the data's.
    path = export_model(model, tmp_path / "model.json", feature_names=list(current.columns))
    linear = os.path.exists(os.path.join(folder, "shap_linear_interventional.csv"))
    extra = ["--background", os.path.join(folder, "background.csv")] if linear else []
    values, base = per_output(explain(path, os.path.join(folder, "current.csv"), tmp_path, *extra), list(current.columns))
    reference = pd.read_csv(os.path.join(folder, "shap_linear_interventional.csv" if linear else "shap_tree_path_dependent.csv"))
    scale = max(1.0, float(reference[current.columns].abs().to_numpy().max()))
    assert np.max(np.abs(values[:, 0, :] - reference[current.columns].to_numpy())) <= 1e-6 * scale
    assert np.max(np.abs(base[0] - reference["base_value"].to_numpy())) <= 1e-6 * scale
