import Foundation
import ShapDriftCore

/// How per-row attributions become a feature's global attribution (SageMaker Clarify's
/// `agg_method`): the value NDCG and the ranks use.
public enum AttributionAggregation: String, Codable, Sendable, CaseIterable {
    /// Mean |φ| (Clarify's default).
    case meanAbs = "mean_abs"
    /// Median |φ| (from the sketch, within its relative accuracy).
    case median
    /// Mean φ².
    case meanSq = "mean_sq"

    public func globalAttribution(_ summary: StreamSummary) -> Double {
        switch self {
        case .meanAbs: return summary.meanAbs
        case .median: return summary.sketch.magnitudeQuantile(0.5) ?? 0
        case .meanSq: return summary.meanSquare
        }
    }
}
