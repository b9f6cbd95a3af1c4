import ArgumentParser
import Foundation
import ShapDrift

struct ModelOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Model file: XGBoost JSON, LightGBM text, or ShapDrift JSON.", valueName: "path"))
    var model: String

    func load() throws -> Model {
        try ModelLoader().load(path: model)
    }
}

extension AttributionMethod: ExpressibleByArgument {}
extension OutputSpace: ExpressibleByArgument {}

/// How attributions are computed: shared by `explain` and `baseline`.
struct MethodOptions: ParsableArguments {
    @Option(help: ArgumentHelp("auto, \(AttributionMethod.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "method"))
    var method: String = "auto"

    @Option(help: ArgumentHelp("Background sample (CSV): linear SHAP's means, interventional TreeSHAP's and KernelSHAP's reference rows.", valueName: "path"))
    var background: String?

    @OptionGroup var sampling: SamplingOptions

    @Option(help: ArgumentHelp("raw or probability (KernelSHAP on classifiers: explain the predicted probability, as SageMaker Clarify does).", valueName: "space"))
    var outputSpace: OutputSpace = .raw

    func validate() throws {
        if method != "auto", AttributionMethod(rawValue: method) == nil {
            throw ValidationError("unknown method '\(method)', expected auto, \(AttributionMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func explainer(for model: Model) throws -> Explainer {
        try makeExplainer(model: model, method: AttributionMethod(rawValue: method), background: background,
                          options: sampling.options(outputSpace: outputSpace))
    }
}

/// KernelSHAP's sampling settings.
struct SamplingOptions: ParsableArguments {
    @Option(help: "KernelSHAP coalition budget (default 2 × features + 2048; all coalitions are used when 2^features − 2 fit).")
    var samples: Int?

    @Option(help: "Seed of every random step: KernelSHAP's coalitions and background summary, check's bootstrap.")
    var seed: UInt64 = 0

    func options(outputSpace: OutputSpace) -> ExplainerOptions {
        ExplainerOptions(samples: samples, seed: seed, outputSpace: outputSpace)
    }
}

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what was loaded from a model file.")

    @OptionGroup var modelOption: ModelOption

    func run() throws {
        let model = try modelOption.load()
        print(ModelSummary(model: model, file: modelOption.model).text, terminator: "")
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the model's raw outputs (row,output,value), to check an export against the trained model.")

    @OptionGroup var modelOption: ModelOption
    @OptionGroup var sources: DataSourceOptions

    @Option(help: ArgumentHelp("Where to write the CSV ('-' = standard output).", valueName: "path"))
    var output: String = "-"

    func run() throws {
        let model = try modelOption.load()
        let writer = try AtomicFileWriter(path: output)
        var rows = 0
        try sources.forEachBatch(for: model) { batch, file in
            try writer.write(AttributionCSVWriter.predictions(try predictRaw(model, batch, file: file), numOutputs: model.numOutputs,
                                                              firstRow: rows, includeHeader: rows == 0))
            rows += batch.rowCount
        }
        try writer.commit()
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute SHAP attributions for every row of the data.",
        discussion: """
        Output: row,output,<features in model order>,base_value — one line per row per model output, \
        in the model's raw output space (log-odds for logistic objectives). Additivity holds: the \
        feature columns plus base_value equal the raw model output. Rows are numbered from 0 across \
        all inputs, in order.
        """)

    @OptionGroup var modelOption: ModelOption
    @OptionGroup var sources: DataSourceOptions

    @OptionGroup var methodOptions: MethodOptions

    @Option(help: ArgumentHelp("Where to write the CSV ('-' = standard output).", valueName: "path"))
    var output: String = "-"

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Print the wall time of loading, reading, attributing and writing to standard error.")
    var timings = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        var clock = StageClock()
        let model = try modelOption.load()
        let explainer = try methodOptions.explainer(for: model)
        let writer = try AtomicFileWriter(path: output)
        clock.lap("loading")
        var rows = 0
        try sources.forEachBatch(for: model) { batch, file in
            clock.lap("reading")
            let attributions = try explainer.explain(batch, file: file, threads: threads ?? RowParallel.defaultThreads)
            clock.lap("attributing", rows: batch.rowCount)
            try writer.write(AttributionCSVWriter.attributions(attributions, featureNames: model.displayFeatureNames,
                                                               firstRow: rows, includeHeader: rows == 0))
            rows += batch.rowCount
            clock.lap("writing")
        }
        try writer.commit()
        clock.lap("writing")
        if timings { FileHandle.standardError.write(Data("shapdrift: timings: \(clock.summary)\n".utf8)) }
    }
}

/// Wall time per named stage of a command, for `--timings`; laps of the same stage add up.
struct StageClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    private var stages: [(name: String, seconds: Double, rows: Int?)] = []

    mutating func lap(_ name: String, rows: Int? = nil) {
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(now - last) / 1e9
        last = now
        if let index = stages.firstIndex(where: { $0.name == name }) {
            stages[index].seconds += seconds
            if let rows { stages[index].rows = (stages[index].rows ?? 0) + rows }
        } else {
            stages.append((name, seconds, rows))
        }
    }

    var summary: String {
        stages.map { stage in
            let rate = stage.rows.map { stage.seconds > 0 ? " (\(Int((Double($0) / stage.seconds).rounded())) rows/s)" : "" } ?? ""
            return String(format: "%@ %.3f s", stage.name, stage.seconds) + rate
        }.joined(separator: ", ")
    }
}
