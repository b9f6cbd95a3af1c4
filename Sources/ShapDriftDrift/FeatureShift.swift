import Foundation
import ShapDriftCore

/// How one feature's attributions to one output moved between the baseline and the current data,
/// whether that is more than sampling noise, and why (`docs/drift.md`, `docs/report.md`).
public struct FeatureShift: Codable, Equatable, Sendable {
    public var name: String
    public var output: Int
    public var baselineMeanAbsShap: Double
    public var currentMeanAbsShap: Double
    /// (current − baseline) / baseline mean |φ|; `nil` when the baseline's is 0.
    public var meanAbsChange: Double?
    /// mean |φ| of the feature / Σ over features of mean |φ|.
    public var baselineShare: Double
    public var currentShare: Double
    public var baselineRank: Int
    public var currentRank: Int
    /// baseline rank − current rank: positive when the feature moved up.
    public var rankChange: Int
    public var baselineMeanShap: Double
    public var currentMeanShap: Double
    /// The mean φ changed sign, and significantly: each sample's mean is away from zero on its
    /// own side at the family's level (Bonferroni over all features and outputs).
    public var signFlip: Bool
    /// Wasserstein-1 distance between the baseline and current φ distributions (output units).
    public var wasserstein: Double
    /// Population stability index over baseline-decile bins, for reference (not a criterion).
    public var psi: Double
    /// The share of the output's attribution mass that moved: Wasserstein-1 / (Σ mean |φ| of
    /// the baseline + Σ mean |φ| of the current data), in [0, 1]. Features are ranked by it.
    public var shift: Double
    /// Bootstrap interval of `shift` (both samples resampled); `nil` without replicates.
    public var shiftInterval: ConfidenceInterval?
    /// The two permutation tests' raw p-values.
    public var tests: AttributionTests
    /// The feature's own p-value: min(1, 2 × the smaller of its tests' p-values).
    public var pValue: Double
    /// The smaller of its tests' Holm-adjusted p-values over every test of every feature and
    /// output: significant exactly when this is ≤ α.
    public var adjustedPValue: Double
    public var significant: Bool
    /// Significant and `shift` ≥ the floor: what makes the verdict.
    public var breached: Bool
    /// Why the attributions moved (or `none` when they did not significantly).
    public var cause: AttributionCause
    /// Features whose inputs shifted significantly and that share tree paths with this one,
    /// strongest coupling first: the likely route of an attribution change whose own input did not
    /// move. Empty when none, or when the model's structure does not tell (linear models).
    public var partners: [String]
    /// The feature's input values, baseline → current.
    public var values: FeatureValuesDrift

    enum CodingKeys: String, CodingKey {
        case name, output, baselineMeanAbsShap = "baseline_mean_abs_shap", currentMeanAbsShap = "current_mean_abs_shap"
        case meanAbsChange = "mean_abs_change"
        case baselineShare = "baseline_share", currentShare = "current_share", baselineRank = "baseline_rank"
        case currentRank = "current_rank", rankChange = "rank_change", baselineMeanShap = "baseline_mean_shap"
        case currentMeanShap = "current_mean_shap", signFlip = "sign_flip", wasserstein, psi, shift
        case shiftInterval = "shift_interval", tests, pValue = "p_value", adjustedPValue = "adjusted_p_value"
        case significant, breached, cause, partners, values
    }
}

/// The raw p-values of a feature's two attribution tests.
public struct AttributionTests: Codable, Equatable, Sendable {
    /// Rank-sum (Wilcoxon–Mann–Whitney) permutation test of the φ distributions.
    public var distribution: Double
    /// Permutation test of the difference in mean |φ| (the global attribution NDCG ranks by).
    public var meanAbs: Double

    public init(distribution: Double, meanAbs: Double) {
        self.distribution = distribution
        self.meanAbs = meanAbs
    }

    enum CodingKeys: String, CodingKey { case distribution, meanAbs = "mean_abs" }
}

/// Why a feature's attributions moved.
public enum AttributionCause: String, Codable, Sendable {
    /// Its own input values shifted significantly.
    case input
    /// Its own inputs did not shift significantly: its attributions moved through other
    /// features (the model's use of it changed because the rows around it changed).
    case interaction
    /// The attributions did not move significantly.
    case none
}
