import Foundation
import Testing
@testable import ShapDriftCore
import ShapDriftTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// How outputs are written (`AtomicFileWriter`): regular files are replaced whole, devices,
/// FIFOs and standard output are written in place, and no write error is ignored.
@Suite("Output files")
struct OutputRulesTests {
    static let model = Fixtures.path("shap", "xgb_reg_missing", "model.json")
    static let data = Fixtures.path("shap", "xgb_reg_missing", "current.csv")

    func explain(_ output: String, standardOutput: FileHandle? = nil) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ShapDriftBinary.path)
        process.arguments = ["explain", "--model", Self.model, "--data", Self.data, "--output", output]
        let errors = Pipe()
        process.standardError = errors
        if let standardOutput { process.standardOutput = standardOutput }
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }

    static func mode(_ path: String, following: Bool = true) -> mode_t {
        var status = stat()
        _ = following ? stat(path, &status) : lstat(path, &status)
        return status.st_mode
    }

    @Test("/dev/null is written into, not replaced: it stays a character device")
    func devNull() throws {
        let result = try explain("/dev/null")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.mode("/dev/null", following: false) & S_IFMT == S_IFCHR)
    }

    @Test("a write error on a device, or on standard output, exits 2 naming it (/dev/full)")
    func devFull() throws {
        let file = try explain("/dev/full")
        #expect(file.status == 2 && file.stderr.contains("/dev/full: cannot be written: No space left on device"), "\(file.stderr)")
        #expect(Self.mode("/dev/full", following: false) & S_IFMT == S_IFCHR)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let stdout = try explain("-", standardOutput: full)
        #expect(stdout.status == 2 && stdout.stderr.contains("-: cannot be written: No space left on device"), "\(stdout.stderr)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ShapDriftBinary.path)
        process.arguments = ["inspect", "--model", Self.model]
        process.standardOutput = full
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
    }

    @Test("/dev/stdout writes to standard output, whatever it is redirected to")
    func devStdout() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let captured = directory.appendingPathComponent("captured.csv").path
        FileManager.default.createFile(atPath: captured, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: captured))
        #expect(try explain("/dev/stdout", standardOutput: handle).status == 0)
        try handle.close()
        let reference = try ShapDriftBinary.run(["explain", "--model", Self.model, "--data", Self.data])
        #expect(try String(contentsOfFile: captured, encoding: .utf8) == reference.stdout)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["captured.csv"])
    }

    @Test("a FIFO is written into and stays a FIFO")
    func fifo() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("pipe").path
        #expect(mkfifo(path, 0o600) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [path]
        let output = Pipe()
        reader.standardOutput = output
        try reader.run()
        #expect(try explain(path).status == 0)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reader.waitUntilExit()
        #expect(text.hasPrefix("row,output,"))
        #expect(Self.mode(path, following: false) & S_IFMT == S_IFIFO)
    }

    @Test("a symbolic link to a file has its target replaced and stays a link; the target keeps its permissions")
    func symlinkAndPermissions() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent("target.csv").path
        let link = directory.appendingPathComponent("link.csv").path
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        #expect(chmod(target, 0o640) == 0)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.csv")
        #expect(try explain(link).status == 0)
        #expect(Self.mode(link, following: false) & S_IFMT == S_IFLNK)
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("row,output,"))
        #expect(Self.mode(target) & 0o7777 == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["link.csv", "target.csv"])
    }

    @Test("temporaries left by a killed run are removed by the next; a live process's are kept")
    func staleTemporaries() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A pid that existed and is gone: a child that has exited and been reaped.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = child.processIdentifier
        let stale = directory.appendingPathComponent(".out.csv.\(dead).tmp").path
        let staleSet = directory.appendingPathComponent(".out.csv.\(dead).3.tmp").path
        let live = directory.appendingPathComponent(".out.csv.1.tmp").path
        let unrelated = directory.appendingPathComponent(".other.csv.\(dead).tmp").path
        for path in [stale, staleSet, live, unrelated] { FileManager.default.createFile(atPath: path, contents: Data("x".utf8)) }
        #expect(try explain(directory.appendingPathComponent("out.csv").path).status == 0)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(left == [".other.csv.\(dead).tmp", ".out.csv.1.tmp", "out.csv"])
    }

    @Test("an output path that is a directory is refused, exit 2")
    func directory() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try explain(directory.path)
        #expect(result.status == 2 && result.stderr.contains("is a directory"))
    }
}
