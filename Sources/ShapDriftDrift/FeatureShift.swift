import Foundation
import ShapDriftCore

/// How one feature's attributions moved between the baseline and the current data.
public struct FeatureShift: Codable, Equatable, Sendable {
    public var name: String
    public var output: Int
    public var baselineMeanAbsShap: Double
    public var currentMeanAbsShap: Double
    /// mean |φ| of the feature / Σ over features of mean |φ|.
    public var baselineShare: Double
    public var currentShare: Double
    public var baselineRank: Int
    public var currentRank: Int
    /// baseline rank − current rank: positive when the feature moved up.
    public var rankChange: Int
    public var baselineMeanShap: Double
    public var currentMeanShap: Double
    /// The mean φ changed sign: the feature now pushes predictions the other way on average.
    public var signFlip: Bool
    public var wasserstein: Double
    public var psi: Double
    /// Wasserstein-1 / total baseline mean |φ|: the fraction of the model's attribution mass that
    /// moved. Features are ranked by it.
    public var shift: Double
    public var breached: Bool

    enum CodingKeys: String, CodingKey {
        case name, output, baselineMeanAbsShap = "baseline_mean_abs_shap", currentMeanAbsShap = "current_mean_abs_shap"
        case baselineShare = "baseline_share", currentShare = "current_share", baselineRank = "baseline_rank"
        case currentRank = "current_rank", rankChange = "rank_change", baselineMeanShap = "baseline_mean_shap"
        case currentMeanShap = "current_mean_shap", signFlip = "sign_flip", wasserstein, psi, shift, breached
    }
}
