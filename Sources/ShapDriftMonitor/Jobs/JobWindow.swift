import ShapDriftFormats

/// The time window of a job: absolute, or relative to when the job runs (a scheduled job checks
/// "the previous full hour" whenever it starts).
public enum JobWindow: Sendable, Equatable {
    /// No window: every record.
    case all
    /// `since` (inclusive) to `until` (inclusive), seconds since 1970, either open.
    case absolute(since: Double?, until: Double?)
    /// The last full hour or day (UTC) before the run: [start, end).
    case previous(Unit)
    /// The `seconds` up to the run: [now − seconds, now).
    case last(seconds: Double)

    public enum Unit: String, Sendable, CaseIterable {
        case hour, day

        var seconds: Double { self == .hour ? 3600 : 86_400 }
    }

    /// The window for a run at `now` (seconds since 1970).
    public func resolve(now: Double) -> CaptureTimeWindow {
        switch self {
        case .all: return CaptureTimeWindow()
        case .absolute(let since, let until): return CaptureTimeWindow(since: since, until: until)
        case .previous(let unit):
            let end = (now / unit.seconds).rounded(.down) * unit.seconds
            return CaptureTimeWindow(since: end - unit.seconds, until: end, untilIncluded: false)
        case .last(let seconds):
            return CaptureTimeWindow(since: now - seconds, until: now, untilIncluded: false)
        }
    }
}
