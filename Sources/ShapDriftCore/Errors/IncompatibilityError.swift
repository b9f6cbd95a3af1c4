/// Two things that must describe the same attributions do not: a baseline and the model or
/// settings of a check, or two profiles asked to merge.
///
/// `setting` says which part differs, so a caller can act on it (the `shapdrift` tool names the
/// flag to pass); `recorded` and `given` are the two sides as they would be shown to a person.
public struct IncompatibilityError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The part of a profile's identity that differs.
    public enum Setting: String, Sendable, Equatable {
        case model, featureNames = "feature names", method, outputSpace = "output space", background
        case sampling = "sampling settings", formatVersion = "format version", recordSampling = "record sampling"
        case bootstrap = "bootstrap settings", shards, attributionSummaries = "attribution summaries"
    }

    public var setting: Setting
    /// What the baseline (or the first profile) records.
    public var recorded: String
    /// What the model, settings or other profile have.
    public var given: String
    /// Why the difference matters, in a few words.
    public var consequence: String
    /// The profile file concerned, when there is one.
    public var file: String?

    public init(setting: Setting, recorded: String, given: String, consequence: String, file: String? = nil) {
        self.setting = setting
        self.recorded = recorded
        self.given = given
        self.consequence = consequence
        self.file = file
    }

    public var description: String {
        let prefix = file.map { "\($0): " } ?? ""
        return "\(prefix)\(setting.rawValue) do not match: \(recorded) in the baseline, \(given) now; \(consequence)"
    }

    /// The same error attributed to `file` when it had none.
    public func inFile(_ name: String) -> IncompatibilityError {
        var copy = self
        if copy.file == nil { copy.file = name }
        return copy
    }
}
