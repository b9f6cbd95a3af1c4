import Foundation
import Testing
@testable import ShapDriftCore
import ShapDriftTestSupport

/// `check`'s data-quality violations, provenance and output names, through the built binary.
@Suite("Check: data quality, provenance, output names")
struct VerdictCommandTests {
    static let delivery = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/lgbm-regression-categorical").path

    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// Capture records with JSON payloads keyed by feature name, built from the example's
    /// baseline rows: `courier_rating` absent from every record, `traffic_index` null in 30 % of
    /// them, `region` a code the baseline never saw (9) in 40 %, and an unknown key.
    static func writeCapture(to path: String) throws {
        let table = try ReferenceTable(path: delivery + "/baseline.csv")
        var lines: [String] = []
        for (index, row) in table.rows.prefix(400).enumerated() {
            var members: [String] = []
            for (name, value) in zip(table.header, row) {
                switch name {
                case "courier_rating": continue
                case "traffic_index" where index % 10 < 3: members.append("\"\(name)\": null")
                case "region" where index % 10 >= 6: members.append("\"\(name)\": 9")
                default: members.append("\"\(name)\": \(value)")
                }
            }
            members.append("\"customer_id\": \(index)")
            let payload = "{" + members.joined(separator: ", ") + "}"
            let escaped = payload.replacingOccurrences(of: "\"", with: "\\\"")
            let second = index * 9
            lines.append(#"{"captureData":{"endpointInput":{"observedContentType":"application/json","mode":"INPUT","data":"\#(escaped)","encoding":"JSON"}},"eventMetadata":{"eventId":"e\#(index)","inferenceTime":"2024-05-01T10:\#(String(format: "%02d:%02d", second / 60, second % 60))Z"},"eventVersion":"0"}"#)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("a capture with a column missing, a missing-rate jump and unseen categories gives SageMaker's check types")
    func dataQualityViolations() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = directory.appendingPathComponent("baseline.json").path
        #expect(try ShapDriftBinary.run(["baseline", "--model", Self.delivery + "/model.txt", "--data", Self.delivery + "/baseline.csv",
                                         "--output", baseline]).status == 0)
        let folder = directory.appendingPathComponent("capture/delivery-time/AllTraffic/2024/05/01/10")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.writeCapture(to: folder.appendingPathComponent("capture.jsonl").path)
        let out = directory.appendingPathComponent("report").path
        let result = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.delivery + "/model.txt",
                                              "--data", directory.appendingPathComponent("capture").path, "--output-dir", out,
                                              "--since", "2024-05-01T10:00:00Z", "--until", "2024-05-01T10:59:59Z"])
        #expect(result.status == 1, "\(result.stderr)")
        let violations = try #require(try Self.json(out + "/constraint_violations.json")["violations"] as? [[String: Any]])
        func checks(_ feature: String) -> Set<String> {
            Set(violations.filter { $0["feature_name"] as? String == feature }.compactMap { $0["constraint_check_type"] as? String })
        }
        #expect(checks("courier_rating").isSuperset(of: ["missing_column_check", "completeness_check"]), "\(checks("courier_rating"))")
        #expect(checks("traffic_index").contains("completeness_check"))
        #expect(checks("region").isSuperset(of: ["categorical_values_check", "baseline_drift_check"]), "\(checks("region"))")
        #expect(checks("customer_id") == ["extra_column_check"])
        // Features that did not change raise nothing.
        #expect(checks("distance").isEmpty && checks("items").isEmpty)

        let report = try Self.json(out + "/report.json")
        let quality = try #require(report["data_quality"] as? [String: Any])
        #expect(quality["unreadable_records"] as? Int == 0)
        let values = try #require(report["values"] as? [[String: Any]])
        let region = try #require(values.first { $0["name"] as? String == "region" })
        #expect(region["categorical"] as? Bool == true && region["distance_kind"] as? String == "category_share_linf")
        let shares = try #require(region["categories"] as? [String: Any])
        #expect(abs((shares["unseen_share"] as? Double ?? 0) - 0.4) < 1e-12)
        let traffic = try #require(values.first { $0["name"] as? String == "traffic_index" })
        #expect(abs(((traffic["current"] as? [String: Any])?["missing_rate"] as? Double ?? 0) - 0.3) < 1e-12)

        // Data quality is reported beside the verdict; --fail-on data_quality makes it count.
        let criteria = try #require(report["criteria"] as? [String: Any])
        #expect(criteria["data_quality"] as? Bool == true)
        #expect((report["fail_on"] as? [String]) == ["attribution"])
    }

    @Test("report.json records provenance (the command, inputs, baseline and model) and what was read (capture times, records, window)")
    func provenance() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fraud = Self.delivery.replacingOccurrences(of: "lgbm-regression-categorical", with: "fraud-xgb")
        let baseline = directory.appendingPathComponent("baseline.json").path
        #expect(try ShapDriftBinary.run(["baseline", "--model", fraud + "/model.json", "--data", fraud + "/baseline.csv", "--output", baseline],
                                        environment: ["SOURCE_DATE_EPOCH": "1714557600"]).status == 0)
        let out = directory.appendingPathComponent("report").path
        let arguments = ["check", "--baseline", baseline, "--model", fraud + "/model.json", "--data", fraud + "/capture",
                         "--since", "2024-05-01T11:00:00Z", "--until", "2024-05-01T11:59:59Z", "--output-dir", out]
        let result = try ShapDriftBinary.run(arguments)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let document = try Self.json(out + "/report.json")
        let provenance = try #require(document["provenance"] as? [String: Any])
        #expect(provenance["tool"] as? String == "shapdrift \(ShapDriftVersion.current)")
        #expect(Array((provenance["command_line"] as? [String] ?? []).dropFirst()) == arguments)
        #expect(provenance["inputs"] as? [String] == [fraud + "/capture"])
        // What the read found is the report's `records`: files, window, times read, counts.
        let records = try #require(document["records"] as? [String: Any])
        // A window of 11:00–11:59:59 opens the 11 and 12 hour folders (docs/data.md).
        #expect(records["files_read"] as? Int == 2 && records["files_outside_window"] as? Int == 4)
        let span = try #require(records["times_read"] as? [String: Any])
        // The generator spreads 400 records over the hour, 9 s apart: 11:00:00 … 11:59:51.
        #expect(span["since"] as? String == "2024-05-01T11:00:00Z" && span["until"] as? String == "2024-05-01T11:59:51Z")
        #expect(records["read"] as? Int == 400 && records["skipped"] as? Int == 0)
        #expect((records["window"] as? [String: Any])?["since"] as? String == "2024-05-01T11:00:00Z")
        #expect((records["window"] as? [String: Any])?["until"] as? String == "2024-05-01T11:59:59Z")
        let base = try #require(provenance["baseline"] as? [String: Any])
        #expect(base["created"] as? String == "2024-05-01T10:00:00Z" && base["rows"] as? Int == 1000 && base["path"] as? String == baseline)
        let digest = try ShapDriftBinary.shell("sha256sum", [baseline]).split(separator: " ").first.map(String.init)
        #expect(base["sha256"] as? String == digest)
        let model = try #require(provenance["model"] as? [String: String])
        #expect(model["sha256"] == (try ShapDriftBinary.shell("sha256sum", [fraud + "/model.json"]).split(separator: " ").first.map(String.init)))
        #expect((provenance["run_seconds"] as? Double ?? -1) >= 0 && provenance["started_at"] is String)
        #expect(try String(contentsOfFile: out + "/report.md", encoding: .utf8).contains("Times of the records read: 2024-05-01T11:00:00Z … 2024-05-01T11:59:51Z"))
    }

    @Test("--output-names names the outputs of a multi-class model in every report; a wrong count is a usage error")
    func outputNames() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = Fixtures.path("objectives", "lgb_multiclass")
        let (model, data) = ("model.txt", "data.csv")
        let baseline = directory.appendingPathComponent("baseline.json").path
        #expect(try ShapDriftBinary.run(["baseline", "--model", folder + "/" + model, "--data", folder + "/" + data, "--output", baseline]).status == 0)
        let document = try Self.json(baseline)
        let outputs = try #require(document["outputs"] as? [Any]).count
        let names = (0..<outputs).map { "class-\($0)" }
        let out = directory.appendingPathComponent("report").path
        let result = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", folder + "/" + model, "--data", folder + "/" + data,
                                              "--output-dir", out, "--output-names", names.joined(separator: ",")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Showing output") && result.stdout.contains("(class-"))
        let report = try Self.json(out + "/report.json")
        #expect((report["outputs"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == names)
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(names.allSatisfy { markdown.contains("(\($0))") })
        let wrong = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", folder + "/" + model, "--data", folder + "/" + data,
                                             "--output-dir", out, "--output-names", "a,b"])
        #expect(wrong.status == 2 && wrong.stderr.contains("--output-names"))
    }

    @Test("a baseline written before profile format 3 still checks: no prediction drift, the checks needing new members listed as unavailable")
    func formatTwoBaseline() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A baseline written by a format-3 build (Tests/Fixtures/profiles), its format-3 members removed.
        let baseline = directory.appendingPathComponent("baseline.json").path
        var document = try Self.json(Fixtures.path("profiles", "lgbm-regression-categorical.format3.json"))
        #expect(document["format_version"] as? Int == 3 && document["predictions"] != nil && document["categories"] != nil)
        for key in ["predictions", "categories", "columns", "created"] { document[key] = nil }
        document["format_version"] = 2
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: baseline))
        let capture = directory.appendingPathComponent("capture.jsonl").path
        try Self.writeCapture(to: capture)
        let out = directory.appendingPathComponent("report").path
        let result = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.delivery + "/model.txt", "--data", capture,
                                              "--output-dir", out])
        #expect(result.status == 1, "\(result.stderr)")
        let report = try Self.json(out + "/report.json")
        #expect(report["prediction"] == nil)
        let unavailable = try #require((report["data_quality"] as? [String: Any])?["unavailable"] as? [String])
        #expect(unavailable.contains { $0.hasPrefix("categorical_values_check") } && unavailable.contains { $0.hasPrefix("extra_column_check") })
        let base = try #require((report["provenance"] as? [String: Any])?["baseline"] as? [String: Any])
        #expect(base["format_version"] as? Int == 2 && base["created"] == nil)
    }
}
