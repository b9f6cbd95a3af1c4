import ArgumentParser
import Foundation
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

/// Where rows come from: files or capture directories, their format and a capture time window.
struct DataSourceOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption,
            help: ArgumentHelp("Data: CSV files ('-' = standard input), JSON Lines, SageMaker data-capture files, or capture directories ({endpoint}/{variant}/yyyy/mm/dd/hh/*.jsonl).", valueName: "path"))
    var data: [String]

    @Option(help: ArgumentHelp("auto, csv, jsonl or capture.", valueName: "format"))
    var inputFormat: InputFormat = .auto

    @Option(help: ArgumentHelp("Capture records with inferenceTime at or after this ISO 8601 time.", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Capture records with inferenceTime at or before this ISO 8601 time.", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Longest line (CSV row, JSON Lines or capture record) of --data and --background inputs, in bytes (default \(ReaderLimits.defaultMaxLineBytes), 16 MiB).", valueName: "bytes"))
    var maxLineBytes: Int = ReaderLimits.defaultMaxLineBytes

    /// The readers' bounds as given.
    var limits: ReaderLimits { ReaderLimits(maxLineBytes: maxLineBytes) }

    func validate() throws {
        if data.isEmpty { throw ValidationError("--data needs at least one path") }
        if maxLineBytes < 1 { throw ValidationError("--max-line-bytes must be at least 1") }
        if let since, ISO8601Time.seconds(since) == nil { throw ValidationError("--since: expected an ISO 8601 time such as 2022-02-14T17:00:00Z") }
        if let until, ISO8601Time.seconds(until) == nil { throw ValidationError("--until: expected an ISO 8601 time such as 2022-02-14T18:00:00Z") }
    }

    func source(for model: Model) throws(InputError) -> FeatureSourceChain {
        try FeatureSourceChain(paths: data, schema: FeatureSchema(model: model), format: inputFormat,
                               window: CaptureTimeWindow(since: since.flatMap(ISO8601Time.seconds), until: until.flatMap(ISO8601Time.seconds)),
                               limits: limits)
    }

    /// Every row of the sources, a batch at a time (as many rows as `check`'s blocks); an error
    /// when there are none. For the commands that write one line per row (`explain`,
    /// `predict`), so their memory does not grow with the data.
    func forEachBatch(for model: Model, _ body: (FeatureBatch) throws -> Void) throws {
        let chain = try source(for: model)
        var rows = 0
        let rowsPerBatch = AttributionProfiler.rowsWithinBudget(features: model.numFeatures, width: model.numOutputs * model.numFeatures,
                                                                replicates: 0)
        while let batch = try chain.nextBatch(maxRows: rowsPerBatch) {
            try body(batch)
            rows += batch.rowCount
        }
        guard rows > 0 else { throw chain.noRowsError }
    }
}

/// Worker threads and `--timings`, for the commands that attribute.
struct RunOptions: ParsableArguments {
    @Option(help: "Worker threads (default: the cores this process may use).")
    var threads: Int?

    @Flag(help: "Print where the wall time went to standard error.")
    var timings = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    var threadCount: Int { threads ?? ProcessorCount.available }

    func report(_ summary: @autoclosure () -> String) {
        if timings { FileHandle.standardError.write(Data("shapdrift: timings: \(summary())\n".utf8)) }
    }
}
