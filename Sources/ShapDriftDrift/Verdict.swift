/// What a check concluded.
public enum Verdict: String, Codable, Sendable {
    /// Something breached: investigate the named features.
    case drift
    /// Nothing breached.
    case noDrift = "no_drift"
}
