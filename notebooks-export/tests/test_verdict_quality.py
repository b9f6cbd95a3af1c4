"""A fast version of `make verdict-quality`: the harness runs end to end on fresh samples, clean
checks stay quiet and the named mild drifts are found (the full measurement is in docs/drift.md)."""
import math
import os

import numpy as np

from conftest import REPOSITORY, shapdrift_binary
from shapdrift_export import examples, verdict_quality


def test_apply_drift_changes_only_the_named_feature_as_stated():
    rng = np.random.default_rng(3)
    clean = examples.sample("fraud-xgb", rng, 20000)
    for feature, kind, amount in [("distance_km", "multiply", 1.5), ("account_age_days", "shift", 0.3),
                                  ("merchant_risk", "scale", 1.5), ("foreign", "share", (1.0, 0.15)),
                                  ("merchant_risk", "missing", 0.2)]:
        drifted = examples.apply_drift(clean, np.random.default_rng(4), feature, kind, amount)
        others = [c for c in clean.columns if c != feature]
        assert drifted[others].equals(clean[others])
        before, after = clean[feature], drifted[feature]
        if kind == "multiply":
            assert np.allclose(after, before * amount)
        elif kind == "shift":
            assert math.isclose(after.mean() - before.mean(), amount * before.std(ddof=0), rel_tol=1e-9)
        elif kind == "scale":
            assert math.isclose(after.std(), amount * before.std(), rel_tol=1e-9) and math.isclose(after.mean(), before.mean())
        elif kind == "share":
            assert abs((after == amount[0]).mean() - amount[1]) < 0.01
        else:
            assert abs(after.isna().mean() - amount) < 0.01


def test_a_small_run_keeps_clean_checks_quiet_and_finds_the_mild_drifts(tmp_path):
    results = verdict_quality.main(["--binary", shapdrift_binary(), "--models", os.path.join(REPOSITORY, "models"),
                                    "--examples", "fraud-xgb", "--sizes", "400", "--clean", "30", "--mild", "20",
                                    "--baselines", "3", "--skip-ladder", "--json", str(tmp_path / "counts.json")])
    clean = results["clean"][0]
    # 30 clean checks at α = 0.01: three or more false alarms has probability 0.3 %.
    assert clean["samples"] == 30 and clean["shapdrift"] <= 2
    for cell in results["mild"]:
        assert cell["shapdrift"] >= 17, cell  # ≥ 85 % of 20
    assert (tmp_path / "counts.json").exists()
