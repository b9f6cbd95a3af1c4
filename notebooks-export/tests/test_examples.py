"""`python -m shapdrift_export.examples` regenerates models/ exactly, and the drift it documents is
the drift `shapdrift check` finds, hour by hour."""
import filecmp
import os

import pytest

from conftest import REPOSITORY, run_shapdrift
from shapdrift_export import examples

MODELS = os.path.join(REPOSITORY, "models")


def test_regeneration_reproduces_the_committed_examples(tmp_path):
    examples.build(str(tmp_path))
    for name in examples.DRIFTS:
        comparison = filecmp.dircmp(os.path.join(MODELS, name), str(tmp_path / name))
        pending = [comparison]
        while pending:
            current = pending.pop()
            assert not current.left_only and not current.right_only, current.left
            _, mismatch, errors = filecmp.cmpfiles(current.left, current.right, current.common_files, shallow=False)
            assert not mismatch and not errors, (current.left, mismatch, errors)
            pending.extend(current.subdirs.values())


@pytest.mark.parametrize("name", sorted(examples.DRIFTS))
def test_check_flags_exactly_the_documented_hours_and_features(name, tmp_path):
    folder = os.path.join(MODELS, name)
    model = os.path.join(folder, next(f for f in os.listdir(folder) if f.startswith("model.")))
    baseline = tmp_path / "baseline.json"
    run_shapdrift("baseline", "--model", model, "--data", os.path.join(folder, "baseline.csv"), "--output", baseline)
    _, drifted_hours, features = examples.DRIFTS[name]
    for hour in examples.HOURS:
        report_dir = tmp_path / f"report-{hour}"
        result = run_shapdrift("check", "--baseline", baseline, "--model", model, "--data", os.path.join(folder, "capture"),
                               "--since", f"2024-05-01T{hour:02d}:00:00Z", "--until", f"2024-05-01T{hour:02d}:59:59Z",
                               "--output-dir", report_dir, "--bootstrap", "20")
        if hour in drifted_hours:
            assert result.returncode == 1, (hour, result.stdout)
            from shapdrift_export import load_report
            report = load_report(report_dir)
            assert report.attrs["rows"] == examples.ROWS_PER_HOUR
            assert sorted(report.attrs["breached_features"]) == sorted(features), (hour, report.attrs["breached_features"])
        else:
            assert result.returncode == 0, (hour, result.stdout)
