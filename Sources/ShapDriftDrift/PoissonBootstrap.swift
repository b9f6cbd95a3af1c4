import CBLAS
import Foundation
import ShapDriftCore

/// A streaming bootstrap of the current sample's global attributions (mean |φ| per output and
/// feature), so NDCG can be given with an interval without keeping the rows — and mergeable, so
/// the profiles of shards give exactly the single-pass interval.
///
/// Poisson bootstrap (Hanley & MacGibbon 2006; Chamandy et al., "Estimating uncertainty for
/// massive data streams", 2012): each replicate gives row r a weight w ~ Poisson(1) instead of
/// resampling, which approximates the multinomial bootstrap and needs no second pass. A weight is
/// a pure function of (seed, the row's `RecordKey`, replicate), so the replicates do not depend on
/// chunking, threads, or which shard read the row.
///
/// **Reproducible sums.** Each replicate keeps, per column (output × feature), Σ w·|φ|. Summed in
/// floating point these agree across chunkings only to rounding; here they are integer sums on a
/// fixed grid, so they are the same in any order and under any merge, bit for bit (binned
/// summation: Demmel & Nguyen, "Parallel reproducible summation", IEEE Trans. Computers 64(7),
/// 2015, §III; their ReproBLAS keeps bins the same way). Bit p of a value weighs 2^(p − 1074);
/// bins are `binBits` = 24 positions wide at fixed places (bin k holds positions 24k…24k+23). A
/// column keeps the two bins from the one holding the leading bit of the largest |φ| it has seen
/// (its top bin T): every value contributes the integer `w ×` (its bits in bin T) and `w ×` (its
/// bits in bin T−1), and its lower bits are dropped. When a larger value raises T, the bins that
/// fall below the window are dropped whole — exactly what would have been dropped had that value
/// come first — so the sums depend on the set of rows only. Error bound: a value loses less than
/// 2^(24(T−1) − 1074) ≤ 2^-24 × the column's largest |φ|, so a replicate's Σ w·|φ| is low by at
/// most 2^-24 × max|φ| / mean|φ| of itself (6e-8 relative when the largest is 1 × the mean, 6e-6
/// at 100×) — far below the bootstrap's own resampling noise.
///
/// **Cost.** Per block the two bins of every value go in a matrix of small integers (exact as
/// doubles) and each replicate slice multiplies its Poisson weights into it with one BLAS product
/// per few hundred rows: products below 2^29, sums below 2^53 within a block, so the floating-point
/// product is exact in any order; then the block's sums move into 64-bit integers.
public struct PoissonBootstrap: Sendable, Equatable {
    public let replicates: Int
    public let seed: UInt64
    /// Values per row (outputs × features).
    public let width: Int
    /// Rows added (every replicate saw each once).
    public private(set) var rows: UInt64 = 0
    /// Per column, its top bin, or −1 while it has seen no non-zero value.
    private var topBins: [Int32]
    /// `replicates × width × 2` sums: per replicate and column, the top bin's then the next's.
    private var sums: [UInt64]
    /// Per replicate, Σ w over the rows (exact integers).
    private var weightTotals: [UInt64]

    static let binBits = 24
    /// Bin index of the highest position a double's bit can have (2046 − 1 + 52 = 2097).
    static let highestBin: Int32 = 2097 / 24
    /// Rows a bootstrap may hold: weights are below 2^5 and bin values below 2^24, so 2^34 rows
    /// keep every 64-bit sum below 2^63.
    public static let capacity: UInt64 = 1 << 34
    /// Rows per BLAS accumulation before the sums move into integers: with products below 2^29,
    /// 2^16 rows keep the floating-point sums below 2^45, exact.
    static let rowsPerFlush = 1 << 16

    /// - Parameter width: values per row (outputs × features).
    public init(replicates: Int, seed: UInt64, width: Int) {
        BLASThreading.keepOnCallingThread()
        self.replicates = replicates
        self.seed = seed
        self.width = width
        topBins = [Int32](repeating: -1, count: width)
        sums = [UInt64](repeating: 0, count: replicates * width * 2)
        weightTotals = [UInt64](repeating: 0, count: replicates)
    }

    /// Adds a chunk of rows with their record keys (one per row). The replicates are split into
    /// slices run on `threads` cores; each slice draws its weights a few hundred rows at a time
    /// and multiplies them into its rows of the sums with single-threaded BLAS products.
    /// - Throws: `NumericalError` when the rows would exceed `capacity`.
    /// - Complexity: O(rows × replicates × outputs × features).
    public mutating func add(_ attributions: AttributionBatch, recordKeys: [UInt64], threads: Int = 1) throws(NumericalError) {
        let rowCount = attributions.rowCount
        precondition(recordKeys.count == rowCount)
        precondition(attributions.numOutputs * attributions.numFeatures == width)
        guard rowCount > 0 else { return }
        try reserve(UInt64(rowCount))
        guard replicates > 0 else { return }
        attributions.values.withUnsafeBufferPointer { values in
            recordKeys.withUnsafeBufferPointer { keys in
                var first = 0
                while first < rowCount {
                    let count = min(Self.rowsPerFlush, rowCount - first)
                    addBlock(values.baseAddress! + first * width, keys: keys.baseAddress! + first, rows: count, threads: threads)
                    first += count
                }
            }
        }
    }

    private mutating func reserve(_ added: UInt64) throws(NumericalError) {
        let (total, overflow) = rows.addingReportingOverflow(added)
        guard !overflow, total <= Self.capacity else {
            throw NumericalError(operation: "bootstrap", "more than \(Self.capacity) rows: the replicates' exact sums would overflow")
        }
        rows = total
    }

    /// The bin of a positive finite value's leading bit, and its bits in bins `bin` and `bin − 1`.
    @inline(__always)
    static func leadingBin(_ magnitude: Double) -> Int32 {
        let bits = magnitude.bitPattern
        let biased = Int((bits >> 52) & 0x7FF)
        let significand = (bits & 0x000F_FFFF_FFFF_FFFF) | (biased != 0 ? 1 << 52 : 0)
        let position = Swift.max(biased, 1) - 1 + (63 - significand.leadingZeroBitCount)
        return Int32(position / binBits)
    }

    /// The bits of `magnitude` (positive, finite) in bin `bin`, as an integer below 2^24.
    @inline(__always)
    static func bits(of magnitude: Double, inBin bin: Int32) -> UInt64 {
        guard bin >= 0 else { return 0 }
        let raw = magnitude.bitPattern
        let biased = Int((raw >> 52) & 0x7FF)
        let significand = (raw & 0x000F_FFFF_FFFF_FFFF) | (biased != 0 ? 1 << 52 : 0)
        let lowest = Swift.max(biased, 1) - 1
        let start = Int(bin) * binBits
        // Smart shifts: a shift of 64 or more gives 0, which is the right answer.
        let aligned = start >= lowest ? significand >> UInt64(start - lowest) : significand << UInt64(lowest - start)
        return aligned & 0xFF_FFFF
    }

    private mutating func addBlock(_ values: UnsafePointer<Double>, keys: UnsafePointer<UInt64>, rows: Int, threads: Int) {
        let width = self.width
        let pairs = 2 * width
        // The block's top bins, then every kept sum moved to the new windows.
        var blockTop = [Int32](repeating: -1, count: width)
        for row in 0..<rows {
            let line = values + row * width
            for column in 0..<width {
                let magnitude = abs(line[column])
                if magnitude > 0, magnitude.isFinite { blockTop[column] = Swift.max(blockTop[column], Self.leadingBin(magnitude)) }
            }
        }
        for column in 0..<width where blockTop[column] > topBins[column] {
            raise(column: column, to: blockTop[column])
        }
        // The two bins of every value under its column's window, as exact small doubles.
        let tops = topBins
        let binned = UnsafeMutablePointer<Double>.allocate(capacity: rows * pairs)
        defer { binned.deallocate() }
        tops.withUnsafeBufferPointer { tops in
            Parallel.forEachRange(rowCount: rows, threads: threads, minimumRowsPerTask: 256) { range in
                let tops = tops.baseAddress!
                for row in range {
                    let line = values + row * width
                    let target = binned + row * pairs
                    for column in 0..<width {
                        let magnitude = abs(line[column])
                        guard magnitude > 0, magnitude.isFinite else {
                            target[2 * column] = 0
                            target[2 * column + 1] = 0
                            continue
                        }
                        let top = tops[column]
                        target[2 * column] = Double(Self.bits(of: magnitude, inBin: top))
                        target[2 * column + 1] = Double(Self.bits(of: magnitude, inBin: top - 1))
                    }
                }
            }
        }
        let (seed, replicates) = (seed, replicates)
        let slices = max(1, min(threads * 4, replicates / Self.minimumSliceReplicates))
        let perSlice = (replicates + slices - 1) / slices
        sums.withUnsafeMutableBufferPointer { sums in
            weightTotals.withUnsafeMutableBufferPointer { totals in
                Self.poissonCumulative.withUnsafeBufferPointer { cumulative in
                    Parallel.forEach(count: slices, threads: threads) { slice in
                        let (sums, totals, cumulative) = (sums.baseAddress!, totals.baseAddress!, cumulative.baseAddress!)
                        let first = slice * perSlice
                        let count = min(replicates, first + perSlice) - first
                        guard count > 0 else { return }
                        let chunkRows = min(rows, Self.weightChunkRows)
                        let weights = UnsafeMutablePointer<Double>.allocate(capacity: chunkRows * count)
                        let accumulated = UnsafeMutablePointer<Double>.allocate(capacity: count * pairs)
                        accumulated.initialize(repeating: 0, count: count * pairs)
                        defer {
                            weights.deallocate()
                            accumulated.deallocate()
                        }
                        for chunk in stride(from: 0, to: rows, by: chunkRows) {
                            let chunkCount = min(chunkRows, rows - chunk)
                            // Index arithmetic wraps: row < chunkCount ≤ chunkRows, offset < count,
                            // so every index lies in the buffers sized above.
                            for row in 0..<chunkCount {
                                let rowKey = SplitMix64.mix(seed &+ keys[chunk &+ row])
                                for offset in 0..<count {
                                    let replicate = UInt64(truncatingIfNeeded: first &+ offset)
                                    let weight = Self.poisson1(SplitMix64.mix(rowKey ^ (replicate &* SplitMix64.increment)),
                                                               cumulative: cumulative)
                                    weights[row &* count &+ offset] = Double(weight)
                                    totals[first &+ offset] &+= UInt64(weight)
                                }
                            }
                            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(count), Int32(pairs), Int32(chunkCount), 1,
                                        weights, Int32(count), binned + chunk * pairs, Int32(pairs), 1, accumulated, Int32(pairs))
                        }
                        // Integers below 2^45: exact as doubles and as their conversion.
                        for index in 0..<(count * pairs) {
                            sums[first * pairs &+ index] &+= UInt64(accumulated[index])
                        }
                    }
                }
            }
        }
    }

    /// Moves `column`'s window up to `top`, dropping the bins that fall below it in every replicate.
    private mutating func raise(column: Int, to top: Int32) {
        let shift = Int(top - topBins[column])
        topBins[column] = top
        for replicate in 0..<replicates {
            let base = (replicate * width + column) * 2
            sums[base + 1] = shift == 1 ? sums[base] : 0
            sums[base] = 0
        }
    }

    /// Rows of weights drawn before each product: 256 rows of a slice's replicates (25 of 200 on
    /// 2 cores: 50 KB) stay in L2 between the draws and the product.
    static let weightChunkRows = 256

    /// Replicates per slice at least, so each product stays large enough for BLAS's kernels.
    static let minimumSliceReplicates = 16

    /// Adds the rows of `other`, a bootstrap of other rows with the same replicates, seed and width.
    /// - Throws: `IncompatibilityError` when those differ; `NumericalError` past `capacity`.
    /// - Complexity: O(replicates × width).
    public mutating func merge(_ other: PoissonBootstrap) throws(ShapDriftError) {
        guard other.replicates == replicates, other.seed == seed, other.width == width else {
            throw .incompatible(IncompatibilityError(
                setting: .bootstrap, recorded: "\(replicates) replicates (seed \(seed))", given: "\(other.replicates) replicates (seed \(other.seed))",
                consequence: "bootstraps of different replicates cannot be merged"))
        }
        do {
            try reserve(other.rows)
        } catch {
            throw .numerical(error)
        }
        for column in 0..<width where other.topBins[column] > topBins[column] { raise(column: column, to: other.topBins[column]) }
        var overflow = false
        for replicate in 0..<replicates {
            weightTotals[replicate] &+= other.weightTotals[replicate]
            for column in 0..<width {
                let shift = Int(topBins[column] - other.topBins[column])
                guard shift <= 1 else { continue }
                let base = (replicate * width + column) * 2
                let (high, low) = shift == 0 ? (other.sums[base], other.sums[base + 1]) : (0, other.sums[base])
                let (newHigh, highOverflow) = sums[base].addingReportingOverflow(high)
                let (newLow, lowOverflow) = sums[base + 1].addingReportingOverflow(low)
                sums[base] = newHigh
                sums[base + 1] = newLow
                overflow = overflow || highOverflow || lowOverflow
            }
        }
        // Within `capacity` no sum can overflow; a profile whose sums say otherwise is damaged.
        if overflow { throw .numerical(NumericalError(operation: "bootstrap", "the replicates' sums overflow: the profile is damaged")) }
    }

    /// Replicate `replicate`'s sums for `column`: its top bin, and the sums of the top bin's and
    /// the next bin's bits (for tests against the rule above).
    package func sums(replicate: Int, column: Int) -> (top: Int, high: UInt64, low: UInt64) {
        let base = (replicate * width + column) * 2
        return (Int(topBins[column]), sums[base], sums[base + 1])
    }

    /// Replicate `replicate`'s mean |φ| of every feature for `output`.
    public func meanAbsolute(replicate: Int, output: Int, features: Int) -> [Double] {
        let total = Double(weightTotals[replicate])
        return (0..<features).map { feature in
            let column = output * features + feature
            let top = Int(topBins[column])
            guard total > 0, top >= 0 else { return 0 }
            let base = (replicate * width + column) * 2
            let high = Double(sign: .plus, exponent: top * Self.binBits - 1074, significand: Double(sums[base]))
            let low = Double(sign: .plus, exponent: (top - 1) * Self.binBits - 1074, significand: Double(sums[base + 1]))
            return (high + low) / total
        }
    }

    /// Replicate `replicate`'s mean |φ| of every feature for `output`; with `factors` (a linear
    /// model's profile derived from centred values), this bootstrap is of the centred values'
    /// |x_j − μ_j| (width: features) and output k's are |w_kj| times them, as |φ_kj| = |w_kj|·|x_j − μ_j|.
    /// - Complexity: O(features).
    public func meanAbsolute(replicate: Int, output: Int, features: Int, factors: LinearAttributionFactors?) -> [Double] {
        guard let factors else { return meanAbsolute(replicate: replicate, output: output, features: features) }
        return meanAbsolute(replicate: replicate, output: 0, features: features).enumerated().map { feature, mean in
            abs(factors.coefficients[output * features + feature]) * mean
        }
    }

    /// A Poisson(1) draw by inversion of its CDF (`poissonCumulative`'s 20 values, at
    /// `poissonCumulative`) from the uniform in `bits`.
    @inline(__always)
    static func poisson1(_ bits: UInt64, cumulative poissonCumulative: UnsafePointer<Double>) -> Int {
        let uniform = Double(bits >> 11) * 0x1p-53
        // The first three steps without branches (k ≤ 2 for 92 % of draws), then the rare tail.
        var k = (uniform > poissonCumulative[0] ? 1 : 0) + (uniform > poissonCumulative[1] ? 1 : 0)
            + (uniform > poissonCumulative[2] ? 1 : 0)
        if k == 3 {
            while k < 20, uniform > poissonCumulative[k] { k += 1 }
        }
        return k
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

extension PoissonBootstrap {
    /// The largest weight a row gets in a replicate (`poisson1` stops at 20).
    static let largestWeight: UInt64 = 20
    /// The largest value of a row's bits in one bin.
    static let largestBinValue: UInt64 = (1 << binBits) - 1

    /// What is inconsistent in a bootstrap read from a profile of `rows` rows whose model has
    /// `width` values per row (outputs × features), as (key under `bootstrap`, what is wrong), or
    /// `nil`: its width and rows those of the profile (`meanAbsolute` indexes columns by the
    /// model's outputs and features), and every sum one the rows can give — a replicate's weight
    /// total at most `largestWeight` × rows, each of its sums at most that total × `largestBinValue`.
    /// Those bounds hold for a merge too, so two valid bootstraps within `capacity` merge without
    /// overflow.
    /// - Complexity: O(replicates × width).
    func violation(rows profileRows: UInt64, width modelWidth: Int) -> (field: String, message: String)? {
        guard width == modelWidth else {
            return ("width", "\(width) values per row, but the model has \(modelWidth) (outputs × features)")
        }
        guard rows == profileRows else { return ("rows", "\(rows) rows, but the profile holds \(profileRows)") }
        // rows ≤ capacity (2^34), so these products cannot overflow.
        let weightLimit = Self.largestWeight * rows
        for replicate in 0..<replicates {
            let total = weightTotals[replicate]
            guard total <= weightLimit else {
                return ("weight_totals[\(replicate)]", "\(total) is more than \(Self.largestWeight) × the \(rows) rows")
            }
            let limit = total * Self.largestBinValue
            let base = replicate * width * 2
            for index in 0..<(width * 2) where sums[base + index] > limit {
                return ("sums", "replicate \(replicate)'s sum for column \(index / 2) is more than its weight total \(total) × 2^24 allows")
            }
        }
        return nil
    }
}

/// The bootstrap in a profile (`docs/baseline-profile.md`): its settings and counts as JSON, the
/// top bins as a JSON array, and the sums as varints (`VarintCoding`), column by column with
/// each replicate's pair written as its difference from the previous replicate's — those differ
/// by about √rows bin units, where the sums themselves are rows × bin units.
extension PoissonBootstrap: Codable {
    enum CodingKeys: String, CodingKey {
        case replicates, seed, width, rows, binBits = "bin_bits", topBins = "top_bins", weightTotals = "weight_totals", sums
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(replicates, forKey: .replicates)
        try container.encode(seed, forKey: .seed)
        try container.encode(width, forKey: .width)
        try container.encode(rows, forKey: .rows)
        try container.encode(Self.binBits, forKey: .binBits)
        try container.encode(topBins, forKey: .topBins)
        try container.encode(weightTotals, forKey: .weightTotals)
        var deltas: [Int64] = []
        deltas.reserveCapacity(sums.count)
        for column in 0..<width {
            for slot in 0..<2 {
                var previous: UInt64 = 0
                for replicate in 0..<replicates {
                    let value = sums[(replicate * width + column) * 2 + slot]
                    deltas.append(Int64(bitPattern: value &- previous))
                    previous = value
                }
            }
        }
        try container.encode(VarintCoding.encode(deltas), forKey: .sums)
    }

    /// Reads what `encode` wrote, checking every size against the others before allocating by it.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func corrupt(_ key: CodingKeys, _ message: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: message)
        }
        let replicates = try container.decode(Int.self, forKey: .replicates)
        let width = try container.decode(Int.self, forKey: .width)
        guard (0...100_000).contains(replicates) else { throw corrupt(.replicates, "\(replicates) replicates: expected 0 to 100000") }
        guard width >= 1 else { throw corrupt(.width, "width \(width): expected at least 1") }
        guard try container.decode(Int.self, forKey: .binBits) == Self.binBits else {
            throw corrupt(.binBits, "bins of another width than \(Self.binBits) bits")
        }
        let topBins = try container.decode([Int32].self, forKey: .topBins)
        guard topBins.count == width, topBins.allSatisfy({ (-1...Self.highestBin).contains($0) }) else {
            throw corrupt(.topBins, "expected \(width) bins from -1 to \(Self.highestBin)")
        }
        let weightTotals = try container.decode([UInt64].self, forKey: .weightTotals)
        guard weightTotals.count == replicates else { throw corrupt(.weightTotals, "expected \(replicates) totals") }
        let rows = try container.decode(UInt64.self, forKey: .rows)
        guard rows <= Self.capacity else { throw corrupt(.rows, "\(rows) rows: more than a bootstrap holds") }
        let (count, overflow) = replicates.multipliedReportingOverflow(by: 2 * width)
        guard !overflow else { throw corrupt(.sums, "too many sums declared") }
        let deltas: [Int64]
        do {
            deltas = try VarintCoding.decode(try container.decode(String.self, forKey: .sums), count: count)
        } catch let failure as VarintCoding.Failure {
            throw corrupt(.sums, failure.message)
        }
        var sums = [UInt64](repeating: 0, count: count)
        var index = 0
        for column in 0..<width {
            for slot in 0..<2 {
                var previous: UInt64 = 0
                for replicate in 0..<replicates {
                    previous &+= UInt64(bitPattern: deltas[index])
                    index += 1
                    if topBins[column] < 0, previous != 0 { throw corrupt(.sums, "column \(column) has sums but no values") }
                    sums[(replicate * width + column) * 2 + slot] = previous
                }
            }
        }
        self.init(replicates: replicates, seed: try container.decode(UInt64.self, forKey: .seed), width: width)
        self.rows = rows
        self.topBins = topBins
        self.weightTotals = weightTotals
        self.sums = sums
    }
}
