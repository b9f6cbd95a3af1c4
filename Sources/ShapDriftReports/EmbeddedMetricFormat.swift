import Foundation
import ShapDriftCore
import ShapDriftDrift

/// A check's CloudWatch metrics (`SageMakerMetrics.metrics(for:)`, the same list) in the
/// CloudWatch embedded metric format: JSON Lines whose every line is one EMF document, which
/// CloudWatch Logs turns into metrics when an agent, a Lambda or `aws logs put-log-events` ships
/// the lines (AWS, *Amazon CloudWatch User Guide*, "Specification: Embedded metric format").
///
/// One document per dimension set — the check's metrics with `Endpoint`, `MonitoringSchedule`;
/// each output's with `Label` too — split so that no directive holds more than the 100 metric
/// definitions the specification allows. Each document carries `_aws` (`Timestamp` in
/// milliseconds, `CloudWatchMetrics`: `Namespace`, `Dimensions`, `Metrics` with `Name` and
/// `Unit`), the dimensions' values and the metrics' values as root members, and, on the check's
/// document, `BreachedFeatureNames` for CloudWatch Logs Insights (a member no directive names,
/// which the specification allows).
public enum EmbeddedMetricFormat {
    /// Metric definitions per directive at most (the specification's limit).
    public static let maxMetricsPerDocument = 100

    /// The EMF lines of `check`, keys sorted: the same check gives the same bytes.
    /// - Throws: `NumericalError` for a value JSON cannot hold (not finite).
    /// - Complexity: O(outputs × features).
    public static func lines(_ check: CheckMetrics) throws(NumericalError) -> [UInt8] {
        let metrics = SageMakerMetrics.metrics(for: check)
        var groups: [(dimensions: [SageMakerMetrics.Dimension], metrics: [SageMakerMetrics.Metric])] = []
        for metric in metrics {
            if let index = groups.firstIndex(where: { $0.dimensions == metric.dimensions }) {
                groups[index].metrics.append(metric)
            } else {
                groups.append((metric.dimensions, [metric]))
            }
        }
        let milliseconds = Int64((check.timestamp.timeIntervalSince1970 * 1000).rounded())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for (index, group) in groups.enumerated() {
            var first = 0
            while first < group.metrics.count {
                let chunk = Array(group.metrics[first..<min(first + maxMetricsPerDocument, group.metrics.count)])
                let document = Document(namespace: check.settings.namespace, timestamp: milliseconds, dimensions: group.dimensions,
                                        metrics: chunk, breachedFeatureNames: index == 0 && first == 0 ? check.breachedFeatures : nil)
                do {
                    bytes += try encoder.encode(document)
                } catch {
                    throw NumericalError(operation: "CloudWatch embedded metrics", "cannot encode a metric: \(error)")
                }
                bytes.append(0x0A)
                first += maxMetricsPerDocument
            }
        }
        return bytes
    }

    /// One EMF document: `_aws` and the target members at the root.
    struct Document: Encodable {
        let namespace: String
        let timestamp: Int64
        let dimensions: [SageMakerMetrics.Dimension]
        let metrics: [SageMakerMetrics.Metric]
        let breachedFeatureNames: [String]?

        struct Key: CodingKey {
            let stringValue: String
            init(_ name: String) { stringValue = name }
            init?(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        struct Metadata: Encodable {
            let timestamp: Int64
            let directives: [Directive]
            enum CodingKeys: String, CodingKey { case timestamp = "Timestamp", directives = "CloudWatchMetrics" }
        }

        struct Directive: Encodable {
            let namespace: String
            let dimensions: [[String]]
            let metrics: [Definition]
            enum CodingKeys: String, CodingKey { case namespace = "Namespace", dimensions = "Dimensions", metrics = "Metrics" }
        }

        struct Definition: Encodable {
            let name: String
            let unit: String
            enum CodingKeys: String, CodingKey { case name = "Name", unit = "Unit" }
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            let directive = Directive(namespace: namespace, dimensions: [dimensions.map(\.name)],
                                      metrics: metrics.map { Definition(name: $0.name, unit: $0.unit) })
            try container.encode(Metadata(timestamp: timestamp, directives: [directive]), forKey: Key("_aws"))
            for dimension in dimensions { try container.encode(dimension.value, forKey: Key(dimension.name)) }
            for metric in metrics { try container.encode(metric.value, forKey: Key(metric.name)) }
            if let breachedFeatureNames { try container.encode(breachedFeatureNames, forKey: Key("BreachedFeatureNames")) }
        }
    }
}
