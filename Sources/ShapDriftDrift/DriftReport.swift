import Foundation
import ShapDriftCore

/// Everything a check found: the content of `report.json` (schema in `docs/report.md`).
public struct DriftReport: Codable, Equatable, Sendable {
    /// Version 3: calibrated per-feature tests (p-values, `significant`, `shift` in [0, 1] with
    /// its interval), causes and input values per feature, prediction drift, data quality,
    /// provenance, output names, the verdict's criteria. Version 2: typed intervals and `writer`.
    public static let schemaVersion = 3

    public var schemaVersion = DriftReport.schemaVersion
    /// The tool and version that wrote the report (`shapdrift 0.2.0`).
    public var writer = ShapDriftVersion.writer
    public var verdict: Verdict
    /// The verdict as a boolean: some criterion in `failOn` found drift.
    public var driftDetected: Bool
    /// The criteria that make the verdict (always `attribution`; `ndcg`, `prediction`,
    /// `data_quality` when asked).
    public var failOn: [VerdictCriterion]
    /// What each criterion found, whether or not it makes the verdict.
    public var criteria: CriteriaFindings
    /// The lowest NDCG over the outputs.
    public var ndcg: Double
    /// The bootstrap interval of the lowest NDCG; `nil` without replicates.
    public var ndcgInterval: ConfidenceInterval?
    public var intervalStraddlesThreshold: Bool?
    /// The NDCG threshold (Clarify's rule).
    public var threshold: Double
    public var thresholds: DriftThresholds
    /// Hypotheses in the attribution family (2 per feature and output), over which Holm holds
    /// the family-wise false-alarm rate at `thresholds.alpha`.
    public var hypotheses: Int
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
    /// Per feature (model order), its input values baseline → current.
    public var values: [FeatureValuesDrift]
    /// The model's outputs baseline → current; `nil` when the baseline predates prediction
    /// summaries (profile format 3).
    public var prediction: PredictionDrift?
    public var dataQuality: DataQuality
    /// Where the report came from; `nil` for a report computed in memory without it.
    public var provenance: Provenance?
    public var note: String
    /// What reading the current data found: records read and skipped (by reason, the first few
    /// quoted), the time window, the times of the records read, the capture variants; `nil` for
    /// rows given in memory.
    public var records: RecordSummary? = nil
    /// How the rows were sampled, when either side was (`RecordSampling`).
    public var sampling: SamplingSummary? = nil
    /// What the model's loader could not vouch for (`Model.warnings`), set by `DriftMonitor`.
    public var warnings: [String] = []

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", writer, verdict, driftDetected = "drift_detected", failOn = "fail_on", criteria
        case ndcg, ndcgInterval = "ndcg_interval", intervalStraddlesThreshold = "interval_straddles_threshold", threshold
        case thresholds, hypotheses, rows, baselineRows = "baseline_rows", bootstrapReplicates = "bootstrap_replicates"
        case bootstrapSeed = "bootstrap_seed", aggregation, model, breachedFeatures = "breached_features", features, outputs
        case values, prediction, dataQuality = "data_quality", provenance, note, records, sampling, warnings
    }
}

/// A criterion that can make the verdict.
public enum VerdictCriterion: String, Codable, Sendable, CaseIterable {
    /// Some feature's attributions moved significantly and by at least the floor (always on).
    case attribution
    /// Clarify's rule: some output's NDCG below the threshold.
    case ndcg
    /// Some output's predictions moved significantly.
    case prediction
    /// Some data-quality violation.
    case dataQuality = "data_quality"
}

/// What each criterion found.
public struct CriteriaFindings: Codable, Equatable, Sendable {
    public var attribution: Bool
    public var ndcg: Bool
    public var prediction: Bool
    public var dataQuality: Bool

    public init(attribution: Bool, ndcg: Bool, prediction: Bool, dataQuality: Bool) {
        self.attribution = attribution
        self.ndcg = ndcg
        self.prediction = prediction
        self.dataQuality = dataQuality
    }

    public func found(_ criterion: VerdictCriterion) -> Bool {
        switch criterion {
        case .attribution: return attribution
        case .ndcg: return ndcg
        case .prediction: return prediction
        case .dataQuality: return dataQuality
        }
    }

    enum CodingKeys: String, CodingKey { case attribution, ndcg, prediction, dataQuality = "data_quality" }
}
