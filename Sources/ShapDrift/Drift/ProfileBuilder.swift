import Foundation
import Dispatch

/// Streams rows from a source through an explainer into an attribution profile, one block at a
/// time: parse → attribute (all cores) → fold, parsing and folding overlapped with attribution.
/// Memory is bounded by the block size, not the data.
public struct ProfileBuilder {
    /// Rows per block at most: large enough that each worker's per-tree tables serve a few
    /// thousand rows. Wide models get fewer (`rowsWithinBudget`), so memory stays flat whatever
    /// the number of features and outputs.
    public static let defaultBlockRows = 16384
    static let firstBlockRows = 512
    /// Bytes the buffers of one block may take together.
    static let blockByteBudget = 64 << 20

    public let explainer: Explainer
    public let identity: ProfileIdentity
    public var blockRows = ProfileBuilder.defaultBlockRows
    public var threads = RowParallel.defaultThreads

    public init(explainer: Explainer) {
        self.explainer = explainer
        identity = ProfileIdentity(model: explainer.model, method: explainer.method, outputSpace: explainer.outputSpace,
                                   backgroundSHA256: explainer.backgroundSHA256, sampling: explainer.sampling)
    }

    /// The profile of every row of `source`; also feeds `bootstrap` when given.
    ///
    /// While the cores attribute and fold one block, a background thread parses the next, so
    /// parsing a single input stream hides behind the work that uses every core. Folding runs
    /// on all cores too, one summary per worker, in row order, so the profile is the same as a
    /// sequential build's. (Folding on the background thread as well was measured slower on
    /// two cores: parse plus fold outlasted attribution, and the thread competed with it.)
    /// - Throws: `InputError` from the data, or when the source holds no rows.
    public func build(from source: FeatureSourceChain, bootstrap: inout PoissonBootstrap?) throws(InputError) -> AttributionProfile {
        var timings = StageTimings()
        return try build(from: source, bootstrap: &bootstrap, timings: &timings)
    }

    /// Rows per block that keep a block's buffers within `blockByteBudget`: per row, the feature
    /// values twice (the block and the one read ahead), the attributions three times (the result,
    /// the kernels' column-major blocks, the bootstrap's magnitudes) and one bootstrap weight per
    /// replicate, 8 bytes each; at least 64 rows, at most `defaultBlockRows`.
    public static func rowsWithinBudget(features: Int, width: Int, replicates: Int) -> Int {
        let bytesPerRow = 8 * (2 * features + 3 * width + replicates)
        return max(64, min(defaultBlockRows, blockByteBudget / max(1, bytesPerRow)))
    }

    /// `build`, also measuring where the wall time went.
    public func build(from source: FeatureSourceChain, bootstrap: inout PoissonBootstrap?,
                      timings: inout StageTimings) throws(InputError) -> AttributionProfile {
        let start = StageTimings.now()
        var profile = AttributionProfile(identity: identity, baseValues: explainer.baseValues)
        var rowsSeen = 0
        let reader = BlockReader(source: source)
        defer { reader.drain() }
        // Blocks grow from `firstBlockRows` by 4× to `blockRows`, so the pipeline fills without a
        // long first parse; block sizes do not change any result.
        let limit = min(blockRows, Self.rowsWithinBudget(features: explainer.model.numFeatures,
                                                         width: explainer.model.numOutputs * explainer.model.numFeatures,
                                                         replicates: bootstrap?.replicates ?? 0))
        var size = min(limit, Self.firstBlockRows)
        reader.readAhead(maxRows: size)
        var mark = StageTimings.now()
        var next = try reader.collect()
        timings.waitingForInput += StageTimings.now() - mark
        while let (batch, file) = next {
            size = min(limit, size * 4)
            reader.readAhead(maxRows: size)
            mark = StageTimings.now()
            let attributions = try explainer.explain(batch, file: file, threads: threads)
            timings.attributing += StageTimings.now() - mark
            mark = StageTimings.now()
            profile.add(batch, attributions, threads: threads)
            if let (output, feature) = profile.overflowedSummary() {
                throw overflowError(output: output, feature: feature, batch: batch, attributions: attributions, file: file)
            }
            bootstrap?.add(attributions, firstRow: rowsSeen, threads: threads)
            timings.folding += StageTimings.now() - mark
            rowsSeen += batch.rowCount
            mark = StageTimings.now()
            next = try reader.collect()
            timings.waitingForInput += StageTimings.now() - mark
        }
        timings.rows += rowsSeen
        timings.total += StageTimings.now() - start
        guard rowsSeen > 0 else { throw source.noRowsError }
        return profile
    }
}

extension ProfileBuilder {
    /// The error for a block whose values overflowed a sum of squares, at the row with the
    /// largest magnitude in the column.
    func overflowError(output: Int?, feature: Int, batch: FeatureBatch, attributions: AttributionBatch, file: String) -> InputError {
        let features = batch.numFeatures
        let (values, offset, stride) = output.map { (attributions.values, $0 * features + feature, attributions.numOutputs * features) }
            ?? (batch.values, feature, features)
        var largest = 0
        for row in 0..<batch.rowCount where abs(values[row * stride + offset]) > abs(values[largest * stride + offset]) || values[largest * stride + offset].isNaN {
            largest = row
        }
        let value = values[largest * stride + offset]
        let name = explainer.model.displayFeatureNames[feature]
        let what = output.map { explainer.model.numOutputs > 1 ? "its attribution for output \($0)" : "its attribution" } ?? "its value"
        return InputError(file: file, line: batch.sourceLines[largest], field: name,
                          "\(what) is \(value): too large to profile (magnitudes above about 1.3e154 overflow the sum of squares)")
    }
}

/// Where a profile build's wall time went, in seconds: attributing, folding into the profile and
/// bootstrap, and waiting for input the read-ahead had not parsed yet.
public struct StageTimings: Sendable {
    public var rows = 0
    public var attributing = 0.0
    public var folding = 0.0
    public var waitingForInput = 0.0
    public var total = 0.0

    public init() {}

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// One line for standard error, e.g. for `--timings`.
    public var summary: String {
        func rate(_ seconds: Double) -> String { seconds > 0 ? "\(Int((Double(rows) / seconds).rounded())) rows/s" : "-" }
        func format(_ seconds: Double) -> String { String(format: "%.3f s", seconds) }
        return "\(rows) rows in \(format(total)) (\(rate(total))): attributing \(format(attributing)) (\(rate(attributing))), "
            + "folding \(format(folding)), waiting for input \(format(waitingForInput))"
    }
}

/// Reads a source one block ahead on a background queue. One read is in flight at a time and
/// the caller waits for it (`collect`) before asking for the next, so only one thread touches the
/// source at a time and it needs no locks.
private final class BlockReader: @unchecked Sendable {
    private let source: FeatureSourceChain
    private let queue = DispatchQueue(label: "shapdrift.block-reader")
    private let done = DispatchSemaphore(value: 0)
    private var pending: Result<(FeatureBatch, String)?, InputError> = .success(nil)

    init(source: FeatureSourceChain) {
        self.source = source
    }

    /// Starts reading the next block of up to `maxRows` rows (and noting the file it came from).
    func readAhead(maxRows: Int) {
        queue.async {
            do throws(InputError) {
                if let batch = try self.source.nextBatch(maxRows: maxRows) {
                    self.pending = .success((batch, self.source.currentFile))
                } else {
                    self.pending = .success(nil)
                }
            } catch {
                self.pending = .failure(error)
            }
            self.done.signal()
        }
    }

    /// The block the last `readAhead` read, once it is ready.
    func collect() throws(InputError) -> (FeatureBatch, String)? {
        done.wait()
        return try queue.sync { pending }.get()
    }

    /// Waits for a read still in flight (when attribution failed), so the source outlives it.
    func drain() {
        queue.sync {}
    }
}

extension ProfileIdentity {
    /// The identity of profiles made of `model`'s attributions by `method`, with the background
    /// and sampling settings that change them (`Explainer.backgroundSHA256`, `Explainer.sampling`).
    public init(model: Model, method: AttributionMethod, outputSpace: OutputSpace = .raw,
                backgroundSHA256: String? = nil, sampling: (samples: Int, seed: UInt64)? = nil) {
        let space = outputSpace == .raw ? "raw (\(model.transform.rawSpaceDescription))" : "probability"
        self.init(modelSHA256: model.sha256, modelFormat: model.format.rawValue, objective: model.objective,
                  featureNames: model.displayFeatureNames, method: method.rawValue,
                  outputSpace: space, numOutputs: model.numOutputs, backgroundSHA256: backgroundSHA256,
                  samples: sampling?.samples, seed: sampling?.seed)
    }

    /// Why a baseline with this identity cannot be compared with `other` (the model given now), or `nil`.
    public func mismatch(with other: ProfileIdentity) -> String? {
        if modelSHA256 != other.modelSHA256 {
            return "the baseline was made for another model file (SHA-256 \(modelSHA256.prefix(12))…, \(modelFormat) \(objective)); this model's SHA-256 is \(other.modelSHA256.prefix(12))…: re-run shapdrift baseline with this model"
        }
        if featureNames != other.featureNames {
            let changed = zip(featureNames, other.featureNames).first { $0 != $1 }
            let detail = changed.map { "'\($0.0)' vs '\($0.1)'" } ?? "\(featureNames.count) vs \(other.featureNames.count) features"
            return "the baseline's feature names differ from the model's (\(detail))"
        }
        if method != other.method {
            return "the baseline was computed with method \(method), not \(other.method): attributions of different methods are not comparable"
        }
        if outputSpace != other.outputSpace || numOutputs != other.numOutputs {
            return "the baseline's output space (\(outputSpace), \(numOutputs) outputs) differs from this model's (\(other.outputSpace), \(other.numOutputs))"
        }
        // Settings recorded in both (older profiles lack them) must agree: they change every attribution.
        if let recorded = backgroundSHA256, let given = other.backgroundSHA256, recorded != given {
            func describe(_ digest: String) -> String { digest == "none" ? "no background" : "a background with rows SHA-256 \(digest.prefix(12))…" }
            return "the baseline was computed with \(describe(recorded)), this check with \(describe(given)): pass the same --background as to baseline"
        }
        if let recorded = samples, let given = other.samples, recorded != given || seed != other.seed {
            func describe(_ samples: Int, _ seed: UInt64?) -> String { "--samples \(samples == 0 ? "default" : String(samples)) --seed \(seed ?? 0)" }
            return "the baseline was computed with \(describe(recorded, seed)), this check with \(describe(given, other.seed)): pass the same as to baseline"
        }
        return nil
    }
}
