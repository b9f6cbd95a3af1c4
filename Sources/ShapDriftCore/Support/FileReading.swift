import Foundation

/// Reading whole files (models, profiles) with errors that say which file and why.
package enum FileReading {
    /// The whole content of a file, or an `InputError` saying why it cannot be read.
    /// - Complexity: O(file size).
    package static func bytes(_ path: String) throws(InputError) -> [UInt8] {
        try requireFile(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, "cannot be read (permissions?)")
        }
        return [UInt8](data)
    }

    /// Throws unless `path` names an existing file that is not a directory.
    package static func requireFile(_ path: String) throws(InputError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, "no such file")
        }
        guard !isDirectory.boolValue else { throw InputError(file: path, "is a directory, expected a file") }
    }
}
