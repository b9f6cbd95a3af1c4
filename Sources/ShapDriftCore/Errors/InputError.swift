/// An error in something the user handed us: a model file, a data file, or a command-line value.
///
/// Every error names where the problem is (file, line or row, column or feature) and what was
/// expected, so the message alone is enough to fix the input. The command-line tool maps every
/// `InputError` to exit code 2.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file the problem is in (as given by the user), or `nil` for a command-line value.
    public var file: String?
    /// 1-based line of the file (for CSV: the physical line, header = line 1).
    public var line: Int?
    /// 1-based column: a character column for model files, a field number for CSV.
    public var column: Int?
    /// 0-based offset of the byte the problem is at, for binary files (UBJSON models), which have
    /// no lines or columns; counted as hex dumps (`xxd`, `od -A d`) count.
    public var byteOffset: Int?
    /// The feature, column name or JSON path the problem concerns.
    public var field: String?
    /// What is wrong and what was expected.
    public var message: String
    /// The reader's bound the input went past, when that is what is wrong: the input may be
    /// legitimate and the bound raised (the command line names the setting that raises it).
    public var exceededLimit: InputLimit?

    public init(file: String? = nil, line: Int? = nil, column: Int? = nil, field: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        var location = file ?? ""
        if let line { location += location.isEmpty ? "line \(line)" : ":\(line)" }
        if let column { location += ":\(column)" }
        if let byteOffset { location += location.isEmpty ? "byte \(byteOffset)" : ": byte \(byteOffset)" }
        var text = location.isEmpty ? "" : location + ": "
        if let field { text += "\(field): " }
        return text + message
    }

    /// The same error attributed to `file` when it had none (lower layers do not know file names).
    public func inFile(_ name: String) -> InputError {
        var copy = self
        if copy.file == nil { copy.file = name }
        return copy
    }
}

/// A documented bound of a reader, which a legitimate input may exceed (then the bound is raised,
/// not the input fixed).
public enum InputLimit: Equatable, Sendable {
    /// The longest line (record) a line reader accepts, in bytes.
    case lineBytes(Int)
}
