import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftDrift
import ShapDriftTestSupport

/// The built `shapdrift` binary: exit codes and output files.
@Suite("Command line")
struct CommandLineTests {
    static let model = Fixtures.path("shap", "xgb_reg_missing", "model.json")
    static let data = Fixtures.path("shap", "xgb_reg_missing", "current.csv")

    @Test("explain writes the documented header and one line per row, exit 0")
    func explainSucceeds() throws {
        let result = try ShapDriftBinary.run(["explain", "--model", Self.model, "--data", Self.data])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("row,output,") == true && lines.first?.hasSuffix(",base_value") == true)
        let dataLines = try String(contentsOfFile: Self.data, encoding: .utf8).split(separator: "\n").count
        #expect(lines.count == dataLines)
    }

    @Test("inspect and predict run on a real export")
    func inspectAndPredict() throws {
        let inspect = try ShapDriftBinary.run(["inspect", "--model", Self.model])
        #expect(inspect.status == 0 && inspect.stdout.contains("xgboost-json") && inspect.stdout.contains("trees"))
        let predict = try ShapDriftBinary.run(["predict", "--model", Self.model, "--data", Self.data])
        #expect(predict.status == 0 && predict.stdout.hasPrefix("row,output,value\n"))
    }

    @Test("explain and predict read a SageMaker capture file as they read the same rows in CSV")
    func explainAndPredictReadCaptures() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = Fixtures.driftFolder + "/baseline.csv"
        let capture = try CaptureFile.write(from: csv, encoding: .csv, rowsPerRecord: 3,
                                                to: directory.appendingPathComponent("capture.jsonl").path)
        for command in ["explain", "predict"] {
            let fromCSV = try ShapDriftBinary.run([command, "--model", Fixtures.driftModel, "--data", csv])
            let fromCapture = try ShapDriftBinary.run([command, "--model", Fixtures.driftModel, "--data", capture])
            #expect(fromCSV.status == 0 && fromCapture.status == 0, "\(fromCapture.stderr)")
            #expect(fromCapture.stdout == fromCSV.stdout)
        }
    }

    /// explain and predict write batch by batch; an error after the first batch must still leave
    /// neither the output file nor the temporary file behind.
    @Test("an input error after rows were written leaves no output file", arguments: ["explain", "predict"])
    func errorAfterFirstBatchLeavesNoFile(_ command: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = try String(contentsOfFile: Self.data, encoding: .utf8).split(separator: "\n")
        let header = lines[0]
        let rows = lines.dropFirst()
        var text = header + "\n"
        for index in 0..<20_000 { text += rows[rows.startIndex + index % rows.count] + "\n" }
        text += header.split(separator: ",", omittingEmptySubsequences: false).map { _ in "oops" }.joined(separator: ",") + "\n"
        let data = directory.appendingPathComponent("data.csv").path
        try text.write(toFile: data, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("out.csv").path
        // Strict (--max-bad-records 0): the bad last row fails the run after rows were written.
        let result = try ShapDriftBinary.run([command, "--model", Self.model, "--data", data, "--output", output, "--max-bad-records", "0"])
        #expect(result.status == 2 && result.stderr.contains("data.csv:20002"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["data.csv"])
    }

    @Test("input errors exit 2 with one message naming the file, and leave no output file", arguments: [
        ["--model", "/nonexistent/model.json"],
        ["--model", Fixtures.path("format_rules", "xgb_float32_boundary", "data.csv")],
        ["--data", Fixtures.path("format_rules", "lgbm_multiclass", "data.csv")],
        ["--method", "linear"],
        ["--method", "bogus"],
        ["--threads", "0"],
    ])
    func inputErrorsExit2(_ override: [String]) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out.csv").path
        var options = ["--model": Self.model, "--data": Self.data]
        var extra: [String] = []
        if override[0] == "--model" || override[0] == "--data" { options[override[0]] = override[1] } else { extra = override }
        let result = try ShapDriftBinary.run(["explain", "--model", options["--model"]!, "--data", options["--data"]!, "--output", output] + extra)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("shapdrift: error: ") || result.stderr.contains("Error:"))
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("a missing required option is a usage error, exit 2; --help exits 0")
    func usage() throws {
        #expect(try ShapDriftBinary.run(["explain", "--model", Self.model]).status == 2)
        #expect(try ShapDriftBinary.run(["frobnicate"]).status == 2)
        #expect(try ShapDriftBinary.run(["--help"]).status == 0)
    }
}

@Suite("Atomic output")
struct AtomicOutputTests {
    @Test("writing over an existing file replaces it whole")
    func replacesExistingFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("out.csv").path
        try writeAtomically(Array("old\n".utf8), to: path)
        try writeAtomically(Array("new\n".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.csv"])
    }
}
