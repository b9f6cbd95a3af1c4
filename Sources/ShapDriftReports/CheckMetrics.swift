import Foundation
import ShapDriftCore
import ShapDriftDrift

/// The values one check publishes as metrics, before any sink names them: the verdict, NDCG per
/// output, the counts, and per output and feature the global SHAP value (mean |φ|) of the
/// baseline and of the current data. Every sink (`SageMakerMetrics` and the CloudWatch embedded
/// metric format built on it, `PrometheusMetrics`, `MetricsJSONLine`) renders these, so they all
/// carry the same numbers as `report.json`, bit for bit.
public struct CheckMetrics: Equatable, Sendable {
    /// One output's values.
    public struct Output: Equatable, Sendable {
        public var label: String
        public var ndcg: Double
        /// The baseline's expected model output (Clarify's `ExpectedValue`).
        public var expectedValue: Double
        /// Per feature, in the model's order.
        public var features: [Feature]
    }

    /// A feature's global SHAP values.
    public struct Feature: Equatable, Sendable {
        public var name: String
        public var baselineMeanAbsShap: Double
        public var currentMeanAbsShap: Double
    }

    public var settings: MetricsSettings
    /// When the check's data ended or the check ran (the caller's choice), for the timestamps.
    public var timestamp: Date
    public var driftDetected: Bool
    /// Features breached for some output, largest shift first.
    public var breachedFeatures: [String]
    /// Rows profiled.
    public var rowsChecked: UInt64
    /// Bad records skipped (`report.json`'s `records.skipped.count`; 0 for rows from memory).
    public var recordsSkipped: Int
    public var outputs: [Output]

    /// The metrics of `report`.
    /// - Throws: `ConfigurationError.outOfRange` when labels are given and their number is not
    ///   the number of outputs.
    /// - Complexity: O(outputs × features).
    public init(report: DriftReport, settings: MetricsSettings = MetricsSettings(), timestamp: Date) throws(ConfigurationError) {
        guard settings.labels.isEmpty || settings.labels.count == report.outputs.count else {
            throw .outOfRange(setting: "metric labels", value: "\(settings.labels.count) given",
                              allowed: "one per model output (\(report.outputs.count))")
        }
        self.settings = settings
        self.timestamp = timestamp
        driftDetected = report.driftDetected
        breachedFeatures = report.breachedFeatures
        rowsChecked = report.rows
        recordsSkipped = report.records?.skipped.count ?? 0
        let order = report.model.featureNames
        outputs = report.outputs.enumerated().map { index, output in
            let byName = Dictionary(output.features.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let features = order.compactMap { name in
                byName[name].map { Feature(name: name, baselineMeanAbsShap: $0.baselineMeanAbsShap, currentMeanAbsShap: $0.currentMeanAbsShap) }
            }
            return Output(label: settings.labels.isEmpty ? output.label : settings.labels[index], ndcg: output.ndcg,
                          expectedValue: output.baselineExpectedValue, features: features)
        }
    }

    /// The lowest NDCG over the outputs (`report.json`'s `ndcg`).
    public var ndcg: Double { outputs.map(\.ndcg).min() ?? 1 }

    /// Seconds since 1970, as Prometheus' `*_timestamp_seconds` and JSON logs carry them.
    public var timestampSeconds: Double { timestamp.timeIntervalSince1970 }
}
