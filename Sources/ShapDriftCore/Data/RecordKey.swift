/// A 64-bit identity of one input row that does not depend on where the row sits in a run: on
/// which shard read it, how rows were split into blocks, or how many rows came before it.
///
/// What needs a row's identity rather than its position uses it: the bootstrap's Poisson
/// weights (so shard profiles merge into exactly the single-pass bootstrap) and deterministic
/// sampling and sharding by record (the same record is always in or out).
///
/// - A SageMaker capture record with an `eventId` is keyed by it (and the row's position within
///   the record's payload), so the same event has the same key whatever file or folder holds it.
/// - Any other row is keyed by its source name (the file's path below the data directory it was
///   found in, or its file name) and its line.
public enum RecordKey {
    /// FNV-1a (64-bit) of `bytes`: cheap and stable across platforms and runs, then mixed.
    /// - Complexity: O(bytes).
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
        return SplitMix64.mix(value)
    }

    /// The key of payload row `row` (0-based) of the capture record with event id hash `event`.
    @inline(__always)
    public static func event(_ event: UInt64, row: Int) -> UInt64 {
        SplitMix64.mix(event ^ SplitMix64.mix(UInt64(truncatingIfNeeded: row) &+ 0x5EED))
    }

    /// The key of payload row `row` at `line` of the source whose name hashes to `source`.
    @inline(__always)
    public static func position(source: UInt64, line: Int, row: Int = 0) -> UInt64 {
        SplitMix64.mix(source ^ SplitMix64.mix(UInt64(truncatingIfNeeded: line) &* 0x1_0000 &+ UInt64(truncatingIfNeeded: row)))
    }
}
