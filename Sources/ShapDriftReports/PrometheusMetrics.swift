import Foundation
import ShapDriftCore
import ShapDriftDrift

/// A check's metrics in the Prometheus text exposition format (version 0.0.4), for
/// node_exporter's textfile collector: every metric family with `# HELP` and `# TYPE` (gauges),
/// label values escaped (`\\`, `\"`, `\n`), no sample timestamps (the collector refuses them; the
/// check's time is the gauge `shapdrift_check_timestamp_seconds`), and values in Swift's
/// shortest round-trip form, so a parser reads back exactly the numbers of `report.json`.
///
/// Labels: `endpoint` and `monitoring_schedule` when set (so checks of several endpoints can
/// share one collector directory), `output` (the output's label), `feature`, and `sample`
/// (`baseline` or `current`).
public enum PrometheusMetrics {
    /// The exposition text of `check`.
    /// - Complexity: O(outputs × features).
    public static func text(_ check: CheckMetrics) -> String {
        var base: [(String, String)] = []
        if let endpoint = check.settings.endpoint { base.append(("endpoint", endpoint)) }
        if let schedule = check.settings.schedule { base.append(("monitoring_schedule", schedule)) }
        var text = ""
        func family(_ name: String, _ help: String, _ samples: [([(String, String)], Double)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for (labels, value) in samples {
                let all = base + labels
                let rendered = all.isEmpty ? "" : "{" + all.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
                text += "\(name)\(rendered) \(format(value))\n"
            }
        }
        family("shapdrift_feature_attribution_ndcg", "NDCG of the current global SHAP ranking against the baseline's (SageMaker Clarify's score; drift below the threshold).",
               check.outputs.map { ([("output", $0.label)], $0.ndcg) })
        family("shapdrift_drift_detected", "1 when the last check found drift (an investigation, not a retrain), else 0.",
               [([], check.driftDetected ? 1 : 0)])
        family("shapdrift_breached_features", "Features whose attributions breached in the last check.",
               [([], Double(check.breachedFeatures.count))])
        family("shapdrift_rows_checked", "Rows the last check profiled.", [([], Double(check.rowsChecked))])
        family("shapdrift_records_skipped", "Bad records the last check skipped within its budget.", [([], Double(check.recordsSkipped))])
        family("shapdrift_expected_value", "The baseline's expected model output (SHAP base value) per output.",
               check.outputs.map { ([("output", $0.label)], $0.expectedValue) })
        family("shapdrift_feature_mean_abs_shap", "Global SHAP value (mean |SHAP|) of a feature, in the baseline and the current sample.",
               check.outputs.flatMap { output in
                   output.features.flatMap { feature in
                       [([("output", output.label), ("feature", feature.name), ("sample", "baseline")], feature.baselineMeanAbsShap),
                        ([("output", output.label), ("feature", feature.name), ("sample", "current")], feature.currentMeanAbsShap)]
                   }
               })
        family("shapdrift_check_timestamp_seconds", "When the last check's data ended or the check ran, in seconds since 1970.",
               [([], check.timestampSeconds)])
        return text
    }

    /// The exposition format's escapes of a label value.
    static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Shortest round-trip decimal; whole numbers without a fraction.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
