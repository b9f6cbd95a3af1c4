"""Shared helpers: the built `shapdrift` binary and CSV round trips."""
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def shapdrift_binary():
    """`$SHAPDRIFT_BIN`, else the debug build `make test` produces."""
    path = os.environ.get("SHAPDRIFT_BIN", os.path.join(REPOSITORY, ".build", "debug", "shapdrift"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"shapdrift binary not found at {path}: run `swift build` (make test does) or set SHAPDRIFT_BIN")
    return path


def run_shapdrift(*arguments, check=True):
    result = subprocess.run([shapdrift_binary(), *map(str, arguments)], capture_output=True, text=True)
    if check and result.returncode not in (0, 1):
        raise AssertionError(f"shapdrift {' '.join(map(str, arguments))} exited {result.returncode}: {result.stderr}")
    return result


def write_csv(frame, path):
    """Every number as the shortest decimal that reads back as the same float64; NaN as empty."""
    frame.map(lambda v: "" if pd.isna(v) else repr(float(v))).to_csv(path, index=False)
    return path


def explain(model_path, data_path, tmp_path, *extra):
    out = tmp_path / "attributions.csv"
    run_shapdrift("explain", "--model", model_path, "--data", data_path, "--output", out, *extra)
    return pd.read_csv(out)


def predict(model_path, data_path, tmp_path):
    out = tmp_path / "predictions.csv"
    run_shapdrift("predict", "--model", model_path, "--data", data_path, "--output", out)
    frame = pd.read_csv(out)
    outputs = int(frame["output"].max()) + 1
    return frame["value"].to_numpy().reshape(-1, outputs)


def per_output(attributions, names):
    """(rows, outputs, features) values and (outputs,) base values from `explain` output."""
    outputs = int(attributions["output"].max()) + 1
    values = attributions[names].to_numpy().reshape(-1, outputs, len(names))
    base = attributions["base_value"].to_numpy().reshape(-1, outputs)[0]
    return values, base


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)
