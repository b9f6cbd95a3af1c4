#if canImport(Glibc)
import Glibc
#endif

/// Where an output path leads, decided before anything is written: replacing a path is only
/// right for a regular file (or none yet). `--output /dev/null` run as root once renamed a
/// temporary file over the device node; `/dev/stdout` and a FIFO must be written into, not
/// replaced.
///
/// Symbolic links are followed to their target, so a link to a regular file has its target
/// replaced and stays a link; descriptor aliases (`-`, `/dev/stdout`, `/dev/stderr`,
/// `/dev/fd/N`, `/proc/self/fd/N`) are the open descriptor itself.
package enum OutputDestination: Equatable {
    /// An open descriptor of this process (standard output for `-`).
    case descriptor(Int32)
    /// A device, FIFO or socket: opened and written in place.
    case special(path: String)
    /// A regular file to replace, or a path where none exists yet (`mode` nil).
    case file(path: String, mode: mode_t?, owner: uid_t, group: gid_t)
    /// An existing directory.
    case directory(path: String, mode: mode_t)

    /// Links followed before giving up, as the kernel's own limit (`MAXSYMLINKS`).
    static let maximumLinks = 40

    /// Where `path` leads.
    /// - Throws: `OutputError` for a loop of links or a path that cannot be examined.
    package static func resolve(_ path: String) throws(OutputError) -> OutputDestination {
        if path == "-" { return .descriptor(STDOUT_FILENO) }
        var current = path
        for _ in 0...maximumLinks {
            if let descriptor = descriptorAlias(current) { return .descriptor(descriptor) }
            var status = stat()
            guard lstat(current, &status) == 0 else {
                if errno == ENOENT { return .file(path: current, mode: nil, owner: 0, group: 0) }
                throw OutputError(path: path, systemReason())
            }
            switch status.st_mode & S_IFMT {
            case S_IFLNK:
                current = try linkTarget(current, path: path)
            case S_IFREG:
                return .file(path: current, mode: status.st_mode & 0o7777, owner: status.st_uid, group: status.st_gid)
            case S_IFDIR:
                return .directory(path: current, mode: status.st_mode & 0o7777)
            default:
                return .special(path: current)
            }
        }
        throw OutputError(path: path, "too many levels of symbolic links")
    }

    /// The descriptor a path names directly, if it is one of the aliases of an open descriptor.
    static func descriptorAlias(_ path: String) -> Int32? {
        switch path {
        case "/dev/stdout": return STDOUT_FILENO
        case "/dev/stderr": return STDERR_FILENO
        default: break
        }
        for prefix in ["/dev/fd/", "/proc/self/fd/", "/proc/\(getpid())/fd/"] where path.hasPrefix(prefix) {
            if let descriptor = Int32(path.dropFirst(prefix.count)) { return descriptor }
        }
        return nil
    }

    /// The path a symbolic link points to, relative targets taken from the link's directory.
    private static func linkTarget(_ link: String, path: String) throws(OutputError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(link, &buffer, buffer.count - 1)
        guard length >= 0 else { throw OutputError(path: path, systemReason()) }
        let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if target.hasPrefix("/") { return target }
        return directoryName(of: link) + "/" + target
    }

    /// The directory part of a path (`.` for a bare name).
    package static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = path[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }

    /// The last component of a path.
    package static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// The text of the current `errno`.
package func systemReason() -> String {
    String(cString: strerror(errno))
}
