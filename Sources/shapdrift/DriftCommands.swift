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
        var profiler = AttributionProfiler(explainer: try methodOptions.explainer(for: model))
        profiler.threads = runOptions.threadCount
        profiler.sampling = recordSampling.sampling
        profiler.allowsNoRows = !shard.isWhole
        var noBootstrap: PoissonBootstrap? = nil
        var timings = StageTimings()
        ShardNotice.print(shard, engine: engine)
        // A reference is strict by default: every record of it is meant to be good.
        let source = try sources.source(for: model, badRecords: .strict, shard: shard)
        var profile = try profiler.profile(source, bootstrap: &noBootstrap, timings: &timings)
        profile.shards = ShardCoverage(shard)
        runOptions.report(timings.summary)
        SkippedRecordsNotice.print(source.recordSummary, what: "left out of the baseline")
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
        Drift when NDCG (SageMaker Clarify's score) < --threshold, or when a feature breaches: its SHAP \
        distribution moved by ≥ --feature-shift-threshold of the total attribution (Wasserstein-1) and its \
        PSI ≥ --psi-threshold. Exit 0 no drift, 1 drift, 2 usage or input error. A drift finding means \
        investigate, not retrain or roll back. With --current-profile (a split job's merged `shapdrift \
        profile` shards) nothing is attributed: the report is the one a check of the same rows writes.
        """)

    @Option(help: ArgumentHelp("Profile written by `shapdrift baseline`.", valueName: "path"))
    var baseline: String

    @Option(name: .long, help: ArgumentHelp("Model file: XGBoost JSON, LightGBM text, or ShapDrift JSON (with --current-profile: optional, checked to be the profiles' model).", valueName: "path"))
    var model: String?

    @Option(help: ArgumentHelp("Compare this profile of the current data (`shapdrift profile`, shards joined by `shapdrift merge`) instead of reading --data.", valueName: "path"))
    var currentProfile: String?

    @OptionGroup var sources: DataSourceOptions
    @OptionGroup var backgroundOption: BackgroundOption
    @OptionGroup var sampling: SamplingOptions
    @OptionGroup var recordSampling: RecordSamplingOptions
    @OptionGroup var runOptions: RunOptions

    @Option(help: "NDCG threshold: drift below it.")
    var threshold: Double = DriftThresholds().ndcg

    @Option(help: "Per-feature shift threshold (fraction of the total baseline mean |SHAP| moved).")
    var featureShiftThreshold: Double = DriftThresholds().featureShift

    @Option(help: "Per-feature PSI threshold.")
    var psiThreshold: Double = DriftThresholds().psi

    @Option(help: "Global attribution of a feature: mean_abs (SageMaker Clarify's default), median (of |SHAP|) or mean_sq.")
    var aggregation: AttributionAggregation = .meanAbs

    @Option(help: "Bootstrap replicates for the NDCG interval (0 = none; mean_abs only; default 200, or with --current-profile the profile's).")
    var bootstrap: Int?

    @Option(help: ArgumentHelp("Report directory.", valueName: "dir"))
    var outputDir: String = "shapdrift-report"

    @Option(help: ArgumentHelp("What to print on standard output: text (table and verdict) or json (report.json).", valueName: "format"))
    var format: String = "text"

    func validate() throws {
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be between 0 and 1") }
        guard featureShiftThreshold > 0, psiThreshold > 0 else { throw ValidationError("feature thresholds must be positive") }
        if let bootstrap, !(0...100_000).contains(bootstrap) { throw ValidationError("--bootstrap must be between 0 and 100000") }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        if currentProfile != nil {
            if !sources.data.isEmpty { throw ValidationError("--current-profile replaces --data: give one of them") }
        } else {
            if model == nil { throw ValidationError("--model is required (unless --current-profile is given)") }
            try sources.requireData()
        }
    }

    var thresholds: DriftThresholds { DriftThresholds(ndcg: threshold, featureShift: featureShiftThreshold, psi: psiThreshold) }

    var outputs: MonitoringJob.Outputs {
        var outputs = MonitoringJob.Outputs()
        outputs.directory = outputDir
        outputs.stdout = format == "json" ? .json : .text
        return outputs
    }

    /// The check as a job: `shapdrift run` of the equivalent job file runs the same code.
    var job: MonitoringJob {
        var job = MonitoringJob(model: model ?? "", baseline: baseline, data: sources.selection(badRecords: .tolerant))
        job.method = MonitoringJob.Method(background: backgroundOption.background, samples: sampling.samples, seed: sampling.seed)
        job.sampling = recordSampling.sampling
        job.thresholds = thresholds
        job.aggregation = aggregation
        job.bootstrap = MonitoringJob.Bootstrap(replicates: bootstrap ?? MonitoringJob.Bootstrap().replicates)
        job.outputs = outputs
        job.threads = runOptions.threads
        return job
    }

    /// The check of a current profile.
    func profileCheck(_ current: String) -> ProfileCheck {
        var check = ProfileCheck(baseline: baseline, current: current)
        check.model = model
        check.options.thresholds = thresholds
        check.options.aggregation = aggregation
        check.bootstrapReplicates = bootstrap
        check.badRecords = sources.badRecords(default: .tolerant)
        check.outputs = outputs
        return check
    }

    func run() throws {
        if let currentProfile {
            try JobRunner.finish(try profileCheck(currentProfile).check(), outputs: outputs, runOptions: runOptions)
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
                guard case .incompatible(let mismatch) = error else { throw error }
                throw ShapDriftError.incompatible(mismatch.inFile(path))
            }
        }
        try writeAtomically(merged.encoded(), to: output)
    }
}
