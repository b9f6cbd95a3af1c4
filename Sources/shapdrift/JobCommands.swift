import ArgumentParser
import Foundation
import ShapDrift

/// `--now`, for the relative windows of job files (and to rerun a past hour's job).
struct JobClockOption: ParsableArguments {
    @Option(help: ArgumentHelp("The time the job runs at, for relative windows (default: now).", valueName: "time"))
    var now: String?

    func validate() throws {
        if let now, let problem = ISO8601Time.problem(now) {
            throw ValidationError("--now: expected \(ISO8601Time.expectedForm), found '\(now)' (\(problem))")
        }
    }

    var seconds: Double { now.flatMap(ISO8601Time.seconds) ?? MonitoringJob.now }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the check a job file describes (docs/job.md); the same report as the equivalent check command.",
        discussion: "Exit 0 no drift, 1 drift, 2 usage or input error (including an invalid job file).")

    @Argument(help: ArgumentHelp("Job file (YAML).", valueName: "job.yaml"))
    var jobFile: String

    @OptionGroup var clock: JobClockOption
    @OptionGroup var runOptions: RunOptions

    func run() throws {
        var job = try MonitoringJob.load(path: jobFile)
        if let threads = runOptions.threads { job.threads = threads }
        try JobRunner.run(job, now: clock.seconds, runOptions: runOptions)
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a job file without running it: its keys and values, that its files exist, and that the baseline matches the model.",
        discussion: "Exit 0 valid, 2 invalid (the message names the key and line, or the file).")

    @Argument(help: ArgumentHelp("Job file (YAML).", valueName: "job.yaml"))
    var jobFile: String

    @OptionGroup var clock: JobClockOption

    func run() throws {
        let job = try MonitoringJob.load(path: jobFile)
        let prepared = try job.prepare(now: clock.seconds)
        let window = job.data.readOptions(now: clock.seconds).window.range
        let baseline = prepared.monitor.baseline
        var text = "\(jobFile): valid\n"
        text += "  model: \(job.model) (\(prepared.model.format.rawValue) \(prepared.model.objective), \(prepared.model.numFeatures) features)\n"
        text += "  baseline: \(job.baseline) (\(baseline.rows) rows, method \(baseline.identity.method.rawValue)); matches the model\n"
        text += "  data: \(job.data.paths.joined(separator: ", "))\(window.map { ", window \($0.description)" } ?? "")\n"
        text += "  reports: \(job.outputs.directory) (\(ReportFile.allCases.filter(job.outputs.files.contains).map(\.rawValue).joined(separator: ", ")))\n"
        print(text, terminator: "")
    }
}
