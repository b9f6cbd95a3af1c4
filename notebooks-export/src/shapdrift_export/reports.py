"""Reading ShapDrift's outputs into pandas."""
import json
import os


def load_report(directory):
    """The ranked features of a `shapdrift check` report directory as a DataFrame.

    One row per feature, sorted by shift (largest first), with the columns of `report.json`'s
    feature entries (`docs/report.md`; nested ones such as `values`, `tests` and `shift_interval`
    stay dictionaries). The verdict and the rest of the report are in `frame.attrs`: `verdict`,
    `drift_detected`, `fail_on`, `criteria`, `ndcg`, `ndcg_interval`, `threshold`, `thresholds`,
    `rows`, `baseline_rows`, `breached_features`, `outputs`, `values`, `prediction`,
    `data_quality`, `records`, `sampling`, `warnings`, `provenance`, `model`, `note` (absent keys
    of older reports are None).
    """
    import pandas as pd

    with open(os.path.join(os.fspath(directory), "report.json")) as handle:
        report = json.load(handle)
    frame = pd.DataFrame(report["features"])
    for key in ("verdict", "drift_detected", "fail_on", "criteria", "ndcg", "ndcg_interval", "threshold", "thresholds",
                "hypotheses", "rows", "baseline_rows", "breached_features", "outputs", "values", "prediction", "data_quality",
                "records", "sampling", "warnings", "provenance", "model", "note"):
        frame.attrs[key] = report.get(key)
    return frame


def load_attributions(path):
    """`shapdrift explain` output as a DataFrame: `row`, `output`, one column per feature, `base_value`."""
    import pandas as pd

    return pd.read_csv(os.fspath(path))
