import ArgumentParser
import Dispatch
import Foundation
import Logging
import ShapDrift

/// Runs a `MonitoringJob` as the tool does, for `check` and `run` alike: the check, the report
/// directory (with its HTML page and the metric files asked for), standard output, the exit code.
enum JobRunner {
    /// The report's provenance gets the command line, the start time and the run time.
    /// - Parameter now: the time the job runs at (relative windows count from it; the metrics are
    ///   stamped with it when the data has no window end).
    /// - Throws: the check's errors; `ExitCode(1)` when drift was found.
    static func run(_ job: MonitoringJob, now: Double, runOptions: RunOptions) throws {
        try markingFailure(in: job.outputs.directory) { try check(job, now: now, runOptions: runOptions) }
    }

    /// A check of a current profile (`check --current-profile`), finished the same way.
    static func run(_ job: ProfileCheck, now: Double, runOptions: RunOptions) throws {
        try markingFailure(in: job.outputs.directory) { try check(job, now: now, runOptions: runOptions) }
    }

    /// Runs `body`; when it fails (other than by finding drift), an older report set in
    /// `directory` is replaced by a `status.json` saying why (`ReportSet.writeFailure`), so its
    /// verdict no longer looks current.
    private static func markingFailure(in directory: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let code as ExitCode {
            throw code
        } catch {
            let message = CommandLineHints.message(for: error) ?? "\(error)"
            if let combined = markFailed(message, in: directory) { throw CommandFailure(message: combined) }
            throw error
        }
    }

    /// Replaces an older report set in `directory` by a `status.json` saying the run failed with
    /// `message` (`ReportSet.writeFailure`); for every command that writes a report set.
    /// - Returns: `nil`, or when the set could not be replaced, `message` with why.
    static func markFailed(_ message: String, in directory: String) -> String? {
        do {
            try ReportSet.writeFailure(message, to: directory)
            return nil
        } catch {
            return "\(message); and the earlier report could not be marked failed: \(error.description)"
        }
    }

    private static func check(_ job: MonitoringJob, now: Double, runOptions: RunOptions) throws {
        let started = Date()
        let clock = DispatchTime.now()
        let logger = runOptions.logger
        logger.info("checking \(job.data.paths.joined(separator: ", ")) against \(job.baseline) (model \(job.model))")
        let progress = runOptions.progressLine("attributing")
        var check: DriftCheck
        do {
            check = try job.check(now: now, progress: progress?.handler)
            progress?.finish()
        } catch {
            progress?.finish()
            throw error
        }
        stamp(&check, started: started, clock: clock)
        try finish(check, outputs: job.outputs, now: now, runOptions: runOptions)
    }

    private static func check(_ job: ProfileCheck, now: Double, runOptions: RunOptions) throws {
        let started = Date()
        let clock = DispatchTime.now()
        runOptions.logger.info("checking the current profile against \(job.baseline) (model \(job.model))")
        var check = try job.check()
        stamp(&check, started: started, clock: clock)
        try finish(check, outputs: job.outputs, now: now, runOptions: runOptions)
    }

    /// The report's provenance gets the command line, the start time and the run time.
    private static func stamp(_ check: inout DriftCheck, started: Date, clock: DispatchTime) {
        check.report.provenance?.commandLine = CommandLine.arguments
        check.report.provenance?.startedAt = UTCTimestamp.string(started)
        check.report.provenance?.runSeconds = Double(DispatchTime.now().uptimeNanoseconds - clock.uptimeNanoseconds) / 1e9
    }

    /// Writes what a check found: the report directory (with the metric files), standard output,
    /// the exit code.
    /// - Throws: `OutputError`; `ExitCode(1)` when drift was found.
    private static func finish(_ check: DriftCheck, outputs: MonitoringJob.Outputs, now: Double, runOptions: RunOptions) throws {
        let logger = runOptions.logger
        logger.info("\(check.report.rows) rows checked: \(check.timings.summary)")
        runOptions.report(check.timings.summary, fields: check.timings.fields)
        let metrics = try MetricsFiles.render(check.report, settings: outputs.metrics, timestamp: metricsTime(check.report, now: now))
        try ReportSet.write(check.report, current: check.current, to: outputs.directory, files: outputs.files, metrics: metrics)
        let written = ReportFile.allCases.filter(outputs.files.contains).map { ($0.rawValue, outputs.directory) }
            + metrics.map { ($0.name, $0.directory ?? outputs.directory) }
        logger.info("wrote \(written.map { ($0.1 as NSString).appendingPathComponent($0.0) }.joined(separator: ", "))")
        SkippedRecordsNotice.print(check.report.records, what: "left out of the check (listed in the report)", quiet: runOptions.quiet)
        switch outputs.stdout {
        case .json:
            try writeAtomically(ReportJSON.bytes(check.report), to: "-")
        case .text where !runOptions.quiet:
            print(TerminalSummary.text(check.report, colour: Console.colourOnStandardOutput), terminator: "")
            for file in [ReportFile.html, .markdown] where outputs.files.contains(file) {
                print("Report: \((outputs.directory as NSString).appendingPathComponent(file.rawValue))")
                break
            }
        case .text, .none:
            break
        }
        if check.report.driftDetected { throw ExitCode(ExitStatus.driftFound) }
    }

    /// The metrics' time: the end of the data's time window when it had one (so a rerun of a past
    /// hour files its metrics at that hour), else the time the job ran.
    static func metricsTime(_ report: DriftReport, now: Double) -> Date {
        if let until = report.records?.window?.until, let seconds = ISO8601Time.seconds(until) { return Date(timeIntervalSince1970: seconds) }
        return Date(timeIntervalSince1970: now)
    }
}
