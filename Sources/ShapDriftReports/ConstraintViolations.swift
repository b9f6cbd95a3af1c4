import ShapDriftCore
import ShapDriftDrift

/// `constraint_violations.json` in SageMaker Model Monitor's schema: data-quality violations
/// with SageMaker's check types (`completeness_check`, `baseline_drift_check`,
/// `categorical_values_check`, `missing_column_check`, `extra_column_check`), one
/// `feature_attribution_drift_check` per output whose NDCG is below the threshold, and —
/// ShapDrift's extensions, which tools that know only the standard types can filter out — one
/// `feature_attribution_shift_check` per breached feature and output and one
/// `prediction_drift_check` per output whose predictions moved.
public struct ConstraintViolations: Encodable, Sendable {
    public var version = "1.0"
    public var violations: [Violation]

    public struct Violation: Encodable, Sendable {
        var featureName: String?
        var label: String?
        var metricName: String?
        var constraintCheckType: String
        var description: String

        enum CodingKeys: String, CodingKey {
            case featureName = "feature_name", label, metricName = "metric_name", constraintCheckType = "constraint_check_type", description
        }
    }

    public init(_ report: DriftReport) {
        var list: [Violation] = report.dataQuality.violations.map {
            Violation(featureName: $0.featureName, constraintCheckType: $0.checkType.rawValue, description: $0.description)
        }
        for output in report.outputs where output.ndcgBelowThreshold {
            list.append(Violation(label: output.label, metricName: "shap", constraintCheckType: "feature_attribution_drift_check",
                                  description: "Feature attribution drift \(ReportText.format(output.ndcg, 4)) exceeds threshold \(report.threshold.description) (NDCG below the threshold)"))
        }
        for output in report.outputs {
            let which = report.outputs.count > 1 ? " for output \(output.displayName)" : ""
            for feature in output.features where feature.breached {
                list.append(Violation(
                    featureName: feature.name, label: output.label, metricName: "shap", constraintCheckType: "feature_attribution_shift_check",
                    description: "Attributions of feature \(feature.name)\(which) shifted: \(ReportText.percent(feature.shift)) of the attribution mass moved (floor \(ReportText.percent(report.thresholds.minShift))), adjusted p-value \(ReportText.pValue(feature.adjustedPValue)) ≤ α \(report.thresholds.alpha); mean |SHAP| \(ReportText.format(feature.baselineMeanAbsShap, 4)) → \(ReportText.format(feature.currentMeanAbsShap, 4)); cause: \(feature.cause.rawValue)"))
            }
        }
        for prediction in report.prediction?.outputs ?? [] where prediction.drifted {
            list.append(Violation(
                label: prediction.label, metricName: "prediction", constraintCheckType: "prediction_drift_check",
                description: "Predictions (\(prediction.space)) of output \(prediction.name ?? prediction.label) moved: median \(ReportText.number(prediction.baseline.p50 ?? 0)) → \(ReportText.number(prediction.current.p50 ?? 0)), Kolmogorov–Smirnov distance \(ReportText.format(prediction.distance, 3)), adjusted p-value \(ReportText.pValue(prediction.adjustedPValue))"))
        }
        violations = list
    }
}
