import ShapDriftAttribution
import ShapDriftCore
import ShapDriftDrift

/// How a check decides and how much work it does; defaults are documented in `docs/drift.md`.
public struct DriftCheckOptions: Sendable {
    public var thresholds = DriftThresholds()
    /// How per-row attributions become a feature's global attribution.
    public var aggregation = AttributionAggregation.meanAbs
    /// Poisson-bootstrap replicates for the NDCG interval (0 = none).
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

    public init() {}
}

/// The outcome of a check: the report, and the profile of the data checked (what the report was
/// computed from, e.g. for `analysis.json` or to keep as a profile).
public struct DriftCheck: Sendable {
    public let report: DriftReport
    public let current: AttributionProfile
    /// Where the check's wall time went.
    public let timings: StageTimings
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
    /// - Throws: `.incompatible` when the baseline was made for another model, method, output
    ///   space, background or sampling settings; the explainer's errors otherwise.
    /// - Complexity: the explainer's set-up.
    public init(baseline: AttributionProfile, model: Model, background: FeatureBatch? = nil,
                options: DriftCheckOptions = DriftCheckOptions()) throws(ShapDriftError) {
        var explainerOptions = options.explainer
        explainerOptions.outputSpace = baseline.identity.outputSpace
        let explainer = try Explainer(model: model, method: baseline.identity.method, background: background, options: explainerOptions)
        var profiler = AttributionProfiler(explainer: explainer)
        if let mismatch = baseline.identity.mismatch(with: profiler.identity) { throw .incompatible(mismatch) }
        profiler.threads = options.threads
        profiler.sampling = options.sampling
        self.baseline = baseline
        self.options = options
        self.profiler = profiler
    }

    /// Attributes and profiles every row of `source`, and compares the profile with the baseline.
    /// - Throws: `.input` for bad or absent rows.
    /// - Complexity: the explainer's cost per row, plus O(outputs × features) per row to fold and
    ///   O(replicates × outputs × features) per row for the bootstrap.
    public func check(_ source: any FeatureSource) throws(ShapDriftError) -> DriftCheck {
        var timings = StageTimings()
        let current = try profiler.currentProfile(source, replicates: options.bootstrapReplicates, seed: options.bootstrapSeed,
                                                  timings: &timings)
        let report = DriftComparator(thresholds: options.thresholds, aggregation: options.aggregation).compare(baseline: baseline, current: current)
        return DriftCheck(report: report, current: current, timings: timings)
    }
}
