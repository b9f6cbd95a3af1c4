import ShapDriftCore
import ShapDriftDrift

/// `analysis.json` in SageMaker Clarify's shape: per output label, the expected value and the
/// global SHAP value (mean |φ|) of every feature over the current data.
public struct ClarifyAnalysis: Encodable, Sendable {
    public var version = "1.0"
    public var explanations: [String: [String: Label]]

    public struct Label: Encodable, Sendable {
        var expectedValue: Double
        var globalShapValues: [String: Double]
        enum CodingKeys: String, CodingKey { case expectedValue = "expected_value", globalShapValues = "global_shap_values" }
    }

    /// The current profile's global SHAP values (mean |φ|) and base value per output.
    public init(current: AttributionProfile) {
        var labels: [String: Label] = [:]
        for output in current.outputs {
            labels["label\(output.output)"] = Label(
                expectedValue: output.baseValue,
                globalShapValues: Dictionary(uniqueKeysWithValues: zip(current.identity.featureNames, output.features.map(\.meanAbs))))
        }
        explanations = ["kernel_shap": labels]
    }
}
