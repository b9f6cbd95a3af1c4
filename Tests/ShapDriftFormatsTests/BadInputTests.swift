import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftAttribution
import ShapDriftTestSupport

/// Broken inputs of every kind give one `InputError` naming where the problem is.
@Suite("Bad input gives a located error, never a crash")
struct BadInputTests {
    static let xgbModel = Fixtures.path("format_rules", "xgb_float32_boundary", "model.json")
    static let lgbmModel = Fixtures.path("format_rules", "lgbm_categorical_missing", "model.txt")

    /// Loads an XGBoost model after `edit` changed its first tree; returns the error.
    func xgboostError(marker: String? = nil, _ edit: (inout [String: Any]) -> Void) throws -> InputError {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.xgbModel))
        var document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var learner = try #require(document["learner"] as? [String: Any])
        var booster = try #require(learner["gradient_booster"] as? [String: Any])
        var model = try #require(booster["model"] as? [String: Any])
        var trees = try #require(model["trees"] as? [[String: Any]])
        edit(&trees[0])
        model["trees"] = trees
        booster["model"] = model
        learner["gradient_booster"] = booster
        document["learner"] = learner
        var text = String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
        if let marker { text = text.replacingOccurrences(of: "123456.75", with: marker) }
        let bytes = Array(text.utf8)
        return try #require(throws: InputError.self) { try ModelLoader().load(bytes: bytes, file: "broken.json") }
    }

    func replacing(_ array: String, at index: Int, with value: Any) -> (inout [String: Any]) -> Void {
        { tree in
            var values = tree[array] as? [Any] ?? []
            values[index] = value
            tree[array] = values
        }
    }

    @Test("truncated JSON names the line and column where the file ends")
    func truncatedJSON() throws {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: Self.xgbModel)))
        let error = try #require(throws: InputError.self) { try ModelLoader().load(bytes: Array(bytes.prefix(bytes.count / 2)), file: "m.json") }
        #expect(error.file == "m.json" && error.line != nil && error.column != nil)
        #expect(error.message.contains("truncated"))
    }

    @Test("malformed JSON names the line and column of the first bad character")
    func malformedJSON() throws {
        let error = try #require(throws: InputError.self) {
            try ModelLoader().load(bytes: Array("{\n  \"learner\": {\"a\": 1,,}\n}".utf8), file: "m.json")
        }
        #expect(error.line == 2 && error.column == 22)
    }

    @Test("a LightGBM model whose lines end in CR LF is refused as such, not as a file without its first line")
    func lightGBMWindowsLineEnds() throws {
        let path = Fixtures.path("format_rules", "lgbm_multiclass", "model.txt")
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\n", with: "\r\n")
        let error = try #require(throws: InputError.self) { try ModelLoader().load(bytes: Array(text.utf8), file: "crlf.txt") }
        #expect(error.line == 1 && error.message.contains("CR LF") && error.message.contains("dos2unix"), "\(error)")
    }

    @Test("a child index out of range is refused with the tree and node")
    func childOutOfRange() throws {
        let error = try xgboostError(replacing("left_children", at: 0, with: 999))
        #expect(error.field == "learner.gradient_booster.model.trees[0]")
        #expect(error.message.contains("node 0") && error.message.contains("out of range"))
    }

    @Test("a cycle in a tree is refused")
    func cycle() throws {
        let error = try xgboostError(replacing("left_children", at: 1, with: 0))
        #expect(error.message.contains("reached twice"))
    }

    @Test("tree arrays whose lengths disagree are refused, naming the array")
    func lengthMismatch() throws {
        let error = try xgboostError { tree in tree["split_conditions"] = (tree["split_conditions"] as? [Any] ?? []).dropLast() as [Any] }
        #expect(error.field == "learner.gradient_booster.model.trees[0].split_conditions")
        #expect(error.message.contains("expected"))
    }

    @Test("a split on a feature the model does not have is refused")
    func featureOutOfRange() throws {
        let error = try xgboostError(replacing("split_indices", at: 0, with: 7))
        #expect(error.message.contains("feature index 7"))
    }

    @Test("non-finite thresholds and leaf values are refused")
    func nonFiniteValues() throws {
        let threshold = try xgboostError(marker: "NaN", replacing("split_conditions", at: 0, with: 123456.75))
        #expect(threshold.message.contains("threshold nan is not a number"))
        let leafError = try xgboostError(marker: "Infinity") { tree in
            let left = tree["left_children"] as? [Int] ?? []
            let leaf = left.firstIndex(of: -1) ?? 0
            var values = tree["split_conditions"] as? [Any] ?? []
            values[leaf] = 123456.75
            tree["split_conditions"] = values
        }
        #expect(leafError.message.contains("leaf value") && leafError.message.contains("not finite"))
    }

    @Test("an objective ShapDrift does not know is explained in the raw margin, with identity link, and says so")
    func unknownObjective() throws {
        var text = try String(contentsOfFile: Self.xgbModel, encoding: .utf8)
        let known = try ModelLoader().load(bytes: Array(text.utf8), file: "m.json")
        text = text.replacingOccurrences(of: "\"reg:squarederror\"", with: "\"reg:madeup\"")
        let model = try ModelLoader().load(bytes: Array(text.utf8), file: "m.json")
        #expect(model.objective == "reg:madeup" && model.transform == .identity)
        #expect(model.warnings.count == 1 && model.warnings[0].contains("reg:madeup") && model.warnings[0].contains("identity link"))
        #expect(known.warnings.isEmpty)
        guard case .trees(let trees) = model.predictor, case .trees(let knownTrees) = known.predictor else { throw TestFailure("expected trees") }
        // reg:squarederror's link is the identity too: the same margins.
        #expect(trees.baseOffset == knownTrees.baseOffset && trees.leafValues == knownTrees.leafValues)
    }

    @Test("LightGBM: a truncated file, a bad number and a bad child are located by line")
    func lightgbmDefects() throws {
        let text = try String(contentsOfFile: Self.lgbmModel, encoding: .utf8)
        let truncated = String(text.prefix(text.count / 2))
        let cut = try #require(throws: InputError.self) { try ModelLoader().load(bytes: Array(truncated.utf8), file: "m.txt") }
        #expect(cut.message.contains("end of trees") || cut.line != nil)

        let lines = text.components(separatedBy: "\n")
        let thresholdLine = try #require(lines.firstIndex { $0.hasPrefix("threshold=") })
        var broken = lines
        broken[thresholdLine] = "threshold=abc" + lines[thresholdLine].dropFirst("threshold=".count).drop { $0 != " " }
        let number = try #require(throws: InputError.self) { try ModelLoader().load(bytes: Array(broken.joined(separator: "\n").utf8), file: "m.txt") }
        #expect(number.line == thresholdLine + 1 && number.field == "threshold[0]")

        let childLine = try #require(lines.firstIndex { $0.hasPrefix("left_child=") })
        broken = lines
        broken[childLine] = "left_child=-99" + lines[childLine].dropFirst("left_child=".count).drop { $0 != " " }
        let child = try #require(throws: InputError.self) { try ModelLoader().load(bytes: Array(broken.joined(separator: "\n").utf8), file: "m.txt") }
        #expect(child.message.contains("out of range"))

        broken = lines
        broken[thresholdLine] = String(lines[thresholdLine].split(separator: " ").dropLast().joined(separator: " "))
        let short = try #require(throws: InputError.self) { try ModelLoader().load(bytes: Array(broken.joined(separator: "\n").utf8), file: "m.txt") }
        #expect(short.line == thresholdLine + 1 && short.message.contains("expected"))
    }

    @Test("an empty or unrecognised model file is refused")
    func emptyModel() throws {
        #expect(throws: InputError.self) { try ModelLoader().load(bytes: [], file: "m") }
        #expect(throws: InputError.self) { try ModelLoader().load(bytes: Array("hello".utf8), file: "m") }
    }

    func dataError(_ csv: String) throws -> InputError {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("data.csv").path
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let model = try ModelLoader().load(path: Self.xgbModel)
        return try #require(throws: InputError.self) {
            _ = try CSVFeatureReader(path: path, schema: FeatureSchema(model: model)).readAll()
        }
    }

    @Test("a feature missing from the data is named")
    func missingFeature() throws {
        let error = try dataError("a,label\n1,2\n")
        #expect(error.message.contains("'b'") && error.line == 1)
    }

    @Test("a non-numeric cell is located by line, column and name")
    func nonNumericCell() throws {
        let error = try dataError("b,a\n1,2\n3,oops\n")
        #expect(error.line == 3 && error.column == 2 && error.field == "a")
        #expect(error.message.contains("oops"))
    }

    @Test("a ragged row is located by line")
    func raggedRow() throws {
        let error = try dataError("a,b\n1,2\n3\n")
        #expect(error.line == 3 && error.message.contains("1 fields, the header has 2"))
    }

    @Test("an empty file and a header without rows are refused")
    func emptyData() throws {
        #expect(try dataError("").message.contains("empty"))
        #expect(try dataError("a,b\n").message.contains("no data rows"))
    }

    /// Writes `text` to a file named `name` and reads it to the end through the chain `check`
    /// and `baseline` use (format from the extension); returns the error.
    func sourceError(_ name: String, _ text: String, model modelPath: String = Self.xgbModel) throws -> InputError {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let model = try ModelLoader().load(path: modelPath)
        return try #require(throws: InputError.self) {
            let chain = try FeatureSourceChain(paths: [path], schema: FeatureSchema(model: model))
            while try chain.nextBatch(maxRows: 100) != nil {}
        }
    }

    @Test("infinite cells are refused with their location, not counted as missing", arguments: ["inf", "-Infinity", "1e999"])
    func infiniteCells(_ cell: String) throws {
        let error = try dataError("a,b\n1,2\n3,\(cell)\n")
        #expect(error.line == 3 && error.column == 2 && error.field == "b" && error.message.contains("finite"))
        let capture = #"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1,\#(cell)","encoding":"CSV"}}}"#
        let captureError = try sourceError("capture.jsonl", capture + "\n" + capture + "\n")
        #expect(captureError.line == 1 && captureError.column == 2 && captureError.message.contains("finite"))
        let jsonError = try sourceError("rows.jsonl", #"{"a": 1, "b": 2}"# + "\n" + #"{"a": 1, "b": 1e999}"# + "\n")
        #expect(jsonError.line == 2 && jsonError.field == "b" && jsonError.message.contains("finite"))
    }

    /// Squares of magnitudes above ~1.3e154 overflow, and the profile could not be written.
    @Test("missing-value spellings are read as NaN, and extra columns are never parsed")
    func missingValueSpellings() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("data.csv").path
        try "label,a,b\nx,,NaN\ny,nan,NA\nz,\"1.5\",-2e-3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let model = try ModelLoader().load(path: Self.xgbModel)
        let batch = try CSVFeatureReader(path: path, schema: FeatureSchema(model: model)).readAll()
        #expect(batch.values[0..<4].allSatisfy { $0.isNaN })
        #expect(batch[2, 0] == 1.5 && batch[2, 1] == -2e-3)
    }

    /// Plain rows are read in one pass and the rest field by field: every spelling of a cell must
    /// come out as the field-by-field rules say (strtod on the trimmed, unquoted text; blank, NA
    /// and NaN spellings missing), whichever path a line takes.
    @Test("cells in every spelling read as strtod reads their text, on the one-pass path for plain rows and the field path for the rest")
    func plainAndSpelledRowsReadAlike() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SplitMix64(seed: 0x5EED)
        func next() -> UInt64 { generator.next() >> 33 }
        func plainNumber() -> String {
            let digits = String(next() % 1_000_000_000_000) + (next() % 5 == 0 ? String(next() % 100_000_000_000) : "")
            let point = Int(next() % UInt64(digits.count + 1))
            var text = String(digits.prefix(point)) + (next() % 3 == 0 ? "" : ".") + String(digits.dropFirst(point))
            if next() % 3 == 0 { text += (next() % 2 == 0 ? "e" : "E") + "\(Int(next() % 70) - 35)" }
            if next() % 3 == 0 { text = (next() % 4 == 0 ? "+" : "-") + text }
            return text
        }
        func cell() -> String {
            switch next() % 10 {
            case 0: return "\"" + plainNumber() + "\""
            case 1: return " " + plainNumber() + "\t"
            case 2: return ["", "NA", "NaN", "nan", " "][Int(next() % 5)]
            default: return plainNumber()
            }
        }
        var lines = ["label,a,b"]
        for index in 0..<3_000 { lines.append("r\(index % 7),\(cell()),\(cell())") }
        let path = directory.appendingPathComponent("spellings.csv").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let model = try ModelLoader().load(path: Self.xgbModel)
        let batch = try CSVFeatureReader(path: path, schema: FeatureSchema(model: model)).readAll()
        #expect(batch.rowCount == 3_000)
        for (row, line) in lines.dropFirst().enumerated() {
            for (feature, field) in line.split(separator: ",", omittingEmptySubsequences: false).dropFirst().enumerated() {
                var text = field.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
                if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
                let value = batch[row, feature]
                if ["", "NA", "NaN", "nan"].contains(text) {
                    #expect(value.isNaN, "line \(row + 2), \(field)")
                } else {
                    #expect(value.bitPattern == strtod(text, nil).bitPattern, "line \(row + 2), \(field): \(value)")
                }
            }
        }
    }
}
