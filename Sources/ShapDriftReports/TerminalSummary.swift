import ShapDriftCore
import ShapDriftDrift

/// The short ranked table and verdict `shapdrift check` prints.
public enum TerminalSummary {
    /// The short ranked table and verdict `check` prints.
    /// - Complexity: O(top).
    public static func text(_ report: DriftReport, top: Int = 10) -> String {
        var text = "\(ReportText.verdictLine(report))\n"
        text += "NDCG \(ReportText.format(report.ndcg, 3)) vs threshold \(report.threshold.description)\(ReportText.intervalText(report)); \(report.rows) rows vs \(report.baselineRows) baseline rows\n"
        text += report.warnings.map { "warning: \($0)\n" }.joined()
        text += "\n"
        let rows = report.features.prefix(top)
        let width = max(7, rows.map(\.name.count).max() ?? 0)
        func pad(_ text: String, _ size: Int) -> String { text + String(repeating: " ", count: max(0, size - text.count)) }
        text += "\(pad("feature", width))  shift    PSI    mean|SHAP| base → now   rank  breached\n"
        for f in rows {
            text += "\(pad(f.name, width))  \(pad(ReportText.format(f.shift * 100, 1) + "%", 7))  \(pad(ReportText.format(f.psi, 2), 5))  \(pad(ReportText.format(f.baselineMeanAbsShap, 4) + " → " + ReportText.format(f.currentMeanAbsShap, 4), 21))  \(pad("\(f.baselineRank)→\(f.currentRank)", 5)) \(f.breached ? "YES" : "")\n"
        }
        if report.features.count > top { text += "… \(report.features.count - top) more features in features.csv\n" }
        return text
    }
}
