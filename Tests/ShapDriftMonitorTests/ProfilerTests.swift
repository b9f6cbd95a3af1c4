import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftAttribution
@testable import ShapDriftMonitor
import ShapDriftTestSupport

@Suite("Profiling refuses what it cannot hold")
struct ProfilerTests {
    @Test("values and attributions too large to profile are refused with their line and feature")
    func valuesTooLargeToProfile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func profileError(model modelPath: String, csv: String) throws -> InputError {
            let path = directory.appendingPathComponent("data.csv").path
            try csv.write(toFile: path, atomically: true, encoding: .utf8)
            let model = try ModelLoader().load(path: modelPath)
            let profiler = AttributionProfiler(explainer: try Explainer(model: model))
            let error = try #require(throws: ShapDriftError.self) {
                _ = try profiler.profile(FeatureSourceChain(paths: [path], schema: FeatureSchema(model: model)))
            }
            guard case .input(let located) = error else { throw TestFailure("expected an input error, got \(error)") }
            return located
        }
        let valueError = try profileError(model: Fixtures.path("format_rules", "xgb_float32_boundary", "model.json"), csv: "a,b\n1,2\n1e200,3\n-4,5\n")
        #expect(valueError.line == 3 && valueError.field == "a" && valueError.message.contains("its value is 1e+200"))
        // A linear model whose coefficient turns a representable square into an overflowing one.
        let linear = directory.appendingPathComponent("linear.json").path
        try #"{"format": "shapdrift", "schema_version": 1, "model_type": "linear", "n_features": 2, "n_outputs": 1, "output_transform": "identity", "feature_names": ["a", "b"], "linear": {"coefficients": [[1, 1e100]], "intercept": [0], "feature_means": [0, 0]}}"#
            .write(toFile: linear, atomically: true, encoding: .utf8)
        let attributionError = try profileError(model: linear, csv: "a,b\n1,2\n3,1e100\n")
        #expect(attributionError.line == 3 && attributionError.field == "b" && attributionError.message.contains("its attribution is 1e+200"))
    }
}
