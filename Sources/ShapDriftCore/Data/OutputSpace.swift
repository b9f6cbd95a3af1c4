/// The space a model-agnostic explanation is computed in.
public enum OutputSpace: String, Codable, Sendable, CaseIterable {
    /// The raw margin (log-odds, per-class margins): additive for trees and linear models.
    case raw
    /// The model's prediction after its link (logistic, softmax per class), as SageMaker Clarify
    /// explains a classifier endpoint (`use_logit` false); attributions add up to the probability.
    case probability
}
