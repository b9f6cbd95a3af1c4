import Foundation
import ShapDriftCore

/// Reads SageMaker Model Monitor data capture files: JSON Lines of
/// `{"captureData":{"endpointInput":{"observedContentType","mode","data","encoding"},…},
///   "eventMetadata":{"eventId","inferenceTime"},"eventVersion"}`.
///
/// Payload rules: `encoding` CSV (header-less rows, one or more lines, in model feature order),
/// JSON (an object keyed by feature name, an array of values, an array of rows, or an object with
/// `instances` or `features`), or BASE64 (decoded, then CSV or JSON by `observedContentType`).
/// Records outside the time window are left out (counted). A bad record — malformed JSON, an
/// unknown payload, a bad value, an empty payload — is a located error, or under a tolerant
/// `BadRecordPolicy` a skipped record, counted by reason; a record's rows are kept or dropped
/// together. Rows are keyed (`RecordKey`) by the record's `eventId` and their position in its
/// payload.
public final class SageMakerCaptureReader {
    public let file: String
    private let lines: LineReader
    private let decoder: JSONRowDecoder
    private let window: CaptureTimeWindow
    private let tally: BadRecordTally
    private let ownsTally: Bool
    private var fieldRanges: [Range<Int>] = []
    /// Rows decoded from a record but not yet handed out (a record may hold more rows than fit),
    /// row-major, with each row's line.
    private var carryValues: [Double] = []
    private var carryLines: [Int] = []
    /// One payload row being decoded.
    private var row: [Double] = []

    /// `RecordKey.hash` of the name rows without an `eventId` are keyed by.
    private let sourceKey: UInt64
    /// The carried rows' record keys.
    private var carryKeys: [UInt64] = []
    /// Whether common records are read by `CaptureRecordScan` (the default) or every record by the
    /// full parser; the two must agree, which the capture fuzz target checks.
    package var usesRecordScan = true
    /// The record being decoded: its `eventId`'s hash (`nil` without one), its line, and how many
    /// payload rows it gave so far.
    private var recordEvent: UInt64?
    private var recordRow = 0
    /// Payload keys of the record being decoded (JSON payloads keyed by name), kept only if the
    /// record is good.
    private var recordColumns = ColumnStatistics()

    /// - Parameters:
    ///   - sourceName: the name rows are keyed by (`RecordKey`); the file name when `nil`.
    ///   - badRecords: how many bad records may be skipped (strict by default: the first fails).
    ///   - limits: the longest record line accepted.
    public convenience init(path: String, schema: FeatureSchema, window: CaptureTimeWindow = CaptureTimeWindow(),
                            sourceName: String? = nil, badRecords: BadRecordPolicy = .strict,
                            limits: ReaderLimits = ReaderLimits()) throws(InputError) {
        try self.init(path: path, schema: schema, window: window, sourceName: sourceName,
                      tally: BadRecordTally(policy: badRecords), ownsTally: true, limits: limits)
    }

    package init(path: String, schema: FeatureSchema, window: CaptureTimeWindow, sourceName: String?,
                 tally: BadRecordTally, ownsTally: Bool, limits: ReaderLimits = ReaderLimits()) throws(InputError) {
        lines = try LineReader(path: path, limits: limits)
        file = lines.file
        sourceKey = RecordKey.hash((sourceName ?? SourceName.of(path)).utf8)
        decoder = JSONRowDecoder(schema: schema, file: file)
        self.window = window
        self.tally = tally
        self.ownsTally = ownsTally
    }

    /// What the read found so far.
    public var recordSummary: RecordSummary? { tally.finalSummary }

    /// Which columns the payloads of the records read so far carried, and the rows handed out.
    public private(set) var columnStatistics = ColumnStatistics()

    public func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch? {
        var batch = FeatureBatch(numFeatures: decoder.schema.count, file: file)
        while batch.rowCount < maxRows {
            if carryLines.isEmpty {
                let lineNumber = lines.lineNumber + 1
                let file = self.file
                let outcome: LineOutcome? = try lines.nextLine { bytes throws(InputError) -> LineOutcome in
                    if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return .blank }
                    do throws(BadRecord) {
                        if let scan = CaptureRecordScan.scan(bytes), try decode(scan, bytes, line: lineNumber) { return .decoded }
                    } catch {
                        return .bad(error)
                    }
                    do throws(InputError) {
                        return .parsed(try JSONValue.parseLine(bytes, file: file, line: lineNumber))
                    } catch {
                        // A record that is not JSON is keyed by its position.
                        guard tally.owns(positionKey(line: lineNumber)) else { return .blank }
                        tally.countRecord()
                        return .bad(BadRecord(.malformedJSON, error))
                    }
                }
                guard let outcome else { break }
                var failure: BadRecord?
                switch outcome {
                case .blank, .decoded: break
                case .bad(let bad): failure = bad
                case .parsed(let record):
                    guard tally.owns(shardKey(eventId: record["eventMetadata"]?["eventId"]?.stringValue.map { RecordKey.hash($0.utf8) },
                                              line: lineNumber)) else { continue }
                    recordColumns = ColumnStatistics()
                    do throws(BadRecord) {
                        try decode(record, line: lineNumber)
                        columnStatistics.merge(recordColumns)
                    } catch {
                        failure = error
                    }
                }
                if let failure {
                    // A record's rows are all kept or all dropped (records are read only when
                    // the carry is empty, so the bad record's rows are all of it).
                    dropCarry()
                    try tally.skip(failure)
                    batch.skippedBefore.append(batch.rowCount)
                }
                continue
            }
            let take = min(carryLines.count, maxRows - batch.rowCount)
            columnStatistics.rows += UInt64(take)
            let width = decoder.schema.count
            batch.values += carryValues[0..<(take * width)]
            batch.sourceLines += carryLines[0..<take]
            batch.recordKeys += carryKeys[0..<take]
            carryValues.removeFirst(take * width)
            carryLines.removeFirst(take)
            carryKeys.removeFirst(take)
        }
        if batch.rowCount == 0, ownsTally { try tally.finish() }
        return batch.rowCount > 0 ? batch : nil
    }

    /// What one line of the file was.
    private enum LineOutcome {
        case blank
        /// Read by the record scan (decoded, or outside the window).
        case decoded
        /// Parsed as JSON, for `decode(_:line:)`.
        case parsed(JSONValue)
        case bad(BadRecord)
    }

    /// Drops the carried rows: those of a record that turned out bad.
    private func dropCarry() {
        carryValues.removeAll(keepingCapacity: true)
        carryLines.removeAll(keepingCapacity: true)
        carryKeys.removeAll(keepingCapacity: true)
    }

    /// A record read by `CaptureRecordScan`: decoded when it is the common case (a CSV payload,
    /// a valid time when a window is given, nothing amiss), `false` otherwise so the full parser
    /// and `decode(_:line:)` judge it with the same rules and errors.
    private func decode(_ scan: CaptureRecordScan, _ bytes: UnsafeBufferPointer<UInt8>, line: Int) throws(BadRecord) -> Bool {
        func text(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[range]) }
        // Another shard's record is passed over whole (the scan's eventId is the full parser's).
        guard tally.owns(shardKey(eventId: scan.eventId.map { RecordKey.hash(text($0)) }, line: line)) else { return true }
        guard scan.hasCaptureData, scan.hasEndpointInput, let encoding = scan.encoding, let data = scan.data else { return false }
        if let mode = scan.mode, !(mode.count == 5 && memcmp(bytes.baseAddress! + mode.lowerBound, "INPUT", 5) == 0) { return false }
        // "CSV" in any letter case: clearing bit 5 upper-cases ASCII letters.
        guard encoding.count == 3, bytes[encoding.lowerBound] & 0xDF == UInt8(ascii: "C"),
              bytes[encoding.lowerBound + 1] & 0xDF == UInt8(ascii: "S"), bytes[encoding.lowerBound + 2] & 0xDF == UInt8(ascii: "V") else { return false }
        if !window.isUnbounded {
            guard let range = scan.inferenceTime, let time = ISO8601Time.seconds(text(range)) else { return false }
            tally.noteTime(time)
            if !window.contains(time) {
                tally.countOutsideWindow()
                return true
            }
            tally.noteTimeRead(time)
        } else if let range = scan.inferenceTime, let time = ISO8601Time.seconds(text(range)) {
            tally.noteTimeRead(time)
        }
        tally.countRecord()
        startRecord(event: scan.eventId.map { RecordKey.hash(text($0)) })
        try decodeCSV(text(data), line: line)
        return true
    }
    /// The key a record is sharded by: its first row's (`ShardSelection`).
    @inline(__always)
    private func shardKey(eventId: UInt64?, line: Int) -> UInt64 {
        eventId.map { RecordKey.event($0, row: 0) } ?? positionKey(line: line)
    }

    @inline(__always)
    private func positionKey(line: Int) -> UInt64 {
        RecordKey.position(source: sourceKey, line: line, row: 0)
    }

    /// Notes the record whose rows come next, keyed by its event id when it has one.
    private func startRecord(event: UInt64?) {
        recordEvent = event
        recordRow = 0
    }

    /// Carries one decoded payload row of the current record.
    private func carry(_ row: [Double], line: Int) {
        carryValues += row
        carryLines.append(line)
        carryKeys.append(recordEvent.map { RecordKey.event($0, row: recordRow) }
            ?? RecordKey.position(source: sourceKey, line: line, row: recordRow))
        recordRow += 1
    }

    /// Why `record` is not a capture record of endpoint inputs, or `nil` when it is one.
    private func structureProblem(_ record: JSONValue, line: Int) -> BadRecord? {
        guard let capture = record["captureData"] else {
            return BadRecord(.notACaptureRecord, InputError(file: file, line: line, "not a SageMaker data-capture record: no captureData"))
        }
        guard let input = capture["endpointInput"] else {
            return BadRecord(.notACaptureRecord, InputError(file: file, line: line, field: "captureData",
                                                            "no endpointInput (was capture configured for outputs only?)"))
        }
        if let mode = input["mode"]?.stringValue, mode != "INPUT" {
            return BadRecord(.notACaptureRecord, InputError(file: file, line: line, field: "captureData.endpointInput.mode", "expected INPUT, found \(mode)"))
        }
        return nil
    }

    private func decode(_ record: JSONValue, line: Int) throws(BadRecord) {
        func bad(_ reason: BadRecordReason, field: String? = nil, _ message: String) -> BadRecord {
            BadRecord(reason, InputError(file: file, line: line, field: field, message))
        }
        let structure = structureProblem(record, line: line)
        if let structure {
            tally.countRecord()
            throw structure
        }
        if !window.isUnbounded {
            guard let text = record["eventMetadata"]?["inferenceTime"]?.stringValue else {
                tally.countRecord()
                throw bad(.badTime, field: "eventMetadata.inferenceTime", "missing, but the time window filters on it")
            }
            guard let time = ISO8601Time.seconds(text) else {
                tally.countRecord()
                throw bad(.badTime, field: "eventMetadata.inferenceTime",
                          "expected \(ISO8601Time.expectedForm), found \"\(text)\" (\(ISO8601Time.problem(text) ?? ""))")
            }
            tally.noteTime(time)
            if !window.contains(time) {
                tally.countOutsideWindow()
                return
            }
            tally.noteTimeRead(time)
        } else if let text = record["eventMetadata"]?["inferenceTime"]?.stringValue, let time = ISO8601Time.seconds(text) {
            tally.noteTimeRead(time)
        }
        tally.countRecord()
        let input = record["captureData"]?["endpointInput"] ?? .null
        startRecord(event: record["eventMetadata"]?["eventId"]?.stringValue.map { RecordKey.hash($0.utf8) })
        guard let encoding = input["encoding"]?.stringValue else {
            throw bad(.badPayload, field: "captureData.endpointInput.encoding", "missing (required)")
        }
        guard let data = input["data"]?.stringValue else {
            throw bad(.badPayload, field: "captureData.endpointInput.data", "missing or not a string")
        }
        let contentType = input["observedContentType"]?.stringValue?.lowercased() ?? ""
        switch encoding.uppercased() {
        case "CSV":
            try Array(data.utf8).withUnsafeBufferPointer { payload throws(BadRecord) in try decodeCSV(payload, line: line) }
        case "JSON":
            try decodeJSON(Array(data.utf8), line: line)
        case "BASE64":
            guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                throw bad(.badPayload, field: "captureData.endpointInput.data", "not valid base64")
            }
            if contentType.contains("csv") {
                try Array(decoded).withUnsafeBufferPointer { payload throws(BadRecord) in try decodeCSV(payload, line: line) }
            } else if contentType.contains("json") {
                try decodeJSON(Array(decoded), line: line)
            } else {
                throw bad(.badPayload, field: "captureData.endpointInput.observedContentType",
                          "cannot tell a BASE64 payload's type from \"\(contentType)\": expected text/csv or application/json")
            }
        default:
            throw bad(.badPayload, field: "captureData.endpointInput.encoding", "unknown encoding \(encoding), expected CSV, JSON or BASE64")
        }
    }

    /// Decodes a CSV payload (one row per line; blank lines skipped) into the carry.
    private func decodeCSV(_ payload: UnsafeBufferPointer<UInt8>, line: Int) throws(BadRecord) {
        let count = decoder.schema.count
        if row.count != count { row = [Double](repeating: .nan, count: count) }
        var payloadRow = 0
        var start = 0
        while start < payload.count {
            var stop = start
            while stop < payload.count, payload[stop] != UInt8(ascii: "\n") { stop += 1 }
            var end = stop
            if end > start, payload[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let bytes = UnsafeBufferPointer(rebasing: payload[start..<end])
            start = stop + 1
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            payloadRow += 1
            let file = self.file
            try BadRecord.tagged(.csvSyntax) { () throws(InputError) in try CSVSyntax.splitFields(bytes, into: &fieldRanges, file: file, line: line) }
            guard fieldRanges.count == count else {
                throw BadRecord(.fieldCount, InputError(file: file, line: line, field: "payload row \(payloadRow)",
                                                        "CSV payload row has \(fieldRanges.count) values, the model has \(count) features"))
            }
            for (index, range) in fieldRanges.enumerated() {
                guard let value = CSVSyntax.cellValue(bytes, range) else {
                    throw BadRecord(.notANumber, InputError(file: file, line: line, column: index + 1, field: decoder.schema.names?[index] ?? "feature \(index)",
                                                            "payload row \(payloadRow): \(CSVSyntax.expectedCell), found '\(CSVSyntax.fieldText(bytes, range))'"))
                }
                row[index] = value
            }
            carry(row, line: line)
        }
        if payloadRow == 0 { throw emptyPayload(line: line) }
    }

    private func emptyPayload(line: Int) -> BadRecord {
        BadRecord(.emptyPayload, InputError(file: file, line: line, field: "captureData.endpointInput.data", "the payload holds no rows"))
    }

    private func decodeJSON(_ payload: [UInt8], line: Int) throws(BadRecord) {
        // JSON Lines payloads (application/jsonlines) hold one document per line.
        let documents: [JSONValue]
        do {
            documents = try payload.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
                .filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }
                .map { piece throws(InputError) in try JSONValue.parse(Array(piece), file: file, duplicateMembers: .refused) }
        } catch {
            throw BadRecord(.badPayload, InputError(file: file, line: line, field: "captureData.endpointInput.data", "JSON payload: \(error.message)"))
        }
        let before = recordRow
        for document in documents { try appendRows(from: document, line: line) }
        if recordRow == before { throw emptyPayload(line: line) }
    }

    private func appendRows(from value: JSONValue, line: Int) throws(BadRecord) {
        var row = [Double](repeating: .nan, count: decoder.schema.count)
        switch value {
        case .object(let members):
            if let instances = members["instances"] {
                guard let items = instances.arrayValue else {
                    throw BadRecord(.badPayload, InputError(file: file, line: line, field: "instances", "expected an array of rows"))
                }
                for item in items { try appendRows(from: item, line: line) }
                return
            }
            if let items = members["features"]?.arrayValue {
                try decoder.row(fromArray: items, line: line, into: &row)
            } else {
                try decoder.row(fromObject: members, line: line, into: &row, columns: &recordColumns)
            }
        case .numbers(let values):
            try decoder.row(fromArray: values.map { .number($0) }, line: line, into: &row)
        case .array(let items):
            if items.contains(where: { $0.arrayValue != nil || $0.objectValue != nil }) {
                for item in items { try appendRows(from: item, line: line) }
                return
            }
            try decoder.row(fromArray: items, line: line, into: &row)
        default:
            throw BadRecord(.badPayload, InputError(file: file, line: line, field: "captureData.endpointInput.data", "JSON payload is not an object or an array"))
        }
        carry(row, line: line)
    }
}
