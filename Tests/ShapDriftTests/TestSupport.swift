import Foundation
import Testing
@testable import ShapDrift

/// Paths of the committed test fixtures.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ components: String...) -> String {
        components.reduce(root) { $0.appendingPathComponent($1) }.path
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

/// A reference CSV (written by Python), read with a deliberately simple parser independent of
/// ShapDrift's own reader: numbers only, empty = NaN.
struct ReferenceTable {
    let header: [String]
    let rows: [[Double]]

    init(path: String) throws {
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

    enum ReferenceError: Error { case notANumber(String, String) }

    func column(_ name: String) -> [Double]? {
        header.firstIndex(of: name).map { index in rows.map { $0[index] } }
    }
}

/// A fresh temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("shapdrift-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Loads a model and the rows of a CSV file aligned to it.
func loadModelAndData(model modelPath: String, data dataPath: String) throws -> (Model, FeatureBatch) {
    let model = try ModelLoader().load(path: modelPath)
    let batch = try CSVFeatureReader(path: dataPath, schema: FeatureSchema(model: model)).readAll()
    return (model, batch)
}

/// The largest absolute difference between `ours` (one output of an attribution batch) and a
/// reference table of feature columns (+ `base_value`), and the reference's largest |value|.
func compareAttributions(_ batch: AttributionBatch, output: Int, featureNames: [String], reference: ReferenceTable)
    -> (featureError: Double, baseError: Double, scale: Double) {
    var featureError = 0.0
    var baseError = 0.0
    var scale = 0.0
    #expect(reference.rows.count == batch.rowCount)
    for (feature, name) in featureNames.enumerated() {
        // Reference columns are in data order; LightGBM writes spaces in names as underscores.
        guard feature < reference.header.count,
              reference.header[feature].replacingOccurrences(of: " ", with: "_") == name.replacingOccurrences(of: " ", with: "_") else {
            Issue.record("reference column \(feature) is not \(name)")
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
    return (featureError, baseError, scale)
}

/// |Σφ + base − raw| over all rows for `output`.
func additivityError(_ batch: AttributionBatch, output: Int, raw: [Double]) -> Double {
    var worst = 0.0
    for row in 0..<batch.rowCount {
        var total = batch.baseValues[output]
        for feature in 0..<batch.numFeatures { total += batch[row, output, feature] }
        worst = max(worst, abs(total - raw[row * batch.numOutputs + output]))
    }
    return worst
}
