import Foundation
import ShapDriftCore

/// Integers as compact bytes, for the large arrays a profile carries (the bootstrap's sums):
/// each value zigzag-mapped (0, −1, 1, −2, … → 0, 1, 2, 3, …, so small magnitudes of either sign
/// stay small) and written as an LEB128 varint (7 bits a byte, low bits first, the high bit set
/// on every byte but the last), the bytes then in base64 so the profile stays JSON. Arrays of
/// close values are written as differences (`deltas`) first.
///
/// Why not JSON numbers: 2.2 million sums (a 10-class model over 1,000 features at 200
/// replicates) are 40 MB of JSON text and ~10 MB of varints.
enum VarintCoding {
    /// The base64 text of `values`, each zigzag-mapped and varint-coded.
    /// - Complexity: O(values).
    static func encode(_ values: [Int64]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 3)
        for value in values {
            var rest = UInt64(bitPattern: (value << 1) ^ (value >> 63))
            while rest >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
                rest >>= 7
            }
            bytes.append(UInt8(rest))
        }
        return Data(bytes).base64EncodedString()
    }

    /// Why a text could not be decoded.
    struct Failure: Error {
        let message: String
    }

    /// Exactly `count` values from `text`: refused (before anything of that size is allocated)
    /// when the text is not base64, holds fewer bytes than `count` values need (one each at
    /// least), holds more values, or a varint runs past 64 bits.
    /// - Complexity: O(text).
    static func decode(_ text: String, count: Int) throws(Failure) -> [Int64] {
        guard let data = Data(base64Encoded: text) else { throw Failure(message: "not valid base64") }
        guard count >= 0, data.count >= count else {
            throw Failure(message: "\(data.count) bytes cannot hold the \(count) values declared")
        }
        var values: [Int64] = []
        values.reserveCapacity(count)
        var current: UInt64 = 0
        var shift: UInt64 = 0
        for byte in data {
            guard shift < 64, shift < 63 || byte <= 1 else { throw Failure(message: "a value runs past 64 bits") }
            current |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 != 0 {
                shift += 7
                continue
            }
            guard values.count < count else { throw Failure(message: "more values than the \(count) declared") }
            values.append(Int64(bitPattern: current >> 1) ^ -Int64(bitPattern: current & 1))
            current = 0
            shift = 0
        }
        guard shift == 0 else { throw Failure(message: "the last value is cut off") }
        guard values.count == count else { throw Failure(message: "\(values.count) values, \(count) declared") }
        return values
    }
}
