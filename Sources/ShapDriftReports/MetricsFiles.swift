import Foundation
import ShapDriftCore
import ShapDriftDrift

/// The metric files of one check (`MetricsSettings.kinds`), rendered from one `CheckMetrics`.
public enum MetricsFiles {
    /// One file: its kind, the directory it goes to (`nil`: the report directory) and its bytes.
    public struct File: Equatable, Sendable {
        public var kind: MetricsKind
        public var directory: String?
        public var bytes: [UInt8]

        public var name: String { kind.fileName }
    }

    /// The files `settings` asks for, stamped `timestamp`.
    /// - Throws: `ShapDriftError.configuration` for labels that do not match the outputs,
    ///   `.numerical` for a value a format cannot hold.
    /// - Complexity: O(kinds × outputs × features).
    public static func render(_ report: DriftReport, settings: MetricsSettings, timestamp: Date) throws(ShapDriftError) -> [File] {
        guard !settings.kinds.isEmpty else { return [] }
        let check: CheckMetrics
        do {
            check = try CheckMetrics(report: report, settings: settings, timestamp: timestamp)
        } catch {
            throw .configuration(error)
        }
        var files: [File] = []
        do {
            for kind in settings.kinds where !files.contains(where: { $0.kind == kind }) {
                let bytes: [UInt8]
                switch kind {
                case .cloudWatchEMF: bytes = try EmbeddedMetricFormat.lines(check)
                case .sagemaker: bytes = try SageMakerMetrics.jsonLines(SageMakerMetrics.metrics(for: check))
                case .prometheus: bytes = Array(PrometheusMetrics.text(check).utf8)
                case .json: bytes = try MetricsJSONLine.bytes(check)
                }
                files.append(File(kind: kind, directory: settings.directory(of: kind), bytes: bytes))
            }
        } catch {
            throw .numerical(error)
        }
        return files
    }
}
