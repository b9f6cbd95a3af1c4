/// How many bad records a read may skip before it fails: a count and a fraction of the records
/// read, both of which must hold.
///
/// A large hour of captured traffic with a handful of malformed records should still get a
/// verdict; a schema change that makes most records unreadable must fail loudly. Both limits
/// hold at once: the count is checked as records are read (so a run whose records are all bad
/// stops after `maxRecords + 1` of them, without reading the rest), the fraction when the input
/// ends (only then is the number of records known).
///
/// A limit of 0 (either one) is **strict**: the first bad record fails the read with its own
/// located error, exactly as if no policy existed. That is the default of `AttributionProfiler`
/// callers that build references (`shapdrift baseline`) and of every reader constructed without
/// a policy.
public struct BadRecordPolicy: Codable, Equatable, Hashable, Sendable {
    /// Bad records that may be skipped in all (over every file of the input).
    public var maxRecords: Int
    /// Bad records that may be skipped, as a fraction of the records read (good and bad, inside
    /// the time window), in [0, 1].
    public var maxFraction: Double

    public init(maxRecords: Int, maxFraction: Double) {
        self.maxRecords = maxRecords
        self.maxFraction = maxFraction
    }

    /// Every bad record fails the read (references, robustness checks).
    public static let strict = BadRecordPolicy(maxRecords: 0, maxFraction: 0)

    /// The default of checks and of `explain`/`predict`: up to 1,000 bad records and 1 % of the
    /// records read. Why 1 %: excluded records are rarely missing at random (one client, one
    /// code path, one schema version writes them), and a fraction ε of excluded rows can move a
    /// feature's attribution distribution by at most ε times how far those rows differ (for
    /// Wasserstein-1, W₁((1−ε)Q + εB, Q) ≤ ε·W₁(B, Q)); at 1 % the excluded rows would have to
    /// differ by about the model's whole attribution mass to move a feature's shift by the default
    /// floor (0.005 of both samples' attribution mass) on their own. Why 1,000: it bounds the work and the wait before a
    /// wholesale schema change is reported on a large input.
    public static let tolerant = BadRecordPolicy(maxRecords: 1000, maxFraction: 0.01)

    /// Whether the first bad record fails the read.
    public var isStrict: Bool { maxRecords <= 0 || maxFraction <= 0 }

    /// Whether `skipped` bad records are within the count.
    public func allows(skipped: Int) -> Bool { !isStrict && skipped <= maxRecords }

    /// Whether `skipped` bad records of `read` records are within both limits.
    public func allows(skipped: Int, of read: Int) -> Bool {
        skipped == 0 || (allows(skipped: skipped) && Double(skipped) <= maxFraction * Double(read))
    }

    /// The `field` of the error a read over budget fails with (`overBudget`), which callers may
    /// act on (the `shapdrift` tool names the flags that change the budget).
    public static let errorField = "bad records"

    /// The error of a read whose `skipped` bad records of `read` are more than the policy allows:
    /// the counts, the reasons, and the first skipped record.
    public func overBudget(_ skipped: SkippedRecords, read: Int) -> InputError {
        let share = read > 0 ? " (\(Self.percent(rounding: Double(skipped.count) / Double(read))))" : ""
        var message = "\(skipped.count) of \(read) records read could not be used\(share), more than the budget allows "
            + "(\(description)): \(skipped.reasonsText)"
        if let first = skipped.first.first { message += "; the first: \(first.description)" }
        return InputError(field: Self.errorField, message)
    }

    /// A share as a percentage to one decimal (`2.5 %`, `3 %`).
    static func percent(rounding fraction: Double) -> String {
        let value = (fraction * 1000).rounded() / 10
        return value == value.rounded() ? "\(Int(value)) %" : "\(value) %"
    }

    /// The limits in words, e.g. `at most 1000 records and 1 % of the records read`.
    public var description: String {
        isStrict ? "none may be skipped"
            : "at most \(maxRecords) record\(maxRecords == 1 ? "" : "s") and \(Self.percent(maxFraction)) of the records read"
    }

    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return value == value.rounded() ? "\(Int(value)) %" : "\(value) %"
    }
}
