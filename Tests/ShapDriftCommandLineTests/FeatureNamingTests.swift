import Foundation
import Testing
import ShapDriftTestSupport

/// Models exported without feature names (fitted on arrays): the data's CSV header names their
/// features in every output, the baseline records those names, and a header that renames a
/// column is refused. Also: the model's warnings reach `inspect` and every drift report.
@Suite("Feature names from the data, and model warnings")
struct FeatureNamingTests {
    static let nameless = ["sklearn_gbc_numpy_no_names", "xgb_numpy_no_names", "lgb_numpy_no_names"]

    static func model(_ name: String) -> String {
        Fixtures.path("objectives", name, name.hasPrefix("lgb") ? "model.txt" : "model.json")
    }
    static func data(_ name: String) -> String { Fixtures.path("objectives", name, "data.csv") }

    /// `source` with its header line replaced by `header`, written into `directory`.
    static func renamed(_ source: String, header: String, in directory: URL, as file: String = "renamed.csv") throws -> String {
        let lines = try String(contentsOfFile: source, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let path = directory.appendingPathComponent(file).path
        try ([header] + lines.dropFirst().map(String.init)).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("explain names a nameless model's features after the data's header, whatever it is", arguments: nameless)
    func explainUsesTheHeader(_ name: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let header = try #require(try String(contentsOfFile: Self.data(name), encoding: .utf8).split(separator: "\n").first)
        let original = try ShapDriftBinary.run(["explain", "--model", Self.model(name), "--data", Self.data(name)])
        #expect(original.status == 0, "\(original.stderr)")
        #expect(original.stdout.hasPrefix("row,output,\(header),base_value\n"))
        let other = try Self.renamed(Self.data(name), header: "p,q,r,s", in: directory)
        let renamed = try ShapDriftBinary.run(["explain", "--model", Self.model(name), "--data", other])
        #expect(renamed.status == 0 && renamed.stdout.hasPrefix("row,output,p,q,r,s,base_value\n"))
        // Columns are taken in order: the same values under the new names.
        #expect(renamed.stdout.split(separator: "\n").dropFirst() == original.stdout.split(separator: "\n").dropFirst())
    }

    @Test("the baseline records the header's names; check reports them and refuses a header that renames a column")
    func baselineAndCheckKeepTheNames() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let name = Self.nameless[0]
        let baseline = directory.appendingPathComponent("baseline.json").path
        let made = try ShapDriftBinary.run(["baseline", "--model", Self.model(name), "--data", Self.data(name), "--output", baseline])
        #expect(made.status == 0, "\(made.stderr)")
        let profile = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: baseline))) as? [String: Any])
        let identity = try #require(profile["model"] as? [String: Any])
        #expect(identity["feature_names"] as? [String] == ["alpha", "beta", "gamma", "delta"])

        let reports = directory.appendingPathComponent("report").path
        let same = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.model(name), "--data", Self.data(name),
                                            "--output-dir", reports])
        #expect(same.status == 0, "\(same.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reports + "/report.json"))) as? [String: Any])
        let features = try #require(report["features"] as? [[String: Any]])
        #expect(Set(features.compactMap { $0["name"] as? String }) == ["alpha", "beta", "gamma", "delta"])

        let moved = try Self.renamed(Self.data(name), header: "alpha,beta,GAMMA,delta", in: directory)
        let refusedDir = directory.appendingPathComponent("refused").path
        let refused = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.model(name), "--data", moved,
                                               "--output-dir", refusedDir])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("\(moved):1:3") && refused.stderr.contains("'GAMMA'") && refused.stderr.contains("'gamma'"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: refusedDir + "/report.json"))
    }

    @Test("rows without a header (SageMaker capture) go by the baseline's names")
    func captureTakesTheBaselinesNames() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let name = Self.nameless[0]
        let baseline = directory.appendingPathComponent("baseline.json").path
        #expect(try ShapDriftBinary.run(["baseline", "--model", Self.model(name), "--data", Self.data(name), "--output", baseline]).status == 0)
        let capture = try CaptureFile.write(from: Self.data(name), encoding: .csv, rowsPerRecord: 4,
                                            to: directory.appendingPathComponent("capture.jsonl").path)
        let reports = directory.appendingPathComponent("report").path
        let result = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", Self.model(name), "--data", capture,
                                              "--output-dir", reports, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let features = try #require(report["features"] as? [[String: Any]])
        #expect(Set(features.compactMap { $0["name"] as? String }) == ["alpha", "beta", "gamma", "delta"])
    }

    @Test("every CSV file of a run must name the columns as the first one does")
    func laterFilesKeepTheNames() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let name = Self.nameless[1]
        let moved = try Self.renamed(Self.data(name), header: "f0,f2,f1,f3", in: directory)
        let result = try ShapDriftBinary.run(["explain", "--model", Self.model(name), "--data", Self.data(name), moved])
        #expect(result.status == 2 && result.stderr.contains("\(moved):1:2") && result.stderr.contains("'f2'"), "\(result.stderr)")
    }

    @Test("a column name that appears twice in a nameless model's data is refused where it is")
    func duplicateColumnsAreRefused() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let twice = try Self.renamed(Self.data(Self.nameless[2]), header: "a,b,a,c", in: directory)
        let result = try ShapDriftBinary.run(["explain", "--model", Self.model(Self.nameless[2]), "--data", twice])
        #expect(result.status == 2 && result.stderr.contains("\(twice):1:3") && result.stderr.contains("appears twice"), "\(result.stderr)")
    }

    @Test("a model's warnings are printed by inspect and carried into every drift report")
    func warningsReachInspectAndReports() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try String(contentsOfFile: Fixtures.driftModel, encoding: .utf8)
        #expect(text.contains("\"reg:squarederror\""))
        let model = directory.appendingPathComponent("model.json").path
        try text.replacingOccurrences(of: "\"reg:squarederror\"", with: "\"reg:madeup\"").write(toFile: model, atomically: true, encoding: .utf8)

        let inspect = try ShapDriftBinary.run(["inspect", "--model", model])
        #expect(inspect.status == 0 && inspect.stdout.contains("warning") && inspect.stdout.contains("reg:madeup is not one ShapDrift knows"))
        let clean = try ShapDriftBinary.run(["inspect", "--model", Fixtures.driftModel])
        #expect(clean.status == 0 && !clean.stdout.contains("warning"))

        let baseline = directory.appendingPathComponent("baseline.json").path
        #expect(try ShapDriftBinary.run(["baseline", "--model", model, "--data", Fixtures.driftFolder + "/baseline.csv", "--output", baseline]).status == 0)
        let reports = directory.appendingPathComponent("report").path
        let check = try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", model,
                                             "--data", Fixtures.driftFolder + "/current_nodrift.csv", "--output-dir", reports])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("warning: objective reg:madeup"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reports + "/report.json"))) as? [String: Any])
        let warnings = try #require(report["warnings"] as? [String])
        #expect(warnings.count == 1 && warnings[0].contains("reg:madeup"))
        #expect(try String(contentsOfFile: reports + "/report.md", encoding: .utf8).contains("**Model warning:** objective reg:madeup"))
    }
}
