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
    /// Per row and output (row-major), base value + Σⱼ φ with the features added in order: what
    /// the explainer's additivity check summed, kept so a profile's predictions need not sum the
    /// attributions again; `nil` for a batch made elsewhere.
    public var totals: [Double]?

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
