import ArgumentParser
import Foundation
import ShapDrift

struct Baseline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Profile a model's attributions on reference data (e.g. the training set) for later checks.")

    @OptionGroup var modelOption: ModelOption
    @OptionGroup var sources: DataSourceOptions
    @OptionGroup var methodOptions: MethodOptions
    @OptionGroup var runOptions: RunOptions

    @Option(help: ArgumentHelp("Where to write the profile ('-' = standard output).", valueName: "path"))
    var output: String = "baseline.json"

    func run() throws {
        let model = try modelOption.load()
        var profiler = AttributionProfiler(explainer: try methodOptions.explainer(for: model))
        profiler.threads = runOptions.threadCount
        var noBootstrap: PoissonBootstrap? = nil
        var timings = StageTimings()
        let source = try sources.source(for: model)
        var profile = try profiler.profile(source, bootstrap: &noBootstrap, timings: &timings)
        let columns = source.statistics.columnNames
        profile.columns = columns.isEmpty ? nil : columns.sorted()
        profile.created = UTCTimestamp.creation()
        runOptions.report(timings.summary)
        try writeAtomically(profile.encoded(), to: output)
        if output != "-" {
            FileHandle.standardError.write(Data("shapdrift: baseline of \(profile.rows) rows written to \(output)\n".utf8))
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Attribute current data, compare it with a baseline, and report feature-attribution drift.",
        discussion: """
        Drift when a feature breaches: for some output its SHAP distribution or mean |SHAP| moved \
        significantly (permutation tests; Holm keeps the chance of any false alarm at --alpha) and by at least \
        --min-shift of the attribution mass. Clarify's NDCG rule, prediction drift and data quality are \
        reported beside it, and make the verdict with --fail-on. Exit 0 no drift, 1 drift, 2 usage or input \
        error. A drift finding means investigate, not retrain or roll back.
        """)

    @Option(help: ArgumentHelp("Profile written by `shapdrift baseline`.", valueName: "path"))
    var baseline: String

    @OptionGroup var modelOption: ModelOption
    @OptionGroup var sources: DataSourceOptions
    @OptionGroup var backgroundOption: BackgroundOption
    @OptionGroup var sampling: SamplingOptions
    @OptionGroup var runOptions: RunOptions

    @Option(help: "Family-wise false-alarm rate: the chance that a check of unchanged data flags any feature (per family of tests).")
    var alpha: Double = DriftThresholds().alpha

    @Option(help: "Smallest shift that breaches: the share of the attribution mass (of both samples) that moved, in [0, 1].")
    var minShift: Double = DriftThresholds().minShift

    @Option(help: "NDCG threshold of Clarify's rule (reported; part of the verdict with --fail-on ndcg).")
    var threshold: Double = DriftThresholds().ndcg

    @Option(help: ArgumentHelp("What else makes the verdict, comma-separated: ndcg, prediction, data_quality (attribution always does).", valueName: "criteria"))
    var failOn: String = ""

    @Option(help: ArgumentHelp("Names of the model's outputs (classes), comma-separated; the export's when absent.", valueName: "names"))
    var outputNames: String?

    @Option(help: "completeness_check: a significant rise of the missing rate by at least this.")
    var completenessThreshold: Double = DriftThresholds().completeness

    @Option(help: "baseline_drift_check: a significant input change with at least this distance (Kolmogorov–Smirnov, or a category's share).")
    var valueDistanceThreshold: Double = DriftThresholds().valueDistance

    @Option(help: "categorical_values_check: more than this share of current values in categories the baseline never saw.")
    var unseenCategoryThreshold: Double = DriftThresholds().unseenCategories

    @Option(help: "Global attribution of a feature: mean_abs (SageMaker Clarify's default), median (of |SHAP|) or mean_sq.")
    var aggregation: AttributionAggregation = .meanAbs

    @Option(help: "Bootstrap replicates for the NDCG and shift intervals (0 = none; mean_abs only).")
    var bootstrap: Int = 200

    @Option(help: ArgumentHelp("Report directory.", valueName: "dir"))
    var outputDir: String = "shapdrift-report"

    @Option(help: ArgumentHelp("What to print on standard output: text (table and verdict) or json (report.json).", valueName: "format"))
    var format: String = "text"

    func validate() throws {
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be between 0 and 1") }
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1 (exclusive)") }
        guard (0...1).contains(minShift) else { throw ValidationError("--min-shift must be between 0 and 1") }
        for (flag, value) in [("--completeness-threshold", completenessThreshold), ("--value-distance-threshold", valueDistanceThreshold),
                              ("--unseen-category-threshold", unseenCategoryThreshold)] where !(0...1).contains(value) {
            throw ValidationError("\(flag) must be between 0 and 1")
        }
        guard (0...100_000).contains(bootstrap) else { throw ValidationError("--bootstrap must be between 0 and 100000") }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        _ = try criteria()
    }

    func criteria() throws -> Set<VerdictCriterion> {
        var set: Set<VerdictCriterion> = [.attribution]
        for name in failOn.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "-", with: "_") }) where !name.isEmpty {
            guard let criterion = VerdictCriterion(rawValue: name) else {
                throw ValidationError("--fail-on: unknown criterion '\(name)', expected ndcg, prediction or data_quality")
            }
            set.insert(criterion)
        }
        return set
    }

    func options(for model: Model) throws -> DriftCheckOptions {
        var options = DriftCheckOptions()
        options.thresholds = DriftThresholds(ndcg: threshold, alpha: alpha, minShift: minShift, completeness: completenessThreshold,
                                             valueDistance: valueDistanceThreshold, unseenCategories: unseenCategoryThreshold)
        options.failOn = try criteria()
        if let outputNames {
            let names = outputNames.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard names.count == model.numOutputs else {
                throw ValidationError("--output-names: \(names.count) names for a model with \(model.numOutputs) output(s)")
            }
            options.outputNames = names
        }
        options.aggregation = aggregation
        options.bootstrapReplicates = bootstrap
        options.bootstrapSeed = sampling.seed
        options.explainer = sampling.options()
        options.threads = runOptions.threadCount
        return options
    }

    func run() throws {
        let provenance = CheckProvenance()
        let baselineProfile = try AttributionProfile.load(path: baseline)
        let model = try modelOption.load()
        let background = try backgroundOption.read(for: model)
        let monitor: DriftMonitor
        do {
            monitor = try DriftMonitor(baseline: baselineProfile, model: model, background: background, options: options(for: model))
        } catch {
            guard case .incompatible(let mismatch) = error as? ShapDriftError else { throw error }
            throw ShapDriftError.incompatible(mismatch.inFile(baseline))
        }
        let check = try monitor.check(sources.source(for: model, absentColumns: .treatAsMissing))
        runOptions.report(check.timings.summary)
        var report = check.report
        provenance.complete(&report, data: sources.data, since: sources.since, until: sources.until, modelPath: modelOption.model,
                            model: model, baselinePath: baseline)
        try ReportSet.write(report, current: check.current, to: outputDir)
        if format == "json" {
            try writeAtomically(ReportJSON.bytes(report), to: "-")
        } else {
            print(TerminalSummary.text(report), terminator: "")
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
                throw ShapDriftError.incompatible(error.inFile(path))
            }
        }
        try writeAtomically(merged.encoded(), to: output)
    }
}
