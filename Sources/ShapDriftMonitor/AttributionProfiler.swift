import Dispatch
import ShapDriftAttribution
import ShapDriftCore
import ShapDriftDrift

/// Streams rows from a source through an explainer into an attribution profile, one block at a
/// time: parse → attribute (all cores) → fold, parsing and folding overlapped with attribution.
/// Memory is bounded by the block size, not the data.
///
/// What `shapdrift baseline` runs on reference data, and what `DriftMonitor` runs on the data it
/// checks.
public struct AttributionProfiler: Sendable {
    /// Rows per block at most: large enough that each worker's per-tree tables serve a few
    /// thousand rows. Wide models get fewer (`rowsWithinBudget`), so memory stays flat whatever
    /// the number of features and outputs.
    public static let defaultBlockRows = 16384
    static let firstBlockRows = 512
    /// Bytes the buffers of one block may take together.
    static let blockByteBudget = 64 << 20

    public let explainer: Explainer
    /// The identity of the profiles this profiler makes. For a model without feature names,
    /// `profile` names the features after the source's `dataHeader` when it has one.
    public let identity: ProfileIdentity
    /// For a model without feature names, the names a source's header must give (a baseline's),
    /// or `nil` to take them from the data.
    public let requiredFeatureNames: [String]?
    /// Rows per block at most (results do not depend on it).
    public var blockRows = AttributionProfiler.defaultBlockRows
    /// Worker threads (results do not depend on them).
    public var threads = ProcessorCount.available
    /// Which records are profiled (every one by default); recorded in the profile.
    public var sampling = RecordSampling.all
    /// Told how far the build has come after each block (e.g. for a progress line).
    public var progress: ProfileProgress.Handler?
    /// Whether a source without rows gives an empty profile rather than an error: one shard of
    /// a split may hold none.
    public var allowsNoRows = false
    /// The features whose categories the profiles count: those the model splits on as categories.
    public let categoricalFeatures: [Int]
    /// Whether a linear model's attribution summaries are derived from each feature's centred
    /// values (`LinearAttributionFactors`: one fold per feature for all outputs) rather than
    /// folded attribution by attribution. On by default; `DriftMonitor` folds as its baseline did.
    public var derivesLinearAttributions = true

    /// - Parameter featureNames: for a model without feature names, the names its features go
    ///   by and a data header must agree with (`DriftMonitor` passes the baseline's); ignored for
    ///   a model with names.
    public init(explainer: Explainer, featureNames: [String]? = nil) {
        self.explainer = explainer
        requiredFeatureNames = explainer.model.featureNames == nil ? featureNames : nil
        var identity = ProfileIdentity(model: explainer.model, method: explainer.method, outputSpace: explainer.outputSpace,
                                       backgroundSHA256: explainer.backgroundSHA256, sampling: explainer.sampling)
        if let requiredFeatureNames { identity.featureNames = requiredFeatureNames }
        self.identity = identity
        categoricalFeatures = ModelStructure.categoricalFeatures(explainer.model)
    }

    /// The identity of a profile of `source`'s rows: for a model without names, its features are
    /// named by the source's header, which must agree with `requiredFeatureNames` when given.
    public func identity(for source: any FeatureSource) throws(InputError) -> ProfileIdentity {
        guard explainer.model.featureNames == nil, let header = source.dataHeader else { return identity }
        if let requiredFeatureNames, let mismatch = header.mismatch(with: requiredFeatureNames, expectedFrom: "the baseline") {
            throw mismatch
        }
        var named = identity
        named.featureNames = header.names
        return named
    }

    /// Rows per block that keep a block's buffers within `blockByteBudget`: per row, the feature
    /// values twice (the block and the one read ahead), the attributions twice (the result, the
    /// kernels' column-major blocks), and with a bootstrap its two bins of each of its
    /// `bootstrapWidth` columns (the attributions, or a linear model's centred values) and one
    /// weight per replicate, 8 bytes each; at least 64 rows, at most `defaultBlockRows`.
    /// (Without a bootstrap a wide model's blocks are twice as long as with one: the fold touches
    /// every summary once a block, and for 11,000 summaries that reload cost more than the
    /// values folded in a block of 200 rows.)
    public static func rowsWithinBudget(features: Int, width: Int, replicates: Int, bootstrapWidth: Int? = nil) -> Int {
        let bootstrapped = bootstrapWidth ?? width
        let bytesPerRow = 8 * (2 * features + 2 * width + (replicates > 0 ? 2 * bootstrapped + replicates : 0))
        return max(64, min(defaultBlockRows, blockByteBudget / max(1, bytesPerRow)))
    }

    /// The columns a bootstrap of this profiler's profiles has: outputs × features, or for a
    /// linear model's derived profile the features (it sums the centred values' magnitudes).
    public var bootstrapWidth: Int {
        let model = explainer.model
        return derivesLinearAttributions && explainer.linearFactors != nil ? model.numFeatures : model.numOutputs * model.numFeatures
    }

    /// The profile of every row of `source`.
    /// - Throws: `.input` from the data: a bad row, no rows at all, or a value too large to
    ///   profile (at its row).
    /// - Complexity: the explainer's cost per row plus O(outputs × features) per row to fold
    ///   (O(features) for a linear model's derived attributions).
    public func profile(_ source: any FeatureSource) throws(ShapDriftError) -> AttributionProfile {
        var noBootstrap: PoissonBootstrap? = nil
        return try profile(source, bootstrap: &noBootstrap)
    }

    /// The profile of every row of `source`; also feeds `bootstrap` when given.
    public func profile(_ source: any FeatureSource, bootstrap: inout PoissonBootstrap?) throws(ShapDriftError) -> AttributionProfile {
        var timings = StageTimings()
        return try profile(source, bootstrap: &bootstrap, timings: &timings)
    }

    /// The profile of every row of `source`; also feeds `bootstrap` when given, and measures
    /// where the wall time went.
    ///
    /// While the cores attribute and fold one block, a background thread parses the next, so
    /// parsing a single input stream hides behind the work that uses every core. Folding runs
    /// on all cores too, one summary per worker, in row order, so the profile is the same as a
    /// sequential build's. (Folding on the background thread as well was measured slower on
    /// two cores: parse plus fold outlasted attribution, and the thread competed with it.)
    public func profile(_ source: any FeatureSource, bootstrap: inout PoissonBootstrap?,
                        timings: inout StageTimings) throws(ShapDriftError) -> AttributionProfile {
        let start = StageTimings.now()
        let identity = try Self.input { () throws(InputError) in try self.identity(for: source) }
        let factors = derivesLinearAttributions ? explainer.linearFactors : nil
        if let bootstrap, bootstrap.width != bootstrapWidth {
            throw .configuration(.outOfRange(setting: "bootstrap width", value: "\(bootstrap.width)",
                                             allowed: "\(bootstrapWidth) (AttributionProfiler.bootstrapWidth)"))
        }
        var profile = AttributionProfile(identity: identity, baseValues: explainer.baseValues, categoricalFeatures: categoricalFeatures,
                                         linearCoefficients: factors?.coefficients)
        var rowsProfiled = 0
        let reader = BlockReader(source: source, sampling: sampling)
        defer { reader.drain() }
        // Blocks grow from `firstBlockRows` by 4× to `blockRows`, so the pipeline fills without a
        // long first parse; block sizes do not change any result.
        let limit = min(blockRows, Self.rowsWithinBudget(features: explainer.model.numFeatures,
                                                         width: explainer.model.numOutputs * explainer.model.numFeatures,
                                                         replicates: bootstrap?.replicates ?? 0, bootstrapWidth: bootstrapWidth))
        var size = min(limit, Self.firstBlockRows)
        reader.readAhead(maxRows: size)
        var mark = StageTimings.now()
        var next = try Self.input { () throws(InputError) in try reader.collect() }
        var fraction = reader.readFraction
        timings.waitingForInput += StageTimings.now() - mark
        while let batch = next {
            size = min(limit, size * 4)
            reader.readAhead(maxRows: size)
            mark = StageTimings.now()
            let cpu = StageTimings.processCPU()
            let attributions = try explainer.explain(batch, threads: threads)
            timings.attributing += StageTimings.now() - mark
            timings.attributingCPU += StageTimings.processCPU() - cpu
            mark = StageTimings.now()
            profile.add(batch, attributions, threads: threads, centredOn: factors?.means)
            if let (output, feature) = profile.overflowedSummary() {
                throw .input(overflowError(output: output, feature: feature, batch: batch, attributions: attributions,
                                           names: identity.featureNames))
            }
            do {
                if bootstrap != nil {
                    // A derived profile's bootstrap sums |x − μ|: each output's |φ| is |w| times it.
                    let magnitudes = factors.map { LinearAttributionFactors.centredMagnitudes(batch, means: $0.means, threads: threads) } ?? attributions
                    try bootstrap?.add(magnitudes, recordKeys: batch.recordKeys, threads: threads)
                }
            } catch {
                throw .numerical(error)
            }
            timings.folding += StageTimings.now() - mark
            rowsProfiled += batch.rowCount
            progress?(ProfileProgress(rows: rowsProfiled, seconds: StageTimings.now() - start, fraction: fraction))
            mark = StageTimings.now()
            next = try Self.input { () throws(InputError) in try reader.collect() }
            fraction = reader.readFraction
            timings.waitingForInput += StageTimings.now() - mark
        }
        mark = StageTimings.now()
        try profile.deriveAttributions(threads: threads)
        timings.folding += StageTimings.now() - mark
        timings.rows += rowsProfiled
        timings.total += StageTimings.now() - start
        guard rowsProfiled > 0 || allowsNoRows else {
            if reader.rowsSeen > 0 { throw .input(noRowsInSample(source, seen: reader.rowsSeen)) }
            throw .input(source.noRowsError)
        }
        if !sampling.keepsAll {
            profile.recordSampling = sampling
            profile.rowsSeen = reader.rowsSeen
        }
        return profile
    }

    /// The profile of the current data a check compares (what `shapdrift profile` writes for one
    /// shard, and `DriftMonitor` builds in memory): the rows' profile with their bootstrap
    /// (`replicates` Poisson replicates seeded `seed`, none for 0), what the read found, which
    /// columns the rows carried, and the shard of a split it covers.
    /// - Throws: as `profile`; `.numerical` past the bootstrap's capacity.
    public func currentProfile(_ source: any FeatureSource, replicates: Int, seed: UInt64, shard: ShardSelection = .whole,
                               timings: inout StageTimings) throws(ShapDriftError) -> AttributionProfile {
        var bootstrap: PoissonBootstrap? = replicates > 0 ? PoissonBootstrap(replicates: replicates, seed: seed, width: bootstrapWidth) : nil
        var profile = try self.profile(source, bootstrap: &bootstrap, timings: &timings)
        profile.bootstrap = bootstrap
        profile.records = source.recordSummary
        profile.columnCounts = source.columnStatistics
        profile.shards = ShardCoverage(shard)
        return profile
    }

    /// The error for rows that were read but none of which fell in the sample.
    private func noRowsInSample(_ source: any FeatureSource, seen: UInt64) -> InputError {
        var error = source.noRowsError
        error.message = "none of the \(seen) rows read is in the \(sampling.rate * 100) % sample (seed \(sampling.seed))"
        return error
    }

    private static func input<Value>(_ body: () throws(InputError) -> Value) throws(ShapDriftError) -> Value {
        do {
            return try body()
        } catch {
            throw .input(error)
        }
    }

    /// The error for a block whose values overflowed a sum of squares, at the row with the
    /// largest magnitude in the column.
    func overflowError(output: Int?, feature: Int, batch: FeatureBatch, attributions: AttributionBatch,
                       names: [String]) -> InputError {
        let features = batch.numFeatures
        let (values, offset, stride) = output.map { (attributions.values, $0 * features + feature, attributions.numOutputs * features) }
            ?? (batch.values, feature, features)
        var largest = 0
        for row in 0..<batch.rowCount where abs(values[row * stride + offset]) > abs(values[largest * stride + offset]) || values[largest * stride + offset].isNaN {
            largest = row
        }
        let value = values[largest * stride + offset]
        let name = names[feature]
        let what = output.map { explainer.model.numOutputs > 1 ? "its attribution for output \($0)" : "its attribution" } ?? "its value"
        return InputError(file: batch.file, line: batch.sourceLines[largest], field: name,
                          "\(what) is \(value): too large to profile (magnitudes above about 1.3e154 overflow the sum of squares)")
    }
}
