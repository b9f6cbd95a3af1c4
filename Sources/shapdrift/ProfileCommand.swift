import ArgumentParser
import Foundation
import ShapDrift

/// `shapdrift profile`: one shard's partial profile of the current data, for a split job whose
/// shards are merged (`shapdrift merge`) and checked (`shapdrift check --current-profile`).
struct Profile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Profile current data (or one shard of it) for a later check: the partial profile a split job's shards merge.",
        discussion: """
        Attributes the rows with the method and settings given (as to baseline and check: --method, \
        --background, --samples, --seed, --sample-rate), and writes their profile with the bootstrap's \
        replicates and what reading found (records, bad records). Profiles of the shards of a split \
        (--shard) merge exactly: `shapdrift merge part-*.json` then `shapdrift check --baseline B \
        --current-profile merged.json` gives the report a single check of the same rows gives. Bad \
        records: the count limit stops a shard early (a shard over it is over in total); the fraction \
        is judged by check, on every shard's records together.
        """)

    @OptionGroup var modelOption: ModelOption
    @OptionGroup var sources: DataSourceOptions
    @OptionGroup var methodOptions: MethodOptions
    @OptionGroup var recordSampling: RecordSamplingOptions
    @OptionGroup var shardOptions: ShardOptions
    @OptionGroup var runOptions: RunOptions

    @Option(help: "Bootstrap replicates for the NDCG interval of the check (0 = none); their seed is --seed, as for check.")
    var bootstrap = MonitoringJob.Bootstrap().replicates

    @Option(help: ArgumentHelp("Where to write the profile ('-' = standard output).", valueName: "path"))
    var output: String = "profile.json"

    func validate() throws {
        try sources.requireData()
        guard (0...100_000).contains(bootstrap) else { throw ValidationError("--bootstrap must be between 0 and 100000") }
    }

    func run() throws {
        let model = try modelOption.load()
        let (shard, engine) = try shardOptions.selection(data: sources.data)
        var profiler = AttributionProfiler(explainer: try methodOptions.explainer(for: model, limits: sources.limits))
        profiler.threads = runOptions.threadCount
        profiler.sampling = recordSampling.sampling
        profiler.allowsNoRows = !shard.isWhole
        ShardNotice.print(shard, engine: engine, quiet: runOptions.quiet)
        // The fraction of bad records is the check's to judge, over every shard's records.
        var selection = sources.selection(badRecords: .tolerant)
        if !selection.badRecords.isStrict { selection.badRecords.maxFraction = 1 }
        // Read as check reads (absent columns as missing values), so the merge equals the single check.
        let source = try selection.source(for: model, now: 0, shard: shard)
        var timings = StageTimings()
        let progress = runOptions.progressLine("profiling")
        profiler.progress = progress?.handler
        let profile: AttributionProfile
        do {
            profile = try profiler.currentProfile(source, replicates: bootstrap, seed: methodOptions.sampling.seed, shard: shard,
                                                  timings: &timings)
            progress?.finish()
        } catch {
            progress?.finish()
            throw error
        }
        runOptions.report(timings.summary, fields: timings.fields)
        SkippedRecordsNotice.print(source.recordSummary, what: "left out of the profile (counted in it)", quiet: runOptions.quiet)
        try writeAtomically(profile.encoded(), to: output)
        if output != "-", !runOptions.quiet {
            FileHandle.standardError.write(Data("shapdrift: profile of \(profile.rows) rows (\(shard.description)) written to \(output)\n".utf8))
        }
    }
}

/// The standard-error line naming the shard a run profiles, so a job's logs say which part each
/// process read.
enum ShardNotice {
    static func print(_ shard: ShardSelection, engine: ShardEnvironment.Engine?, quiet: Bool) {
        guard !shard.isWhole, !quiet else { return }
        let source = engine.map { " (from the \($0.rawValue)'s environment)" } ?? ""
        FileHandle.standardError.write(Data("shapdrift: profiling \(shard.description)\(source)\n".utf8))
    }
}
