import Foundation
import ShapDriftCore

/// A feature's input values, baseline → current: summaries, a distance and a two-sample test of
/// the distribution and of the missing rate (the same permutation tests as the attributions').
public struct FeatureValuesDrift: Codable, Equatable, Sendable {
    public var name: String
    /// The model splits on it as categories (shares are compared per category).
    public var categorical: Bool
    public var baseline: ValueSummary
    public var current: ValueSummary
    /// Kolmogorov–Smirnov distance between the two distributions of finite values, or for a
    /// categorical feature the largest change of one category's share; in [0, 1].
    public var distance: Double
    /// `kolmogorov_smirnov` or `category_share_linf`.
    public var distanceKind: String
    public var tests: ValueTests
    /// min(1, 2 × the smaller of its tests' p-values).
    public var pValue: Double
    /// The smaller of its tests' Holm-adjusted p-values over every input test of every feature.
    public var adjustedPValue: Double
    /// The input moved significantly (at the family-wise level α).
    public var shifted: Bool
    /// For categorical features: each category's share in both samples (largest change first)
    /// and the share of current values whose category the baseline never saw.
    public var categories: CategoryShares?

    enum CodingKeys: String, CodingKey {
        case name, categorical, baseline, current, distance, distanceKind = "distance_kind", tests
        case pValue = "p_value", adjustedPValue = "adjusted_p_value", shifted, categories
    }
}

/// Raw p-values of the tests of a feature's inputs.
public struct ValueTests: Codable, Equatable, Sendable {
    /// Rank-sum permutation test of the finite values; for a categorical feature, the smallest
    /// per-category share test × the number of categories (Bonferroni).
    public var distribution: Double
    /// Permutation (Fisher-type) test of the missing rate.
    public var missingRate: Double

    public init(distribution: Double, missingRate: Double) {
        self.distribution = distribution
        self.missingRate = missingRate
    }

    enum CodingKeys: String, CodingKey { case distribution, missingRate = "missing_rate" }
}

/// One sample's values of a feature (or of a model output), in brief.
public struct ValueSummary: Codable, Equatable, Sendable {
    /// Finite values.
    public var count: UInt64
    /// Missing values / all values.
    public var missingRate: Double
    /// `nil` when there are no finite values.
    public var mean: Double?
    public var p05: Double?
    public var p50: Double?
    public var p95: Double?

    public init(_ summary: StreamSummary) {
        count = summary.count
        let all = summary.count + summary.missing
        missingRate = all > 0 ? Double(summary.missing) / Double(all) : 0
        mean = summary.count > 0 ? summary.mean : nil
        p05 = Self.quantile(summary, 0.05)
        p50 = Self.quantile(summary, 0.5)
        p95 = Self.quantile(summary, 0.95)
    }

    /// The sketch's quantile (within its 1 % relative accuracy), snapped to the exact minimum or
    /// maximum when it lies in their bucket: a binary feature's median reads 1, not the bucket's
    /// representative 0.99.
    static func quantile(_ summary: StreamSummary, _ q: Double) -> Double? {
        guard let value = summary.sketch.quantile(q) else { return nil }
        let tolerance = 2 * QuantileSketch.relativeAccuracy
        for bound in [summary.min, summary.max] where abs(value - bound) <= tolerance * abs(bound) { return bound }
        return Swift.min(Swift.max(value, summary.min), summary.max)
    }

    enum CodingKeys: String, CodingKey { case count, missingRate = "missing_rate", mean, p05, p50, p95 }
}

/// Category shares of a categorical feature in both samples.
public struct CategoryShares: Codable, Equatable, Sendable {
    /// Per category seen in either sample, largest change of share first (at most 20).
    public var shares: [Share]
    /// Share of the current finite values whose category the baseline never saw.
    public var unseenShare: Double
    /// Distinct categories in the baseline and in the current data.
    public var baselineCategories: Int
    public var currentCategories: Int

    public struct Share: Codable, Equatable, Sendable {
        public var value: Double
        public var baseline: Double
        public var current: Double
    }

    enum CodingKeys: String, CodingKey {
        case shares, unseenShare = "unseen_share", baselineCategories = "baseline_categories", currentCategories = "current_categories"
    }
}
