import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftAttribution
import ShapDriftTestSupport

@Suite("Linear SHAP on ShapDrift JSON linear models")
struct LinearSHAPTests {
    /// Known parameters: two outputs, three features.
    static let coefficients: [[Double]] = [[0.5, -1.25, 2.0], [-0.75, 0.125, 3.5]]
    static let intercept: [Double] = [0.3, -1.1]
    static let means: [Double] = [1.0, -2.0, 0.25]
    static let rows: [[Double]] = [[1.5, 0.0, -1.0], [0.0, -2.0, 0.25], [3.25, 4.5, 10.0], [-7.0, 1e-3, 2.5]]

    static func writeModel(in directory: URL, withMeans: Bool = true, names: Bool = true) throws -> String {
        var document: [String: Any] = [
            "format": "shapdrift", "schema_version": 1, "model_type": "linear", "estimator": "test",
            "n_features": 3, "n_outputs": 2, "output_transform": "softmax",
            "linear": ["coefficients": coefficients, "intercept": intercept] as [String: Any],
        ]
        if names { document["feature_names"] = ["alpha", "beta", "gamma"] }
        if withMeans { document["linear"] = ["coefficients": coefficients, "intercept": intercept, "feature_means": means] }
        let path = directory.appendingPathComponent("linear.json").path
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func writeData(_ rows: [[Double]], header: String = "gamma,label,alpha,beta", in directory: URL, name: String = "data.csv") throws -> String {
        // Columns deliberately out of model order, with an extra text column.
        let lines = rows.map { "\($0[2].description),yes,\($0[0].description),\($0[1].description)" }
        let path = directory.appendingPathComponent(name).path
        try ([header] + lines).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("φ = w ∘ (x − μ) exactly, with the exported means, columns matched by name")
    func attributionsAreExact() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (model, batch) = try loadModelAndData(model: Self.writeModel(in: directory), data: Self.writeData(Self.rows, in: directory))
        let attributions = try Explainer(model: model).explain(batch)
        for (r, row) in Self.rows.enumerated() {
            for k in 0..<2 {
                for j in 0..<3 {
                    #expect(attributions[r, k, j] == Self.coefficients[k][j] * (row[j] - Self.means[j]))
                }
                let base = Self.intercept[k] + (0..<3).reduce(0.0) { $0 + Self.coefficients[k][$1] * Self.means[$1] }
                #expect(abs(attributions.baseValues[k] - base) <= 1e-15 * max(1, abs(base)))
            }
        }
        let raw = try RawPredictor(model: model).predict(batch)
        for k in 0..<2 { #expect(additivityError(attributions, output: k, raw: raw) <= 1e-12) }
    }

    @Test("--background replaces the exported means with the background's column means")
    func backgroundMeans() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let modelPath = try Self.writeModel(in: directory, withMeans: false)
        let background: [[Double]] = [[1, 2, 3], [2, 4, 7], [6, -3, 0.5]]
        let (model, batch) = try loadModelAndData(model: modelPath, data: Self.writeData(Self.rows, in: directory))
        let backgroundBatch = try CSVFeatureReader(path: Self.writeData(background, in: directory, name: "bg.csv"),
                                                   schema: FeatureSchema(model: model)).readAll()
        let attributions = try Explainer(model: model, background: backgroundBatch).explain(batch)
        let mu = (0..<3).map { j in background.reduce(0.0) { $0 + $1[j] } / 3 }
        for (r, row) in Self.rows.enumerated() {
            for k in 0..<2 {
                for j in 0..<3 {
                    #expect(abs(attributions[r, k, j] - Self.coefficients[k][j] * (row[j] - mu[j])) <= 1e-14)
                }
            }
        }
    }

    @Test("without exported means or a background, linear SHAP says what it needs")
    func needsMeans() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try ModelLoader().load(path: Self.writeModel(in: directory, withMeans: false))
        let error = try #require(throws: ShapDriftError.self) { try Explainer(model: model) }
        #expect(error == .configuration(.featureMeansRequired))
    }

    @Test("a missing value in the data is an error naming the line and feature")
    func missingValueIsAnError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (model, batch) = try loadModelAndData(model: Self.writeModel(in: directory), data: Self.writeData([[1, .nan, 2]], in: directory))
        let error = try #require(throws: ShapDriftError.self) { try Explainer(model: model).explain(batch) }
        guard case .input(let located) = error else { throw TestFailure("\(error)") }
        #expect(located.line == 2 && located.field == "beta")
    }
}
