import ShapDriftCore
import Foundation

/// Streams a CSV file with a header row as `FeatureBatch`es aligned to a model's features.
///
/// Rules (RFC 4180 plus what data exports do): the first line is the header; fields may be
/// quoted with `"` (a doubled `""` inside is a quote); every data line must have as many fields
/// as the header; blank lines are skipped; cells that are empty, `NaN`, `nan` or `NA` are missing
/// values; columns the model does not use are never parsed (a text label column is fine).
public final class CSVFeatureReader {
    public let file: String
    public let header: [String]
    private let lines: LineReader
    /// For each data column, the model feature it fills, or -1.
    private let featureOfColumn: [Int]
    private let numFeatures: Int
    private var fieldRanges: [Range<Int>] = []

    /// `RecordKey.hash` of the name rows are keyed by.
    private let sourceKey: UInt64

    /// Opens `path` (`-` for standard input) and matches its header to `schema`.
    /// - Parameters:
    ///   - sourceName: the name rows are keyed by (`RecordKey`); the file name when `nil`.
    ///   - limits: the longest line accepted.
    public init(path: String, schema: FeatureSchema, sourceName: String? = nil, limits: ReaderLimits = ReaderLimits()) throws(InputError) {
        lines = try LineReader(path: path, limits: limits)
        file = lines.file
        sourceKey = RecordKey.hash((sourceName ?? SourceName.of(path)).utf8)
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
        header = headerFields ?? []
        let indices = try schema.columnIndices(forHeader: header, file: file)
        var map = [Int](repeating: -1, count: header.count)
        for (feature, column) in indices.enumerated() { map[column] = feature }
        featureOfColumn = map
        numFeatures = schema.count
    }

    /// The next block of at most `maxRows` rows, or `nil` when the file is exhausted.
    public func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch? {
        var values: [Double] = []
        var sourceLines: [Int] = []
        values.reserveCapacity(min(maxRows, 1 << 16) * numFeatures)
        var row = [Double](repeating: .nan, count: numFeatures)
        while sourceLines.count < maxRows {
            let parsed: Bool? = try lines.nextLine { bytes throws(InputError) -> Bool in
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return false }
                try parseRow(bytes, into: &row)
                return true
            }
            guard let parsed else { break }
            if parsed {
                values += row
                sourceLines.append(lines.lineNumber)
            }
        }
        if sourceLines.isEmpty { return nil }
        return FeatureBatch(numFeatures: numFeatures, values: values, sourceLines: sourceLines, file: file,
                            recordKeys: sourceLines.map { RecordKey.position(source: sourceKey, line: $0) })
    }

    /// Every remaining row as one batch; an error if there are none.
    public func readAll() throws(InputError) -> FeatureBatch {
        var all = FeatureBatch(numFeatures: numFeatures, file: file)
        while let batch = try nextBatch(maxRows: 65_536) { all.append(contentsOf: batch) }
        guard all.rowCount > 0 else { throw InputError(file: file, "has a header but no data rows") }
        return all
    }

    private func parseRow(_ bytes: UnsafeBufferPointer<UInt8>, into row: inout [Double]) throws(InputError) {
        let line = lines.lineNumber
        try CSVSyntax.splitFields(bytes, into: &fieldRanges, file: file, line: line)
        guard fieldRanges.count == header.count else {
            throw InputError(file: file, line: line,
                             "row has \(fieldRanges.count) fields, the header has \(header.count)")
        }
        for (column, range) in fieldRanges.enumerated() {
            let feature = featureOfColumn[column]
            if feature < 0 { continue }
            if let value = CSVSyntax.cellValue(bytes, range) {
                row[feature] = value
            } else {
                throw InputError(file: file, line: line, column: column + 1, field: header[column],
                                 "\(CSVSyntax.expectedCell), found '\(CSVSyntax.fieldText(bytes, range))'")
            }
        }
    }
}
