import ArgumentParser
import Foundation
import ShapDrift

/// The entry point of a SageMaker Model Monitor container (`deploy/sagemaker-monitor/`): the
/// settings come from the monitoring job's environment (`SageMakerMonitorJob`), not from flags.
struct SageMakerMonitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sagemaker-monitor",
        abstract: "Run one SageMaker Model Monitor execution: check the captured data of the period against the baseline.",
        discussion: """
        Reads SageMaker's contract variables (dataset_source, output_path, start_time, end_time, \
        publish_cloudwatch_metrics, …) and ShapDrift's (shapdrift_model, shapdrift_baseline or \
        baseline_statistics, …; see deploy/sagemaker-monitor/README.md) from the environment. Writes \
        the report set to output_path, CloudWatch metrics when publish_cloudwatch_metrics is Enabled, \
        and the exit message. Exit 0 when the check ran, drift or not (violations are in \
        constraint_violations.json); 2 when it could not run.
        """)

    /// Where the metrics go under `--ml-root` (AWS: "the container code emits Amazon CloudWatch
    /// metrics in this location: /opt/ml/output/metrics/cloudwatch", a directory).
    static let metricsDirectory = "output/metrics/cloudwatch"

    @Option(help: ArgumentHelp("The processing container's /opt/ml directory: the exit message and the CloudWatch metrics go under it.",
                               valueName: "dir"))
    var mlRoot = "/opt/ml"

    func run() throws {
        let message = (mlRoot as NSString).appendingPathComponent("output/message")
        var outputPath: String?
        do {
            let job = try SageMakerMonitorJob(environment: ProcessInfo.processInfo.environment)
            outputPath = job.outputPath
            let check = try job.run()
            // The CloudWatch metrics go to the contract's metrics directory, with the report set.
            var metrics = MetricsSettings(endpoint: job.endpointName, schedule: job.scheduleName)
            if job.publishesCloudWatchMetrics {
                metrics.kinds = [.sagemaker]
                metrics.sagemakerDirectory = (mlRoot as NSString).appendingPathComponent(Self.metricsDirectory)
            }
            let timestamp = job.periodEnd.map(Date.init(timeIntervalSince1970:)) ?? Date()
            try ReportSet.write(check.report, current: check.current, to: job.outputPath,
                                metrics: MetricsFiles.render(check.report, settings: metrics, timestamp: timestamp))
            try write(SageMakerExitMessage.completed(check.report), to: message)
            print(TerminalSummary.text(check.report), terminator: "")
        } catch {
            // Settings are environment variables here: the library's message, without flag hints.
            var reason = String(describing: error)
            // An older report set in output_path must not look current (as for check and run).
            if let outputPath, let combined = JobRunner.markFailed(reason, in: outputPath) { reason = combined }
            try? write(SageMakerExitMessage.failed(reason), to: message)
            FileHandle.standardError.write(Data("shapdrift: error: \(reason)\n".utf8))
            throw ExitCode(ExitStatus.usageOrInputError)
        }
    }

    /// Writes `bytes` atomically to `path`, creating its directory.
    private func write(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: directory, "cannot create the directory: \(error.localizedDescription)")
        }
        try writeAtomically(bytes, to: path)
    }
}
