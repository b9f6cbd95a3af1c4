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
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import (ElasticNet, GammaRegressor, Lasso, LinearRegression, LogisticRegression,
                                  PoissonRegressor, Ridge, SGDClassifier, SGDRegressor, TweedieRegressor)
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC, LinearSVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from conftest import FIXTURES, explain, per_output, predict, run_shapdrift, write_csv
from shapdrift_export import export_model, exporter, model_document

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


def glm_data(family):
    """Targets for a generalized linear model: Poisson counts, or positive gamma-distributed values."""
    X, _ = make_regression(n_samples=400, n_features=6, noise=5.0, random_state=1)
    rng = np.random.default_rng(3)
    mean = np.exp(0.3 * X[:, 0] - 0.2 * X[:, 1] + 0.1 * X[:, 4] + 0.5)
    y = rng.poisson(mean).astype(float) if family == "poisson" else rng.gamma(2.0, mean / 2.0)
    return pd.DataFrame(X, columns=FEATURES), y


def raw_output(model, X):
    """The space shap explains: decision function for GB, HGB and linear classifiers, class
    probabilities for forest and tree classifiers, the linear predictor (scikit-learn's own link
    applied to its prediction) for GLMs, the prediction for regressors."""
    name = type(model).__name__
    if name in ("GradientBoostingClassifier", "HistGradientBoostingClassifier", "LogisticRegression", "SGDClassifier",
                "LinearSVC"):
        return np.asarray(model.decision_function(X)).reshape(len(X), -1)
    if name in ("PoissonRegressor", "GammaRegressor", "TweedieRegressor"):
        return np.asarray(model._base_loss.link.link(model.predict(X))).reshape(len(X), -1)
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
    "SGDClassifier-log_loss": (lambda: SGDClassifier(loss="log_loss", random_state=0), classification_data),
    "SGDClassifier-log_loss-multiclass": (lambda: SGDClassifier(loss="log_loss", random_state=0), lambda: classification_data(3)),
    "SGDClassifier-hinge": (lambda: SGDClassifier(random_state=0), classification_data),
    "SGDRegressor": (lambda: SGDRegressor(random_state=0), regression_data),
    "LinearSVC": (lambda: LinearSVC(C=0.5), classification_data),
    "LinearSVC-multiclass": (lambda: LinearSVC(C=0.5), lambda: classification_data(3)),
    "LinearSVR": (lambda: LinearSVR(C=2.0, max_iter=20000, random_state=0), regression_data),
    "PoissonRegressor": (lambda: PoissonRegressor(alpha=0.01), lambda: glm_data("poisson")),
    "GammaRegressor": (lambda: GammaRegressor(alpha=0.01), lambda: glm_data("gamma")),
    "TweedieRegressor-power0": (lambda: TweedieRegressor(power=0.0, alpha=0.01), regression_data),
    "TweedieRegressor-power1.5": (lambda: TweedieRegressor(power=1.5, alpha=0.01), lambda: glm_data("gamma")),
    "TweedieRegressor-power0-log-link": (lambda: TweedieRegressor(power=0.0, link="log", alpha=0.01), lambda: glm_data("gamma")),
}

# output_transform of each linear case, from scikit-learn's definitions (predict_proba, link).
LINEAR_TRANSFORMS = {
    "LinearRegression": "identity", "Ridge": "identity", "Lasso": "identity", "ElasticNet": "identity",
    "LogisticRegression": "logistic", "LogisticRegression-multinomial": "softmax",
    "SGDClassifier-log_loss": "logistic", "SGDClassifier-log_loss-multiclass": "logistic", "SGDClassifier-hinge": "identity",
    "SGDRegressor": "identity", "LinearSVC": "identity", "LinearSVC-multiclass": "identity", "LinearSVR": "identity",
    "PoissonRegressor": "exponential", "GammaRegressor": "exponential", "TweedieRegressor-power0": "identity",
    "TweedieRegressor-power1.5": "exponential", "TweedieRegressor-power0-log-link": "exponential",
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
    assert document["output_names"] == [str(label) for label in model.classes_]
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


def test_output_names_are_the_class_labels_and_name_the_outputs_of_checks(tmp_path):
    X, y = classification_data(3)
    labels = np.array(["bronze", "gold", "silver"])[y]
    multi = LogisticRegression(max_iter=5000).fit(X, labels)
    assert model_document(multi)["output_names"] == ["bronze", "gold", "silver"]
    binary = LogisticRegression(max_iter=5000).fit(X, labels == "gold")
    assert model_document(binary)["output_names"] == ["True"]
    assert "output_names" not in model_document(LinearRegression().fit(X, y.astype(float)))
    path = export_model(multi, tmp_path / "m.json", feature_means=X.mean().to_numpy())
    data = write_csv(X, tmp_path / "x.csv")
    run_shapdrift("baseline", "--model", path, "--data", data, "--output", tmp_path / "b.json")
    result = run_shapdrift("check", "--baseline", tmp_path / "b.json", "--model", path, "--data", data, "--output-dir", tmp_path / "r")
    assert "Showing output" in result.stdout
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [output["name"] for output in report["outputs"]] == ["bronze", "gold", "silver"]


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


@pytest.mark.parametrize("case", sorted(LINEAR_CASES))
def test_linear_output_transform_turns_the_raw_output_into_the_estimators_prediction(case, tmp_path):
    model, X, path = fitted_and_exported(LINEAR_CASES, case, tmp_path)
    document = json.loads(open(path).read())
    assert document["output_transform"] == LINEAR_TRANSFORMS[case]
    assert document["n_outputs"] == (len(model.classes_) if getattr(model, "classes_", ()) is not None
                                     and len(getattr(model, "classes_", ())) > 2 else 1)
    raw = predict(path, write_csv(X, tmp_path / "data.csv"), tmp_path)
    transform = document["output_transform"]
    if transform == "exponential":
        assert np.max(np.abs(np.exp(raw[:, 0]) / model.predict(X) - 1)) <= 1e-9
    elif transform == "identity" and not hasattr(model, "classes_"):
        assert np.max(np.abs(raw[:, 0] - model.predict(X))) <= 1e-9 * max(1.0, float(np.max(np.abs(raw))))
    elif transform == "logistic":
        probabilities = 1 / (1 + np.exp(-raw))
        if probabilities.shape[1] == 1:
            probabilities = np.hstack([1 - probabilities, probabilities])
        else:  # one-vs-rest: scikit-learn normalises the per-class sigmoids
            probabilities /= probabilities.sum(axis=1, keepdims=True)
        assert np.max(np.abs(probabilities - model.predict_proba(X))) <= 1e-9
    elif transform == "softmax":
        probabilities = np.exp(raw - raw.max(axis=1, keepdims=True))
        assert np.max(np.abs(probabilities / probabilities.sum(axis=1, keepdims=True) - model.predict_proba(X))) <= 1e-9
    else:  # a classifier without probabilities: the predicted class is the largest margin
        assert transform == "identity"
        labels = (raw[:, 0] > 0).astype(int) if raw.shape[1] == 1 else raw.argmax(axis=1)
        assert np.array_equal(model.classes_[labels], model.predict(X))


@pytest.mark.parametrize("power, link, expected", [(0.0, "auto", "identity"), (-1.0, "auto", "identity"), (0.5, "auto", "log"),
                                                   (1.0, "auto", "log"), (2.0, "auto", "log"), (3.0, "auto", "log"),
                                                   (0.0, "log", "log"), (1.5, "identity", "identity")])
def test_tweedie_link_follows_scikit_learns_rule(power, link, expected):
    X, y = glm_data("gamma")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an identity link with power 1.5 converges badly; only its link matters
        model = TweedieRegressor(power=power, link=link, alpha=0.01, max_iter=300).fit(X, y)
    assert {"LogLink": "log", "IdentityLink": "identity"}[type(model._base_loss.link).__name__] == expected
    assert model_document(model)["output_transform"] == {"log": "exponential", "identity": "identity"}[expected]


def unfitted_estimators():
    import lightgbm
    import xgboost
    return [LinearRegression(), Ridge(), Lasso(), ElasticNet(), LogisticRegression(), SGDClassifier(), SGDRegressor(),
            LinearSVC(), LinearSVR(), PoissonRegressor(), GammaRegressor(), TweedieRegressor(), DecisionTreeRegressor(),
            DecisionTreeClassifier(), RandomForestRegressor(), RandomForestClassifier(), ExtraTreesRegressor(),
            ExtraTreesClassifier(), GradientBoostingRegressor(), GradientBoostingClassifier(), HistGradientBoostingRegressor(),
            HistGradientBoostingClassifier(), make_pipeline(StandardScaler(), Ridge()), xgboost.XGBRegressor(),
            xgboost.XGBClassifier(), lightgbm.LGBMRegressor(), lightgbm.LGBMClassifier()]


@pytest.mark.parametrize("model", unfitted_estimators(), ids=lambda model: type(model).__name__)
def test_an_unfitted_estimator_is_refused_clearly(model, tmp_path):
    name = "Pipeline" if type(model).__name__ == "Pipeline" else type(model).__name__
    expected = "StandardScaler" if name == "Pipeline" else name
    with pytest.raises(NotFittedError, match=rf"^{expected} is not fitted: call fit\(\) before export_model$"):
        export_model(model, tmp_path / "model.json")
    assert os.listdir(tmp_path) == []


class HalfWritingBooster:
    """Looks like an xgboost Booster to export_model; writes part of a file, then fails."""
    __module__ = "xgboost.core"

    def save_model(self, path):
        with open(path, "w") as handle:
            handle.write('{"learner": {"gradient_booster": ')
        raise OSError("disk full")


def test_a_failed_native_export_leaves_no_file_and_no_temporary(tmp_path):
    with pytest.raises(OSError, match="disk full"):
        export_model(HalfWritingBooster(), tmp_path / "model.json")
    assert os.listdir(tmp_path) == []
    (tmp_path / "model.json").write_text("the previous model\n")
    with pytest.raises(OSError, match="disk full"):
        export_model(HalfWritingBooster(), tmp_path / "model.json")
    assert os.listdir(tmp_path) == ["model.json"] and (tmp_path / "model.json").read_text() == "the previous model\n"


def test_a_failed_json_export_leaves_no_file_and_no_temporary(tmp_path, monkeypatch):
    X, y = regression_data()
    model = Ridge().fit(X, y)

    def write_half(document, handle):
        handle.write(json.dumps(document)[:40])
        raise RuntimeError("interrupted")
    monkeypatch.setattr(exporter, "_write_document", write_half)
    with pytest.raises(RuntimeError, match="interrupted"):
        export_model(model, tmp_path / "model.json")
    assert os.listdir(tmp_path) == []


def test_a_successful_export_leaves_only_its_file_with_ordinary_permissions(tmp_path):
    import xgboost
    X, y = regression_data()
    export_model(Ridge().fit(X, y), tmp_path / "model.json")
    booster = xgboost.train({"nthread": 1}, xgboost.DMatrix(X, label=y), num_boost_round=2)
    export_model(booster, tmp_path / "xgb.json")
    assert sorted(os.listdir(tmp_path)) == ["model.json", "xgb.json"]
    json.loads((tmp_path / "xgb.json").read_text())  # xgboost kept JSON: the temporary had the same extension
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(tmp_path / "model.json").st_mode & 0o777 == 0o666 & ~umask


def split_on_nan_data():
    """Targets that depend mostly on whether `x 2` is missing, so HistGradientBoosting splits
    "on NaNs" (every value left, missing right), whose threshold is +inf."""
    frame, y = regression_data()
    frame.iloc[::5, 2] = np.nan
    missing = frame["x 2"].isna().to_numpy()
    return frame, y + 1000.0 * missing, (missing | (frame["x 0"].to_numpy() > 1.0)).astype(int)


@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_hist_gradient_boosting_with_infinite_thresholds_exports_and_matches_shap(kind, tmp_path):
    X, y, labels = split_on_nan_data()
    if kind == "regressor":
        model = HistGradientBoostingRegressor(max_iter=20, random_state=0).fit(X, y)
    else:
        model = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, labels)
    thresholds = np.concatenate([predictor.nodes["num_threshold"][predictor.nodes["is_leaf"] == 0]
                                 for iteration in model._predictors for predictor in iteration])
    assert np.any(np.isposinf(thresholds))
    path = export_model(model, tmp_path / "model.json")
    text = open(path).read()
    assert "Infinity" in text and "NaN" not in text
    exported = np.concatenate([np.array(tree["threshold"]) for tree in json.loads(text)["tree_ensemble"]["trees"]])
    assert np.array_equal(np.sort(exported[np.isinf(exported)]), np.sort(thresholds[np.isinf(thresholds)]))
    data = write_csv(X.head(120), tmp_path / "data.csv")
    values, base = per_output(explain(path, data, tmp_path), FEATURES)
    check_attributions(values, base, *shap_tree_reference(model, X.head(120)))
    raw = raw_output(model, X.head(120))
    assert np.max(np.abs(values.sum(axis=2) + base - raw)) <= 1e-9 * max(1.0, float(np.max(np.abs(raw))))
    ours = predict(path, write_csv(X, tmp_path / "all.csv"), tmp_path)
    assert np.max(np.abs(ours - raw_output(model, X))) <= 1e-9 * max(1.0, float(np.max(np.abs(ours))))


def test_negative_infinite_thresholds_are_written_and_read_and_nan_ones_refused(tmp_path):
    X, y, _ = split_on_nan_data()
    model = HistGradientBoostingRegressor(max_iter=3, random_state=0).fit(X, y)
    document = model_document(model)
    tree = document["tree_ensemble"]["trees"][0]
    tree["threshold"][0] = -np.inf  # every finite value goes right at the root
    path = tmp_path / "model.json"
    with open(path, "w") as handle:
        exporter._write_document(document, handle)
    assert "-Infinity" in path.read_text()
    assert json.loads(path.read_text())["tree_ensemble"]["trees"][0]["threshold"][0] == -np.inf
    assert run_shapdrift("inspect", "--model", path).returncode == 0
    predict(path, write_csv(X.head(5), tmp_path / "data.csv"), tmp_path)

    tree["threshold"][0] = float("nan")
    with open(path, "w") as handle:
        json.dump(document, handle)
    result = run_shapdrift("inspect", "--model", path, check=False)
    assert result.returncode == 2 and "split threshold nan is not a number" in result.stderr

    broken = HistGradientBoostingRegressor(max_iter=3, random_state=0).fit(X, y)
    nodes = broken._predictors[0][0].nodes
    nodes["num_threshold"][np.flatnonzero(nodes["is_leaf"] == 0)[0]] = np.nan
    with pytest.raises(ValueError, match="threshold is NaN"):
        export_model(broken, tmp_path / "broken.json")
    assert not os.path.exists(tmp_path / "broken.json")
    with pytest.raises(ValueError, match=r"linear.coefficients\[0\]\[1\] is inf"):
        ridge = Ridge().fit(X.fillna(0.0), y)
        ridge.coef_[1] = np.inf
        export_model(ridge, tmp_path / "ridge.json")


@pytest.mark.parametrize("case", ["HistGradientBoostingRegressor", "RandomForestClassifier"])
def test_a_model_fitted_on_arrays_is_exported_without_names_and_explained_by_column_order(case, tmp_path):
    make_model, make_data = TREE_CASES[case]
    X, y = make_data()
    model = make_model().fit(X.to_numpy(), y)
    assert not hasattr(model, "feature_names_in_")
    path = export_model(model, tmp_path / "model.json")
    assert json.loads(open(path).read())["feature_names"] is None
    # Columns are taken in order, whatever the header calls them (this build names the
    # attribution columns f0, f1, … for a model without names).
    data = write_csv(X.head(50).set_axis([f"column {i}" for i in range(X.shape[1])], axis=1), tmp_path / "data.csv")
    attributions = explain(path, data, tmp_path)
    columns = [c for c in attributions.columns if c not in ("row", "output", "base_value")]
    assert len(columns) == X.shape[1]
    values, base = per_output(attributions, columns)
    check_attributions(values, base, *shap_tree_reference(model, X.head(50).to_numpy()))
    raw = raw_output(model, X.head(50).to_numpy())
    assert np.max(np.abs(values.sum(axis=2) + base - raw)) <= 1e-9 * max(1.0, float(np.max(np.abs(raw))))
