/// What a source read besides its rows: the counts behind a report's provenance and its
/// data-quality checks (records read and skipped, absent and unknown columns, the time span of
/// captured traffic).
public struct SourceStatistics: Sendable, Equatable {
    /// Records read: data lines of CSV and JSON Lines files, capture records inside the window.
    public var records: UInt64 = 0
    /// Rows those records gave (a capture record's payload may hold several).
    public var rows: UInt64 = 0
    /// Capture records left out because their `inferenceTime` lies outside the time window.
    public var recordsOutsideWindow: UInt64 = 0
    /// Records that could not be read and were skipped, by reason. Every unreadable record is an
    /// input error today, so this stays empty until readers may skip them (a bad-record budget).
    public var skippedByReason: [String: UInt64] = [:]
    /// Per model feature (by index): rows whose record did not carry the column at all (a CSV
    /// file without it, a JSON object without the key). Those values count as missing.
    public var absentFeatureRows: [Int: UInt64] = [:]
    /// Columns the data carried that are not model features (CSV header columns, JSON object
    /// keys): name → rows carrying it.
    public var extraColumns: [String: UInt64] = [:]
    /// Every column name the data carried, features included; empty for data without names
    /// (header-less CSV payloads, arrays).
    public var columnNames: Set<String> = []
    /// The earliest and latest `inferenceTime` of the capture records read, as written.
    public private(set) var firstInferenceTime: String?
    public private(set) var lastInferenceTime: String?
    /// Files opened, in order.
    public var files: [String] = []

    public init() {}

    /// Records skipped, all reasons together.
    public var skipped: UInt64 { skippedByReason.values.reduce(0, +) }

    /// Notes the `inferenceTime` of a record read. `key` orders times (seconds since 1970 as
    /// parsed, or any key that sorts the same way).
    public mutating func noteInferenceTime(_ text: String, key: Double) {
        if firstKey.map({ key < $0 }) ?? true {
            firstKey = key
            firstInferenceTime = text
        }
        if lastKey.map({ key > $0 }) ?? true {
            lastKey = key
            lastInferenceTime = text
        }
    }

    private var firstKey: Double?
    private var lastKey: Double?

    /// Adds the counts of another source read after this one.
    public mutating func merge(_ other: SourceStatistics) {
        records += other.records
        rows += other.rows
        recordsOutsideWindow += other.recordsOutsideWindow
        skippedByReason.merge(other.skippedByReason, uniquingKeysWith: +)
        absentFeatureRows.merge(other.absentFeatureRows, uniquingKeysWith: +)
        extraColumns.merge(other.extraColumns, uniquingKeysWith: +)
        columnNames.formUnion(other.columnNames)
        if let text = other.firstInferenceTime, let key = other.firstKey { noteInferenceTime(text, key: key) }
        if let text = other.lastInferenceTime, let key = other.lastKey { noteInferenceTime(text, key: key) }
        files += other.files
    }
}
