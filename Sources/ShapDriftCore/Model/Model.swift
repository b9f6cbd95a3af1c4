/// The file format a model was loaded from, or `inMemory` for a model built in code.
public enum ModelFormat: String, Codable, Sendable {
    case xgboostJSON = "xgboost-json"
    case lightgbmText = "lightgbm-text"
    case shapdriftJSON = "shapdrift-json"
    case inMemory = "in-memory"
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
    /// What the loader could not vouch for, one sentence each (an objective it does not know,
    /// covers that do not add up): shown by `inspect` and carried into drift reports. The
    /// attributions are still exact for the raw output; these say what they may not mean.
    public let warnings: [String]
    /// The model's identity in baselines, as 64 hex digits: the SHA-256 of the model file's bytes
    /// for a loaded model (set by `ModelLoader`), or of the model's content (format, objective,
    /// transform, names and every parameter) for one built in code. Attributions of models with
    /// different fingerprints are never compared.
    public package(set) var fingerprint: String
    /// Names of the outputs (class labels) when the export has them (ShapDrift JSON's
    /// `output_names`, from scikit-learn's `classes_`), for reports; they change no output and
    /// are not part of the fingerprint.
    public var outputNames: [String]?

    /// A model built in code; its fingerprint is a digest of its content.
    /// - Complexity: O(parameters), for the fingerprint.
    public init(format: ModelFormat = .inMemory, objective: String, transform: OutputTransform, featureNames: [String]?,
                predictor: Predictor, warnings: [String] = []) {
        self.init(format: format, objective: objective, transform: transform, featureNames: featureNames,
                  predictor: predictor, warnings: warnings, fingerprint: "")
        fingerprint = contentDigest()
    }

    /// A model whose fingerprint the caller supplies (a loader, with the file's digest).
    package init(format: ModelFormat, objective: String, transform: OutputTransform, featureNames: [String]?,
                 predictor: Predictor, warnings: [String] = [], fingerprint: String) {
        self.format = format
        self.warnings = warnings
        self.objective = objective
        self.transform = transform
        self.featureNames = featureNames
        self.predictor = predictor
        self.fingerprint = fingerprint
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

    /// The names features go by in outputs, profiles and reports for rows from a source with
    /// `header`: the export's names; for a model without any, the data header's (its columns
    /// were taken in order); else `f0`, `f1`, ….
    public func featureNames(readingWith header: DataHeader?) -> [String] {
        featureNames ?? header?.names ?? displayFeatureNames
    }

    /// SHA-256 over everything that decides the model's outputs and how they are shown.
    private func contentDigest() -> String {
        var digest = ContentDigest()
        digest.add(format.rawValue)
        digest.add(objective)
        digest.add(transform.name)
        digest.add(featureNames?.joined(separator: "\u{0}") ?? "\u{1}")
        switch predictor {
        case .trees(let ensemble):
            digest.add(ensemble.semantics.rawValue)
            digest.add([Int64(ensemble.numFeatures), Int64(ensemble.numOutputs), Int64(ensemble.leafWidth)])
            digest.add(ensemble.treeRoot)
            digest.add(ensemble.treeOutput)
            digest.add(ensemble.left)
            digest.add(ensemble.right)
            digest.add(ensemble.feature)
            digest.add(ensemble.threshold)
            digest.add(ensemble.flags)
            digest.add(ensemble.categoryStart)
            digest.add(ensemble.categoryCount)
            digest.add(ensemble.categoryWords)
            digest.add(ensemble.cover)
            digest.add(ensemble.leafValues)
            digest.add(ensemble.baseOffset)
        case .linear(let linear):
            digest.add([Int64(linear.numFeatures), Int64(linear.numOutputs)])
            digest.add(linear.coefficients)
            digest.add(linear.intercept)
            digest.add(linear.featureMeans ?? [])
        }
        return digest.finish()
    }
}
