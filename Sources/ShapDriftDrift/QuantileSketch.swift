import Foundation
import ShapDriftCore

/// A mergeable quantile sketch with relative accuracy: DDSketch (Masson, Rim & Lee, "DDSketch: a
/// fast and fully-mergeable quantile sketch with relative-error guarantees", VLDB 2019).
///
/// A value x ≠ 0 falls in bucket ⌈log_γ |x|⌉ of the store for its sign, with γ = (1+α)/(1−α);
/// every value in a bucket is within relative error α of the bucket's representative
/// 2γ^i/(γ+1). Values with |x| below `zeroThreshold` are counted as zero. Because the buckets are
/// fixed by γ alone, merging two sketches adds counts bucket by bucket: the sketch of a whole
/// dataset equals the merge of the sketches of its parts, exactly, in any order. That is what lets
/// shards be profiled separately and merged.
public struct QuantileSketch: Codable, Equatable, Sendable {
    /// α: every quantile is returned within this relative error of a true sample value.
    public static let relativeAccuracy = 0.01
    static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    static let logGamma = Foundation.log(gamma)
    /// Magnitudes below this count as zero (far below any attribution or feature value of interest).
    public static let zeroThreshold = 1e-300

    public private(set) var count: UInt64 = 0
    public private(set) var zeroCount: UInt64 = 0
    private(set) var positive = BucketStore()
    private(set) var negative = BucketStore()

    public init() {}

    /// A sketch from its parts, as `SummaryCoding` reads them.
    init(zeroCount: UInt64, positive: BucketStore, negative: BucketStore, count: UInt64) {
        self.zeroCount = zeroCount
        self.positive = positive
        self.negative = negative
        self.count = count
    }

    /// Adds one finite value; NaN and infinities are ignored (callers count missing values separately).
    public mutating func add(_ value: Double) {
        guard value.isFinite else { return }
        count += 1
        let magnitude = abs(value)
        if magnitude < Self.zeroThreshold {
            zeroCount += 1
        } else if value > 0 {
            positive.add(BucketIndex.shared.index(of: magnitude))
        } else {
            negative.add(BucketIndex.shared.index(of: magnitude))
        }
    }

    /// Adds a tile's values by their buckets, listed by sign, and its values below
    /// `zeroThreshold`: the same as adding each value in turn.
    /// - Complexity: O(buckets listed).
    mutating func add(positive positives: UnsafeBufferPointer<Int32>, negative negatives: UnsafeBufferPointer<Int32>, zeros: Int) {
        // Each store holds at most the values counted so far.
        let before = count
        count += UInt64(positives.count + negatives.count + zeros)
        zeroCount += UInt64(zeros)
        positive.add(positives, total: before)
        negative.add(negatives, total: before)
    }

    /// The bucket of a magnitude (≥ `zeroThreshold`, finite): ⌈log(x) / log γ⌉ as libm's `log`
    /// and one division give it. This definition fixes the bucket boundaries that stored
    /// sketches were built with; `BucketIndex` computes the same value faster.
    /// - Complexity: O(1): one call of libm's `log`.
    static func index(of magnitude: Double) -> Int {
        ceiling(Foundation.log(magnitude) / logGamma)
    }

    /// ⌈q⌉ without a libm call (baseline x86-64 has no rounding instruction); same value.
    @inline(__always)
    static func ceiling(_ q: Double) -> Int {
        let truncated = Int(q)
        return Double(truncated) < q ? truncated + 1 : truncated
    }

    /// The representative value of bucket `index` (positive side).
    @inline(__always)
    static func value(ofBucket index: Int) -> Double {
        2 * Foundation.pow(gamma, Double(index)) / (gamma + 1)
    }

    /// Adds every value of `other`.
    public mutating func merge(_ other: QuantileSketch) {
        count += other.count
        zeroCount += other.zeroCount
        positive.merge(other.positive)
        negative.merge(other.negative)
    }

    /// The sketch as (value, count) pairs in increasing order of value: the distribution it stores.
    public var distribution: [(value: Double, count: UInt64)] {
        var result: [(Double, UInt64)] = []
        for (index, bucketCount) in negative.nonZeroBuckets.reversed() { result.append((-Self.value(ofBucket: index), bucketCount)) }
        if zeroCount > 0 { result.append((0, zeroCount)) }
        for (index, bucketCount) in positive.nonZeroBuckets { result.append((Self.value(ofBucket: index), bucketCount)) }
        return result
    }

    /// The q-quantile (0 ≤ q ≤ 1), within relative error α; `nil` for an empty sketch.
    public func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = UInt64((min(max(q, 0), 1) * Double(count - 1)).rounded(.down))
        var seen: UInt64 = 0
        for (value, bucketCount) in distribution {
            seen += bucketCount
            if seen > rank { return value }
        }
        return distribution.last?.value
    }

    /// The q-quantile of |x| (negative values folded onto positive ones), within relative error α.
    public func magnitudeQuantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        var buckets: [Int: UInt64] = [:]
        for (index, bucketCount) in positive.nonZeroBuckets { buckets[index, default: 0] += bucketCount }
        for (index, bucketCount) in negative.nonZeroBuckets { buckets[index, default: 0] += bucketCount }
        let rank = UInt64((min(max(q, 0), 1) * Double(count - 1)).rounded(.down))
        var seen = zeroCount
        if seen > rank { return 0 }
        for index in buckets.keys.sorted() {
            seen += buckets[index] ?? 0
            if seen > rank { return Self.value(ofBucket: index) }
        }
        return nil
    }

    /// Zero count plus every bucket's, or `nil` if the sum overflows: a stored sketch must add
    /// up to its `count`.
    var bucketTotal: UInt64? {
        guard let positiveTotal = positive.total, let negativeTotal = negative.total else { return nil }
        let (partial, first) = zeroCount.addingReportingOverflow(positiveTotal)
        let (total, second) = partial.addingReportingOverflow(negativeTotal)
        return first || second ? nil : total
    }

    /// Why buckets cannot hold values within `min...max`, or `nil`: positive buckets need a
    /// positive max at or above their highest, negative ones a negative min, the zero bucket a
    /// range around zero.
    func rangeViolation(min: Double, max: Double) -> String? {
        if let highest = positive.highestIndex {
            guard max >= Self.zeroThreshold, highest <= BucketIndex.shared.index(of: max) else {
                return "the sketch holds positive values above max \(max)"
            }
        }
        if let highest = negative.highestIndex {
            guard -min >= Self.zeroThreshold, highest <= BucketIndex.shared.index(of: -min) else {
                return "the sketch holds negative values below min \(min)"
            }
        }
        if zeroCount > 0, !(min < Self.zeroThreshold && max > -Self.zeroThreshold) {
            return "the sketch holds zeros outside min \(min) ... max \(max)"
        }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case count, zeroCount = "zero_count", positive, negative
    }
}
