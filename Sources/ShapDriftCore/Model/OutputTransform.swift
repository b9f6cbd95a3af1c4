import Foundation

/// How a model turns its raw output (the margin, where attributions live) into a prediction.
///
/// SHAP values are computed in the raw space, where a tree ensemble or linear model is additive;
/// the transform is recorded so reports can say what the raw space means (log-odds, log-rate…).
public enum OutputTransform: String, Codable, Sendable, CaseIterable {
    /// The raw output is the prediction (regression).
    case identity
    /// Probability = 1 / (1 + e^(−margin)); the raw space is log-odds.
    case logistic
    /// Class probabilities = softmax over the per-class margins.
    case softmax
    /// Prediction = e^margin (Poisson, gamma and Tweedie regression); the raw space is log-mean.
    case exponential

    /// What the raw (explained) output space is, in words.
    public var rawSpaceDescription: String {
        switch self {
        case .identity: return "model output"
        case .logistic: return "log-odds"
        case .softmax: return "per-class margin (softmax input)"
        case .exponential: return "log of the predicted mean"
        }
    }
}
