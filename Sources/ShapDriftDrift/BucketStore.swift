import ShapDriftCore

/// Counts per bucket index over a contiguous index range (DDSketch's dense store), serialised sparsely.
struct BucketStore: Codable, Equatable, Sendable {
    private var offset = 0
    private var counts: [UInt64] = []

    /// The buckets a finite magnitude can fall in: from that of `QuantileSketch.zeroThreshold`
    /// (smaller magnitudes count as zero) to that of the largest double, about ±35,000. A stored
    /// index outside is refused before anything is allocated for it.
    static let indexRange = QuantileSketch.index(of: QuantileSketch.zeroThreshold)...QuantileSketch.index(of: .greatestFiniteMagnitude)

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

    /// The sum of the counts, or `nil` if it overflows.
    var total: UInt64? {
        var total: UInt64 = 0
        for count in counts {
            let (sum, overflow) = total.addingReportingOverflow(count)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// The highest bucket with a count, or `nil` for an empty store.
    var highestIndex: Int? {
        counts.lastIndex { $0 != 0 }.map { offset + $0 }
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
        // A range check, not abs(): abs(Int.min) traps.
        guard indices.allSatisfy(Self.indexRange.contains), zip(indices, indices.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw DecodingError.dataCorruptedError(forKey: .indices, in: container,
                                                   debugDescription: "bucket indices must increase within \(Self.indexRange)")
        }
        guard values.allSatisfy({ $0 <= StreamSummary.maximumCount }) else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: container, debugDescription: "a bucket count is above 2^53")
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
