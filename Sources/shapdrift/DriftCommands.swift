import ArgumentParser
import Foundation
import ShapDrift

struct Baseline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Profile a model's attributions on reference data (e.g. the training set) for later checks.")

    @OptionGroup var modelOption: ModelOption
    @OptionGroup var sources: DataSourceOptions
    @OptionGroup var methodOptions: MethodOptions
    @OptionGroup var recordSampling: RecordSamplingOptions
    @OptionGroup var shardOptions: ShardOptions
    @OptionGroup var runOptions: RunOptions

    @Option(help: ArgumentHelp("Where to write the profile ('-' = standard output).", valueName: "path"))
    var output: String = "baseline.json"

    func validate() throws {
        try sources.requireData()
    }

    func run() throws {
        let model = try modelOption.load()
        let (shard, engine) = try shardOptions.selection(data: sources.data)
        var profiler = AttributionProfiler(explainer: try methodOptions.explainer(for: model, limits: sources.limits))
        profiler.threads = runOptions.threadCount
        profiler.sampling = recordSampling.sampling
        let progress = runOptions.progressLine("profiling")
        profiler.progress = progress?.handler
        profiler.allowsNoRows = !shard.isWhole
        var noBootstrap: PoissonBootstrap? = nil
        var timings = StageTimings()
        ShardNotice.print(shard, engine: engine, quiet: runOptions.quiet)
        // A reference is strict by default: every record of it is meant to be good.
        let source = try sources.source(for: model, badRecords: .strict, shard: shard)
        var profile: AttributionProfile
        do {
            profile = try profiler.profile(source, bootstrap: &noBootstrap, timings: &timings)
            progress?.finish()
        } catch {
            progress?.finish()
            throw error
        }
        profile.shards = ShardCoverage(shard)
        let columns = source.columnStatistics.columnNames
        profile.columns = columns.isEmpty ? nil : columns.sorted()
        profile.created = UTCTimestamp.creation()
        runOptions.report(timings.summary, fields: timings.fields)
        SkippedRecordsNotice.print(source.recordSummary, what: "left out of the baseline", quiet: runOptions.quiet)
        try writeAtomically(profile.encoded(), to: output)
        if output != "-", !runOptions.quiet {
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
        error. A drift finding means investigate, not retrain or roll back. With --current-profile (a split \
        job's merged `shapdrift profile` shards) nothing is attributed: the report is the one a check of the \
        same rows writes.
        """)

    @Option(help: ArgumentHelp("Profile written by `shapdrift baseline`.", valueName: "path"))
    var baseline: String

    @OptionGroup var modelOption: ModelOption

    @Option(help: ArgumentHelp("Compare this profile of the current data (`shapdrift profile`, shards joined by `shapdrift merge`) instead of reading --data; the model is still needed (its structure, output names and warnings go in the report).", valueName: "path"))
    var currentProfile: String?

    @OptionGroup var sources: DataSourceOptions
    @OptionGroup var backgroundOption: BackgroundOption
    @OptionGroup var sampling: SamplingOptions
    @OptionGroup var recordSampling: RecordSamplingOptions
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

    @Option(help: "Bootstrap replicates for the NDCG and shift intervals (0 = none; mean_abs only; default 200, or with --current-profile the profile's).")
    var bootstrap: Int?

    @Option(help: ArgumentHelp("Report directory.", valueName: "dir"))
    var outputDir: String = "shapdrift-report"

    @OptionGroup var metrics: MetricsOptions

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
        if let bootstrap, !(0...100_000).contains(bootstrap) { throw ValidationError("--bootstrap must be between 0 and 100000") }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        _ = try criteria()
        if currentProfile != nil {
            if !sources.data.isEmpty { throw ValidationError("--current-profile replaces --data: give one of them") }
        } else {
            try sources.requireData()
        }
    }

    var thresholds: DriftThresholds {
        DriftThresholds(ndcg: threshold, alpha: alpha, minShift: minShift, completeness: completenessThreshold,
                        valueDistance: valueDistanceThreshold, unseenCategories: unseenCategoryThreshold)
    }

    var names: [String]? {
        outputNames.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    var outputs: MonitoringJob.Outputs {
        var outputs = MonitoringJob.Outputs()
        outputs.directory = outputDir
        outputs.stdout = format == "json" ? .json : .text
        outputs.metrics = metrics.settings
        return outputs
    }

    /// `--fail-on` as criteria; `attribution` always makes the verdict.
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

    /// The check as a job: `shapdrift run` of the equivalent job file runs the same code.
    var job: MonitoringJob {
        var job = MonitoringJob(model: modelOption.model, baseline: baseline, data: sources.selection(badRecords: .tolerant))
        job.method = MonitoringJob.Method(background: backgroundOption.background, samples: sampling.samples, seed: sampling.seed)
        job.sampling = recordSampling.sampling
        job.thresholds = thresholds
        job.failOn = (try? criteria()) ?? [.attribution]
        job.outputNames = names
        job.aggregation = aggregation
        job.bootstrap = MonitoringJob.Bootstrap(replicates: bootstrap ?? MonitoringJob.Bootstrap().replicates)
        job.outputs = outputs
        job.threads = runOptions.threads
        return job
    }

    /// The check of a current profile.
    func profileCheck(_ current: String) -> ProfileCheck {
        var check = ProfileCheck(baseline: baseline, current: current, model: modelOption.model)
        check.options.thresholds = thresholds
        check.options.failOn = (try? criteria()) ?? [.attribution]
        check.options.outputNames = names
        check.options.aggregation = aggregation
        check.bootstrapReplicates = bootstrap
        check.badRecords = sources.badRecords(default: .tolerant)
        check.outputs = outputs
        return check
    }

    func run() throws {
        if let currentProfile {
            try JobRunner.run(profileCheck(currentProfile), now: MonitoringJob.now, runOptions: runOptions)
        } else {
            try JobRunner.run(job, now: MonitoringJob.now, runOptions: runOptions)
        }
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge profiles of parts of a dataset (a split job's shards, baseline or current) into the profile of the whole.",
        discussion: """
        The merge equals the profile of the whole: counts, exact sums, sketches and the bootstrap add up \
        exactly. Shards of a split merge once each (a shard given twice is refused); `check` refuses a \
        profile missing some.
        """)

    @Argument(help: ArgumentHelp("Profiles to merge (same model, method, features and settings).", valueName: "profile"))
    var profiles: [String]

    /// No default: a merge run in a baseline's folder must not overwrite it unasked.
    @Option(help: ArgumentHelp("Where to write the merged profile ('-' = standard output).", valueName: "path"))
    var output: String

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
                switch error {
                case .incompatible(let mismatch): throw ShapDriftError.incompatible(mismatch.inFile(path))
                case .input(let input): throw ShapDriftError.input(input.inFile(path))
                default: throw error
                }
            }
        }
        try writeAtomically(merged.encoded(), to: output)
    }
}
