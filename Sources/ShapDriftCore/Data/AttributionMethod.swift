/// The attribution algorithms ShapDrift implements.
public enum AttributionMethod: String, Codable, Sendable, CaseIterable {
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
