import Testing
@testable import ShapDriftAttribution
@testable import ShapDriftCore
import ShapDriftTestSupport

/// `Explainer.explain` refuses rows whose attributions do not add up to the model's output.
@Suite("Additivity is checked on every row")
struct AdditivityTests {
    /// Two stumps, one per feature, with leaf values `±magnitude` and equal covers (so each
    /// tree's expected value is 0): f(x) = ±magnitude ± magnitude.
    static func stumps(_ magnitude: Double) throws -> Model {
        var builder = TreeEnsembleBuilder(semantics: .xgboost, numFeatures: 2, numOutputs: 1)
        for feature in [Int32(0), 1] {
            try builder.addTree(TreeNodes(left: [1, -1, -1], right: [2, -1, -1], feature: [feature, 0, 0], threshold: [0.5, 0, 0],
                                          flags: [0, 0, 0], cover: [2, 1, 1], leafValues: [0, -magnitude, magnitude]), output: 0)
        }
        return Model(objective: "reg:squarederror", transform: .identity, featureNames: ["a", "b"],
                     predictor: .trees(try builder.build(baseOffset: [0])))
    }

    @Test("leaf values whose sums could overflow a double are refused when the model is built, naming the node")
    func overflowingMagnitudes() throws {
        // Two leaves of 1.5e308 add up past the largest double: `ModelLimits` refuses such a leaf
        // before any row is attributed, so no attribution can become infinite that way.
        let error = #expect(throws: TreeStructureError.self) { try Self.stumps(1.5e308) }
        #expect(error?.description.contains("node 2: leaf value 1.5e+308 exceeds 2^500") == true, "\(String(describing: error))")
    }

    @Test("large magnitudes that double precision holds pass, with attributions summing to the prediction")
    func largeButRepresentable() throws {
        // The largest leaves a model may have (2^500 ≈ 3.3e150) and their sums.
        let model = try Self.stumps(3e150)
        let rows = FeatureBatch(numFeatures: 2, rows: [0, 1, 1, 1, 0, 0])
        let phi = try Explainer(model: model).explain(rows)
        let raw = try RawPredictor(model: model).predict(rows)
        #expect(raw == [0, 6e150, -6e150])
        #expect(additivityError(phi, output: 0, raw: raw) == 0)
    }

    @Test("the tolerance scales with the magnitudes involved, not with the prediction alone")
    func toleranceScalesWithMagnitudes() throws {
        let model = try Self.stumps(1e16)
        let check = AdditivityCheck(model: model, space: .raw, means: nil)
        // The model's own scale: the largest |leaf| of each tree, summed.
        #expect(check.modelScale == [2e16])
        let attributions = AttributionBatch(rowCount: 1, numOutputs: 1, numFeatures: 2, values: [-1e16, 1e16 + 2], baseValues: [0])
        let rows = FeatureBatch(numFeatures: 2, rows: [0, 1])
        // 2 off a prediction of 0 is rounding at these magnitudes (tolerance 1e-9 × 4e16 = 4e7)...
        try check.verify(attributions, predictions: [0], batch: rows)
        // ...but 1e9 off is not.
        let wrong = AttributionBatch(rowCount: 1, numOutputs: 1, numFeatures: 2, values: [-1e16, 1e16 + 1e9], baseValues: [0])
        #expect(throws: ShapDriftError.self) { try check.verify(wrong, predictions: [0], batch: rows) }
    }

    @Test("rows split across threads give the serial check's totals and name the same first failing row and output")
    func splitCheckNamesTheFirstFailure() throws {
        let model = try Self.stumps(1)
        let check = AdditivityCheck(model: model, space: .raw, means: nil)
        let (rows, outputs) = (1_000, 1)
        var generator = SplitMix64(seed: 5)
        let phi = (0..<(2 * rows)).map { _ in generator.nextUnit() - 0.5 }
        let base = [0.25]
        let predictions = (0..<rows).map { row in base[0] + phi[2 * row] + phi[2 * row + 1] }
        let batch = FeatureBatch(numFeatures: 2, rows: [Double](repeating: 0, count: 2 * rows))
        let attributions = AttributionBatch(rowCount: rows, numOutputs: outputs, numFeatures: 2, values: phi, baseValues: base)
        let serial = try check.verify(attributions, predictions: predictions, batch: batch)
        for threads in [2, 3, 8] {
            let split = try check.verify(attributions, predictions: predictions, batch: batch, threads: threads)
            #expect(split.map(\.bitPattern) == serial.map(\.bitPattern), "threads \(threads)")
        }
        // Rows 640 and 910 are wrong (different tasks for every split tried); 640 comes first.
        var wrong = predictions
        wrong[910] += 1
        wrong[640] += 1
        for threads in [1, 2, 3, 8] {
            let error = #expect(throws: ShapDriftError.self) { try check.verify(attributions, predictions: wrong, batch: batch, threads: threads) }
            #expect(error?.description.contains(":641:") == true, "threads \(threads): \(String(describing: error))")
        }
    }
}
