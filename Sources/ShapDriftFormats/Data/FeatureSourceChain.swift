import Foundation
import ShapDriftCore

/// Opens data paths as one stream: files in the order given; a directory is searched recursively
/// for `*.jsonl` files (SageMaker's `{endpoint}/{variant}/yyyy/mm/dd/hh/` layout), read in path
/// order, which is time order for that layout.
///
/// With a time window, hour folders that cannot hold a record of the window are not opened
/// (`CaptureTimeWindow.captureFolderLateness`); a tree with several variants is read only for the
/// variants chosen. One `BadRecordPolicy` covers every file, and `recordSummary` tells what the
/// read found.
///
/// For a model without feature names, the header of the first file, when it is CSV, names the
/// features (`dataHeader`), and every later CSV file's header must have the same names: the
/// columns are taken in order, so a header that differs means columns that moved.
public final class FeatureSourceChain: FeatureSource {
    public let schema: FeatureSchema
    public let options: DataReadOptions
    public var format: InputFormat { options.format }
    public var window: CaptureTimeWindow { options.window }
    /// Files still to read, in order, with the name their rows are keyed by (`SourceName`).
    private var pending: [(path: String, sourceName: String)]
    private var current: (any FileFeatureReader)?
    /// Every file that was opened, in order.
    public private(set) var filesRead: [String] = []
    private let tally: BadRecordTally
    /// Skipped records not yet placed in a batch (those at the end of a file).
    private var skipsDelivered = 0
    private var finished = false
    private let variantsRead: [String]
    private let filesOutsideWindow: Int
    /// The hour folders' span, when some were left out by the window.
    private let foldersSeen: RecordSummary.TimeRange?
    /// The first file's header, when it names the features of a model without names.
    public private(set) var dataHeader: DataHeader?
    /// The files' sizes in bytes (0 for standard input), for `readFraction`.
    private var bytesPending: [UInt64] = []
    private var bytesTotal: UInt64 = 0
    private var bytesFinished: UInt64 = 0
    /// The column statistics of the files already read to their end.
    private var finishedColumns = ColumnStatistics()

    public convenience init(paths: [String], schema: FeatureSchema, format: InputFormat = .auto,
                            window: CaptureTimeWindow = CaptureTimeWindow()) throws(InputError) {
        try self.init(paths: paths, schema: schema, options: DataReadOptions(format: format, window: window))
    }

    /// - Throws: `InputError` for a path that does not exist, a directory without capture
    ///   files, a tree with several variants and none chosen, a window that ends before it
    ///   starts, or a window on CSV or JSON Lines given directly without a time column.
    public init(paths: [String], schema: FeatureSchema, options: DataReadOptions) throws(InputError) {
        self.schema = schema
        self.options = options
        tally = BadRecordTally(policy: options.badRecords, shard: options.shard)
        do {
            try options.window.validate()
        } catch {
            throw InputError(error.description)
        }
        // Every file of the input in reading order, with its layout; hour folders are pruned by
        // the window after sharding, so each shard counts only its own pruned files.
        var candidates: [(path: String, sourceName: String, layout: CaptureLayout?)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard path == "-" || FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError(file: path, "no such file or directory")
            }
            guard isDirectory.boolValue else {
                try Self.checkWindowFits(path, options: options)
                try Self.checkKeyColumnFits(path, options: options)
                candidates.append((path, SourceName.of(path), nil))
                continue
            }
            let found = Self.captureFiles(under: path)
            guard !found.isEmpty else { throw InputError(file: path, "the directory holds no *.jsonl files") }
            var laidOut = found.map { relative in
                let full = (path as NSString).appendingPathComponent(relative)
                return (full: full, relative: relative, layout: CaptureLayout(path: full))
            }
            let names = Set(laidOut.compactMap { $0.layout?.variantName })
            if options.variants.isEmpty {
                guard names.count <= 1 else {
                    throw InputError(file: path, field: DataErrorField.variants,
                                     "the capture tree holds several variants (\(names.sorted().joined(separator: ", "))); choose the ones to read")
                }
            } else {
                for name in options.variants where !laidOut.contains(where: { $0.layout?.isSelected(by: name) == true }) {
                    throw InputError(file: path, field: DataErrorField.variants,
                                     "no capture of variant \(name) here (variants found: \(names.isEmpty ? "none" : names.sorted().joined(separator: ", ")))")
                }
                laidOut = laidOut.filter { file in options.variants.contains { file.layout?.isSelected(by: $0) == true } }
            }
            candidates += laidOut.map { ($0.full, $0.relative, $0.layout) }
        }
        if options.shard.filtersFiles {
            let owned = Set(Self.sortedForSharding(candidates.map { ($0.path, $0.sourceName) }).enumerated()
                .filter { options.shard.ownsFile(at: $0.offset) }.map(\.element))
            candidates = candidates.filter { owned.contains($0.path) }
        }
        var files: [(path: String, sourceName: String)] = []
        var variants = Set<String>()
        var outside = 0
        var hours: (first: Double, last: Double)?
        for file in candidates {
            if let layout = file.layout, !options.window.isUnbounded, !options.window.mayHoldRecords(hourFolderStart: layout.hourStart) {
                outside += 1
                hours = (min(hours?.first ?? layout.hourStart, layout.hourStart), max(hours?.last ?? layout.hourStart, layout.hourStart))
                continue
            }
            if let name = file.layout?.variantName { variants.insert(name) }
            files.append((file.path, file.sourceName))
        }
        // One shard of a split may get no files at all: its profile is empty, not an error.
        guard !files.isEmpty || outside > 0 || options.shard.filtersFiles else { throw InputError("no data given") }
        pending = files
        bytesPending = files.map { file in
            ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.uint64Value ?? 0
        }
        bytesTotal = bytesPending.reduce(0, +)
        variantsRead = variants.sorted()
        filesOutsideWindow = outside
        foldersSeen = hours.map { RecordSummary.TimeRange(since: ISO8601Time.string($0.first), until: ISO8601Time.string($0.last + 3600),
                                                          untilIncluded: false) }
        // The first file is opened now, so its header is known before any row is read.
        if !pending.isEmpty {
            try openNext()
            dataHeader = current?.dataHeader
        }
    }

    /// The input's file paths in the order shards deal them out (`ShardSelection`): by the name
    /// their rows are keyed by, which is the same on every machine (ties by path).
    static func sortedForSharding(_ files: [(path: String, sourceName: String)]) -> [String] {
        files.sorted { $0.sourceName != $1.sourceName ? $0.sourceName < $1.sourceName : $0.path < $1.path }.map(\.path)
    }

    /// A key column applies to CSV and JSON Lines; capture rows are keyed by their `eventId`.
    private static func checkKeyColumnFits(_ path: String, options: DataReadOptions) throws(InputError) {
        guard let column = options.keyColumn else { return }
        let format = options.format == .auto ? try detect(path, limits: options.limits) : options.format
        try checkKeyColumnFits(format, file: path == "-" ? "<stdin>" : path, column: column)
    }

    private static func checkKeyColumnFits(_ format: InputFormat, file: String, column: String) throws(InputError) {
        if format == .capture {
            throw InputError(file: file, field: DataErrorField.keyColumn,
                             "capture records are keyed by eventMetadata.eventId; a key column (\(column)) applies to CSV and JSON Lines")
        }
    }

    /// A file given directly must be able to take the window: capture (filtered on
    /// `inferenceTime`), or CSV and JSON Lines with a time column; the time column applies to
    /// CSV and JSON Lines only.
    private static func checkWindowFits(_ path: String, options: DataReadOptions) throws(InputError) {
        guard !options.window.isUnbounded || options.timeColumn != nil else { return }
        let format = options.format == .auto ? try detect(path, limits: options.limits) : options.format
        try checkWindowFits(format, file: path == "-" ? "<stdin>" : path, options: options)
    }

    private static func checkWindowFits(_ format: InputFormat, file: String, options: DataReadOptions) throws(InputError) {
        switch format {
        case .capture:
            if let column = options.timeColumn {
                throw InputError(file: file, field: DataErrorField.timeColumn,
                                 "capture records are filtered on eventMetadata.inferenceTime; a time column (\(column)) applies to CSV and JSON Lines")
            }
        case .csv, .jsonl, .auto:
            if options.timeColumn == nil, !options.window.isUnbounded {
                throw InputError(file: file, field: DataErrorField.timeColumn,
                                 "a time window was given, but \(format == .jsonl ? "JSON Lines" : "CSV") rows carry no time unless the column holding it is named")
            }
        }
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
    /// - Throws: the readers' errors; at the end, the budget's error when the bad records
    ///   exceed its fraction of the records read.
    public func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch? {
        while true {
            if current == nil {
                guard !pending.isEmpty else {
                    if !finished {
                        finished = true
                        try tally.finish()
                    }
                    return nil
                }
                try openNext()
            }
            if var batch = try current?.nextBatch(maxRows: maxRows) {
                // Records skipped at the end of earlier files come before this batch's rows.
                let earlier = tally.summary.skipped.count - skipsDelivered - batch.skippedBefore.count
                if earlier > 0 { batch.skippedBefore = [Int](repeating: 0, count: earlier) + batch.skippedBefore }
                skipsDelivered += batch.skippedBefore.count
                return batch
            }
            if let current { finishedColumns.merge(current.columnStatistics) }
            current = nil
            bytesFinished += bytesCurrent
            bytesCurrent = 0
        }
    }

    private var bytesCurrent: UInt64 = 0

    /// The bytes of the files read to their end, of all the files' bytes: file by file, so a
    /// single file reads as 0 until it ends.
    public var readFraction: Double? {
        bytesTotal > 0 ? Double(bytesFinished) / Double(bytesTotal) : nil
    }

    /// Which columns the files read so far carried, all files together.
    public var columnStatistics: ColumnStatistics {
        var all = finishedColumns
        if let current { all.merge(current.columnStatistics) }
        return all
    }

    /// Opens the next pending file; a CSV header that renames the first file's columns is refused.
    private func openNext() throws(InputError) {
        let (path, sourceName) = pending.removeFirst()
        bytesCurrent = bytesPending.isEmpty ? 0 : bytesPending.removeFirst()
        let reader = try open(path, sourceName: sourceName)
        if let first = dataHeader, let header = reader.dataHeader,
           let mismatch = header.mismatch(with: first.names, expectedFrom: "the header of \(first.file)") {
            throw mismatch
        }
        current = reader
        filesRead.append(reader.file)
    }

    /// What the read found so far: records read and skipped, the window, the variants and files.
    public var recordSummary: RecordSummary? {
        var summary = tally.finalSummary
        summary.filesRead = filesRead.count
        summary.filesOutsideWindow = filesOutsideWindow
        summary.variants = variantsRead
        summary.window = options.window.range
        return summary
    }

    /// The error for a chain that gave no rows, naming the files it read, and for a window the
    /// window and the times (or hour folders) it found.
    public var noRowsError: InputError {
        let files = filesRead.isEmpty ? nil : filesRead.joined(separator: ", ")
        guard let window = options.window.range else { return InputError(file: files, "no data rows") }
        let summary = tally.finalSummary
        var message = "no data rows in the time window \(window.description)"
        if let seen = summary.timesSeen {
            message += ": the \(summary.outsideWindow) records read are timed \(seen.since ?? "") … \(seen.until ?? "")"
        } else if filesRead.isEmpty, let folders = foldersSeen {
            message += ": no capture hour folder can hold records of it (the folders span \(folders.description))"
        }
        return InputError(file: files, message)
    }

    private func open(_ path: String, sourceName: String) throws(InputError) -> any FileFeatureReader {
        let format = options.format == .auto ? try Self.detect(path, limits: options.limits) : options.format
        let file = path == "-" ? "<stdin>" : path
        try Self.checkWindowFits(format, file: file, options: options)
        if let column = options.keyColumn { try Self.checkKeyColumnFits(format, file: file, column: column) }
        switch format {
        case .csv, .auto:
            return try CSVFeatureReader(path: path, schema: schema, sourceName: sourceName, tally: tally, ownsTally: false,
                                        window: options.window, timeColumn: options.timeColumn, keyColumn: options.keyColumn, limits: options.limits)
        case .jsonl:
            return try JSONLinesFeatureReader(path: path, schema: schema, sourceName: sourceName, tally: tally, ownsTally: false,
                                              window: options.window, timeMember: options.timeColumn, keyMember: options.keyColumn,
                                              limits: options.limits)
        case .capture:
            return try SageMakerCaptureReader(path: path, schema: schema, window: options.window, sourceName: sourceName,
                                              tally: tally, ownsTally: false, limits: options.limits)
        }
    }

    static func detect(_ path: String, limits: ReaderLimits) throws(InputError) -> InputFormat {
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
