import ShapDriftCore
import ShapDriftDrift

/// The verdict and the short ranked table `shapdrift check` prints: the verdict line first, then
/// NDCG, then the table. With `colour` (standard output is a terminal and `NO_COLOR` is unset),
/// the verdict is red or green and breached rows red, in ANSI SGR codes; the words carry the
/// same meaning without them.
public enum TerminalSummary {
    /// ANSI select-graphic-rendition codes.
    enum Style: String {
        case bold = "1", dim = "2", red = "1;31", green = "1;32", breached = "31"
    }

    /// The short ranked table and verdict `check` prints.
    /// - Complexity: O(top).
    public static func text(_ report: DriftReport, top: Int = 10, colour: Bool = false) -> String {
        func paint(_ text: String, _ style: Style) -> String { colour ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text }
        var text = "\(paint(ReportText.verdictLine(report), report.driftDetected ? .red : .green))\n"
        text += "NDCG \(ReportText.format(report.ndcg, 3)) vs threshold \(report.threshold.description)\(ReportText.intervalText(report)); \(report.rows) rows vs \(report.baselineRows) baseline rows\n"
        text += report.warnings.map { "warning: \($0)\n" }.joined()
        text += "\n"
        let rows = report.features.prefix(top)
        let width = max(7, rows.map(\.name.count).max() ?? 0)
        func pad(_ text: String, _ size: Int) -> String { text + String(repeating: " ", count: max(0, size - text.count)) }
        text += paint("\(pad("feature", width))  shift    PSI    mean|SHAP| base → now   rank  breached", .dim) + "\n"
        for f in rows {
            let line = "\(pad(f.name, width))  \(pad(ReportText.format(f.shift * 100, 1) + "%", 7))  \(pad(ReportText.format(f.psi, 2), 5))  \(pad(ReportText.format(f.baselineMeanAbsShap, 4) + " → " + ReportText.format(f.currentMeanAbsShap, 4), 21))  \(pad("\(f.baselineRank)→\(f.currentRank)", 5)) \(f.breached ? "YES" : "")"
            text += (f.breached ? paint(line, .breached) : line) + "\n"
        }
        if report.features.count > top { text += "… \(report.features.count - top) more features in features.csv\n" }
        return text
    }
}
