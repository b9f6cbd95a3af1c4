"""shapdrift_export.spark against a real Spark in local mode (`make spark-test`).

The merged profile of a DataFrame's partitions, checked against a baseline, must give the report
that one `shapdrift check` over the same rows gives.
"""
import csv
import json
import os
import subprocess
import sys

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from shapdrift_export.spark import profile_dataframe

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(REPOSITORY, "Tests", "Fixtures", "shap", "drift_xgb_reg")
MODEL = os.path.join(FIXTURE, "model.json")


def binary():
    path = os.environ.get("SHAPDRIFT_BIN", os.path.join(REPOSITORY, ".build", "debug", "shapdrift"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"shapdrift binary not found at {path}: run `swift build` or set SHAPDRIFT_BIN")
    return path


def shapdrift(*arguments, status=(0, 1)):
    result = subprocess.run([binary(), *map(str, arguments)], capture_output=True, text=True)
    assert result.returncode in status, f"shapdrift {' '.join(map(str, arguments[:2]))}: {result.stderr}"
    return result


def findings(directory):
    """report.json without what says where the rows were read (files opened differ)."""
    with open(os.path.join(directory, "report.json")) as handle:
        report = json.load(handle)
    report.get("records", {}).pop("files_read", None)
    report.pop("provenance", None)
    return report


@pytest.fixture(scope="module")
def spark():
    # The executors' Python must be the driver's (local mode starts them from PATH otherwise).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("shapdrift-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate())
    yield session
    session.stop()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The drifted rows with an event id column, as one CSV file."""
    directory = tmp_path_factory.mktemp("spark")
    path = directory / "current.csv"
    with open(os.path.join(FIXTURE, "current_drift.csv")) as source, open(path, "w", newline="") as target:
        rows = list(csv.reader(source))
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(["event_id", *rows[0]])
        for index, row in enumerate(rows[1:]):
            writer.writerow([f"event-{index:04d}", *row])
    baseline = directory / "baseline.json"
    shapdrift("baseline", "--model", MODEL, "--data", os.path.join(FIXTURE, "baseline.csv"), "--output", baseline)
    single = directory / "single"
    shapdrift("check", "--baseline", baseline, "--model", MODEL, "--data", path, "--key-column", "event_id", "--output-dir", single)
    return directory, path, baseline, single


@pytest.mark.parametrize("partitions", [1, 3, 5])
def test_merged_partitions_check_like_one_check(spark, data, partitions):
    directory, path, baseline, single = data
    frame = spark.read.csv(str(path), header=True, inferSchema=True).repartition(partitions)
    assert frame.rdd.getNumPartitions() == partitions
    profile = directory / f"profile-{partitions}.json"
    assert profile_dataframe(frame, MODEL, str(profile), key_column="event_id", binary=binary()) == partitions
    with open(profile) as handle:
        merged = json.load(handle)
    assert merged["rows"] == 500 and merged["bootstrap"]["replicates"] == 200
    if partitions > 1:
        assert merged["shards"] == {"count": partitions, "by": "engine", "indices": list(range(partitions))}
    report = directory / f"report-{partitions}"
    shapdrift("check", "--baseline", baseline, "--model", MODEL, "--current-profile", profile, "--output-dir", report)
    ours, theirs = findings(report), findings(single)
    assert ours["ndcg_interval"] is not None
    assert ours == theirs
    for name in ("constraint_violations.json", "features.csv", "analysis.json"):
        with open(os.path.join(report, name), "rb") as a, open(os.path.join(single, name), "rb") as b:
            assert a.read() == b.read(), name


def test_options_reach_the_binary(spark, data):
    """Sampling and the bootstrap settings are the partitions' and end in the merged profile."""
    directory, path, baseline, _ = data
    frame = spark.read.csv(str(path), header=True, inferSchema=True).repartition(2)
    profile = directory / "sampled.json"
    profile_dataframe(frame, MODEL, str(profile), key_column="event_id", binary=binary(), sample_rate=0.5, sample_seed=3,
                      bootstrap=50, seed=7)
    with open(profile) as handle:
        merged = json.load(handle)
    assert merged["record_sampling"] == {"rate": 0.5, "seed": 3} and merged["rows_seen"] == 500 and 150 < merged["rows"] < 350
    assert merged["bootstrap"]["replicates"] == 50 and merged["bootstrap"]["seed"] == 7
    single = directory / "sampled-single"
    shapdrift("check", "--baseline", baseline, "--model", MODEL, "--data", path, "--key-column", "event_id", "--sample-rate", "0.5",
              "--sample-seed", "3", "--bootstrap", "50", "--seed", "7", "--output-dir", single)
    report = directory / "sampled-report"
    shapdrift("check", "--baseline", baseline, "--model", MODEL, "--current-profile", profile, "--output-dir", report)
    assert findings(report) == findings(single)


def test_a_failing_partition_fails_the_job(spark, data):
    directory, path, _, _ = data
    # Every row's d1 is text, and no bad record is allowed: each partition's binary stops with the
    # reader's located error. (An absent column is read as missing values, as check reads it.)
    frame = (spark.read.csv(str(path), header=True, inferSchema=True)
             .withColumn("d1", F.lit("not a number")).repartition(2))
    with pytest.raises(Exception, match="d1: expected a finite number"):
        profile_dataframe(frame, MODEL, str(directory / "failed.json"), binary=binary(), max_bad_records=0)
    assert not os.path.exists(directory / "failed.json")
