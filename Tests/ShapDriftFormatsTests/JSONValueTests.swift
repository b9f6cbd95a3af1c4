import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
import ShapDriftTestSupport

@Suite("JSON reader")
struct JSONValueTests {
    @Test("arrays of numbers are read unboxed; mixed arrays, NaN and Infinity take the general path")
    func numberArrays() throws {
        let document = try JSONValue.parse(Array(#"{"a": [1, -2.5e3 , 3], "b": [1, "x"], "c": [NaN, -Infinity], "d": [[1, 2], [3]], "e": []}"#.utf8))
        #expect(document["a"] == .numbers([1, -2500, 3]))
        #expect(document["b"] == .array([.number(1), .string("x")]))
        let special = try #require(document["c"]?.arrayValue)
        #expect(special[0].numberValue?.isNaN == true && special[1] == .number(-.infinity))
        #expect(document["d"]?.arrayValue == [.numbers([1, 2]), .numbers([3])])
        #expect(document["e"] == .array([]))
    }

    /// Each text parses to exactly the double glibc's strtod (correctly rounded) gives, alone and,
    /// where the fast path takes it, as a prefix of a CSV field with more bytes after it (a
    /// reader's case: a number's last digits are then read from one word).
    private func expectParsedAsStrtod(_ cases: [String]) {
        var prefixesParsed = 0
        for text in cases {
            let reference = strtod(text, nil)
            let parsed = parseDouble(text)
            #expect(parsed?.bitPattern == reference.bitPattern, "\(text): \(String(describing: parsed)) vs \(reference)")
            let line = Array(("7," + text + ",0.5e1,12345678").utf8)
            line.withUnsafeBufferPointer { bytes in
                guard let (value, end) = parseDecimalPrefix(bytes, from: 2) else { return }
                prefixesParsed += 1
                #expect(value.bitPattern == reference.bitPattern && end == 2 + text.utf8.count, "\(text) in a line: \(value), end \(end)")
            }
        }
        #expect(prefixesParsed * 2 > cases.count, "the fast path took \(prefixesParsed) of \(cases.count)")
    }

    /// glibc's strtod (correctly rounded) is the independent reference for the fast path.
    @Test("decimal numbers parse to exactly the double strtod gives, on the fast path and off it")
    func decimalsMatchStrtod() {
        var state: UInt64 = 0x1234_5678
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        var cases = ["0", "-0", "+7", "0.1", "1e22", "1e23", "9007199254740993", "9007199254740992", "1.7976931348623157e308",
                     "4.9e-324", "123456789012345678901", "0.000001", "1E-22", "1e-23", "00012.5000", "1.", ".5", "-1.5E+3"]
        for _ in 0..<20_000 {
            let digits = String(next() % 10_000_000_000_000_000)
            let point = Int(next() % UInt64(digits.count + 1))
            var text = String(digits.prefix(point)) + (next() % 2 == 0 ? "." : "") + String(digits.dropFirst(point))
            if next() % 2 == 0 { text += "e\(Int(next() % 60) - 30)" }
            if next() % 3 == 0 { text = "-" + text }
            cases.append(text)
        }
        expectParsedAsStrtod(cases)
    }

    /// The fast path reads eight digits at a time: runs around and across eight, leading and
    /// embedded zeros, and a non-digit inside the word each take the path strtod agrees with.
    @Test("runs of eight digits and more, leading zeros and non-digits within a word parse as strtod does, or are refused")
    func eightDigitRunsMatchStrtod() {
        var generator = SplitMix64(seed: 0x9E37_79B9)
        func next() -> UInt64 { generator.next() >> 33 }
        var cases = ["00000000", "000000001", "0000000012345678", "12345678", "123456789", "1234567890123456", "12345678901234567890",
                     "0.00000000123456789", "99999999.99999999", "10000000e-8", "0.1234567890123456789", "00000000000000000000000000001",
                     // 2^64 + 5: twenty digits whose significand wraps to 5, split so a short run leads each.
                     "18446744073709551621", "1844674.4073709551621", "1.8446744073709551621", "184.46744073709551621e2"]
        for _ in 0..<20_000 {
            let length = Int(next() % 24) + 1
            var digits = (0..<length).map { _ in Character(String(next() % 10)) }
            // Leading zeros now and then, and zero runs inside.
            if next() % 3 == 0 { digits.insert(contentsOf: Array(repeating: "0", count: Int(next() % 12)), at: 0) }
            if next() % 4 == 0, digits.count > 2 { digits.replaceSubrange(1..<min(digits.count, 1 + Int(next() % 9)), with: Array(repeating: "0", count: 3)) }
            var text = String(digits)
            if next() % 2 == 0 {
                let point = Int(next() % UInt64(text.count + 1))
                text.insert(".", at: text.index(text.startIndex, offsetBy: point))
            }
            if next() % 3 == 0 { text += "e\(Int(next() % 50) - 25)" }
            if next() % 4 == 0 { text = "-" + text }
            cases.append(text)
        }
        expectParsedAsStrtod(cases)
        // A byte that is not a digit anywhere in an eight-byte word leaves the number malformed.
        for position in 0..<10 {
            for junk in [":", "/", "x", " ", "\u{7F}", "\u{FF}"] {
                var bytes = Array("1234567890".utf8)
                bytes[position] = Array(junk.utf8).first!
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(parseDouble(text) == nil, "\(text)")
            }
        }
    }

    @Test("a broken number array is reported at its line and column")
    func brokenNumberArray() throws {
        let error = try #require(throws: InputError.self) { try JSONValue.parse(Array("[1, 2,\n 3 4]".utf8), file: "m.json") }
        #expect(error.line == 2 && error.column == 4)
        #expect(throws: InputError.self) { try JSONValue.parse(Array("[1, 2".utf8)) }
    }
}

@Suite("SageMaker capture payload shapes")
struct CapturePayloadTests {
    @Test("JSON payloads as an array, arrays of rows, features and instances all give the same rows")
    func payloadShapes() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let row1 = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8"
        let row2 = "1.5,-2,3,4,5,6,7,8"
        let payloads = ["[\(row1)]", "[[\(row1)],[\(row2)]]", #"{"features":[\#(row1)]}"#, #"{"instances":[[\#(row1)],{"features":[\#(row2)]}]}"#]
        var lines: [String] = []
        for payload in payloads {
            let data = String(decoding: try JSONSerialization.data(withJSONObject: ["d": payload]), as: UTF8.self).dropFirst(5).dropLast()
            lines.append(#"{"captureData":{"endpointInput":{"observedContentType":"application/json","mode":"INPUT","data":\#(data),"encoding":"JSON"}},"eventMetadata":{"eventId":"e","inferenceTime":"2024-05-01T10:00:00Z"},"eventVersion":"0"}"#)
        }
        let path = directory.appendingPathComponent("capture.jsonl").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let model = try ModelLoader().load(path: Fixtures.path("shap", "drift_xgb_reg", "model.json"))
        let reader = try SageMakerCaptureReader(path: path, schema: FeatureSchema(model: model))
        let batch = try #require(try reader.nextBatch(maxRows: 100))
        let first = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
        let second = [1.5, -2, 3, 4, 5, 6, 7, 8]
        #expect(batch.rowCount == 6)
        #expect(batch.values == first + first + second + first + first + second)
        #expect(batch.sourceLines == [1, 2, 2, 3, 4, 4])
    }

    /// Records the one-pass scan reads, records it leaves to the full parser (\u escapes, NaN,
    /// non-ASCII, a payload with escapes), and broken records, which must fail as before.
    @Test("capture records read without a JSON tree give the rows and errors the full parser gives")
    func scannedRecordsMatchFullParser() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let row = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8"
        let input = #""endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"\#(row)","encoding":"CSV"}"#
        let valid = [
            #"{"captureData":{\#(input)},"eventMetadata":{"eventId":"a","inferenceTime":"2024-05-01T10:00:00Z"},"eventVersion":"0"}"#,
            #" { "eventVersion" : "0", "eventMetadata": {"eventId":"a\"b\\c\n","inferenceTime":"2024-05-01T10:00:00Z","x":[1,-2.5e3,true,null,{"y":[]}]}, "captureData":{"endpointOutput":{"data":"7.3"},"endpointInput":{"data":"9","encoding":"csv","data":"\#(row)"}} } "#,
            #"{"captureData":{\#(input)},"eventMetadata":{"eventId":"\u00e9","inferenceTime":"2024-05-01T10:00:00Z"}}"#,
            #"{"captureData":{\#(input)},"eventMetadata":{"score":NaN,"inferenceTime":"2024-05-01T10:00:00Z"}}"#,
            #"{"captureData":{\#(input)},"eventMetadata":{"eventId":"é","inferenceTime":"2024-05-01T10:00:00Z"}}"#,
            #"{"captureData":{"endpointInput":{"mode":"INPUT","data":"\#(row)\n\#(row)","encoding":"CSV"}}}"#,
        ]
        let path = directory.appendingPathComponent("valid.jsonl").path
        try valid.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let model = try ModelLoader().load(path: Fixtures.path("shap", "drift_xgb_reg", "model.json"))
        let schema = FeatureSchema(model: model)
        let batch = try #require(try SageMakerCaptureReader(path: path, schema: schema).nextBatch(maxRows: 100))
        let values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
        #expect(batch.sourceLines == [1, 2, 3, 4, 5, 6, 6])
        #expect(batch.values == Array(repeating: values, count: 7).flatMap { $0 })

        let broken = [
            (#"{"captureData":{\#(input)},}"#, "expected a quoted member name"),
            (#"{"captureData":{\#(input)}} x"#, "unexpected text after the JSON value"),
            (#"{"captureData":{"endpointInput":{"mode":"OUTPUT","data":"\#(row)","encoding":"CSV"}}}"#, "expected INPUT"),
            (#"{"captureData":{"endpointInput":{"mode":"INPUT","data":"1,2","encoding":"CSV"}}}"#, "8 features"),
            (#"{"captureData":{\#(input)},"n":01.5.2}"#, "malformed number"),
        ]
        for (index, (line, message)) in broken.enumerated() {
            let file = directory.appendingPathComponent("broken\(index).jsonl").path
            try (valid[0] + "\n" + line + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let reader = try SageMakerCaptureReader(path: file, schema: schema)
            #expect {
                _ = try reader.nextBatch(maxRows: 100)
            } throws: { error in
                let text = "\(error)"
                return text.contains(":2") && text.contains(message)
            }
        }
    }
}
