/// The file format a model was loaded from.
public enum ModelFormat: String, Sendable {
    case xgboostJSON = "xgboost-json"
    case lightgbmText = "lightgbm-text"
    case shapdriftJSON = "shapdrift-json"
}

/// The predictive part of a model: what the attribution engines work on.
public enum Predictor: Sendable {
    case trees(TreeEnsemble)
    case linear(LinearModel)
}

/// A loaded model: its predictor plus what the export said about it.
public struct Model: Sendable {
    public let format: ModelFormat
    /// The training objective or estimator as the export names it (`binary:logistic`, `regression`…).
    public let objective: String
    public let transform: OutputTransform
    /// Feature names in model order, or `nil` when the export has none (data is then taken by position).
    public let featureNames: [String]?
    public let numFeatures: Int
    public let numOutputs: Int
    public let predictor: Predictor
    /// SHA-256 of the model file's bytes (set by `ModelLoader`), identifying it in baselines.
    public internal(set) var sha256 = ""

    public init(format: ModelFormat, objective: String, transform: OutputTransform, featureNames: [String]?,
                predictor: Predictor) {
        self.format = format
        self.objective = objective
        self.transform = transform
        self.featureNames = featureNames
        self.predictor = predictor
        switch predictor {
        case .trees(let ensemble):
            numFeatures = ensemble.numFeatures
            numOutputs = ensemble.numOutputs
        case .linear(let linear):
            numFeatures = linear.numFeatures
            numOutputs = linear.numOutputs
        }
    }

    /// Names to show for features: the export's, or `f0`, `f1`, … when it has none.
    public var displayFeatureNames: [String] {
        featureNames ?? (0..<numFeatures).map { "f\($0)" }
    }
}
