import ShapDriftCore

/// The cell and field rules every CSV-shaped input shares: CSV files, and the CSV payloads of
/// SageMaker capture records.
package enum CSVSyntax {
    /// What a cell may hold, for error messages.
    package static let expectedCell = "expected a finite number or a missing value (empty, NaN, NA)"

    /// A cell's number; NaN for the missing-value spellings; `nil` when it is neither. Infinities
    /// (`inf`, `1e999`) are refused rather than read: no model was trained on them (xgboost
    /// refuses them too), and a profile counts only finite values, so they would vanish from it.
    @inline(__always)
    package static func parseCell(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        let trimmed = trimmed(field)
        if trimmed.isEmpty { return .nan }
        if trimmed.count == 2, trimmed[0] == UInt8(ascii: "N"), trimmed[1] == UInt8(ascii: "A") { return .nan }
        guard let value = parseDouble(trimmed), !value.isInfinite else { return nil }
        return value
    }

    /// `field` without the spaces and tabs around it.
    @inline(__always)
    package static func trimmed(_ field: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var trimmed = field
        while let first = trimmed.first, first == 0x20 || first == 0x09 { trimmed = UnsafeBufferPointer(rebasing: trimmed[1...]) }
        while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed = UnsafeBufferPointer(rebasing: trimmed[..<(trimmed.count - 1)]) }
        return trimmed
    }

    /// The value of the field at `range` of a line: its quotes removed, then `parseCell`.
    @inline(__always)
    package static func cellValue(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        parseCell(unquoted(bytes, range))
    }

    /// The bytes of the field at `range` of a line, without its surrounding quotes.
    @inline(__always)
    package static func unquoted(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        let field = UnsafeBufferPointer(rebasing: bytes[range])
        if field.count >= 2, field.first == UInt8(ascii: "\""), field.last == UInt8(ascii: "\"") {
            return UnsafeBufferPointer(rebasing: field[1..<(field.count - 1)])
        }
        return field
    }

    /// Splits one CSV line into field byte ranges, honouring quotes.
    package static func splitFields(_ bytes: UnsafeBufferPointer<UInt8>, into ranges: inout [Range<Int>], file: String, line: Int) throws(InputError) {
        ranges.removeAll(keepingCapacity: true)
        var index = 0
        let count = bytes.count
        while true {
            let fieldStart = index
            if index < count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while true {
                    guard index < count else {
                        throw InputError(file: file, line: line, column: ranges.count + 1,
                                         "unterminated quoted field (quoted line breaks are not supported)")
                    }
                    if bytes[index] == UInt8(ascii: "\"") {
                        if index + 1 < count, bytes[index + 1] == UInt8(ascii: "\"") {
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    index += 1
                }
                guard index == count || bytes[index] == UInt8(ascii: ",") else {
                    throw InputError(file: file, line: line, column: ranges.count + 1, "text after the closing quote of a field")
                }
            } else {
                while index < count, bytes[index] != UInt8(ascii: ",") { index += 1 }
            }
            ranges.append(fieldStart..<index)
            if index >= count { return }
            index += 1
        }
    }

    /// A field's text with surrounding quotes removed and doubled quotes undone.
    package static func fieldText(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        guard raw.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") else { return raw.trimmingCharacters(in: .whitespaces) }
        return String(raw.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }
}
