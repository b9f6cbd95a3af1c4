import ShapDriftCore
/// An inclusive window on a capture record's `eventMetadata.inferenceTime` (seconds since 1970).
public struct CaptureTimeWindow: Sendable {
    public var since: Double?
    public var until: Double?

    public init(since: Double? = nil, until: Double? = nil) {
        self.since = since
        self.until = until
    }

    public var isUnbounded: Bool { since == nil && until == nil }

    func contains(_ time: Double) -> Bool {
        (since.map { time >= $0 } ?? true) && (until.map { time <= $0 } ?? true)
    }
}
