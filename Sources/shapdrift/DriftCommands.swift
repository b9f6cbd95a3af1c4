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
        var profiler = AttributionProfiler(explainer: try methodOptions.explainer(for: model, limits: sources.limits))
        profiler.threads = runOptions.threadCount
        var noBootstrap: PoissonBootstrap? = nil
        var timings = StageTimings()
        let profile = try profiler.profile(sources.source(for: model), bootstrap: &noBootstrap, timings: &timings)
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
        Drift when NDCG (SageMaker Clarify's score) < --threshold, or when a feature breaches: its SHAP \
        distribution moved by ≥ --feature-shift-threshold of the total attribution (Wasserstein-1) and its \
        PSI ≥ --psi-threshold. Exit 0 no drift, 1 drift, 2 usage or input error. A drift finding means \
        investigate, not retrain or roll back.
        """)

    @Option(help: ArgumentHelp("Profile written by `shapdrift baseline`.", valueName: "path"))
    var baseline: String

    @OptionGroup var modelOption: ModelOption
    @OptionGroup var sources: DataSourceOptions
    @OptionGroup var backgroundOption: BackgroundOption
    @OptionGroup var sampling: SamplingOptions
    @OptionGroup var runOptions: RunOptions

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

    var options: DriftCheckOptions {
        var options = DriftCheckOptions()
        options.thresholds = DriftThresholds(ndcg: threshold, featureShift: featureShiftThreshold, psi: psiThreshold)
        options.aggregation = aggregation
        options.bootstrapReplicates = bootstrap
        options.bootstrapSeed = sampling.seed
        options.explainer = sampling.options()
        options.threads = runOptions.threadCount
        return options
    }

    /// Runs the check; when it fails, an older report set in the output directory is replaced by a
    /// `status.json` saying why (`ReportSet.writeFailure`), so its verdict no longer looks current.
    func run() throws {
        do {
            try check()
        } catch let code as ExitCode {
            throw code
        } catch {
            let message = CommandLineHints.message(for: error) ?? "\(error)"
            do {
                try ReportSet.writeFailure(message, to: outputDir)
            } catch let statusError {
                throw CommandFailure(message: "\(message); and the earlier report could not be marked failed: \(statusError.description)")
            }
            throw error
        }
    }

    private func check() throws {
        let baselineProfile = try AttributionProfile.load(path: baseline)
        let model = try modelOption.load()
        let background = try backgroundOption.read(for: model, limits: sources.limits)
        let monitor: DriftMonitor
        do {
            monitor = try DriftMonitor(baseline: baselineProfile, model: model, background: background, options: options)
        } catch {
            guard case .incompatible(let mismatch) = error else { throw error }
            throw ShapDriftError.incompatible(mismatch.inFile(baseline))
        }
        let check = try monitor.check(sources.source(for: model))
        runOptions.report(check.timings.summary)
        try ReportSet.write(check.report, current: check.current, to: outputDir)
        if format == "json" {
            try writeAtomically(ReportJSON.bytes(check.report), to: "-")
        } else {
            try writeAtomically(Array((TerminalSummary.text(check.report) + "Report: \(outputDir)/report.md\n").utf8), to: "-")
        }
        if check.report.driftDetected { throw ExitCode(ExitStatus.driftFound) }
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
                guard case .incompatible(let mismatch) = error else { throw error }
                throw ShapDriftError.incompatible(mismatch.inFile(path))
            }
        }
        try writeAtomically(merged.encoded(), to: output)
    }
}
