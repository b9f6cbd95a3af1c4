import ShapDriftAttribution
import ShapDriftCore
import ShapDriftDrift

/// How a check decides and how much work it does; defaults are documented in `docs/drift.md`.
public struct DriftCheckOptions: Sendable {
    public var thresholds = DriftThresholds()
    /// What makes the verdict besides the attributions: Clarify's NDCG rule, prediction drift,
    /// data quality (each is reported either way).
    public var failOn: Set<VerdictCriterion> = [.attribution]
    /// Names of the model's outputs (classes) for the reports; the export's when `nil`.
    public var outputNames: [String]?
    /// How per-row attributions become a feature's global attribution.
    public var aggregation = AttributionAggregation.meanAbs
    /// Poisson-bootstrap replicates for the NDCG and shift intervals (0 = none).
    public var bootstrapReplicates = 200
    /// Seed of the bootstrap's weights.
    public var bootstrapSeed: UInt64 = 0
    /// The sampling methods' budget and seed, as given to the baseline (the output space is the
    /// baseline's).
    public var explainer = ExplainerOptions()
    /// Worker threads (results do not depend on them).
    public var threads = ProcessorCount.available
    /// Which current records are profiled (every one by default); a baseline made at another
    /// rate still compares (`RecordSampling`).
    public var sampling = RecordSampling.all
    /// Told how far the current data's profile has come after each block.
    public var progress: ProfileProgress.Handler?

    public init() {}
}

/// The outcome of a check: the report, and the profile of the data checked (what the report was
/// computed from, e.g. for `analysis.json` or to keep as a profile).
public struct DriftCheck: Sendable {
    /// The report (callers that know more of its provenance complete it).
    public var report: DriftReport
    public let current: AttributionProfile
    /// Where the check's wall time went.
    public let timings: StageTimings
    /// Which columns the data carried (absent features, extra columns).
    public let columns: ColumnStatistics
}

/// The monitor's loop for one batch of traffic: attribute the current rows with the baseline's
/// method, profile them, and compare with the baseline.
///
/// ```swift
/// let baseline = try AttributionProfile.load(path: "baseline.json")
/// let monitor = try DriftMonitor(baseline: baseline, model: model)
/// let check = try monitor.check(InMemoryFeatureSource([rows]))
/// if check.report.driftDetected { /* open an investigation: check.report.breachedFeatures */ }
/// ```
///
/// A finding means *investigate*; nothing here retrains or rolls back.
public struct DriftMonitor: Sendable {
    public let baseline: AttributionProfile
    public let options: DriftCheckOptions
    public let profiler: AttributionProfiler

    /// Prepares checks of `model`'s traffic against `baseline`.
    /// - Parameter background: the background sample the baseline was made with, for the methods
    ///   that take one.
    /// - Throws: `.input` (field `shards`) for a baseline merged from only some shards of a split,
    ///   which describes part of the training data as if it were all of it; `.incompatible` when
    ///   the baseline was made for another model, method, output space, background or sampling
    ///   settings; the explainer's errors otherwise.
    /// - Complexity: the explainer's set-up.
    public init(baseline: AttributionProfile, model: Model, background: FeatureBatch? = nil,
                options: DriftCheckOptions = DriftCheckOptions()) throws(ShapDriftError) {
        if let incomplete = baseline.shards?.incompleteError(role: "baseline") { throw .input(incomplete) }
        var explainerOptions = options.explainer
        explainerOptions.outputSpace = baseline.identity.outputSpace
        let explainer = try Explainer(model: model, method: baseline.identity.method, background: background, options: explainerOptions)
        // A model without feature names goes by the baseline's names; a data header must agree.
        var profiler = AttributionProfiler(explainer: explainer, featureNames: baseline.identity.featureNames)
        if let mismatch = baseline.identity.mismatch(with: profiler.identity) { throw .incompatible(mismatch) }
        profiler.threads = options.threads
        // Compared sketches must bucket attributions alike: a baseline that folded each one
        // (formats 1 to 4) is checked against current data folded the same way.
        profiler.derivesLinearAttributions = baseline.linearFactors != nil
        if let coefficients = explainer.linearFactors?.coefficients, let mismatch = baseline.coefficientMismatch(with: coefficients) {
            throw .incompatible(mismatch)
        }
        profiler.sampling = options.sampling
        profiler.progress = options.progress
        self.baseline = baseline
        self.options = options
        self.profiler = profiler
    }

    /// Attributes and profiles every row of `source`, and compares the profile with the baseline.
    /// The report carries the model's warnings (`Model.warnings`), what the read found
    /// (`RecordSummary`), its unreadable records as data quality, and the baseline's provenance.
    /// - Throws: `.input` for bad or absent rows, or (for a model without feature names) a
    ///   data header whose names are not the baseline's.
    /// - Complexity: the explainer's cost per row, plus O(outputs × features) per row to fold and
    ///   O(replicates × outputs × features) per row for the bootstrap.
    public func check(_ source: any FeatureSource) throws(ShapDriftError) -> DriftCheck {
        var timings = StageTimings()
        let current = try profiler.currentProfile(source, replicates: options.bootstrapReplicates, seed: options.bootstrapSeed,
                                                  timings: &timings)
        let report = Self.report(baseline: baseline, current: current, model: profiler.explainer.model, options: options)
        return DriftCheck(report: report, current: current, timings: timings, columns: current.columnCounts ?? ColumnStatistics())
    }

    /// The report of a comparison of `current` (a current profile: with its bootstrap, what
    /// reading found and the columns seen) with `baseline` for `model`: what a check over the
    /// rows and a check of their merged shards (`ProfileCheck`) both write.
    /// - Complexity: the comparator's.
    static func report(baseline: AttributionProfile, current: AttributionProfile, model: Model, options: DriftCheckOptions) -> DriftReport {
        var comparator = DriftComparator(thresholds: options.thresholds, aggregation: options.aggregation)
        comparator.failOn = options.failOn
        comparator.coupling = ModelStructure.coupling(model, method: baseline.identity.method)
        comparator.outputNames = options.outputNames ?? model.outputNames
        var report = comparator.compare(baseline: baseline, current: current, bootstrap: current.bootstrap,
                                        columns: current.columnCounts ?? ColumnStatistics())
        report.records = current.records
        if let skipped = report.records?.skipped {
            report.dataQuality.unreadableRecords = UInt64(skipped.count)
            report.dataQuality.unreadableByReason = Dictionary(uniqueKeysWithValues: skipped.byReason.map { ($0.key.rawValue, UInt64($0.value)) })
        }
        report.warnings = model.warnings
        report.provenance = Provenance(baseline: Provenance.BaselineReference(baseline))
        report.distributions = ReportDistributions(report: report, baseline: baseline, current: current)
        return report
    }
}
