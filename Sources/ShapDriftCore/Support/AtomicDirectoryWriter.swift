import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a set of files that belong together (a report) so that readers see the old set or
/// the whole new one, never a mix: after `kill -9` during `check`, a directory once held the new
/// run's `report.json` beside the old run's `constraint_violations.json`.
///
/// The files go into a temporary sibling directory (`TemporarySibling`), each synced; `commit()`
/// syncs it and swaps it with the destination in one step — `renameat2(RENAME_EXCHANGE)` on
/// Linux, which exchanges the two names atomically — then syncs the parent and removes the old
/// set (now under the temporary name). A destination that does not exist yet is created by one
/// rename. On a file system without exchange (`EINVAL`: some network and FUSE file systems), the
/// old set is renamed aside and the new one renamed in: a reader may then briefly find no
/// directory, but never a mixed one.
///
/// Because the swap replaces the whole directory, it refuses a destination holding anything but
/// the files it owns (`ownedNames`): pointing the output at a directory of other files must not
/// delete them. A symbolic link to a directory is followed, and the target swapped.
public final class AtomicDirectoryWriter {
    private let path: String
    private let target: String
    private let parent: String
    private let temporary: String
    private let replacesExisting: Bool
    private var finished = false

    /// Prepares a new set for `path`.
    /// - Parameter ownedNames: the file names a set may hold; an existing destination holding
    ///   other entries is refused.
    /// - Throws: `OutputError` when the path is not a directory, holds other files, or the
    ///   temporary directory cannot be made.
    public init(path: String, ownedNames: Set<String>) throws(OutputError) {
        self.path = path
        var mode: mode_t = 0o777
        switch try OutputDestination.resolve(path) {
        case .file(let resolved, nil, _, _):
            target = resolved
            replacesExisting = false
        case .directory(let resolved, let existingMode):
            target = resolved
            mode = existingMode
            replacesExisting = true
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: resolved)
            } catch {
                throw OutputError(path: path, "cannot list the directory: \(error.localizedDescription)")
            }
            let foreign = entries.filter { !ownedNames.contains($0) }.sorted()
            guard foreign.isEmpty else {
                let shown = foreign.prefix(5).joined(separator: ", ") + (foreign.count > 5 ? " and \(foreign.count - 5) more" : "")
                throw OutputError(path: path, "the directory holds files that are not part of the output (\(shown)); it is replaced as a whole, so give a new or empty directory")
            }
        default:
            throw OutputError(path: path, "exists and is not a directory")
        }
        parent = OutputDestination.directoryName(of: target)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OutputError(path: path, "the directory \(parent) does not exist")
        }
        let name = OutputDestination.baseName(of: target)
        TemporarySibling.removeStale(for: name, in: parent)
        var made: String? = nil
        for candidate in TemporarySibling.names(for: name) {
            let directory = parent + "/" + candidate
            if mkdir(directory, 0o777) == 0 {
                made = directory
                break
            }
            guard errno == EEXIST else { throw OutputError(path: path, "cannot create \(directory): \(systemReason())") }
        }
        guard let made else { throw OutputError(path: path, "no free temporary name in \(parent)") }
        temporary = made
        if replacesExisting { _ = chmod(made, mode) }
    }

    /// Writes one file of the set (synced to disk before `commit()` swaps the set in).
    public func write(_ name: String, _ bytes: [UInt8]) throws(OutputError) {
        precondition(!name.contains("/") && !name.hasPrefix("."), "a set's files are plain names")
        let writer = try AtomicFileWriter(path: temporary + "/" + name)
        try writer.write(bytes)
        try writer.commit()
    }

    /// Swaps the new set in (see the type's description) and removes the old one.
    public func commit() throws(OutputError) {
        guard !finished else { return }
        finished = true
        do throws(OutputError) {
            try TemporarySibling.syncDirectory(temporary)
            if replacesExisting {
                try swap()
            } else if rename(temporary, target) != 0 {
                throw OutputError(path: path, systemReason())
            }
            try TemporarySibling.syncDirectory(parent)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        // The old set now sits under the temporary name; a failure to remove it is cleaned up by
        // the next run (`TemporarySibling.removeStale`).
        if replacesExisting { try? FileManager.default.removeItem(atPath: temporary) }
    }

    /// Exchanges the temporary directory and the destination, or (without exchange support)
    /// moves the old set aside and the new one in.
    private func swap() throws(OutputError) {
        if Self.exchange(temporary, target) == 0 { return }
        guard errno == EINVAL || errno == ENOSYS else { throw OutputError(path: path, systemReason()) }
        let aside = String(temporary.dropLast(".tmp".count)) + ".old.tmp"
        guard rename(target, aside) == 0 else { throw OutputError(path: path, systemReason()) }
        guard rename(temporary, target) == 0 else {
            let reason = systemReason()
            _ = rename(aside, target)
            throw OutputError(path: path, reason)
        }
        _ = rename(aside, temporary)
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32

    /// `renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)`. glibc ≥ 2.28 has the call but
    /// Swift's Glibc module does not declare it (it sits behind `_GNU_SOURCE`), so it is looked
    /// up once by name; without it (`ENOSYS`) the caller falls back.
    private static func exchange(_ a: String, _ b: String) -> Int32 {
        guard let function = renameAt2 else {
            errno = ENOSYS
            return -1
        }
        return function(AT_FDCWD, a, AT_FDCWD, b, renameExchange)
    }

    /// `RENAME_EXCHANGE` from `<linux/fs.h>`.
    private static let renameExchange: UInt32 = 1 << 1

    private static let renameAt2: RenameAt2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    deinit {
        if !finished { try? FileManager.default.removeItem(atPath: temporary) }
    }
}
