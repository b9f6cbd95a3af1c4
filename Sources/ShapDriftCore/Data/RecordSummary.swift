/// What a read of the input found, for reports: records read and skipped (by reason, the first
/// few quoted), records and hour folders outside the time window, the capture variants read.
///
/// `FeatureSourceChain` produces it (`FeatureSource.recordSummary`); `DriftMonitor` puts it in
/// the report (`report.json`'s `records`, `docs/report.md`).
public struct RecordSummary: Codable, Equatable, Sendable {
    /// Records read inside the time window, good and bad: CSV and JSON Lines rows, capture
    /// records (a capture record may hold several rows).
    public var read = 0
    /// The bad records skipped.
    public var skipped = SkippedRecords()
    /// Records read and left out because their time is outside the window.
    public var outsideWindow = 0
    /// Files opened.
    public var filesRead = 0
    /// Capture files not opened because their hour folder lies outside the window.
    public var filesOutsideWindow = 0
    /// The capture variants read (`endpoint/variant`, from the capture tree's paths), sorted.
    public var variants: [String] = []
    /// The time window, as given (RFC 3339), when there was one.
    public var window: TimeRange?
    /// The earliest and latest record times seen (inside the window or not), when times were read.
    public var timesSeen: TimeRange?
    /// The earliest and latest times of the records actually read (inside the window; capture
    /// records' `inferenceTime` whether or not a window was given), for a report's provenance.
    public var timesRead: TimeRange?

    /// A time interval in RFC 3339, e.g. for messages and reports.
    public struct TimeRange: Codable, Equatable, Sendable {
        public var since: String?
        public var until: String?
        /// Whether `until` itself belongs to the range (`--until` is inclusive; a job's relative
        /// window ends before its end).
        public var untilIncluded: Bool

        public init(since: String?, until: String?, untilIncluded: Bool = true) {
            self.since = since
            self.until = until
            self.untilIncluded = untilIncluded
        }

        public var description: String {
            "\(since ?? "the beginning") … \(until ?? "the end")\(until != nil && !untilIncluded ? " (exclusive)" : "")"
        }

        enum CodingKeys: String, CodingKey { case since, until, untilIncluded = "until_included" }
    }

    public init() {}

    /// Adds what the read of another part of the same input found (another shard's): records
    /// and skipped records add up; files too, except when every part read every file (a split by
    /// record), where the largest count is the input's; variants unite; the times seen and read
    /// span both.
    /// The window stays when both parts had the same one.
    public mutating func merge(_ other: RecordSummary, everyPartReadEveryFile: Bool) {
        read += other.read
        skipped.merge(other.skipped)
        outsideWindow += other.outsideWindow
        filesRead = everyPartReadEveryFile ? max(filesRead, other.filesRead) : filesRead + other.filesRead
        filesOutsideWindow = everyPartReadEveryFile ? max(filesOutsideWindow, other.filesOutsideWindow) : filesOutsideWindow + other.filesOutsideWindow
        variants = Array(Set(variants).union(other.variants)).sorted()
        if window != other.window { window = nil }
        timesSeen = Self.span(timesSeen, other.timesSeen)
        timesRead = Self.span(timesRead, other.timesRead)
    }

    /// The span of two time ranges, either `nil` when unknown. Both are written by the same
    /// formatter (UTC, `Z`), so text order is time order.
    static func span(_ first: TimeRange?, _ second: TimeRange?) -> TimeRange? {
        guard let first else { return second }
        guard let second else { return first }
        return TimeRange(since: [first.since, second.since].compactMap { $0 }.min(), until: [first.until, second.until].compactMap { $0 }.max())
    }

    enum CodingKeys: String, CodingKey {
        case read, outsideWindow = "outside_window", filesRead = "files_read", filesOutsideWindow = "files_outside_window"
        case variants, window, timesSeen = "times_seen", timesRead = "times_read"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        read = try container.decode(Int.self, forKey: .read)
        outsideWindow = try container.decode(Int.self, forKey: .outsideWindow)
        filesRead = try container.decode(Int.self, forKey: .filesRead)
        filesOutsideWindow = try container.decode(Int.self, forKey: .filesOutsideWindow)
        variants = try container.decode([String].self, forKey: .variants)
        window = try container.decodeIfPresent(TimeRange.self, forKey: .window)
        timesSeen = try container.decodeIfPresent(TimeRange.self, forKey: .timesSeen)
        timesRead = try container.decodeIfPresent(TimeRange.self, forKey: .timesRead)
        skipped = try SkippedRecords(from: decoder)
    }

    /// One flat object: `read`, `skipped`, `by_reason`, `first_skipped`, `outside_window`, …
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(read, forKey: .read)
        try container.encode(outsideWindow, forKey: .outsideWindow)
        try container.encode(filesRead, forKey: .filesRead)
        try container.encode(filesOutsideWindow, forKey: .filesOutsideWindow)
        try container.encode(variants, forKey: .variants)
        try container.encodeIfPresent(window, forKey: .window)
        try container.encodeIfPresent(timesSeen, forKey: .timesSeen)
        try container.encodeIfPresent(timesRead, forKey: .timesRead)
        try skipped.encode(to: encoder)
    }
}
