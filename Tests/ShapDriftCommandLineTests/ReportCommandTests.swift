import Foundation
import ShapDriftCore
import ShapDriftDrift
import ShapDriftTestSupport
import Testing

/// `check`'s HTML page and metric files, `report`, `history`, and what `check` prints, run on
/// the bundled example as a user runs them.
@Suite("Reports, metrics and history on the command line")
struct ReportCommandTests {
    static let example = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("models/fraud-xgb").path
    static var model: String { example + "/model.json" }

    static func baseline(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("baseline.json").path
        let result = try ShapDriftBinary.run(["baseline", "--model", model, "--data", example + "/baseline.csv", "--output", path])
        #expect(result.status == 0, "\(result.stderr)")
        return path
    }

    static func check(hour: Int, baseline: String, into directory: String, _ extra: [String] = [],
                      environment: [String: String] = [:]) throws -> ShapDriftBinary.Result {
        try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", model, "--data", example + "/capture",
                                 "--since", "2024-05-01T\(hour):00:00Z", "--until", "2024-05-01T\(hour):59:59Z", "--output-dir", directory,
                                 "--bootstrap", "50"] + extra, environment: environment)
    }

    @Test("the drifted hour: report.html names the breached features, and the metric files carry report.json's NDCG")
    func driftedHourFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(in: directory)
        let reports = directory.appendingPathComponent("r").path
        let prometheus = directory.appendingPathComponent("textfile").path
        let sagemaker = directory.appendingPathComponent("ml/output/metrics/cloudwatch").path
        let result = try Self.check(hour: 14, baseline: baseline, into: reports,
                                    MetricsKind.allCases.flatMap { ["--metrics", $0.rawValue] } + ["--prometheus-dir", prometheus,
                                                                                                  "--sagemaker-metrics-dir", sagemaker])
        #expect(result.status == 1, "\(result.stderr)")
        let page = try String(contentsOfFile: reports + "/report.html", encoding: .utf8)
        let reportText = try String(contentsOfFile: reports + "/report.json", encoding: .utf8)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(reportText.utf8)) as? [String: Any])
        let breached = try #require(report["breached_features"] as? [String])
        #expect(Set(breached) == ["distance_km", "foreign"])
        for name in breached { #expect(page.contains("<h3>\(name)</h3>")) }
        #expect(page.utf8.count < 300_000 && !page.contains("<script") && !page.contains("href=") && !page.contains("src="))
        // report.json's NDCG as written (shortest round-trip digits), in every metric file.
        let ndcg = try #require(reportText.firstMatch(of: /\n  "ndcg" : ([0-9.e-]+),/)?.1)
        #expect(page.contains("NDCG <b>\(String(format: "%.3f", Double(String(ndcg))!))</b>"))
        let prom = try String(contentsOfFile: prometheus + "/shapdrift.prom", encoding: .utf8)
        #expect(prom.contains("shapdrift_feature_attribution_ndcg{output=\"label0\"} \(ndcg)\n"))
        for file in [reports + "/cloudwatch-emf.jsonl", sagemaker + "/sagemaker-metrics.jsonl", reports + "/metrics.jsonl"] {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.contains("\"FeatureAttributionNDCG\":\(ndcg)") || text.contains("\"Value\":\(ndcg)") || text.contains("\"ndcg\":\(ndcg)"), "\(file)")
        }
        #expect(!FileManager.default.fileExists(atPath: reports + "/shapdrift.prom"))

        // report re-renders the same page from report.json alone.
        let again = directory.appendingPathComponent("again.html").path
        let rendered = try ShapDriftBinary.run(["report", reports, "--html", again])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(try String(contentsOfFile: again, encoding: .utf8) == page)
    }

    @Test("history over the example's six hours: the NDCG drop at the drifted hours in the text and the page")
    func sixHours() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(in: directory)
        let parent = directory.appendingPathComponent("hourly")
        var ndcg: [Int: Double] = [:]
        // Written out of order: history sorts by the data's time.
        for hour in [15, 10, 13, 11, 14, 12] {
            let folder = parent.appendingPathComponent("report-\(hour)h").path
            let result = try Self.check(hour: hour, baseline: baseline, into: folder)
            #expect(result.status == (hour >= 13 ? 1 : 0), "hour \(hour): \(result.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/report.json"))) as? [String: Any])
            ndcg[hour] = try #require(report["ndcg"] as? Double)
        }
        let html = directory.appendingPathComponent("history.html").path
        let history = try ShapDriftBinary.run(["history", parent.path, "--html", html])
        #expect(history.status == 0, "\(history.stderr)")
        let lines = history.stdout.split(separator: "\n")
        for (index, hour) in (10...15).enumerated() {
            let line = lines[index + 1]
            #expect(line.hasPrefix("2024-05-01T\(hour):00:00Z") && line.contains(String(format: "%.3f", ndcg[hour]!)), "\(line)")
            #expect(line.contains(hour >= 13 ? "DRIFT" : "no drift"), "\(line)")
        }
        #expect(ndcg[14]! < ndcg[10]! && ndcg[15]! < ndcg[11]!)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        for hour in 10...15 { #expect(page.contains("2024-05-01T\(hour):00:00Z \(String(format: "%.3f", ndcg[hour]!))")) }
        #expect(page.contains("DRIFT IN 3 OF 6 CHECKS"))
    }

    @Test("piped output has no colour; --quiet prints nothing; --timings-json is one JSON line; --log-level info logs")
    func terminal() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(in: directory)
        let out = directory.appendingPathComponent("r").path
        let plain = try Self.check(hour: 14, baseline: baseline, into: out)
        #expect(plain.stdout.hasPrefix("DRIFT: ") && !plain.stdout.contains("\u{1B}[") && plain.stderr.isEmpty)
        let quiet = try Self.check(hour: 14, baseline: baseline, into: out, ["--quiet"])
        #expect(quiet.status == 1 && quiet.stdout.isEmpty && quiet.stderr.isEmpty)
        let timed = try Self.check(hour: 14, baseline: baseline, into: out, ["--quiet", "--timings-json"])
        let line = try #require(timed.stderr.split(separator: "\n").first)
        let timings = try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["timings"] as? [String: Double])
        #expect(timings["rows"] == 400 && (timings["total_seconds"] ?? 0) > 0)
        let logged = try Self.check(hour: 14, baseline: baseline, into: out, ["--log-level", "info"])
        #expect(logged.stderr.contains("info shapdrift:") && logged.stderr.contains("400 rows checked"), "\(logged.stderr)")
        let refused = try Self.check(hour: 14, baseline: baseline, into: out, ["--quiet", "-v"])
        #expect(refused.status == 2 && refused.stderr.contains("--quiet"))
    }

    @Test("on a terminal (a pseudo-terminal from script(1)) the verdict and breached rows are coloured, unless NO_COLOR is set")
    func colourOnATerminal() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(in: directory)
        let arguments = [ShapDriftBinary.path, "check", "--baseline", baseline, "--model", Self.model, "--data", Self.example + "/capture",
                         "--since", "2024-05-01T14:00:00Z", "--until", "2024-05-01T14:59:59Z", "--bootstrap", "0",
                         "--output-dir", directory.appendingPathComponent("r").path]
        let command = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        func onTerminal(_ environment: [String: String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", command, "/dev/null"]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let output = directory.appendingPathComponent("terminal-\(UUID().uuidString)")
            #expect(FileManager.default.createFile(atPath: output.path, contents: nil))
            let handle = try FileHandle(forWritingTo: output)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            try handle.close()
            return try String(contentsOf: output, encoding: .utf8)
        }
        let coloured = try onTerminal(["NO_COLOR": ""])
        #expect(coloured.contains("\u{1B}[1;31mDRIFT: ") && coloured.contains("\u{1B}[31mforeign "), "\(coloured.prefix(300))")
        let plain = try onTerminal(["NO_COLOR": "1"])
        // No colour (SGR) codes; a progress line's erase-line code may appear on a slow machine.
        #expect(plain.contains("DRIFT: ") && plain.firstMatch(of: /\x{1B}\[[0-9;]*m/) == nil, "\(plain.prefix(300))")
    }

    @Test("labels that do not match the model's outputs are refused before any row is read, naming the flag")
    func labelMismatch() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try Self.baseline(in: directory)
        let result = try Self.check(hour: 14, baseline: baseline, into: directory.appendingPathComponent("r").path,
                                    ["--metrics", "prometheus", "--metrics-label", "a", "--metrics-label", "b"])
        #expect(result.status == 2 && result.stderr.contains("metric labels") && result.stderr.contains("one per model output (1)") && result.stderr.contains("--metrics-label"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("r").path))
    }
}
