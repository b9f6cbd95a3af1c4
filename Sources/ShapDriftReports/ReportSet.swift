import Foundation
import ShapDriftCore
import ShapDriftDrift

/// The files of a report directory, each written atomically and deterministically (the same
/// inputs give the same bytes): `report.json` (the full `DriftReport`, `docs/report.md`),
/// `constraint_violations.json` (SageMaker Model Monitor's schema), `analysis.json` (SageMaker
/// Clarify's shape), `features.csv` (the ranked table) and `report.md` (for people).
public enum ReportSet {
    /// Writes the report set of `report` (computed from `current`) into `directory`, creating it:
    /// every file, or those in `files`.
    /// - Throws: `OutputError` when the directory or a file cannot be written.
    /// - Complexity: O(outputs × features).
    public static func write(_ report: DriftReport, current: AttributionProfile, to directory: String,
                             files: Set<ReportFile> = Set(ReportFile.allCases)) throws(OutputError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: directory, "cannot create the report directory: \(error.localizedDescription)")
        }
        let contents: [(String, [UInt8])]
        do {
            contents = try ReportFile.allCases.filter(files.contains).map { file throws(NumericalError) in
                switch file {
                case .json: return (file.rawValue, try ReportJSON.bytes(report))
                case .constraintViolations: return (file.rawValue, try ReportJSON.bytes(ConstraintViolations(report)))
                case .analysis: return (file.rawValue, try ReportJSON.bytes(ClarifyAnalysis(current: current)))
                case .features: return (file.rawValue, Array(FeatureTable.csv(report).utf8))
                case .markdown: return (file.rawValue, Array(MarkdownReport.text(report).utf8))
                }
            }
        } catch {
            throw OutputError(path: directory, error.description)
        }
        for (name, bytes) in contents {
            try writeAtomically(bytes, to: (directory as NSString).appendingPathComponent(name))
        }
    }
}
