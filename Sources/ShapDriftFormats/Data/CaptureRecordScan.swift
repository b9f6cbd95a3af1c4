import ShapDriftCore
import Foundation

/// The fields of a SageMaker capture record that `SageMakerCaptureReader` needs, found by one
/// validating pass over the line without building a JSON tree: building it (dictionaries,
/// strings, reference counts) was most of the cost of reading captured traffic.
///
/// The pass accepts only lines it can judge exactly as the full parser (`JSONValue`) would:
/// ASCII JSON whose root, `captureData`, `endpointInput` and `eventMetadata` are objects, whose
/// wanted fields are strings without escapes, and with no `\u` escapes, `NaN` or `Infinity`
/// anywhere. Anything else gives `nil`, and the reader parses the line fully, so every error is
/// still reported by the full parser with its location. Duplicate member names behave as there:
/// the last one counts (a duplicated container gives `nil`).
struct CaptureRecordScan {
    var hasCaptureData = false
    var hasEndpointInput = false
    var hasEventMetadata = false
    var mode: Range<Int>?
    var encoding: Range<Int>?
    var data: Range<Int>?
    var inferenceTime: Range<Int>?
    var eventId: Range<Int>?

    /// Where a value sits in the record, for the members the reader wants.
    private enum Place {
        case root, captureData, endpointInput, eventMetadata, elsewhere
    }

    private enum MemberName: String {
        case captureData, eventMetadata, endpointInput, mode, encoding, data, inferenceTime, eventId
    }

    private static let maximumDepth = 64

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> CaptureRecordScan? {
        var scanner = Scanner(bytes: bytes)
        var record = CaptureRecordScan()
        scanner.skipWhitespace()
        guard scanner.peek == UInt8(ascii: "{"), scanner.object(.root, depth: 0, record: &record) else { return nil }
        scanner.skipWhitespace()
        return scanner.position == bytes.count ? record : nil
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        mutating func expect(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            position += 1
            return true
        }

        /// An object at `position` (on its `{`), noting the wanted members of `place`.
        mutating func object(_ place: Place, depth: Int, record: inout CaptureRecordScan) -> Bool {
            guard depth < CaptureRecordScan.maximumDepth, expect(UInt8(ascii: "{")) else { return false }
            skipWhitespace()
            if expect(UInt8(ascii: "}")) { return true }
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\""), let key = string() else { return false }
                skipWhitespace()
                guard expect(UInt8(ascii: ":")) else { return false }
                skipWhitespace()
                guard member(key, of: place, depth: depth, record: &record) else { return false }
                skipWhitespace()
                if expect(UInt8(ascii: ",")) { continue }
                return expect(UInt8(ascii: "}"))
            }
        }

        /// One member's value: a wanted container or string is noted, anything else validated.
        mutating func member(_ key: Range<Int>, of place: Place, depth: Int, record: inout CaptureRecordScan) -> Bool {
            switch (place, name(key)) {
            case (.root, .captureData):
                guard !record.hasCaptureData, peek == UInt8(ascii: "{") else { return false }
                record.hasCaptureData = true
                return object(.captureData, depth: depth + 1, record: &record)
            case (.root, .eventMetadata):
                guard !record.hasEventMetadata, peek == UInt8(ascii: "{") else { return false }
                record.hasEventMetadata = true
                return object(.eventMetadata, depth: depth + 1, record: &record)
            case (.captureData, .endpointInput):
                guard !record.hasEndpointInput, peek == UInt8(ascii: "{") else { return false }
                record.hasEndpointInput = true
                return object(.endpointInput, depth: depth + 1, record: &record)
            case (.endpointInput, .mode): return wantedString(&record.mode)
            case (.endpointInput, .encoding): return wantedString(&record.encoding)
            case (.endpointInput, .data): return wantedString(&record.data)
            case (.eventMetadata, .inferenceTime): return wantedString(&record.inferenceTime)
            case (.eventMetadata, .eventId): return wantedString(&record.eventId)
            default: return value(depth: depth + 1)
            }
        }

        /// The member names the reader looks for; others are not told apart.
        func name(_ key: Range<Int>) -> MemberName? {
            guard let first = key.first else { return nil }
            // Picked by length and first letter, then compared byte for byte: this runs for
            // every member of every record.
            let candidate: MemberName
            switch (key.count, bytes[first]) {
            case (11, UInt8(ascii: "c")): candidate = .captureData
            case (13, UInt8(ascii: "e")): candidate = bytes[first + 1] == UInt8(ascii: "v") ? .eventMetadata : .endpointInput
            case (13, UInt8(ascii: "i")): candidate = .inferenceTime
            case (4, UInt8(ascii: "m")): candidate = .mode
            case (4, UInt8(ascii: "d")): candidate = .data
            case (8, UInt8(ascii: "e")): candidate = .encoding
            case (7, UInt8(ascii: "e")): candidate = .eventId
            default: return nil
            }
            var spelling = candidate.rawValue
            return spelling.withUTF8 { memcmp($0.baseAddress!, bytes.baseAddress! + first, key.count) == 0 } ? candidate : nil
        }

        mutating func wantedString(_ field: inout Range<Int>?) -> Bool {
            guard peek == UInt8(ascii: "\""), let text = string(), !contains(UInt8(ascii: "\\"), in: text) else { return false }
            field = text
            return true
        }

        func contains(_ byte: UInt8, in range: Range<Int>) -> Bool {
            range.contains { bytes[$0] == byte }
        }

        /// A string at `position` (on its opening quote): the range of its raw contents, or `nil`
        /// for anything the full parser must judge (non-ASCII, `\u`, control characters).
        mutating func string() -> Range<Int>? {
            position += 1
            let start = position
            while let byte = peek {
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return start..<(position - 1)
                case UInt8(ascii: "\\"):
                    position += 1
                    guard let escaped = peek, "\"\\/bfnrt".utf8.contains(escaped) else { return nil }
                    position += 1
                case 0x20..<0x80:
                    position += 1
                default:
                    return nil
                }
            }
            return nil
        }

        /// Any value, validated and skipped.
        mutating func value(depth: Int) -> Bool {
            guard depth < CaptureRecordScan.maximumDepth, let byte = peek else { return false }
            switch byte {
            case UInt8(ascii: "{"):
                var ignored = CaptureRecordScan()
                return object(.elsewhere, depth: depth, record: &ignored)
            case UInt8(ascii: "["):
                position += 1
                skipWhitespace()
                if expect(UInt8(ascii: "]")) { return true }
                while true {
                    skipWhitespace()
                    guard value(depth: depth + 1) else { return false }
                    skipWhitespace()
                    if expect(UInt8(ascii: ",")) { continue }
                    return expect(UInt8(ascii: "]"))
                }
            case UInt8(ascii: "\""):
                return string() != nil
            case UInt8(ascii: "t"): return word("true")
            case UInt8(ascii: "f"): return word("false")
            case UInt8(ascii: "n"): return word("null")
            default:
                return number()
            }
        }

        mutating func word(_ text: StaticString) -> Bool {
            let length = text.utf8CodeUnitCount
            guard position + length <= bytes.count else { return false }
            let matches = text.withUTF8Buffer { expected in (0..<length).allSatisfy { bytes[position + $0] == expected[$0] } }
            if matches { position += length }
            return matches
        }

        /// The full parser's number rule: the run of number characters, in RFC 8259's grammar.
        mutating func number() -> Bool {
            let start = position
            if peek == UInt8(ascii: "-"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "I") { return false }
            while let byte = peek, JSONNumberSyntax.isNumberByte(byte) { position += 1 }
            guard position > start else { return false }
            return JSONNumberSyntax.value(UnsafeBufferPointer(rebasing: bytes[start..<position])) != nil
        }
    }
}
