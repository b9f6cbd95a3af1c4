/// The metric files a check can write (`docs/alarms.md`); `check --metrics KIND` and a job's
/// `outputs.metrics` choose among them.
public enum MetricsKind: String, CaseIterable, Codable, Sendable {
    /// CloudWatch embedded metric format, JSON Lines: what an agent or a Lambda ships to
    /// CloudWatch Logs, which extracts the metrics.
    case cloudWatchEMF = "cloudwatch-emf"
    /// The JSON Lines a SageMaker Model Monitor container leaves in
    /// `/opt/ml/output/metrics/cloudwatch` for the job to publish.
    case sagemaker
    /// Prometheus text exposition, for node_exporter's textfile collector.
    case prometheus
    /// One JSON line, for log pipelines.
    case json

    /// The file each kind is written to.
    public var fileName: String {
        switch self {
        case .cloudWatchEMF: return "cloudwatch-emf.jsonl"
        case .sagemaker: return "sagemaker-metrics.jsonl"
        case .prometheus: return "shapdrift.prom"
        case .json: return "metrics.jsonl"
        }
    }
}

/// Which metric files a check writes, where, and under which names and dimensions.
public struct MetricsSettings: Equatable, Sendable {
    public static let defaultNamespace = "ShapDrift"

    /// The kinds written, each once, in this order.
    public var kinds: [MetricsKind] = []
    /// CloudWatch namespace of the embedded metric format (SageMaker's files carry none: the
    /// monitoring job files them under its own).
    public var namespace = MetricsSettings.defaultNamespace
    /// The `Endpoint` dimension (Prometheus label `endpoint`), when set.
    public var endpoint: String?
    /// The `MonitoringSchedule` dimension (label `monitoring_schedule`), when set.
    public var schedule: String?
    /// The `Label` dimension (label `output`) of each model output, in order; the report's
    /// labels (`label0`, … as SageMaker Clarify's placeholders) when empty.
    public var labels: [String] = []
    /// Where the SageMaker file goes (e.g. `/opt/ml/output/metrics/cloudwatch`); the report
    /// directory when `nil`.
    public var sagemakerDirectory: String?
    /// Where `shapdrift.prom` goes (e.g. node_exporter's `--collector.textfile.directory`); the
    /// report directory when `nil`.
    public var prometheusDirectory: String?

    public init(kinds: [MetricsKind] = [], namespace: String = MetricsSettings.defaultNamespace, endpoint: String? = nil,
                schedule: String? = nil, labels: [String] = []) {
        self.kinds = kinds
        self.namespace = namespace
        self.endpoint = endpoint
        self.schedule = schedule
        self.labels = labels
    }

    /// The directory of `kind`'s file, or `nil` for the report directory.
    public func directory(of kind: MetricsKind) -> String? {
        switch kind {
        case .sagemaker: return sagemakerDirectory
        case .prometheus: return prometheusDirectory
        case .cloudWatchEMF, .json: return nil
        }
    }
}
