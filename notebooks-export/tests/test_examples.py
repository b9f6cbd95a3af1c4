"""`python -m shapdrift_export.examples` regenerates models/ (byte for byte, but for the fitted
coefficients of the linear export: within a tolerance, see models/README.md), and the drift it
documents is the drift `shapdrift check` finds, hour by hour."""
import filecmp
import json
import math
import os

import pytest

from conftest import REPOSITORY, run_shapdrift
from shapdrift_export import examples

MODELS = os.path.join(REPOSITORY, "models")


# The values a BLAS-backed solver fits: the only content compared within a tolerance.
FITTED = {("linear", "coefficients"), ("linear", "intercept")}


def assert_same_document(committed, regenerated, where=()):
    """Equal as parsed JSON; numbers under a FITTED member within FIT_RTOL/FIT_ATOL, all else exactly."""
    assert type(committed) is type(regenerated), (where, committed, regenerated)
    if isinstance(committed, dict):
        assert committed.keys() == regenerated.keys(), where
        for key in committed:
            assert_same_document(committed[key], regenerated[key], where + (key,))
    elif isinstance(committed, list):
        assert len(committed) == len(regenerated), where
        for old, new in zip(committed, regenerated):
            assert_same_document(old, new, where)
    elif isinstance(committed, float) and where in FITTED:
        assert math.isfinite(regenerated) and abs(regenerated - committed) <= examples.FIT_ATOL + examples.FIT_RTOL * abs(committed), \
            (where, committed, regenerated)
    else:
        assert committed == regenerated, (where, committed, regenerated)


def shapdrift_json(path):
    if not path.endswith(".json"):
        return None
    with open(path) as handle:
        try:
            document = json.load(handle)
        except ValueError:
            return None
    return document if isinstance(document, dict) and document.get("format") == "shapdrift" else None


def test_regeneration_reproduces_the_committed_examples(tmp_path):
    """Data, capture and native XGBoost/LightGBM files byte for byte; ShapDrift JSON exports as
    parsed documents, fitted floating-point parameters within the documented tolerance."""
    examples.build(str(tmp_path))
    compared_with_tolerance = []
    for name in examples.DRIFTS:
        comparison = filecmp.dircmp(os.path.join(MODELS, name), str(tmp_path / name))
        pending = [comparison]
        while pending:
            current = pending.pop()
            assert not current.left_only and not current.right_only, current.left
            _, mismatch, errors = filecmp.cmpfiles(current.left, current.right, current.common_files, shallow=False)
            assert not errors, (current.left, errors)
            for file in mismatch:
                committed = shapdrift_json(os.path.join(current.left, file))
                assert committed is not None, (current.left, file, "differs byte for byte")
                assert_same_document(committed, shapdrift_json(os.path.join(current.right, file)))
                compared_with_tolerance.append(os.path.join(current.left, file))
            pending.extend(current.subdirs.values())
    # Only the linear example's export may differ at all.
    assert all(os.sep + "sklearn-logistic" + os.sep in path for path in compared_with_tolerance), compared_with_tolerance


def test_the_tolerance_rule_tells_a_refit_from_a_different_model():
    committed = {"format": "shapdrift", "n_features": 2, "linear": {"coefficients": [[0.5, -0.25]], "intercept": [1.0],
                                                                      "feature_means": [3.0, 4.0]}}
    refit = json.loads(json.dumps(committed))
    refit["linear"]["coefficients"][0][0] *= 1 + 1e-13
    assert_same_document(committed, refit)
    for change in (lambda d: d["linear"]["coefficients"][0].__setitem__(1, -0.25 * (1 + 1e-6)),
                   lambda d: d["linear"]["feature_means"].__setitem__(0, 3.0 + 1e-15),
                   lambda d: d.__setitem__("n_features", 3)):
        different = json.loads(json.dumps(committed))
        change(different)
        with pytest.raises(AssertionError):
            assert_same_document(committed, different)


@pytest.mark.parametrize("name", sorted(examples.DRIFTS))
def test_check_flags_the_documented_hours_and_features_and_leaves_clean_hours_clean(name, tmp_path):
    """Every drifted hour is flagged and its documented features breach because their own values
    shifted; a feature breaching besides them must have moved through them (an interaction, its
    input unchanged); every clean hour stays clean. `report.md` explains each breach in words."""
    folder = os.path.join(MODELS, name)
    model = os.path.join(folder, next(f for f in os.listdir(folder) if f.startswith("model.")))
    baseline = tmp_path / "baseline.json"
    run_shapdrift("baseline", "--model", model, "--data", os.path.join(folder, "baseline.csv"), "--output", baseline)
    _, drifted_hours, features = examples.DRIFTS[name]
    from shapdrift_export import load_report
    for hour in examples.HOURS:
        report_dir = tmp_path / f"report-{hour}"
        result = run_shapdrift("check", "--baseline", baseline, "--model", model, "--data", os.path.join(folder, "capture"),
                               "--since", f"2024-05-01T{hour:02d}:00:00Z", "--until", f"2024-05-01T{hour:02d}:59:59Z",
                               "--output-dir", report_dir, "--bootstrap", "20")
        if hour in drifted_hours:
            assert result.returncode == 1, (hour, result.stdout)
            report = load_report(report_dir)
            assert report.attrs["rows"] == examples.ROWS_PER_HOUR
            breached = set(report.attrs["breached_features"])
            assert set(features) <= breached, (hour, breached)
            table = report.set_index("name")
            for feature in breached:
                if feature in features:
                    assert table.loc[feature, "cause"] == "input", (hour, feature)
                else:
                    assert table.loc[feature, "cause"] == "interaction" and table.loc[feature, "partners"], (hour, feature)
            words = (report_dir / "report.md").read_text()
            for feature in features:
                assert f"{feature}: attribution" in words and "because its" in words, (hour, feature)
        else:
            assert result.returncode == 0, (hour, result.stdout)
