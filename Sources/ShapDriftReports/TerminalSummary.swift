import ShapDriftCore
import ShapDriftDrift

/// The short ranked table and verdict `shapdrift check` prints.
public enum TerminalSummary {
    /// The output the terminal shows: the one with the most breached features, then the lowest NDCG.
    static func shownOutput(_ report: DriftReport) -> OutputDrift {
        report.outputs.min { a, b in
            let (x, y) = (a.features.filter(\.breached).count, b.features.filter(\.breached).count)
            return x != y ? x > y : a.ndcg < b.ndcg
        } ?? report.outputs[0]
    }

    /// The verdict, then the ranked table of one output (saying which, for multi-output models).
    /// - Complexity: O(outputs + top).
    public static func text(_ report: DriftReport, top: Int = 10) -> String {
        var text = "\(ReportText.verdictLine(report))\n"
        text += "NDCG \(ReportText.format(report.ndcg, 3)) vs threshold \(report.threshold.description)\(ReportText.intervalText(report)); \(report.rows) rows vs \(report.baselineRows) baseline rows\n"
        text += report.warnings.map { "warning: \($0)\n" }.joined()
        let output = shownOutput(report)
        if report.outputs.count > 1 {
            text += "Showing output \(output.output) (\(output.displayName)) of \(report.outputs.count): NDCG \(ReportText.format(output.ndcg, 3)), \(output.features.filter(\.breached).count) breached; every output is in report.md and features.csv\n"
        }
        text += "\n"
        let rows = output.features.prefix(top)
        let width = max(7, rows.map(\.name.count).max() ?? 0)
        func pad(_ text: String, _ size: Int) -> String { text + String(repeating: " ", count: max(0, size - text.count)) }
        text += "\(pad("feature", width))  shift   adj. p    mean|SHAP| base → now   rank   cause        breached\n"
        for f in rows {
            text += "\(pad(f.name, width))  \(pad(ReportText.percent(f.shift), 6))  \(pad(ReportText.pValue(f.adjustedPValue), 8))  \(pad(ReportText.format(f.baselineMeanAbsShap, 4) + " → " + ReportText.format(f.currentMeanAbsShap, 4), 21))  \(pad("\(f.baselineRank)→\(f.currentRank)", 5))  \(pad(f.cause == .none ? "" : f.cause.rawValue, 11))  \(f.breached ? "YES" : "")\n"
        }
        if output.features.count > top { text += "… \(output.features.count - top) more features in features.csv\n" }
        return text
    }
}
