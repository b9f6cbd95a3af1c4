import ShapDriftCore

/// The distribution of one model output over a profile's rows, from additivity: prediction =
/// base value + Σⱼ φⱼ, exact for every method ShapDrift implements (to rounding), so no second
/// pass over the model is needed.
public struct PredictionSummary: Codable, Equatable, Sendable {
    public let output: Int
    /// The output in the attributions' space: the raw margin (log-odds, per-class margin,
    /// model output…), or the probability when attributions are in probability space.
    public var value = StreamSummary()
    /// For classifiers explained in raw space (a link with probabilities: logistic, scaled
    /// logistic, softmax, argmax's softmax): the predicted probability of the output's class;
    /// `nil` otherwise.
    public var probability: StreamSummary?

    public init(output: Int, withProbability: Bool) {
        self.output = output
        probability = withProbability ? StreamSummary() : nil
    }

    public mutating func merge(_ other: PredictionSummary) {
        value.merge(other.value)
        if var mine = probability, let theirs = other.probability {
            mine.merge(theirs)
            probability = mine
        } else {
            probability = nil
        }
    }
}
