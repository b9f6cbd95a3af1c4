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
    public mutating func add(_ value: Double) {
        withUnsafePointer(to: value) { add($0, count: 1, stride: 1, buckets: BucketIndex.shared) }
    }

    /// Adds `count` values `stride` apart, the same as adding each in turn. The store is picked
    /// by a pointer select rather than a branch on the sign: attributions change sign at random,
    /// and each mispredicted branch discarded the bucket index computations in flight.
    mutating func add(_ values: UnsafePointer<Double>, count valueCount: Int, stride: Int, buckets: BucketIndex) {
        var added: UInt64 = 0
        var zeros: UInt64 = 0
        withUnsafeMutablePointer(to: &positive) { positive in
            withUnsafeMutablePointer(to: &negative) { negative in
                for index in 0..<valueCount {
                    let value = values[index * stride]
                    guard value.isFinite else { continue }
                    added += 1
                    let magnitude = abs(value)
                    if magnitude < Self.zeroThreshold {
                        zeros += 1
                        continue
                    }
                    let store = value > 0 ? positive : negative
                    store.pointee.add(buckets.index(of: magnitude))
                }
            }
        }
        count += added
        zeroCount += zeros
    }

    /// The bucket of a magnitude (≥ `zeroThreshold`, finite): ⌈log(x) / log γ⌉ as libm's `log`
    /// and one division give it. This definition fixes the bucket boundaries that stored
    /// sketches were built with; `BucketIndex` computes the same value faster.
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

    enum CodingKeys: String, CodingKey {
        case count, zeroCount = "zero_count", positive, negative
    }
}

/// `QuantileSketch.index(of:)` without calling `log` or dividing, for the fold's hot loop
/// (the sketch's index was half of folding a value).
///
/// log x = e·ln 2 + log c + log1p(m/c − 1) for x = m·2^e, m ∈ [1, 2), with c the centre of m's
/// 1/128-wide interval (a table of log c and 1/c), |m/c − 1| < 2^-8 and log1p taken to its fifth
/// power (error < 1e-15). That q is within `errorBound` of libm's q, far more than both
/// roundings, so whenever no integer lies within `errorBound` of q its ceiling is the same
/// bucket; otherwise (about one value in 10^6) the libm definition decides.
struct BucketIndex: @unchecked Sendable {
    static let shared = BucketIndex()
    static let errorBound = 1e-6
    static let intervals = 128

    /// Per interval: log c, then 1/c; allocated once for the process (`shared`) and never freed.
    private let table: UnsafeMutablePointer<Double>
    private let inverseLogGamma = 1 / QuantileSketch.logGamma

    private init() {
        table = .allocate(capacity: 2 * Self.intervals)
        for interval in 0..<Self.intervals {
            let centre = 1 + (Double(interval) + 0.5) / Double(Self.intervals)
            table[2 * interval] = Foundation.log(centre)
            table[2 * interval + 1] = 1 / centre
        }
    }

    @inline(__always)
    func index(of magnitude: Double) -> Int {
        let bits = magnitude.bitPattern
        let exponent = Int((bits >> 52) & 0x7FF) - 1023
        let interval = Int((bits >> 45) & 0x7F)
        let significand = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        let r = significand * table[2 * interval + 1] - 1
        let log1p = r * (1 + r * (-0.5 + r * (1.0 / 3 + r * (-0.25 + r * 0.2))))
        let q = (Double(exponent) * 0.693_147_180_559_945_3 + table[2 * interval] + log1p) * inverseLogGamma
        let bucket = QuantileSketch.ceiling(q)
        if q + Self.errorBound <= Double(bucket), q - Self.errorBound > Double(bucket - 1) { return bucket }
        return QuantileSketch.index(of: magnitude)
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
