import ShapDriftCore

/// The first stage of the fold's exact sums: a tile's values added binade by binade as integers.
///
/// Every double of one sign and biased exponent E is an integer significand m < 2^53 times
/// 2^(max(E, 1) − 1075), so adding the significands of up to `tileCapacity` (256) of them in a
/// 64-bit slot is exact (< 2^61). A value costs one integer addition to the slot its top 12 bits
/// (sign and exponent) name, its square one more; the slots touched are then handed to
/// `SmallSuperaccumulator`s, one integer each, and zeroed. Σx and Σ|x| come from the same slots
/// (positive minus negative, and plus). Why: adding each value straight into a
/// superaccumulator cost three additions per sum and dominated the fold.
///
/// A view over caller-owned storage of `slotCount` zeroed slots; `drain` leaves them zeroed.
struct BinadeSums {
    /// 4,096 slots for values (sign and exponent), 2,048 for squares (exponent).
    static let slotCount = 6144
    /// Values that may be added between drains.
    static let tileCapacity = 256

    let slots: UnsafeMutablePointer<Int64>

    init(storage: UnsafeMutablePointer<Int64>) {
        slots = storage
    }

    /// Adds a finite value (its bit pattern) and its square. (`bits >> 52` < 4,096 and the
    /// square's < 2,048: the index arithmetic wraps rather than checking.)
    @inline(__always)
    func add(_ bits: UInt64, square: UInt64) {
        slots[Int(truncatingIfNeeded: bits >> 52)] &+= Self.significand(bits)
        slots[4096 &+ Int(truncatingIfNeeded: square >> 52)] &+= Self.significand(square)
    }

    /// The integer significand of a double's bit pattern (the hidden bit for normal numbers).
    @inline(__always)
    static func significand(_ bits: UInt64) -> Int64 {
        let fraction = bits & 0x000F_FFFF_FFFF_FFFF
        let hidden: UInt64 = bits & 0x7FF0_0000_0000_0000 != 0 ? 1 << 52 : 0
        return Int64(bitPattern: fraction | hidden)
    }

    /// Moves the slots of magnitudes `smallest...largest` (bit patterns of the least and greatest
    /// |x| added) into the three registers, and zeroes them.
    /// - Complexity: O(binades between `smallest` and `largest`).
    func drain(smallest: UInt64, largest: UInt64, sum: SmallSuperaccumulator, sumAbs: SmallSuperaccumulator,
               sumSquares: SmallSuperaccumulator) {
        guard smallest <= largest else { return }
        let low = Double(bitPattern: smallest), high = Double(bitPattern: largest)
        for exponent in Int(smallest >> 52)...Int(largest >> 52) {
            let positive = slots[exponent], negative = slots[2048 + exponent]
            guard positive | negative != 0 else { continue }
            slots[exponent] = 0
            slots[2048 + exponent] = 0
            let position = Swift.max(exponent, 1) - 1
            sum.add(positive - negative, position: position)
            sumAbs.add(positive + negative, position: position)
        }
        // Squaring is monotone, so every square's exponent lies between these two's.
        for exponent in Int((low * low).bitPattern >> 52)...Int((high * high).bitPattern >> 52) {
            let squares = slots[4096 + exponent]
            guard squares != 0 else { continue }
            slots[4096 + exponent] = 0
            sumSquares.add(squares, position: Swift.max(exponent, 1) - 1)
        }
    }
}
