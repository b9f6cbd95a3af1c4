import ShapDriftCore

/// How strongly pairs of features work together in a model: the weight of (i, j) is the
/// expected number of trees in which a training row's path splits on both (each leaf's share of
/// its tree's cover, summed over the leaves whose path uses both features). Zero means the model
/// never combines them, so one's attribution cannot move because the other's values did.
///
/// Data, not an engine: `ShapDriftMonitor` computes it from the model's structure.
public struct FeatureCoupling: Sendable, Equatable {
    public let featureCount: Int
    /// Row-major `featureCount × featureCount`, symmetric, zero diagonal.
    private let weights: [Double]

    /// - Precondition: `weights.count == featureCount²`.
    public init(featureCount: Int, weights: [Double]) {
        precondition(weights.count == featureCount * featureCount)
        self.featureCount = featureCount
        self.weights = weights
    }

    /// No feature interacts with any other (an additive model such as a linear one).
    public static func none(featureCount: Int) -> FeatureCoupling {
        FeatureCoupling(featureCount: featureCount, weights: [Double](repeating: 0, count: featureCount * featureCount))
    }

    public func weight(_ i: Int, _ j: Int) -> Double { weights[i * featureCount + j] }

    /// The candidates that interact with `feature`, strongest first (ties by index).
    public func partners(of feature: Int, among candidates: [Int]) -> [Int] {
        candidates.filter { $0 != feature && weight(feature, $0) > 0 }
            .sorted { weight(feature, $0) != weight(feature, $1) ? weight(feature, $0) > weight(feature, $1) : $0 < $1 }
    }
}
