import Foundation
import Testing
import ShapDriftTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The bad-input corpus (`Tests/Fixtures/bad-input/<reader>/<case>/`, written by
/// `make_bad_input.py` there): every case runs the built binary (debug in `swift test`, release
/// in `make test` through `SHAPDRIFT_BIN`) and must exit 2 with exactly one located message on
/// standard error, leave no output file, and finish within `timeout` (the harness kills it).
@Suite("Bad-input corpus")
struct BadInputCorpusTests {
    static let root = Fixtures.path("bad-input")
    /// Seconds a case may take before it counts as a hang and is killed.
    static let timeout = 120.0

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let directory: String
        let arguments: [String]
        let exit: Int32
        let message: String
        let defect: String
        let generate: Generate?
        var testDescription: String { name }
    }

    /// An input made while the case runs, never stored: `prefix` then `fill` repeated up to
    /// `bytes`, through standard input or a FIFO at `$STREAM`.
    struct Generate: Sendable {
        let via: String
        let prefix: String
        let fill: String
        let bytes: Int
    }

    static let cases: [Case] = {
        let directories = (try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? []
        return directories.filter { $0.hasSuffix("/case.json") }.sorted().compactMap { relative in
            let path = root + "/" + relative
            guard let data = FileManager.default.contents(atPath: path),
                  let spec = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let arguments = spec["args"] as? [String], let exit = spec["exit"] as? Int,
                  let message = spec["message"] as? String, let defect = spec["class"] as? String else { return nil }
            let generate = (spec["generate"] as? [String: Any]).flatMap { g -> Generate? in
                guard let via = g["via"] as? String, let prefix = g["prefix"] as? String, let fill = g["fill"] as? String,
                      let bytes = g["bytes"] as? Int else { return nil }
                return Generate(via: via, prefix: prefix, fill: fill, bytes: bytes)
            }
            return Case(name: String(relative.dropLast("/case.json".count)), directory: (path as NSString).deletingLastPathComponent,
                        arguments: arguments, exit: Int32(exit), message: message, defect: defect, generate: generate)
        }
    }()

    /// A valid baseline of the drift fixture, made once, for the cases that check against one.
    static let baseline: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shapdrift-corpus-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("baseline.json").path
        _ = try? ShapDriftBinary.run(["baseline", "--model", Fixtures.driftModel, "--data", Fixtures.driftFolder + "/baseline.csv",
                                      "--output", path])
        return path
    }()

    @Test("the corpus has at least 60 cases and every class of defect the issue names")
    func coverage() {
        #expect(Self.cases.count >= 60)
        let classes = Set(Self.cases.map(\.defect))
        for defect in ["byte flip", "truncation", "huge number", "out-of-range index", "allocation bomb", "long line",
                       "long line (2 GiB, streamed)", "abs(Int.min) bucket index", "UInt64 count overflow", "duplicate name",
                       "empty capture payload", "tampered baseline", "tampered current profile"] {
            #expect(classes.contains(defect), "no case of \(defect)")
        }
        for reader in ["xgboost-json", "xgboost-ubj", "lightgbm-text", "shapdrift-json", "csv", "jsonl", "capture", "profile"] {
            #expect(Self.cases.contains { $0.name.hasPrefix(reader + "/") }, "no case for \(reader)")
        }
        // Current profiles (bootstrap, records, column counts) reach both commands that read them.
        #expect(Self.cases.contains { $0.arguments.contains("--current-profile") }, "no case for check --current-profile")
        #expect(Self.cases.contains { $0.arguments.first == "merge" && $0.arguments.contains("$CASE/profile.json") }, "no merge of a current profile")
    }

    @Test("exit 2, one located message, no output file, no hang", arguments: BadInputCorpusTests.cases)
    func badInput(_ item: Case) throws {
        let scratch = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let stream = scratch.appendingPathComponent("stream").path
        let models = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("models").path
        let arguments = item.arguments.map {
            $0.replacingOccurrences(of: "$CASE", with: item.directory)
                .replacingOccurrences(of: "$FIXTURES", with: Fixtures.root.path)
                .replacingOccurrences(of: "$MODELS", with: models)
                .replacingOccurrences(of: "$OUT", with: output)
                .replacingOccurrences(of: "$BASELINE", with: Self.baseline)
                .replacingOccurrences(of: "$STREAM", with: stream)
        }
        let result = try BoundedRun.run(arguments, generate: item.generate, stream: stream, timeout: Self.timeout)
        #expect(!result.timedOut, "killed after \(Self.timeout) s")
        #expect(result.status == item.exit, "exit \(result.status): \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one message, got: \(result.stderr)")
        #expect(lines.first?.hasPrefix("shapdrift: error: ") == true && lines.first?.contains(item.message) == true,
                "expected '\(item.message)' in: \(result.stderr)")
        let left = (try? FileManager.default.subpathsOfDirectory(atPath: output)) ?? []
        #expect(left.isEmpty, "left behind: \(left)")
    }
}

/// Runs the binary with a deadline, feeding generated input through standard input or a FIFO.
enum BoundedRun {
    struct Result {
        let status: Int32
        let stderr: String
        let timedOut: Bool
    }

    static func run(_ arguments: [String], generate: BadInputCorpusTests.Generate?, stream: String, timeout: Double) throws -> Result {
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ShapDriftBinary.path)
        process.arguments = arguments
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shapdrift-bounded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let errURL = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let input = Pipe()
        if generate?.via == "stdin" { process.standardInput = input } else { process.standardInput = FileHandle.nullDevice }
        if generate?.via == "fifo" { guard mkfifo(stream, 0o600) == 0 else { throw TestFailure("mkfifo \(stream) failed") } }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        let writer = generate.map { spec in
            Thread {
                let descriptor: Int32
                if spec.via == "stdin" {
                    descriptor = input.fileHandleForWriting.fileDescriptor
                } else {
                    var opened: Int32 = -1
                    while opened < 0, Date() < deadline, process.isRunning {
                        opened = open(stream, O_WRONLY | O_NONBLOCK)
                        if opened < 0 { usleep(10_000) }
                    }
                    guard opened >= 0 else { return }
                    _ = fcntl(opened, F_SETFL, fcntl(opened, F_GETFL) & ~O_NONBLOCK)
                    descriptor = opened
                }
                defer { close(descriptor) }
                let chunk = Array(String(repeating: spec.fill, count: (1 << 20) / max(1, spec.fill.utf8.count)).utf8)
                var sent = 0
                func send(_ bytes: [UInt8]) -> Bool {
                    bytes.withUnsafeBytes { buffer in
                        var offset = 0
                        while offset < buffer.count {
                            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                            if written <= 0 { return false }
                            offset += written
                        }
                        return true
                    }
                }
                guard send(Array(spec.prefix.utf8)) else { return }
                sent += spec.prefix.utf8.count
                while sent < spec.bytes, Date() < deadline {
                    guard send(chunk) else { return }
                    sent += chunk.count
                }
            }
        }
        writer?.start()
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        try err.close()
        return Result(status: process.terminationStatus, stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self),
                      timedOut: timedOut)
    }
}
