/// An output that could not be written: a report, a profile or an attribution file.
///
/// Whatever was there before stays as it was (outputs are replaced atomically), and no partial
/// file is left behind.
public struct OutputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path as given by the caller (`-` for standard output).
    public var path: String
    /// Why it could not be written (the system's reason where there is one).
    public var reason: String

    public init(path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): cannot be written: \(reason)" }
}
