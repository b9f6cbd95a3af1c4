import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
import ShapDriftTestSupport

/// Reading one shard of the input, and keying rows by a column.
@Suite("Shard reading")
struct ShardReadingTests {
    static let schema = FeatureSchema(names: ["a", "b"], count: 2)

    static func rows(_ chain: FeatureSourceChain) throws -> [(key: UInt64, values: [Double])] {
        var rows: [(UInt64, [Double])] = []
        while let batch = try chain.nextBatch(maxRows: 7) {
            for row in 0..<batch.rowCount { rows.append((batch.recordKeys[row], [batch[row, 0], batch[row, 1]])) }
        }
        return rows
    }

    static func write(_ text: String, _ name: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("shards by file and by record partition the rows and the record counts, bad records included")
    func partition() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for file in 0..<5 {
            let lines = (0..<40).map { row in row % 13 == 5 ? "x,y" : "\(file),\(row)" }
            files.append(try Self.write("a,b\n" + lines.joined(separator: "\n"), "part\(file).csv", in: directory))
        }
        var options = DataReadOptions(badRecords: BadRecordPolicy(maxRecords: 100, maxFraction: 0.5))
        let all = try Self.rows(FeatureSourceChain(paths: files, schema: Self.schema, options: options))
        let whole = try FeatureSourceChain(paths: files, schema: Self.schema, options: options)
        _ = try Self.rows(whole)
        for unit in [ShardSelection.Unit.file, .record] {
            var union: [UInt64] = []
            var read = 0
            var skipped = 0
            for index in 0..<3 {
                options.shard = try ShardSelection(index: index, count: 3, unit: unit)
                let chain = try FeatureSourceChain(paths: files.reversed(), schema: Self.schema, options: options)
                union += try Self.rows(chain).map(\.key)
                read += chain.recordSummary?.read ?? 0
                skipped += chain.recordSummary?.skipped.count ?? 0
            }
            #expect(union.sorted() == all.map(\.key).sorted(), "\(unit)")
            #expect(read == whole.recordSummary?.read && skipped == whole.recordSummary?.skipped.count && skipped == 5 * 3, "\(unit)")
        }
    }

    @Test("a key column keys a row by its text wherever the row is, in CSV and JSON Lines alike")
    func keyColumn() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Self.write("id,a,b\nr1,1,2\nr2,3,4\n,5,6\n", "first.csv", in: directory)
        let second = try Self.write("b,id,a\n4,r2,3\n2,r1,1\n", "second.csv", in: directory)
        let lines = try Self.write(#"{"id": "r1", "a": 1, "b": 2}"# + "\n" + #"{"id": 7, "a": 0, "b": 0}"# + "\n", "rows.jsonl", in: directory)
        let options = DataReadOptions(keyColumn: "id")
        let a = try Self.rows(FeatureSourceChain(paths: [first], schema: Self.schema, options: options))
        let b = try Self.rows(FeatureSourceChain(paths: [second], schema: Self.schema, options: options))
        let c = try Self.rows(FeatureSourceChain(paths: [lines], schema: Self.schema, options: options))
        let r1 = RecordKey.event(RecordKey.hash("r1".utf8), row: 0)
        #expect(a[0].key == r1 && b[1].key == r1 && c[0].key == r1 && a[1].key == b[0].key)
        #expect(c[1].key == RecordKey.event(RecordKey.hash("7".utf8), row: 0))
        // An empty key falls back to the row's position.
        #expect(a[2].key == RecordKey.position(source: RecordKey.hash("first.csv".utf8), line: 4))
        #expect(throws: InputError.self) { try FeatureSourceChain(paths: [first], schema: Self.schema, options: DataReadOptions(keyColumn: "nope")).nextBatch(maxRows: 1) }
        let capture = try Self.write(#"{"captureData":{"endpointInput":{"mode":"INPUT","data":"1,2","encoding":"CSV"}},"eventMetadata":{"eventId":"e"}}"#,
                                     "c.jsonl", in: directory)
        let refused = #expect(throws: InputError.self) { try FeatureSourceChain(paths: [capture], schema: Self.schema, options: options) }
        #expect(refused?.description.contains("keyed by eventMetadata.eventId") == true)
    }

    @Test("a shard by file may get no file: an empty read, not an error")
    func emptyShard() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.write("a,b\n1,2\n", "only.csv", in: directory)
        var options = DataReadOptions()
        options.shard = try ShardSelection(index: 1, count: 2, unit: .file)
        let chain = try FeatureSourceChain(paths: [file], schema: Self.schema, options: options)
        #expect(try chain.nextBatch(maxRows: 10) == nil && chain.filesRead.isEmpty)
    }
}
