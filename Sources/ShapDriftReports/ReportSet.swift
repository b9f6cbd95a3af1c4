import Foundation
import ShapDriftCore
import ShapDriftDrift

/// The files of a report directory, written as one unit and deterministically (the same inputs
/// give the same bytes): `status.json` (`ReportStatus`), `report.json` (the full `DriftReport`,
/// `docs/report.md`), `constraint_violations.json` (SageMaker Model Monitor's schema),
/// `analysis.json` (SageMaker Clarify's shape), `features.csv` (the ranked table) and `report.md`
/// (for people).
///
/// The set is built in a temporary directory and swapped in whole (`AtomicDirectoryWriter`): a
/// run killed at any point leaves the previous set or the new one, never files of both.
public enum ReportSet {
    /// The files of a complete set, `status.json` first.
    public static let fileNames = ["status.json", "report.json", "constraint_violations.json", "analysis.json", "features.csv", "report.md"]

    /// Writes the report set of `report` (computed from `current`) into `directory`, replacing
    /// any set there and creating the directory (and its parents) when missing.
    /// - Throws: `OutputError` when the set cannot be written, or the directory holds files that
    ///   are not a report's (it is replaced whole, so they would be lost).
    /// - Complexity: O(outputs × features).
    public static func write(_ report: DriftReport, current: AttributionProfile, to directory: String) throws(OutputError) {
        let contents: [(String, [UInt8])]
        do {
            contents = [
                ("report.json", try ReportJSON.bytes(report)),
                ("constraint_violations.json", try ReportJSON.bytes(ConstraintViolations(report))),
                ("analysis.json", try ReportJSON.bytes(ClarifyAnalysis(current: current))),
                ("features.csv", Array(FeatureTable.csv(report).utf8)),
                ("report.md", Array(MarkdownReport.text(report).utf8)),
                ("status.json", try ReportJSON.bytes(ReportStatus(report: report, files: Array(fileNames.dropFirst())))),
            ]
        } catch {
            throw OutputError(path: directory, error.description)
        }
        try createParent(of: directory)
        let writer = try AtomicDirectoryWriter(path: directory, ownedNames: Set(fileNames))
        for (name, bytes) in contents { try writer.write(name, bytes) }
        try writer.commit()
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
        let writer = try AtomicDirectoryWriter(path: directory, ownedNames: Set(fileNames))
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
