import Foundation
import ShapDriftCore
import ShapDriftDrift

/// The files of a report directory, written as one unit and deterministically (the same inputs
/// give the same bytes): `status.json` (`ReportStatus`), `report.json` (the full `DriftReport`,
/// `docs/report.md`), `constraint_violations.json` (SageMaker Model Monitor's schema),
/// `analysis.json` (SageMaker Clarify's shape), `features.csv` (the ranked table), `report.md`
/// (for people, and a ticket's body), `report.html` (the page with the charts), and the metric
/// files asked for (`MetricsFiles`, `docs/alarms.md`).
///
/// The set is built in a temporary directory and swapped in whole (`AtomicDirectoryWriter`): a
/// run killed at any point leaves the previous set or the new one, never files of both. Metric
/// files with a directory of their own (a SageMaker or node_exporter directory, shared with other
/// writers) are each replaced atomically there, after the set.
public enum ReportSet {
    /// Every name a report directory may hold: `status.json`, the report files, the metric files.
    public static let fileNames: Set<String> = Set(["status.json"] + ReportFile.allCases.map(\.rawValue) + MetricsKind.allCases.map(\.fileName))

    /// Writes the report set of `report` (computed from `current`) into `directory`, replacing
    /// any set there and creating the directory (and its parents) when missing: every file, or
    /// those in `files`, with `status.json` and `metrics`.
    /// - Throws: `OutputError` when the set cannot be written, or the directory holds files that
    ///   are not a report's (it is replaced whole, so they would be lost).
    /// - Complexity: O(outputs × features).
    public static func write(_ report: DriftReport, current: AttributionProfile, to directory: String,
                             files: Set<ReportFile> = Set(ReportFile.allCases), metrics: [MetricsFiles.File] = []) throws(OutputError) {
        var contents: [(String, [UInt8])]
        do {
            contents = try ReportFile.allCases.filter(files.contains).map { file throws(NumericalError) in
                switch file {
                case .json: return (file.rawValue, try ReportJSON.bytes(report))
                case .constraintViolations: return (file.rawValue, try ReportJSON.bytes(ConstraintViolations(report)))
                case .analysis: return (file.rawValue, try ReportJSON.bytes(ClarifyAnalysis(current: current)))
                case .features: return (file.rawValue, Array(FeatureTable.csv(report).utf8))
                case .markdown: return (file.rawValue, Array(MarkdownReport.text(report).utf8))
                case .html: return (file.rawValue, Array(HTMLReport.page(report).utf8))
                }
            }
            contents += metrics.filter { $0.directory == nil }.map { ($0.name, $0.bytes) }
            contents.insert(("status.json", try ReportJSON.bytes(ReportStatus(report: report, files: contents.map(\.0)))), at: 0)
        } catch {
            throw OutputError(path: directory, error.description)
        }
        try createParent(of: directory)
        let writer = try AtomicDirectoryWriter(path: directory, ownedNames: fileNames)
        for (name, bytes) in contents { try writer.write(name, bytes) }
        try writer.commit()
        for file in metrics {
            guard let elsewhere = file.directory else { continue }
            do {
                try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
            } catch {
                throw OutputError(path: elsewhere, "cannot create the directory: \(error.localizedDescription)")
            }
            try writeAtomically(file.bytes, to: (elsewhere as NSString).appendingPathComponent(file.name))
        }
    }

    /// After a failed check: when `directory` holds a report set from an earlier run, replaces it
    /// (atomically, as `write` does) with a `status.json` that says the check failed and why, so
    /// the old verdict no longer looks current. A directory without a set is left as it is.
    /// - Returns: whether a set was replaced.
    /// - Throws: `OutputError` when the set cannot be replaced.
    @discardableResult
    public static func writeFailure(_ message: String, to directory: String) throws(OutputError) -> Bool {
        guard case .directory(let resolved, _) = try OutputDestination.resolve(directory),
              let entries = try? FileManager.default.contentsOfDirectory(atPath: resolved),
              entries.contains(where: fileNames.contains) else { return false }
        let bytes: [UInt8]
        do {
            bytes = try ReportJSON.bytes(ReportStatus(failure: message))
        } catch {
            throw OutputError(path: directory, error.description)
        }
        let writer = try AtomicDirectoryWriter(path: directory, ownedNames: fileNames)
        try writer.write("status.json", bytes)
        try writer.commit()
        return true
    }

    private static func createParent(of directory: String) throws(OutputError) {
        guard case .file(let target, nil, _, _) = try OutputDestination.resolve(directory) else { return }
        let parent = OutputDestination.directoryName(of: target)
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: directory, "cannot create the directory \(parent): \(error.localizedDescription)")
        }
    }
}
