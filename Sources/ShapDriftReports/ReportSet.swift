import Foundation
import ShapDriftCore
import ShapDriftDrift

/// The files of a report directory, each written atomically and deterministically (the same
/// inputs give the same bytes): `report.json` (the full `DriftReport`, `docs/report.md`),
/// `constraint_violations.json` (SageMaker Model Monitor's schema), `analysis.json` (SageMaker
/// Clarify's shape), `features.csv` (the ranked table) and `report.md` (for people).
public enum ReportSet {
    /// Writes the report set of `report` (computed from `current`) into `directory`, creating it.
    /// - Throws: `OutputError` when the directory or a file cannot be written.
    /// - Complexity: O(outputs × features).
    public static func write(_ report: DriftReport, current: AttributionProfile, to directory: String) throws(OutputError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: directory, "cannot create the report directory: \(error.localizedDescription)")
        }
        let contents: [(String, [UInt8])]
        do {
            contents = [
                ("report.json", try ReportJSON.bytes(report)),
                ("constraint_violations.json", try ReportJSON.bytes(ConstraintViolations(report))),
                ("analysis.json", try ReportJSON.bytes(ClarifyAnalysis(current: current))),
                ("features.csv", Array(FeatureTable.csv(report).utf8)),
                ("report.md", Array(MarkdownReport.text(report).utf8)),
            ]
        } catch {
            throw OutputError(path: directory, error.description)
        }
        for (name, bytes) in contents {
            try writeAtomically(bytes, to: (directory as NSString).appendingPathComponent(name))
        }
    }
}
