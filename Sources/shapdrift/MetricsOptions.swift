import ArgumentParser
import ShapDrift

extension MetricsKind: ExpressibleByArgument {}

/// `check`'s metric files for alarms (`docs/alarms.md`), as a job's `outputs.metrics`.
struct MetricsOptions: ParsableArguments {
    @Option(name: .customLong("metrics"),
            help: ArgumentHelp("Also write metrics for alarms: \(MetricsKind.allCases.map(\.rawValue).joined(separator: ", ")) (repeatable).",
                               valueName: "kind"))
    var kinds: [MetricsKind] = []

    @Option(help: ArgumentHelp("CloudWatch namespace of the embedded metric format.", valueName: "name"))
    var metricsNamespace = MetricsSettings.defaultNamespace

    @Option(help: ArgumentHelp("The metrics' Endpoint dimension (Prometheus label endpoint).", valueName: "name"))
    var metricsEndpoint: String?

    @Option(help: ArgumentHelp("The metrics' MonitoringSchedule dimension (Prometheus label monitoring_schedule).", valueName: "name"))
    var metricsSchedule: String?

    @Option(help: ArgumentHelp("The Label dimension of each model output, in order (default label0, label1, …; repeatable).", valueName: "label"))
    var metricsLabel: [String] = []

    @Option(help: ArgumentHelp("Directory for the sagemaker metrics file (e.g. /opt/ml/output/metrics/cloudwatch; default: the report directory).",
                               valueName: "dir"))
    var sagemakerMetricsDir: String?

    @Option(help: ArgumentHelp("Directory for shapdrift.prom (node_exporter's textfile directory; default: the report directory).", valueName: "dir"))
    var prometheusDir: String?

    func validate() throws {
        if metricsNamespace.isEmpty || metricsNamespace.count > 255 { throw ValidationError("--metrics-namespace must be 1 to 255 characters") }
    }

    var settings: MetricsSettings {
        var settings = MetricsSettings(kinds: kinds, namespace: metricsNamespace, endpoint: metricsEndpoint, schedule: metricsSchedule,
                                       labels: metricsLabel)
        settings.sagemakerDirectory = sagemakerMetricsDir
        settings.prometheusDirectory = prometheusDir
        return settings
    }
}
