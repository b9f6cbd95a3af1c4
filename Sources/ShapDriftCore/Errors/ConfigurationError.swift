/// Settings that do not fit together or do not fit the model: the caller chose them, so the fix is
/// a different choice, not a different file.
///
/// Messages name the library's concepts, never a command-line flag; the `shapdrift` tool adds the
/// flag that sets each (`CommandLineHints` there).
public enum ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The method measures against a background sample and none was given.
    case backgroundRequired(AttributionMethod, reason: String)
    /// Linear SHAP needs feature means: from a background sample or exported with the model.
    case featureMeansRequired
    /// The method explains trees and the model is linear, or the reverse.
    case methodDoesNotFitModel(AttributionMethod, modelKind: String, suggestion: AttributionMethod)
    /// Only KernelSHAP can explain an output space other than the raw margin.
    case outputSpaceRequiresKernel(OutputSpace, method: AttributionMethod)
    /// Explaining probabilities needs a classifier's logistic or softmax link.
    case probabilityRequiresClassifier(OutputTransform)
    /// A sampling budget below what the method needs for the model's features.
    case tooFewSamples(requested: Int, minimum: Int, features: Int)
    /// A value outside its documented range (name, value, what is allowed).
    case outOfRange(setting: String, value: String, allowed: String)
    /// The shard of a split was to come from the batch engine's environment, and that does not
    /// say (which variables were looked for, or what is wrong with them).
    case shardAssignment(String)

    public var description: String {
        switch self {
        case .backgroundRequired(let method, let reason):
            return "method \(method.rawValue) needs a background sample: \(reason)"
        case .featureMeansRequired:
            return "linear SHAP needs the feature means: give a background sample, or export the model with its feature means"
        case .methodDoesNotFitModel(let method, let kind, let suggestion):
            return "method \(method.rawValue) does not fit a \(kind); use method \(suggestion.rawValue)"
        case .outputSpaceRequiresKernel(let space, let method):
            return "output space \(space.rawValue) is available with method kernel only; \(method.rawValue) explains the raw output"
        case .probabilityRequiresClassifier(let transform):
            return "output space probability needs a classifier (logistic or softmax output); this model's output transform is \(transform.name)"
        case .tooFewSamples(let requested, let minimum, let features):
            return "a sample budget of \(requested) is too few for \(features) features: at least \(minimum) coalitions (2 × features) are needed"
        case .outOfRange(let setting, let value, let allowed):
            return "\(setting) \(value) is out of range: \(allowed)"
        case .shardAssignment(let problem):
            return "no shard assignment from the environment: \(problem)"
        }
    }
}
