import ShapDriftCore

/// What a profile was computed from; profiles are compared or merged only when these agree.
///
/// Everything that changes an attribution is here: the model (by fingerprint), the method, the
/// space the attributions are in, the background sample and the sampling settings. Two profiles
/// with equal identities hold attributions of the same game, so comparing or merging them is
/// meaningful.
public struct ProfileIdentity: Codable, Equatable, Sendable {
    /// The model's fingerprint (`Model.fingerprint`): SHA-256 of its file, or of its content.
    public var modelSHA256: String
    public var modelFormat: ModelFormat
    public var objective: String
    /// The model's output transform: what its raw output space means (log-odds, log-mean…).
    public var transform: OutputTransform
    public var featureNames: [String]
    public var method: AttributionMethod
    /// The space attributions are in.
    public var outputSpace: OutputSpace
    public var numOutputs: Int
    /// For methods that can measure against a background sample: SHA-256 of its rows as read
    /// (model feature order, doubles), or `none` when none was given; absent for other methods
    /// and in profiles written before it was recorded.
    public var backgroundSHA256: String?
    /// For sampling methods (kernel, linear-correlation): the budget as given (0 = the default)
    /// and the seed; absent otherwise.
    public var sampling: SamplingSettings?

    public init(modelSHA256: String, modelFormat: ModelFormat, objective: String, transform: OutputTransform,
                featureNames: [String], method: AttributionMethod, outputSpace: OutputSpace, numOutputs: Int,
                backgroundSHA256: String? = nil, sampling: SamplingSettings? = nil) {
        self.modelSHA256 = modelSHA256
        self.modelFormat = modelFormat
        self.objective = objective
        self.transform = transform
        self.featureNames = featureNames
        self.method = method
        self.outputSpace = outputSpace
        self.numOutputs = numOutputs
        self.backgroundSHA256 = backgroundSHA256
        self.sampling = sampling
    }

    /// The identity of profiles made of `model`'s attributions by `method`, with the background
    /// and sampling settings that change them.
    public init(model: Model, method: AttributionMethod, outputSpace: OutputSpace = .raw,
                backgroundSHA256: String? = nil, sampling: SamplingSettings? = nil) {
        self.init(modelSHA256: model.fingerprint, modelFormat: model.format, objective: model.objective,
                  transform: model.transform, featureNames: model.displayFeatureNames, method: method,
                  outputSpace: outputSpace, numOutputs: model.numOutputs, backgroundSHA256: backgroundSHA256,
                  sampling: sampling)
    }

    /// The attributions' space in words, e.g. `raw (log-odds)` or `probability`.
    public var outputSpaceDescription: String {
        outputSpace == .raw ? "raw (\(transform.rawSpaceDescription))" : "probability"
    }

    /// Why a baseline with this identity cannot be compared with `other` (what the model and
    /// settings given now produce), or `nil` when it can.
    public func mismatch(with other: ProfileIdentity) -> IncompatibilityError? {
        if modelSHA256 != other.modelSHA256 {
            return IncompatibilityError(
                setting: .model, recorded: "SHA-256 \(modelSHA256.prefix(12))… (\(modelFormat.rawValue) \(objective))",
                given: "SHA-256 \(other.modelSHA256.prefix(12))…",
                consequence: "the baseline was made for another model; make a new baseline with this model")
        }
        if featureNames != other.featureNames {
            let changed = zip(featureNames, other.featureNames).first { $0 != $1 }
            return IncompatibilityError(
                setting: .featureNames,
                recorded: changed.map { "'\($0.0)'" } ?? "\(featureNames.count) features",
                given: changed.map { "'\($0.1)'" } ?? "\(other.featureNames.count) features",
                consequence: "features are compared by name")
        }
        if method != other.method {
            return IncompatibilityError(setting: .method, recorded: method.rawValue, given: other.method.rawValue,
                                        consequence: "attributions of different methods are not comparable")
        }
        if outputSpace != other.outputSpace || numOutputs != other.numOutputs {
            return IncompatibilityError(
                setting: .outputSpace, recorded: "\(outputSpaceDescription), \(numOutputs) output(s)",
                given: "\(other.outputSpaceDescription), \(other.numOutputs) output(s)",
                consequence: "attributions in different spaces are not comparable")
        }
        // Settings recorded in both (older profiles lack them) must agree: they change every attribution.
        if let recorded = backgroundSHA256, let given = other.backgroundSHA256, recorded != given {
            func describe(_ digest: String) -> String { digest == "none" ? "no background" : "a background with rows SHA-256 \(digest.prefix(12))…" }
            return IncompatibilityError(setting: .background, recorded: describe(recorded), given: describe(given),
                                        consequence: "the background changes every attribution; use the baseline's background")
        }
        if let recorded = sampling, let given = other.sampling, recorded != given {
            func describe(_ settings: SamplingSettings) -> String {
                "budget \(settings.samples == 0 ? "default" : String(settings.samples)), seed \(settings.seed)"
            }
            return IncompatibilityError(setting: .sampling, recorded: describe(recorded), given: describe(given),
                                        consequence: "sampled attributions depend on them; use the baseline's")
        }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case modelSHA256 = "model_sha256", modelFormat = "model_format", objective, transform, featureNames = "feature_names"
        case method, outputSpace = "output_space", numOutputs = "n_outputs"
        case backgroundSHA256 = "background_sha256", samples, seed
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        modelSHA256 = try container.decode(String.self, forKey: .modelSHA256)
        modelFormat = try container.decode(ModelFormat.self, forKey: .modelFormat)
        objective = try container.decode(String.self, forKey: .objective)
        featureNames = try container.decode([String].self, forKey: .featureNames)
        method = try container.decode(AttributionMethod.self, forKey: .method)
        numOutputs = try container.decode(Int.self, forKey: .numOutputs)
        backgroundSHA256 = try container.decodeIfPresent(String.self, forKey: .backgroundSHA256)
        if let samples = try container.decodeIfPresent(Int.self, forKey: .samples) {
            sampling = SamplingSettings(samples: samples, seed: try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0)
        }
        // Format 1 wrote the space with its meaning, "raw (log-odds)", and no transform.
        let space = try container.decode(String.self, forKey: .outputSpace)
        if let transform = try container.decodeIfPresent(OutputTransform.self, forKey: .transform) {
            self.transform = transform
            guard let parsed = OutputSpace(rawValue: space) else {
                throw DecodingError.dataCorruptedError(forKey: .outputSpace, in: container, debugDescription: "unknown output space \(space)")
            }
            outputSpace = parsed
        } else if space == "probability" {
            // Probability space needs a classifier's link: softmax for several outputs.
            outputSpace = .probability
            transform = numOutputs > 1 ? .softmax : .logistic
        } else if let transform = OutputTransform.parameterFreeCases.first(where: { space == "raw (\($0.rawSpaceDescription))" }) {
            outputSpace = .raw
            self.transform = transform
        } else {
            throw DecodingError.dataCorruptedError(forKey: .outputSpace, in: container, debugDescription: "unknown output space \(space)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(modelSHA256, forKey: .modelSHA256)
        try container.encode(modelFormat, forKey: .modelFormat)
        try container.encode(objective, forKey: .objective)
        try container.encode(transform, forKey: .transform)
        try container.encode(featureNames, forKey: .featureNames)
        try container.encode(method, forKey: .method)
        try container.encode(outputSpace, forKey: .outputSpace)
        try container.encode(numOutputs, forKey: .numOutputs)
        try container.encodeIfPresent(backgroundSHA256, forKey: .backgroundSHA256)
        try container.encodeIfPresent(sampling?.samples, forKey: .samples)
        try container.encodeIfPresent(sampling?.seed, forKey: .seed)
    }
}
