import ShapDriftCore
import ShapDriftDrift

/// The text a SageMaker Processing container leaves in `/opt/ml/output/message`: the job's
/// `ExitMessage` in `DescribeProcessingJob` holds its first 1 KB, UTF-8 (a file that is not valid
/// UTF-8 fails the job with a `ClientError`) (AWS, *Amazon SageMaker Developer Guide*, "Save and
/// Access Metadata Information About Your Processing Job", `byoc-metadata`).
///
/// The prefixes follow AWS's Model Monitor container samples: `Completed:` or
/// `CompletedWithViolations:` and the verdict, `Failed:` and the error.
public enum SageMakerExitMessage {
    /// The most `ExitMessage` keeps.
    public static let limit = 1024

    /// The message of a check that ran.
    public static func completed(_ report: DriftReport) -> [UInt8] {
        let status = report.driftDetected ? "CompletedWithViolations" : "Completed"
        return truncated("\(status): \(ReportText.verdictLine(report)) NDCG \(ReportText.format(report.ndcg, 4)) "
            + "(threshold \(report.threshold.description)) over \(report.rows) rows.")
    }

    /// The message of a job that could not run.
    public static func failed(_ reason: String) -> [UInt8] {
        truncated("Failed: \(reason)")
    }

    /// `text` in UTF-8, cut at a character boundary to at most `limit` bytes.
    static func truncated(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for character in text {
            let encoded = Array(String(character).utf8)
            if bytes.count + encoded.count > limit { break }
            bytes += encoded
        }
        return bytes
    }
}
