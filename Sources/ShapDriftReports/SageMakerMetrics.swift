import Foundation
import ShapDriftCore
import ShapDriftDrift

/// A check's metrics as CloudWatch metric data (name, dimensions, value, unit), and in the form a
/// SageMaker Model Monitor container leaves them for the job to publish: JSON Lines in
/// `/opt/ml/output/metrics/cloudwatch/`, one object per metric with `MetricName`, `Timestamp`,
/// `Dimensions` ([{`Name`, `Value`}]), `Value` and optional `Unit`, "closely based on the
/// CloudWatch PutMetrics API" (AWS, *Amazon SageMaker Developer Guide*, "CloudWatch Metrics for
/// Bring Your Own Containers", `model-monitor-byoc-cloudwatch`).
///
/// The names are those of `docs/alarms.md`: `FeatureAttributionNDCG`,
/// `FeatureAttributionDriftDetected`, `BreachedFeatures`, `RowsChecked`, `RecordsSkipped`, and
/// the global SHAP values as SageMaker Clarify's feature-attribution monitor publishes them
/// (`feature_<name>` and `ExpectedValue` per `Label`; *Developer Guide*,
/// `clarify-feature-attribute-drift-cw`).
///
/// `metrics(for:)` is separate from `jsonLines(_:)` so other CloudWatch sinks (the embedded
/// metric format, `EmbeddedMetricFormat`) publish the same list.
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
    public struct Dimension: Encodable, Equatable, Hashable, Sendable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        enum CodingKeys: String, CodingKey { case name = "Name", value = "Value" }
    }

    /// The metric names (CloudWatch).
    public enum Name {
        public static let ndcg = "FeatureAttributionNDCG"
        public static let driftDetected = "FeatureAttributionDriftDetected"
        public static let breachedFeatures = "BreachedFeatures"
        public static let rowsChecked = "RowsChecked"
        public static let recordsSkipped = "RecordsSkipped"
        public static let expectedValue = "ExpectedValue"
        /// Clarify's name of a feature's global SHAP value.
        public static func feature(_ name: String) -> String { "feature_\(name)" }
    }

    /// The dimensions AWS recommends at least: `Endpoint` (for endpoints) and `MonitoringSchedule`.
    public static func dimensions(endpoint: String?, schedule: String?) -> [Dimension] {
        [endpoint.map { Dimension(name: "Endpoint", value: $0) }, schedule.map { Dimension(name: "MonitoringSchedule", value: $0) }]
            .compactMap { $0 }
    }

    /// The CloudWatch metrics of one check, stamped with its timestamp: for the check (dimensions
    /// `Endpoint`, `MonitoringSchedule` when set) `FeatureAttributionDriftDetected` (1 or 0),
    /// `BreachedFeatures`, `RowsChecked` and `RecordsSkipped` (Count); per model output (plus
    /// dimension `Label`) `FeatureAttributionNDCG`, `ExpectedValue` and each feature's current
    /// global SHAP value `feature_<name>` — one metric per feature, since each distinct name
    /// and dimension set is a CloudWatch metric of its own.
    /// - Complexity: O(outputs × features).
    public static func metrics(for check: CheckMetrics) -> [Metric] {
        let time = timestampText(check.timestamp)
        let base = dimensions(endpoint: check.settings.endpoint, schedule: check.settings.schedule)
        func metric(_ name: String, _ value: Double, _ unit: String, _ extra: [Dimension] = []) -> Metric {
            Metric(name: name, timestamp: time, dimensions: base + extra, value: value, unit: unit)
        }
        var list = [
            metric(Name.driftDetected, check.driftDetected ? 1 : 0, "None"),
            metric(Name.breachedFeatures, Double(check.breachedFeatures.count), "Count"),
            metric(Name.rowsChecked, Double(check.rowsChecked), "Count"),
            metric(Name.recordsSkipped, Double(check.recordsSkipped), "Count"),
        ]
        for output in check.outputs {
            let label = [Dimension(name: "Label", value: output.label)]
            list.append(metric(Name.ndcg, output.ndcg, "None", label))
            list.append(metric(Name.expectedValue, output.expectedValue, "None", label))
            for feature in output.features {
                list.append(metric(Name.feature(feature.name), feature.currentMeanAbsShap, "None", label))
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
