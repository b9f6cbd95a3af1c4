import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftDrift
import ShapDriftTestSupport

/// `shapdrift baseline`, `check` and `merge` through the built binary.
@Suite("Drift commands")
struct DriftCommandTests {
    static let folder = Fixtures.path("shap", "drift_xgb_reg")
    static let model = folder + "/model.json"

    static func makeBaseline(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("baseline.json").path
        let result = try ShapDriftBinary.run(["baseline", "--model", model, "--data", folder + "/baseline.csv", "--output", path],
                                             environment: ["SOURCE_DATE_EPOCH": "1714557600"])
        #expect(result.status == 0, "\(result.stderr)")
        return path
    }

    @Test("check exits 1 on drift and 0 without, writing every report file")
    func exitCodesAndFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.makeBaseline(in: directory)
        let driftDir = directory.appendingPathComponent("drift").path
        let drift = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.model,
                                              "--data", Self.folder + "/current_drift.csv", "--output-dir", driftDir])
        #expect(drift.status == 1)
        #expect(drift.stdout.hasPrefix("DRIFT") && drift.stdout.contains("d5"))
        for file in ["report.json", "constraint_violations.json", "analysis.json", "features.csv", "report.md"] {
            #expect(FileManager.default.fileExists(atPath: driftDir + "/" + file), "\(file)")
        }
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: driftDir + "/report.json"))) as? [String: Any])
        #expect(report["drift_detected"] as? Bool == true && report["threshold"] as? Double == 0.9 && report["rows"] as? Int == 500)
        let features = try #require(report["features"] as? [[String: Any]])
        #expect(features.prefix(2).compactMap { $0["name"] as? String }.sorted() == ["d5", "d6"])
        for key in ["name", "baseline_mean_abs_shap", "current_mean_abs_shap", "baseline_rank", "current_rank", "shift", "breached"] {
            #expect(features[0][key] != nil, "\(key)")
        }
        let violations = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: driftDir + "/constraint_violations.json"))) as? [String: Any])
        #expect(violations["version"] as? String == "1.0")
        let list = try #require(violations["violations"] as? [[String: Any]])
        let shifted = list.filter { $0["constraint_check_type"] as? String == "feature_attribution_shift_check" }
        #expect(Set(["d5", "d6"]).isSubset(of: Set(shifted.compactMap { $0["feature_name"] as? String })))
        #expect(shifted.allSatisfy { $0["metric_name"] as? String == "shap" })
        let known: Set<String> = ["feature_attribution_drift_check", "feature_attribution_shift_check", "prediction_drift_check",
                                  "completeness_check", "baseline_drift_check", "categorical_values_check", "missing_column_check",
                                  "extra_column_check"]
        #expect(list.allSatisfy { known.contains($0["constraint_check_type"] as? String ?? "") })
        let analysis = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: driftDir + "/analysis.json"))) as? [String: Any])
        let label0 = (analysis["explanations"] as? [String: Any]).flatMap { ($0["kernel_shap"] as? [String: Any])?["label0"] as? [String: Any] }
        #expect((label0?["global_shap_values"] as? [String: Double])?.count == 8 && label0?["expected_value"] is Double)
        #expect(try String(contentsOfFile: driftDir + "/report.md", encoding: .utf8).contains("investigate"))

        let quiet = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.model,
                                              "--data", Self.folder + "/current_nodrift.csv", "--output-dir", directory.appendingPathComponent("quiet").path])
        #expect(quiet.status == 0 && quiet.stdout.hasPrefix("NO DRIFT"))
    }

    @Test("reports are deterministic: the same inputs give the same bytes, but for the run's provenance (its time, its output directory)")
    func deterministic() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.makeBaseline(in: directory)
        var contents: [[String]] = []
        for run in 0..<2 {
            let out = directory.appendingPathComponent("r\(run)").path
            _ = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.model, "--data", Self.folder + "/current.csv", "--output-dir", out])
            var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any])
            #expect(document["provenance"] != nil)
            document["provenance"] = nil
            let json = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
            let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8).components(separatedBy: "## Provenance")[0]
            var files = [String(decoding: json, as: UTF8.self), markdown]
            for name in ["features.csv", "constraint_violations.json", "analysis.json"] {
                files.append(try String(contentsOfFile: out + "/" + name, encoding: .utf8))
            }
            contents.append(files)
        }
        #expect(contents[0] == contents[1])
    }

    @Test("merge of two shard baselines equals the baseline of the whole")
    func mergeCommand() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let whole = try Self.makeBaseline(in: directory)
        let lines = try String(contentsOfFile: Self.folder + "/baseline.csv", encoding: .utf8).split(separator: "\n")
        var parts: [String] = []
        for (index, range) in [1..<400, 400..<lines.count].enumerated() {
            let csv = directory.appendingPathComponent("part\(index).csv").path
            try ([lines[0]] + lines[range]).joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
            let profile = directory.appendingPathComponent("part\(index).json").path
            #expect(try ShapDriftBinary.run(["baseline", "--model", Self.model, "--data", csv, "--output", profile],
                                            environment: ["SOURCE_DATE_EPOCH": "1714557600"]).status == 0)
            parts.append(profile)
        }
        let merged = directory.appendingPathComponent("merged.json").path
        #expect(try ShapDriftBinary.run(["merge", parts[1], parts[0], "--output", merged]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: merged)) == Data(contentsOf: URL(fileURLWithPath: whole)))
    }

    static let goodRecord = #"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8","encoding":"CSV"}},"eventMetadata":{"eventId":"a","inferenceTime":"2024-05-01T10:00:00Z"},"eventVersion":"0"}"#

    @Test("bad capture input exits 2 naming the file and line, and writes no report", arguments: [
        ("broken JSON line", goodRecord + "\n{\"captureData\": {", "line 2"),
        ("wrong column count", goodRecord + "\n" + goodRecord.replacingOccurrences(of: "0.7,0.8", with: "0.7"), ":2"),
        ("unknown encoding", goodRecord + "\n" + goodRecord.replacingOccurrences(of: "\"CSV\"", with: "\"GZIP\""), ":2"),
        ("non-numeric payload", goodRecord.replacingOccurrences(of: "0.5,", with: "x,"), ":1:5"),
    ])
    func badCapture(_ name: String, _ content: String, _ location: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.makeBaseline(in: directory)
        let capture = directory.appendingPathComponent("capture.jsonl").path
        try content.write(toFile: capture, atomically: true, encoding: .utf8)
        let reportDir = directory.appendingPathComponent("report").path
        let result = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.model, "--data", capture, "--output-dir", reportDir,
                                              "--max-bad-records", "0"])
        #expect(result.status == 2, "\(name)")
        #expect(result.stderr.contains("capture.jsonl"), "\(name): \(result.stderr)")
        #expect(result.stderr.contains(location) || result.stderr.contains(location.replacingOccurrences(of: "line ", with: ":")), "\(name): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: reportDir), "\(name)")
    }

    @Test("a baseline made for another model is refused with exit 2")
    func mismatchedBaseline() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = Fixtures.path("shap", "xgb_reg_missing", "model.json")
        let baseline = directory.appendingPathComponent("other.json").path
        #expect(try ShapDriftBinary.run(["baseline", "--model", other, "--data", Fixtures.path("shap", "xgb_reg_missing", "current.csv"), "--output", baseline]).status == 0)
        let reportDir = directory.appendingPathComponent("report").path
        let result = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.model, "--data", Self.folder + "/current.csv", "--output-dir", reportDir])
        #expect(result.status == 2 && result.stderr.contains("another model"))
        #expect(!FileManager.default.fileExists(atPath: reportDir))
        let broken = directory.appendingPathComponent("broken.json").path
        try "{\"format_version\": 1, \"rows\": 3".write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(try ShapDriftBinary.run(["check", "--baseline", broken, "--model", Self.model, "--data", Self.folder + "/current.csv", "--output-dir", reportDir]).status == 2)
    }

    @Test("a baseline made with another background or other sampling settings is refused; older baselines without them are not")
    func mismatchedSettings() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func head(_ file: String, _ lines: Int, as name: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            let text = try String(contentsOfFile: Self.folder + "/" + file, encoding: .utf8).split(separator: "\n").prefix(lines)
            try (text.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let rows = try head("current.csv", 11, as: "rows.csv")
        let background = try head("background.csv", 21, as: "background.csv")
        let otherBackground = try head("baseline.csv", 21, as: "other-background.csv")
        func run(_ command: String, _ extra: [String]) throws -> ShapDriftBinary.Result {
            let target = directory.appendingPathComponent(command == "baseline" ? "baseline.json" : "report").path
            let arguments = command == "baseline"
                ? ["baseline", "--model", Self.model, "--data", rows, "--output", target]
                : ["check", "--baseline", directory.appendingPathComponent("baseline.json").path, "--model", Self.model, "--data", rows, "--output-dir", target]
            return try ShapDriftBinary.run(arguments + extra)
        }
        let interventional = ["--method", "tree-interventional", "--background", background]
        #expect(try run("baseline", interventional).status == 0)
        #expect(try run("check", ["--background", background]).status != 2)
        let otherRows = try run("check", ["--background", otherBackground])
        #expect(otherRows.status == 2 && otherRows.stderr.contains("pass the same --background"))

        let kernel = ["--method", "kernel", "--background", background, "--samples", "60", "--seed", "1"]
        #expect(try run("baseline", kernel).status == 0)
        #expect(try run("check", ["--background", background, "--samples", "60", "--seed", "1"]).status != 2)
        let otherSeed = try run("check", ["--background", background, "--samples", "60", "--seed", "2"])
        #expect(otherSeed.status == 2 && otherSeed.stderr.contains("seed 1 in the baseline") && otherSeed.stderr.contains("--seed"))

        // A baseline written before the settings were recorded is compared without them.
        let path = directory.appendingPathComponent("baseline.json").path
        var older = try AttributionProfile.load(path: path)
        older.identity.backgroundSHA256 = nil
        older.identity.sampling = nil
        try Data(older.encoded()).write(to: URL(fileURLWithPath: path))
        #expect(try run("check", ["--background", background, "--samples", "60", "--seed", "2"]).status != 2)
    }
}

