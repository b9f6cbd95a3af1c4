"""The metric files of `shapdrift check --metrics` read by real parsers: Prometheus' promtool
(`promtool check metrics`, Debian's prometheus package) and prometheus_client's text parser on
shapdrift.prom; jsonschema with the published CloudWatch embedded metric format schema
(fixtures/cloudwatch-emf-schema.json, its source in its $comment) on the EMF lines; and every file's
NDCG against report.json's, to full precision (Python's json reads numbers correctly rounded)."""
import json
import os
import re
import shutil
import subprocess

import jsonschema
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import FIXTURES, REPOSITORY, run_shapdrift

EXAMPLE = os.path.join(REPOSITORY, "models", "fraud-xgb")


@pytest.fixture(scope="module")
def drifted_hour(tmp_path_factory):
    """The example's drifted hour, checked with every metric file."""
    directory = tmp_path_factory.mktemp("metrics")
    baseline = directory / "baseline.json"
    run_shapdrift("baseline", "--model", os.path.join(EXAMPLE, "model.json"), "--data", os.path.join(EXAMPLE, "baseline.csv"),
                  "--output", baseline)
    reports = directory / "report"
    kinds = ["cloudwatch-emf", "sagemaker", "prometheus", "json"]
    result = run_shapdrift("check", "--baseline", baseline, "--model", os.path.join(EXAMPLE, "model.json"),
                           "--data", os.path.join(EXAMPLE, "capture"), "--since", "2024-05-01T14:00:00Z", "--until", "2024-05-01T14:59:59Z",
                           "--output-dir", reports, "--metrics-endpoint", "fraud-scoring", "--metrics-schedule", "fraud-hourly",
                           *[argument for kind in kinds for argument in ("--metrics", kind)])
    assert result.returncode == 1, result.stderr
    with open(reports / "report.json") as handle:
        report = json.load(handle)
    return reports, report


def lines(path):
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_prometheus_file_passes_promtool(drifted_hour):
    reports, _ = drifted_hour
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool not found: install Debian's prometheus package (make test does)")
    with open(reports / "shapdrift.prom", "rb") as handle:
        result = subprocess.run([promtool, "check", "metrics"], stdin=handle, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "" and result.stderr.strip() == "", result.stdout + result.stderr


def test_prometheus_file_parses_with_the_report_values(drifted_hour):
    reports, report = drifted_hour
    with open(reports / "shapdrift.prom") as handle:
        families = {family.name: family for family in text_string_to_metric_families(handle.read())}
    expected = {"shapdrift_feature_attribution_ndcg", "shapdrift_drift_detected", "shapdrift_breached_features", "shapdrift_rows_checked",
                "shapdrift_feature_mean_abs_shap", "shapdrift_check_timestamp_seconds", "shapdrift_records_skipped", "shapdrift_expected_value"}
    assert expected <= set(families)
    for family in families.values():
        assert family.type == "gauge" and family.documentation
        for sample in family.samples:
            assert sample.labels["endpoint"] == "fraud-scoring" and sample.labels["monitoring_schedule"] == "fraud-hourly"
            assert sample.timestamp is None
    [ndcg] = families["shapdrift_feature_attribution_ndcg"].samples
    assert ndcg.labels["output"] == "label0" and ndcg.value == report["ndcg"]
    assert families["shapdrift_drift_detected"].samples[0].value == 1
    assert families["shapdrift_breached_features"].samples[0].value == len(report["breached_features"])
    assert families["shapdrift_rows_checked"].samples[0].value == report["rows"]
    # 2024-05-01T14:59:59Z, the window's end.
    assert families["shapdrift_check_timestamp_seconds"].samples[0].value == 1714575599
    shap = {(s.labels["feature"], s.labels["sample"]): s.value for s in families["shapdrift_feature_mean_abs_shap"].samples}
    for feature in report["outputs"][0]["features"]:
        assert shap[(feature["name"], "baseline")] == feature["baseline_mean_abs_shap"]
        assert shap[(feature["name"], "current")] == feature["current_mean_abs_shap"]


def test_emf_lines_follow_the_published_schema(drifted_hour):
    reports, report = drifted_hour
    with open(os.path.join(FIXTURES, "cloudwatch-emf-schema.json")) as handle:
        schema = json.load(handle)
    validator = jsonschema.Draft7Validator(schema)
    documents = lines(reports / "cloudwatch-emf.jsonl")
    values = {}
    for document in documents:
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, errors
        # The specification's rules beyond the schema: every target member is on the root node,
        # dimensions as strings of at most 1024 characters, metrics as numbers; at most 100
        # definitions per directive.
        for directive in document["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == "ShapDrift"
            assert len(directive["Metrics"]) <= 100
            for dimension_set in directive["Dimensions"]:
                for name in dimension_set:
                    assert isinstance(document[name], str) and len(document[name]) <= 1024
            for metric in directive["Metrics"]:
                value = document[metric["Name"]]
                assert isinstance(value, (int, float)) and not isinstance(value, bool)
                values[(metric["Name"], document.get("Label"))] = value
    assert values[("FeatureAttributionNDCG", "label0")] == report["ndcg"]
    assert values[("FeatureAttributionDriftDetected", None)] == 1
    assert values[("BreachedFeatures", None)] == len(report["breached_features"])
    assert values[("RowsChecked", None)] == report["rows"]
    assert values[("RecordsSkipped", None)] == report["records"]["skipped"]
    assert values[("ExpectedValue", "label0")] == report["outputs"][0]["baseline_expected_value"]
    for feature in report["outputs"][0]["features"]:
        assert values[("feature_" + feature["name"], "label0")] == feature["current_mean_abs_shap"]
    assert documents[0]["_aws"]["Timestamp"] == 1714575599000


def test_sagemaker_and_json_files_carry_the_report_ndcg(drifted_hour):
    reports, report = drifted_hour
    metrics = lines(reports / "sagemaker-metrics.jsonl")
    for metric in metrics:
        assert set(metric) == {"MetricName", "Timestamp", "Dimensions", "Value", "Unit"}
        assert metric["Timestamp"] == "2024-05-01T14:59:59Z"
        assert metric["Dimensions"][:2] == [{"Name": "Endpoint", "Value": "fraud-scoring"},
                                            {"Name": "MonitoringSchedule", "Value": "fraud-hourly"}]
    [ndcg] = [m for m in metrics if m["MetricName"] == "FeatureAttributionNDCG"]
    assert ndcg["Value"] == report["ndcg"] and ndcg["Dimensions"][2] == {"Name": "Label", "Value": "label0"}
    [line] = lines(reports / "metrics.jsonl")
    assert line["ndcg"] == report["ndcg"] and line["outputs"][0]["ndcg"] == report["outputs"][0]["ndcg"]
    assert line["breached_features"] == report["breached_features"] and line["drift_detected"] is True


def test_the_documented_alerting_rule_passes_promtool(tmp_path):
    """docs/alarms.md's Prometheus rules are rules promtool accepts."""
    with open(os.path.join(REPOSITORY, "docs", "alarms.md")) as handle:
        [rules] = re.findall(r"```yaml\n(groups:.*?)```", handle.read(), re.S)
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool not found: install Debian's prometheus package (make test does)")
    path = tmp_path / "rules.yml"
    path.write_text(rules)
    result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and "SUCCESS: 2 rules found" in result.stdout, result.stdout + result.stderr
