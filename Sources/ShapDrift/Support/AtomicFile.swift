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
        if FileManager.default.fileExists(atPath: url.path) {
            _ = try FileManager.default.replaceItemAt(url, withItemAt: temporary)
        } else {
            try FileManager.default.moveItem(at: temporary, to: url)
        }
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw InputError(file: path, "cannot be written: \(error.localizedDescription)")
    }
}
