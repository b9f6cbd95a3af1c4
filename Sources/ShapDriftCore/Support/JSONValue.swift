import Foundation

/// A parsed JSON document.
///
/// Model files are large (an XGBoost model of 500 deep trees holds millions of numbers), and a
/// broken one must be reported by line and column, which Foundation's `JSONSerialization` does
/// not do. This is a small RFC 8259 reader (numbers must follow its grammar: no leading `+`, no
/// bare `.5`, no leading zeros) with one extension, which XGBoost's writer can emit: the bare
/// tokens `NaN`, `Infinity` and `-Infinity`.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// An array whose elements are all numbers, stored unboxed: model files are mostly these.
    case numbers([Double])
    case object([String: JSONValue])

    /// What a member name given twice in one object means. RFC 8259 §4 leaves it to the reader;
    /// model files keep the last (as xgboost's and Python's readers do), while data records and
    /// profiles refuse it, since either value could be the one meant.
    package enum DuplicateMembers: Sendable {
        case lastWins, refused
    }

    /// Parses `bytes` as one JSON document.
    /// - Throws: `InputError` with the line and column of the first syntax error.
    package static func parse(_ bytes: [UInt8], file: String? = nil, duplicateMembers: DuplicateMembers = .lastWins) throws(InputError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, file: file, duplicateMembers: duplicateMembers)
        return try parser.parseDocument()
    }

    /// Parses one line of a JSON Lines file; errors carry the file's line number.
    package static func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, file: String, line: Int,
                                  duplicateMembers: DuplicateMembers = .lastWins) throws(InputError) -> JSONValue {
        do {
            return try parse(Array(bytes), file: file, duplicateMembers: duplicateMembers)
        } catch {
            var located = error
            located.line = line
            throw located
        }
    }

    package subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    package var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    package var arrayValue: [JSONValue]? {
        switch self {
        case .array(let items): return items
        case .numbers(let values): return values.map { .number($0) }
        default: return nil
        }
    }

    package var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A number, or a string holding one (XGBoost stores most scalars as strings).
    package var numberValue: Double? {
        switch self {
        case .number(let value): return value
        case .string(let text): return parseDouble(text.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }
}
