import ShapDriftCore
import Foundation

/// Reads a file (or standard input) line by line in large blocks, without holding the file.
///
/// Lines are handed out as byte buffers valid until the next call; `\r\n` endings are accepted.
/// A line longer than `maxLineBytes` is refused as soon as that many bytes have arrived without
/// a line break, so a file that is one endless line (a 2 GiB dump without newlines, a stream that
/// never ends one) costs at most `maxLineBytes` plus one block of memory, never the whole line.
package final class LineReader {
    package let file: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes from `start` already searched for a line break (so a long line is searched once).
    private var searched = 0
    private var atEnd = false
    /// 1-based number of the line most recently returned.
    package private(set) var lineNumber = 0
    /// The longest line accepted, in bytes (without its line ending).
    package let maxLineBytes: Int
    private static let blockSize = 1 << 20

    /// Opens `path`; `-` is standard input.
    package init(path: String, limits: ReaderLimits = ReaderLimits()) throws(InputError) {
        file = path == "-" ? "<stdin>" : path
        maxLineBytes = limits.maxLineBytes
        if path == "-" {
            handle = FileHandle.standardInput
            return
        }
        try FileReading.requireFile(path)
        guard let opened = FileHandle(forReadingAtPath: path) else {
            throw InputError(file: path, "cannot be opened for reading (permissions?)")
        }
        handle = opened
    }

    deinit {
        if handle !== FileHandle.standardInput { try? handle.close() }
    }

    /// Calls `body` with the next line (without its line ending); returns `nil` at the end of the file.
    /// - Throws: the error of `body`, a read error, or a located error for a line longer than
    ///   `maxLineBytes` (`InputError.exceededLimit` is `.lineBytes`).
    package func nextLine<T>(_ body: (UnsafeBufferPointer<UInt8>) throws(InputError) -> T) throws(InputError) -> T? {
        while true {
            if let newline = Self.firstNewline(in: buffer, from: start + searched) {
                return try hand(start..<newline, next: newline + 1, body)
            }
            searched = buffer.count - start
            if atEnd {
                guard start < buffer.count else { return nil }
                return try hand(start..<buffer.count, next: buffer.count, body)
            }
            // One byte of slack for a `\r` before the line break still to come.
            if searched > maxLineBytes + 1 { throw lineTooLong() }
            try fill()
        }
    }

    private func hand<T>(_ range: Range<Int>, next: Int, _ body: (UnsafeBufferPointer<UInt8>) throws(InputError) -> T) throws(InputError) -> T {
        var end = range.upperBound
        if end > range.lowerBound, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        if end - range.lowerBound > maxLineBytes { throw lineTooLong() }
        start = next
        searched = 0
        lineNumber += 1
        return try buffer.withUnsafeBufferPointer { all throws(InputError) in
            try body(UnsafeBufferPointer(rebasing: all[range.lowerBound..<end]))
        }
    }

    /// The index of the first `\n` in `bytes` at or after `from`: libc's `memchr`, which scans
    /// a word or a vector at a time where the generic `firstIndex(of:)` went byte by byte (a
    /// 12 KB line of a 1,000-feature CSV cost 5 % of `baseline`'s CPU in the search).
    /// - Complexity: O(bytes searched).
    private static func firstNewline(in bytes: [UInt8], from: Int) -> Int? {
        guard from < bytes.count else { return nil }
        return bytes.withUnsafeBytes { raw -> Int? in
            guard let found = memchr(raw.baseAddress! + from, 0x0A, raw.count - from) else { return nil }
            return raw.baseAddress!.distance(to: UnsafeRawPointer(found))
        }
    }

    private func lineTooLong() -> InputError {
        var error = InputError(file: file, line: lineNumber + 1,
                               "line is longer than \(maxLineBytes) bytes, the longest record this reader accepts")
        error.exceededLimit = .lineBytes(maxLineBytes)
        return error
    }

    private func fill() throws(InputError) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        let block: Data?
        do {
            block = try handle.read(upToCount: Self.blockSize)
        } catch {
            throw InputError(file: file, "read failed: \(error.localizedDescription)")
        }
        guard let block, !block.isEmpty else {
            atEnd = true
            return
        }
        buffer.append(contentsOf: block)
    }
}
