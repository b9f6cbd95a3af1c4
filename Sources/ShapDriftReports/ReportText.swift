import Foundation
import ShapDriftCore
import ShapDriftDrift

/// Wording and number formats shared by the reports people read (terminal, Markdown).
package enum ReportText {
    package static func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    /// A value with about three significant digits, without exponents for everyday magnitudes.
    package static func number(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude == 0 { return "0" }
        if value == value.rounded(), magnitude < 1e7 { return String(format: "%.0f", value) }
        if magnitude >= 100 && magnitude < 1e7 { return String(format: "%.0f", value) }
        if magnitude >= 10 && magnitude < 100 { return String(format: "%.1f", value) }
        if magnitude >= 1 && magnitude < 10 { return String(format: "%.2f", value) }
        return String(format: "%.3g", value)
    }

    package static func percent(_ share: Double, _ digits: Int = 1) -> String { format(share * 100, digits) + "%" }

    /// A p-value as people read it: `< 1e-12` below that, else two significant digits.
    package static func pValue(_ p: Double) -> String {
        if p < 1e-12 { return "< 1e-12" }
        if p >= 0.01 { return format(p, 2) }
        return String(format: "%.1e", p)
    }

    package static func intervalText(_ report: DriftReport) -> String {
        guard let interval = report.ndcgInterval else { return "" }
        let straddles = report.intervalStraddlesThreshold == true ? ", straddles the threshold: NDCG alone cannot tell drift from noise here" : ""
        let level = format(interval.level * 100, 0)
        return " (\(level)% bootstrap interval \(format(interval.lower, 3))–\(format(interval.upper, 3))\(straddles))"
    }

    /// What each criterion found, in words.
    package static func finding(_ criterion: VerdictCriterion, _ report: DriftReport) -> String? {
        guard report.criteria.found(criterion) else { return nil }
        switch criterion {
        case .attribution: return "breached: \(report.breachedFeatures.joined(separator: ", "))"
        case .ndcg:
            return "Clarify's NDCG \(format(report.ndcg, 3)) below \(report.threshold.description)"
        case .prediction: return "the predictions' distribution moved"
        case .dataQuality:
            let count = report.dataQuality.violations.count
            return "\(count) data-quality violation\(count == 1 ? "" : "s")"
        }
    }

    package static func verdictLine(_ report: DriftReport) -> String {
        let counted = report.failOn.compactMap { finding($0, report) }
        let other = VerdictCriterion.allCases.filter { !report.failOn.contains($0) }.compactMap { finding($0, report) }
        let also = other.isEmpty ? "" : " Reported, not part of the verdict: \(other.joined(separator: "; "))."
        if !report.driftDetected {
            return "NO DRIFT: no feature's attributions moved significantly (family-wise α = \(report.thresholds.alpha)) "
                + "by at least \(percent(report.thresholds.minShift)) of the attribution mass.\(also)"
        }
        return "DRIFT: \(counted.joined(separator: "; ")).\(also)"
    }

    /// Which way a feature's values moved, with the numbers that show it.
    package static func valueChange(_ values: FeatureValuesDrift) -> String {
        var parts: [String] = []
        let (before, after) = (values.baseline, values.current)
        if values.categorical, let shares = values.categories {
            let moved = shares.shares.prefix(2).filter { $0.current != $0.baseline }
            if !moved.isEmpty {
                parts.append("its categories' shares changed ("
                    + moved.map { "\(number($0.value)): \(percent($0.baseline)) → \(percent($0.current))" }.joined(separator: ", ") + ")")
            }
        } else if let b = before.p50, let c = after.p50 {
            let direction: String
            if c != b {
                direction = c > b ? "rose" : "fell"
            } else if let bm = before.mean, let cm = after.mean, bm != cm {
                direction = cm > bm ? "rose" : "fell"
            } else {
                direction = "changed"
            }
            var numbers = "median \(number(b)) → \(number(c))"
            if let bm = before.mean, let cm = after.mean { numbers += ", mean \(number(bm)) → \(number(cm))" }
            if let b95 = before.p95, let c95 = after.p95 { numbers += ", p95 \(number(b95)) → \(number(c95))" }
            parts.append("its values \(direction) (\(numbers))")
        }
        if abs(after.missingRate - before.missingRate) >= 0.005 {
            parts.append("its missing values went from \(percent(before.missingRate)) to \(percent(after.missingRate))")
        }
        return parts.isEmpty ? "its values changed" : parts.joined(separator: " and ")
    }

    /// The attribution change in words: `+31 %` of mean |SHAP|, or how the distribution moved.
    package static func attributionChange(_ feature: FeatureShift) -> String {
        let means = "mean |SHAP| \(number(feature.baselineMeanAbsShap)) → \(number(feature.currentMeanAbsShap))"
        guard let change = feature.meanAbsChange else { return "attribution moved (\(means))" }
        let sign = change >= 0 ? "+" : "−"
        return "attribution \(sign)\(format(abs(change) * 100, 0)) % (\(means), shift \(percent(feature.shift)))"
    }

    /// Why a feature's attributions moved, in one sentence, e.g. "distance_km: attribution
    /// +31 % (…) because its values rose (median 10.4 → 41.6, …)".
    package static func explanation(_ feature: FeatureShift) -> String {
        let head = "\(feature.name): \(attributionChange(feature))"
        switch feature.cause {
        case .input:
            var text = "\(head) because \(valueChange(feature.values))"
            if !feature.partners.isEmpty {
                text += "; features it shares tree paths with also shifted: \(feature.partners.joined(separator: ", "))"
            }
            return text
        case .interaction:
            var text = "\(head), although its own values did not change significantly"
            if let b = feature.values.baseline.p50, let c = feature.values.current.p50, !feature.values.categorical {
                text += " (median \(number(b)) → \(number(c)))"
            }
            text += ": it moved through other features"
            if !feature.partners.isEmpty {
                text += " — likely \(feature.partners.joined(separator: ", ")), whose values shifted and which share tree paths with it"
            } else {
                text += " (no feature whose values shifted significantly is known to share a tree path with it)"
            }
            return text
        case .none:
            return "\(head): within sampling noise"
        }
    }
}
