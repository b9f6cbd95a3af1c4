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

/// Settings of the methods that sample or change the explained output.
public struct ExplainerOptions: Sendable {
    /// KernelSHAP coalition budget (`nil`: 2·M + 2048, shap's default).
    public var samples: Int?
    /// Seed of every sampling step.
    public var seed: UInt64
    public var outputSpace: OutputSpace

    public init(samples: Int? = nil, seed: UInt64 = 0, outputSpace: OutputSpace = .raw) {
        self.samples = samples
        self.seed = seed
        self.outputSpace = outputSpace
    }
}

/// The attribution algorithms ShapDrift implements.
public enum AttributionMethod: String, Sendable, CaseIterable {
    /// Path-dependent TreeSHAP: the tree covers stand in for the data distribution.
    case treePathDependent = "tree-path-dependent"
    /// Interventional TreeSHAP: exact Shapley values against each background row, averaged.
    case treeInterventional = "tree-interventional"
    /// Linear SHAP with independent features: φ = w ∘ (x − μ).
    case linear = "linear"
    /// Linear SHAP with correlated (Gaussian) features, from the background's mean and covariance.
    case linearCorrelation = "linear-correlation"
    /// KernelSHAP: model-agnostic, against a background sample.
    case kernel = "kernel"

    /// The default method for a model: path-dependent TreeSHAP for trees, linear SHAP for linear models.
    public static func automatic(for model: Model) -> AttributionMethod {
        switch model.predictor {
        case .trees: return .treePathDependent
        case .linear: return .linear
        }
    }
}
