import ArgumentParser
import Foundation
import Logging
import ShapDrift

struct ModelOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Model file: XGBoost JSON, LightGBM text, or ShapDrift JSON.", valueName: "path"))
    var model: String

    func load() throws(InputError) -> Model {
        try ModelLoader().load(path: model)
    }
}

extension OutputSpace: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}
extension AttributionAggregation: ExpressibleByArgument {}

/// The background sample option, and reading it.
struct BackgroundOption: ParsableArguments {
    @Option(help: ArgumentHelp("Background sample (CSV): linear SHAP's means, interventional TreeSHAP's and KernelSHAP's reference rows.", valueName: "path"))
    var background: String?

    /// The background rows aligned to `model`, or `nil` when none was given.
    func read(for model: Model, limits: ReaderLimits) throws(InputError) -> FeatureBatch? {
        guard let background else { return nil }
        return try CSVFeatureReader(path: background, schema: FeatureSchema(model: model), limits: limits).readAll()
    }
}

/// How attributions are computed: shared by `explain` and `baseline`.
struct MethodOptions: ParsableArguments {
    @Option(help: ArgumentHelp("auto, \(AttributionMethod.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "method"))
    var method: String = "auto"

    @OptionGroup var backgroundOption: BackgroundOption
    @OptionGroup var sampling: SamplingOptions

    @Option(help: ArgumentHelp("raw or probability (KernelSHAP on classifiers: explain the predicted probability, as SageMaker Clarify does).", valueName: "space"))
    var outputSpace: OutputSpace = .raw

    func validate() throws {
        if method != "auto", AttributionMethod(rawValue: method) == nil {
            throw ValidationError("unknown method '\(method)', expected auto, \(AttributionMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func explainer(for model: Model, limits: ReaderLimits) throws -> Explainer {
        try Explainer(model: model, method: AttributionMethod(rawValue: method), background: backgroundOption.read(for: model, limits: limits),
                      options: sampling.options(outputSpace: outputSpace))
    }
}

/// The sampling methods' settings.
struct SamplingOptions: ParsableArguments {
    @Option(help: "Sample budget: KernelSHAP's coalitions (default 2 × features + 2048; all coalitions are used when 2^features − 2 fit) and linear-correlation's permutations above 14 features (default 1000).")
    var samples: Int?

    @Option(help: "Seed of every random step: KernelSHAP's coalitions and background summary, linear-correlation's permutations, check's bootstrap.")
    var seed: UInt64 = 0

    func validate() throws {
        if let samples, samples < 1 { throw ValidationError("--samples must be at least 1") }
    }

    func options(outputSpace: OutputSpace = .raw) -> ExplainerOptions {
        ExplainerOptions(samples: samples, seed: seed, outputSpace: outputSpace)
    }
}

/// Where rows come from: files or capture directories, their format, a time window, the capture
/// variants, and how many bad records may be skipped.
struct DataSourceOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption,
            help: ArgumentHelp("Data: CSV files ('-' = standard input), JSON Lines, SageMaker data-capture files, or capture directories ({endpoint}/{variant}/yyyy/mm/dd/hh/*.jsonl).", valueName: "path"))
    var data: [String] = []

    @Option(help: ArgumentHelp("auto, csv, jsonl or capture.", valueName: "format"))
    var inputFormat: InputFormat = .auto

    @Option(help: ArgumentHelp("Rows timed at or after this RFC 3339 time (capture: inferenceTime; CSV and JSON Lines: --time-column).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Rows timed at or before this RFC 3339 time.", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("The CSV column (JSON Lines member) holding each row's RFC 3339 time, for --since/--until.", valueName: "name"))
    var timeColumn: String?

    @Option(name: .customLong("variant"),
            help: ArgumentHelp("Capture variant to read from a directory tree (the folder above yyyy, or endpoint/variant); repeatable. Required when the tree holds several.", valueName: "name"))
    var variants: [String] = []

    @Option(help: ArgumentHelp("The CSV column (JSON Lines member) whose text keys each row, as eventId keys capture records: the bootstrap, --sample-rate and --shard-by record then follow the row wherever it is read (default: file name and line).", valueName: "name"))
    var keyColumn: String?

    @Option(help: ArgumentHelp("Bad records that may be skipped in all (default: 1000 for check, explain, predict and profile; 0 = strict, the default of baseline).", valueName: "n"))
    var maxBadRecords: Int?

    @Option(help: ArgumentHelp("Bad records that may be skipped, as a fraction of the records read (default 0.01; 0 = strict).", valueName: "fraction"))
    var maxBadFraction: Double?

    @Option(help: ArgumentHelp("Longest line (CSV row, JSON Lines or capture record) of --data and --background inputs, in bytes (default \(ReaderLimits.defaultMaxLineBytes), 16 MiB).", valueName: "bytes"))
    var maxLineBytes: Int = ReaderLimits.defaultMaxLineBytes

    /// The readers' bounds as given.
    var limits: ReaderLimits { ReaderLimits(maxLineBytes: maxLineBytes) }

    func validate() throws {
        for (flag, value) in [("--since", since), ("--until", until)] {
            if let value, let problem = ISO8601Time.problem(value) {
                throw ValidationError("\(flag): expected \(ISO8601Time.expectedForm), found '\(value)' (\(problem))")
            }
        }
        if let since = since.flatMap(ISO8601Time.seconds), let until = until.flatMap(ISO8601Time.seconds), since > until {
            throw ValidationError("--since \(self.since ?? "") is later than --until \(self.until ?? ""): the window would be empty")
        }
        if let maxBadRecords, maxBadRecords < 0 { throw ValidationError("--max-bad-records must be 0 or more") }
        if let maxBadFraction, !(0...1).contains(maxBadFraction) { throw ValidationError("--max-bad-fraction must be between 0 and 1") }
        if maxLineBytes < 1 { throw ValidationError("--max-line-bytes must be at least 1") }
    }

    /// For the commands that always read data (every one but `check --current-profile`).
    func requireData() throws {
        if data.isEmpty { throw ValidationError("--data needs at least one path") }
    }

    var window: CaptureTimeWindow {
        CaptureTimeWindow(since: since.flatMap(ISO8601Time.seconds), until: until.flatMap(ISO8601Time.seconds))
    }

    /// The bad-record budget: the flags given, the command's default for the rest. A strict
    /// default with one flag given takes the tolerant default for the other.
    func badRecords(default fallback: BadRecordPolicy) -> BadRecordPolicy {
        let base = fallback.isStrict && (maxBadRecords != nil || maxBadFraction != nil) ? .tolerant : fallback
        return BadRecordPolicy(maxRecords: maxBadRecords ?? base.maxRecords, maxFraction: maxBadFraction ?? base.maxFraction)
    }

    /// The data as a job describes it.
    func selection(badRecords fallback: BadRecordPolicy) -> MonitoringJob.DataSelection {
        var selection = MonitoringJob.DataSelection(paths: data)
        selection.format = inputFormat
        selection.variants = variants
        selection.timeColumn = timeColumn
        let window = self.window
        selection.window = window.isUnbounded ? .all : .absolute(since: window.since, until: window.until)
        selection.badRecords = badRecords(default: fallback)
        selection.keyColumn = keyColumn
        selection.limits = limits
        return selection
    }

    /// The sources' rows of `shard`.
    func source(for model: Model, badRecords fallback: BadRecordPolicy, shard: ShardSelection = .whole) throws(InputError) -> FeatureSourceChain {
        var options = selection(badRecords: fallback).readOptions(now: 0)
        options.shard = shard
        return try FeatureSourceChain(paths: data, schema: FeatureSchema(model: model), options: options)
    }

    /// Every row of `chain` (opened by `source(for:badRecords:)`), a batch at a time (as many rows as `check`'s blocks), with each
    /// row's number (rows are numbered from 0 across the inputs, and a skipped bad record takes
    /// a number too, so the rows after it keep theirs); an error when there are none. For the
    /// commands that write one line per row (`explain`, `predict`), so their memory does not grow
    /// with the data. Skipped records are summarised on standard error.
    func forEachBatch(of chain: FeatureSourceChain, model: Model, _ body: (FeatureBatch, [Int]) throws -> Void) throws {
        var next = 0
        let rowsPerBatch = AttributionProfiler.rowsWithinBudget(features: model.numFeatures, width: model.numOutputs * model.numFeatures,
                                                                replicates: 0)
        var rows = 0
        while let batch = try chain.nextBatch(maxRows: rowsPerBatch) {
            let numbers = batch.rowNumbers(from: next)
            try body(batch, numbers)
            next = (numbers.last ?? next) + 1 + batch.skippedBefore.filter { $0 == batch.rowCount }.count
            rows += batch.rowCount
        }
        guard rows > 0 else { throw chain.noRowsError }
        SkippedRecordsNotice.print(chain.recordSummary, what: "rows without output (their row numbers are absent)")
    }
}

/// The standard-error lines for the bad records a command skipped.
enum SkippedRecordsNotice {
    static func print(_ summary: RecordSummary?, what: String, quiet: Bool = false) {
        guard !quiet, let summary, summary.skipped.count > 0 else { return }
        var text = "shapdrift: skipped \(summary.skipped.count) bad record\(summary.skipped.count == 1 ? "" : "s") of \(summary.read) (\(summary.skipped.reasonsText)): \(what)\n"
        for record in summary.skipped.first { text += "  \(record.description)\n" }
        if summary.skipped.count > summary.skipped.first.count {
            text += "  … and \(summary.skipped.count - summary.skipped.first.count) more\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Deterministic sampling by record, for `baseline` and `check`.
struct RecordSamplingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Share of the records profiled, in (0, 1]: each record in or out by a hash of its key (eventId for capture), the same in every run.", valueName: "rate"))
    var sampleRate: Double = 1

    @Option(help: ArgumentHelp("Chooses which records a --sample-rate keeps.", valueName: "seed"))
    var sampleSeed: UInt64 = 0

    func validate() throws {
        guard sampleRate > 0, sampleRate <= 1 else { throw ValidationError("--sample-rate must be in (0, 1]") }
    }

    var sampling: RecordSampling { RecordSampling(rate: sampleRate, seed: sampleSeed) }
}

/// Worker threads, timings, and how much the command says: for the commands that attribute.
struct RunOptions: ParsableArguments {
    @Option(help: "Worker threads (default: the cores this process may use).")
    var threads: Int?

    @Flag(help: "Print where the wall time went to standard error.")
    var timings = false

    @Flag(name: .customLong("timings-json"), help: "Print where the wall time went to standard error as one JSON line.")
    var timingsJSON = false

    @Flag(name: .shortAndLong, help: "Only errors: no summary, notices or progress (--format json still prints the report).")
    var quiet = false

    @Flag(name: .customShort("v"), help: "Diagnostics on standard error: -v info, -vv debug (as --log-level).")
    var verbosity: Int

    @Option(help: ArgumentHelp("Diagnostics on standard error at this level and above: trace, debug, info, notice, warning, error, critical (default warning).",
                               valueName: "level"))
    var logLevel: Logger.Level?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if quiet, verbosity > 0 || logLevel != nil { throw ValidationError("--quiet silences the diagnostics that -v and --log-level ask for") }
    }

    var threadCount: Int { threads ?? ProcessorCount.available }

    /// The diagnostics' level: `--log-level`, else one step per `-v` below warning, else warning
    /// (error with `--quiet`).
    var level: Logger.Level {
        if let logLevel { return logLevel }
        if quiet { return .error }
        switch verbosity {
        case 0: return .warning
        case 1: return .info
        default: return .debug
        }
    }

    var logger: Logger { Console.logger(level: level) }

    /// A progress line for a long run, when standard error is a terminal and not `--quiet`.
    func progressLine(_ what: String) -> ProgressLine? {
        quiet || !Console.standardErrorIsTerminal ? nil : ProgressLine(what)
    }

    /// `--timings` (a line of text) and `--timings-json` (one JSON line of `fields`, keys
    /// sorted), on standard error.
    func report(_ summary: @autoclosure () -> String, fields: @autoclosure () -> [String: Double]) {
        if timings { Console.note("timings: \(summary())") }
        if timingsJSON {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            if let line = try? encoder.encode(["timings": fields()]) {
                FileHandle.standardError.write(line + Data("\n".utf8))
            }
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension ShardSelection.Unit: ExpressibleByArgument {}

/// Which shard of a split job a run profiles (`baseline`, `profile`): given, or from the engine.
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Profile shard INDEX of COUNT (0-based, e.g. 3/8), or 'auto': from the batch engine (JOB_COMPLETION_INDEX with SHAPDRIFT_SHARD_COUNT, AWS_BATCH_JOB_ARRAY_INDEX/_SIZE, SageMaker's resourceconfig.json). Merge the shards' profiles with shapdrift merge.", valueName: "i/n|auto"))
    var shard: String?

    @Option(help: ArgumentHelp("How shards split the input: file (files dealt out by sorted name: each shard reads only its files), record (by a hash of each record's key: balanced whatever the files, every shard reads them all) or engine (the engine already split it, e.g. SageMaker's ShardedByS3Key: every record given is this shard's). Default: file, or engine where SageMaker split the input.", valueName: "rule"))
    var shardBy: ShardSelection.Unit?

    @Option(help: ArgumentHelp("SageMaker's /opt/ml directory, for --shard auto.", valueName: "dir"))
    var mlRoot = "/opt/ml"

    func validate() throws {
        if shardBy != nil, shard == nil { throw ValidationError("--shard-by needs --shard") }
    }

    /// The shard to read of `data`, and the engine that assigned it (for the notice), if any.
    func selection(data: [String]) throws -> (ShardSelection, ShardEnvironment.Engine?) {
        guard let shard else { return (.whole, nil) }
        guard shard == "auto" else { return (try ShardSelection.parse(shard, unit: shardBy ?? .file), nil) }
        let assignment = try ShardEnvironment.detect(environment: ProcessInfo.processInfo.environment, mlRoot: mlRoot, dataPaths: data)
        if assignment.inputSplitByEngine, let shardBy, shardBy != .engine {
            throw ValidationError("SageMaker already split the input (ShardedByS3Key): every record given is this host's, so --shard-by must be engine")
        }
        let unit = assignment.inputSplitByEngine ? .engine : shardBy ?? .file
        return (try ShardSelection(index: assignment.index, count: assignment.count, unit: unit), assignment.engine)
    }
}
