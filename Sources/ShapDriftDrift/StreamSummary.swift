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
    /// (256 lines, 16 KB) stays in L1 while each of the group's columns reads it.
    static let tileRows = 256

    /// Adds `rows` rows of `columns` adjacent columns (column j of row r at
    /// `values[j + r·stride]`) to `summaries[0..<columns]`, each the same as adding its values in
    /// turn. The exact sums go through small superaccumulators (`SmallSuperaccumulator`),
    /// drained into the totals at the end (and before they could fill), so the totals are the
    /// same exact numbers. Rows go tile by tile, so the cache lines a tile loads for the first
    /// column serve the group's other columns: with rows hundreds of values wide, reading one
    /// column at a time fetched a line (and often a page) per value.
    ///
    /// `columnStride` is the distance between adjacent columns: 1 for row-major values, the row
    /// count for values already laid out column by column (`AttributionProfile.add` transposes
    /// rows wider than a few pages, where every value of a column was on a page of its own).
    static func add(to summaries: UnsafeMutablePointer<StreamSummary>, columns: Int, values: UnsafePointer<Double>, rows: Int, stride: Int,
                    columnStride: Int = 1) {
        let chunks = SmallSuperaccumulator.chunkCount
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: 3 * chunks * columns) { storage in
            let registers = storage.baseAddress!
            registers.initialize(repeating: 0, count: 3 * chunks * columns)
            func sums(_ column: Int) -> (SmallSuperaccumulator, SmallSuperaccumulator, SmallSuperaccumulator) {
                let base = registers + 3 * chunks * column
                return (SmallSuperaccumulator(storage: base), SmallSuperaccumulator(storage: base + chunks),
                        SmallSuperaccumulator(storage: base + 2 * chunks))
            }
            var first = 0
            while first < rows {
                let end = Swift.min(rows, first + SmallSuperaccumulator.capacity)
                var tile = first
                while tile < end {
                    let count = Swift.min(end - tile, tileRows)
                    for column in 0..<columns {
                        summaries[column].addTile(values + tile * stride + column * columnStride, count: count, stride: stride, sums: sums(column))
                    }
                    tile += count
                }
                for column in 0..<columns {
                    let (sum, sumAbs, sumSquares) = sums(column)
                    sum.drain { summaries[column].sum.add($0) }
                    sumAbs.drain { summaries[column].sumAbs.add($0) }
                    sumSquares.drain { summaries[column].sumSquares.add($0) }
                }
                first = end
            }
        }
    }

    @inline(__always)
    private mutating func addTile(_ values: UnsafePointer<Double>, count valueCount: Int, stride: Int,
                                  sums: (SmallSuperaccumulator, SmallSuperaccumulator, SmallSuperaccumulator)) {
        let (sums, sumsAbs, sumsSquares) = sums
        var low = min, high = max
        var finite: UInt64 = 0
        for index in 0..<valueCount {
            // Wrapping index arithmetic: index < rows and the caller's buffer holds rows × stride values.
            let value = values[index &* stride]
            guard value.isFinite else {
                missing &+= 1
                continue
            }
            finite &+= 1
            let pieces = SmallSuperaccumulator.Pieces(value)
            sums.add(pieces)
            sumsAbs.addMagnitude(pieces)
            sumsSquares.addMagnitude(SmallSuperaccumulator.Pieces(value * value))
            if value < low { low = value }
            if value > high { high = value }
        }
        count += finite
        min = low
        max = high
        // A second pass over the tile, which is in L1 now: the sketch's loop stays short.
        sketch.add(values, count: valueCount, stride: stride, buckets: BucketIndex.shared)
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
