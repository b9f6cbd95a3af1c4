import CBLAS
import Foundation
import ShapDriftCore

/// A streaming bootstrap of the current sample's global attributions (mean |φ| per output and
/// feature), so NDCG can be given with an interval without keeping the rows.
///
/// Poisson bootstrap (Hanley & MacGibbon 2006; Chamandy et al., "Estimating uncertainty for
/// massive data streams", 2012): each replicate gives row r a weight w ~ Poisson(1) instead of
/// resampling, which approximates the multinomial bootstrap and needs no second pass. A weight is
/// a pure function of (seed, the row's `RecordKey`, replicate), so the replicates do not depend on
/// chunking, threads, or which shard read the row; per chunk their sums are one BLAS product
/// S += Wᵀ·|Φ|, so differently chunked runs agree to rounding (~1e-15), not bit for bit.
public struct PoissonBootstrap: Sendable {
    public let replicates: Int
    public let seed: UInt64
    public let width: Int
    /// `replicates × width` weighted sums of |φ|, row-major.
    private var sums: [Double]
    private var weightTotals: [Double]

    /// - Parameter width: values per row (outputs × features).
    public init(replicates: Int, seed: UInt64, width: Int) {
        BLASThreading.keepOnCallingThread()
        self.replicates = replicates
        self.seed = seed
        self.width = width
        sums = [Double](repeating: 0, count: replicates * width)
        weightTotals = [Double](repeating: 0, count: replicates)
    }

    /// Adds a chunk of rows with their record keys (one per row). The replicates are split into
    /// slices run on `threads` cores; each slice draws its weights a few hundred rows at a time
    /// and multiplies them into its rows of the sums with single-threaded BLAS products.
    /// - Complexity: O(rows × replicates × outputs × features).
    public mutating func add(_ attributions: AttributionBatch, recordKeys: [UInt64], threads: Int = 1) {
        let rows = attributions.rowCount
        precondition(recordKeys.count == rows)
        guard replicates > 0, rows > 0 else { return }
        precondition(attributions.numOutputs * attributions.numFeatures == width)
        let magnitudes = attributions.values.map { abs($0) }
        let (seed, replicates, width) = (seed, replicates, width)
        let slices = max(1, min(threads * 4, replicates / Self.minimumSliceReplicates))
        let perSlice = (replicates + slices - 1) / slices
        sums.withUnsafeMutableBufferPointer { sums in
            weightTotals.withUnsafeMutableBufferPointer { totals in
                magnitudes.withUnsafeBufferPointer { magnitudes in
                    Parallel.forEach(count: slices, threads: threads) { slice in
                        let (sums, totals, magnitudes) = (sums.baseAddress!, totals.baseAddress!, magnitudes.baseAddress!)
                        let first = slice * perSlice
                        let count = min(replicates, first + perSlice) - first
                        guard count > 0 else { return }
                        // Weights for a few hundred rows at a time, so they stay in cache
                        // between being drawn and being multiplied.
                        let chunkRows = min(rows, Self.weightChunkRows)
                        let weights = UnsafeMutablePointer<Double>.allocate(capacity: chunkRows * count)
                        defer { weights.deallocate() }
                        Self.poissonCumulative.withUnsafeBufferPointer { cumulative in
                        recordKeys.withUnsafeBufferPointer { keys in
                        for chunk in stride(from: 0, to: rows, by: chunkRows) {
                            let chunkCount = min(chunkRows, rows - chunk)
                            // Index arithmetic wraps: row < chunkCount ≤ chunkRows, offset < count,
                            // so every index lies in the buffers sized above.
                            for row in 0..<chunkCount {
                                let rowKey = SplitMix64.mix(seed &+ keys[chunk &+ row])
                                for offset in 0..<count {
                                    let replicate = UInt64(truncatingIfNeeded: first &+ offset)
                                    let weight = Self.poisson1(SplitMix64.mix(rowKey ^ (replicate &* SplitMix64.increment)),
                                                               cumulative: cumulative.baseAddress!)
                                    weights[row &* count &+ offset] = weight
                                    // Small integers: their totals are exact in any order.
                                    totals[first &+ offset] += weight
                                }
                            }
                            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(count), Int32(width), Int32(chunkCount), 1,
                                        weights, Int32(count), magnitudes + chunk * width, Int32(width), 1, sums + first * width, Int32(width))
                        }
                        }
                        }
                    }
                }
            }
        }
    }

    /// Rows of weights drawn before each product: 256 rows of a slice's replicates (25 of 200 on
    /// 2 cores: 50 KB) stay in L2 between the draws and the product.
    static let weightChunkRows = 256

    /// Replicates per slice at least, so each product stays large enough for BLAS's kernels.
    static let minimumSliceReplicates = 16

    /// Replicate `replicate`'s mean |φ| of every feature for `output`.
    public func meanAbsolute(replicate: Int, output: Int, features: Int) -> [Double] {
        let total = weightTotals[replicate]
        let start = replicate * width + output * features
        return (0..<features).map { total > 0 ? sums[start + $0] / total : 0 }
    }

    /// A Poisson(1) draw by inversion of its CDF (`poissonCumulative`'s 20 values, at
    /// `poissonCumulative`) from the uniform in `bits`.
    @inline(__always)
    static func poisson1(_ bits: UInt64, cumulative poissonCumulative: UnsafePointer<Double>) -> Double {
        let uniform = Double(bits >> 11) * 0x1p-53
        // The first three steps without branches (k ≤ 2 for 92 % of draws), then the rare tail.
        var k = (uniform > poissonCumulative[0] ? 1 : 0) + (uniform > poissonCumulative[1] ? 1 : 0)
            + (uniform > poissonCumulative[2] ? 1 : 0)
        if k == 3 {
            while k < 20, uniform > poissonCumulative[k] { k += 1 }
        }
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
