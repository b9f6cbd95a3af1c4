import Foundation
import Testing
import ShapDriftTestSupport

/// The data path through the built binary: bad records, windows, job files, error messages.
@Suite("Data path commands")
struct DataPathCommandTests {
    static let model = Fixtures.driftModel

    static func record(_ index: Int, data: String = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8") -> String {
        #"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"\#(data)","encoding":"CSV"}},"eventMetadata":{"eventId":"e\#(index)","inferenceTime":"2024-05-01T11:\#(String(format: "%02d", index / 60 % 60)):\#(String(format: "%02d", index % 60))Z"},"eventVersion":"0"}"#
    }

    /// A capture of the fixture's current rows, with the lines at `bad` replaced by bad records.
    static func capture(in directory: URL, bad: Set<Int>) throws -> String {
        let table = try ReferenceTable(path: Fixtures.driftFolder + "/current_nodrift.csv")
        let lines = table.rows.enumerated().map { index, row in
            bad.contains(index) ? record(index, data: "abc,1") : record(index, data: row.map(\.description).joined(separator: ","))
        }
        let folder = directory.appendingPathComponent("ep/AllTraffic/2024/05/01/11")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try lines.joined(separator: "\n").write(to: folder.appendingPathComponent("capture.jsonl"), atomically: true, encoding: .utf8)
        return directory.appendingPathComponent("ep").path
    }

    static func baseline(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("baseline.json").path
        let result = try ShapDriftBinary.run(["baseline", "--model", model, "--data", Fixtures.driftFolder + "/baseline.csv", "--output", path])
        #expect(result.status == 0, "\(result.stderr)")
        return path
    }

    @Test("a capture with a few bad records is checked, and the report lists them by reason")
    func fewBadRecords() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(in: directory)
        let data = try Self.capture(in: directory, bad: [3, 77, 401])
        let out = directory.appendingPathComponent("report").path
        let result = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.model, "--data", data, "--output-dir", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("skipped 3 bad records of 500 (wrong number of fields 3)"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any])
        let records = try #require(report["records"] as? [String: Any])
        #expect(records["read"] as? Int == 500 && records["skipped"] as? Int == 3 && report["rows"] as? Int == 497)
        #expect(records["by_reason"] as? [String: Int] == ["wrong number of fields": 3])
        let first = try #require(records["first_skipped"] as? [[String: Any]])
        #expect(first.compactMap { $0["line"] as? Int } == [4, 78, 402])
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(markdown.contains("## Data read") && markdown.contains("| wrong number of fields | 3 |") && markdown.contains("capture.jsonl:402"))
    }

    @Test("a capture whose records are mostly unreadable exits 2 with the reasons, and writes no report")
    func mostlyBadRecords() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(in: directory)
        let data = try Self.capture(in: directory, bad: Set(0..<400))
        let out = directory.appendingPathComponent("report").path
        let result = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.model, "--data", data, "--output-dir", out])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("shapdrift: error: bad records: 400 of 500 records read could not be used (80 %)"), "\(result.stderr)")
        #expect(result.stderr.contains("wrong number of fields 400") && result.stderr.contains("--max-bad-records"))
        #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))
        // The baseline is strict: one bad record fails it with that record's own error.
        let strict = try ShapDriftBinary.run(["baseline", "--model", Self.model, "--data", try Self.capture(in: directory, bad: [3]),
                                              "--output", directory.appendingPathComponent("b2.json").path])
        #expect(strict.status == 2 && strict.stderr.contains("capture.jsonl:4:") && strict.stderr.contains("payload row 1"), "\(strict.stderr)")
    }

    @Test("explain leaves a skipped record's row number out, so later rows keep theirs")
    func explainRowNumbers() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try Self.capture(in: directory, bad: [2])
        let result = try ShapDriftBinary.run(["predict", "--model", Self.model, "--data", data])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").dropFirst().compactMap { Int($0.split(separator: ",")[0]) }
        #expect(rows.count == 499 && !rows.contains(2) && rows.last == 499 && rows.prefix(3) == [0, 1, 3])
        #expect(result.stderr.contains("row numbers are absent"))
    }

    @Test("a job file runs the same check as the equivalent command line, byte for byte")
    func jobEqualsCommandLine() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(in: directory)
        let data = try Self.capture(in: directory, bad: [5])
        let byFlags = directory.appendingPathComponent("flags").path
        let flags = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.model, "--data", data, "--since", "2024-05-01T11:00:00Z",
                                             "--until", "2024-05-01T11:59:59Z", "--variant", "AllTraffic", "--sample-rate", "0.5", "--seed", "3",
                                             "--bootstrap", "50", "--output-dir", byFlags])
        #expect(flags.status <= 1, "\(flags.stderr)")
        let byJob = directory.appendingPathComponent("job").path
        let job = directory.appendingPathComponent("job.yaml").path
        try """
        model: \(Self.model)
        baseline: \(baseline)
        method: {seed: 3}
        data:
          capture: \(data)
          variants: [AllTraffic]
          window: {since: "2024-05-01T11:00:00Z", until: "2024-05-01T11:59:59Z"}
        sampling: {rate: 0.5}
        bootstrap: {replicates: 50}
        outputs: {directory: \(byJob)}
        """.write(toFile: job, atomically: true, encoding: .utf8)
        let validate = try ShapDriftBinary.run(["validate", job])
        #expect(validate.status == 0 && validate.stdout.contains("valid") && validate.stdout.contains("matches the model"), "\(validate.stderr)")
        let run = try ShapDriftBinary.run(["run", job])
        #expect(run.status == flags.status && run.stdout == flags.stdout.replacingOccurrences(of: byFlags, with: byJob), "\(run.stderr)")
        for file in ["features.csv", "constraint_violations.json", "analysis.json"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: byFlags + "/" + file)) == Data(contentsOf: URL(fileURLWithPath: byJob + "/" + file)), "\(file)")
        }
        // report.json and report.md agree but for their provenance: how each was run (the
        // command line, the run's time).
        func withoutProvenance(_ directory: String) throws -> (Data, String) {
            var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))) as? [String: Any])
            #expect(document["provenance"] != nil)
            document["provenance"] = nil
            return (try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]),
                    try String(contentsOfFile: directory + "/report.md", encoding: .utf8).components(separatedBy: "## Provenance")[0])
        }
        let (flagsJSON, flagsMarkdown) = try withoutProvenance(byFlags)
        let (jobJSON, jobMarkdown) = try withoutProvenance(byJob)
        #expect(flagsJSON == jobJSON && flagsMarkdown == jobMarkdown)
        let report = try String(contentsOfFile: byJob + "/report.json", encoding: .utf8)
        #expect(report.contains("\"sampling\"") && report.contains("\"rate\" : 0.5"))
    }

    @Test("validate refuses a baseline made for another model, naming the baseline file")
    func validateMismatch() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(in: directory)
        let job = directory.appendingPathComponent("job.yaml").path
        let other = Fixtures.path("shap", "xgb_reg_diabetes", "model.json")
        try "model: \(other)\nbaseline: \(baseline)\ndata: {paths: [\(Fixtures.driftFolder)/current.csv]}\n".write(toFile: job, atomically: true, encoding: .utf8)
        let result = try ShapDriftBinary.run(["validate", job])
        #expect(result.status == 2 && result.stderr.contains(baseline), "\(result.stderr)")
    }

    @Test("every kind of error gets exactly one 'shapdrift: error: ' prefix and never 'Error:'", arguments: [
        ["check", "--model", "m"],
        ["check", "--baseline", "b", "--model", "m", "--data", "d", "--bogus"],
        ["check", "--baseline", "b", "--model", "m", "--data", "d", "--threshold", "2"],
        ["check", "--baseline", "b", "--model", "m", "--data", "d", "--threads", "x"],
        ["check", "--baseline", "b", "--model", "m", "--data", "d", "--since", "2024-05-01T12:00:00Z", "--until", "2024-05-01T11:00:00Z"],
        ["check", "--baseline", "b", "--model", "m", "--data", "d", "--since", "yesterday"],
        ["check", "--baseline", "nowhere.json", "--model", "m", "--data", "d"],
        ["explain", "--model", Fixtures.driftModel, "--data", Fixtures.driftFolder + "/current.csv", "--since", "2024-05-01T11:00:00Z"],
        ["bogus"],
        ["run", "/nonexistent/job.yaml"],
        ["merge"],
    ])
    func onePrefix(_ arguments: [String]) throws {
        let result = try ShapDriftBinary.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("shapdrift: error: "), "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "shapdrift: error:").count == 2, "\(result.stderr)")
        #expect(!result.stderr.contains("Error:"), "\(result.stderr)")
    }

    @Test("--since later than --until is refused before any file is opened; a window on CSV needs --time-column")
    func windowRefusals() throws {
        let backwards = try ShapDriftBinary.run(["predict", "--model", Self.model, "--data", "/nonexistent",
                                                 "--since", "2024-05-01T12:00:00Z", "--until", "2024-05-01T11:00:00Z"])
        #expect(backwards.status == 2 && backwards.stderr.contains("later than --until") && !backwards.stderr.contains("nonexistent"))
        let csv = try ShapDriftBinary.run(["predict", "--model", Self.model, "--data", Fixtures.driftFolder + "/current.csv", "--since", "2024-05-01T11:00:00Z"])
        #expect(csv.status == 2 && csv.stderr.contains("--time-column NAME"), "\(csv.stderr)")
    }
}
