/// Why a reader could not use a record: the category a skipped record is counted under
/// (`SkippedRecords.byReason`), few and stable so they can label metrics. The record's own
/// message says what exactly was wrong.
public enum BadRecordReason: String, Codable, CaseIterable, Comparable, Sendable {
    /// The line is not valid JSON (JSON Lines, capture).
    case malformedJSON = "malformed JSON"
    /// A JSON line that is not a SageMaker capture record of inputs (no `captureData`, no
    /// `endpointInput`, a mode other than INPUT).
    case notACaptureRecord = "not a capture record"
    /// A capture record whose `inferenceTime` (or a CSV row whose time column) is missing or is
    /// not an RFC 3339 time, while a time window filters on it.
    case badTime = "bad time"
    /// A capture payload that cannot be decoded: unknown encoding, invalid base64, an unknown
    /// content type, or a JSON payload that is not rows.
    case badPayload = "bad payload"
    /// A capture record whose payload (`data`) is empty.
    case emptyPayload = "empty payload"
    /// A row with another number of fields or values than the header or the model.
    case fieldCount = "wrong number of fields"
    /// A value that is not a finite number or a missing-value spelling.
    case notANumber = "not a number"
    /// A JSON object that lacks one of the model's features.
    case missingFeature = "missing feature"
    /// A CSV line that breaks the quoting rules.
    case csvSyntax = "CSV syntax"
    /// A JSON Lines value that is neither an object keyed by feature name nor an array.
    case notARow = "not a row"

    public static func < (lhs: BadRecordReason, rhs: BadRecordReason) -> Bool { lhs.rawValue < rhs.rawValue }
}
