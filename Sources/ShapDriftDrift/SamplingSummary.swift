import ShapDriftCore

/// How the rows a report compares were sampled (`RecordSampling`), so a sampled check is never
/// read as a full one: `report.json`'s `sampling`, present when either side was sampled.
public struct SamplingSummary: Codable, Equatable, Sendable {
    /// The share of the current records profiled, and the seed that chose them.
    public var rate: Double
    public var seed: UInt64
    /// Current rows read, and of them profiled.
    public var rowsSeen: UInt64
    public var rowsProfiled: UInt64
    /// The baseline's sampling rate (1 = every row).
    public var baselineRate: Double

    /// The summary of a comparison of `current` with `baseline`, or `nil` when neither was sampled.
    public init?(baseline: AttributionProfile, current: AttributionProfile) {
        guard baseline.recordSampling != nil || current.recordSampling != nil else { return nil }
        let sampling = current.recordSampling ?? .all
        rate = sampling.rate
        seed = sampling.seed
        rowsSeen = current.rowsSeen ?? current.rows
        rowsProfiled = current.rows
        baselineRate = baseline.recordSampling?.rate ?? 1
    }

    enum CodingKeys: String, CodingKey {
        case rate, seed, rowsSeen = "rows_seen", rowsProfiled = "rows_profiled", baselineRate = "baseline_rate"
    }
}
