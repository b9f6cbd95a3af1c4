import Foundation
import ShapDriftCore

/// The levels and floors a check applies; defaults and why in `docs/drift.md`.
public struct DriftThresholds: Codable, Equatable, Sendable {
    /// Clarify's rule: an output's NDCG below this is reported (SageMaker Clarify's default 0.90).
    public var ndcg = 0.90
    /// Family-wise false-alarm rate of each family of tests (attributions, input values,
    /// predictions): the probability that a check of data with no change rejects any hypothesis
    /// of the family is at most this (Holm's procedure).
    public var alpha = 0.01
    /// A feature breaches only when its `shift` (the share of the attribution mass that moved,
    /// in [0, 1]) is at least this as well as significant: large samples make negligible changes
    /// significant.
    public var minShift = 0.005
    /// `completeness_check`: a feature's missing rate rose significantly by at least this.
    public var completeness = 0.05
    /// `baseline_drift_check`: a feature's input distribution moved significantly, by at least this
    /// distance (Kolmogorov–Smirnov, or the largest change of a category's share), SageMaker's
    /// default `comparison_threshold`.
    public var valueDistance = 0.1
    /// `categorical_values_check`: more than this share of a categorical feature's current values
    /// are categories the baseline never saw (SageMaker's default `domain_content_threshold`).
    public var unseenCategories = 0.1

    public init(ndcg: Double = 0.90, alpha: Double = 0.01, minShift: Double = 0.005, completeness: Double = 0.05,
                valueDistance: Double = 0.1, unseenCategories: Double = 0.1) {
        self.ndcg = ndcg
        self.alpha = alpha
        self.minShift = minShift
        self.completeness = completeness
        self.valueDistance = valueDistance
        self.unseenCategories = unseenCategories
    }

    enum CodingKeys: String, CodingKey {
        case ndcg, alpha, minShift = "min_shift", completeness, valueDistance = "value_distance"
        case unseenCategories = "unseen_categories"
    }
}
