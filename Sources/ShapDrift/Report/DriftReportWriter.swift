import Foundation

/// Writes a `DriftReport` as the files of a report directory and as a terminal summary.
///
/// Files (all deterministic: the same inputs give the same bytes; each written atomically):
/// - `report.json`: the full report (`docs/report.md`).
/// - `constraint_violations.json`: SageMaker Model Monitor's schema; one
///   `feature_attribution_drift_check` violation per output whose NDCG is below threshold, plus
///   (our extension) one `feature_attribution_shift_check` violation per breached feature.
/// - `analysis.json`: global SHAP values (current mean |φ|) in SageMaker Clarify's shape.
/// - `features.csv`: the ranked feature table.
/// - `report.md`: a summary for people.
public enum DriftReportWriter {
    public static let files = ["report.json", "constraint_violations.json", "analysis.json", "features.csv", "report.md"]

    public static func write(_ report: DriftReport, analysisBaseValues: [Double], currentMeans: [[Double]], to directory: String) throws(InputError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw InputError(file: directory, "cannot create the report directory: \(error.localizedDescription)")
        }
        let contents: [(String, [UInt8])] = [
            ("report.json", try json(report)),
            ("constraint_violations.json", try json(violations(report))),
            ("analysis.json", try json(analysis(report, baseValues: analysisBaseValues, currentMeans: currentMeans))),
            ("features.csv", Array(featuresCSV(report).utf8)),
            ("report.md", Array(markdown(report).utf8)),
        ]
        for (name, bytes) in contents {
            try writeAtomically(bytes, to: (directory as NSString).appendingPathComponent(name))
        }
    }

    public static func json<T: Encodable>(_ value: T) throws(InputError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value)) + [0x0A]
        } catch {
            throw InputError("cannot encode the report: \(error)")
        }
    }

    struct Violation: Encodable {
        var featureName: String?
        var label: String
        var metricName = "shap"
        var constraintCheckType: String
        var description: String

        enum CodingKeys: String, CodingKey {
            case featureName = "feature_name", label, metricName = "metric_name", constraintCheckType = "constraint_check_type", description
        }
    }

    struct Violations: Encodable {
        var version = "1.0"
        var violations: [Violation]
    }

    static func violations(_ report: DriftReport) -> Violations {
        var list: [Violation] = []
        for output in report.outputs where output.ndcgBelowThreshold {
            list.append(Violation(label: output.label, constraintCheckType: "feature_attribution_drift_check",
                                  description: "Feature attribution drift \(format(output.ndcg, 4)) exceeds threshold \(report.threshold.description) (NDCG below the threshold)"))
        }
        for output in report.outputs {
            for feature in output.features where feature.breached {
                list.append(Violation(
                    featureName: feature.name, label: output.label, constraintCheckType: "feature_attribution_shift_check",
                    description: "Attributions of feature \(feature.name) shifted: \(format(feature.shift * 100, 1))% of the attribution mass moved (threshold \(format(report.thresholds.featureShift * 100, 1))%), PSI \(format(feature.psi, 3)) (threshold \(report.thresholds.psi.description)); mean |SHAP| \(format(feature.baselineMeanAbsShap, 4)) → \(format(feature.currentMeanAbsShap, 4))"))
            }
        }
        return Violations(violations: list)
    }

    struct Analysis: Encodable {
        struct Label: Encodable {
            var expectedValue: Double
            var globalShapValues: [String: Double]
            enum CodingKeys: String, CodingKey { case expectedValue = "expected_value", globalShapValues = "global_shap_values" }
        }
        var version = "1.0"
        var explanations: [String: [String: Label]]
    }

    static func analysis(_ report: DriftReport, baseValues: [Double], currentMeans: [[Double]]) -> Analysis {
        var labels: [String: Analysis.Label] = [:]
        for (output, means) in currentMeans.enumerated() {
            labels["label\(output)"] = Analysis.Label(
                expectedValue: baseValues[output],
                globalShapValues: Dictionary(uniqueKeysWithValues: zip(report.model.featureNames, means)))
        }
        return Analysis(explanations: ["kernel_shap": labels])
    }

    public static func featuresCSV(_ report: DriftReport) -> String {
        var lines = ["rank,output,feature,shift,psi,wasserstein,baseline_mean_abs_shap,current_mean_abs_shap,baseline_share,current_share,baseline_rank,current_rank,rank_change,baseline_mean_shap,current_mean_shap,sign_flip,breached"]
        for output in report.outputs {
            for (rank, f) in output.features.enumerated() {
                let fields: [String] = [
                    "\(rank + 1)", "\(f.output)", AttributionCSVWriter.csvField(f.name), f.shift.description, f.psi.description,
                    f.wasserstein.description, f.baselineMeanAbsShap.description, f.currentMeanAbsShap.description,
                    f.baselineShare.description, f.currentShare.description, "\(f.baselineRank)", "\(f.currentRank)",
                    "\(f.rankChange)", f.baselineMeanShap.description, f.currentMeanShap.description, "\(f.signFlip)", "\(f.breached)",
                ]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    static func intervalText(_ report: DriftReport) -> String {
        guard let interval = report.ndcgInterval else { return "" }
        let straddles = report.intervalStraddlesThreshold == true ? ", straddles the threshold: NDCG alone cannot tell drift from noise here" : ""
        return " (95% bootstrap interval \(format(interval[0], 3))–\(format(interval[1], 3))\(straddles))"
    }

    static func verdictLine(_ report: DriftReport) -> String {
        if !report.driftDetected { return "NO DRIFT: the features driving the model's attributions have not shifted." }
        var reasons: [String] = []
        if report.outputs.contains(where: \.ndcgBelowThreshold) { reasons.append("NDCG below \(report.threshold.description)") }
        if !report.breachedFeatures.isEmpty { reasons.append("breached: \(report.breachedFeatures.joined(separator: ", "))") }
        return "DRIFT: \(reasons.joined(separator: "; "))."
    }

    /// The short ranked table and verdict `check` prints.
    public static func terminalSummary(_ report: DriftReport, top: Int = 10) -> String {
        var text = "\(verdictLine(report))\n"
        text += "NDCG \(format(report.ndcg, 3)) vs threshold \(report.threshold.description)\(intervalText(report)); \(report.rows) rows vs \(report.baselineRows) baseline rows\n\n"
        let rows = report.features.prefix(top)
        let width = max(7, rows.map(\.name.count).max() ?? 0)
        func pad(_ text: String, _ size: Int) -> String { text + String(repeating: " ", count: max(0, size - text.count)) }
        text += "\(pad("feature", width))  shift    PSI    mean|SHAP| base → now   rank  breached\n"
        for f in rows {
            text += "\(pad(f.name, width))  \(pad(format(f.shift * 100, 1) + "%", 7))  \(pad(format(f.psi, 2), 5))  \(pad(format(f.baselineMeanAbsShap, 4) + " → " + format(f.currentMeanAbsShap, 4), 21))  \(pad("\(f.baselineRank)→\(f.currentRank)", 5)) \(f.breached ? "YES" : "")\n"
        }
        if report.features.count > top { text += "… \(report.features.count - top) more features in features.csv\n" }
        return text
    }

    public static func markdown(_ report: DriftReport) -> String {
        var text = "# ShapDrift report\n\n**\(verdictLine(report))**\n\n"
        text += "- NDCG (SageMaker Clarify's feature-attribution drift score): **\(format(report.ndcg, 4))**, threshold \(report.threshold.description)\(intervalText(report))\n"
        text += "- Rows: \(report.rows) current, \(report.baselineRows) baseline\n"
        text += "- Model: \(report.model.modelFormat) `\(report.model.objective)`, SHA-256 `\(report.model.modelSHA256.prefix(16))…`; method \(report.model.method), attributions in \(report.model.outputSpace)\n"
        text += "- Feature thresholds: shift ≥ \(format(report.thresholds.featureShift * 100, 1))% of the attribution mass and PSI ≥ \(report.thresholds.psi.description)\n\n"
        for output in report.outputs {
            if report.outputs.count > 1 { text += "## Output \(output.output) (\(output.label)): NDCG \(format(output.ndcg, 4))\n\n" }
            text += "| rank | feature | shift | PSI | mean \\|SHAP\\| baseline | mean \\|SHAP\\| current | rank baseline → current | sign flip | breached |\n"
            text += "|---:|---|---:|---:|---:|---:|---|---|---|\n"
            for (rank, f) in output.features.enumerated() {
                text += "| \(rank + 1) | \(f.name) | \(format(f.shift * 100, 1))% | \(format(f.psi, 3)) | \(format(f.baselineMeanAbsShap, 4)) | \(format(f.currentMeanAbsShap, 4)) | \(f.baselineRank) → \(f.currentRank) | \(f.signFlip ? "yes" : "") | \(f.breached ? "**yes**" : "") |\n"
            }
            text += "\n"
        }
        text += "Shift = Wasserstein-1 distance between the feature's baseline and current SHAP distributions, as a share of the total baseline mean |SHAP|.\n\n"
        text += "> \(report.note)\n"
        return text
    }
}
