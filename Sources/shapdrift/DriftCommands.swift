import ArgumentParser
import Foundation
import ShapDrift

extension InputFormat: ExpressibleByArgument {}
extension AttributionAggregation: ExpressibleByArgument {}

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

    func validate() throws {
        if data.isEmpty { throw ValidationError("--data needs at least one path") }
        if let since, ISO8601Time.seconds(since) == nil { throw ValidationError("--since: expected an ISO 8601 time such as 2022-02-14T17:00:00Z") }
        if let until, ISO8601Time.seconds(until) == nil { throw ValidationError("--until: expected an ISO 8601 time such as 2022-02-14T18:00:00Z") }
    }

    func source(for model: Model) throws -> FeatureSourceChain {
        try FeatureSourceChain(paths: data, schema: FeatureSchema(model: model), format: inputFormat,
                               window: CaptureTimeWindow(since: since.flatMap(ISO8601Time.seconds), until: until.flatMap(ISO8601Time.seconds)))
    }

    /// Every row of the sources, a batch at a time (as many rows as `check`'s blocks), with the
    /// file each batch came from; an error when there are none. For the commands that write one
    /// line per row (`explain`, `predict`), so their memory does not grow with the data.
    func forEachBatch(for model: Model, _ body: (FeatureBatch, String) throws -> Void) throws {
        let chain = try source(for: model)
        var rows = 0
        let rowsPerBatch = ProfileBuilder.rowsWithinBudget(features: model.numFeatures, width: model.numOutputs * model.numFeatures, replicates: 0)
        while let batch = try chain.nextBatch(maxRows: rowsPerBatch) {
            try body(batch, chain.currentFile)
            rows += batch.rowCount
        }
        guard rows > 0 else { throw chain.noRowsError }
    }
}

/// Options shared by the commands that stream data into a profile.
struct DataOptions: ParsableArguments {
    @OptionGroup var sources: DataSourceOptions

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Print where the time went (attributing, folding, waiting for input) to standard error.")
    var timings = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func report(_ stages: StageTimings) {
        if timings { FileHandle.standardError.write(Data("shapdrift: timings: \(stages.summary)\n".utf8)) }
    }

    func source(for model: Model) throws -> FeatureSourceChain {
        try sources.source(for: model)
    }
}

struct Baseline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Profile a model's attributions on reference data (e.g. the training set) for later checks.")

    @OptionGroup var modelOption: ModelOption
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var methodOptions: MethodOptions

    @Option(help: ArgumentHelp("Where to write the profile ('-' = standard output).", valueName: "path"))
    var output: String = "baseline.json"

    func run() throws {
        let model = try modelOption.load()
        let explainer = try methodOptions.explainer(for: model)
        var builder = ProfileBuilder(explainer: explainer)
        builder.threads = dataOptions.threads ?? RowParallel.defaultThreads
        var noBootstrap: PoissonBootstrap? = nil
        var timings = StageTimings()
        let profile = try builder.build(from: dataOptions.source(for: model), bootstrap: &noBootstrap, timings: &timings)
        dataOptions.report(timings)
        try writeAtomically(profile.encoded(), to: output)
        if output != "-" {
            FileHandle.standardError.write(Data("shapdrift: baseline of \(profile.rows) rows written to \(output)\n".utf8))
        }
    }
}

/// An explainer for `model`, reading the background CSV when one is given.
func makeExplainer(model: Model, method: AttributionMethod?, background: String?, options: ExplainerOptions) throws -> Explainer {
    var backgroundBatch: FeatureBatch? = nil
    var backgroundFile = "background"
    if let background {
        let reader = try CSVFeatureReader(path: background, schema: FeatureSchema(model: model))
        backgroundBatch = try reader.readAll()
        backgroundFile = reader.file
    }
    return try Explainer(model: model, method: method, background: backgroundBatch, backgroundFile: backgroundFile, options: options)
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Attribute current data, compare it with a baseline, and report feature-attribution drift.",
        discussion: """
        Drift when NDCG (SageMaker Clarify's score) < --threshold, or when a feature breaches: its SHAP \
        distribution moved by ≥ --feature-shift-threshold of the total attribution (Wasserstein-1) and its \
        PSI ≥ --psi-threshold. Exit 0 no drift, 1 drift, 2 usage or input error. A drift finding means \
        investigate, not retrain or roll back.
        """)

    @Option(help: ArgumentHelp("Profile written by `shapdrift baseline`.", valueName: "path"))
    var baseline: String

    @OptionGroup var modelOption: ModelOption
    @OptionGroup var dataOptions: DataOptions

    @Option(help: ArgumentHelp("Background sample (CSV), as given to `baseline`.", valueName: "path"))
    var background: String?

    @OptionGroup var sampling: SamplingOptions

    @Option(help: "NDCG threshold: drift below it.")
    var threshold: Double = DriftThresholds().ndcg

    @Option(help: "Per-feature shift threshold (fraction of the total baseline mean |SHAP| moved).")
    var featureShiftThreshold: Double = DriftThresholds().featureShift

    @Option(help: "Per-feature PSI threshold.")
    var psiThreshold: Double = DriftThresholds().psi

    @Option(help: "Global attribution of a feature: mean_abs (SageMaker Clarify's default), median (of |SHAP|) or mean_sq.")
    var aggregation: AttributionAggregation = .meanAbs

    @Option(help: "Bootstrap replicates for the NDCG interval (0 = none; mean_abs only).")
    var bootstrap: Int = 200

    @Option(help: ArgumentHelp("Report directory.", valueName: "dir"))
    var outputDir: String = "shapdrift-report"

    @Option(help: ArgumentHelp("What to print on standard output: text (table and verdict) or json (report.json).", valueName: "format"))
    var format: String = "text"

    func validate() throws {
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be between 0 and 1") }
        guard featureShiftThreshold > 0, psiThreshold > 0 else { throw ValidationError("feature thresholds must be positive") }
        guard (0...100_000).contains(bootstrap) else { throw ValidationError("--bootstrap must be between 0 and 100000") }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
    }

    func run() throws {
        let baselineProfile = try AttributionProfile.load(path: baseline)
        let model = try modelOption.load()
        guard let method = AttributionMethod(rawValue: baselineProfile.identity.method) else {
            throw InputError(file: baseline, field: "model.method", "unknown method \(baselineProfile.identity.method)")
        }
        let outputSpace: OutputSpace = baselineProfile.identity.outputSpace == "probability" ? .probability : .raw
        let explainer = try makeExplainer(model: model, method: method, background: background,
                                          options: sampling.options(outputSpace: outputSpace))
        var builder = ProfileBuilder(explainer: explainer)
        if let mismatch = baselineProfile.identity.mismatch(with: builder.identity) {
            throw InputError(file: baseline, mismatch)
        }
        builder.threads = dataOptions.threads ?? RowParallel.defaultThreads
        var replicates: PoissonBootstrap? = bootstrap > 0
            ? PoissonBootstrap(replicates: bootstrap, seed: sampling.seed, width: model.numOutputs * model.numFeatures) : nil
        var timings = StageTimings()
        let current = try builder.build(from: dataOptions.source(for: model), bootstrap: &replicates, timings: &timings)
        dataOptions.report(timings)
        let comparator = DriftComparator(thresholds: DriftThresholds(ndcg: threshold, featureShift: featureShiftThreshold, psi: psiThreshold),
                                         aggregation: aggregation)
        let report = comparator.compare(baseline: baselineProfile, current: current, bootstrap: replicates)
        try DriftReportWriter.write(report, analysisBaseValues: explainer.baseValues,
                                    currentMeans: (0..<model.numOutputs).map { current.meanAbsoluteAttribution(output: $0) },
                                    to: outputDir)
        if format == "json" {
            try writeAtomically(DriftReportWriter.json(report), to: "-")
        } else {
            print(DriftReportWriter.terminalSummary(report), terminator: "")
            print("Report: \(outputDir)/report.md")
        }
        if report.driftDetected { throw ExitCode(ExitStatus.driftFound) }
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge baseline profiles of parts of a dataset (e.g. shards) into the profile of the whole.")

    @Argument(help: ArgumentHelp("Profiles to merge (same model, method and features).", valueName: "profile"))
    var profiles: [String]

    @Option(help: ArgumentHelp("Where to write the merged profile ('-' = standard output).", valueName: "path"))
    var output: String = "baseline.json"

    func validate() throws {
        if profiles.count < 2 { throw ValidationError("give at least two profiles to merge") }
    }

    func run() throws {
        var merged = try AttributionProfile.load(path: profiles[0])
        for path in profiles.dropFirst() {
            let next = try AttributionProfile.load(path: path)
            do {
                try merged.merge(next)
            } catch {
                throw InputError(file: path, error.message)
            }
        }
        try writeAtomically(merged.encoded(), to: output)
    }
}
