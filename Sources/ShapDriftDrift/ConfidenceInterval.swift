/// A two-sided interval estimate: `[lower, upper]` at confidence `level` (0.95 for a 95 %
/// interval).
public struct ConfidenceInterval: Codable, Equatable, Sendable {
    public var lower: Double
    public var upper: Double
    public var level: Double

    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }

    /// Whether `threshold` lies inside the interval (lower < threshold ≤ upper): the data cannot
    /// tell which side of it the true value is on.
    public func straddles(_ threshold: Double) -> Bool {
        lower < threshold && threshold <= upper
    }
}
