/// Which columns the data carried: the counts behind a check's `missing_column_check` and
/// `extra_column_check`, and the column names a baseline records. (Records read and skipped, the
/// window and the times are `RecordSummary`'s.)
public struct ColumnStatistics: Sendable, Equatable {
    /// Rows the source handed out.
    public var rows: UInt64 = 0
    /// Per model feature (by index): rows whose record did not carry the column at all (a CSV
    /// file without it, a JSON object without the key), under a schema that takes such values as
    /// missing (`FeatureSchema.AbsentColumnPolicy.treatAsMissing`).
    public var absentFeatureRows: [Int: UInt64] = [:]
    /// Columns the data carried that are not model features (CSV header columns, JSON object
    /// keys): name → rows carrying it.
    public var extraColumns: [String: UInt64] = [:]
    /// Every column name the data carried, features included; empty for data without names
    /// (header-less CSV payloads, arrays).
    public var columnNames: Set<String> = []

    public init() {}

    /// Adds the counts of another part of the input.
    public mutating func merge(_ other: ColumnStatistics) {
        rows += other.rows
        absentFeatureRows.merge(other.absentFeatureRows, uniquingKeysWith: +)
        extraColumns.merge(other.extraColumns, uniquingKeysWith: +)
        columnNames.formUnion(other.columnNames)
    }
}
