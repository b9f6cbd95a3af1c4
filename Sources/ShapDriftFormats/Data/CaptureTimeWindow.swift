import ShapDriftCore

/// A window on record times (seconds since 1970): a capture record's
/// `eventMetadata.inferenceTime`, or the time column of CSV and JSON Lines rows. `since` is
/// inclusive; `until` is inclusive by default (`--until 11:59:59Z`) and exclusive for the
/// relative windows of job files (the previous full hour ends before the next hour starts).
public struct CaptureTimeWindow: Sendable, Equatable {
    public var since: Double?
    public var until: Double?
    /// Whether a record at exactly `until` is in the window.
    public var untilIncluded: Bool

    public init(since: Double? = nil, until: Double? = nil, untilIncluded: Bool = true) {
        self.since = since
        self.until = until
        self.untilIncluded = untilIncluded
    }

    public var isUnbounded: Bool { since == nil && until == nil }

    @inline(__always)
    func contains(_ time: Double) -> Bool {
        if let since, time < since { return false }
        if let until, untilIncluded ? time > until : time >= until { return false }
        return true
    }

    /// How late a record may be written after its `inferenceTime`: SageMaker names a capture
    /// file's hour folder `yyyy/mm/dd/hh` by when the file is written, which can be up to an
    /// hour after the records in it. A folder for hour H therefore holds records timed in
    /// [H − 1 h, H + 1 h), and is skipped only when that interval misses the window.
    public static let captureFolderLateness = 3600.0

    /// Whether an hour folder starting at `hourStart` may hold records inside the window.
    func mayHoldRecords(hourFolderStart hourStart: Double) -> Bool {
        let earliest = hourStart - Self.captureFolderLateness
        let latest = hourStart + 3600 // exclusive
        if let since, latest <= since { return false }
        if let until, untilIncluded ? earliest > until : earliest >= until { return false }
        return true
    }

    /// A window that ends before it starts.
    /// - Throws: `ConfigurationError.outOfRange` naming both ends.
    public func validate() throws(ConfigurationError) {
        if let since, let until, since > until || (since == until && !untilIncluded) {
            throw .outOfRange(setting: "time window", value: "\(ISO8601Time.string(since)) … \(ISO8601Time.string(until))",
                              allowed: "its start must not be later than its end")
        }
    }

    /// The window in RFC 3339 (UTC), for reports; `nil` when unbounded.
    public var range: RecordSummary.TimeRange? {
        isUnbounded ? nil : RecordSummary.TimeRange(since: since.map(ISO8601Time.string), until: until.map(ISO8601Time.string),
                                                   untilIncluded: untilIncluded)
    }
}
