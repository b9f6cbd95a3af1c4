import ShapDriftCore
import ShapDriftDrift

/// `features.csv`: the ranked feature table of every output, one line per output and feature,
/// with the tests, the cause and the feature's input values (columns in `docs/report.md`).
public enum FeatureTable {
    static let header = [
        "rank", "output", "output_name", "feature", "shift", "shift_lower", "shift_upper", "p_value", "adjusted_p_value",
        "significant", "breached", "cause", "partners", "p_distribution", "p_mean_abs", "psi", "wasserstein",
        "baseline_mean_abs_shap", "current_mean_abs_shap", "mean_abs_change", "baseline_share", "current_share",
        "baseline_rank", "current_rank", "rank_change", "baseline_mean_shap", "current_mean_shap", "sign_flip",
        "value_baseline_mean", "value_current_mean", "value_baseline_p50", "value_current_p50", "value_baseline_missing_rate",
        "value_current_missing_rate", "value_distance", "value_p_value", "value_adjusted_p_value", "value_shifted",
    ]

    /// - Complexity: O(outputs × features).
    public static func csv(_ report: DriftReport) -> String {
        func text(_ value: Double?) -> String { value.map(\.description) ?? "" }
        var lines = [header.joined(separator: ",")]
        for output in report.outputs {
            for (rank, f) in output.features.enumerated() {
                let v = f.values
                let fields: [String] = [
                    "\(rank + 1)", "\(f.output)", AttributionCSVWriter.csvField(output.name ?? ""), AttributionCSVWriter.csvField(f.name),
                    f.shift.description, text(f.shiftInterval?.lower), text(f.shiftInterval?.upper), f.pValue.description,
                    f.adjustedPValue.description, "\(f.significant)", "\(f.breached)", f.cause.rawValue,
                    AttributionCSVWriter.csvField(f.partners.joined(separator: ";")), f.tests.distribution.description,
                    f.tests.meanAbs.description, f.psi.description, f.wasserstein.description, f.baselineMeanAbsShap.description,
                    f.currentMeanAbsShap.description, text(f.meanAbsChange), f.baselineShare.description, f.currentShare.description,
                    "\(f.baselineRank)", "\(f.currentRank)", "\(f.rankChange)", f.baselineMeanShap.description,
                    f.currentMeanShap.description, "\(f.signFlip)", text(v.baseline.mean), text(v.current.mean), text(v.baseline.p50),
                    text(v.current.p50), v.baseline.missingRate.description, v.current.missingRate.description, v.distance.description,
                    v.pValue.description, v.adjustedPValue.description, "\(v.shifted)",
                ]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
