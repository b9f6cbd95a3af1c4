import Foundation

/// A stream of rows aligned to a model's features, read in blocks so memory stays flat.
public protocol FeatureSource: AnyObject {
    /// The file being read, for messages.
    var file: String { get }
    /// The next block of at most `maxRows` rows, or `nil` at the end.
    func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch?
}

extension CSVFeatureReader: FeatureSource {}

/// The input formats `baseline` and `check` read.
public enum InputFormat: String, Sendable, CaseIterable {
    /// Decide per file: `.csv` → CSV; otherwise the first line: a `captureData` object → capture,
    /// another JSON object → JSON Lines; anything else → CSV.
    case auto
    case csv
    /// JSON Lines, one object per row keyed by feature name.
    case jsonl
    /// SageMaker Model Monitor data capture JSON Lines.
    case capture
}

/// Opens data paths as one stream: files in the order given; a directory is searched recursively
/// for `*.jsonl` files (SageMaker's `{endpoint}/{variant}/yyyy/mm/dd/hh/` layout), read in path
/// order, which is time order for that layout.
public final class FeatureSourceChain {
    public let schema: FeatureSchema
    public let format: InputFormat
    public let window: CaptureTimeWindow
    private var pending: [String]
    private var current: FeatureSource?
    /// Every file that was opened, in order.
    public private(set) var filesRead: [String] = []

    public init(paths: [String], schema: FeatureSchema, format: InputFormat = .auto,
                window: CaptureTimeWindow = CaptureTimeWindow()) throws(InputError) {
        self.schema = schema
        self.format = format
        self.window = window
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard path == "-" || FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError(file: path, "no such file or directory")
            }
            if isDirectory.boolValue {
                let found = Self.captureFiles(under: path)
                guard !found.isEmpty else { throw InputError(file: path, "the directory holds no *.jsonl files") }
                files += found
            } else {
                files.append(path)
            }
        }
        guard !files.isEmpty else { throw InputError("no data given") }
        pending = files
    }

    static func captureFiles(under directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.hasSuffix(".jsonl") { files.append((directory as NSString).appendingPathComponent(relative)) }
        }
        return files.sorted()
    }

    /// The next block of rows from the current file, moving on to the next file as each ends.
    public func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch? {
        while true {
            if current == nil {
                guard !pending.isEmpty else { return nil }
                let path = pending.removeFirst()
                current = try open(path)
                filesRead.append(current?.file ?? path)
            }
            if let batch = try current?.nextBatch(maxRows: maxRows) { return batch }
            current = nil
        }
    }

    /// The file the last batch came from.
    public var currentFile: String { current?.file ?? filesRead.last ?? "" }

    /// The error for a chain that gave no rows, naming the files it read.
    public var noRowsError: InputError {
        InputError(file: filesRead.joined(separator: ", "), "no data rows (after the time window, if one was given)")
    }

    private func open(_ path: String) throws(InputError) -> FeatureSource {
        switch format == .auto ? try Self.detect(path) : format {
        case .csv, .auto: return try CSVFeatureReader(path: path, schema: schema)
        case .jsonl: return try JSONLinesFeatureReader(path: path, schema: schema)
        case .capture: return try SageMakerCaptureReader(path: path, schema: schema, window: window)
        }
    }

    static func detect(_ path: String) throws(InputError) -> InputFormat {
        if path.lowercased().hasSuffix(".csv") || path == "-" { return .csv }
        let lines = try LineReader(path: path)
        while let line = try lines.nextLine({ bytes throws(InputError) -> String in
            String(decoding: bytes.prefix(4096), as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }) {
            if line.isEmpty { continue }
            guard line.hasPrefix("{") else { return .csv }
            return line.contains("\"captureData\"") ? .capture : .jsonl
        }
        throw InputError(file: path, "the file is empty")
    }
}

/// Assigns JSON values to model features: by key (exact, or with spaces as underscores) for
/// objects, by position for arrays.
struct JSONRowDecoder {
    let schema: FeatureSchema
    let file: String
    private let indexOfName: [String: Int]

    init(schema: FeatureSchema, file: String) {
        self.schema = schema
        self.file = file
        var map: [String: Int] = [:]
        for (index, name) in (schema.names ?? []).enumerated() { map[name] = index }
        indexOfName = map
    }

    /// One row from an object keyed by feature name; every feature must be present.
    func row(fromObject members: [String: JSONValue], line: Int, into row: inout [Double]) throws(InputError) {
        guard let names = schema.names else {
            throw InputError(file: file, line: line, "objects keyed by name need a model with feature names; send rows as arrays in model order")
        }
        var seen = [Bool](repeating: false, count: schema.count)
        for (key, value) in members {
            guard let index = indexOfName[key] ?? indexOfName[key.replacingOccurrences(of: " ", with: "_")] else { continue }
            row[index] = try number(value, line: line, field: key)
            seen[index] = true
        }
        if let missing = seen.firstIndex(of: false) {
            throw InputError(file: file, line: line, field: names[missing], "feature missing from the record (use null for a missing value)")
        }
    }

    /// One row from an array of values in model feature order.
    func row(fromArray items: [JSONValue], line: Int, into row: inout [Double]) throws(InputError) {
        guard items.count == schema.count else {
            throw InputError(file: file, line: line, "record has \(items.count) values, the model has \(schema.count) features")
        }
        for (index, item) in items.enumerated() {
            row[index] = try number(item, line: line, field: schema.names?[index] ?? "feature \(index)")
        }
    }

    func number(_ value: JSONValue, line: Int, field: String) throws(InputError) -> Double {
        switch value {
        case .number(let number):
            guard !number.isInfinite else {
                throw InputError(file: file, line: line, field: field, "expected a finite number or null, found \(number)")
            }
            return number
        case .null: return .nan
        case .string(let text):
            var copy = text
            if let parsed = copy.withUTF8({ CSVFeatureReader.parseCell($0) }) { return parsed }
            throw InputError(file: file, line: line, field: field, "\(CSVFeatureReader.expectedCell), found \"\(text)\"")
        default:
            throw InputError(file: file, line: line, field: field, "expected a number or null")
        }
    }
}

/// JSON Lines: one object per line, keyed by feature name (`null` = missing), or one array of
/// values in model order. Blank lines are skipped.
public final class JSONLinesFeatureReader: FeatureSource {
    public let file: String
    private let lines: LineReader
    private let decoder: JSONRowDecoder

    public init(path: String, schema: FeatureSchema) throws(InputError) {
        lines = try LineReader(path: path)
        file = lines.file
        decoder = JSONRowDecoder(schema: schema, file: file)
    }

    public func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch? {
        var batch = FeatureBatch(numFeatures: decoder.schema.count)
        var row = [Double](repeating: .nan, count: decoder.schema.count)
        while batch.rowCount < maxRows {
            let decoder = self.decoder
            let lineNumber = lines.lineNumber + 1
            let value: JSONValue?? = try lines.nextLine { bytes throws(InputError) -> JSONValue? in
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
                return try JSONValue.parseLine(bytes, file: decoder.file, line: lineNumber)
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
        }
        return batch.rowCount > 0 ? batch : nil
    }
}
