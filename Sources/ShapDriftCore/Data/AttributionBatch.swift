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
