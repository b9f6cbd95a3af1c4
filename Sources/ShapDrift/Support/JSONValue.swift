import Foundation

/// A parsed JSON document.
///
/// Model files are large (an XGBoost model of 500 deep trees holds millions of numbers), and a
/// broken one must be reported by line and column, which Foundation's `JSONSerialization` does
/// not do. This is a small strict RFC 8259 reader with two extensions that XGBoost's writer can
/// emit: the bare tokens `NaN`, `Infinity` and `-Infinity`.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// An array whose elements are all numbers, stored unboxed: model files are mostly these.
    case numbers([Double])
    case object([String: JSONValue])

    /// Parses `bytes` as one JSON document.
    /// - Throws: `InputError` with the line and column of the first syntax error.
    public static func parse(_ bytes: [UInt8], file: String? = nil) throws(InputError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, file: file)
        return try parser.parseDocument()
    }

    /// Parses one line of a JSON Lines file; errors carry the file's line number.
    public static func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, file: String, line: Int) throws(InputError) -> JSONValue {
        do {
            return try parse(Array(bytes), file: file)
        } catch {
            var located = error
            located.line = line
            throw located
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        switch self {
        case .array(let items): return items
        case .numbers(let values): return values.map { .number($0) }
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A number, or a string holding one (XGBoost stores most scalars as strings).
    public var numberValue: Double? {
        switch self {
        case .number(let value): return value
        case .string(let text): return parseDouble(text.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }
}

/// Parses a complete decimal floating-point literal with correct rounding (`strtod`).
/// Returns `nil` unless the whole text is one number.
public func parseDouble(_ text: some StringProtocol) -> Double? {
    var copy = String(text)
    return copy.withUTF8 { utf8 in parseDouble(utf8) }
}

/// Parses the bytes of a decimal floating-point literal; `nil` unless all bytes form one number.
@inline(__always)
public func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    let count = bytes.count
    guard count > 0, count < 512 else { return nil }
    if let value = fastDecimal(bytes) { return value }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer -> Double? in
        for index in 0..<count { buffer[index] = CChar(bitPattern: bytes[index]) }
        buffer[count] = 0
        let start = buffer.baseAddress!
        var end: UnsafeMutablePointer<CChar>? = nil
        let value = strtod(start, &end)
        guard let end, end - start == count else { return nil }
        // strtod accepts hexadecimal floats and leading blanks, which no data file means.
        let first = bytes[0]
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { return nil }
        if count > 1, bytes.contains(UInt8(ascii: "x")) || bytes.contains(UInt8(ascii: "X")) { return nil }
        return value
    }
}

/// Whether a byte may be part of a JSON number token as `JSONParser` reads them (a run of these,
/// then `parseDouble`).
func isJSONNumberByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"),
         UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"):
        return true
    default:
        return false
    }
}

/// Clinger's fast path (Clinger 1990, "How to read floating point numbers accurately", §3):
/// when a plain decimal's significant digits form an integer w < 2^53 and its decimal exponent e
/// has |e| ≤ 22, both w and 10^|e| are exact doubles, so one IEEE multiplication or division gives
/// the correctly rounded value — the same double `strtod` returns. Model files and data are
/// almost all such numbers; anything else (`nil`) goes to `strtod`.
@inline(__always)
private func fastDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    let count = bytes.count
    var index = 0
    var negative = false
    if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
        negative = bytes[0] == UInt8(ascii: "-")
        index = 1
    }
    var significand: UInt64 = 0
    var significantDigits = 0
    var digits = 0
    var exponent = 0
    while index < count, bytes[index] &- UInt8(ascii: "0") < 10 {
        significand = significand &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
        if significand != 0 { significantDigits += 1 }
        digits += 1
        index += 1
    }
    if index < count, bytes[index] == UInt8(ascii: ".") {
        index += 1
        while index < count, bytes[index] &- UInt8(ascii: "0") < 10 {
            significand = significand &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
            if significand != 0 { significantDigits += 1 }
            digits += 1
            exponent -= 1
            index += 1
        }
    }
    guard digits > 0, significantDigits <= 19 else { return nil }
    if index < count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
        index += 1
        var exponentNegative = false
        if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            exponentNegative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var written = 0
        var exponentDigits = 0
        while index < count, bytes[index] &- UInt8(ascii: "0") < 10, exponentDigits < 5 {
            written = written * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
            exponentDigits += 1
            index += 1
        }
        guard exponentDigits > 0 else { return nil }
        exponent += exponentNegative ? -written : written
    }
    guard index == count, significand <= 1 << 53, exponent >= -22, exponent <= 22 else { return nil }
    let value = exponent >= 0 ? Double(significand) * exactPowersOfTen[exponent] : Double(significand) / exactPowersOfTen[-exponent]
    return negative ? -value : value
}

/// 10^0 … 10^22: every one exactly representable as a Double.
private let exactPowersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                         1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

private struct JSONParser {
    let bytes: [UInt8]
    let file: String?
    var position = 0
    var depth = 0

    init(bytes: [UInt8], file: String?) {
        self.bytes = bytes
        self.file = file
    }

    mutating func parseDocument() throws(InputError) -> JSONValue {
        skipWhitespace()
        if position >= bytes.count { throw error("empty document, expected a JSON value") }
        let value = try parseValue()
        skipWhitespace()
        if position < bytes.count { throw error("unexpected text after the JSON value") }
        return value
    }

    func error(_ message: String, at offset: Int? = nil) -> InputError {
        let target = min(offset ?? position, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<target where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        let reason = target >= bytes.count ? "\(message) (the file ends here: truncated?)" : message
        return InputError(file: file, line: line, column: target - lineStart + 1, "invalid JSON: \(reason)")
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(InputError) -> JSONValue {
        guard position < bytes.count else { throw error("expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "N"): try expectWord("NaN"); return .number(.nan)
        case UInt8(ascii: "I"): try expectWord("Infinity"); return .number(.infinity)
        default: return .number(try parseNumber())
        }
    }

    mutating func expectWord(_ word: StaticString) throws(InputError) {
        let length = word.utf8CodeUnitCount
        let matches = position + length <= bytes.count && word.withUTF8Buffer { expected in
            (0..<length).allSatisfy { bytes[position + $0] == expected[$0] }
        }
        guard matches else { throw error("unexpected character, expected a value") }
        position += length
    }

    mutating func enter() throws(InputError) {
        depth += 1
        if depth > 512 { throw error("nesting deeper than 512 levels") }
    }

    mutating func parseObject() throws(InputError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("expected a quoted member name")
            }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error("expected ':' after member name")
            }
            position += 1
            skipWhitespace()
            members[key] = try parseValue()
            skipWhitespace()
            guard position < bytes.count else { throw error("expected ',' or '}'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            throw error("expected ',' or '}'")
        }
    }

    mutating func parseArray() throws(InputError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        if let numbers = try parseNumberArray() { return .numbers(numbers) }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw error("expected ',' or ']'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            }
            throw error("expected ',' or ']'")
        }
    }

    /// Reads the rest of an array whose elements are all plain numbers, or, at the first element
    /// that is not, rewinds and returns `nil` for the general path.
    mutating func parseNumberArray() throws(InputError) -> [Double]? {
        let start = position
        var values: [Double] = []
        while true {
            guard position < bytes.count, isJSONNumberByte(bytes[position]) else {
                position = start
                return nil
            }
            values.append(try parseNumber())
            skipWhitespace()
            guard position < bytes.count else { throw error("expected ',' or ']'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                skipWhitespace()
                continue
            }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return values
            }
            position = start
            return nil
        }
    }

    mutating func parseNumber() throws(InputError) -> Double {
        let start = position
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "I") {
                try expectWord("Infinity")
                return -.infinity
            }
        }
        while position < bytes.count, isJSONNumberByte(bytes[position]) { position += 1 }
        guard position > start else { throw error("unexpected character, expected a value") }
        let value = bytes.withUnsafeBufferPointer { buffer in
            parseDouble(UnsafeBufferPointer(rebasing: buffer[start..<position]))
        }
        guard let value else { throw error("malformed number", at: start) }
        return value
    }

    mutating func parseString() throws(InputError) -> String {
        let start = position
        position += 1
        // Most strings hold no escapes: find the closing quote and validate the run in one go.
        var end = position
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            let text = bytes.withUnsafeBufferPointer { String(validating: UnsafeBufferPointer(rebasing: $0[position..<end]), as: UTF8.self) }
            guard let text else { throw error("string is not valid UTF-8", at: start) }
            position = end + 1
            return text
        }
        var utf8: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw error("string is not valid UTF-8", at: start)
                }
                return text
            }
            if byte < 0x20 { throw error("control character in string") }
            if byte == UInt8(ascii: "\\") {
                position += 1
                guard position < bytes.count else { break }
                switch bytes[position] {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
                    continue
                default:
                    throw error("invalid escape in string")
                }
                position += 1
                continue
            }
            utf8.append(byte)
            position += 1
        }
        throw error("unterminated string", at: bytes.count)
    }

    /// Reads `XXXX` (after `\u`), joining a UTF-16 surrogate pair when one follows.
    mutating func parseUnicodeEscape() throws(InputError) -> Unicode.Scalar {
        let high = try readHex4()
        if (0xD800..<0xDC00).contains(high) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                  bytes[position + 1] == UInt8(ascii: "u") else {
                throw error("unpaired UTF-16 surrogate in string")
            }
            position += 1
            let low = try readHex4()
            guard (0xDC00..<0xE000).contains(low),
                  let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) else {
                throw error("invalid UTF-16 surrogate pair in string")
            }
            return scalar
        }
        guard let scalar = Unicode.Scalar(high) else { throw error("invalid \\u escape") }
        return scalar
    }

    /// Reads the four hex digits after a `u`; `position` is on the `u` and ends after the digits.
    mutating func readHex4() throws(InputError) -> UInt32 {
        guard position + 4 < bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for offset in 1...4 {
            let byte = bytes[position + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
        }
        position += 5
        return value
    }
}
