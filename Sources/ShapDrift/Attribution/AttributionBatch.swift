/// SHAP values for a block of rows: `values[(r * numOutputs + k) * numFeatures + j]` is the
/// attribution of feature `j` to output `k` of row `r`, in the model's raw output space.
///
/// Efficiency (additivity) holds per row and output: `Σ_j φ + baseValues[k] = raw output k`.
public struct AttributionBatch: Sendable {
    public let rowCount: Int
    public let numOutputs: Int
    public let numFeatures: Int
    public var values: [Double]
    /// The expected model output per output (SHAP's base value), the same for every row.
    public let baseValues: [Double]

    public init(rowCount: Int, numOutputs: Int, numFeatures: Int, values: [Double], baseValues: [Double]) {
        precondition(values.count == rowCount * numOutputs * numFeatures && baseValues.count == numOutputs)
        self.rowCount = rowCount
        self.numOutputs = numOutputs
        self.numFeatures = numFeatures
        self.values = values
        self.baseValues = baseValues
    }

    public subscript(row: Int, output: Int, feature: Int) -> Double {
        values[(row * numOutputs + output) * numFeatures + feature]
    }
}

/// The attribution algorithms ShapDrift implements.
public enum AttributionMethod: String, Sendable, CaseIterable {
    /// Path-dependent TreeSHAP: the tree covers stand in for the data distribution.
    case treePathDependent = "tree-path-dependent"
    /// Linear SHAP with independent features: φ = w ∘ (x − μ).
    case linear = "linear"

    /// The default method for a model: path-dependent TreeSHAP for trees, linear SHAP for linear models.
    public static func automatic(for model: Model) -> AttributionMethod {
        switch model.predictor {
        case .trees: return .treePathDependent
        case .linear: return .linear
        }
    }
}
