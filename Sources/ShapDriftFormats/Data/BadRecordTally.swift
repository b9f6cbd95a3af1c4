import ShapDriftCore

/// A bad record, as a reader's decoding step reports it: the located error and its category.
struct BadRecord: Error {
    var reason: BadRecordReason
    var error: InputError

    init(_ reason: BadRecordReason, _ error: InputError) {
        self.reason = reason
        self.error = error
    }
}

extension BadRecord {
    /// Runs a step whose errors all fall under `reason`.
    @inline(__always)
    static func tagged<T>(_ reason: BadRecordReason, _ body: () throws(InputError) -> T) throws(BadRecord) -> T {
        do {
            return try body()
        } catch {
            throw BadRecord(reason, error)
        }
    }
}

/// The running account of one read under a `BadRecordPolicy`, shared by the readers of a
/// `FeatureSourceChain` so the budget covers every file: records read, records outside the
/// time window, the times seen, and the bad records skipped.
///
/// When the read is one shard of a split by record (`ShardSelection`), the readers ask `owns`
/// before they count or decode a record, so each record — good, bad or outside the window — is
/// counted by exactly one shard and the shards' accounts add up to the whole read's.
///
/// Used by one thread at a time, as its source is (`FeatureSource`).
package final class BadRecordTally {
    package let policy: BadRecordPolicy
    package let shard: ShardSelection
    package private(set) var summary = RecordSummary()
    private var earliest = Double.infinity
    private var latest = -Double.infinity
    private var earliestRead = Double.infinity
    private var latestRead = -Double.infinity

    package init(policy: BadRecordPolicy, shard: ShardSelection = .whole) {
        self.policy = policy
        self.shard = shard
    }

    /// Whether the record whose first row is keyed `key` belongs to this read.
    @inline(__always)
    func owns(_ key: UInt64) -> Bool { shard.ownsRecord(key) }

    /// A record was read inside the window (good or bad).
    @inline(__always)
    func countRecord() { summary.read += 1 }

    /// A record was read and left out by the time window.
    @inline(__always)
    func countOutsideWindow() { summary.outsideWindow += 1 }

    /// A record's time, for the range of times a message names when the window held nothing.
    @inline(__always)
    func noteTime(_ time: Double) {
        if time < earliest { earliest = time }
        if time > latest { latest = time }
    }

    /// The time of a record read inside the window, for the span a report's provenance gives.
    @inline(__always)
    func noteTimeRead(_ time: Double) {
        if time < earliestRead { earliestRead = time }
        if time > latestRead { latestRead = time }
    }

    /// Skips `bad`, or fails the read: with the record's own error when the policy is strict,
    /// with the budget's error when this record is one too many.
    func skip(_ bad: BadRecord) throws(InputError) {
        if policy.isStrict { throw bad.error }
        summary.skipped.add(bad.error, reason: bad.reason)
        if !policy.allows(skipped: summary.skipped.count) { throw overBudget }
    }

    /// The fraction's check, once the input has ended.
    package func finish() throws(InputError) {
        if !policy.allows(skipped: summary.skipped.count, of: summary.read) { throw overBudget }
    }

    /// The summary with the times seen.
    package var finalSummary: RecordSummary {
        var result = summary
        if earliest <= latest {
            result.timesSeen = RecordSummary.TimeRange(since: ISO8601Time.string(earliest), until: ISO8601Time.string(latest))
        }
        if earliestRead <= latestRead {
            result.timesRead = RecordSummary.TimeRange(since: ISO8601Time.string(earliestRead), until: ISO8601Time.string(latestRead))
        }
        return result
    }

    private var overBudget: InputError { policy.overBudget(summary.skipped, read: summary.read) }
}

/// The `field` of the data errors a caller may want to act on: the `shapdrift` tool adds the
/// flag that changes the setting to these (library messages never name a flag).
package enum DataErrorField {
    /// Too many bad records for the `BadRecordPolicy`.
    package static let badRecords = BadRecordPolicy.errorField
    /// A time window on rows that carry no time unless a time column is named.
    package static let timeColumn = "time column"
    /// A capture tree with several variants and none chosen, or a chosen variant not found.
    package static let variants = "variants"
    /// A key column given for capture data, or absent from a row.
    package static let keyColumn = "key column"
}
