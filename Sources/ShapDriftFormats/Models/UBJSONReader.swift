import ShapDriftCore

/// Reads the UBJSON (Universal Binary JSON) encoding of an XGBoost model into the `JSONValue`
/// tree the JSON reader gives, so `XGBoostJSONLoader` reads either file unchanged.
///
/// xgboost ≥ 2 writes UBJSON from `Booster.save_model(path)` whenever the name does not end in
/// `.json` (`model.ubj`, or no extension). The dialect is xgboost's own `UBJWriter` and
/// `UBJReader` (`src/common/json.cc`, `include/xgboost/json_io.h`), a subset of UBJSON draft 12
/// (ubjson.org), and this reader takes what xgboost's writer writes and its reader reads:
/// - every number big-endian (`ToBigEndian`);
/// - an object is `{`, members, `}`; a member is its name — `L`, an int64 byte count and the bytes,
///   with no `S` marker (`EncodeStr` / `DecodeStr`) — then its value;
/// - an array is `[` values `]`; or `[#L` and an int64 count, then that many values and no `]`;
///   or typed, `[$` and the element type, `#L` and an int64 count, then that many big-endian
///   elements and no `]`: `d` float32, `D` float64, `i` int8, `U` uint8, `I` int16, `l` int32,
///   `L` int64 (xgboost writes its uint16/32/64 arrays as the signed type of that width);
/// - scalars: `Z` null, `T` / `F`, `d` float32, `D` float64, `i` `U` `I` `l` `L` integers, and
///   strings: `S`, then a length and bytes as a member name's.
/// xgboost's reader also takes `C` (a char) but its writer never writes one, and it refuses `H`
/// (high precision); both are refused here, as are UBJSON's no-op `N` and optimized objects
/// (`{#`, `{$`), which xgboost's reader does not take either.
///
/// Numbers become doubles: integers exactly (up to 2^53; larger ones round, as a JSON number
/// that long does, and no count or index a loader accepts comes near), float32 values widened
/// exactly. xgboost's JSON writer prints each float32 as the shortest decimal that reads back as
/// the same float32, and the XGBoost loader rounds every float it reads (thresholds, leaves,
/// covers, DART weights, base score) to float32, so a model loads to the same numbers, bit for
/// bit, from either file.
///
/// Bounds, as the JSON reader's: every count and length is checked against the bytes left before
/// anything is allocated or read (a typed array's count times its element's width; a counted
/// array's count, each element taking at least one byte, its elements appended as they are read
/// rather than reserved, so nested counted arrays cannot each reserve the file's size); nesting at
/// most 512 levels; strings valid UTF-8; nothing after the top-level value (xgboost stops reading
/// there; a file with more is damaged or two files in one, as for JSON). A member name given
/// twice in one object is refused: xgboost's UBJSON reader keeps the first (`std::map::emplace`)
/// and its JSON reader the last, so either could be the one meant. Errors carry the byte offset.
struct UBJSONReader {
    private let bytes: [UInt8]
    private let file: String
    private var position = 0
    private var depth = 0

    /// The deepest nesting read, the JSON reader's bound.
    static let maximumDepth = 512

    private init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Reads `bytes` as one UBJSON value; `file` names it in errors.
    /// - Complexity: O(bytes).
    /// - Throws: `InputError` with the byte offset of the first problem.
    static func parse(_ bytes: [UInt8], file: String) throws(InputError) -> JSONValue {
        var reader = UBJSONReader(bytes: bytes, file: file)
        let value = try reader.value()
        guard reader.position == bytes.count else {
            throw reader.error("\(bytes.count - reader.position) bytes after the end of the top-level value")
        }
        return value
    }

    private var remaining: Int { bytes.count - position }

    private func error(_ message: String, at offset: Int? = nil) -> InputError {
        let target = min(offset ?? position, bytes.count)
        let reason = target >= bytes.count ? "\(message) (the file ends here: truncated?)" : message
        var error = InputError(file: file, "invalid UBJSON: \(reason)")
        error.byteOffset = target
        return error
    }

    /// A marker as the spec writes it: the character when printable, else its code.
    private static func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    private mutating func nextByte(expecting what: String) throws(InputError) -> UInt8 {
        guard position < bytes.count else { throw error("expected \(what)") }
        position += 1
        return bytes[position - 1]
    }

    /// The next `width` bytes (at most 8) as a big-endian unsigned integer.
    private mutating func bigEndian(_ width: Int, of what: String) throws(InputError) -> UInt64 {
        guard width <= remaining else {
            throw error("expected \(width) bytes of \(what), but the file ends \(remaining) bytes on (truncated?)")
        }
        var value: UInt64 = 0
        for index in position..<position + width { value = value << 8 | UInt64(bytes[index]) }
        position += width
        return value
    }

    private mutating func enter(at start: Int) throws(InputError) {
        depth += 1
        if depth > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels", at: start) }
    }

    private mutating func value() throws(InputError) -> JSONValue {
        let start = position
        let marker = try nextByte(expecting: "a value")
        switch marker {
        case UInt8(ascii: "{"): return try object(at: start)
        case UInt8(ascii: "["): return try array(at: start)
        case UInt8(ascii: "Z"): return .null
        case UInt8(ascii: "T"): return .bool(true)
        case UInt8(ascii: "F"): return .bool(false)
        case UInt8(ascii: "S"): return .string(try string(of: "a string"))
        default:
            guard let type = NumberType(marker: marker) else {
                throw error("unknown marker \(Self.describe(marker)), expected one of { [ Z T F S d D i U I l L", at: start)
            }
            return .number(type.value(try bigEndian(type.width, of: "a number")))
        }
    }

    /// A count or byte length: `L` and an int64, the only form xgboost writes and reads
    /// (`EncodeStr`, `DecodeStr`, `UBJReader::ParseArray`), non-negative and at most what the
    /// bytes left can hold at `width` bytes per unit.
    private mutating func length(of what: String, width: Int) throws(InputError) -> Int {
        let start = position
        let marker = try nextByte(expecting: "the length of \(what)")
        guard marker == UInt8(ascii: "L") else {
            throw error("expected 'L' and an int64 length of \(what), found \(Self.describe(marker))", at: start)
        }
        let declared = Int64(bitPattern: try bigEndian(8, of: "the length of \(what)"))
        guard declared >= 0 else { throw error("\(what) has a negative length, \(declared)", at: start) }
        guard declared <= Int64(remaining / width) else {
            let unit = width == 1 ? "bytes" : "elements of \(width) bytes"
            throw error("\(what) declares \(declared) \(unit), but only \(remaining) bytes follow", at: start)
        }
        return Int(declared)
    }

    private mutating func string(of what: String) throws(InputError) -> String {
        let start = position
        let count = try length(of: what, width: 1)
        let text = bytes.withUnsafeBufferPointer {
            String(validating: UnsafeBufferPointer(rebasing: $0[position..<position + count]), as: UTF8.self)
        }
        guard let text else { throw error("\(what) is not valid UTF-8", at: start) }
        position += count
        return text
    }

    private mutating func object(at start: Int) throws(InputError) -> JSONValue {
        try enter(at: start)
        defer { depth -= 1 }
        var members: [String: JSONValue] = [:]
        while true {
            guard position < bytes.count else { throw error("expected a member name or '}'") }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            let nameStart = position
            let name = try string(of: "a member name")
            if members.updateValue(try value(), forKey: name) != nil {
                throw error("member \"\(name.prefix(80))\" appears more than once in the object (xgboost's UBJSON reader keeps the first, its JSON reader the last)", at: nameStart)
            }
        }
    }

    private mutating func array(at start: Int) throws(InputError) -> JSONValue {
        try enter(at: start)
        defer { depth -= 1 }
        guard position < bytes.count else { throw error("expected an array's elements") }
        switch bytes[position] {
        case UInt8(ascii: "$"):
            position += 1
            let typeStart = position
            let marker = try nextByte(expecting: "the element type of a typed array")
            guard let type = NumberType(marker: marker) else {
                throw error("typed array of \(Self.describe(marker)) elements, expected one of d D i U I l L", at: typeStart)
            }
            let countStart = position
            guard try nextByte(expecting: "'#' and the count of a typed array") == UInt8(ascii: "#") else {
                throw error("expected '#' and the count after a typed array's element type", at: countStart)
            }
            let count = try length(of: "a typed array", width: type.width)
            var values = [Double]()
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(type.value(try bigEndian(type.width, of: "an array element"))) }
            return .numbers(values)
        case UInt8(ascii: "#"):
            position += 1
            let count = try length(of: "an array", width: 1)
            var items: [JSONValue] = []
            for _ in 0..<count { items.append(try value()) }
            return .array(items)
        default:
            var items: [JSONValue] = []
            while true {
                guard position < bytes.count else { throw error("expected a value or ']'") }
                if bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return .array(items)
                }
                items.append(try value())
            }
        }
    }

    /// The number types xgboost writes, as scalars and as typed arrays' elements.
    private enum NumberType {
        case float32, float64, int8, uint8, int16, int32, int64

        init?(marker: UInt8) {
            switch marker {
            case UInt8(ascii: "d"): self = .float32
            case UInt8(ascii: "D"): self = .float64
            case UInt8(ascii: "i"): self = .int8
            case UInt8(ascii: "U"): self = .uint8
            case UInt8(ascii: "I"): self = .int16
            case UInt8(ascii: "l"): self = .int32
            case UInt8(ascii: "L"): self = .int64
            default: return nil
            }
        }

        var width: Int {
            switch self {
            case .int8, .uint8: 1
            case .int16: 2
            case .float32, .int32: 4
            case .float64, .int64: 8
            }
        }

        /// The value of `width` big-endian bytes read as this type.
        func value(_ raw: UInt64) -> Double {
            switch self {
            case .float32: Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
            case .float64: Double(bitPattern: raw)
            case .int8: Double(Int8(truncatingIfNeeded: raw))
            case .uint8: Double(raw)
            case .int16: Double(Int16(truncatingIfNeeded: raw))
            case .int32: Double(Int32(truncatingIfNeeded: raw))
            case .int64: Double(Int64(bitPattern: raw))
            }
        }
    }
}
