import Foundation
import ShapDriftCore
import ShapDriftDrift

/// Wording and number formats shared by the reports people read (terminal, Markdown).
package enum ReportText {
    package static func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    package static func intervalText(_ report: DriftReport) -> String {
        guard let interval = report.ndcgInterval else { return "" }
        let straddles = report.intervalStraddlesThreshold == true ? ", straddles the threshold: NDCG alone cannot tell drift from noise here" : ""
        let level = format(interval.level * 100, 0)
        return " (\(level)% bootstrap interval \(format(interval.lower, 3))–\(format(interval.upper, 3))\(straddles))"
    }

    package static func verdictLine(_ report: DriftReport) -> String {
        if !report.driftDetected { return "NO DRIFT: the features driving the model's attributions have not shifted." }
        var reasons: [String] = []
        if report.outputs.contains(where: \.ndcgBelowThreshold) { reasons.append("NDCG below \(report.threshold.description)") }
        if !report.breachedFeatures.isEmpty { reasons.append("breached: \(report.breachedFeatures.joined(separator: ", "))") }
        return "DRIFT: \(reasons.joined(separator: "; "))."
    }
}
