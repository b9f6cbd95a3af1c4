/// The recursive-descent reader behind `JSONValue.parse`: tracks the byte position for located
/// errors and the nesting depth, so a hostile file cannot exhaust the stack.
struct JSONParser {
    let bytes: [UInt8]
    let file: String?
    let duplicateMembers: JSONValue.DuplicateMembers
    var position = 0
    var depth = 0

    init(bytes: [UInt8], file: String?, duplicateMembers: JSONValue.DuplicateMembers = .lastWins) {
        self.bytes = bytes
        self.file = file
        self.duplicateMembers = duplicateMembers
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
            let keyStart = position
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error("expected ':' after member name")
            }
            position += 1
            skipWhitespace()
            if members.updateValue(try parseValue(), forKey: key) != nil, duplicateMembers == .refused {
                throw error("member \"\(key.prefix(80))\" appears more than once in the object", at: keyStart)
            }
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
            guard position < bytes.count, JSONNumberSyntax.isNumberByte(bytes[position]) else {
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
        while position < bytes.count, JSONNumberSyntax.isNumberByte(bytes[position]) { position += 1 }
        guard position > start else { throw error("unexpected character, expected a value") }
        guard position - start <= JSONNumberSyntax.maximumLength else {
            throw error("number of \(position - start) characters: longer than the \(JSONNumberSyntax.maximumLength) a number may have", at: start)
        }
        let value = bytes.withUnsafeBufferPointer { buffer -> Double? in
            let token = UnsafeBufferPointer(rebasing: buffer[start..<position])
            return JSONNumberSyntax.value(token)
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

/// RFC 8259's number grammar, shared by the full parser and the capture-record scan so both judge
/// a number token alike.
package enum JSONNumberSyntax {
    /// The longest number token read (`parseDouble`'s bound): 511 characters hold any double's
    /// shortest form many times over, and a longer token is a hostile or broken file.
    package static let maximumLength = 511

    /// Whether a byte may be part of a number token: numbers are read as the longest run of these,
    /// then checked against the grammar.
    @inline(__always)
    package static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"),
             UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    package static func followsNumberGrammar(_ token: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = token.count
        func digits() -> Int {
            let first = index
            while index < count, token[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index - first
        }
        if index < count, token[index] == UInt8(ascii: "-") { index += 1 }
        guard index < count else { return false }
        if token[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < count, token[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < count, token[index] == UInt8(ascii: "e") || token[index] == UInt8(ascii: "E") {
            index += 1
            if index < count, token[index] == UInt8(ascii: "+") || token[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == count
    }

    /// The token is a JSON number and its value (`parseDouble`), or `nil`.
    package static func value(_ token: UnsafeBufferPointer<UInt8>) -> Double? {
        followsNumberGrammar(token) ? parseDouble(token) : nil
    }
}
