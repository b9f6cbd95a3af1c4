import ShapDriftCore

/// How `FeatureSourceChain` reads its paths: the format, the time window and what it filters on,
/// the capture variants to read, and the bad-record budget.
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

    public init(format: InputFormat = .auto, window: CaptureTimeWindow = CaptureTimeWindow(), timeColumn: String? = nil,
                variants: [String] = [], badRecords: BadRecordPolicy = .strict) {
        self.format = format
        self.window = window
        self.timeColumn = timeColumn
        self.variants = variants
        self.badRecords = badRecords
    }
}
