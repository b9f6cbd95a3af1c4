import Crypto

/// SHA-256 digests as lowercase hex: the identity of a model file, of a model built in code, of
/// a background sample and of a profile's contents.
///
/// A baseline records the digests of what its attributions depend on, so `check` can refuse a
/// baseline made for another model or another background: attributions of two different games
/// are not comparable, however similar their feature names.
package struct ContentDigest {
    private var hasher = SHA256()

    package init() {}

    /// Adds raw bytes.
    package mutating func add(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    /// Adds the bytes of an array of plain values (integers, doubles) as laid out in memory
    /// (little-endian on every platform ShapDrift builds for), preceded by its count so that
    /// consecutive arrays cannot run into each other.
    package mutating func add<Element: BitwiseCopyable>(_ values: [Element]) {
        var count = UInt64(values.count).littleEndian
        withUnsafeBytes(of: &count) { hasher.update(bufferPointer: $0) }
        values.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    /// Adds a string's UTF-8 bytes, preceded by their count.
    package mutating func add(_ text: String) {
        add(Array(text.utf8))
    }

    /// The digest as 64 lowercase hex digits.
    package func finish() -> String {
        Self.hex(hasher.finalize())
    }

    /// SHA-256 of `bytes`, as 64 lowercase hex digits.
    /// - Complexity: O(n).
    package static func sha256(_ bytes: some Collection<UInt8>) -> String {
        var hasher = SHA256()
        if let done = bytes.withContiguousStorageIfAvailable({ hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }) {
            _ = done
        } else {
            Array(bytes).withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        return hex(hasher.finalize())
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
