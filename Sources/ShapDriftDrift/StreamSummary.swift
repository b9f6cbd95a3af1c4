import Foundation
import ShapDriftCore

/// Summary statistics of one stream of numbers (a feature's attributions or raw values),
/// mergeable: counts and sums exactly, quantiles through a `QuantileSketch`.
public struct StreamSummary: Codable, Equatable, Sendable {
    /// Finite values seen.
    public private(set) var count: UInt64 = 0
    /// Missing (NaN) values seen.
    public private(set) var missing: UInt64 = 0
    public private(set) var sum = ExactSum()
    public private(set) var sumAbs = ExactSum()
    public private(set) var sumSquares = ExactSum()
    public private(set) var min = Double.infinity
    public private(set) var max = -Double.infinity
    public private(set) var sketch = QuantileSketch()

    public init() {}

    /// A summary from its stored statistics, as `SummaryCoding` reads them (it checks that they
    /// are consistent).
    init(count: UInt64, missing: UInt64, sum: ExactSum, sumAbs: ExactSum, sumSquares: ExactSum, min: Double, max: Double,
         sketch: QuantileSketch) {
        self.count = count
        self.missing = missing
        self.sum = sum
        self.sumAbs = sumAbs
        self.sumSquares = sumSquares
        self.min = min
        self.max = max
        self.sketch = sketch
    }

    @inline(__always)
    public mutating func add(_ value: Double) {
        guard value.isFinite else {
            missing += 1
            return
        }
        count += 1
        sum.add(value)
        sumAbs.add(abs(value))
        sumSquares.add(value * value)
        if value < min { min = value }
        if value > max { max = value }
        sketch.add(value)
    }

    public mutating func merge(_ other: StreamSummary) {
        count += other.count
        missing += other.missing
        sum.merge(other.sum)
        sumAbs.merge(other.sumAbs)
        sumSquares.merge(other.sumSquares)
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        sketch.merge(other.sketch)
    }

    /// Adds `count` values `stride` apart, the same as adding each in turn.
    package mutating func add(_ values: UnsafePointer<Double>, count valueCount: Int, stride: Int) {
        withUnsafeMutablePointer(to: &self) { Self.add(to: $0, columns: 1, values: values, rows: valueCount, stride: stride) }
    }

    /// Rows per tile of `add(to:columns:values:rows:stride:)`: a tile of a group's cache lines
    /// (256 lines, 16 KB) stays in L1 while each of the group's columns reads it, and a tile's
    /// binade sums cannot overflow (`BinadeSums.tileCapacity`).
    static let tileRows = BinadeSums.tileCapacity

    /// Adds `rows` rows of `columns` adjacent columns (column j of row r at
    /// `values[j + r·stride]`) to `summaries[0..<columns]`, each the same as adding its values in
    /// turn; with `centring`, also each column's centred values x − μ_j (μ at `centring.means`,
    /// subtracted as linear SHAP subtracts it) to `centring.summaries[0..<columns]`, from the
    /// same tiles. The exact sums go binade by binade (`BinadeSums`) into small superaccumulators
    /// (`SmallSuperaccumulator`), drained into the totals at the end (and before they could
    /// fill), so the totals are the same exact numbers.
    ///
    /// Rows go tile by tile, and a tile of strided rows is first copied column by column into a
    /// scratch tile (`columns × tileRows` values, in L1 for a group of 8): each row's piece is
    /// one cache line, loaded once for the whole group, and the copy's loads are independent, so
    /// many are in flight at once, where the fold's own loop, with its dependent work per value,
    /// waited on each. (Copying the whole block column by column first, as before, wrote and
    /// re-read every value through memory, and cost as much as a fifth of the fold for wide rows.)
    /// Each column's centred values are computed from the copied tile into one more column of it,
    /// just before they are folded, so they never go through memory.
    /// - Complexity: O(rows × columns).
    static func add(to summaries: UnsafeMutablePointer<StreamSummary>, columns: Int, values: UnsafePointer<Double>, rows: Int, stride: Int,
                    centring: (summaries: UnsafeMutablePointer<StreamSummary>, means: UnsafePointer<Double>)? = nil) {
        let chunks = SmallSuperaccumulator.chunkCount
        // The tile's columns: the values, then their centred values.
        let tileColumns = centring == nil ? columns : 2 * columns
        let registerCount = 3 * chunks * tileColumns
        let copied = stride != 1 || tileColumns != 1
        // The copied columns, and with centring one column of centred values at a time.
        let tileValues = copied ? (columns + (centring == nil ? 0 : 1)) * tileRows : 0
        // One allocation: the group's registers, the binade slots, the copied tile and a tile's
        // bucket indices.
        let byteCount = 8 * (registerCount + BinadeSums.slotCount + tileValues) + 4 * 2 * tileRows
        withUnsafeTemporaryAllocation(byteCount: byteCount, alignment: 8) { raw in
            let registers = raw.baseAddress!.bindMemory(to: Int64.self, capacity: registerCount + BinadeSums.slotCount)
            registers.initialize(repeating: 0, count: registerCount + BinadeSums.slotCount)
            let binades = BinadeSums(storage: registers + registerCount)
            let tileCopy = (raw.baseAddress! + 8 * (registerCount + BinadeSums.slotCount)).bindMemory(to: Double.self, capacity: tileValues)
            let indices = (raw.baseAddress! + 8 * (registerCount + BinadeSums.slotCount + tileValues)).bindMemory(to: Int32.self, capacity: 2 * tileRows)
            func sums(_ column: Int) -> (SmallSuperaccumulator, SmallSuperaccumulator, SmallSuperaccumulator) {
                let base = registers + 3 * chunks * column
                return (SmallSuperaccumulator(storage: base), SmallSuperaccumulator(storage: base + chunks),
                        SmallSuperaccumulator(storage: base + 2 * chunks))
            }
            func summary(_ column: Int) -> UnsafeMutablePointer<StreamSummary> {
                column < columns ? summaries + column : centring!.summaries + (column - columns)
            }
            var first = 0
            while first < rows {
                let end = Swift.min(rows, first + SmallSuperaccumulator.capacity)
                var tile = first
                while tile < end {
                    let count = Swift.min(end - tile, tileRows)
                    if copied {
                        // Wrapping index arithmetic: row < count ≤ tileRows, column < columns, and
                        // the caller's buffer holds rows × stride values.
                        let source = values + tile * stride
                        for row in 0..<count {
                            let line = source + row &* stride
                            for column in 0..<columns { tileCopy[column &* tileRows &+ row] = line[column] }
                        }
                    }
                    for column in 0..<tileColumns {
                        var start = copied ? UnsafePointer(tileCopy + column * tileRows) : values + tile
                        if let means = centring?.means, column >= columns {
                            let (raw, centred, mean) = (tileCopy + (column &- columns) &* tileRows, tileCopy + columns &* tileRows, means[column &- columns])
                            for row in 0..<count { centred[row] = raw[row] - mean }
                            start = UnsafePointer(centred)
                        }
                        summary(column).pointee.addTile(start, count: count, sums: sums(column), binades: binades, indices: indices)
                    }
                    tile += count
                }
                for column in 0..<tileColumns {
                    let (sum, sumAbs, sumSquares) = sums(column)
                    let target = summary(column)
                    sum.drain { target.pointee.sum.add($0) }
                    sumAbs.drain { target.pointee.sumAbs.add($0) }
                    sumSquares.drain { target.pointee.sumSquares.add($0) }
                }
                first = end
            }
        }
    }

    /// Folds at most `tileRows` values in one pass: the binade sums, min and max, and each
    /// value's bucket, listed by sign into `indices` (two lists of `tileRows`) for the sketch.
    /// The lists are written branch-free (each index goes to both, only its sign's list
    /// advances): attributions change sign at random, and a mispredicted branch per value cost
    /// more than the store.
    @inline(__always)
    private mutating func addTile(_ values: UnsafePointer<Double>, count valueCount: Int,
                                  sums: (SmallSuperaccumulator, SmallSuperaccumulator, SmallSuperaccumulator), binades: BinadeSums,
                                  indices: UnsafeMutablePointer<Int32>) {
        let buckets = BucketIndex.shared
        let positives = indices, negatives = indices + Self.tileRows
        var low = min, high = max
        var finite = 0, zeros = 0, positiveCount = 0, negativeCount = 0
        var smallest = UInt64.max, largest: UInt64 = 0
        for index in 0..<valueCount {
            let value = values[index]
            let bits = value.bitPattern
            let magnitudeBits = bits & 0x7FFF_FFFF_FFFF_FFFF
            guard magnitudeBits < 0x7FF0_0000_0000_0000 else {
                missing &+= 1
                continue
            }
            finite &+= 1
            binades.add(bits, square: (value * value).bitPattern)
            // Not Swift.max: it takes the later of equal values, and max must keep the first zero's sign.
            low = value < low ? value : low
            high = value > high ? value : high
            smallest = Swift.min(smallest, magnitudeBits)
            largest = Swift.max(largest, magnitudeBits)
            let magnitude = Double(bitPattern: magnitudeBits)
            guard magnitude >= QuantileSketch.zeroThreshold else {
                zeros &+= 1
                continue
            }
            let bucket = Int32(truncatingIfNeeded: buckets.index(of: magnitude))
            positives[positiveCount] = bucket
            negatives[negativeCount] = bucket
            let negative = Int(truncatingIfNeeded: bits >> 63)
            negativeCount &+= negative
            positiveCount &+= 1 &- negative
        }
        count += UInt64(finite)
        min = low
        max = high
        let (sum, sumAbs, sumSquares) = sums
        binades.drain(smallest: smallest, largest: largest, sum: sum, sumAbs: sumAbs, sumSquares: sumSquares)
        sketch.add(positive: UnsafeBufferPointer(start: positives, count: positiveCount),
                   negative: UnsafeBufferPointer(start: negatives, count: negativeCount), zeros: zeros)
    }

    public var mean: Double { count == 0 ? 0 : sum.value / Double(count) }
    public var meanAbs: Double { count == 0 ? 0 : sumAbs.value / Double(count) }
    public var meanSquare: Double { count == 0 ? 0 : sumSquares.value / Double(count) }

    enum CodingKeys: String, CodingKey {
        case count, missing, sum, sumAbs = "sum_abs", sumSquares = "sum_squares", min, max, sketch
        case mean, meanAbs = "mean_abs", meanSquare = "mean_square", quantiles
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decode(UInt64.self, forKey: .count)
        missing = try container.decode(UInt64.self, forKey: .missing)
        sum = try container.decode(ExactSum.self, forKey: .sum)
        sumAbs = try container.decode(ExactSum.self, forKey: .sumAbs)
        sumSquares = try container.decode(ExactSum.self, forKey: .sumSquares)
        min = try container.decodeIfPresent(Double.self, forKey: .min) ?? .infinity
        max = try container.decodeIfPresent(Double.self, forKey: .max) ?? -.infinity
        sketch = try container.decode(QuantileSketch.self, forKey: .sketch)
        guard sketch.count == count else {
            throw DecodingError.dataCorruptedError(forKey: .sketch, in: container, debugDescription: "sketch count \(sketch.count) differs from count \(count)")
        }
    }

    /// Writes the stored statistics and, for people reading the file, the derived mean, mean |x|,
    /// mean square and quantiles (ignored when read back).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(missing, forKey: .missing)
        try container.encode(mean, forKey: .mean)
        try container.encode(meanAbs, forKey: .meanAbs)
        try container.encode(meanSquare, forKey: .meanSquare)
        if count > 0 {
            try container.encode(min, forKey: .min)
            try container.encode(max, forKey: .max)
            let levels = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
            let quantiles = Dictionary(uniqueKeysWithValues: levels.map { (String(format: "p%02.0f", $0 * 100), sketch.quantile($0) ?? 0) })
            try container.encode(quantiles, forKey: .quantiles)
        }
        try container.encode(sum, forKey: .sum)
        try container.encode(sumAbs, forKey: .sumAbs)
        try container.encode(sumSquares, forKey: .sumSquares)
        try container.encode(sketch, forKey: .sketch)
    }
}
