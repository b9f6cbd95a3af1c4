import Foundation
import ShapDriftCore

/// The result for one model output.
public struct OutputDrift: Codable, Equatable, Sendable {
    public var output: Int
    /// Clarify's label, `label<k>`.
    public var label: String
    /// The class (or output) name, from the export or `--output-names`; `nil` when unknown.
    public var name: String?
    public var ndcg: Double
    /// Bootstrap percentile interval of NDCG (2.5 %, 97.5 %); `nil` without replicates.
    public var ndcgInterval: ConfidenceInterval?
    public var intervalStraddlesThreshold: Bool?
    /// Clarify's rule for this output: NDCG below the threshold.
    public var ndcgBelowThreshold: Bool
    public var baselineExpectedValue: Double
    /// Some feature breached for this output.
    public var driftDetected: Bool
    /// Sorted by shift, largest first.
    public var features: [FeatureShift]

    enum CodingKeys: String, CodingKey {
        case output, label, name, ndcg, ndcgInterval = "ndcg_interval", intervalStraddlesThreshold = "interval_straddles_threshold"
        case ndcgBelowThreshold = "ndcg_below_threshold", baselineExpectedValue = "baseline_expected_value"
        case driftDetected = "drift_detected", features
    }

    /// `name` when known, else the label.
    public var displayName: String { name ?? label }
}
