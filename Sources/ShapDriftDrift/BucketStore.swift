import ShapDriftCore

/// Counts per bucket index over a contiguous index range (DDSketch's dense store), at most
/// `maximumSpan` buckets wide: when a store would grow wider, its lowest buckets collapse into
/// the lowest one kept (DDSketch's "collapsing lowest" store; Masson, Rim & Lee 2019, §2.3).
///
/// Collapsing keeps merges exact: a value lands in bucket max(i, top − maximumSpan + 1), where i
/// is its own bucket and top the highest bucket of the whole dataset, and the threshold only
/// rises — so the store of a dataset equals the merge of its parts' stores in any order. The
/// error bound it costs: magnitudes more than γ^(maximumSpan − 1) ≈ 6 × 10^17 below the store's
/// largest are counted at the lowest kept bucket's value, an absolute error below
/// largest × 1.7 × 10^-18 in place of 1 % relative. It bounds a store's memory and file size
/// whatever the data (a value of 1e-300 beside one of 1e300 would otherwise span 69,000 buckets).
struct BucketStore: Codable, Equatable, Sendable {
    private(set) var offset = 0
    private(set) var counts: [UInt64] = []

    /// Buckets a store spans at most (γ^2047 ≈ 6 × 10^17 for the 1 % sketch).
    static let maximumSpan = 2048
    /// Bucket indices a profile may hold: |log_γ x| for finite doubles stays below 35,500.
    static let indexLimit = 100_000

    init() {}

    /// A store from its first index and counts, as `SummaryCoding` reads them.
    /// - Precondition: checked by the reader: at most `maximumSpan` counts, the first and last
    ///   non-zero, indices within ±`indexLimit`.
    init(offset: Int, counts: [UInt64]) {
        self.offset = offset
        self.counts = counts
    }

    var isEmpty: Bool { counts.isEmpty }

    @inline(__always)
    mutating func add(_ index: Int, count: UInt64 = 1) {
        if counts.isEmpty {
            offset = index
            counts = [count]
            return
        }
        let highest = offset + counts.count - 1
        var index = index
        if index > highest {
            collapse(below: index - Self.maximumSpan + 1)
            counts.append(contentsOf: repeatElement(0, count: index - (offset + counts.count - 1)))
        } else if index < offset {
            index = Swift.max(index, highest - Self.maximumSpan + 1)
            if index < offset {
                counts.insert(contentsOf: repeatElement(0, count: offset - index), at: 0)
                offset = index
            }
        }
        counts[index - offset] += count
    }

    /// Folds the buckets below `lowest` into bucket `lowest`.
    private mutating func collapse(below lowest: Int) {
        guard lowest > offset else { return }
        let folded = Swift.min(lowest - offset, counts.count)
        let total = counts[0..<folded].reduce(0, +)
        counts.removeFirst(folded)
        offset = lowest
        // Either every bucket was below `lowest` (the store is now that one bucket), or the
        // first one left is bucket `lowest` itself.
        if counts.isEmpty {
            counts = [total]
        } else {
            counts[0] += total
        }
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
        guard indices.allSatisfy({ abs($0) < Self.indexLimit }) else {
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
