import Foundation

/// Writes `bytes` to `path` so that readers see either the old file or the whole new one:
/// the content goes to a temporary file in the same directory, which is then renamed over `path`.
/// `-` writes to standard output instead.
public func writeAtomically(_ bytes: [UInt8], to path: String) throws(InputError) {
    if path == "-" {
        FileHandle.standardOutput.write(Data(bytes))
        return
    }
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw InputError(file: path, "the directory \(directory.path) does not exist")
    }
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    do {
        try Data(bytes).write(to: temporary)
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw InputError(file: path, "cannot be written: \(error.localizedDescription)")
    }
    // rename(2) replaces an existing file atomically; Foundation's replaceItemAt is not atomic on Linux.
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw InputError(file: path, "cannot be written: \(reason)")
    }
}
