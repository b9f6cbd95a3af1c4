import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The temporary file or directory an output is built in before it is renamed into place:
/// `.<name>.<pid>.tmp` beside the target (`.<name>.<pid>.<n>.tmp` when that is taken, and
/// `.<name>.<pid>.old.tmp` for a set moved aside), so the
/// rename stays within one file system and a run killed before it leaves a name that says whose
/// it was.
///
/// `removeStale` deletes the leftovers of runs that died (`kill -9`, power loss): entries of this
/// naming whose process no longer exists (`kill(pid, 0)` fails with `ESRCH`). A live process's
/// temporaries, including another user's (`EPERM`), are left alone. In a directory shared by
/// several PID namespaces (containers writing to one volume) a live writer elsewhere can look
/// dead; give each its own output path there.
package enum TemporarySibling {
    /// Attempts at a free name before giving up (each a different suffix).
    static let attempts = 100

    /// The candidate temporary names for `name`, in order.
    package static func names(for name: String) -> [String] {
        let pid = getpid()
        return (0..<attempts).map { $0 == 0 ? ".\(name).\(pid).tmp" : ".\(name).\(pid).\($0).tmp" }
    }

    /// The process id in a temporary name for `name`, or `nil` when it is not one.
    static func owner(of entry: String, for name: String) -> pid_t? {
        let prefix = ".\(name)."
        guard entry.hasPrefix(prefix), entry.hasSuffix(".tmp"), entry.count > prefix.count + 4 else { return nil }
        let middle = entry.dropFirst(prefix.count).dropLast(4)
        let parts = middle.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let pid = pid_t(parts[0]), pid > 0 else { return nil }
        return pid
    }

    /// Removes the temporaries for `name` in `directory` left by processes that no longer exist.
    /// Best effort: an entry that cannot be removed is left for a later run.
    package static func removeStale(for name: String, in directory: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries {
            guard let pid = owner(of: entry, for: name), pid != getpid() else { continue }
            guard kill(pid, 0) == -1, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: directory + "/" + entry)
        }
    }

    /// Flushes a directory's entries (a rename into it, a file created in it) to stable storage.
    /// File systems that cannot sync a directory (`EINVAL`) are left as they are.
    package static func syncDirectory(_ directory: String) throws(OutputError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw OutputError(path: directory, "cannot open the directory to sync it: \(systemReason())") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 || errno == EINVAL else {
            throw OutputError(path: directory, "cannot sync the directory: \(systemReason())")
        }
    }
}
