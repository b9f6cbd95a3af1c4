import ShapDriftCore
/// The input formats `baseline` and `check` read.
public enum InputFormat: String, Sendable, CaseIterable {
    /// Decide per file: `.csv` → CSV; otherwise the first line: a `captureData` object → capture,
    /// another JSON object → JSON Lines; anything else → CSV.
    case auto
    case csv
    /// JSON Lines, one object per row keyed by feature name.
    case jsonl
    /// SageMaker Model Monitor data capture JSON Lines.
    case capture
}
