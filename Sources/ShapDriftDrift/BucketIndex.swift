import Foundation
import ShapDriftCore

/// `QuantileSketch.index(of:)` by one table lookup and one comparison, for the fold's hot loop
/// (computing the index was the largest part of folding a value).
///
/// The table has a cell per binade and 1/64 of its significand: the top 17 bits of a magnitude's
/// bit pattern. A cell spans a ratio of at most 1 + 1/64 < γ, so at most one bucket boundary γ^i
/// lies in or near it. A cell holds the bucket of its values below that boundary (`base`; those
/// above are in `base + 1`) and where the boundary lies, in units of 2^23 ulps from the cell's
/// first value (`threshold`). Values within two units of it, at least 2^24 ulps (a relative
/// 2^-30) either side of γ^i, go to the libm definition, which decides there. Outside, libm's
/// ⌈log x / log γ⌉ is the table's: a relative 2^-30 is 4.6 × 10^-8 in log_γ units, and libm's
/// `log` and the division move q by a few ulps of values below 35,000, under 10^-11.
///
/// The table is built once per process (131,072 cells of 8 bytes, about 5 ms) on first use.
final class BucketIndex: @unchecked Sendable {
    static let shared = BucketIndex()
    static let cellBits = 17
    /// Bits of a magnitude's pattern below its cell (`64 − 1 − cellBits`).
    static let offsetBits = 46
    /// Bits dropped from the offset for `threshold`'s unit (2^23 ulps).
    static let unitBits = 23

    struct Cell {
        /// The bucket of the cell's values below its boundary.
        let base: Int32
        /// The boundary's offset from the cell's first value in units of 2^23 ulps (it may lie
        /// just outside the cell), or `Int32.max` for a cell with no boundary near.
        let threshold: Int32
    }

    /// One cell per value of a magnitude's bit pattern >> 46; allocated once for the process
    /// (`shared`) and freed with it.
    private let cells: UnsafeMutablePointer<Cell>

    private init() {
        let count = 1 << Self.cellBits
        cells = .allocate(capacity: count)
        let logGamma = QuantileSketch.logGamma
        // The libm fallback reaches at most a relative 2^-28 from a boundary (2^24 ulps of at
        // least 2^-52 each); a boundary that near a cell's edge, in q = log_γ x and with room for
        // libm's error, is the cell's.
        let margin = 0x1p-27 / logGamma
        var qLow = -Double.infinity
        for key in 0..<count {
            let lowBits = UInt64(key) << UInt64(Self.offsetBits)
            let low = Double(bitPattern: lowBits)
            let high = Double(bitPattern: UInt64(key + 1) << UInt64(Self.offsetBits))
            // Each cell's upper edge is the next one's lower edge: one log per cell. The last
            // finite binade's top cell ends at the greatest double.
            let top = high.isFinite && high > 0 ? high : .greatestFiniteMagnitude
            let qHigh = Foundation.log(top) / logGamma
            defer { qLow = qHigh }
            guard low >= Double.leastNormalMagnitude, low.isFinite else {
                // Subnormals (below the zero threshold) and the patterns of infinity and NaN:
                // outside `index(of:)`'s domain, clamped to the nearest bucket of a finite
                // normal magnitude rather than left undefined.
                let clamped = low.isFinite ? Double.leastNormalMagnitude : .greatestFiniteMagnitude
                (cells + key).initialize(to: Cell(base: Int32(QuantileSketch.index(of: clamped)), threshold: .max))
                continue
            }
            let boundary = QuantileSketch.ceiling(qLow - margin)
            if Double(boundary) < qHigh + margin {
                let value = Foundation.exp(Double(boundary) * logGamma)
                let offset = Int64(bitPattern: value.bitPattern) - Int64(bitPattern: lowBits)
                (cells + key).initialize(to: Cell(base: Int32(boundary), threshold: Int32(offset >> Int64(Self.unitBits))))
            } else {
                (cells + key).initialize(to: Cell(base: Int32(QuantileSketch.index(of: low / 2 + top / 2)), threshold: .max))
            }
        }
    }

    deinit { cells.deallocate() }

    /// The bucket of a finite magnitude ≥ `QuantileSketch.zeroThreshold` (callers count smaller
    /// ones as zero and non-finite ones as missing).
    @inline(__always)
    func index(of magnitude: Double) -> Int {
        let bits = magnitude.bitPattern
        let cell = cells[Int(truncatingIfNeeded: bits >> UInt64(Self.offsetBits))]
        let unit = Int32(truncatingIfNeeded: (bits & (1 << UInt64(Self.offsetBits) - 1)) >> UInt64(Self.unitBits))
        // `threshold` ≥ −2^23 (a boundary at most a cell below) and unit < 2^23: no overflow but
        // for `Int32.max`, which the wrapping keeps far below.
        let distance = unit &- cell.threshold
        if UInt32(bitPattern: distance &+ 2) <= 4 { return QuantileSketch.index(of: magnitude) }
        return Int(cell.base) &+ (distance > 0 ? 1 : 0)
    }
}
