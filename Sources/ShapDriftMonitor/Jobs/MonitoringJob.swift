import Foundation
import ShapDriftAttribution
import ShapDriftCore
import ShapDriftDrift
import ShapDriftFormats

/// One scheduled check, as a job file describes it (`shapdrift run job.yaml`, schema in
/// `docs/job.md`) or as `shapdrift check`'s flags do: the model and its baseline, the method's
/// settings, the data and its window, sampling, the bad-record budget, thresholds and outputs.
///
/// The library's part is everything up to the `DriftCheck` (`check(now:)`) and the checks that
/// need no run (`validate(now:)`); writing the report directory is the caller's (the `shapdrift`
/// tool and its container entry point write `outputs` with `ReportSet`).
public struct MonitoringJob: Sendable, Equatable {
    public var model: String
    public var baseline: String
    /// The method's settings as given to the baseline: its background sample, and the budget
    /// and seed of the sampling methods.
    public var method = Method()
    public var data: DataSelection
    public var sampling = RecordSampling.all
    public var thresholds = DriftThresholds()
    /// What makes the verdict besides the attributions (`VerdictCriterion`).
    public var failOn: Set<VerdictCriterion> = [.attribution]
    /// Names of the model's outputs for the reports; the export's when `nil`.
    public var outputNames: [String]?
    public var aggregation = AttributionAggregation.meanAbs
    public var bootstrap = Bootstrap()
    public var outputs = Outputs()
    /// Worker threads; the cores this process may use when `nil`.
    public var threads: Int?

    public struct Method: Sendable, Equatable {
        public var background: String?
        public var samples: Int?
        public var seed: UInt64 = 0

        public init(background: String? = nil, samples: Int? = nil, seed: UInt64 = 0) {
            self.background = background
            self.samples = samples
            self.seed = seed
        }
    }

    public struct DataSelection: Sendable, Equatable {
        /// Files and directories, read in order (a directory: its `*.jsonl` capture files).
        public var paths: [String]
        public var format = InputFormat.auto
        public var variants: [String] = []
        public var window = JobWindow.all
        public var timeColumn: String?
        /// The column whose text keys each row (`DataReadOptions.keyColumn`).
        public var keyColumn: String?
        public var badRecords = BadRecordPolicy.tolerant
        /// The readers' bounds (the longest line; `ReaderLimits`).
        public var limits = ReaderLimits()

        public init(paths: [String]) {
            self.paths = paths
        }

        /// How the chain reads these data for a run at `now`.
        public func readOptions(now: Double) -> DataReadOptions {
            DataReadOptions(format: format, window: window.resolve(now: now), timeColumn: timeColumn, variants: variants,
                            badRecords: badRecords, keyColumn: keyColumn, limits: limits)
        }

        /// The rows of `shard` of these data as a check reads them, for a run at `now`: a column
        /// the data lack is read as missing values and reported (`missing_column_check`), not
        /// refused. `check` and the shards' `profile` read through here, so a merged profile holds
        /// the rows a single check would.
        /// - Throws: `InputError` for an input that cannot be opened or a header that names a
        ///   column of the model twice or otherwise.
        public func source(for model: Model, now: Double, shard: ShardSelection = .whole) throws(InputError) -> FeatureSourceChain {
            var options = readOptions(now: now)
            options.shard = shard
            return try FeatureSourceChain(paths: paths, schema: FeatureSchema(model: model, absentColumns: .treatAsMissing), options: options)
        }
    }

    public struct Bootstrap: Sendable, Equatable {
        public var replicates = 200
        /// The seed of the replicates' weights; the method's seed when `nil` (as `--seed` sets both).
        public var seed: UInt64?

        public init(replicates: Int = 200, seed: UInt64? = nil) {
            self.replicates = replicates
            self.seed = seed
        }
    }

    /// What a run writes.
    public struct Outputs: Sendable, Equatable {
        public var directory = "shapdrift-report"
        /// The report files written (every one by default).
        public var files = Set(ReportFile.allCases)
        /// What goes to standard output: the terminal summary, report.json, or nothing.
        public var stdout = Stdout.text
        /// The metric files for alarms (none by default; `docs/alarms.md`).
        public var metrics = MetricsSettings()

        public enum Stdout: String, Sendable, CaseIterable { case text, json, none }

        public init() {}
    }

    public init(model: String, baseline: String, data: DataSelection) {
        self.model = model
        self.baseline = baseline
        self.data = data
    }

    /// The check's options, as `DriftMonitor` takes them.
    public var checkOptions: DriftCheckOptions {
        var options = DriftCheckOptions()
        options.thresholds = thresholds
        options.failOn = failOn
        options.outputNames = outputNames
        options.aggregation = aggregation
        options.bootstrapReplicates = bootstrap.replicates
        options.bootstrapSeed = bootstrap.seed ?? method.seed
        options.explainer = ExplainerOptions(samples: method.samples, seed: method.seed)
        options.threads = threads ?? ProcessorCount.available
        options.sampling = sampling
        return options
    }

    /// The settings' own limits (what a job file's reader and the tool's flags refuse).
    /// - Throws: `ConfigurationError.outOfRange` naming the setting.
    public func validateSettings() throws(ConfigurationError) {
        func require(_ condition: Bool, _ setting: String, _ value: CustomStringConvertible, _ allowed: String) throws(ConfigurationError) {
            if !condition { throw .outOfRange(setting: setting, value: value.description, allowed: allowed) }
        }
        try require((0...1).contains(thresholds.ndcg), "NDCG threshold", thresholds.ndcg, "between 0 and 1")
        try require(thresholds.alpha > 0 && thresholds.alpha < 1, "family-wise false-alarm rate (alpha)", thresholds.alpha, "in (0, 1)")
        try require((0...1).contains(thresholds.minShift), "minimum shift", thresholds.minShift, "between 0 and 1")
        try require((0...1).contains(thresholds.completeness), "completeness threshold", thresholds.completeness, "between 0 and 1")
        try require((0...1).contains(thresholds.valueDistance), "value distance threshold", thresholds.valueDistance, "between 0 and 1")
        try require((0...1).contains(thresholds.unseenCategories), "unseen category threshold", thresholds.unseenCategories, "between 0 and 1")
        try require((0...100_000).contains(bootstrap.replicates), "bootstrap replicates", bootstrap.replicates, "between 0 and 100000")
        try require(sampling.rate > 0 && sampling.rate <= 1, "sample rate", sampling.rate, "in (0, 1]")
        try require(data.badRecords.maxRecords >= 0, "bad-record count", data.badRecords.maxRecords, "0 or more")
        try require((0...1).contains(data.badRecords.maxFraction), "bad-record fraction", data.badRecords.maxFraction, "between 0 and 1")
        if let samples = method.samples { try require(samples >= 1, "sample budget", samples, "at least 1") }
        if let threads { try require(threads >= 1, "threads", threads, "at least 1") }
        try require(!outputs.metrics.namespace.isEmpty && outputs.metrics.namespace.count <= 255, "metrics namespace",
                    outputs.metrics.namespace, "1 to 255 characters")
        try data.window.resolve(now: 0).validate()
    }

    /// Refuses output names that are not one per output of `model` (`nil`: the export's names).
    static func requireOneNamePerOutput(_ names: [String]?, model: Model) throws(ConfigurationError) {
        if let names, names.count != model.numOutputs {
            throw .outOfRange(setting: "output names", value: "\(names.count) names", allowed: "one per model output (\(model.numOutputs))")
        }
    }

    /// Everything a run needs, loaded and checked against each other: the model, the baseline
    /// (matching the model and settings), the background, and the data's source.
    public struct Prepared {
        public let model: Model
        public let monitor: DriftMonitor
        public let source: FeatureSourceChain
    }

    /// Loads and checks what a run needs without reading any data row.
    /// - Throws: `.input` for missing or bad files, `.incompatible` (attributed to the baseline
    ///   file) when the baseline does not match the model or settings, `.configuration` for
    ///   settings out of range.
    public func prepare(now: Double, progress: ProfileProgress.Handler? = nil) throws(ShapDriftError) -> Prepared {
        do {
            try validateSettings()
        } catch {
            throw .configuration(error)
        }
        let loaded: (AttributionProfile, Model, FeatureBatch?)
        do {
            let baselineProfile = try AttributionProfile.load(path: baseline)
            let model = try ModelLoader().load(path: model)
            let background = try method.background.map { path throws(InputError) in
                try CSVFeatureReader(path: path, schema: FeatureSchema(model: model), limits: data.limits).readAll()
            }
            loaded = (baselineProfile, model, background)
        } catch {
            throw .input(error)
        }
        do {
            try Self.requireOneNamePerOutput(outputNames, model: loaded.1)
        } catch {
            throw .configuration(error)
        }
        if !outputs.metrics.labels.isEmpty, outputs.metrics.labels.count != loaded.1.numOutputs {
            throw .configuration(.outOfRange(setting: "metric labels", value: "\(outputs.metrics.labels.count) given",
                                             allowed: "one per model output (\(loaded.1.numOutputs))"))
        }
        if let incomplete = loaded.0.shards?.incompleteError(role: "baseline") { throw .input(incomplete.inFile(baseline)) }
        let monitor: DriftMonitor
        do {
            var options = checkOptions
            options.progress = progress
            monitor = try DriftMonitor(baseline: loaded.0, model: loaded.1, background: loaded.2, options: options)
        } catch {
            guard case .incompatible(let mismatch) = error else { throw error }
            throw .incompatible(mismatch.inFile(baseline))
        }
        do {
            return Prepared(model: loaded.1, monitor: monitor, source: try data.source(for: loaded.1, now: now))
        } catch {
            throw .input(error)
        }
    }

    /// Runs the check at `now` (seconds since 1970; what relative windows count from).
    /// - Throws: `prepare`'s errors, and `.input` for bad or absent rows.
    /// The report's provenance names the inputs, the model file and the baseline file (with
    /// their digests).
    /// - Parameter progress: told how far the profile of the data has come after each block.
    public func check(now: Double, progress: ProfileProgress.Handler? = nil) throws(ShapDriftError) -> DriftCheck {
        let prepared = try prepare(now: now, progress: progress)
        var check = try prepared.monitor.check(prepared.source)
        check.report.provenance?.recordFiles(inputs: data.paths, modelPath: model, model: prepared.model, baselinePath: baseline)
        return check
    }

    /// The current time, as `check(now:)` takes it.
    public static var now: Double { Date().timeIntervalSince1970 }
}
