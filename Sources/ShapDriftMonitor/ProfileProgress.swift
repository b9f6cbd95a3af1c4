/// How far a profile build has come, reported after each block (for a progress line): rows
/// profiled, seconds since the start, and the share of the input read when the source knows
/// its total (`FeatureSource.readFraction`).
public struct ProfileProgress: Sendable, Equatable {
    public var rows: Int
    public var seconds: Double
    public var fraction: Double?

    public init(rows: Int, seconds: Double, fraction: Double?) {
        self.rows = rows
        self.seconds = seconds
        self.fraction = fraction
    }

    /// Rows per second so far.
    public var rate: Double { seconds > 0 ? Double(rows) / seconds : 0 }

    /// Seconds still to go at the rate so far, when the share read is known and above zero.
    public var remainingSeconds: Double? {
        guard let fraction, fraction > 0, fraction <= 1 else { return nil }
        return seconds * (1 - fraction) / fraction
    }

    /// What is told the progress after each block; called on the thread that profiles.
    public typealias Handler = @Sendable (ProfileProgress) -> Void
}
