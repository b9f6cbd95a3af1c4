"""load_report and load_attributions on real ShapDrift output."""
import os

from conftest import REPOSITORY, run_shapdrift
from shapdrift_export import load_attributions, load_report

EXAMPLE = os.path.join(REPOSITORY, "models", "xgb-regression")


def test_load_report_gives_the_ranked_features_and_the_verdict(tmp_path):
    baseline = tmp_path / "baseline.json"
    run_shapdrift("baseline", "--model", os.path.join(EXAMPLE, "model.json"), "--data", os.path.join(EXAMPLE, "baseline.csv"),
                  "--output", baseline)
    result = run_shapdrift("check", "--baseline", baseline, "--model", os.path.join(EXAMPLE, "model.json"),
                           "--data", os.path.join(EXAMPLE, "current.csv"), "--output-dir", tmp_path / "report")
    assert result.returncode == 1
    report = load_report(tmp_path / "report")
    assert list(report["name"][:2].sort_values()) == ["d5", "d6"]
    assert report["shift"].is_monotonic_decreasing and report["shift"].between(0, 1).all()
    assert set(report.columns) >= {"name", "baseline_mean_abs_shap", "current_mean_abs_shap", "baseline_rank",
                                   "current_rank", "shift", "psi", "breached", "p_value", "adjusted_p_value", "significant",
                                   "cause", "partners", "values", "tests", "shift_interval"}
    assert report.attrs["verdict"] == "drift" and report.attrs["drift_detected"] is True
    assert {"d5", "d6"} <= set(report.attrs["breached_features"])
    drifted = report.set_index("name").loc[["d5", "d6"]]
    assert (drifted["cause"] == "input").all() and drifted["values"].map(lambda v: v["shifted"]).all()
    assert 0.9 < report.attrs["ndcg"] < 0.95 and report.attrs["threshold"] == 0.9
    assert report.attrs["thresholds"]["alpha"] == 0.01 and report.attrs["records"]["read"] == 500
    assert report.attrs["provenance"]["inputs"] == [os.path.join(EXAMPLE, "current.csv")]


def test_load_attributions_reads_explain_output(tmp_path):
    out = tmp_path / "phi.csv"
    run_shapdrift("explain", "--model", os.path.join(EXAMPLE, "model.json"), "--data", os.path.join(EXAMPLE, "current.csv"),
                  "--output", out)
    frame = load_attributions(out)
    assert list(frame.columns) == ["row", "output"] + [f"d{i}" for i in range(8)] + ["base_value"]
    assert len(frame) == 500
