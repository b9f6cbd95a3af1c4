import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
import ShapDriftTestSupport

/// A capture record for the 8-feature drift fixture model.
func captureRecord(_ id: String, time: String, data: String = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8", variantNote: String = "") -> String {
    #"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"\#(data)","encoding":"CSV"}},"eventMetadata":{"eventId":"\#(id)","inferenceTime":"\#(time)"},"eventVersion":"0"}"#
}

/// Reads every batch of a chain over `paths`.
func readAll(_ paths: [String], _ options: DataReadOptions) throws -> (rows: Int, batches: [FeatureBatch], chain: FeatureSourceChain) {
    let model = try ModelLoader().load(path: Fixtures.driftModel)
    let chain = try FeatureSourceChain(paths: paths, schema: FeatureSchema(model: model), options: options)
    var batches: [FeatureBatch] = []
    while let batch = try chain.nextBatch(maxRows: 7) { batches.append(batch) }
    return (batches.map(\.rowCount).reduce(0, +), batches, chain)
}

@Suite("RFC 3339 times")
struct TimeParsingTests {
    @Test("times parse to the seconds Foundation's ISO 8601 formatter gives, offsets and fractions included")
    func agreesWithFoundation() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let seconds = Double(Int64.random(in: 0...4_102_444_800, using: &generator))
            let offsetMinutes = [0, 60, -300, 330, 545, -720][Int.random(in: 0..<6, using: &generator)]
            plain.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)
            let text = plain.string(from: Date(timeIntervalSince1970: seconds))
            #expect(ISO8601Time.seconds(text) == seconds, "\(text)")
            let withFraction = text.replacingOccurrences(of: offsetMinutes == 0 ? "Z" : (text.contains("+") ? "+" : "-"),
                                                         with: ".250" + (offsetMinutes == 0 ? "Z" : (text.contains("+") ? "+" : "-")),
                                                         options: .backwards, range: text.range(of: "T").map { $0.upperBound..<text.endIndex })
            let reference = try #require(formatter.date(from: withFraction), "\(withFraction)").timeIntervalSince1970
            #expect(ISO8601Time.seconds(withFraction) == reference, "\(withFraction)")
        }
    }

    @Test("the forms SageMaker and RFC 3339 allow are read; a leap day and a leap second count")
    func acceptedForms() {
        let base = 1_714_561_200.0 // 2024-05-01T11:00:00Z
        #expect(ISO8601Time.seconds("2024-05-01T11:00:00Z") == base)
        #expect(ISO8601Time.seconds("2024-05-01t11:00:00z") == base)
        #expect(ISO8601Time.seconds("2024-05-01 11:00:00Z") == base)
        #expect(ISO8601Time.seconds("2024-05-01T13:00:00+02:00") == base)
        #expect(ISO8601Time.seconds("2024-05-01T13:00:00+0200") == base)
        #expect(ISO8601Time.seconds("2024-05-01T06:30:00-04:30") == base)
        #expect(ISO8601Time.seconds("2024-05-01T11:00:00.123456789Z") == base + 0.123456789)
        #expect(ISO8601Time.seconds("2024-02-29T00:00:00Z") != nil)
        #expect(ISO8601Time.seconds("2016-12-31T23:59:60Z") == ISO8601Time.seconds("2017-01-01T00:00:00Z"))
    }

    @Test("anything else is refused, naming the character at fault", arguments: [
        ("2024-05-01T11:00:00", "ends early: expected a time zone"),
        ("2024-05-01T11:00Z", "character 17: expected ':' after the minutes"),
        ("2024-13-01T11:00:00Z", "character 6: expected a two-digit month"),
        ("2023-02-29T11:00:00Z", "character 9: expected a two-digit day"),
        ("2024-05-01T24:00:00Z", "character 12: expected a two-digit hour"),
        ("2024-05-01T11:00:00.Z", "character 21: expected digits after the decimal point"),
        ("2024-05-01T11:00:00Z ", "character 21: expected the end"),
        ("2024-05-01X11:00:00Z", "character 11: expected 'T'"),
        ("24-05-01T11:00:00Z", "character 3: expected a four-digit year"),
        ("2024-05-01T11:00:00+25:00", "character 21: expected a two-digit offset hour"),
        ("", "ends early: expected a four-digit year"),
    ])
    func refused(_ text: String, _ problem: String) {
        #expect(ISO8601Time.seconds(text) == nil)
        #expect(ISO8601Time.problem(text)?.hasPrefix(problem) == true, "\(text): \(ISO8601Time.problem(text) ?? "accepted")")
    }

    @Test("times are written back in RFC 3339 and read again to the same second")
    func roundTrip() {
        for text in ["1970-01-01T00:00:00Z", "2024-05-01T11:00:00Z", "2000-02-29T23:59:59Z", "2024-05-01T11:00:00.250Z", "1969-12-31T23:59:59Z"] {
            let seconds = ISO8601Time.seconds(text)!
            #expect(ISO8601Time.string(seconds) == text)
        }
    }
}

@Suite("Bad records")
struct BadRecordTests {
    static func write(_ lines: [String], name: String = "capture.jsonl", in directory: URL) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func goodLines(_ count: Int) -> [String] {
        (0..<count).map { captureRecord("e\($0)", time: "2024-05-01T11:\(String(format: "%02d", $0 / 60 % 60)):\(String(format: "%02d", $0 % 60))Z") }
    }

    @Test("a few bad records among many are skipped, counted by reason and quoted with file and line")
    func fewBadRecordsPass() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = Self.goodLines(400)
        lines[2] = captureRecord("bad1", time: "2024-05-01T11:00:02Z", data: "abc,0.2,0.3,0.4,0.5,0.6,0.7,0.8")
        lines[6] = "{\"captureData\": {"
        lines[8] = captureRecord("bad3", time: "2024-05-01T11:00:08Z", data: "")
        let path = try Self.write(lines, in: directory)
        let (rows, batches, chain) = try readAll([path], DataReadOptions(badRecords: .tolerant))
        #expect(rows == 397)
        let summary = try #require(chain.recordSummary)
        #expect(summary.read == 400 && summary.skipped.count == 3)
        #expect(summary.skipped.byReason == [.notANumber: 1, .malformedJSON: 1, .emptyPayload: 1])
        #expect(summary.skipped.first.map(\.line) == [3, 7, 9])
        #expect(summary.skipped.first.allSatisfy { $0.file == path })
        #expect(summary.skipped.first[0].message.contains("found 'abc'"))
        // Every skipped record keeps its place: row numbers leave a gap at 2, 6 and 8.
        var numbers: [Int] = []
        for batch in batches { numbers += batch.rowNumbers(from: (numbers.last.map { $0 + 1 } ?? 0)) }
        #expect(!numbers.contains(2) && !numbers.contains(6) && !numbers.contains(8) && numbers.last == 399 && numbers.count == 397)
    }

    @Test("strict reading fails at the first bad record with its own located error")
    func strictFails() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = Self.goodLines(10)
        lines[2] = captureRecord("bad", time: "2024-05-01T11:00:02Z", data: "abc,0.2,0.3,0.4,0.5,0.6,0.7,0.8")
        let path = try Self.write(lines, in: directory)
        let error = try #require(throws: InputError.self) { try readAll([path], DataReadOptions(badRecords: .strict)) }
        #expect(error.file == path && error.line == 3 && error.column == 1 && error.message.contains("found 'abc'"))
        let zeroCount = try #require(throws: InputError.self) {
            try readAll([path], DataReadOptions(badRecords: BadRecordPolicy(maxRecords: 0, maxFraction: 0.5)))
        }
        #expect(zeroCount == error)
    }

    @Test("when most records are unreadable the read fails with the counts by reason")
    func mostBadFails() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = Self.goodLines(200)
        for index in 0..<150 { lines[index] = captureRecord("b\(index)", time: "2024-05-01T11:00:00Z", data: "1,2,3") }
        let path = try Self.write(lines, in: directory)
        let error = try #require(throws: InputError.self) { try readAll([path], DataReadOptions(badRecords: .tolerant)) }
        #expect(error.field == DataErrorField.badRecords)
        #expect(error.message.hasPrefix("150 of 200 records read could not be used (75 %)") && error.message.contains("wrong number of fields 150"))
        // The count is checked as records are read: the read stops at the first record over it.
        let counted = try #require(throws: InputError.self) {
            try readAll([path], DataReadOptions(badRecords: BadRecordPolicy(maxRecords: 5, maxFraction: 1)))
        }
        #expect(counted.message.hasPrefix("6 of 6 records read"))
    }

    @Test("CSV and JSON Lines rows are skipped by reason too")
    func csvAndJSONLines() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let header = "d0,d1,d2,d3,d4,d5,d6,d7"
        var rows = (0..<300).map { _ in "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8" }
        rows[4] = "0.1,0.2"
        rows[9] = "x,0.2,0.3,0.4,0.5,0.6,0.7,0.8"
        let csv = try Self.write([header] + rows, name: "rows.csv", in: directory)
        let (csvRows, _, csvChain) = try readAll([csv], DataReadOptions(badRecords: .tolerant))
        #expect(csvRows == 298)
        #expect(csvChain.recordSummary?.skipped.byReason == [.fieldCount: 1, .notANumber: 1])
        #expect(csvChain.recordSummary?.skipped.first.map(\.line) == [6, 11])
        var objects = (0..<300).map { _ in #"{"d0":1,"d1":2,"d2":3,"d3":4,"d4":5,"d5":6,"d6":7,"d7":8}"# }
        objects[0] = #"{"d0":1}"#
        objects[1] = "[1,2"
        objects[2] = "3"
        let jsonl = try Self.write(objects, name: "rows.jsonl", in: directory)
        let (jsonRows, _, jsonChain) = try readAll([jsonl], DataReadOptions(badRecords: .tolerant))
        #expect(jsonRows == 297)
        #expect(jsonChain.recordSummary?.skipped.byReason == [.missingFeature: 1, .malformedJSON: 1, .notARow: 1])
    }

    @Test("bad records at the end of one file keep their numbers before the next file's rows")
    func skipsAcrossFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var first = Self.goodLines(200)
        first[199] = "not json"
        let a = try Self.write(first, name: "a.jsonl", in: directory)
        let b = try Self.write(Self.goodLines(200), name: "b.jsonl", in: directory)
        let (_, batches, _) = try readAll([a, b], DataReadOptions(badRecords: .tolerant))
        var numbers: [Int] = []
        var next = 0
        for batch in batches {
            let batchNumbers = batch.rowNumbers(from: next)
            numbers += batchNumbers
            next = (batchNumbers.last ?? next) + 1 + batch.skippedBefore.filter { $0 == batch.rowCount }.count
        }
        #expect(numbers.count == 399 && !numbers.contains(199) && numbers.last == 399)
    }
}

@Suite("Time windows, hour folders and variants")
struct CaptureTreeTests {
    /// A tree of `hours` folders under `endpoint/variant`, each with one file of `perHour` records
    /// timed in `recordHour(folderHour)`.
    static func tree(in directory: URL, variant: String = "AllTraffic", hours: [Int], perHour: Int = 30,
                     recordHour: (Int) -> Int = { $0 }) throws {
        for hour in hours {
            let folder = directory.appendingPathComponent("ep/\(variant)/2024/05/01/\(String(format: "%02d", hour))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let lines = (0..<perHour).map { captureRecord("\(variant)-\(hour)-\($0)", time: String(format: "2024-05-01T%02d:%02d:00Z", recordHour(hour), $0)) }
            try lines.joined(separator: "\n").write(to: folder.appendingPathComponent("capture.jsonl"), atomically: true, encoding: .utf8)
        }
    }

    static func window(_ since: String?, _ until: String?) -> CaptureTimeWindow {
        CaptureTimeWindow(since: since.flatMap(ISO8601Time.seconds), until: until.flatMap(ISO8601Time.seconds))
    }

    @Test("hour folders that cannot hold a record of the window are not opened; records an hour late still count")
    func hourFolders() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Folder h holds records of hour h − 1 for h = 12 (written an hour late), else of hour h.
        try Self.tree(in: directory, hours: [9, 10, 11, 12, 13, 14], recordHour: { $0 == 12 ? 11 : $0 })
        let (rows, _, chain) = try readAll([directory.path], DataReadOptions(window: Self.window("2024-05-01T11:00:00Z", "2024-05-01T11:59:59Z")))
        #expect(rows == 60)
        #expect(chain.filesRead.map { String($0.split(separator: "/").suffix(2).first ?? "") } == ["11", "12"])
        let summary = try #require(chain.recordSummary)
        #expect(summary.filesRead == 2 && summary.filesOutsideWindow == 4 && summary.read == 60 && summary.variants == ["ep/AllTraffic"])
    }

    @Test("a window with no records names the window and the times it found")
    func emptyWindow() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.tree(in: directory, hours: [10, 11])
        let (rows, _, chain) = try readAll([directory.path], DataReadOptions(window: Self.window("2024-05-01T11:40:00Z", "2024-05-01T11:50:00Z")))
        #expect(rows == 0)
        #expect(chain.noRowsError.message.contains("2024-05-01T11:40:00Z … 2024-05-01T11:50:00Z"))
        // Hour 10's folder cannot hold records after 11:00, so only hour 11's was read.
        #expect(chain.noRowsError.message.contains("the 30 records read are timed 2024-05-01T11:00:00Z … 2024-05-01T11:29:00Z"))
        let (_, _, far) = try readAll([directory.path], DataReadOptions(window: Self.window("2025-01-01T00:00:00Z", nil)))
        #expect(far.filesRead.isEmpty && far.noRowsError.message.contains("the folders span 2024-05-01T10:00:00Z … 2024-05-01T12:00:00Z"))
    }

    @Test("a window that ends before it starts is refused before anything is read")
    func backwardsWindow() throws {
        let error = try #require(throws: InputError.self) {
            try readAll([Fixtures.driftFolder + "/current.csv"], DataReadOptions(window: Self.window("2024-05-01T12:00:00Z", "2024-05-01T11:00:00Z")))
        }
        #expect(error.message.contains("start must not be later than its end"))
    }

    @Test("a window on CSV needs a time column, and filters on it")
    func csvTimeColumn() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = ["ts,d0,d1,d2,d3,d4,d5,d6,d7"] + (0..<20).map { String(format: "2024-05-01T11:%02d:00Z,1,2,3,4,5,6,7,8", $0) }
        let path = directory.appendingPathComponent("rows.csv").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let window = Self.window("2024-05-01T11:05:00Z", "2024-05-01T11:09:59Z")
        let refused = try #require(throws: InputError.self) { try readAll([path], DataReadOptions(window: window)) }
        #expect(refused.field == DataErrorField.timeColumn && refused.file == path)
        let (rows, _, chain) = try readAll([path], DataReadOptions(window: window, timeColumn: "ts"))
        #expect(rows == 5 && chain.recordSummary?.outsideWindow == 15)
        let missing = try #require(throws: InputError.self) { try readAll([path], DataReadOptions(window: window, timeColumn: "time")) }
        #expect(missing.line == 1 && missing.field == "time")
        let capturePath = directory.appendingPathComponent("capture.jsonl").path
        try captureRecord("e", time: "2024-05-01T11:06:00Z").write(toFile: capturePath, atomically: true, encoding: .utf8)
        let capture = try #require(throws: InputError.self) { try readAll([capturePath], DataReadOptions(window: window, timeColumn: "ts")) }
        #expect(capture.field == DataErrorField.timeColumn && capture.message.contains("inferenceTime"))
    }

    @Test("a tree with several variants is read only for the variants chosen, and names them")
    func variants() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.tree(in: directory, variant: "AllTraffic", hours: [10])
        try Self.tree(in: directory, variant: "Shadow", hours: [10], perHour: 10)
        let error = try #require(throws: InputError.self) { try readAll([directory.path], DataReadOptions()) }
        #expect(error.field == DataErrorField.variants && error.message.contains("ep/AllTraffic, ep/Shadow"))
        let (rows, _, chain) = try readAll([directory.path], DataReadOptions(variants: ["Shadow"]))
        #expect(rows == 10 && chain.recordSummary?.variants == ["ep/Shadow"])
        let (both, _, _) = try readAll([directory.path], DataReadOptions(variants: ["ep/AllTraffic", "Shadow"]))
        #expect(both == 40)
        let unknown = try #require(throws: InputError.self) { try readAll([directory.path], DataReadOptions(variants: ["Blue"])) }
        #expect(unknown.message.contains("no capture of variant Blue"))
    }
}
