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

    @Test("leaf values whose sum overflows a double make the row an error naming it, not an infinite attribution")
    func overflowingMagnitudes() throws {
        // Each leaf is finite (the builder accepts it), but two of them add up past the largest double.
        let model = try Self.stumps(1.5e308)
        let rows = FeatureBatch(numFeatures: 2, rows: [0, 1, 1, 1], name: "rows.csv")
        let error = try #require(throws: ShapDriftError.self) { try Explainer(model: model).explain(rows) }
        guard case .numerical(let numerical) = error else { Issue.record("expected a numerical error, got \(error)"); return }
        #expect(numerical.operation == "additivity")
        // Row 1 (a = 0, b = 1) adds up: −1.5e308 + 1.5e308 = 0. Row 2 (1, 1) reaches +∞.
        #expect(numerical.message.hasPrefix("rows.csv:2:"), "\(numerical.message)")
    }

    @Test("large magnitudes that double precision holds pass, with attributions summing to the prediction")
    func largeButRepresentable() throws {
        let model = try Self.stumps(1e300)
        let rows = FeatureBatch(numFeatures: 2, rows: [0, 1, 1, 1, 0, 0])
        let phi = try Explainer(model: model).explain(rows)
        let raw = try RawPredictor(model: model).predict(rows)
        #expect(raw == [0, 2e300, -2e300])
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
