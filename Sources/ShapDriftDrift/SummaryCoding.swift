import Foundation
import ShapDriftCore

/// The summaries of a profile as compact bytes (profile format 4, `docs/baseline-profile.md`):
/// what made a wide model's profile 254 MB of pretty-printed JSON is written here as one block of
/// binary records, DEFLATE-compressed (`Deflate`) and in base64 inside the JSON.
///
/// A summary's record, numbers as unsigned LEB128 varints (`u`), signed ones zigzag-mapped
/// first (`s`), doubles as 8 little-endian bytes (`d`):
///
///     u count · u missing · [d min · d max, when count > 0]
///     3 × (u terms · terms × d): the exact sums Σx, Σ|x|, Σx² as their canonical terms
///     u zero_count · 2 × store (positive, then negative):
///         u span · [s first index · span × s (count − previous count)], when span > 0
///
/// Counts are written as differences from the bucket before: a sketch's counts follow a smooth
/// density, so the differences are small, and they compress to about their Poisson noise.
/// Reading checks every length against what is left before allocating by it, and every
/// invariant a summary keeps (`InvalidSummary` names the summary and what is wrong).
enum SummaryCoding {
    /// A summary that is not what `encode` writes.
    struct InvalidSummary: Error {
        let summary: Int
        let message: String
    }

    /// The records of `summaries`, in order.
    /// - Complexity: O(summaries × (sketch buckets + exact-sum terms)).
    static func encode(_ summaries: [StreamSummary]) -> [UInt8] {
        var writer = Writer()
        for summary in summaries {
            writer.unsigned(summary.count)
            writer.unsigned(summary.missing)
            if summary.count > 0 {
                writer.double(summary.min)
                writer.double(summary.max)
            }
            for sum in [summary.sum, summary.sumAbs, summary.sumSquares] {
                let terms = sum.canonicalPartials
                writer.unsigned(UInt64(terms.count))
                for term in terms { writer.double(term) }
            }
            writer.unsigned(summary.sketch.zeroCount)
            for store in [summary.sketch.positive, summary.sketch.negative] {
                let counts = store.counts
                writer.unsigned(UInt64(counts.count))
                guard !counts.isEmpty else { continue }
                writer.signed(Int64(store.offset))
                var previous: UInt64 = 0
                for count in counts {
                    writer.signed(Int64(bitPattern: count &- previous))
                    previous = count
                }
            }
        }
        return writer.bytes
    }

    /// Exactly `count` summaries from `bytes`.
    /// - Parameter cellBudget: the dense bucket cells (8 bytes each) all the stores may span
    ///   together (`ProfileValidation.cellBudget`): each store's span is charged against it before
    ///   its counts are allocated, so the block's memory is bounded by the file's size and not by
    ///   DEFLATE's ratio (runs of zero bytes compress ~1,000 : 1).
    /// - Throws: `InvalidSummary` for a record cut short, a length beyond its limit, stores
    ///   spanning more than `cellBudget` cells, or a summary whose parts disagree (sketch and
    ///   count, min and max, a store's ends).
    static func decode(_ bytes: [UInt8], count: Int, cellBudget: Int = .max) throws(InvalidSummary) -> [StreamSummary] {
        var reader = Reader(bytes: bytes)
        var summaries: [StreamSummary] = []
        summaries.reserveCapacity(Swift.min(count, bytes.count / 8))
        var cells = CellBudget(remaining: cellBudget, total: cellBudget)
        for index in 0..<count {
            do throws(Reader.Failure) {
                summaries.append(try summary(&reader, cells: &cells))
            } catch {
                throw InvalidSummary(summary: index, message: error.message)
            }
        }
        guard reader.isAtEnd else { throw InvalidSummary(summary: count, message: "bytes after the \(count) summaries declared") }
        return summaries
    }

    /// What is left of the cells the stores may span.
    struct CellBudget {
        var remaining: Int
        let total: Int

        mutating func charge(_ span: Int) throws(Reader.Failure) {
            guard span <= remaining else {
                throw Reader.Failure(message: "the sketches' bucket stores span more than \(total) buckets in all, more than a profile of this size holds")
            }
            remaining -= span
        }
    }

    private static func summary(_ reader: inout Reader, cells: inout CellBudget) throws(Reader.Failure) -> StreamSummary {
        let count = try reader.unsigned()
        let missing = try reader.unsigned()
        var (low, high) = (Double.infinity, -Double.infinity)
        if count > 0 {
            (low, high) = (try reader.double(), try reader.double())
            guard low.isFinite, high.isFinite, low <= high else { throw Reader.Failure(message: "min \(low) and max \(high) do not bound finite values") }
        }
        var sums: [ExactSum] = []
        for _ in 0..<3 {
            let terms = try reader.length(limit: 41, each: 8)
            var values: [Double] = []
            for _ in 0..<terms {
                let value = try reader.double()
                guard value.isFinite else { throw Reader.Failure(message: "an exact sum's term is not finite") }
                values.append(value)
            }
            sums.append(ExactSum(terms: values))
        }
        let zeroCount = try reader.unsigned()
        var stores: [BucketStore] = []
        var total = zeroCount
        for _ in 0..<2 {
            let span = try reader.length(limit: BucketStore.maximumSpan, each: 1)
            guard span > 0 else {
                stores.append(BucketStore())
                continue
            }
            let first = try reader.signed()
            // A range check, not abs(): abs(Int64.min) traps.
            let indices = Int64(BucketStore.indexRange.lowerBound)...Int64(BucketStore.indexRange.upperBound)
            guard indices.contains(first), indices.contains(first + Int64(span) - 1) else {
                throw Reader.Failure(message: "bucket indices \(first)… of \(span) buckets are outside \(BucketStore.indexRange)")
            }
            try cells.charge(span)
            var counts = [UInt64](repeating: 0, count: span)
            var previous: UInt64 = 0
            for position in 0..<span {
                previous &+= UInt64(bitPattern: try reader.signed())
                counts[position] = previous
                let (sum, overflow) = total.addingReportingOverflow(previous)
                guard !overflow else { throw Reader.Failure(message: "bucket counts overflow") }
                total = sum
            }
            guard counts.first != 0, counts.last != 0 else { throw Reader.Failure(message: "a bucket store's first and last counts must not be 0") }
            stores.append(BucketStore(offset: Int(first), counts: counts))
        }
        guard total == count else { throw Reader.Failure(message: "the sketch holds \(total) values, the summary \(count)") }
        let sketch = QuantileSketch(zeroCount: zeroCount, positive: stores[0], negative: stores[1], count: count)
        return StreamSummary(count: count, missing: missing, sum: sums[0], sumAbs: sums[1], sumSquares: sums[2], min: low, max: high, sketch: sketch)
    }

    struct Writer {
        var bytes: [UInt8] = []

        mutating func unsigned(_ value: UInt64) {
            var rest = value
            while rest >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
                rest >>= 7
            }
            bytes.append(UInt8(rest))
        }

        mutating func signed(_ value: Int64) {
            unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
        }

        mutating func double(_ value: Double) {
            let bits = value.bitPattern
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0

        struct Failure: Error {
            let message: String
        }

        var isAtEnd: Bool { position == bytes.count }

        mutating func unsigned() throws(Failure) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < bytes.count else { throw Failure(message: "cut short") }
                let byte = bytes[position]
                position += 1
                guard shift < 63 || byte <= 1 else { throw Failure(message: "a number runs past 64 bits") }
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }

        mutating func signed() throws(Failure) -> Int64 {
            let raw = try unsigned()
            return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
        }

        /// A length of at most `limit` items of at least `each` bytes, which the bytes left must hold.
        mutating func length(limit: Int, each: Int) throws(Failure) -> Int {
            let value = try unsigned()
            guard value <= UInt64(limit) else { throw Failure(message: "a length of \(value) is over its limit \(limit)") }
            guard Int(value) * each <= bytes.count - position else { throw Failure(message: "cut short") }
            return Int(value)
        }

        mutating func double() throws(Failure) -> Double {
            guard bytes.count - position >= 8 else { throw Failure(message: "cut short") }
            var bits: UInt64 = 0
            for offset in 0..<8 { bits |= UInt64(bytes[position + offset]) << UInt64(8 * offset) }
            position += 8
            return Double(bitPattern: bits)
        }
    }
}
