import ArgumentParser
import Foundation
import ShapDrift

/// Runs a `MonitoringJob` as the tool does, for `check`, `run` and the container entry point
/// alike: the check, the report directory, standard output, the exit code.
enum JobRunner {
    /// The report's provenance gets the command line, the start time and the run time.
    /// - Throws: the check's errors; `ExitCode(1)` when drift was found.
    static func run(_ job: MonitoringJob, now: Double, runOptions: RunOptions? = nil) throws {
        let started = Date()
        let clock = DispatchTime.now()
        var check = try job.check(now: now)
        stamp(&check, started: started, clock: clock)
        try finish(check, outputs: job.outputs, runOptions: runOptions)
    }

    /// A check of a current profile (`check --current-profile`), finished the same way.
    static func run(_ job: ProfileCheck, runOptions: RunOptions? = nil) throws {
        let started = Date()
        let clock = DispatchTime.now()
        var check = try job.check()
        stamp(&check, started: started, clock: clock)
        try finish(check, outputs: job.outputs, runOptions: runOptions)
    }

    /// The report's provenance gets the command line, the start time and the run time.
    private static func stamp(_ check: inout DriftCheck, started: Date, clock: DispatchTime) {
        check.report.provenance?.commandLine = CommandLine.arguments
        check.report.provenance?.startedAt = UTCTimestamp.string(started)
        check.report.provenance?.runSeconds = Double(DispatchTime.now().uptimeNanoseconds - clock.uptimeNanoseconds) / 1e9
    }

    /// Writes what a check found: the report directory, standard output, the exit code.
    /// - Throws: `OutputError`; `ExitCode(1)` when drift was found.
    static func finish(_ check: DriftCheck, outputs: MonitoringJob.Outputs, runOptions: RunOptions? = nil) throws {
        runOptions?.report(check.timings.summary)
        try ReportSet.write(check.report, current: check.current, to: outputs.directory, files: outputs.files)
        SkippedRecordsNotice.print(check.report.records, what: "left out of the check (listed in the report)")
        switch outputs.stdout {
        case .json:
            try writeAtomically(ReportJSON.bytes(check.report), to: "-")
        case .text:
            print(TerminalSummary.text(check.report), terminator: "")
            if outputs.files.contains(.markdown) { print("Report: \((outputs.directory as NSString).appendingPathComponent("report.md"))") }
        case .none:
            break
        }
        if check.report.driftDetected { throw ExitCode(ExitStatus.driftFound) }
    }
}
