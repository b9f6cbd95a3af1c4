import Foundation
import ShapDrift

/// Paths of the committed test fixtures (`Tests/Fixtures`).
public enum Fixtures {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    public static func path(_ components: String...) -> String {
        components.reduce(root) { $0.appendingPathComponent($1) }.path
    }

    public static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// The drift fixture shared by the monitor and command-line tests: XGBoost regression, a
    /// baseline sample, clean and drifted current samples, and Clarify's recorded NDCG.
    public static let driftFolder = path("shap", "drift_xgb_reg")
    public static var driftModel: String { driftFolder + "/model.json" }
}

/// A reference CSV (written by Python), read with a deliberately simple parser independent of
/// ShapDrift's own reader: numbers only, empty = NaN.
public struct ReferenceTable {
    public let header: [String]
    public let rows: [[Double]]

    public init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        rows = try lines.map { line in
            try line.split(separator: ",", omittingEmptySubsequences: false).map { field in
                if field.isEmpty { return .nan }
                guard let value = Double(field) else { throw ReferenceError.notANumber(String(field), path) }
                return value
            }
        }
    }

    public enum ReferenceError: Error { case notANumber(String, String) }

    public func column(_ name: String) -> [Double]? {
        header.firstIndex(of: name).map { index in rows.map { $0[index] } }
    }
}

/// A fresh temporary directory, removed by the caller.
public func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("shapdrift-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Loads a model and the rows of a CSV file aligned to it.
public func loadModelAndData(model modelPath: String, data dataPath: String) throws -> (Model, FeatureBatch) {
    let model = try ModelLoader().load(path: modelPath)
    let batch = try CSVFeatureReader(path: dataPath, schema: FeatureSchema(model: model)).readAll()
    return (model, batch)
}

/// How `ours` (one output of an attribution batch) compares with a reference table of feature
/// columns (+ `base_value`): the largest absolute differences, the reference's largest |value|,
/// and the shape problems found (row count, column names), which a test must expect to be none.
public struct AttributionComparison {
    public var featureError = 0.0
    public var baseError = 0.0
    public var scale = 0.0
    public var problems: [String] = []
}

public func compareAttributions(_ batch: AttributionBatch, output: Int, featureNames: [String], reference: ReferenceTable)
    -> AttributionComparison {
    var result = AttributionComparison()
    if reference.rows.count != batch.rowCount {
        result.problems.append("the reference has \(reference.rows.count) rows, the batch \(batch.rowCount)")
        return result
    }
    var featureError = 0.0
    var baseError = 0.0
    var scale = 0.0
    for (feature, name) in featureNames.enumerated() {
        // Reference columns are in data order; LightGBM writes spaces in names as underscores.
        guard feature < reference.header.count,
              reference.header[feature].replacingOccurrences(of: " ", with: "_") == name.replacingOccurrences(of: " ", with: "_") else {
            result.problems.append("reference column \(feature) is not \(name)")
            continue
        }
        for (row, values) in reference.rows.enumerated() {
            let expected = values[feature]
            scale = max(scale, abs(expected))
            featureError = max(featureError, abs(batch[row, output, feature] - expected))
        }
    }
    if let base = reference.column("base_value") {
        baseError = base.map { abs($0 - batch.baseValues[output]) }.max() ?? 0
    }
    result.featureError = featureError
    result.baseError = baseError
    result.scale = scale
    return result
}

/// |Σφ + base − raw| over all rows for `output`.
public func additivityError(_ batch: AttributionBatch, output: Int, raw: [Double]) -> Double {
    var worst = 0.0
    for row in 0..<batch.rowCount {
        var total = batch.baseValues[output]
        for feature in 0..<batch.numFeatures { total += batch[row, output, feature] }
        worst = max(worst, abs(total - raw[row * batch.numOutputs + output]))
    }
    return worst
}

/// The built `shapdrift` binary, run as a user runs it: `SHAPDRIFT_BIN` when set (e.g. to the
/// release build), else the one beside the test bundle, else `.build/debug/shapdrift`.
public enum ShapDriftBinary {
    public static var path: String {
        if let given = ProcessInfo.processInfo.environment["SHAPDRIFT_BIN"], !given.isEmpty { return given }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("shapdrift").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        let packageRoot = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/shapdrift").path
    }

    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs the binary with `arguments` (and `environment` added to this process's), waiting for it.
    public static func run(_ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        // Output goes to files, not pipes: a child that fills one pipe while the test reads the
        // other cannot stall.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shapdrift-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        if stdin != nil { process.standardInput = input }
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(status: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// The standard output of a system tool (found on `PATH`), e.g. `sha256sum` as an
    /// independent reference.
    public static func shell(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// The encodings a SageMaker capture record's payload may have.
public enum CaptureEncoding: String, CaseIterable, Sendable {
    case csv = "CSV", json = "JSON", base64 = "BASE64"
}

/// Writes a CSV file's rows as SageMaker data-capture JSON Lines.
public enum CaptureFile {
    public static func write(from csvPath: String, encoding: CaptureEncoding, rowsPerRecord: Int, to path: String, hour: Int = 17) throws -> String {
        let table = try ReferenceTable(path: csvPath)
        var records: [String] = []
        var index = 0
        while index < table.rows.count {
            let rows = Array(table.rows[index..<min(index + rowsPerRecord, table.rows.count)])
            let contentType: String
            let data: String
            switch encoding {
            case .csv:
                contentType = "text/csv"
                data = rows.map { $0.map(\.description).joined(separator: ",") }.joined(separator: "\n")
            case .json:
                contentType = "application/json"
                let objects = rows.map { row in "{" + zip(table.header, row).map { "\"\($0.0)\":\($0.1.description)" }.joined(separator: ",") + "}" }
                data = objects.count == 1 ? objects[0] : "{\"instances\":[" + objects.joined(separator: ",") + "]}"
            case .base64:
                contentType = "text/csv"
                data = Data(rows.map { $0.map(\.description).joined(separator: ",") }.joined(separator: "\n").utf8).base64EncodedString()
            }
            let payload = try JSONSerialization.data(withJSONObject: ["data": data])
            let dataField = String(decoding: payload, as: UTF8.self).dropFirst("{\"data\":".count).dropLast()
            let second = String(format: "%02d", index % 60)
            records.append("""
            {"captureData":{"endpointInput":{"observedContentType":"\(contentType)","mode":"INPUT","data":\(dataField),"encoding":"\(encoding.rawValue)"},"endpointOutput":{"observedContentType":"text/csv","mode":"OUTPUT","data":"0.5","encoding":"CSV"}},"eventMetadata":{"eventId":"e-\(index)","inferenceTime":"2024-05-01T\(hour):\(String(format: "%02d", index / 60 % 60)):\(second)Z"},"eventVersion":"0"}
            """)
            index += rowsPerRecord
        }
        try records.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
