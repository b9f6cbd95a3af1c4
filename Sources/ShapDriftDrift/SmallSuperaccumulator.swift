import ShapDriftCore

/// A fixed-point register wide enough for any sum of up to `capacity` doubles, exactly: Neal's
/// small superaccumulator ("Fast exact summation using small and large superaccumulators",
/// arXiv:1505.05571, 2015, §3). Why here: folding a block adds three exact sums per value, and
/// Shewchuk's grow-expansion costs a loop over the partials with data-dependent branches per
/// value; a superaccumulator adds a value as three integer additions and no branches, and hands
/// its total to an `ExactSum` once per block.
///
/// Layout: bit p of the register weighs 2^(p − 1074), so bit 0 is the least subnormal. A double
/// with biased exponent E and significand m (53 bits with the hidden one) is m·2^(p − 1074) with
/// p = max(E, 1) − 1. Chunk i holds bits 32i… as a signed 64-bit integer; m shifted by p mod 32
/// spans at most three chunks, each piece below 2^32, so 2^30 additions cannot overflow a chunk
/// (the caller drains before that). Chunks are not normalised: draining splits each into two
/// exactly representable doubles, so no carry chain can cancel into huge terms.
struct SmallSuperaccumulator {
    static let chunkCount = 68
    /// Values that may be added between drains.
    static let capacity = 1 << 30

    /// Storage for `chunkCount` chunks, owned and zeroed by the caller (e.g. a temporary
    /// allocation holding many registers).
    let chunks: UnsafeMutablePointer<Int64>

    init(storage: UnsafeMutablePointer<Int64>) {
        chunks = storage
    }

    /// A finite double cut into the three chunk pieces of its magnitude.
    struct Pieces {
        let chunk: Int
        let low: Int64
        let middle: Int64
        let high: Int64
        /// All ones for a negative value, zero otherwise.
        let signMask: Int64

        @inline(__always)
        init(_ value: Double) {
            let bits = value.bitPattern
            let biased = Int((bits >> 52) & 0x7FF)
            let significand = (bits & 0x000F_FFFF_FFFF_FFFF) | (biased != 0 ? 1 << 52 : 0)
            let position = Swift.max(biased, 1) - 1
            let shift = UInt64(position & 31)
            let shifted = significand &<< shift
            chunk = position >> 5
            low = Int64(shifted & 0xFFFF_FFFF)
            middle = Int64(shifted >> 32)
            // The bits shifted past 64; (m >> 1) >> (63 − shift) is 0 for shift 0 without a branch.
            high = Int64((significand >> 1) &>> (63 &- shift))
            signMask = Int64(bitPattern: bits) >> 63
        }
    }

    /// Adds the value `pieces` came from. (`chunk` ≤ 2046 >> 5 = 63, so `chunk + 2` < `chunkCount`:
    /// the index arithmetic wraps rather than checking.)
    @inline(__always)
    func add(_ pieces: Pieces) {
        let mask = pieces.signMask
        chunks[pieces.chunk] &+= (pieces.low ^ mask) &- mask
        chunks[pieces.chunk &+ 1] &+= (pieces.middle ^ mask) &- mask
        chunks[pieces.chunk &+ 2] &+= (pieces.high ^ mask) &- mask
    }

    /// Adds the magnitude of the value `pieces` came from.
    @inline(__always)
    func addMagnitude(_ pieces: Pieces) {
        chunks[pieces.chunk] &+= pieces.low
        chunks[pieces.chunk &+ 1] &+= pieces.middle
        chunks[pieces.chunk &+ 2] &+= pieces.high
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
