import CBLAS
import Foundation

/// A streaming bootstrap of the current sample's global attributions (mean |φ| per output and
/// feature), so NDCG can be given with an interval without keeping the rows.
///
/// Poisson bootstrap (Hanley & MacGibbon 2006; Chamandy et al., "Estimating uncertainty for
/// massive data streams", 2012): each replicate gives row r a weight w ~ Poisson(1) instead of
/// resampling, which approximates the multinomial bootstrap and needs no second pass. A weight is
/// a pure function of (seed, global row index, replicate), so the replicates do not depend on
/// chunking or threads; per chunk their sums are one BLAS product S += Wᵀ·|Φ|, so differently
/// chunked runs agree to rounding (~1e-15), not bit for bit.
public struct PoissonBootstrap: Sendable {
    public let replicates: Int
    public let seed: UInt64
    public let width: Int
    /// `replicates × width` weighted sums of |φ|, row-major.
    private var sums: [Double]
    private var weightTotals: [Double]

    /// - Parameter width: values per row (outputs × features).
    public init(replicates: Int, seed: UInt64, width: Int) {
        self.replicates = replicates
        self.seed = seed
        self.width = width
        sums = [Double](repeating: 0, count: replicates * width)
        weightTotals = [Double](repeating: 0, count: replicates)
    }

    /// Adds a chunk whose first row has global index `firstRow`; the weights are drawn on
    /// `threads` cores.
    public mutating func add(_ attributions: AttributionBatch, firstRow: Int, threads: Int = 1) {
        let rows = attributions.rowCount
        guard replicates > 0, rows > 0 else { return }
        precondition(attributions.numOutputs * attributions.numFeatures == width)
        var weights = [Double](repeating: 0, count: rows * replicates)
        let (seed, replicates) = (seed, replicates)
        weights.withUnsafeMutableBufferPointer { buffer in
            let out = UncheckedSendable(buffer)
            RowParallel.forEachRange(rowCount: rows, threads: threads, minimumRowsPerTask: 256) { range in
                for row in range {
                    let rowKey = Self.mix(seed &+ Self.mix(UInt64(firstRow + row)))
                    for replicate in 0..<replicates {
                        out.value[row * replicates + replicate] = Self.poisson1(Self.mix(rowKey ^ (UInt64(replicate) &* 0x9E37_79B9_7F4A_7C15)))
                    }
                }
            }
        }
        // Small integers: their totals are exact in any order.
        for row in 0..<rows {
            for replicate in 0..<replicates { weightTotals[replicate] += weights[row * replicates + replicate] }
        }
        let magnitudes = attributions.values.map { abs($0) }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(replicates), Int32(width), Int32(rows), 1,
                    weights, Int32(replicates), magnitudes, Int32(width), 1, &sums, Int32(width))
    }

    /// Replicate `replicate`'s mean |φ| of every feature for `output`.
    public func meanAbsolute(replicate: Int, output: Int, features: Int) -> [Double] {
        let total = weightTotals[replicate]
        let start = replicate * width + output * features
        return (0..<features).map { total > 0 ? sums[start + $0] / total : 0 }
    }

    /// SplitMix64's finaliser: a well-mixed 64-bit hash.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A Poisson(1) draw by inversion of its CDF from the uniform in `bits`.
    @inline(__always)
    static func poisson1(_ bits: UInt64) -> Double {
        let uniform = Double(bits >> 11) * 0x1p-53
        var k = 0
        while k < 20, uniform > poissonCumulative[k] { k += 1 }
        return Double(k)
    }

    /// P(K ≤ k) for K ~ Poisson(1), k = 0…19, summed term by term (e^−1, then ·1/k) once rather
    /// than per draw.
    static let poissonCumulative: [Double] = {
        var probability = exp(-1.0)
        var cumulative = [probability]
        for k in 1..<20 {
            probability /= Double(k)
            cumulative.append(cumulative[k - 1] + probability)
        }
        return cumulative
    }()
}
