import Foundation
import ShapDriftCore
import ShapDriftDrift

/// CloudWatch metrics in the form a SageMaker Model Monitor container leaves them for the job to
/// publish: JSON Lines in `/opt/ml/output/metrics/cloudwatch/`, one object per metric with
/// `MetricName`, `Timestamp`, `Dimensions` ([{`Name`, `Value`}]), `Value` and optional `Unit`,
/// "closely based on the CloudWatch PutMetrics API" (AWS, *Amazon SageMaker Developer Guide*,
/// "CloudWatch Metrics for Bring Your Own Containers", `model-monitor-byoc-cloudwatch`). The
/// namespace is SageMaker's (`/aws/sagemaker/Endpoint/data-metrics` for endpoints), so every name
/// starts with `shapdrift_`.
///
/// `metrics(for:)` is separate from `jsonLines(_:)` so other metric sinks (CloudWatch EMF,
/// Prometheus) can publish the same values.
public enum SageMakerMetrics {
    /// One metric datum.
    public struct Metric: Encodable, Equatable, Sendable {
        public var name: String
        public var timestamp: String
        public var dimensions: [Dimension]
        public var value: Double
        public var unit: String

        enum CodingKeys: String, CodingKey {
            case name = "MetricName", timestamp = "Timestamp", dimensions = "Dimensions", value = "Value", unit = "Unit"
        }
    }

    /// A CloudWatch dimension.
    public struct Dimension: Encodable, Equatable, Sendable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        enum CodingKeys: String, CodingKey { case name = "Name", value = "Value" }
    }

    /// The dimensions AWS recommends at least: `Endpoint` (for endpoints) and `MonitoringSchedule`.
    public static func dimensions(endpoint: String?, schedule: String?) -> [Dimension] {
        [endpoint.map { Dimension(name: "Endpoint", value: $0) }, schedule.map { Dimension(name: "MonitoringSchedule", value: $0) }]
            .compactMap { $0 }
    }

    /// The metrics of one check, stamped `timestamp` (the end of the monitored period):
    /// `shapdrift_drift_detected` (1 or 0), `shapdrift_rows` and `shapdrift_breached_features`
    /// (Count) for the check, then per model output (dimension `Label`) `shapdrift_ndcg`, and per
    /// feature (dimensions `Label`, `Feature`) `shapdrift_feature_shift` — one metric per feature,
    /// since each distinct name and dimension set is a CloudWatch metric of its own.
    /// - Complexity: O(outputs × features).
    public static func metrics(for report: DriftReport, dimensions: [Dimension], timestamp: Date) -> [Metric] {
        let time = timestampText(timestamp)
        func metric(_ name: String, _ value: Double, _ unit: String, _ extra: [Dimension] = []) -> Metric {
            Metric(name: name, timestamp: time, dimensions: dimensions + extra, value: value, unit: unit)
        }
        var list = [
            metric("shapdrift_drift_detected", report.driftDetected ? 1 : 0, "None"),
            metric("shapdrift_rows", Double(report.rows), "Count"),
            metric("shapdrift_breached_features", Double(report.breachedFeatures.count), "Count"),
        ]
        for output in report.outputs {
            let label = Dimension(name: "Label", value: output.label)
            list.append(metric("shapdrift_ndcg", output.ndcg, "None", [label]))
            for feature in output.features {
                list.append(metric("shapdrift_feature_shift", feature.shift, "None", [label, Dimension(name: "Feature", value: feature.name)]))
            }
        }
        return list
    }

    /// `metrics` as JSON Lines, in order, keys sorted: the same metrics give the same bytes.
    /// - Throws: `NumericalError` for a value JSON cannot hold (not finite).
    /// - Complexity: O(total size).
    public static func jsonLines(_ metrics: [Metric]) throws(NumericalError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for metric in metrics {
            do {
                bytes += try encoder.encode(metric)
            } catch {
                throw NumericalError(operation: "CloudWatch metrics", "cannot encode \(metric.name) = \(metric.value): \(error)")
            }
            bytes.append(0x0A)
        }
        return bytes
    }

    /// `2019-11-26T03:00:00Z`, the form of AWS's example.
    static func timestampText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
