import ShapDriftCore

/// Linear SHAP with independent features (Lundberg & Lee 2017, §4; shap's `LinearExplainer`)
/// attributes φ_kj = w_kj · (x_j − μ_j): every output's attributions of a feature are that
/// feature's centred values, scaled. A profile of such a model folds each feature's centred
/// values once (`centred`) and derives its outputs' attribution summaries from them
/// (`derivedOutputs`), so a 10-class model over 1,000 features folds 2,000 summaries a row in
/// place of 11,000, and its profile stores 2,000.
///
/// What a derived summary holds, against folding each attribution in turn:
/// - count, missing values, min and max: the same (fl(w·x) is monotone in x);
/// - the sums: exactly those of w·(x − μ) over the centred values as computed
///   (`ExactSum.scaled`), where folding the attributions sums their rounded products; the two
///   differ by at most half an ulp of each attribution;
/// - the sketch: each bucket of the centred sketch moves whole to the bucket of w times its
///   representative value (clamped to the buckets min and max allow), so every quantile is
///   within (1 + α)² − 1 ≈ 2.01 % of a true attribution (α = 1 %), where folding them gives α.
///
/// A derived summary is a function of its centred summary and w alone, and centred summaries
/// merge exactly, so a merge of shard profiles derives the same summaries as a single pass.
public struct LinearAttributionFactors: Equatable, Sendable {
    /// w: outputs × features, row-major (the model's coefficients).
    public let coefficients: [Double]
    public let outputs: Int
    /// Per feature, the summary of x_j − μ_j as the attributions compute it (μ: the means the
    /// explainer measures from).
    public internal(set) var centred: [StreamSummary]

    /// Factors with empty centred summaries.
    /// - Precondition: `coefficients` holds outputs × features finite values.
    public init(coefficients: [Double], outputs: Int, features: Int) {
        precondition(outputs > 0 && coefficients.count == outputs * features && coefficients.allSatisfy(\.isFinite))
        self.coefficients = coefficients
        self.outputs = outputs
        centred = Array(repeating: StreamSummary(), count: features)
    }

    init(coefficients: [Double], outputs: Int, centred: [StreamSummary]) {
        self.coefficients = coefficients
        self.outputs = outputs
        self.centred = centred
    }

    public var features: Int { centred.count }

    /// |x − μ| for every value of `batch`, as one output's row-major attributions: what a linear
    /// model's bootstrap sums (`PoissonBootstrap`, width: features) in place of every |φ|, rows
    /// split across `threads`.
    /// - Complexity: O(rows × features).
    public static func centredMagnitudes(_ batch: FeatureBatch, means: [Double], threads: Int = 1) -> AttributionBatch {
        let (rows, features) = (batch.rowCount, batch.numFeatures)
        precondition(means.count == features)
        let values = [Double](unsafeUninitializedCapacity: rows * features) { centred, initialized in
            batch.values.withUnsafeBufferPointer { x in
                means.withUnsafeBufferPointer { mu in
                    Parallel.forEachRange(rowCount: rows, threads: threads, minimumRowsPerTask: 1024) { range in
                        let (x, mu, centred) = (x.baseAddress!, mu.baseAddress!, centred.baseAddress!)
                        for row in range {
                            let base = row * features
                            for feature in 0..<features { centred[base + feature] = abs(x[base + feature] - mu[feature]) }
                        }
                    }
                }
            }
            initialized = rows * features
        }
        return AttributionBatch(rowCount: rows, numOutputs: 1, numFeatures: features, values: values, baseValues: [0])
    }

    /// The largest value a derived sum of squares may approach: half the largest double, so the
    /// exact w²·Σ(x − μ)², and with it Σ|w·(x − μ)| and |Σ w·(x − μ)|, stay finite when derived.
    static let squaresLimit = Double.greatestFiniteMagnitude / 2

    /// The first (output, feature) whose derived sums would overflow, or `nil`: the centred sum
    /// of squares itself not finite, or w² times it at `squaresLimit` or above. Checked after
    /// every block, so the rows that overflow are located while they are at hand.
    /// - Complexity: O(outputs × features).
    public func overflowedSummary() -> (output: Int, feature: Int)? {
        for (feature, summary) in centred.enumerated() {
            let squares = summary.sumSquares.value
            guard squares > 0 else { continue }
            if !squares.isFinite {
                // Report it for the output that weighs the feature most.
                let output = (0..<outputs).max { abs(coefficients[$0 * features + feature]) < abs(coefficients[$1 * features + feature]) } ?? 0
                return (output, feature)
            }
            for output in 0..<outputs {
                let weight = coefficients[output * features + feature]
                if !(weight * weight * squares < Self.squaresLimit) { return (output, feature) }
            }
        }
        return nil
    }

    /// Each output's attribution summaries (model feature order), derived from the centred ones,
    /// features shared among `threads` workers (the result does not depend on them).
    /// - Returns: `nil` when a derived sum overflows (`overflowedSummary` finds where).
    /// - Complexity: O(outputs × (features + Σ centred buckets)).
    func derivedOutputs(threads: Int = 1) -> [[StreamSummary]]? {
        let (features, outputs) = (self.features, self.outputs)
        var byFeature = [[StreamSummary]?](repeating: nil, count: features)
        byFeature.withUnsafeMutableBufferPointer { byFeature in
            let results = byFeature.baseAddress!
            Parallel.forEach(count: features, threads: threads) { feature in
                let source = centred[feature]
                let buckets = RepresentedBuckets(source.sketch)
                var derived: [StreamSummary] = []
                derived.reserveCapacity(outputs)
                for output in 0..<outputs {
                    guard let summary = source.scaled(by: coefficients[output * features + feature], buckets: buckets) else { return }
                    derived.append(summary)
                }
                results[feature] = derived
            }
        }
        var result = Array(repeating: [StreamSummary](), count: outputs)
        for output in 0..<outputs { result[output].reserveCapacity(features) }
        for summaries in byFeature {
            guard let summaries else { return nil }
            for output in 0..<outputs { result[output].append(summaries[output]) }
        }
        return result
    }

    /// The cells the derived summaries' stores may span at most: per output, each centred
    /// store's span and one more (a move can spread a store by one bucket). What the file reader
    /// charges against its budget before deriving.
    /// - Complexity: O(features).
    var derivedCellBound: Int {
        let perOutput = centred.reduce(0) { $0 + $1.sketch.cellSpan + 2 }
        let (cells, overflow) = perOutput.multipliedReportingOverflow(by: outputs)
        return overflow ? .max : cells
    }
}

/// A centred sketch's buckets with their representative values, computed once for every output
/// the sketch is scaled for.
struct RepresentedBuckets {
    let positive: [(count: UInt64, value: Double)]
    let negative: [(count: UInt64, value: Double)]
    let zeros: UInt64

    init(_ sketch: QuantileSketch) {
        positive = sketch.positive.nonZeroBuckets.map { ($0.count, QuantileSketch.value(ofBucket: $0.index)) }
        negative = sketch.negative.nonZeroBuckets.map { ($0.count, QuantileSketch.value(ofBucket: $0.index)) }
        zeros = sketch.zeroCount
    }
}

extension QuantileSketch {
    /// Dense cells the two stores span.
    var cellSpan: Int { positive.counts.count + negative.counts.count }
}

extension StreamSummary {
    /// The summary of w·x for the values x this summary holds (`LinearAttributionFactors`);
    /// `buckets` are this summary's sketch's, with their representatives.
    /// - Returns: `nil` when a scaled sum overflows.
    /// - Complexity: O(buckets).
    func scaled(by factor: Double, buckets: RepresentedBuckets) -> StreamSummary? {
        guard count > 0 else {
            return StreamSummary(count: 0, missing: missing, sum: ExactSum(), sumAbs: ExactSum(), sumSquares: ExactSum(),
                                 min: .infinity, max: -.infinity, sketch: QuantileSketch())
        }
        guard factor != 0 else {
            return StreamSummary(count: count, missing: missing, sum: ExactSum(), sumAbs: ExactSum(), sumSquares: ExactSum(),
                                 min: 0, max: 0, sketch: QuantileSketch(zeroCount: count, positive: BucketStore(), negative: BucketStore(), count: count))
        }
        guard let scaledSum = sum.scaled(by: factor), let scaledAbs = sumAbs.scaled(by: abs(factor)),
              let scaledSquares = sumSquares.scaled(by: factor)?.scaled(by: factor) else { return nil }
        let (low, high) = factor > 0 ? (factor * min, factor * max) : (factor * max, factor * min)
        var placement = BucketPlacement(min: low, max: high)
        let (toPositive, toNegative) = factor > 0 ? (buckets.positive, buckets.negative) : (buckets.negative, buckets.positive)
        let magnitude = abs(factor)
        for bucket in toPositive { placement.place(magnitude * bucket.value, count: bucket.count, positive: true) }
        for bucket in toNegative { placement.place(magnitude * bucket.value, count: bucket.count, positive: false) }
        placement.placeZeros(buckets.zeros)
        return StreamSummary(count: count, missing: missing, sum: scaledSum, sumAbs: scaledAbs, sumSquares: scaledSquares,
                             min: low, max: high, sketch: placement.sketch(count: count))
    }
}

/// Places moved buckets in a sketch whose values lie within `min...max`: each in the bucket of
/// its value, clamped to the buckets that range allows its sign, so the sketch stays consistent
/// with the range (`QuantileSketch.rangeViolation`) and no estimate strays past it.
struct BucketPlacement {
    private let positiveRange: ClosedRange<Int>?
    private let negativeRange: ClosedRange<Int>?
    private let zerosAllowed: Bool
    private var positive = StoreBuilder()
    private var negative = StoreBuilder()
    private var zeros: UInt64 = 0

    init(min: Double, max: Double) {
        let threshold = QuantileSketch.zeroThreshold
        let index = BucketIndex.shared
        positiveRange = max >= threshold ? index.index(of: Swift.max(threshold, min))...index.index(of: max) : nil
        negativeRange = -min >= threshold ? index.index(of: Swift.max(threshold, -max))...index.index(of: -min) : nil
        zerosAllowed = min < threshold && max > -threshold
    }

    /// `count` values of about `magnitude`, of the given sign.
    mutating func place(_ magnitude: Double, count: UInt64, positive isPositive: Bool) {
        let threshold = QuantileSketch.zeroThreshold
        if let range = isPositive ? positiveRange : negativeRange, magnitude >= threshold || !zerosAllowed {
            let bucket = magnitude < threshold ? range.lowerBound
                : magnitude.isFinite ? Swift.min(Swift.max(BucketIndex.shared.index(of: magnitude), range.lowerBound), range.upperBound)
                : range.upperBound
            add(bucket, count: count, positive: isPositive)
        } else {
            placeZeros(count)
        }
    }

    /// `count` values of magnitude below the zero threshold, of either sign.
    mutating func placeZeros(_ count: UInt64) {
        guard count > 0 else { return }
        if zerosAllowed {
            zeros += count
        } else if let range = positiveRange {
            add(range.lowerBound, count: count, positive: true)
        } else if let range = negativeRange {
            add(range.lowerBound, count: count, positive: false)
        }
    }

    private mutating func add(_ bucket: Int, count: UInt64, positive isPositive: Bool) {
        if isPositive { positive.add(bucket, count: count) } else { negative.add(bucket, count: count) }
    }

    func sketch(count: UInt64) -> QuantileSketch {
        QuantileSketch(zeroCount: zeros, positive: positive.store, negative: negative.store, count: count)
    }
}

/// A store built from counts that mostly arrive in ascending bucket order, as a scaled sketch's
/// do (fl(|w|·v) is monotone in v): while each lands at or above the first bucket and within
/// `BucketStore.maximumSpan` of it, it goes straight into a dense array, without the store's
/// per-add range checks and one-bucket growth (adding them one by one was most of a
/// derivation's time). The first that does not hands the array to a `BucketStore` and goes on
/// through its `add`, so the store is the one adding each count in turn makes: up to then no
/// bucket collapsed, and the store's counts are the array's.
struct StoreBuilder {
    private var offset = 0
    private var counts: [UInt64] = []
    private var general: BucketStore?

    /// Adds `count` (> 0) values to bucket `index`.
    mutating func add(_ index: Int, count: UInt64) {
        if general == nil {
            guard !counts.isEmpty else {
                (offset, counts) = (index, [count])
                return
            }
            let slot = index - offset
            if slot >= 0, slot < BucketStore.maximumSpan {
                if slot >= counts.count {
                    counts.append(contentsOf: repeatElement(0, count: slot - counts.count))
                    counts.append(count)
                } else {
                    counts[slot] += count
                }
                return
            }
            general = BucketStore(offset: offset, counts: counts)
            counts = []
        }
        general!.add(index, count: count)
    }

    /// The store of the counts added. (The dense array's first and last counts are non-zero:
    /// every count added is.)
    var store: BucketStore {
        general ?? (counts.isEmpty ? BucketStore() : BucketStore(offset: offset, counts: counts))
    }
}
