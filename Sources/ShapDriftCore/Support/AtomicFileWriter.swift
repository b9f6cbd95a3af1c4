import Foundation

/// Writes `bytes` to `path` so that readers see either the old file or the whole new one (see
/// `AtomicFileWriter`). `-` writes to standard output instead.
public func writeAtomically(_ bytes: [UInt8], to path: String) throws(OutputError) {
    let writer = try AtomicFileWriter(path: path)
    try writer.write(bytes)
    try writer.commit()
}

/// Writes a file piece by piece so that readers see either the old file or the whole new one:
/// the pieces go to a temporary file in the same directory, which `commit()` renames over the
/// path; a writer dropped without `commit()` (an error on the way) removes its temporary file, so
/// no partial output is left. `-` writes each piece to standard output as it comes.
public final class AtomicFileWriter {
    private let path: String
    private let temporary: URL?
    private let handle: FileHandle
    private var finished = false

    public init(path: String) throws(OutputError) {
        self.path = path
        if path == "-" {
            temporary = nil
            handle = FileHandle.standardOutput
            return
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OutputError(path: path, "the directory \(directory.path) does not exist")
        }
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw OutputError(path: path, "cannot create \(temporary.path)")
        }
        self.temporary = temporary
        self.handle = handle
    }

    public func write(_ bytes: [UInt8]) throws(OutputError) {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw OutputError(path: path, error.localizedDescription)
        }
    }

    /// Puts the file in place (rename(2) replaces an existing file atomically; Foundation's
    /// replaceItemAt is not atomic on Linux).
    public func commit() throws(OutputError) {
        guard let temporary else { return }
        finished = true
        do {
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw OutputError(path: path, error.localizedDescription)
        }
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw OutputError(path: path, reason)
        }
    }

    deinit {
        guard let temporary, !finished else { return }
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
    }
}
