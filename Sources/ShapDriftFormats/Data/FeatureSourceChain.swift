import Foundation
import ShapDriftCore

/// Opens data paths as one stream: files in the order given; a directory is searched recursively
/// for `*.jsonl` files (SageMaker's `{endpoint}/{variant}/yyyy/mm/dd/hh/` layout), read in path
/// order, which is time order for that layout.
public final class FeatureSourceChain: FeatureSource {
    public let schema: FeatureSchema
    public let format: InputFormat
    public let window: CaptureTimeWindow
    public let limits: ReaderLimits
    /// Files still to read, in order, with the name their rows are keyed by (`SourceName`).
    private var pending: [(path: String, sourceName: String)]
    private var current: (any FileFeatureReader)?
    /// Every file that was opened, in order.
    public private(set) var filesRead: [String] = []

    /// - Parameter limits: the longest line any file may have.
    public init(paths: [String], schema: FeatureSchema, format: InputFormat = .auto,
                window: CaptureTimeWindow = CaptureTimeWindow(), limits: ReaderLimits = ReaderLimits()) throws(InputError) {
        self.schema = schema
        self.format = format
        self.window = window
        self.limits = limits
        var files: [(path: String, sourceName: String)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard path == "-" || FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError(file: path, "no such file or directory")
            }
            if isDirectory.boolValue {
                let found = Self.captureFiles(under: path)
                guard !found.isEmpty else { throw InputError(file: path, "the directory holds no *.jsonl files") }
                files += found.map { ((path as NSString).appendingPathComponent($0), $0) }
            } else {
                files.append((path, SourceName.of(path)))
            }
        }
        guard !files.isEmpty else { throw InputError("no data given") }
        pending = files
    }

    /// The `*.jsonl` files under `directory`, as paths relative to it, sorted (time order for
    /// SageMaker's layout).
    static func captureFiles(under directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.hasSuffix(".jsonl") { files.append(relative) }
        }
        return files.sorted()
    }

    /// The next block of rows from the current file, moving on to the next file as each ends.
    public func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch? {
        while true {
            if current == nil {
                guard !pending.isEmpty else { return nil }
                let (path, sourceName) = pending.removeFirst()
                current = try open(path, sourceName: sourceName)
                filesRead.append(current?.file ?? path)
            }
            if let batch = try current?.nextBatch(maxRows: maxRows) { return batch }
            current = nil
        }
    }

    /// The error for a chain that gave no rows, naming the files it read.
    public var noRowsError: InputError {
        InputError(file: filesRead.joined(separator: ", "), "no data rows (after the time window, if one was given)")
    }

    private func open(_ path: String, sourceName: String) throws(InputError) -> any FileFeatureReader {
        switch format == .auto ? try Self.detect(path, limits: limits) : format {
        case .csv, .auto: return try CSVFeatureReader(path: path, schema: schema, sourceName: sourceName, limits: limits)
        case .jsonl: return try JSONLinesFeatureReader(path: path, schema: schema, sourceName: sourceName, limits: limits)
        case .capture: return try SageMakerCaptureReader(path: path, schema: schema, window: window, sourceName: sourceName, limits: limits)
        }
    }

    static func detect(_ path: String, limits: ReaderLimits = ReaderLimits()) throws(InputError) -> InputFormat {
        if path.lowercased().hasSuffix(".csv") || path == "-" { return .csv }
        let lines = try LineReader(path: path, limits: limits)
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

/// A reader of one data file, as the chain opens them.
protocol FileFeatureReader: FeatureSource {
    /// The file being read, as named in messages (`<stdin>` for standard input).
    var file: String { get }
}

extension FileFeatureReader {
    public var noRowsError: InputError { InputError(file: file, "no data rows") }
}

extension CSVFeatureReader: FileFeatureReader {}
extension JSONLinesFeatureReader: FileFeatureReader {}
extension SageMakerCaptureReader: FileFeatureReader {}
