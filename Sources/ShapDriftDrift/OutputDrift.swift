import Foundation
import ShapDriftCore

/// The result for one model output.
public struct OutputDrift: Codable, Equatable, Sendable {
    public var output: Int
    public var label: String
    public var ndcg: Double
    /// Bootstrap percentile interval of NDCG (2.5 %, 97.5 %); `nil` without replicates.
    public var ndcgInterval: ConfidenceInterval?
    public var intervalStraddlesThreshold: Bool?
    public var ndcgBelowThreshold: Bool
    public var baselineExpectedValue: Double
    public var driftDetected: Bool
    /// Sorted by shift, largest first.
    public var features: [FeatureShift]

    enum CodingKeys: String, CodingKey {
        case output, label, ndcg, ndcgInterval = "ndcg_interval", intervalStraddlesThreshold = "interval_straddles_threshold"
        case ndcgBelowThreshold = "ndcg_below_threshold", baselineExpectedValue = "baseline_expected_value"
        case driftDetected = "drift_detected", features
    }
}
