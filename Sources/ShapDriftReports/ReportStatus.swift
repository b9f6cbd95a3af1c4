import ShapDriftCore
import ShapDriftDrift

/// `status.json`: the first file to read in a report directory. A complete set says its verdict
/// and the files it holds; a failed check that found an older set in the directory replaces it
/// with a status alone, saying why, so no stale verdict is left looking current.
public struct ReportStatus: Codable, Equatable, Sendable {
    public static let schemaVersion = 1

    public enum State: String, Codable, Sendable {
        /// The check finished; every file of the set is from this run.
        case complete
        /// The check failed (exit code 2); the set it would have written is absent.
        case failed
    }

    public var schemaVersion = ReportStatus.schemaVersion
    public var writer = ShapDriftVersion.writer
    public var status: State
    /// The command's exit code: 0 no drift, 1 drift, 2 failed.
    public var exitCode: Int
    /// The verdict of a complete check.
    public var verdict: Verdict?
    /// The files of a complete set, besides this one.
    public var files: [String]?
    /// Why a failed check failed: the error message the command printed.
    public var error: String?

    /// The status of a complete set with `report`'s verdict.
    public init(report: DriftReport, files: [String]) {
        status = .complete
        exitCode = report.driftDetected ? 1 : 0
        verdict = report.verdict
        self.files = files
    }

    /// The status of a failed check.
    public init(failure message: String) {
        status = .failed
        exitCode = 2
        error = message
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", writer, status, exitCode = "exit_code", verdict, files, error
    }
}
