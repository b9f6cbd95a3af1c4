/// Which columns the data carried: the counts behind a check's `missing_column_check` and
/// `extra_column_check`, and the column names a baseline records. (Records read and skipped, the
/// window and the times are `RecordSummary`'s.)
public struct ColumnStatistics: Sendable, Equatable, Codable {
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

/// In a current profile (`column_counts`): features by index as JSON keys, names sorted.
extension ColumnStatistics {
    enum CodingKeys: String, CodingKey {
        case rows, absentFeatureRows = "absent_feature_rows", extraColumns = "extra_columns", columnNames = "column_names"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rows = try container.decode(UInt64.self, forKey: .rows)
        for (key, count) in try container.decode([String: UInt64].self, forKey: .absentFeatureRows) {
            guard let feature = Int(key), feature >= 0 else {
                throw DecodingError.dataCorruptedError(forKey: .absentFeatureRows, in: container, debugDescription: "'\(key)' is not a feature index")
            }
            absentFeatureRows[feature] = count
        }
        extraColumns = try container.decode([String: UInt64].self, forKey: .extraColumns)
        columnNames = Set(try container.decode([String].self, forKey: .columnNames))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(Dictionary(uniqueKeysWithValues: absentFeatureRows.map { (String($0.key), $0.value) }), forKey: .absentFeatureRows)
        try container.encode(extraColumns, forKey: .extraColumns)
        try container.encode(columnNames.sorted(), forKey: .columnNames)
    }
}
