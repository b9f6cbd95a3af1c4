import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftAttribution
@testable import ShapDriftDrift
@testable import ShapDriftMonitor
@testable import ShapDriftReports
import ShapDriftTestSupport

/// Why a feature moved, on models built here whose attributions are known in closed form.
@Suite("Verdict: causes, partners and calibration on constructed models")
struct VerdictTests {
    /// f = sign(x₁)·x₂ for x₂ ∈ {0, 1} (one tree: x₁ < 0, then x₂ < 0.5), plus a tree on x₃ alone.
    /// With P(x₂ = 1) = q and x₁ symmetric, path-dependent TreeSHAP gives x₁ the attribution
    /// ±q/2 on rows with x₂ = 0 and ±(1 + q)/2 on rows with x₂ = 1: x₁'s attributions grow with
    /// the share of x₂ = 1 although x₁'s own values do not change.
    static func interactionModel(share q: Double) throws -> Model {
        var builder = TreeEnsembleBuilder(semantics: .xgboost, numFeatures: 3, numOutputs: 1)
        let half = 500.0
        try builder.addTree(TreeNodes(
            left: [1, 3, 5, -1, -1, -1, -1], right: [2, 4, 6, -1, -1, -1, -1], feature: [0, 1, 1, 0, 0, 0, 0],
            threshold: [0, 0.5, 0.5, 0, 0, 0, 0], flags: [UInt8](repeating: 0, count: 7),
            cover: [2 * half, half, half, half * (1 - q), half * q, half * (1 - q), half * q],
            leafValues: [0, 0, 0, 0, -1, 0, 1]), output: 0)
        try builder.addTree(TreeNodes(
            left: [1, -1, -1], right: [2, -1, -1], feature: [2, 0, 0], threshold: [0.5, 0, 0], flags: [0, 0, 0],
            cover: [1000, 500, 500], leafValues: [0, -0.3, 0.3]), output: 0)
        return Model(objective: "reg:squarederror", transform: .identity, featureNames: ["x1", "x2", "x3"],
                     predictor: .trees(try builder.build(baseOffset: [0])))
    }

    static func rows(count: Int, share: Double, seed: UInt64) -> FeatureBatch {
        var generator = SplitMix64(seed: seed)
        var values: [Double] = []
        for _ in 0..<count {
            values += [generator.nextUnit() * 2 - 1, generator.nextUnit() < share ? 1 : 0, generator.nextUnit()]
        }
        return FeatureBatch(numFeatures: 3, rows: values, name: "rows-\(seed)")
    }

    static func check(_ model: Model, baseline: FeatureBatch, current: FeatureBatch) throws -> DriftReport {
        let profiler = AttributionProfiler(explainer: try Explainer(model: model))
        let profile = try profiler.profile(InMemoryFeatureSource([baseline]))
        var options = DriftCheckOptions()
        options.bootstrapReplicates = 50
        let monitor = try DriftMonitor(baseline: profile, model: model, options: options)
        return try monitor.check(InMemoryFeatureSource([current])).report
    }

    @Test("x₁'s attribution moves while its own input does not: an interaction through x₂, named as its partner")
    func interaction() throws {
        let model = try Self.interactionModel(share: 0.1)
        // The closed form above: mean |φ₁| = (1 − q)·q/2 + q·(1 + q)/2 = q for q = P(x₂ = 1) in
        // the data (the covers fix the trees' q at 0.1): 0.1 in the baseline, 0.1·0.5 + … now.
        let explainer = try Explainer(model: model)
        let probe = FeatureBatch(numFeatures: 3, rows: [0.5, 0, 0.2, 0.5, 1, 0.2, -0.5, 1, 0.9])
        let phi = try explainer.explain(probe)
        #expect(abs(phi[0, 0, 0] - 0.05) < 1e-12 && abs(phi[1, 0, 0] - 0.55) < 1e-12 && abs(phi[2, 0, 0] + 0.55) < 1e-12)

        let report = try Self.check(model, baseline: Self.rows(count: 2000, share: 0.1, seed: 1),
                                    current: Self.rows(count: 1000, share: 0.5, seed: 2))
        let x1 = try #require(report.features.first { $0.name == "x1" })
        let x2 = try #require(report.features.first { $0.name == "x2" })
        let x3 = try #require(report.features.first { $0.name == "x3" })
        #expect(x1.breached && x1.cause == .interaction && x1.partners == ["x2"])
        #expect(!x1.values.shifted && x1.values.adjustedPValue > 0.01)
        #expect(x2.values.shifted && x2.cause == .input)
        #expect(!x3.breached && x3.cause == .none && !x3.values.shifted)
        #expect(report.driftDetected && report.breachedFeatures.contains("x1"))
        // Mean |φ₁| from the closed form: 0.05·(1 − s) + 0.55·s for s the data's share of x₂ = 1.
        let share = Double(Self.rows(count: 1000, share: 0.5, seed: 2).values.enumerated().filter { $0.offset % 3 == 1 && $0.element == 1 }.count) / 1000
        #expect(abs(x1.currentMeanAbsShap - (0.05 * (1 - share) + 0.55 * share)) < 1e-9)

        let words = MarkdownReport.text(report)
        #expect(words.contains("x1: attribution +") && words.contains("although its own values did not change significantly"))
        #expect(words.contains("likely x2"))
        #expect(words.contains("x2: attribution") && words.contains("because its values rose"))
    }

    @Test("fresh samples of the same distribution: nothing breaches, and every shift stays within [0, 1]")
    func cleanData() throws {
        let model = try Self.interactionModel(share: 0.1)
        let report = try Self.check(model, baseline: Self.rows(count: 2000, share: 0.1, seed: 3),
                                    current: Self.rows(count: 500, share: 0.1, seed: 4))
        #expect(!report.driftDetected && report.breachedFeatures.isEmpty)
        for feature in report.outputs.flatMap(\.features) {
            #expect((0...1).contains(feature.shift) && !feature.signFlip && feature.cause == .none)
            if let interval = feature.shiftInterval { #expect(interval.lower <= interval.upper && (0...1).contains(interval.upper)) }
        }
        #expect(report.prediction?.drift == false)
        #expect(report.dataQuality.violations.isEmpty)
    }

    @Test("a million-row check does not breach on a difference below the floor, though it is significant")
    func practicalFloor() throws {
        let model = try Self.interactionModel(share: 0.1)
        // x₂'s share 10 % → 10.4 %: significant with these sizes, far below the floor.
        let report = try Self.check(model, baseline: Self.rows(count: 400_000, share: 0.1, seed: 5),
                                    current: Self.rows(count: 400_000, share: 0.104, seed: 6))
        let x1 = try #require(report.features.first { $0.name == "x1" })
        #expect(x1.significant && x1.shift < report.thresholds.minShift && !x1.breached)
        #expect(!report.driftDetected)
    }

    @Test("multi-output reports carry the class names, one NDCG and table per output")
    func outputNames() throws {
        var builder = TreeEnsembleBuilder(semantics: .xgboost, numFeatures: 3, numOutputs: 2)
        for output in 0..<2 {
            try builder.addTree(TreeNodes(left: [1, -1, -1], right: [2, -1, -1], feature: [Int32(output), 0, 0], threshold: [0.5, 0, 0],
                                          flags: [0, 0, 0], cover: [100, 50, 50], leafValues: [0, -1, 1]), output: output)
        }
        var model = Model(objective: "multi:softprob", transform: .softmax, featureNames: ["x1", "x2", "x3"],
                          predictor: .trees(try builder.build(baseOffset: [0, 0])))
        model.outputNames = ["cat", "dog"]
        let report = try Self.check(model, baseline: Self.rows(count: 500, share: 0.5, seed: 7), current: Self.rows(count: 300, share: 0.9, seed: 8))
        #expect(report.outputs.map(\.name) == ["cat", "dog"] && report.outputs.map(\.label) == ["label0", "label1"])
        #expect(report.outputs.allSatisfy { $0.features.count == 3 })
        // x2 feeds only the second output ("dog"), and only its share changed.
        #expect(report.outputs[1].features.first { $0.name == "x2" }?.breached == true)
        #expect(report.outputs[0].features.first { $0.name == "x2" }?.breached == false)
        let terminal = TerminalSummary.text(report)
        #expect(terminal.contains("Showing output 1 (dog) of 2"))
        let markdown = MarkdownReport.text(report)
        #expect(markdown.contains("## Output 0 (cat)") && markdown.contains("## Output 1 (dog)"))
        #expect(report.prediction?.outputs.map(\.space) == ["raw", "probability", "raw", "probability"])
        #expect(FeatureTable.csv(report).contains(",1,dog,x2,"))
    }
}

@Suite("Profile format 3: predictions, categories and columns")
struct ProfileFormatThreeTests {
    static let delivery = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/lgbm-regression-categorical").path

    static func profile(_ rows: ArraySlice<Substring>, header: Substring, model: Model) throws -> AttributionProfile {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("part.csv").path
        try ([header] + rows).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let profiler = AttributionProfiler(explainer: try Explainer(model: model))
        return try profiler.profile(FeatureSourceChain(paths: [path], schema: FeatureSchema(model: model)))
    }

    @Test("category counts, predictions and probabilities merge exactly; the categorical feature is found in the model")
    func categoricalMerge() throws {
        let model = try ModelLoader().load(path: Self.delivery + "/model.txt")
        #expect(ModelStructure.categoricalFeatures(model) == [4])
        let lines = try String(contentsOfFile: Self.delivery + "/baseline.csv", encoding: .utf8).split(separator: "\n")
        let whole = try Self.profile(lines[1...], header: lines[0], model: model)
        var merged = try Self.profile(lines[600...], header: lines[0], model: model)
        try merged.merge(try Self.profile(lines[1..<600], header: lines[0], model: model))
        #expect(merged == whole)
        let counts = try #require(whole.categories?.first)
        // The region codes in the file, counted independently.
        let codes = lines[1...].map { Double($0.split(separator: ",")[4])! }
        #expect(counts.feature == 4 && counts.total == UInt64(codes.count))
        for value in Set(codes) { #expect(counts.counts[value] == UInt64(codes.filter { $0 == value }.count)) }
        // Predictions by additivity equal the model's own raw outputs (`RawPredictor`).
        let table = try ReferenceTable(path: Self.delivery + "/baseline.csv")
        let batch = FeatureBatch(numFeatures: 5, rows: table.rows.flatMap { $0 })
        let raw = try RawPredictor(model: model).predict(batch)
        let predictions = try #require(whole.predictions?.first)
        #expect(predictions.probability == nil && predictions.value.count == UInt64(raw.count))
        #expect(abs(predictions.value.mean - raw.reduce(0, +) / Double(raw.count)) <= 1e-9 * max(1, abs(predictions.value.mean)))
    }
}
