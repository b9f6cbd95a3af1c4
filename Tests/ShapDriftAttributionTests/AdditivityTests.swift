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
}
