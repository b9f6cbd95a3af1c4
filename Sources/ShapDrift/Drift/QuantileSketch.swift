import Foundation

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
    private var positive = BucketStore()
    private var negative = BucketStore()

    public init() {}

    /// Adds one finite value; NaN and infinities are ignored (callers count missing values separately).
    @inline(__always)
    public mutating func add(_ value: Double) {
        guard value.isFinite else { return }
        count += 1
        let magnitude = abs(value)
        if magnitude < Self.zeroThreshold {
            zeroCount += 1
        } else if value > 0 {
            positive.add(Self.index(of: magnitude))
        } else {
            negative.add(Self.index(of: magnitude))
        }
    }

    @inline(__always)
    static func index(of magnitude: Double) -> Int {
        // ⌈q⌉ without a libm call (baseline x86-64 has no rounding instruction); same value.
        let q = Foundation.log(magnitude) / logGamma
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

    enum CodingKeys: String, CodingKey {
        case count, zeroCount = "zero_count", positive, negative
    }
}

/// Counts per bucket index over a contiguous index range (DDSketch's dense store), serialised sparsely.
struct BucketStore: Codable, Equatable, Sendable {
    private var offset = 0
    private var counts: [UInt64] = []

    init() {}

    @inline(__always)
    mutating func add(_ index: Int, count: UInt64 = 1) {
        if counts.isEmpty {
            offset = index
            counts = [0]
        } else if index < offset {
            counts.insert(contentsOf: repeatElement(0, count: offset - index), at: 0)
            offset = index
        } else if index >= offset + counts.count {
            counts.append(contentsOf: repeatElement(0, count: index - offset - counts.count + 1))
        }
        counts[index - offset] += count
    }

    mutating func merge(_ other: BucketStore) {
        for (index, count) in other.nonZeroBuckets { add(index, count: count) }
    }

    var nonZeroBuckets: [(index: Int, count: UInt64)] {
        counts.enumerated().compactMap { $0.element == 0 ? nil : (offset + $0.offset, $0.element) }
    }

    static func == (lhs: BucketStore, rhs: BucketStore) -> Bool {
        lhs.nonZeroBuckets.elementsEqual(rhs.nonZeroBuckets) { $0 == $1 }
    }

    enum CodingKeys: String, CodingKey { case indices, counts }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let indices = try container.decode([Int].self, forKey: .indices)
        let values = try container.decode([UInt64].self, forKey: .counts)
        guard indices.count == values.count else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: container, debugDescription: "indices and counts differ in length")
        }
        guard indices.allSatisfy({ abs($0) < 100_000 }) else {
            throw DecodingError.dataCorruptedError(forKey: .indices, in: container, debugDescription: "bucket index out of range")
        }
        for (index, count) in zip(indices, values) { add(index, count: count) }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let buckets = nonZeroBuckets
        try container.encode(buckets.map(\.index), forKey: .indices)
        try container.encode(buckets.map(\.count), forKey: .counts)
    }
}
