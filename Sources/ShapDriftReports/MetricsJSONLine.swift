import Foundation
import ShapDriftCore
import ShapDriftDrift

/// A check's metrics as one JSON line for log pipelines (`metrics.jsonl`): the time, the
/// dimensions, the verdict and counts, the lowest NDCG, and per output its NDCG, expected value
/// and global SHAP values baseline → current. Keys sorted; numbers as in `report.json`.
public enum MetricsJSONLine {
    struct Line: Encodable {
        let timestamp: String
        let timestampSeconds: Double
        let endpoint: String?
        let monitoringSchedule: String?
        let driftDetected: Bool
        let ndcg: Double
        let breachedFeatures: [String]
        let rowsChecked: UInt64
        let recordsSkipped: Int
        let outputs: [Output]

        enum CodingKeys: String, CodingKey {
            case timestamp, timestampSeconds = "timestamp_seconds", endpoint, monitoringSchedule = "monitoring_schedule"
            case driftDetected = "drift_detected", ndcg, breachedFeatures = "breached_features", rowsChecked = "rows_checked"
            case recordsSkipped = "records_skipped", outputs
        }
    }

    struct Output: Encodable {
        let label: String
        let ndcg: Double
        let expectedValue: Double
        let meanAbsShap: [String: Sample]
        enum CodingKeys: String, CodingKey { case label, ndcg, expectedValue = "expected_value", meanAbsShap = "mean_abs_shap" }
    }

    struct Sample: Encodable {
        let baseline: Double
        let current: Double
    }

    /// The line, with its newline.
    /// - Throws: `NumericalError` for a value JSON cannot hold (not finite).
    /// - Complexity: O(outputs × features).
    public static func bytes(_ check: CheckMetrics) throws(NumericalError) -> [UInt8] {
        let line = Line(
            timestamp: SageMakerMetrics.timestampText(check.timestamp), timestampSeconds: check.timestampSeconds,
            endpoint: check.settings.endpoint, monitoringSchedule: check.settings.schedule, driftDetected: check.driftDetected,
            ndcg: check.ndcg, breachedFeatures: check.breachedFeatures, rowsChecked: check.rowsChecked, recordsSkipped: check.recordsSkipped,
            outputs: check.outputs.map { output in
                Output(label: output.label, ndcg: output.ndcg, expectedValue: output.expectedValue,
                       meanAbsShap: Dictionary(output.features.map { ($0.name, Sample(baseline: $0.baselineMeanAbsShap, current: $0.currentMeanAbsShap)) },
                                               uniquingKeysWith: { first, _ in first }))
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(line)) + [0x0A]
        } catch {
            throw NumericalError(operation: "metrics JSON line", "cannot encode the metrics: \(error)")
        }
    }
}
