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
    /// The counts while each fits in 16 bits, else `wide` (and this is empty). A window's stores
    /// almost always fit, and at 2 bytes a bucket the 11,000 sketches of a 10-class model over
    /// 1,000 features (13 MB at 8 bytes a bucket per store pair… 106 MB in all) stay within the
    /// last-level cache between blocks: the fold's time went to reloading them from memory.
    private var narrow: [UInt16] = []
    private var wide: [UInt64] = []

    /// Buckets a store spans at most (γ^2047 ≈ 6 × 10^17 for the 1 % sketch).
    static let maximumSpan = 2048

    /// The buckets a finite magnitude can fall in: from that of `QuantileSketch.zeroThreshold`
    /// (smaller magnitudes count as zero) to that of the largest double, about ±35,000. A stored
    /// index outside is refused before anything is allocated for it.
    static let indexRange = QuantileSketch.index(of: QuantileSketch.zeroThreshold)...QuantileSketch.index(of: .greatestFiniteMagnitude)

    init() {}

    /// A store from its first index and counts, as `SummaryCoding` reads them.
    /// - Precondition: checked by the reader: at most `maximumSpan` counts, the first and last
    ///   non-zero, indices within `indexRange`.
    init(offset: Int, counts: [UInt64]) {
        self.offset = offset
        if counts.allSatisfy({ $0 <= UInt64(UInt16.max) }) {
            narrow = counts.map { UInt16($0) }
        } else {
            wide = counts
        }
    }

    /// The counts from `offset` on.
    var counts: [UInt64] { wide.isEmpty ? narrow.map(UInt64.init) : wide }

    var isEmpty: Bool { narrow.isEmpty && wide.isEmpty }

    /// Buckets spanned.
    private var span: Int { wide.isEmpty ? narrow.count : wide.count }

    @inline(__always)
    mutating func add(_ index: Int, count: UInt64 = 1) {
        if isEmpty {
            offset = index
            narrow = [0]
        } else {
            let highest = offset + span - 1
            if index > highest {
                collapse(below: index - Self.maximumSpan + 1)
                grow(upTo: index)
            } else if index < offset {
                let kept = Swift.max(index, highest - Self.maximumSpan + 1)
                if kept < offset { grow(downTo: kept) }
                if index < kept { return increment(kept, by: count) }
            }
        }
        increment(index, by: count)
    }

    /// Adds one value to each listed bucket: the same as adding them in turn. The store's range
    /// is set once for the list (what adding its highest and then its lowest would leave), then
    /// each count goes through a pointer, without the per-add range and copy-on-write checks.
    /// With `total`, a bound on the counts the store holds, at most 65,535 with the list, no
    /// 16-bit count can overflow, and they are added without the check (W1's stores always).
    /// - Complexity: O(listed + buckets the range grows by).
    mutating func add(_ indices: UnsafeBufferPointer<Int32>, total: UInt64 = .max) {
        guard let first = indices.first else { return }
        var lowest = first, highest = first
        for index in indices {
            lowest = Swift.min(lowest, index)
            highest = Swift.max(highest, index)
        }
        add(Int(highest), count: 0)
        add(Int(lowest), count: 0)
        var next = 0
        let offset = offset
        if wide.isEmpty, Int(lowest) >= offset, total <= UInt64(UInt16.max) - UInt64(indices.count) {
            // Every listed bucket is within the range (none collapsed) and no count can pass 65,535.
            narrow.withUnsafeMutableBufferPointer { counts in
                for index in indices { counts[Int(truncatingIfNeeded: index) &- offset] &+= 1 }
            }
            return
        }
        if wide.isEmpty {
            next = narrow.withUnsafeMutableBufferPointer { counts in
                for position in indices.indices {
                    // Below `offset` are the buckets collapsed into it.
                    let slot = Swift.max(Int(indices[position]), offset) &- offset
                    let (sum, overflow) = counts[slot].addingReportingOverflow(1)
                    if overflow { return position }
                    counts[slot] = sum
                }
                return indices.count
            }
            guard next < indices.count else { return }
            widen()
        }
        wide.withUnsafeMutableBufferPointer { counts in
            // Counts stay within 2^53 (a summary's `maximumCount`): no overflow.
            for position in next..<indices.count { counts[Swift.max(Int(indices[position]), offset) &- offset] &+= 1 }
        }
    }

    @inline(__always)
    private mutating func increment(_ index: Int, by count: UInt64) {
        if wide.isEmpty, count <= UInt64(UInt16.max) {
            let (sum, overflow) = narrow[index - offset].addingReportingOverflow(UInt16(count))
            if !overflow {
                narrow[index - offset] = sum
                return
            }
        }
        widen()
        wide[index - offset] += count
    }

    /// Moves to 64-bit counts (once a bucket passes 65,535).
    private mutating func widen() {
        guard wide.isEmpty else { return }
        wide = narrow.map(UInt64.init)
        narrow = []
    }

    private mutating func grow(upTo index: Int) {
        let added = index - (offset + span - 1)
        if wide.isEmpty { narrow.append(contentsOf: repeatElement(0, count: added)) } else { wide.append(contentsOf: repeatElement(0, count: added)) }
    }

    private mutating func grow(downTo index: Int) {
        let added = offset - index
        if wide.isEmpty { narrow.insert(contentsOf: repeatElement(0, count: added), at: 0) } else { wide.insert(contentsOf: repeatElement(0, count: added), at: 0) }
        offset = index
    }

    /// Folds the buckets below `lowest` into bucket `lowest`.
    private mutating func collapse(below lowest: Int) {
        guard lowest > offset else { return }
        widen()
        let folded = Swift.min(lowest - offset, wide.count)
        let total = wide[0..<folded].reduce(0, +)
        wide.removeFirst(folded)
        offset = lowest
        // Either every bucket was below `lowest` (the store is now that one bucket), or the
        // first one left is bucket `lowest` itself.
        if wide.isEmpty {
            wide = [total]
        } else {
            wide[0] += total
        }
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
