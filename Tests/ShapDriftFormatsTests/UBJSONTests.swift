import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftAttribution
import ShapDriftTestSupport

/// XGBoost models saved as UBJSON (`save_model("model.ubj")`, xgboost ≥ 2), read by
/// `UBJSONReader` in xgboost's dialect (`src/common/json.cc`): the twins made by
/// `Fixtures/make_ubjson_models.py` load to the same model, predictions and attributions as their
/// JSON files, bit for bit, whatever the file is called; hostile files are refused at a byte offset.
@Suite("XGBoost UBJSON models")
struct UBJSONTests {
    /// The folders holding a `model.ubj` twin (`make_ubjson_models.py`'s cases).
    static let twins = [
        "objectives/xgb_binary_logistic", "objectives/xgb_multi_softprob", "objectives/xgb_dart",
        "objectives/xgb_numpy_no_names", "format_rules/xgb_categorical", "format_rules/xgb_float32_boundary",
    ]

    static func folder(_ twin: String) -> String { Fixtures.root.appendingPathComponent(twin).path }

    static func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

    @Test("a twin loads to the same model, predictions and attributions as its JSON file, bit for bit", arguments: twins)
    func twinMatchesJSON(_ twin: String) throws {
        let folder = Self.folder(twin)
        let (fromJSON, batch) = try loadModelAndData(model: folder + "/model.json", data: folder + "/data.csv")
        let fromUBJ = try ModelLoader().load(path: folder + "/model.ubj")
        #expect(fromUBJ.format == fromJSON.format && fromUBJ.objective == fromJSON.objective)
        #expect("\(fromUBJ.transform)" == "\(fromJSON.transform)")
        #expect(fromUBJ.featureNames == fromJSON.featureNames && fromUBJ.warnings == fromJSON.warnings)
        #expect(fromUBJ.numFeatures == fromJSON.numFeatures && fromUBJ.numOutputs == fromJSON.numOutputs)
        guard case .trees(let a) = fromJSON.predictor, case .trees(let b) = fromUBJ.predictor else {
            throw TestFailure("expected tree ensembles")
        }
        #expect(a.treeRoot == b.treeRoot && a.treeOutput == b.treeOutput && a.left == b.left && a.right == b.right)
        #expect(a.feature == b.feature && a.flags == b.flags)
        #expect(a.categoryStart == b.categoryStart && a.categoryCount == b.categoryCount && a.categoryWords == b.categoryWords)
        #expect(Self.bits(a.threshold) == Self.bits(b.threshold) && Self.bits(a.cover) == Self.bits(b.cover))
        #expect(Self.bits(a.leafValues) == Self.bits(b.leafValues) && Self.bits(a.baseOffset) == Self.bits(b.baseOffset))
        #expect(fromUBJ.fingerprint != fromJSON.fingerprint, "the fingerprint is the file's digest")

        let rawJSON = try RawPredictor(model: fromJSON).predict(batch)
        let rawUBJ = try RawPredictor(model: fromUBJ).predict(batch)
        #expect(Self.bits(rawJSON) == Self.bits(rawUBJ))
        let explainedJSON = try Explainer(model: fromJSON).explain(batch)
        let explainedUBJ = try Explainer(model: fromUBJ).explain(batch)
        #expect(Self.bits(explainedJSON.values) == Self.bits(explainedUBJ.values))
        #expect(Self.bits(explainedJSON.baseValues) == Self.bits(explainedUBJ.baseValues))
    }

    @Test("the format is recognised by content: a UBJSON file named .json or with no extension, JSON named .ubj")
    func nameDoesNotMatter() throws {
        let folder = Self.folder("objectives/xgb_binary_logistic")
        let ubj = try FileReading.bytes(folder + "/model.ubj")
        let json = try FileReading.bytes(folder + "/model.json")
        let reference = try ModelLoader().load(path: folder + "/model.ubj")
        guard case .trees(let expected) = reference.predictor else { throw TestFailure("expected trees") }
        for (bytes, name) in [(ubj, "model"), (ubj, "model.json"), (json, "model.ubj")] {
            let model = try ModelLoader().load(bytes: bytes, file: name)
            guard case .trees(let trees) = model.predictor else { throw TestFailure("expected trees") }
            #expect(Self.bits(trees.leafValues) == Self.bits(expected.leafValues), "\(name)")
        }
    }

    // MARK: - The dialect

    /// `{` members `}` with xgboost's unmarked, `L`-prefixed member names.
    static func object(_ members: [(String, [UInt8])]) -> [UInt8] {
        [UInt8(ascii: "{")] + members.flatMap { name($0.0) + $0.1 } + [UInt8(ascii: "}")]
    }

    static func name(_ text: String) -> [UInt8] { length(Int64(text.utf8.count)) + Array(text.utf8) }

    static func length(_ value: Int64) -> [UInt8] { [UInt8(ascii: "L")] + bigEndian(UInt64(bitPattern: value), width: 8) }

    static func bigEndian(_ value: UInt64, width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(width - 1 - $0))) }
    }

    static func marker(_ character: Character) -> UInt8 { character.asciiValue! }

    @Test("every scalar and typed array xgboost writes becomes the JSON reader's value")
    func dialect() throws {
        let float32 = Float(0.1)
        let document = Self.object([
            ("null", [Self.marker("Z")]), ("yes", [Self.marker("T")]), ("no", [Self.marker("F")]),
            ("f32", [Self.marker("d")] + Self.bigEndian(UInt64(float32.bitPattern), width: 4)),
            ("f64", [Self.marker("D")] + Self.bigEndian((-2.5).bitPattern, width: 8)),
            ("i8", [Self.marker("i"), 0xFF]), ("u8", [Self.marker("U"), 0xFF]),
            ("i16", [Self.marker("I"), 0xFF, 0xFE]),
            ("i32", [Self.marker("l")] + Self.bigEndian(UInt64(bitPattern: -70_000), width: 4)),
            ("i64", [Self.marker("L")] + Self.bigEndian(1 << 40, width: 8)),
            ("text", [Self.marker("S")] + Self.name("naïve")),
            ("typed", Array("[$d#".utf8) + Self.length(2) + Self.bigEndian(UInt64(float32.bitPattern), width: 4)
                + Self.bigEndian(UInt64(Float(-1).bitPattern), width: 4)),
            ("int8s", Array("[$i#".utf8) + Self.length(2) + [0x80, 0x7F]),
            ("int64s", Array("[$L#".utf8) + Self.length(1) + Self.bigEndian(UInt64(bitPattern: -3), width: 8)),
            ("counted", Array("[#".utf8) + Self.length(2) + [Self.marker("T"), Self.marker("Z")]),
            ("plain", Array("[".utf8) + [Self.marker("i"), 7, Self.marker("]")]),
            ("empty", Array("[$U#".utf8) + Self.length(0)),
            ("nested", Self.object([("inner", [Self.marker("Z")])])),
        ])
        let value = try UBJSONReader.parse(document, file: "x.ubj")
        let expected: [String: JSONValue] = [
            "null": .null, "yes": .bool(true), "no": .bool(false), "f32": .number(Double(float32)), "f64": .number(-2.5),
            "i8": .number(-1), "u8": .number(255), "i16": .number(-2), "i32": .number(-70_000), "i64": .number(1_099_511_627_776),
            "text": .string("naïve"), "typed": .numbers([Double(float32), -1]), "int8s": .numbers([-128, 127]),
            "int64s": .numbers([-3]), "counted": .array([.bool(true), .null]), "plain": .array([.number(7)]),
            "empty": .numbers([]), "nested": .object(["inner": .null]),
        ]
        #expect(value == .object(expected))
    }

    // MARK: - Hostile files

    static func refusal(_ bytes: [UInt8]) -> InputError? {
        do {
            _ = try ModelLoader().load(bytes: bytes, file: "model.ubj")
            return nil
        } catch {
            return error
        }
    }

    static let hostile: [(String, [UInt8], Int, String)] = {
        let header = Array("{".utf8) + name("a") // 11 bytes: a value starts at byte 11
        return [
            ("a count of 2^62", header + Array("[$d#".utf8) + length(1 << 62) + [0, 0, 0, 0],
             15, "a typed array declares 4611686018427387904 elements of 4 bytes, but only 4 bytes follow"),
            ("a string past the end", header + [marker("S")] + length(1000) + Array("abc".utf8),
             12, "a string declares 1000 bytes, but only 3 bytes follow"),
            ("a negative length", header + Array("[#".utf8) + length(-1), 13, "an array has a negative length, -1"),
            ("an unknown marker", header + [marker("N")], 11, "unknown marker 'N'"),
            ("high precision", header + [marker("H")], 11, "unknown marker 'H'"),
            ("a typed array of strings", header + Array("[$S#".utf8) + length(1), 13, "typed array of 'S' elements"),
            ("100,000 nested arrays (the object is level 1)", header + [UInt8](repeating: marker("["), count: 100_000),
             11 + 511, "nesting deeper than 512 levels"),
            ("a name given twice", Array("{".utf8) + name("a") + [marker("Z")] + name("a") + [marker("Z"), marker("}")],
             12, "member \"a\" appears more than once"),
            ("another writer's length marker", Array("{".utf8) + [marker("U"), 1, marker("a"), marker("Z"), marker("}")],
             1, "expected 'L' and an int64 length of a member name, found 'U'"),
            ("invalid UTF-8", Array("{".utf8) + length(1) + [0xFF, marker("Z"), marker("}")], 1, "a member name is not valid UTF-8"),
            ("bytes after the value", object([("a", [marker("Z")])]) + [marker("Z")], 13, "1 bytes after the end of the top-level value"),
            ("truncated in a number", header + [marker("l"), 0, 0], 12, "expected 4 bytes of a number, but the file ends 2 bytes on (truncated?)"),
            ("truncated before a value", header, 11, "expected a value (the file ends here: truncated?)"),
        ]
    }()

    @Test("hostile UBJSON is refused with the byte offset and what is wrong", arguments: hostile.indices)
    func hostileFile(_ index: Int) throws {
        let (label, bytes, offset, message) = Self.hostile[index]
        let error = try #require(Self.refusal(bytes), "\(label) was accepted")
        #expect(error.byteOffset == offset, "\(label): \(error)")
        #expect(error.description.hasPrefix("model.ubj: byte \(offset): invalid UBJSON: "), "\(label): \(error)")
        #expect(error.message.contains(message), "\(label): \(error)")
    }

    @Test("a truncated twin is refused at a byte offset inside the file, never loaded")
    func truncatedTwin() throws {
        let bytes = try FileReading.bytes(Self.folder("format_rules/xgb_float32_boundary") + "/model.ubj")
        for cut in stride(from: 2, to: bytes.count, by: 97) {
            let error = try #require(Self.refusal(Array(bytes[..<cut])), "cut at \(cut)")
            let offset = try #require(error.byteOffset, "cut at \(cut): \(error)")
            #expect(offset <= cut && error.message.hasPrefix("invalid UBJSON: "), "cut at \(cut): \(error)")
        }
    }

    @Test("a UBJSON document that is not an XGBoost model is refused by kind")
    func notXGBoost() throws {
        let error = try #require(Self.refusal(Self.object([("format", [Self.marker("S")] + Self.name("shapdrift"))])))
        #expect(error.message.contains("UBJSON model of unknown kind"))
    }
}
