/// A linear model in its raw output space: `raw_k(x) = intercept_k + Σ_j coefficients[k][j]·x_j`.
///
/// Coefficients are row-major, `numOutputs × numFeatures`, the layout BLAS takes for `X·Wᵀ`.
public struct LinearModel: Sendable {
    public let numFeatures: Int
    public let numOutputs: Int
    public let coefficients: [Double]
    public let intercept: [Double]
    /// Mean of each feature over the training data, when the export carries it: the default
    /// background of linear SHAP.
    public let featureMeans: [Double]?

    /// - Throws: `LinearModelError` when the shapes disagree or a parameter is not finite or too
    ///   large (`ModelLimits.maximumMagnitude`).
    public init(numFeatures: Int, numOutputs: Int, coefficients: [Double], intercept: [Double],
                featureMeans: [Double]?) throws(LinearModelError) {
        guard numFeatures > 0, numOutputs > 0 else { throw LinearModelError(message: "a linear model needs at least one feature and one output") }
        guard coefficients.count == numFeatures * numOutputs else {
            throw LinearModelError(message: "\(coefficients.count) coefficients for \(numOutputs) output(s) × \(numFeatures) features")
        }
        guard intercept.count == numOutputs else {
            throw LinearModelError(message: "\(intercept.count) intercepts for \(numOutputs) output(s)")
        }
        if let featureMeans, featureMeans.count != numFeatures {
            throw LinearModelError(message: "\(featureMeans.count) feature means for \(numFeatures) features")
        }
        // Within ModelLimits.maximumMagnitude, w·(x − μ) and w·μ cannot overflow for data in
        // the same range, nor their sums over at most ModelLimits.maximumRowWidth features.
        for (values, what) in [(coefficients, "coefficient"), (intercept, "intercept"), (featureMeans ?? [], "feature mean")] {
            for value in values {
                if let problem = ModelLimits.magnitudeProblem(value, what: what) { throw LinearModelError(message: problem) }
            }
        }
        self.numFeatures = numFeatures
        self.numOutputs = numOutputs
        self.coefficients = coefficients
        self.intercept = intercept
        self.featureMeans = featureMeans
    }
}

/// Shapes or values of a linear model's parameters that do not fit together.
public struct LinearModelError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
