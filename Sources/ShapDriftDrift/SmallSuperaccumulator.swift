import ShapDriftCore

/// A fixed-point register wide enough for any sum of up to `capacity` scaled integers (a binade's
/// total of up to 2^62), exactly: Neal's
/// small superaccumulator ("Fast exact summation using small and large superaccumulators",
/// arXiv:1505.05571, 2015, §3). Why here: folding a block adds three exact sums per value, and
/// Shewchuk's grow-expansion costs a loop over the partials with data-dependent branches per
/// value; the fold first adds a tile's values binade by binade in integers (`BinadeSums`), then
/// each binade's total here as a few integer additions, and hands the register's total to an
/// `ExactSum` once per block.
///
/// Layout: bit p of the register weighs 2^(p − 1074), so bit 0 is the least subnormal. Chunk i
/// holds bits 32i… as a signed 64-bit integer. An integer below 2^62 in magnitude placed at bit p
/// adds less than 2^33 to each of the three chunks from p >> 5; the caller adds at most
/// `capacity` of them before draining, so no chunk can overflow (2^28 · 2^33 = 2^61). Chunks are not normalised: draining splits each into two exactly representable
/// doubles, so no carry chain can cancel into huge terms.
struct SmallSuperaccumulator {
    static let chunkCount = 68
    /// Integers that may be added between drains.
    static let capacity = 1 << 28

    /// Storage for `chunkCount` chunks, owned and zeroed by the caller (e.g. a temporary
    /// allocation holding many registers).
    let chunks: UnsafeMutablePointer<Int64>

    init(storage: UnsafeMutablePointer<Int64>) {
        chunks = storage
    }

    /// Adds integer · 2^(position − 1074), |integer| < 2^62, 0 ≤ position ≤ 2046.
    /// (`position >> 5` ≤ 63, so the three chunks from it lie within `chunkCount`: the index
    /// arithmetic wraps rather than checking.)
    @inline(__always)
    func add(_ integer: Int64, position: Int) {
        let chunk = position >> 5
        let shift = Int64(position & 31)
        // integer = high · 2^32 + low with 0 ≤ low < 2^32 and |high| < 2^30; each shifted by
        // < 32 bits stays within 63.
        let low = (integer & 0xFFFF_FFFF) &<< shift
        let high = (integer >> 32) &<< shift
        chunks[chunk] &+= low & 0xFFFF_FFFF
        chunks[chunk &+ 1] &+= (low >> 32) &+ (high & 0xFFFF_FFFF)
        chunks[chunk &+ 2] &+= high >> 32
    }

    /// Passes the total as exact doubles (two per non-zero chunk: its low 32 bits and the rest,
    /// each scaled by its chunk's weight) to `body`, and zeroes the register.
    func drain(_ body: (Double) -> Void) {
        for index in 0..<Self.chunkCount where chunks[index] != 0 {
            let value = chunks[index]
            chunks[index] = 0
            let low = value & 0xFFFF_FFFF
            let high = value >> 32
            if low != 0 { body(Double(sign: .plus, exponent: 32 * index - 1074, significand: Double(low))) }
            if high != 0 { body(Double(sign: .plus, exponent: 32 * (index + 1) - 1074, significand: Double(high))) }
        }
    }
}
