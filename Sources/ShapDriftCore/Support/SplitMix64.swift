/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA
/// 2014): a small, fast, seedable generator, and its finaliser as a well-mixed 64-bit hash.
///
/// Every seeded step of ShapDrift draws from it (KernelSHAP's coalitions and background sample,
/// the correlation permutations, the bootstrap's Poisson weights), so runs with the same seed are
/// reproducible on any machine. Public and `@inlinable` so the bootstrap's per-weight hash inlines
/// into ShapDriftDrift's loop (an `@inlinable package` function is not inlined across modules).
public struct SplitMix64: Sendable {
    /// Added to the state before each output: 2^64 / φ, the golden-ratio increment.
    @inlinable public static var increment: UInt64 { 0x9E37_79B9_7F4A_7C15 }

    @usableFromInline var state: UInt64

    @inlinable public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.finalise(state)
    }

    /// A uniform double in [0, 1) from the top 53 bits of the next output.
    @inlinable
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// The generator's output for state `value + increment`: a bijective hash of 64-bit keys
    /// whose output bits each depend on every input bit.
    @inlinable @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        finalise(value &+ increment)
    }

    @inlinable @inline(__always)
    static func finalise(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
