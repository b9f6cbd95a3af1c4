import ShapDriftCore

/// The distribution of the model's outputs, baseline → current, tested like the attributions
/// (a family of its own at level α). Reported beside the attribution verdict; part of it only
/// when asked (`DriftCheckOptions.failOn`).
public struct PredictionDrift: Codable, Equatable, Sendable {
    /// Some output's distribution moved significantly.
    public var drift: Bool
    /// Per output and space (the raw margin, and the probability for classifiers).
    public var outputs: [OutputPredictionDrift]

    public init(drift: Bool, outputs: [OutputPredictionDrift]) {
        self.drift = drift
        self.outputs = outputs
    }
}

/// One output's predictions in one space.
public struct OutputPredictionDrift: Codable, Equatable, Sendable {
    public var output: Int
    public var label: String
    public var name: String?
    /// `raw` (the attributions' space: margin or model output), or `probability`.
    public var space: String
    public var baseline: ValueSummary
    public var current: ValueSummary
    /// Kolmogorov–Smirnov distance, in [0, 1].
    public var distance: Double
    /// Raw p-values: rank-sum (`distribution`) and difference in means (`mean`).
    public var tests: PredictionTests
    public var pValue: Double
    public var adjustedPValue: Double
    public var drifted: Bool

    enum CodingKeys: String, CodingKey {
        case output, label, name, space, baseline, current, distance, tests, pValue = "p_value"
        case adjustedPValue = "adjusted_p_value", drifted
    }
}

public struct PredictionTests: Codable, Equatable, Sendable {
    public var distribution: Double
    public var mean: Double

    public init(distribution: Double, mean: Double) {
        self.distribution = distribution
        self.mean = mean
    }
}
