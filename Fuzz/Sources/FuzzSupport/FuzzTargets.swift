import Foundation
import ShapDriftCore
import ShapDriftDrift
import ShapDriftFormats
import ShapDriftMonitor

/// The bodies of the fuzz targets. Each takes one input as `shapdrift` would take a file and
/// runs it to the end: a thrown `InputError` is the expected outcome for bad input; a trap, a
/// sanitizer report, a hang or an allocation beyond libFuzzer's `-rss_limit_mb` is a defect.
/// Where an input is accepted, the targets also check what must then hold (a loaded ensemble
/// predicts without trapping; a profile survives its own round trip; the capture reader's fast
/// scan agrees with its full parser).
public enum FuzzTargets {
    /// Lines longer than this are refused (small, so long-line inputs hit the bound quickly).
    static let limits = ReaderLimits(maxLineBytes: 1 << 20)

    /// Model loaders (XGBoost JSON, LightGBM text, ShapDrift JSON), through `ModelLoader`, which
    /// recognises the format by content; the three targets differ by their seed corpora.
    public static func model(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        guard let model = try? ModelLoader().load(bytes: bytes(data, size), file: "fuzz") else { return 0 }
        guard case .trees(let ensemble) = model.predictor else { return 0 }
        // The builder's guarantees are what the kernels index by: prediction must not trap.
        let features = ensemble.numFeatures
        var rows: [Double] = []
        for value in [Double.nan, 0, -1, 1, 1e300, -1e300, 0.5] { rows += [Double](repeating: value, count: features) }
        var output = [Double](repeating: 0, count: 7 * ensemble.numOutputs)
        rows.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { ensemble.predict(rows: input, into: $0) }
        }
        _ = ensemble.expectedValue()
        return 0
    }

    /// CSV, with a schema named by the input's own header (so rows are parsed, not refused at
    /// the header), then with a fixed one.
    public static func csv(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let input = bytes(data, size)
        withScratchFile(input) { path in
            for schema in [headerSchema(input), FeatureSchema(names: ["a", "b", "c"], count: 3)] {
                guard let reader = try? CSVFeatureReader(path: path, schema: schema, limits: limits) else { continue }
                drain { maxRows throws(InputError) in try reader.nextBatch(maxRows: maxRows) }
            }
        }
        return 0
    }

    /// JSON Lines, with a schema from the first record's keys (or its length), then a fixed one.
    public static func jsonLines(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let input = bytes(data, size)
        withScratchFile(input) { path in
            for schema in [firstRecordSchema(input), FeatureSchema(names: ["a", "b", "c"], count: 3)] {
                guard let reader = try? JSONLinesFeatureReader(path: path, schema: schema, limits: limits) else { continue }
                drain { maxRows throws(InputError) in try reader.nextBatch(maxRows: maxRows) }
            }
        }
        return 0
    }

    /// SageMaker capture, read twice — with the record scan and with the full parser alone —
    /// which must give the same rows, keys and error; also with a time window.
    public static func capture(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let input = bytes(data, size)
        withScratchFile(input) { path in
            let schema = captureSchema(input)
            for window in [CaptureTimeWindow(), CaptureTimeWindow(since: 1_714_557_600, until: 1_714_561_199)] {
                let outcomes = [true, false].map { scans -> Outcome in
                    guard let reader = try? SageMakerCaptureReader(path: path, schema: schema, window: window, limits: limits) else {
                        return Outcome()
                    }
                    reader.usesRecordScan = scans
                    return drain { maxRows throws(InputError) in try reader.nextBatch(maxRows: maxRows) }
                }
                if outcomes[0] != outcomes[1] {
                    fatalError("the capture record scan and the full parser disagree: \(outcomes[0]) vs \(outcomes[1])")
                }
            }
        }
        return 0
    }

    /// Baseline profiles: decoded; an accepted one must encode, decode back to itself (in the
    /// current format, by this writer: an older profile is rewritten as format 4) and merge with
    /// itself (or refuse the merge for its row count).
    public static func profile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        guard var profile = try? AttributionProfile.decode(bytes(data, size), file: "fuzz") else { return 0 }
        guard let encoded = try? profile.encoded() else { fatalError("an accepted profile does not encode") }
        profile.formatVersion = AttributionProfile.currentFormatVersion
        profile.writer = ShapDriftVersion.writer
        guard let again = try? AttributionProfile.decode(encoded, file: "again"), again == profile else {
            fatalError("an accepted profile does not survive its round trip")
        }
        var merged = profile
        _ = try? merged.merge(profile)
        return 0
    }

    /// Job files (`shapdrift run job.yaml`): parsed (YAML through Yams, then the walk that
    /// locates every wrong key and value); an accepted job's settings are validated and its
    /// window and read options resolved at a few run times, as `run` does before reading data.
    public static func jobFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        guard let text = String(bytes: bytes(data, size), encoding: .utf8),
              let job = try? MonitoringJob.parse(yaml: text, file: "fuzz.yaml", relativeTo: "/fuzz") else { return 0 }
        guard (try? job.validateSettings()) != nil else { return 0 }
        for now in [0, 1_764_633_600.5, 4.1e9] {
            _ = try? job.data.readOptions(now: now).window.validate()
            _ = job.checkOptions
        }
        return 0
    }

    // MARK: - Helpers

    static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// What a reader gave: every batch's values (by bit pattern, so NaN compares), lines and
    /// keys, and the error that ended it.
    struct Outcome: Equatable, CustomStringConvertible {
        var values: [UInt64] = []
        var lines: [Int] = []
        var keys: [UInt64] = []
        var error: String?

        var description: String { "\(lines.count) rows, error: \(error ?? "none")" }
    }

    /// Reads batches of a few rows (so batch boundaries fall inside records) to the end.
    @discardableResult
    static func drain(_ next: (Int) throws(InputError) -> FeatureBatch?) -> Outcome {
        var outcome = Outcome()
        do throws(InputError) {
            var sizes = [3, 1, 7, 64]
            while let batch = try next(sizes[0]) {
                sizes.append(sizes.removeFirst())
                outcome.values += batch.values.map(\.bitPattern)
                outcome.lines += batch.sourceLines
                outcome.keys += batch.recordKeys
            }
        } catch {
            outcome.error = error.description
        }
        return outcome
    }

    /// The input's first line as CSV header names (up to 16, duplicates dropped).
    static func headerSchema(_ input: [UInt8]) -> FeatureSchema {
        let line = Array(input.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") })
        var ranges: [Range<Int>] = []
        let names: [String] = line.withUnsafeBufferPointer { buffer in
            guard (try? CSVSyntax.splitFields(buffer, into: &ranges, file: "fuzz", line: 1)) != nil else { return [] }
            return ranges.map { CSVSyntax.fieldText(buffer, $0) }
        }
        var unique: [String] = []
        for name in names where !unique.contains(name) && unique.count < 16 { unique.append(name) }
        return unique.isEmpty ? FeatureSchema(names: nil, count: 3) : FeatureSchema(names: unique, count: unique.count)
    }

    /// The first JSON Lines record's keys (an object) or length (an array) as the schema.
    static func firstRecordSchema(_ input: [UInt8]) -> FeatureSchema {
        let line = Array(input.prefix { $0 != UInt8(ascii: "\n") })
        switch try? JSONValue.parse(line) {
        case .object(let members)?:
            let names = Array(members.keys.sorted().prefix(16))
            return names.isEmpty ? FeatureSchema(names: nil, count: 3) : FeatureSchema(names: names, count: names.count)
        case .numbers(let values)? where (1...64).contains(values.count):
            return FeatureSchema(names: nil, count: values.count)
        case .array(let items)? where (1...64).contains(items.count):
            return FeatureSchema(names: nil, count: items.count)
        default:
            return FeatureSchema(names: nil, count: 3)
        }
    }

    /// A schema fitting the first capture record's payload: as many unnamed features as its
    /// first CSV row has values, or the keys of a JSON object payload; else 8 unnamed features.
    static func captureSchema(_ input: [UInt8]) -> FeatureSchema {
        let line = Array(input.prefix { $0 != UInt8(ascii: "\n") })
        guard let record = try? JSONValue.parse(line), let payload = record["captureData"]?["endpointInput"]?["data"]?.stringValue else {
            return FeatureSchema(names: nil, count: 8)
        }
        if case .object(let members)? = try? JSONValue.parse(Array(payload.utf8)), !members.isEmpty {
            let names = Array(members.keys.sorted().prefix(16))
            return FeatureSchema(names: names, count: names.count)
        }
        let fields = payload.prefix { $0 != "\n" }.split(separator: ",", omittingEmptySubsequences: false).count
        return FeatureSchema(names: nil, count: min(max(fields, 1), 64))
    }

    /// The file inputs are written to, one per process, on tmpfs when there is one.
    static let scratchPath: String = {
        let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return "\(directory)/shapdrift-fuzz-\(getpid()).input"
    }()

    static func withScratchFile(_ input: [UInt8], _ body: (String) -> Void) {
        let descriptor = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { fatalError("cannot write \(scratchPath)") }
        input.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                guard written > 0 else { fatalError("cannot write \(scratchPath)") }
                offset += written
            }
        }
        close(descriptor)
        body(scratchPath)
    }
}
