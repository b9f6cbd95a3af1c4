import ShapDriftCore

/// How `FeatureSourceChain` reads its paths: the format, the time window and what it filters on,
/// the capture variants to read, the bad-record budget, which shard of a split job to read, and
/// the column rows are keyed by.
public struct DataReadOptions: Sendable, Equatable {
    public var format: InputFormat
    /// Rows kept by their time: a capture record's `inferenceTime`, or `timeColumn` of CSV and
    /// JSON Lines rows.
    public var window: CaptureTimeWindow
    /// The CSV column (or JSON Lines member) holding each row's RFC 3339 time; required for a
    /// window on CSV or JSON Lines, refused for capture (filtered on `inferenceTime`).
    public var timeColumn: String?
    /// The capture variants to read from directory trees (the folder above `yyyy`, or
    /// `endpoint/variant`); empty reads the only variant there is, and refuses a tree with several.
    public var variants: [String]
    /// How many bad records may be skipped (strict by default).
    public var badRecords: BadRecordPolicy
    /// The part of the input this read covers (`ShardSelection`; all of it by default).
    public var shard: ShardSelection
    /// The CSV column (or JSON Lines member) whose text keys each row (`RecordKey.event`, as a
    /// capture record's `eventId` does), so a row has the same key whichever file, partition or
    /// line holds it; refused for capture, which is keyed by `eventId`. Rows are keyed by source
    /// name and line without it.
    public var keyColumn: String?
    /// The bounds every file is read within (the longest line).
    public var limits: ReaderLimits

    public init(format: InputFormat = .auto, window: CaptureTimeWindow = CaptureTimeWindow(), timeColumn: String? = nil,
                variants: [String] = [], badRecords: BadRecordPolicy = .strict, shard: ShardSelection = .whole,
                keyColumn: String? = nil, limits: ReaderLimits = ReaderLimits()) {
        self.format = format
        self.window = window
        self.timeColumn = timeColumn
        self.variants = variants
        self.badRecords = badRecords
        self.shard = shard
        self.keyColumn = keyColumn
        self.limits = limits
    }
}
