import ShapDriftCore
import Foundation

/// Reads a file (or standard input) line by line in large blocks, without holding the file.
///
/// Lines are handed out as byte buffers valid until the next call; `\r\n` endings are accepted.
package final class LineReader {
    package let file: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// 1-based number of the line most recently returned.
    package private(set) var lineNumber = 0
    private static let blockSize = 1 << 20

    /// Opens `path`; `-` is standard input.
    package init(path: String) throws(InputError) {
        file = path == "-" ? "<stdin>" : path
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

    /// Calls `body` with the next line (without its line ending); returns `false` at the end of the file.
    package func nextLine<T>(_ body: (UnsafeBufferPointer<UInt8>) throws(InputError) -> T) throws(InputError) -> T? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let lineStart = start
                start = newline + 1
                lineNumber += 1
                var end = newline
                if end > lineStart, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                return try buffer.withUnsafeBufferPointer { all throws(InputError) in
                    try body(UnsafeBufferPointer(rebasing: all[lineStart..<end]))
                }
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let lineStart = start
                start = buffer.count
                lineNumber += 1
                var end = buffer.count
                if end > lineStart, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                return try buffer.withUnsafeBufferPointer { all throws(InputError) in
                    try body(UnsafeBufferPointer(rebasing: all[lineStart..<end]))
                }
            }
            try fill()
        }
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
