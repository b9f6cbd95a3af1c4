import ShapDriftCore
import Foundation

/// Streams a CSV file with a header row as `FeatureBatch`es aligned to a model's features.
///
/// Rules (RFC 4180 plus what data exports do): the first line is the header; fields may be
/// quoted with `"` (a doubled `""` inside is a quote); every data line must have as many fields
/// as the header; blank lines are skipped; cells that are empty, `NaN`, `nan` or `NA` are missing
/// values; columns the model does not use are never parsed (a text label column is fine).
///
/// With a schema that takes absent columns as missing, a feature the header lacks is missing in
/// every row, and `columnStatistics` counts it.
///
/// A bad row is a located error, or, under a tolerant `BadRecordPolicy`, a skipped record
/// (counted by reason). With a time window the rows are filtered on a named time column
/// (RFC 3339 times, `ISO8601Time`).
public final class CSVFeatureReader {
    public let file: String
    public let header: [String]
    /// The header as the names of the features, for a model without names (columns in order).
    public let dataHeader: DataHeader?
    private let lines: LineReader
    /// For each data column, the model feature it fills, or -1.
    private let featureOfColumn: [Int]
    private let numFeatures: Int
    private var fieldRanges: [Range<Int>] = []
    private let tally: BadRecordTally
    /// Whether this reader owns its tally (and so checks the budget's fraction at its end).
    private let ownsTally: Bool
    private let window: CaptureTimeWindow
    /// The column the window filters on.
    private let timeColumn: Int?
    /// The column whose text keys each row (`DataReadOptions.keyColumn`).
    private let keyColumn: Int?

    /// `RecordKey.hash` of the name rows are keyed by.
    private let sourceKey: UInt64
    /// Features the header lacks (model order), and header columns that are not features.
    private let absentFeatures: [Int]
    private let extraColumns: [String]
    private var rowsRead: UInt64 = 0

    /// Opens `path` (`-` for standard input) and matches its header to `schema`.
    /// - Parameters:
    ///   - sourceName: the name rows are keyed by (`RecordKey`); the file name when `nil`.
    ///   - badRecords: how many bad rows may be skipped (strict by default: the first fails).
    ///   - window: rows kept by their time in `timeColumn`.
    ///   - timeColumn: the header name of the column the window filters on; required with a
    ///     bounded window.
    ///   - keyColumn: the header name of the column whose text keys each row (`RecordKey.event`);
    ///     rows are keyed by source name and line without it, or when the cell is empty.
    /// - Throws: `InputError` for an unreadable file or header, a window without a time column, or
    ///   a time or key column the header lacks.
    ///   - limits: the longest line accepted.
    public convenience init(path: String, schema: FeatureSchema, sourceName: String? = nil,
                            badRecords: BadRecordPolicy = .strict, window: CaptureTimeWindow = CaptureTimeWindow(),
                            timeColumn: String? = nil, keyColumn: String? = nil, limits: ReaderLimits = ReaderLimits()) throws(InputError) {
        try self.init(path: path, schema: schema, sourceName: sourceName, tally: BadRecordTally(policy: badRecords), ownsTally: true,
                      window: window, timeColumn: timeColumn, keyColumn: keyColumn, limits: limits)
    }

    package init(path: String, schema: FeatureSchema, sourceName: String?, tally: BadRecordTally, ownsTally: Bool,
                 window: CaptureTimeWindow, timeColumn: String?, keyColumn: String? = nil,
                 limits: ReaderLimits = ReaderLimits()) throws(InputError) {
        lines = try LineReader(path: path, limits: limits)
        file = lines.file
        sourceKey = RecordKey.hash((sourceName ?? SourceName.of(path)).utf8)
        self.tally = tally
        self.ownsTally = ownsTally
        self.window = window
        var headerFields: [String]? = nil
        var ranges: [Range<Int>] = []
        let file = self.file
        while headerFields == nil {
            let line: [String]?? = try lines.nextLine { bytes throws(InputError) -> [String]? in
                var text = bytes
                if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = UnsafeBufferPointer(rebasing: text[3...]) }
                if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
                try CSVSyntax.splitFields(text, into: &ranges, file: file, line: 1)
                return ranges.map { range in CSVSyntax.fieldText(text, range) }
            }
            guard let line else { throw InputError(file: file, "the file is empty, expected a header line") }
            headerFields = line
        }
        let header = headerFields ?? []
        self.header = header
        let indices = try schema.columnIndices(forHeader: header, file: file)
        dataHeader = schema.names == nil ? DataHeader(names: header, file: file) : nil
        var map = [Int](repeating: -1, count: header.count)
        for (feature, column) in indices.enumerated() where column >= 0 { map[column] = feature }
        featureOfColumn = map
        numFeatures = schema.count
        absentFeatures = indices.indices.filter { indices[$0] < 0 }
        extraColumns = Array(Set(header.indices.filter { map[$0] < 0 }.map { header[$0] })).sorted()
        if let timeColumn {
            guard let index = header.firstIndex(of: timeColumn) else {
                throw InputError(file: file, line: 1, field: timeColumn, "no such column in the header, but the time window filters on it")
            }
            self.timeColumn = index
        } else if !window.isUnbounded {
            throw InputError(file: file, "a time window was given, but CSV rows have no time to filter on unless a time column is named")
        } else {
            self.timeColumn = nil
        }
        if let keyColumn {
            guard let index = header.firstIndex(of: keyColumn) else {
                throw InputError(file: file, line: 1, field: keyColumn, "no such column in the header, but rows are keyed by it")
            }
            self.keyColumn = index
        } else {
            self.keyColumn = nil
        }
    }

    /// The next block of at most `maxRows` rows, or `nil` when the file is exhausted.
    public func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch? {
        var values: [Double] = []
        var sourceLines: [Int] = []
        var keys: [UInt64] = []
        var skippedBefore: [Int] = []
        values.reserveCapacity(min(maxRows, 1 << 16) * numFeatures)
        var row = [Double](repeating: .nan, count: numFeatures)
        while sourceLines.count < maxRows {
            let parsed: Result<UInt64?, BadRecord>?? = try lines.nextLine { bytes throws(InputError) -> Result<UInt64?, BadRecord>? in
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
                do throws(BadRecord) {
                    return .success(try parseRow(bytes, into: &row))
                } catch {
                    return .failure(error)
                }
            }
            guard let parsed else { break }
            switch parsed {
            case nil: continue
            case .success(let key?):
                values += row
                sourceLines.append(lines.lineNumber)
                keys.append(key)
            case .success(nil): continue
            case .failure(let bad):
                try tally.skip(bad)
                skippedBefore.append(sourceLines.count)
            }
        }
        if sourceLines.isEmpty {
            if ownsTally { try tally.finish() }
            return nil
        }
        rowsRead += UInt64(sourceLines.count)
        var batch = FeatureBatch(numFeatures: numFeatures, values: values, sourceLines: sourceLines, file: file, recordKeys: keys)
        batch.skippedBefore = skippedBefore
        return batch
    }

    /// Every remaining row as one batch; an error if there are none.
    public func readAll() throws(InputError) -> FeatureBatch {
        var all = FeatureBatch(numFeatures: numFeatures, file: file)
        while let batch = try nextBatch(maxRows: 65_536) { all.append(contentsOf: batch) }
        guard all.rowCount > 0 else { throw InputError(file: file, "has a header but no data rows") }
        return all
    }

    /// What the read found so far.
    public var recordSummary: RecordSummary? { tally.finalSummary }

    /// The header's names, its absent features and its extra columns, over the rows read so far.
    public var columnStatistics: ColumnStatistics {
        var statistics = ColumnStatistics()
        statistics.rows = rowsRead
        statistics.columnNames = Set(header)
        for feature in absentFeatures { statistics.absentFeatureRows[feature] = rowsRead }
        for column in extraColumns { statistics.extraColumns[column] = rowsRead }
        return statistics
    }

    /// Reads a line that is one plain decimal per feature column (the other columns unquoted, and
    /// not read), separated by commas and nothing else, into `row` (`parseDecimalPrefix`: each number is converted while its end is found,
    /// so the line is scanned once, where splitting it into fields first scanned it twice and
    /// cost a tenth of a wide CSV's reading). Whether it was; when not, `row` holds nothing of
    /// use and the line goes through `parseRow`'s field-by-field path, errors and all.
    /// - Complexity: O(line length).
    private func parsePlainRow(_ bytes: UnsafeBufferPointer<UInt8>, into row: inout [Double]) -> Bool {
        let (count, columns) = (bytes.count, featureOfColumn.count)
        return row.withUnsafeMutableBufferPointer { row in
            featureOfColumn.withUnsafeBufferPointer { features in
                var index = 0
                var column = 0
                while column < columns {
                    let feature = features[column]
                    var end = index
                    if feature >= 0 {
                        guard let (value, after) = parseDecimalPrefix(bytes, from: index) else { return false }
                        row[feature] = value
                        end = after
                    } else {
                        // A column the model does not read (a label, an id) is passed over unparsed,
                        // unless it is quoted (a quoted field may hold a comma).
                        while end < count, bytes[end] != UInt8(ascii: ",") {
                            if bytes[end] == UInt8(ascii: "\"") { return false }
                            end += 1
                        }
                    }
                    column += 1
                    if end == count { return column == columns }
                    guard bytes[end] == UInt8(ascii: ",") else { return false }
                    index = end + 1
                }
                return false
            }
        }
    }

    /// Parses one data line into `row`: the row's key when it is a row of this read, `nil` when
    /// its time is outside the window or it belongs to another shard (`BadRecordTally.owns`; a
    /// line whose key cannot be read is keyed by its position).
    private func parseRow(_ bytes: UnsafeBufferPointer<UInt8>, into row: inout [Double]) throws(BadRecord) -> UInt64? {
        let line = lines.lineNumber
        let file = self.file
        let positionKey = RecordKey.position(source: sourceKey, line: line)
        // Rows of plain decimals, keyed by position, in one pass; anything else (quotes, blanks,
        // NA, a field count off, a number past the exact fast path) is read again field by field.
        if keyColumn == nil, timeColumn == nil {
            // Another shard's line is passed over whatever it holds, as below.
            guard tally.owns(positionKey) else { return nil }
            if parsePlainRow(bytes, into: &row) {
                tally.countRecord()
                return positionKey
            }
        }
        do {
            try CSVSyntax.splitFields(bytes, into: &fieldRanges, file: file, line: line)
        } catch {
            guard tally.owns(positionKey) else { return nil }
            tally.countRecord()
            throw BadRecord(.csvSyntax, error)
        }
        var key = positionKey
        if let keyColumn, fieldRanges.count == header.count {
            let text = CSVSyntax.fieldText(bytes, fieldRanges[keyColumn])
            if !text.isEmpty { key = RecordKey.event(RecordKey.hash(text.utf8), row: 0) }
        }
        guard tally.owns(key) else { return nil }
        guard fieldRanges.count == header.count else {
            tally.countRecord()
            throw BadRecord(.fieldCount, InputError(file: file, line: line, "row has \(fieldRanges.count) fields, the header has \(header.count)"))
        }
        if let timeColumn {
            guard let time = ISO8601Time.seconds(CSVSyntax.trimmed(CSVSyntax.unquoted(bytes, fieldRanges[timeColumn]))) else {
                tally.countRecord()
                let text = CSVSyntax.fieldText(bytes, fieldRanges[timeColumn])
                throw BadRecord(.badTime, InputError(file: file, line: line, column: timeColumn + 1, field: header[timeColumn],
                                                     "expected \(ISO8601Time.expectedForm), found '\(text)' (\(ISO8601Time.problem(text) ?? "empty"))"))
            }
            tally.noteTime(time)
            guard window.contains(time) else {
                tally.countOutsideWindow()
                return nil
            }
            tally.noteTimeRead(time)
        }
        tally.countRecord()
        for (column, range) in fieldRanges.enumerated() {
            let feature = featureOfColumn[column]
            if feature < 0 { continue }
            if let value = CSVSyntax.cellValue(bytes, range) {
                row[feature] = value
            } else {
                throw BadRecord(.notANumber, InputError(file: file, line: line, column: column + 1, field: header[column],
                                                        "\(CSVSyntax.expectedCell), found '\(CSVSyntax.fieldText(bytes, range))'"))
            }
        }
        return key
    }
}
