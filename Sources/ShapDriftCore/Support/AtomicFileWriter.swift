import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes `bytes` to `path` so that readers see either the old file or the whole new one (see
/// `AtomicFileWriter`). `-` writes to standard output instead.
public func writeAtomically(_ bytes: [UInt8], to path: String) throws(OutputError) {
    let writer = try AtomicFileWriter(path: path)
    try writer.write(bytes)
    try writer.commit()
}

/// Writes an output piece by piece so that readers see either the old file or the whole new one,
/// and no write error goes unnoticed.
///
/// What a path leads to decides how (`OutputDestination`):
/// - a regular file, or no file yet: the pieces go to a temporary sibling (`TemporarySibling`),
///   which `commit()` syncs to disk, renames over the path (rename(2) replaces atomically) and
///   whose directory it then syncs, so a crash leaves the old file or the new one, never a torn
///   one. An existing file's permission bits (and, run as root, its owner) are kept. A symbolic
///   link is followed and its target replaced. Leftover temporaries of runs that were killed are
///   removed first;
/// - standard output (`-`, `/dev/stdout`, `/dev/fd/1`), a device (`/dev/null`, `/dev/full`), a
///   FIFO or a socket: written in place, as a shell redirection would; nothing is renamed over it.
///
/// Every write is checked: a full disk, `/dev/full` or a closed descriptor is an `OutputError`
/// (exit code 2 at the command line), never a silent short file. A writer dropped without
/// `commit()` (an error on the way) removes its temporary file, so no partial output is left.
public final class AtomicFileWriter {
    private let path: String
    private let descriptor: Int32
    private let mode: Mode
    private var finished = false

    private enum Mode {
        /// Building `temporary`, to be renamed over `target` (in `directory`).
        case replacing(target: String, temporary: String, directory: String)
        /// Writing into the destination itself; `closes` when the descriptor is ours.
        case inPlace(closes: Bool)
    }

    /// Prepares to write `path` (`-` = standard output).
    /// - Throws: `OutputError` when the path is a directory, its directory does not exist, or the
    ///   temporary file or the destination cannot be opened.
    public init(path: String) throws(OutputError) {
        self.path = path
        switch try OutputDestination.resolve(path) {
        case .descriptor(let open):
            guard fcntl(open, F_GETFD) != -1 else { throw OutputError(path: path, "descriptor \(open) is not open") }
            descriptor = open
            mode = .inPlace(closes: false)
        case .special(let target):
            let opened = Glibc.open(target, O_WRONLY | O_CLOEXEC)
            guard opened >= 0 else { throw OutputError(path: path, systemReason()) }
            descriptor = opened
            mode = .inPlace(closes: true)
        case .directory:
            throw OutputError(path: path, "is a directory, expected a file")
        case .file(let target, let existingMode, let owner, let group):
            let directory = OutputDestination.directoryName(of: target)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw OutputError(path: path, "the directory \(directory) does not exist")
            }
            let name = OutputDestination.baseName(of: target)
            TemporarySibling.removeStale(for: name, in: directory)
            var created: (descriptor: Int32, path: String)? = nil
            for candidate in TemporarySibling.names(for: name) {
                let temporary = directory + "/" + candidate
                let opened = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
                if opened >= 0 {
                    created = (opened, temporary)
                    break
                }
                guard errno == EEXIST else { throw OutputError(path: path, "cannot create \(temporary): \(systemReason())") }
            }
            guard let created else { throw OutputError(path: path, "no free temporary name in \(directory)") }
            if let existingMode {
                // Owner first: chown(2) clears the set-id bits that fchmod then restores.
                if geteuid() == 0 { _ = fchown(created.descriptor, owner, group) }
                guard fchmod(created.descriptor, existingMode) == 0 else {
                    let reason = systemReason()
                    close(created.descriptor)
                    unlink(created.path)
                    throw OutputError(path: path, "cannot give the new file the old one's permissions: \(reason)")
                }
            }
            descriptor = created.descriptor
            mode = .replacing(target: target, temporary: created.path, directory: directory)
        }
    }

    /// Writes `bytes` whole (retrying short writes and interrupted calls).
    /// - Throws: `OutputError` with the system's reason (`No space left on device`…).
    public func write(_ bytes: [UInt8]) throws(OutputError) {
        let failure: String? = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return systemReason()
                }
                offset += written
            }
            return nil
        }
        if let failure { throw OutputError(path: path, failure) }
    }

    /// Puts the output in place: for a file, syncs the temporary, renames it over the path
    /// (Foundation's replaceItemAt is not atomic on Linux) and syncs the directory.
    public func commit() throws(OutputError) {
        guard !finished else { return }
        finished = true
        switch mode {
        case .inPlace(let closes):
            if closes, close(descriptor) != 0 { throw OutputError(path: path, systemReason()) }
        case .replacing(let target, let temporary, let directory):
            guard fsync(descriptor) == 0 else {
                let reason = systemReason()
                close(descriptor)
                unlink(temporary)
                throw OutputError(path: path, reason)
            }
            guard close(descriptor) == 0 else {
                let reason = systemReason()
                unlink(temporary)
                throw OutputError(path: path, reason)
            }
            guard rename(temporary, target) == 0 else {
                let reason = systemReason()
                unlink(temporary)
                throw OutputError(path: path, reason)
            }
            try TemporarySibling.syncDirectory(directory)
        }
    }

    deinit {
        guard !finished else { return }
        switch mode {
        case .inPlace(let closes):
            if closes { close(descriptor) }
        case .replacing(_, let temporary, _):
            close(descriptor)
            unlink(temporary)
        }
    }
}
