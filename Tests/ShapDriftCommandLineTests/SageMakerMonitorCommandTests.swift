import Foundation
import Testing
@testable import ShapDriftCore
import ShapDriftTestSupport

/// `shapdrift sagemaker-monitor` as a monitoring job runs it: the contract's directories laid out
/// under a temporary root, the variables set, the binary run, the outputs read back.
@Suite("sagemaker-monitor command")
struct SageMakerMonitorCommandTests {
    static let example = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("models/fraud-xgb").path
    static let model = example + "/model.json"

    /// A processing container's file system: `/opt/ml/processing/input/endpoint` holding the
    /// example's captured hours in SageMaker's layout, a baseline profile where the schedule's
    /// baseline statistics are downloaded, and the result directory.
    struct ContractRoot {
        let root: URL
        var ml: String { root.appendingPathComponent("opt/ml").path }
        var endpointData: String { ml + "/processing/input/endpoint" }
        var results: String { ml + "/processing/resultdata" }
        var baseline: String { ml + "/processing/baseline/statistics.json" }
        var message: String { ml + "/output/message" }
        var metrics: String { ml + "/output/metrics/cloudwatch/sagemaker-metrics.jsonl" }

        init() throws {
            root = try makeTemporaryDirectory()
            try FileManager.default.createDirectory(atPath: endpointData, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: (baseline as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: example + "/capture/fraud-scoring", toPath: endpointData + "/fraud-scoring")
            let made = try ShapDriftBinary.run(["baseline", "--model", model, "--data", example + "/baseline.csv", "--output", baseline])
            #expect(made.status == 0, "\(made.stderr)")
        }

        /// The variables of an hourly schedule's execution for `hour` of 2024-05-01.
        func environment(hour: Int, metrics: Bool = true) -> [String: String] {
            [
                "dataset_format": #"{"sagemakerCaptureJson": {"captureIndexNames": ["endpointInput", "endpointOutput"]}}"#,
                "dataset_source": endpointData, "output_path": results,
                "start_time": String(format: "2024-05-01T%02d:00:00Z", hour), "end_time": String(format: "2024-05-01T%02d:00:00Z", hour + 1),
                "publish_cloudwatch_metrics": metrics ? "Enabled" : "Disabled",
                "sagemaker_endpoint_name": "fraud-scoring", "sagemaker_monitoring_schedule_name": "fraud-hourly",
                "baseline_statistics": baseline, "shapdrift_model": model,
            ]
        }

        func run(_ environment: [String: String]) throws -> ShapDriftBinary.Result {
            try ShapDriftBinary.run(["sagemaker-monitor", "--ml-root", ml], environment: environment)
        }
    }

    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    @Test("a drifted hour: exit 0, the same report files as shapdrift check on that hour, metrics and exit message from them")
    func driftedHour() throws {
        let contract = try ContractRoot()
        defer { try? FileManager.default.removeItem(at: contract.root) }
        let result = try contract.run(contract.environment(hour: 14))
        #expect(result.status == 0, "\(result.stderr)")

        // shapdrift check over the same hour: its inclusive --until is the last whole second before
        // 15:00, and the example's timestamps are whole seconds.
        let reference = contract.root.appendingPathComponent("check").path
        let check = try ShapDriftBinary.run(["check", "--baseline", contract.baseline, "--model", Self.model, "--data", Self.example + "/capture",
                                             "--since", "2024-05-01T14:00:00Z", "--until", "2024-05-01T14:59:59Z", "--output-dir", reference])
        #expect(check.status == 1)
        for file in ["constraint_violations.json", "analysis.json", "features.csv"] {
            let ours = try Data(contentsOf: URL(fileURLWithPath: contract.results + "/" + file))
            #expect(ours == (try Data(contentsOf: URL(fileURLWithPath: reference + "/" + file))), "\(file)")
        }
        // The period is half-open, [14:00, 15:00), where check's --until is inclusive: the reports
        // say so in their window and agree in everything else.
        var ours = try Self.json(contract.results + "/report.json")
        var theirs = try Self.json(reference + "/report.json")
        var ourRecords = try #require(ours["records"] as? [String: Any])
        var theirRecords = try #require(theirs["records"] as? [String: Any])
        #expect((ourRecords["window"] as? [String: Any])?["until"] as? String == "2024-05-01T15:00:00Z")
        #expect((theirRecords["window"] as? [String: Any])?["until"] as? String == "2024-05-01T14:59:59Z")
        ourRecords["window"] = nil
        theirRecords["window"] = nil
        ours["records"] = ourRecords
        theirs["records"] = theirRecords
        // Provenance says how each was run (the command line, the inputs, the run's time).
        #expect(ours["provenance"] != nil && theirs["provenance"] != nil)
        ours["provenance"] = nil
        theirs["provenance"] = nil
        func canonical(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) }
        #expect(try canonical(ours) == (try canonical(theirs)))
        func withoutWindowLine(_ path: String) throws -> [Substring] {
            try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "## Provenance")[0]
                .split(separator: "\n").filter { !$0.hasPrefix("- Time window:") }
        }
        #expect(try withoutWindowLine(contract.results + "/report.md") == (try withoutWindowLine(reference + "/report.md")))
        let report = try Self.json(contract.results + "/report.json")
        // 400 rows an hour (models/README.md); the first record of hour 15, at 15:00:00 exactly, is not in [14:00, 15:00).
        #expect(report["rows"] as? Int == 400 && report["drift_detected"] as? Bool == true)
        let violations = try #require(try Self.json(contract.results + "/constraint_violations.json")["violations"] as? [[String: Any]])
        #expect(Set(violations.compactMap { $0["feature_name"] as? String }) == ["distance_km", "foreign"])

        let metrics = try String(contentsOfFile: contract.metrics, encoding: .utf8).split(separator: "\n")
            .map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        func value(_ name: String) -> Double? {
            metrics.first { $0["MetricName"] as? String == name }.flatMap { ($0["Value"] as? NSNumber)?.doubleValue }
        }
        #expect(value("FeatureAttributionDriftDetected") == 1 && value("RowsChecked") == 400 && value("BreachedFeatures") == 2)
        #expect(value("FeatureAttributionNDCG") == report["ndcg"] as? Double)
        let features = try #require(report["features"] as? [[String: Any]])
        for feature in features {
            let name = try #require(feature["name"] as? String)
            #expect(value("feature_\(name)") == feature["current_mean_abs_shap"] as? Double, "\(name)")
        }
        #expect(metrics.allSatisfy { $0["Timestamp"] as? String == "2024-05-01T15:00:00Z" })
        let scheduleDimensions = metrics.map { ($0["Dimensions"] as? [[String: String]])?.prefix(2).map { $0["Value"] ?? "" } }
        #expect(scheduleDimensions.allSatisfy { $0 == ["fraud-scoring", "fraud-hourly"] })

        let message = try String(contentsOfFile: contract.message, encoding: .utf8)
        #expect(message.hasPrefix("CompletedWithViolations: DRIFT") && message.contains("400 rows"))
    }

    @Test("a clean hour without metrics: exit 0, an empty violation list, a Completed message, no metrics file")
    func cleanHour() throws {
        let contract = try ContractRoot()
        defer { try? FileManager.default.removeItem(at: contract.root) }
        let result = try contract.run(contract.environment(hour: 11, metrics: false))
        #expect(result.status == 0, "\(result.stderr)")
        #expect((try Self.json(contract.results + "/constraint_violations.json")["violations"] as? [Any])?.isEmpty == true)
        #expect(try String(contentsOfFile: contract.message, encoding: .utf8).hasPrefix("Completed: NO DRIFT"))
        #expect(!FileManager.default.fileExists(atPath: contract.metrics))
    }

    @Test("a job that cannot run exits 2, says why in the exit message, and writes no report", arguments: [
        ("shapdrift_model", nil, "shapdrift_model: not set"),
        ("dataset_format", #"{"parquet": {}}"#, "parquet datasets"),
        ("shapdrift_model", Fixtures.path("shap", "xgb_reg_missing", "model.json"), "statistics.json: model do not match"),
        ("start_time", "2024-05-02T00:00:00Z", "no data rows"),
    ] as [(String, String?, String)])
    func failedJob(_ name: String, _ value: String?, _ expected: String) throws {
        let contract = try ContractRoot()
        defer { try? FileManager.default.removeItem(at: contract.root) }
        var environment = contract.environment(hour: 14)
        environment[name] = value
        if name == "start_time" { environment["end_time"] = "2024-05-02T01:00:00Z" }
        let result = try contract.run(environment)
        #expect(result.status == 2)
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        let message = try String(contentsOfFile: contract.message, encoding: .utf8)
        #expect(message.hasPrefix("Failed: ") && message.contains(expected), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: contract.results) && !FileManager.default.fileExists(atPath: contract.metrics))
    }

    @Test("a failed execution marks the report set of an earlier one failed, so its verdict does not look current")
    func failureMarksEarlierSet() throws {
        let contract = try ContractRoot()
        defer { try? FileManager.default.removeItem(at: contract.root) }
        #expect(try contract.run(contract.environment(hour: 11)).status == 0)
        #expect(try Self.json(contract.results + "/status.json")["status"] as? String == "complete")
        var environment = contract.environment(hour: 11)
        (environment["start_time"], environment["end_time"]) = ("2024-05-02T00:00:00Z", "2024-05-02T01:00:00Z")
        let failed = try contract.run(environment)
        #expect(failed.status == 2 && failed.stderr.contains("no data rows"), "\(failed.stderr)")
        let status = try Self.json(contract.results + "/status.json")
        #expect(status["status"] as? String == "failed" && (status["error"] as? String ?? "").contains("no data rows"), "\(status)")
        #expect(!FileManager.default.fileExists(atPath: contract.results + "/report.json"))
    }
}

@Suite("Version")
struct VersionTests {
    @Test("shapdrift --version prints the library's version, the one profiles and reports record")
    func version() throws {
        let result = try ShapDriftBinary.run(["--version"])
        #expect(result.status == 0 && result.stdout == ShapDriftVersion.current + "\n")
    }
}
