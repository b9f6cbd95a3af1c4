import ShapDriftCore

/// JSON Lines: one object per line, keyed by feature name (`null` = missing), or one array of
/// values in model order. Blank lines are skipped; a member name given twice in a record is refused.
public final class JSONLinesFeatureReader {
    public let file: String
    private let lines: LineReader
    private let decoder: JSONRowDecoder
    /// `RecordKey.hash` of the name rows are keyed by.
    private let sourceKey: UInt64

    /// - Parameters:
    ///   - sourceName: the name rows are keyed by (`RecordKey`); the file name when `nil`.
    ///   - limits: the longest line accepted.
    public init(path: String, schema: FeatureSchema, sourceName: String? = nil, limits: ReaderLimits = ReaderLimits()) throws(InputError) {
        lines = try LineReader(path: path, limits: limits)
        file = lines.file
        sourceKey = RecordKey.hash((sourceName ?? SourceName.of(path)).utf8)
        decoder = JSONRowDecoder(schema: schema, file: file)
    }

    public func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch? {
        var batch = FeatureBatch(numFeatures: decoder.schema.count, file: file)
        var row = [Double](repeating: .nan, count: decoder.schema.count)
        while batch.rowCount < maxRows {
            let decoder = self.decoder
            let lineNumber = lines.lineNumber + 1
            let value: JSONValue?? = try lines.nextLine { bytes throws(InputError) -> JSONValue? in
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
                return try JSONValue.parseLine(bytes, file: decoder.file, line: lineNumber, duplicateMembers: .refused)
            }
            guard let value else { break }
            guard let value else { continue }
            switch value {
            case .object(let members): try decoder.row(fromObject: members, line: lineNumber, into: &row)
            case .array, .numbers: try decoder.row(fromArray: value.arrayValue ?? [], line: lineNumber, into: &row)
            default: throw InputError(file: file, line: lineNumber, "expected a JSON object keyed by feature name")
            }
            batch.values += row
            batch.sourceLines.append(lineNumber)
            batch.recordKeys.append(RecordKey.position(source: sourceKey, line: lineNumber))
        }
        return batch.rowCount > 0 ? batch : nil
    }
}
