import Foundation
import ShapDriftCore
import ShapDriftDrift

/// The files of a report directory, each written atomically and deterministically (the same
/// inputs give the same bytes): `report.json` (the full `DriftReport`, `docs/report.md`),
/// `constraint_violations.json` (SageMaker Model Monitor's schema), `analysis.json` (SageMaker
/// Clarify's shape), `features.csv` (the ranked table), `report.md` (for people, and a ticket's
/// body), `report.html` (the page with the charts), and the metric files asked for
/// (`MetricsFiles`, `docs/alarms.md`).
public enum ReportSet {
    /// Writes the report set of `report` (computed from `current`) into `directory`, creating it:
    /// every file, or those in `files`, and `metrics` — those without a directory of their own
    /// into `directory` with the rest, the others (a SageMaker or node_exporter directory) each
    /// atomically into theirs.
    /// - Throws: `OutputError` when a directory or a file cannot be written.
    /// - Complexity: O(outputs × features).
    public static func write(_ report: DriftReport, current: AttributionProfile, to directory: String,
                             files: Set<ReportFile> = Set(ReportFile.allCases), metrics: [MetricsFiles.File] = []) throws(OutputError) {
        try createDirectory(directory)
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
        } catch {
            throw OutputError(path: directory, error.description)
        }
        contents += metrics.filter { $0.directory == nil }.map { ($0.name, $0.bytes) }
        for (name, bytes) in contents {
            try writeAtomically(bytes, to: (directory as NSString).appendingPathComponent(name))
        }
        for file in metrics {
            guard let elsewhere = file.directory else { continue }
            try createDirectory(elsewhere)
            try writeAtomically(file.bytes, to: (elsewhere as NSString).appendingPathComponent(file.name))
        }
    }

    static func createDirectory(_ directory: String) throws(OutputError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: directory, "cannot create the directory: \(error.localizedDescription)")
        }
    }
}
