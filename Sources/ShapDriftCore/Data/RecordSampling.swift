/// Deterministic sampling by record: a row is in the sample when a hash of its `RecordKey` and
/// the seed falls below `rate`, so the same record is always in or out — in a rerun, in a shard,
/// and whichever file or folder holds it (capture rows are keyed by `eventId`).
///
/// Checks in steady state can profile 10–20 % of the traffic; a baseline is best made at 100 %
/// (`docs/drift.md` has the measured cost in detection power). The rate is recorded in profiles
/// and reports so a sampled check is never mistaken for a full one, but it is not part of a
/// profile's identity: a sample's attributions are the same game as the full data's, so a
/// baseline at 100 % and a check at 10 % compare. Profiles merge only at equal settings.
public struct RecordSampling: Codable, Equatable, Hashable, Sendable {
    /// The share of records kept, in (0, 1].
    public var rate: Double
    /// Chooses which records are kept at a given rate.
    public var seed: UInt64

    public init(rate: Double, seed: UInt64 = 0) {
        self.rate = rate
        self.seed = seed
    }

    /// Every record (no sampling).
    public static let all = RecordSampling(rate: 1)

    public var keepsAll: Bool { rate >= 1 }

    /// Whether the row keyed `key` is in the sample: a pure function of (key, seed, rate).
    @inline(__always)
    public func keeps(_ key: UInt64) -> Bool {
        if rate >= 1 { return true }
        // A salt keeps the draw independent of the bootstrap's weights on the same keys.
        let draw = SplitMix64.mix(key ^ SplitMix64.mix(seed ^ 0x5A3F_1E5D_C0DE_D00D))
        return Double(draw >> 11) * 0x1p-53 < rate
    }

    /// The rows of `batch` in the sample (without skipped-record marks: sampled rows are not numbered).
    /// - Complexity: O(rows × features).
    public func sample(_ batch: FeatureBatch) -> FeatureBatch {
        if keepsAll { return batch }
        var kept = FeatureBatch(numFeatures: batch.numFeatures, file: batch.file)
        let width = batch.numFeatures
        for row in 0..<batch.rowCount where keeps(batch.recordKeys[row]) {
            kept.values += batch.values[(row * width)..<((row + 1) * width)]
            kept.sourceLines.append(batch.sourceLines[row])
            kept.recordKeys.append(batch.recordKeys[row])
        }
        return kept
    }

    enum CodingKeys: String, CodingKey { case rate, seed }
}
