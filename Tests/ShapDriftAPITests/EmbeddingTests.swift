import Foundation
import ShapDrift
import Testing

/// The public surface as an embedding program sees it: `import ShapDrift` and nothing else (no
/// `@testable`), so a change that breaks the documented embedding breaks this target's build.
@Suite("Embedding ShapDrift as a library")
struct EmbeddingTests {
    /// The repository's bundled example (`models/fraud-xgb`).
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/fraud-xgb").path

    /// The documented example (README, DocC "Use ShapDrift as a library"): baseline a model on its
    /// training sample, check an hour of captured traffic, write the report set.
    @Test("the documented embedding example baselines, checks a clean and a drifted hour, and writes the report")
    func documentedExample() throws {
        let model = try ModelLoader().load(path: Self.example + "/model.json")
        let schema = FeatureSchema(model: model)
        let profiler = AttributionProfiler(explainer: try Explainer(model: model))
        let baseline = try profiler.profile(FeatureSourceChain(paths: [Self.example + "/baseline.csv"], schema: schema))
        let monitor = try DriftMonitor(baseline: baseline, model: model)

        func hour(_ hour: Int) throws -> DriftCheck {
            let start = try #require(ISO8601Time.seconds("2024-05-01T\(hour):00:00Z"))
            let window = CaptureTimeWindow(since: start, until: start + 3599)
            return try monitor.check(FeatureSourceChain(paths: [Self.example + "/capture"], schema: schema, window: window))
        }
        let clean = try hour(11)
        #expect(clean.report.verdict == .noDrift && clean.report.rows == 400)
        let drifted = try hour(14)
        #expect(drifted.report.verdict == .drift)
        #expect(drifted.report.breachedFeatures.contains("distance_km"))
        #expect(drifted.report.writer == ShapDriftVersion.writer)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shapdrift-api-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ReportSet.write(drifted.report, current: drifted.current, to: directory)
        let written = try JSONDecoder().decode(DriftReport.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/report.json")))
        #expect(written == drifted.report)
    }

    /// The DocC article's "Reading the verdict": options, causes and input values, as an
    /// embedding program reads them.
    @Test("the verdict's options and per-feature causes are public: the drifted hour's features moved because their inputs did")
    func readingTheVerdict() throws {
        let model = try ModelLoader().load(path: Self.example + "/model.json")
        let schema = FeatureSchema(model: model)
        let baseline = try AttributionProfiler(explainer: try Explainer(model: model))
            .profile(FeatureSourceChain(paths: [Self.example + "/baseline.csv"], schema: schema))
        var options = DriftCheckOptions()
        options.thresholds.alpha = 0.001
        options.failOn = [.attribution, .ndcg]
        options.bootstrapReplicates = 0
        let strict = try DriftMonitor(baseline: baseline, model: model, options: options)
        let start = try #require(ISO8601Time.seconds("2024-05-01T14:00:00Z"))
        let report = try strict.check(FeatureSourceChain(paths: [Self.example + "/capture"], schema: schema,
                                                         window: CaptureTimeWindow(since: start, until: start + 3599))).report
        #expect(report.failOn == [.attribution, .ndcg] && report.thresholds.alpha == 0.001)
        let distance = try #require(report.features.first { $0.name == "distance_km" })
        #expect(distance.breached && distance.cause == .input && distance.values.shifted)
        // models/README.md: distance_km × 4 in this hour; the medians show it within the sketch's 1 %.
        let ratio = try #require(distance.values.current.p50) / (try #require(distance.values.baseline.p50))
        #expect(ratio > 3 && ratio < 5)
    }

    /// A model built in code and rows held in memory: no file anywhere.
    @Test("a model built in code explains in-memory rows exactly and is fingerprinted by its content")
    func modelBuiltInCode() throws {
        // One stump on feature 0: x0 < 0.5 → 1, else 3; covers 3 and 1 (so E f = 1.5).
        var builder = TreeEnsembleBuilder(semantics: .xgboost, numFeatures: 2, numOutputs: 1)
        try builder.addTree(TreeNodes(left: [1, -1, -1], right: [2, -1, -1], feature: [0, 0, 0], threshold: [0.5, 0, 0],
                                      flags: [0, 0, 0], cover: [4, 3, 1], leafValues: [0, 1, 3]), output: 0)
        let model = Model(objective: "reg:squarederror", transform: .identity, featureNames: ["x0", "x1"],
                          predictor: .trees(try builder.build(baseOffset: [0])))
        #expect(model.fingerprint.count == 64)
        let rows = FeatureBatch(numFeatures: 2, rows: [0, 7, 1, 7])
        let phi = try Explainer(model: model).explain(rows)
        // Exact Shapley values of a one-split tree: φ0 = f(x) − E f, φ1 = 0.
        #expect(phi.baseValues == [1.5])
        #expect(phi[0, 0, 0] == -0.5 && phi[1, 0, 0] == 1.5 && phi[0, 0, 1] == 0 && phi[1, 0, 1] == 0)
        #expect(try RawPredictor(model: model).predict(rows) == [1, 3])
    }

    /// Errors are typed: a caller tells a mismatched baseline from bad input without parsing text.
    @Test("a baseline made for another model is an incompatibility a caller can switch on")
    func typedErrors() throws {
        let model = try ModelLoader().load(path: Self.example + "/model.json")
        let baseline = try AttributionProfiler(explainer: try Explainer(model: model))
            .profile(FeatureSourceChain(paths: [Self.example + "/baseline.csv"], schema: FeatureSchema(model: model)))
        var other = TreeEnsembleBuilder(semantics: .xgboost, numFeatures: model.numFeatures, numOutputs: 1)
        try other.addTree(TreeNodes(left: [-1], right: [-1], feature: [0], threshold: [0], flags: [0], cover: [1], leafValues: [0]), output: 0)
        let otherModel = Model(objective: "reg:squarederror", transform: .identity, featureNames: model.featureNames,
                               predictor: .trees(try other.build(baseOffset: [0])))
        do {
            _ = try DriftMonitor(baseline: baseline, model: otherModel)
            Issue.record("a baseline of another model was accepted")
        } catch .incompatible(let mismatch) {
            #expect(mismatch.setting == .model)
        } catch {
            Issue.record("expected an incompatibility, got \(error)")
        }
        do {
            _ = try Explainer(model: model, method: .kernel)
            Issue.record("KernelSHAP without a background was accepted")
        } catch .configuration(.backgroundRequired(let method, _)) {
            #expect(method == .kernel)
        } catch {
            Issue.record("expected a configuration error, got \(error)")
        }
    }
}
