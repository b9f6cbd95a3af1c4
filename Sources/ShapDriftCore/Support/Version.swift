/// The version of this build of ShapDrift, recorded in every profile and report it writes so a
/// file can always be traced to the code that made it.
public enum ShapDriftVersion {
    /// Semantic version of the library and the `shapdrift` tool.
    public static let current = "0.2.0"
    /// What profiles and reports record as their writer, e.g. `shapdrift 0.2.0`.
    public static var writer: String { "shapdrift \(current)" }
}
