import Foundation
import ShapDriftCore

/// Everything a check found: the content of `report.json` (schema in `docs/report.md`).
public struct DriftReport: Codable, Equatable, Sendable {
    /// Version 2: typed intervals (`{lower, upper, level}`) and `writer`.
    public static let schemaVersion = 2

    public var schemaVersion = DriftReport.schemaVersion
    /// The tool and version that wrote the report (`shapdrift 0.2.0`).
    public var writer = ShapDriftVersion.writer
    public var verdict: Verdict
    public var driftDetected: Bool
    /// The lowest NDCG over the outputs.
    public var ndcg: Double
    /// The bootstrap interval of the lowest NDCG; `nil` without replicates.
    public var ndcgInterval: ConfidenceInterval?
    public var intervalStraddlesThreshold: Bool?
    public var threshold: Double
    public var thresholds: DriftThresholds
    public var rows: UInt64
    public var baselineRows: UInt64
    public var bootstrapReplicates: Int
    public var bootstrapSeed: UInt64
    /// How global attributions (NDCG's gains, the ranks) were aggregated from per-row values.
    public var aggregation: AttributionAggregation
    public var model: ProfileIdentity
    public var breachedFeatures: [String]
    /// Every feature once, at the output where it shifted most, sorted by shift.
    public var features: [FeatureShift]
    public var outputs: [OutputDrift]
    public var note: String
    /// What reading the current data found: records read and skipped (by reason, the first few
    /// quoted), the time window, the capture variants; `nil` for rows given in memory.
    public var records: RecordSummary? = nil
    /// How the rows were sampled, when either side was (`RecordSampling`).
    public var sampling: SamplingSummary? = nil
    /// What the model's loader could not vouch for (`Model.warnings`), set by `DriftMonitor`.
    public var warnings: [String] = []
    /// The breached features' φ and input-value distributions, summarised for the HTML report
    /// (`ReportDistributions`); set by `DriftMonitor`, absent in older reports.
    public var distributions: ReportDistributions? = nil

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", writer, verdict, driftDetected = "drift_detected", ndcg, ndcgInterval = "ndcg_interval"
        case intervalStraddlesThreshold = "interval_straddles_threshold", threshold, thresholds, rows
        case baselineRows = "baseline_rows", bootstrapReplicates = "bootstrap_replicates", bootstrapSeed = "bootstrap_seed", aggregation
        case model, breachedFeatures = "breached_features", features, outputs, note, records, sampling, warnings, distributions
    }
}
