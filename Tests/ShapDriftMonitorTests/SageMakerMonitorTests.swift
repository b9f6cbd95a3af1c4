import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftDrift
@testable import ShapDriftMonitor
@testable import ShapDriftReports
import ShapDriftTestSupport

/// The SageMaker Model Monitor contract read into a job: what each variable sets, and a located
/// error for each bad one.
@Suite("SageMaker monitor job settings")
struct SageMakerMonitorJobTests {
    /// The variables a monitoring job sets (AWS's example, with its spaces after the colons), plus
    /// ShapDrift's required model.
    static let contract: [String: String] = [
        "dataset_format": #"{"sagemakerCaptureJson": {"captureIndexNames": ["endpointInput","endpointOutput"]}}"#,
        "dataset_source": "/opt/ml/processing/input/endpoint",
        "end_time": "2019-12-01T16: 20: 00Z",
        "output_path": "/opt/ml/processing/resultdata",
        "publish_cloudwatch_metrics": "Disabled",
        "sagemaker_endpoint_name": "endpoint-name",
        "sagemaker_monitoring_schedule_name": "schedule-name",
        "start_time": "2019-12-01T15: 20: 00Z",
        "baseline_statistics": "/opt/ml/processing/baseline/stats/statistics.json",
        "shapdrift_model": "/opt/shapdrift/model.json",
    ]

    static func job(_ changes: [String: String?]) throws(InputError) -> SageMakerMonitorJob {
        var environment = contract
        for (name, value) in changes { environment[name] = value }
        return try SageMakerMonitorJob(environment: environment)
    }

    @Test("the contract's variables set the paths, the half-open period and the dimensions; the check keeps its defaults")
    func contractVariables() throws {
        let job = try Self.job([:])
        #expect(job.datasetSource == "/opt/ml/processing/input/endpoint" && job.outputPath == "/opt/ml/processing/resultdata")
        #expect(job.baseline == "/opt/ml/processing/baseline/stats/statistics.json" && job.model == "/opt/shapdrift/model.json")
        #expect(job.background == nil && !job.publishesCloudWatchMetrics)
        #expect(job.endpointName == "endpoint-name" && job.scheduleName == "schedule-name")
        // 2019-12-01T15:20:00Z is 1575213600 s after the epoch (date -u -d 2019-12-01T15:20:00Z +%s).
        #expect(job.periodStart == 1_575_213_600 && job.periodEnd == 1_575_213_600 + 3600)
        #expect(job.window.contains(1_575_213_600) && job.window.contains(1_575_217_199.999))
        #expect(!job.window.contains(1_575_217_200) && !job.window.contains(1_575_213_599.999))
        let defaults = DriftCheckOptions()
        #expect(job.options.thresholds == defaults.thresholds && job.options.bootstrapReplicates == defaults.bootstrapReplicates)
        #expect(job.options.aggregation == defaults.aggregation && job.options.explainer.samples == nil && job.options.explainer.seed == 0)
    }

    @Test("shapdrift_* variables set the baseline, background and every setting of the check")
    func shapdriftVariables() throws {
        let job = try Self.job([
            "shapdrift_baseline": "/opt/shapdrift/baseline.json", "shapdrift_background": "/opt/shapdrift/background.csv",
            "shapdrift_threshold": "0.8", "shapdrift_alpha": "0.05", "shapdrift_min_shift": "0.02",
            "shapdrift_aggregation": "median", "shapdrift_bootstrap": "0", "shapdrift_samples": "500", "shapdrift_seed": "42",
            "shapdrift_threads": "3", "publish_cloudwatch_metrics": "Enabled", "start_time": nil, "end_time": nil,
        ])
        #expect(job.baseline == "/opt/shapdrift/baseline.json" && job.background == "/opt/shapdrift/background.csv")
        #expect(job.options.thresholds == DriftThresholds(ndcg: 0.8, alpha: 0.05, minShift: 0.02))
        #expect(job.options.aggregation == .median && job.options.bootstrapReplicates == 0 && job.options.threads == 3)
        #expect(job.options.explainer.samples == 500 && job.options.explainer.seed == 42 && job.options.bootstrapSeed == 42)
        #expect(job.publishesCloudWatchMetrics && job.window.isUnbounded && job.periodEnd == nil)
    }

    @Test("a missing or malformed variable is an error naming it", arguments: [
        ("shapdrift_model", nil, "not set"),
        ("dataset_source", nil, "not set"),
        ("output_path", "  ", "not set"),
        ("baseline_statistics", nil, "neither is baseline_statistics"),
        ("dataset_format", #"{"parquet": {}}"#, "parquet datasets (batch transform) are not supported"),
        ("dataset_format", #"{"csv": {"header": true}}"#, "csv datasets"),
        ("dataset_format", #"{"sagemakerCaptureJson": {"captureIndexNames": ["endpointOutput"]}}"#, "must include endpointInput"),
        ("dataset_format", "{sagemakerCaptureJson", "not JSON"),
        ("start_time", "yesterday", "expected an ISO 8601 time"),
        ("end_time", "2019-12-01T15:20:00Z", "is not after start_time"),
        ("publish_cloudwatch_metrics", "yes", "expected Enabled or Disabled"),
        ("shapdrift_threshold", "1.5", "a number from 0 to 1"),
        ("shapdrift_alpha", "nan", "a number between 0 and 1 (exclusive)"),
        ("shapdrift_aggregation", "max", "expected one of mean_abs"),
        ("shapdrift_bootstrap", "200000", "from 0 to 100000"),
        ("shapdrift_samples", "0", "an integer from 1"),
        ("shapdrift_seed", "-1", "an integer from 0"),
        ("shapdrift_threads", "many", "an integer from 1 to 4096"),
    ] as [(String, String?, String)])
    func badVariable(_ name: String, _ value: String?, _ expected: String) throws {
        let changes: [String: String?] = name == "baseline_statistics" ? [name: value, "shapdrift_baseline": nil] : [name: value]
        do {
            _ = try Self.job(changes)
            Issue.record("\(name)=\(value ?? "unset") was accepted")
        } catch {
            let field = name == "baseline_statistics" ? "shapdrift_baseline" : name
            #expect(error.field == field, "\(error)")
            #expect(error.message.contains(expected), "\(error)")
        }
    }

    @Test("an unset dataset_format is read as the data capture the contract sets")
    func unsetFormat() throws {
        #expect(try Self.job(["dataset_format": nil]).datasetSource == "/opt/ml/processing/input/endpoint")
    }
}

/// The CloudWatch metrics and exit message of a check, against the report they come from.
@Suite("SageMaker metrics and exit message")
struct SageMakerMetricsTests {
    static func report() throws -> DriftReport {
        try DriftCheckTests.check([Fixtures.driftFolder + "/current_drift.csv"])
    }

    @Test("metrics JSON Lines carry the report's values, the dimensions and the period's end, one object per line")
    func metricsFollowTheReport() throws {
        let report = try Self.report()
        let check = try CheckMetrics(report: report, settings: MetricsSettings(endpoint: "fraud-scoring", schedule: "hourly"),
                                     timestamp: Date(timeIntervalSince1970: 1_714_575_600))
        let bytes = try SageMakerMetrics.jsonLines(SageMakerMetrics.metrics(for: check))
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        let objects = try lines.map { line in
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            // Foundation's JSON parser does not round every number correctly; Swift's Double(String)
            // does. Keys are sorted, so the metric's own Value closes the line.
            let number = try #require(line.firstMatch(of: /"Value":([^,}"]+)\}$/)?.1)
            let value: Double = try #require(Double(String(number)))
            object["Value"] = value
            return object
        }
        #expect(objects.count == 4 + report.outputs.count * (2 + report.model.featureNames.count))
        func values(_ name: String) -> [Double] { objects.filter { $0["MetricName"] as? String == name }.compactMap { $0["Value"] as? Double } }
        #expect(values("FeatureAttributionDriftDetected") == [1] && values("RowsChecked") == [500] && values("BreachedFeatures") == [2])
        #expect(values("RecordsSkipped") == [0])
        #expect(values("FeatureAttributionNDCG") == [report.outputs[0].ndcg])
        #expect(values("ExpectedValue") == [report.outputs[0].baselineExpectedValue])
        for object in objects {
            // 1714575600 s is 2024-05-01T15:00:00Z (date -u -d @1714575600).
            #expect(object["Timestamp"] as? String == "2024-05-01T15:00:00Z")
            let names = (object["Dimensions"] as? [[String: String]])?.map { "\($0["Name"]!)=\($0["Value"]!)" } ?? []
            #expect(Array(names.prefix(2)) == ["Endpoint=fraud-scoring", "MonitoringSchedule=hourly"])
            #expect(["Count", "None"].contains(object["Unit"] as? String ?? ""))
            guard let name = object["MetricName"] as? String, name.hasPrefix("feature_") else { continue }
            let feature = String(name.dropFirst("feature_".count))
            #expect(names.last == "Label=label0")
            // SageMaker Clarify's feature_<name>: the current global SHAP value (mean |SHAP|).
            let meanAbs = try #require(report.outputs[0].features.first { $0.name == feature }?.currentMeanAbsShap)
            #expect(object["Value"] as? Double == meanAbs)
        }
    }

    @Test("without an endpoint or schedule name, the metrics have no such dimension")
    func noDimensions() {
        #expect(SageMakerMetrics.dimensions(endpoint: nil, schedule: "s") == [SageMakerMetrics.Dimension(name: "MonitoringSchedule", value: "s")])
        #expect(SageMakerMetrics.dimensions(endpoint: nil, schedule: nil).isEmpty)
    }

    @Test("the exit message states the status and verdict, and stays within 1 KB of whole UTF-8 characters")
    func exitMessage() throws {
        let report = try Self.report()
        let text = String(decoding: SageMakerExitMessage.completed(report), as: UTF8.self)
        #expect(text.hasPrefix("CompletedWithViolations: DRIFT") && text.contains("d5") && text.contains("500 rows"))
        let long = SageMakerExitMessage.failed(String(repeating: "é", count: 2000))
        #expect(long.count <= 1024 && long.count >= 1023)
        #expect(String(validating: long, as: UTF8.self) != nil)
    }
}
