import ShapDriftCore
import ShapDriftDrift

/// `constraint_violations.json` in SageMaker Model Monitor's schema: one
/// `feature_attribution_drift_check` violation per output whose NDCG is below the threshold, and
/// (ShapDrift's extension, with a `feature_name`) one `feature_attribution_shift_check` per
/// breached feature.
public struct ConstraintViolations: Encodable, Sendable {
    public var version = "1.0"
    public var violations: [Violation]

    public struct Violation: Encodable, Sendable {
        var featureName: String?
        var label: String
        var metricName = "shap"
        var constraintCheckType: String
        var description: String

        enum CodingKeys: String, CodingKey {
            case featureName = "feature_name", label, metricName = "metric_name", constraintCheckType = "constraint_check_type", description
        }
    }

    public init(_ report: DriftReport) {
        var list: [Violation] = []
        for output in report.outputs where output.ndcgBelowThreshold {
            list.append(Violation(label: output.label, constraintCheckType: "feature_attribution_drift_check",
                                  description: "Feature attribution drift \(ReportText.format(output.ndcg, 4)) exceeds threshold \(report.threshold.description) (NDCG below the threshold)"))
        }
        for output in report.outputs {
            for feature in output.features where feature.breached {
                list.append(Violation(
                    featureName: feature.name, label: output.label, constraintCheckType: "feature_attribution_shift_check",
                    description: "Attributions of feature \(feature.name) shifted: \(ReportText.format(feature.shift * 100, 1))% of the attribution mass moved (threshold \(ReportText.format(report.thresholds.featureShift * 100, 1))%), PSI \(ReportText.format(feature.psi, 3)) (threshold \(report.thresholds.psi.description)); mean |SHAP| \(ReportText.format(feature.baselineMeanAbsShap, 4)) → \(ReportText.format(feature.currentMeanAbsShap, 4))"))
            }
        }
        violations = list
    }
}
