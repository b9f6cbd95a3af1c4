import Foundation

/// Times as reports and profiles record them: ISO 8601 in UTC to the second
/// (`2024-05-01T14:00:00Z`), which sorts as text.
enum UTCTimestamp {
    static func string(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// The time a written artefact records as its creation: `SOURCE_DATE_EPOCH` when set (the
    /// reproducible-builds convention, so the same inputs can give the same bytes), else now.
    static func creation() -> String {
        if let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = TimeInterval(text) {
            return string(Date(timeIntervalSince1970: seconds))
        }
        return string(Date())
    }
}
