import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftAttribution
import ShapDriftTestSupport

/// The shap fixture cases (`Fixtures/shap`, copied from the project's shared fixtures): every
/// XGBoost and LightGBM model explained with path-dependent TreeSHAP.
struct ShapFixtureCase: CustomTestStringConvertible, Sendable {
    let name: String
    let modelFile: String
    let classes: Int
    var isXGBoost: Bool { modelFile == "model.json" }
    var testDescription: String { name }

    static let all: [ShapFixtureCase] = [
        .init(name: "xgb_reg_diabetes", modelFile: "model.json", classes: 1),
        .init(name: "xgb_binary_breast_cancer", modelFile: "model.json", classes: 1),
        .init(name: "xgb_multiclass_softprob", modelFile: "model.json", classes: 3),
        .init(name: "xgb_reg_missing", modelFile: "model.json", classes: 1),
        .init(name: "drift_xgb_reg", modelFile: "model.json", classes: 1),
        .init(name: "lgbm_reg_friedman", modelFile: "model.txt", classes: 1),
        .init(name: "lgbm_binary_breast_cancer", modelFile: "model.txt", classes: 1),
        .init(name: "lgbm_reg_categorical", modelFile: "model.txt", classes: 1),
    ]

    func path(_ file: String) -> String { Fixtures.path("shap", name, file) }

    func referenceFile(float64: Bool, output: Int) -> String {
        let stem = float64 ? "shap_tree_path_dependent_f64" : "shap_tree_path_dependent"
        return path(classes > 1 ? "\(stem)_class\(output).csv" : "\(stem).csv")
    }
}

@Suite("Path-dependent TreeSHAP against shap's reference values")
struct PathDependentTreeSHAPTests {
    @Test("attributions match the native library's SHAP within its stated tolerance", arguments: ShapFixtureCase.all)
    func matchesNativeReference(_ fixture: ShapFixtureCase) throws {
        let (model, batch) = try loadModelAndData(model: fixture.path(fixture.modelFile), data: fixture.path("current.csv"))
        let attributions = try Explainer(model: model).explain(batch)
        #expect(attributions.numOutputs == fixture.classes)
        for output in 0..<fixture.classes {
            let reference = try ReferenceTable(path: fixture.referenceFile(float64: false, output: output))
            let result = compareAttributions(attributions, output: output, featureNames: model.displayFeatureNames, reference: reference)
            #expect(result.problems.isEmpty, "\(result.problems)")
            // xgboost's own values are float32 sums; LightGBM's are float64 (fixtures README).
            let tolerance = fixture.isXGBoost ? max(1e-5, 1e-5 * result.scale) : 1e-6 * max(1, result.scale)
            #expect(result.featureError <= tolerance, "output \(output): max |φ − φ_ref| = \(result.featureError)")
            #expect(result.baseError <= tolerance, "output \(output): base value off by \(result.baseError)")
        }
    }

    @Test("attributions match shap's float64 algorithm to 1e-9 of scale where a float64 reference exists",
          arguments: ShapFixtureCase.all.filter(\.isXGBoost))
    func matchesFloat64Reference(_ fixture: ShapFixtureCase) throws {
        let (model, batch) = try loadModelAndData(model: fixture.path(fixture.modelFile), data: fixture.path("current.csv"))
        let attributions = try Explainer(model: model).explain(batch)
        for output in 0..<fixture.classes {
            let reference = try ReferenceTable(path: fixture.referenceFile(float64: true, output: output))
            let result = compareAttributions(attributions, output: output, featureNames: model.displayFeatureNames, reference: reference)
            #expect(result.problems.isEmpty, "\(result.problems)")
            #expect(result.featureError <= 1e-9 * max(1, result.scale), "output \(output): max |φ − φ_f64| = \(result.featureError)")
        }
    }

    @Test("attributions add up to the native library's prediction and exactly to our own", arguments: ShapFixtureCase.all)
    func additivity(_ fixture: ShapFixtureCase) throws {
        let (model, batch) = try loadModelAndData(model: fixture.path(fixture.modelFile), data: fixture.path("current.csv"))
        let attributions = try Explainer(model: model).explain(batch)
        let ours = try RawPredictor(model: model).predict(batch)
        let native = try ReferenceTable(path: fixture.path("predictions.csv"))
        for output in 0..<fixture.classes {
            let column = try #require(native.column(fixture.classes > 1 ? "raw_output_class\(output)" : "raw_output"))
            let scale = column.map(abs).max() ?? 1
            // xgboost predicts in float32; LightGBM in float64.
            let nativeTolerance = fixture.isXGBoost ? max(1e-5, 1e-6 * scale * 10) : 1e-9 * max(1, scale)
            var nativeRaw = [Double](repeating: 0, count: column.count * fixture.classes)
            for (row, value) in column.enumerated() { nativeRaw[row * fixture.classes + output] = value }
            #expect(additivityError(attributions, output: output, raw: nativeRaw) <= nativeTolerance)
            #expect(additivityError(attributions, output: output, raw: ours) <= 1e-10 * max(1, scale))
        }
    }

    @Test("predict reproduces the native library's raw predictions", arguments: ShapFixtureCase.all)
    func predictMatchesNative(_ fixture: ShapFixtureCase) throws {
        let (model, batch) = try loadModelAndData(model: fixture.path(fixture.modelFile), data: fixture.path("current.csv"))
        let ours = try RawPredictor(model: model).predict(batch)
        let native = try ReferenceTable(path: fixture.path("predictions.csv"))
        for output in 0..<fixture.classes {
            let column = try #require(native.column(fixture.classes > 1 ? "raw_output_class\(output)" : "raw_output"))
            for (row, expected) in column.enumerated() {
                let tolerance = fixture.isXGBoost ? 1e-5 * max(1, abs(expected)) : 1e-10 * max(1, abs(expected))
                #expect(abs(ours[row * fixture.classes + output] - expected) <= tolerance, "row \(row) output \(output)")
            }
        }
    }

    /// Limit 0 integrates every leaf per row, 3 mixes tables and quadrature within trees, the
    /// maximum (the default) puts every fixture leaf in a table.
    @Test("subset tables and quadrature each equal Algorithm 2 to 1e-12 of scale",
          arguments: ShapFixtureCase.all, [0, 3, 6, LeafSubsetTables.maximumLimit])
    func quadratureEqualsAlgorithm2(_ fixture: ShapFixtureCase, subsetTableLimit: Int) throws {
        let (model, batch) = try loadModelAndData(model: fixture.path(fixture.modelFile), data: fixture.path("current.csv"))
        guard case .trees(let ensemble) = model.predictor else { throw TestFailure("expected trees") }
        let quadrature = QuadratureTreeSHAP(ensemble: ensemble, subsetTableLimit: subsetTableLimit).explain(batch)
        let recursive = PathDependentTreeSHAP(ensemble: ensemble).explain(batch)
        let scale = max(1, recursive.values.map(abs).max() ?? 0)
        let error = zip(quadrature.values, recursive.values).map { abs($0 - $1) }.max() ?? 0
        #expect(error <= 1e-12 * scale, "max difference \(error)")
        #expect(quadrature.baseValues == recursive.baseValues)
    }

    @Test("Gauss–Legendre rules integrate polynomials of degree 2n − 1 exactly", arguments: [1, 2, 3, 5, 8, 16])
    func gaussLegendre(_ points: Int) {
        let (nodes, weights) = LeafPaths.gaussLegendre(points)
        for degree in 0...(2 * points - 1) {
            let integral = zip(nodes, weights).reduce(0) { $0 + $1.1 * pow($1.0, Double(degree)) }
            #expect(abs(integral - 1 / Double(degree + 1)) <= 1e-14, "degree \(degree)")
        }
    }

    @Test("results do not depend on the number of worker threads")
    func threadCountDoesNotChangeResults() throws {
        let fixture = ShapFixtureCase.all[0]
        let (model, batch) = try loadModelAndData(model: fixture.path(fixture.modelFile), data: fixture.path("current.csv"))
        let explainer = try Explainer(model: model)
        let single = try explainer.explain(batch, threads: 1)
        let parallel = try explainer.explain(batch, threads: 4)
        #expect(single.values == parallel.values)
    }

    @Test("a feature the trees never split on gets exactly zero attribution")
    func unusedFeatureGetsZero() throws {
        let fixture = ShapFixtureCase.all[0]
        let (model, batch) = try loadModelAndData(model: fixture.path(fixture.modelFile), data: fixture.path("current.csv"))
        guard case .trees(let ensemble) = model.predictor else { throw TestFailure("expected trees") }
        let used = Set(zip(ensemble.left, ensemble.feature).filter { $0.0 >= 0 }.map { Int($0.1) })
        let attributions = try Explainer(model: model).explain(batch)
        for feature in 0..<model.numFeatures where !used.contains(feature) {
            for row in 0..<batch.rowCount { #expect(attributions[row, 0, feature] == 0) }
        }
    }
}
