import Foundation
import Testing
import ShapDriftTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A report directory is one unit (`ReportSet`, `AtomicDirectoryWriter`): killed or failed,
/// `check` never leaves files of two runs, nor an old verdict looking current.
@Suite("Report sets")
struct ReportSetTests {
    static let folder = Fixtures.driftFolder
    static let model = Fixtures.driftModel

    /// A report directory's files by name, as far as they are the same for the same check: the
    /// run's own facts (`provenance`: start time, run time, command line) are left out of
    /// `report.json`, and `report.md` and `report.html`, which print them, count by name only. A
    /// mixed set still shows: every other file differs between the clean and the drifted check.
    static func contents(_ directory: String) -> [String: Data] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return Dictionary(uniqueKeysWithValues: names.map { name in
            let bytes = FileManager.default.contents(atPath: directory + "/" + name) ?? Data()
            switch name {
            case "report.md", "report.html": return (name, Data())
            case "report.json":
                guard var document = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any] else { return (name, bytes) }
                document["provenance"] = nil
                return (name, (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? bytes)
            default: return (name, bytes)
            }
        })
    }

    static func check(_ baseline: String, data: String, into directory: String) throws -> ShapDriftBinary.Result {
        try ShapDriftBinary.run(["check", "--baseline", baseline, "--model", model, "--data", data, "--output-dir", directory,
                                 "--threads", "1", "--bootstrap", "0"])
    }

    /// The drifted sample repeated, so a check runs long enough to be killed at many points.
    static func largeData(in directory: URL) throws -> String {
        let lines = try String(contentsOfFile: folder + "/current_drift.csv", encoding: .utf8).split(separator: "\n")
        var text = lines[0] + "\n"
        for _ in 0..<8 { text += lines.dropFirst().joined(separator: "\n") + "\n" }
        let path = directory.appendingPathComponent("large.csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("kill -9 at any point of a check leaves the old report set or the new one, whole")
    func killedCheckLeavesOneWholeSet() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = directory.appendingPathComponent("baseline.json").path
        #expect(try ShapDriftBinary.run(["baseline", "--model", Self.model, "--data", Self.folder + "/baseline.csv", "--output", baseline]).status == 0)
        let large = try Self.largeData(in: directory)
        // The two sets: the old one (clean data) and what the killed run would write (drifted).
        let reports = directory.appendingPathComponent("reports").path
        let newReference = directory.appendingPathComponent("reference").path
        let start = Date()
        #expect(try Self.check(baseline, data: large, into: newReference).status == 1)
        let duration = Date().timeIntervalSince(start)
        let newSet = Self.contents(newReference)
        #expect(try Self.check(baseline, data: Self.folder + "/current_nodrift.csv", into: reports).status == 0)
        let oldSet = Self.contents(reports)
        #expect(oldSet.count == 7 && newSet.count == 7 && oldSet != newSet)

        var outcomes: Set<String> = []
        for attempt in 0..<12 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ShapDriftBinary.path)
            process.arguments = ["check", "--baseline", baseline, "--model", Self.model, "--data", large, "--output-dir", reports, "--threads", "1", "--bootstrap", "0"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if attempt < 6 {
                // Spread over the run, most near its end where the set is written.
                usleep(useconds_t(duration * (0.5 + 0.55 * Double(attempt) / 6) * 1e6))
            } else {
                // Kill as soon as the temporary set appears: during its writing.
                let deadline = Date().addingTimeInterval(duration * 3)
                while process.isRunning, Date() < deadline,
                      !((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).contains(where: { $0.hasPrefix(".reports.") }) {
                    usleep(200)
                }
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let now = Self.contents(reports)
            #expect(now == oldSet || now == newSet, "attempt \(attempt): a mixed set \(now.keys.sorted())")
            outcomes.insert(now == oldSet ? "old" : "new")
            // Put the old set back for the next attempt.
            if now != oldSet { #expect(try Self.check(baseline, data: Self.folder + "/current_nodrift.csv", into: reports).status == 0) }
        }
        // A finished run swaps the new set in and removes what killed runs left beside it.
        #expect(try Self.check(baseline, data: large, into: reports).status == 1)
        #expect(Self.contents(reports) == newSet)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".reports.") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("a failed check replaces an earlier report set with status.json naming the failure")
    func failedCheckLeavesFailureStatus() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = directory.appendingPathComponent("baseline.json").path
        #expect(try ShapDriftBinary.run(["baseline", "--model", Self.model, "--data", Self.folder + "/baseline.csv", "--output", baseline]).status == 0)
        let reports = directory.appendingPathComponent("reports").path
        #expect(try Self.check(baseline, data: Self.folder + "/current_drift.csv", into: reports).status == 1)
        let status = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reports + "/status.json"))) as? [String: Any])
        #expect(status["status"] as? String == "complete" && status["verdict"] as? String == "drift" && status["exit_code"] as? Int == 1)

        let broken = directory.appendingPathComponent("broken.csv").path
        try "d0,d1,d2,d3,d4,d5,d6,d7\n1,2,3,oops,5,6,7,8\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let failed = try Self.check(baseline, data: broken, into: reports)
        #expect(failed.status == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: reports) == ["status.json"])
        let failure = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reports + "/status.json"))) as? [String: Any])
        #expect(failure["status"] as? String == "failed" && failure["exit_code"] as? Int == 2)
        #expect((failure["error"] as? String)?.contains("broken.csv:2: d3:") == true)
        #expect(failed.stderr.contains(failure["error"] as? String ?? "?"))
    }

    @Test("a report directory holding other files is refused, and the files are kept")
    func foreignFilesAreKept() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = directory.appendingPathComponent("baseline.json").path
        #expect(try ShapDriftBinary.run(["baseline", "--model", Self.model, "--data", Self.folder + "/baseline.csv", "--output", baseline]).status == 0)
        let reports = directory.appendingPathComponent("reports").path
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        try "mine\n".write(toFile: reports + "/notes.txt", atomically: true, encoding: .utf8)
        let result = try Self.check(baseline, data: Self.folder + "/current.csv", into: reports)
        #expect(result.status == 2 && result.stderr.contains("notes.txt"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: reports) == ["notes.txt"])
    }
}
