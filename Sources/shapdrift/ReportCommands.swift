import ArgumentParser
import Foundation
import ShapDrift

/// Reads `report.json` files back, for `report` and `history`.
enum ReportReading {
    /// The report in `path` (a report directory, or a `report.json`).
    /// - Throws: `InputError` naming the file: missing, not JSON, or not a report this build reads.
    static func load(_ path: String) throws(InputError) -> DriftReport {
        let file = reportFile(path)
        let bytes = try FileReading.bytes(file)
        do {
            return try JSONDecoder().decode(DriftReport.self, from: Data(bytes))
        } catch {
            let version = (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])?["schema_version"]
            let reason: String
            switch error {
            case DecodingError.keyNotFound(let key, _): reason = "the member \(key.stringValue) is missing"
            case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context):
                reason = context.codingPath.isEmpty ? context.debugDescription
                    : "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
            default: reason = "\(error)"
            }
            throw InputError(file: file, "not a ShapDrift report this build reads (schema_version \(version.map { "\($0)" } ?? "absent"), this build writes \(DriftReport.schemaVersion)): \(reason)")
        }
    }

    /// `path/report.json` for a directory, else `path`.
    static func reportFile(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return (path as NSString).appendingPathComponent(ReportFile.json.rawValue)
        }
        return path
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render report.html again from a report directory's report.json (e.g. one written before the page existed).")

    @Argument(help: ArgumentHelp("The report directory (or its report.json).", valueName: "report-dir"))
    var directory: String

    @Option(help: ArgumentHelp("Where to write the page (default: report.html in the report directory; '-' = standard output).", valueName: "path"))
    var html: String?

    func run() throws {
        let report = try ReportReading.load(directory)
        let file = ReportReading.reportFile(directory)
        let target = html ?? ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(ReportFile.html.rawValue)
        try writeAtomically(Array(HTMLReport.page(report).utf8), to: target)
        if target != "-" { Console.note("wrote \(target)") }
    }
}

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "NDCG and the most shifted features over a run of checks, oldest first; history.html and a trend test for a slow decline.",
        discussion: """
        Give report directories, or folders holding them (e.g. one per hour). Checks are put in the order \
        of their data's time (the window's start, else the first record time seen), else of their names. \
        The trend test (Mann–Kendall, one-sided) flags a steady decline of NDCG at the 5 % level.
        """)

    @Argument(help: ArgumentHelp("Report directories, their report.json files, or folders of report directories.", valueName: "report-dir"))
    var paths: [String]

    @Option(help: ArgumentHelp("Where to write the page ('-' = standard output).", valueName: "path"))
    var html = "history.html"

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one report directory") }
    }

    func run() throws {
        var entries: [ReportHistory.Entry] = []
        for path in try Self.reportPaths(paths) {
            let report = try ReportReading.load(path)
            let start = report.records?.window?.since ?? report.records?.timesSeen?.since
            let name = (ReportReading.reportFile(path) as NSString).deletingLastPathComponent
            entries.append(ReportHistory.Entry(name: name.isEmpty ? "." : name, time: start.flatMap(ISO8601Time.seconds),
                                               timeText: start ?? (name as NSString).lastPathComponent, report: report))
        }
        let history = ReportHistory(entries)
        print(history.text(), terminator: "")
        try writeAtomically(Array(history.page().utf8), to: html)
        if html != "-" { Console.note("wrote \(html)") }
    }

    /// Each path that holds a report, or for a folder without one, its subfolders that do.
    /// - Throws: `InputError` for a path that does not exist or a folder with no report in it.
    static func reportPaths(_ paths: [String]) throws(InputError) -> [String] {
        var found: [String] = []
        for path in paths {
            guard FileManager.default.fileExists(atPath: path) else { throw InputError(file: path, "no such file or directory") }
            if FileManager.default.fileExists(atPath: ReportReading.reportFile(path)) {
                found.append(path)
                continue
            }
            let children = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
                .map { (path as NSString).appendingPathComponent($0) }
                .filter { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent(ReportFile.json.rawValue)) }
            guard !children.isEmpty else { throw InputError(file: path, "no report.json here or in the folders inside it") }
            found += children
        }
        return found
    }
}
