import CZlib
import ShapDriftCore

/// DEFLATE (RFC 1951, in zlib's RFC 1950 wrapper, through the system's zlib) for the compact
/// profile encoding: a sketch's bucket counts are smooth, and written as differences they are
/// small numbers that compress to about their Poisson noise (≈ 4.6 bits a bucket at 40,000 rows).
enum Deflate {
    /// Why bytes could not be inflated.
    struct Failure: Error {
        let message: String
    }

    /// `bytes` compressed (zlib level 6: the default, ~20 MB/s here, within 2 % of level 9's size).
    /// - Complexity: O(bytes).
    static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &capacity, source.baseAddress, uLong(source.count), 6)
            }
        }
        // compressBound guarantees room; Z_MEM_ERROR is the allocator's failure.
        precondition(status == Z_OK, "zlib compress2 failed: \(status)")
        output.removeLast(output.count - Int(capacity))
        return output
    }

    /// zlib's largest compression ratio (a stream of one repeated byte): 1032 : 1. A declared
    /// size beyond it cannot be the stream's, so it is refused before anything is allocated.
    static let largestRatio = 1032

    /// Exactly `size` bytes inflated from `bytes`.
    /// - Parameter limit: the most bytes the caller takes (a profile's: `ProfileValidation`), checked
    ///   before anything is allocated, like the ratio.
    /// - Throws: `Failure` for a size the stream cannot hold or over `limit`, a damaged stream, or
    ///   a stream of another length.
    static func decompress(_ bytes: [UInt8], size: Int, limit: Int = .max) throws(Failure) -> [UInt8] {
        guard size >= 0, size <= bytes.count.multipliedReportingOverflow(by: largestRatio).partialValue + 64 else {
            throw Failure(message: "\(bytes.count) compressed bytes cannot hold the \(size) declared")
        }
        guard size <= limit else {
            throw Failure(message: "the \(size) bytes declared are more than the \(limit) a profile of this size may hold")
        }
        var output = [UInt8](repeating: 0, count: max(size, 1))
        var length = uLong(size)
        let status = output.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                uncompress(target.baseAddress, &length, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK else {
            throw Failure(message: status == Z_BUF_ERROR ? "more than the \(size) bytes declared" : "not a valid zlib stream (\(status))")
        }
        guard Int(length) == size else { throw Failure(message: "\(length) bytes, \(size) declared") }
        output.removeLast(output.count - size)
        return output
    }
}
