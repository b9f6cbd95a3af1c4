import ShapDriftCore

/// JSON Lines: one object per line, keyed by feature name (`null` = missing), or one array of
/// values in model order. Blank lines are skipped; a member name given twice in a record is refused.
///
/// A bad line is a located error, or, under a tolerant `BadRecordPolicy`, a skipped record. With
/// a time window the objects are filtered on a named member holding an RFC 3339 time.
public final class JSONLinesFeatureReader {
    public let file: String
    private let lines: LineReader
    private let decoder: JSONRowDecoder
    /// `RecordKey.hash` of the name rows are keyed by.
    private let sourceKey: UInt64
    private let tally: BadRecordTally
    private let ownsTally: Bool
    private let window: CaptureTimeWindow
    private let timeMember: String?
    /// The member whose value keys each row (`DataReadOptions.keyColumn`).
    private let keyMember: String?
    /// Keys of the rows read: absent features, extra columns, names.
    public private(set) var columnStatistics = ColumnStatistics()
    /// The keys of the line being decoded, kept only if it is a good row.
    private var lineColumns = ColumnStatistics()

    /// - Parameters:
    ///   - sourceName: the name rows are keyed by (`RecordKey`); the file name when `nil`.
    ///   - badRecords: how many bad lines may be skipped (strict by default: the first fails).
    ///   - window: objects kept by the time in their `timeMember`, required with a bounded window.
    ///   - keyMember: the member whose value (a string, or an integer's digits) keys each row
    ///     (`RecordKey.event`); rows are keyed by source name and line without it.
    ///   - limits: the longest line accepted.
    public convenience init(path: String, schema: FeatureSchema, sourceName: String? = nil,
                            badRecords: BadRecordPolicy = .strict, window: CaptureTimeWindow = CaptureTimeWindow(),
                            timeMember: String? = nil, keyMember: String? = nil, limits: ReaderLimits = ReaderLimits()) throws(InputError) {
        try self.init(path: path, schema: schema, sourceName: sourceName, tally: BadRecordTally(policy: badRecords), ownsTally: true,
                      window: window, timeMember: timeMember, keyMember: keyMember, limits: limits)
    }

    package init(path: String, schema: FeatureSchema, sourceName: String?, tally: BadRecordTally, ownsTally: Bool,
                 window: CaptureTimeWindow, timeMember: String?, keyMember: String? = nil,
                 limits: ReaderLimits = ReaderLimits()) throws(InputError) {
        lines = try LineReader(path: path, limits: limits)
        file = lines.file
        sourceKey = RecordKey.hash((sourceName ?? SourceName.of(path)).utf8)
        decoder = JSONRowDecoder(schema: schema, file: file)
        self.tally = tally
        self.ownsTally = ownsTally
        self.window = window
        self.timeMember = timeMember
        self.keyMember = keyMember
        if timeMember == nil, !window.isUnbounded {
            throw InputError(file: file, "a time window was given, but JSON Lines rows have no time to filter on unless a time member is named")
        }
    }

    public func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch? {
        var batch = FeatureBatch(numFeatures: decoder.schema.count, file: file)
        var row = [Double](repeating: .nan, count: decoder.schema.count)
        while batch.rowCount < maxRows {
            let lineNumber = lines.lineNumber + 1
            let file = self.file
            let value: Result<JSONValue, InputError>?? = try lines.nextLine { bytes throws(InputError) -> Result<JSONValue, InputError>? in
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
                do throws(InputError) {
                    return .success(try JSONValue.parseLine(bytes, file: file, line: lineNumber, duplicateMembers: .refused))
                } catch {
                    return .failure(error)
                }
            }
            guard let value else { break }
            guard let value else { continue }
            let key = self.key(of: value, line: lineNumber)
            guard tally.owns(key) else { continue }
            lineColumns = ColumnStatistics()
            do throws(BadRecord) {
                guard try decode(value, line: lineNumber, into: &row) else { continue }
            } catch {
                try tally.skip(error)
                batch.skippedBefore.append(batch.rowCount)
                continue
            }
            lineColumns.rows = 1
            columnStatistics.merge(lineColumns)
            batch.values += row
            batch.sourceLines.append(lineNumber)
            batch.recordKeys.append(key)
        }
        if batch.rowCount == 0, ownsTally { try tally.finish() }
        return batch.rowCount > 0 ? batch : nil
    }

    /// What the read found so far.
    public var recordSummary: RecordSummary? { tally.finalSummary }

    /// The row's key: its key member's value when it has one (a string, or an integer's digits),
    /// else its source name and line (also for a line that is not valid JSON).
    private func key(of parsed: Result<JSONValue, InputError>, line: Int) -> UInt64 {
        if let keyMember, case .success(let value) = parsed, let member = value[keyMember] {
            if let text = member.stringValue, !text.isEmpty { return RecordKey.event(RecordKey.hash(text.utf8), row: 0) }
            if let number = member.numberValue, number.rounded() == number, abs(number) < 0x1p53 {
                return RecordKey.event(RecordKey.hash(String(Int64(number)).utf8), row: 0)
            }
        }
        return RecordKey.position(source: sourceKey, line: line)
    }

    /// One line into `row`: `true` when it is a row in the window, `false` when its time is outside.
    private func decode(_ parsed: Result<JSONValue, InputError>, line: Int, into row: inout [Double]) throws(BadRecord) -> Bool {
        let value: JSONValue
        switch parsed {
        case .success(let parsedValue): value = parsedValue
        case .failure(let error):
            tally.countRecord()
            throw BadRecord(.malformedJSON, error)
        }
        if let timeMember {
            guard let text = value[timeMember]?.stringValue, let time = ISO8601Time.seconds(text) else {
                tally.countRecord()
                let found = value[timeMember].map { $0.stringValue.map { "\"\($0)\" (\(ISO8601Time.problem($0) ?? ""))" } ?? "a value that is not a string" } ?? "nothing"
                throw BadRecord(.badTime, InputError(file: file, line: line, field: timeMember, "expected \(ISO8601Time.expectedForm), found \(found)"))
            }
            tally.noteTime(time)
            guard window.contains(time) else {
                tally.countOutsideWindow()
                return false
            }
            tally.noteTimeRead(time)
        }
        tally.countRecord()
        switch value {
        case .object(let members): try decoder.row(fromObject: members, line: line, into: &row, columns: &lineColumns)
        case .array, .numbers: try decoder.row(fromArray: value.arrayValue ?? [], line: line, into: &row)
        default: throw BadRecord(.notARow, InputError(file: file, line: line, "expected a JSON object keyed by feature name"))
        }
        return true
    }
}
