#if canImport(Glibc)
import Glibc
#endif

/// Parses a complete decimal floating-point literal with correct rounding: Clinger's fast path
/// when it applies, `strtod` otherwise. The one number parser of every reader (CSV cells, JSON
/// numbers after their grammar check, LightGBM's text arrays, XGBoost's number strings).
/// Returns `nil` unless the whole text is one number.
package func parseDouble(_ text: some StringProtocol) -> Double? {
    var copy = String(text)
    return copy.withUTF8 { utf8 in parseDouble(utf8) }
}

/// Parses the bytes of a decimal floating-point literal; `nil` unless all bytes form one number.
@inline(__always)
package func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
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

/// Clinger's fast path (Clinger 1990, "How to read floating point numbers accurately", §3):
/// when a plain decimal's significant digits form an integer w < 2^53 and its decimal exponent e
/// has |e| ≤ 22, both w and 10^|e| are exact doubles, so one IEEE multiplication or division gives
/// the correctly rounded value — the same double `strtod` returns. Model files and data are
/// almost all such numbers; anything else (`nil`) goes to `strtod`.
@inline(__always)
private func fastDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    guard let (value, end) = fastDecimalPrefix(bytes, from: 0), end == bytes.count else { return nil }
    return value
}

/// The plain decimal that starts at `start` of `bytes` and the index just past it, when Clinger's
/// fast path converts it exactly (as `parseDouble` would convert the same text alone); `nil`
/// otherwise, and callers fall back to `parseDouble` on the whole field. What lets a reader parse
/// a line's numbers while it finds their ends, in one pass.
/// - Complexity: O(length of the number).
package func parseDecimalPrefix(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (value: Double, end: Int)? {
    guard start >= 0, start < bytes.count else { return nil }
    return fastDecimalPrefix(bytes, from: start)
}

@inline(__always)
private func fastDecimalPrefix(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (value: Double, end: Int)? {
    let count = bytes.count
    var index = start
    var negative = false
    if bytes[start] == UInt8(ascii: "-") || bytes[start] == UInt8(ascii: "+") {
        negative = bytes[start] == UInt8(ascii: "-")
        index = start + 1
    }
    var significand: UInt64 = 0
    var significantDigits = 0
    var digits = 0
    var exponent = 0
    // The digits before and after the point.
    digits += digitRun(bytes, &index, &significand, &significantDigits)
    if index < count, bytes[index] == UInt8(ascii: ".") {
        index += 1
        let fraction = digitRun(bytes, &index, &significand, &significantDigits)
        digits += fraction
        exponent -= fraction
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
    guard significand <= 1 << 53, exponent >= -22, exponent <= 22 else { return nil }
    let value = exponent >= 0 ? Double(significand) * exactPowersOfTen[exponent] : Double(significand) / exactPowersOfTen[-exponent]
    return (negative ? -value : value, index)
}

/// Reads the run of digits at `index` into `significand` (wrapping past 19 digits: the caller
/// refuses those by `significantDigits`), eight at a time where eight are there; the digits read.
@inline(__always)
private func digitRun(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ significand: inout UInt64,
                      _ significantDigits: inout Int) -> Int {
    let count = bytes.count
    let base = UnsafeRawPointer(bytes.baseAddress!)
    let first = index
    var position = index, value = significand, significant = significantDigits
    while position &+ 8 <= count, let eight = eightDigits(base + position) {
        // Leading zeros are not significant: the chunk's first non-zero digit starts them.
        significant &+= value == 0 ? 8 &- eight.leadingZeros : 8
        value = value &* 100_000_000 &+ eight.value
        position &+= 8
    }
    while position < count, bytes[position] &- UInt8(ascii: "0") < 10 {
        value = value &* 10 &+ UInt64(bytes[position] &- UInt8(ascii: "0"))
        if value != 0 { significant &+= 1 }
        position &+= 1
    }
    (index, significand, significantDigits) = (position, value, significant)
    return position &- first
}

/// Eight ASCII digits at `pointer` (any alignment) as their value, with how many of them lead
/// as zeros; `nil` unless all eight are digits. SWAR: the digit test and the conversion work on
/// the eight bytes as one 64-bit word (Lemire, "Number parsing at a gigabyte per second", 2021,
/// §6; the digit test and the three multiplications of its eight-digit step).
@inline(__always)
private func eightDigits(_ pointer: UnsafeRawPointer) -> (value: UInt64, leadingZeros: Int)? {
    let word = UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self))
    // Each byte in 0x30...0x39: its high nibble is 3, and adding 6 leaves it 3.
    guard (word & 0xF0F0_F0F0_F0F0_F0F0) | (((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4) == 0x3333_3333_3333_3333 else {
        return nil
    }
    let digits = word &- 0x3030_3030_3030_3030
    // The first digit is the lowest byte: leading zeros are the low zero bytes.
    let leadingZeros = digits == 0 ? 8 : digits.trailingZeroBitCount / 8
    var value = digits &* 10 &+ (digits >> 8)
    value = (((value & 0x0000_00FF_0000_00FF) &* 0x000F_4240_0000_0064)
             &+ (((value >> 16) & 0x0000_00FF_0000_00FF) &* 0x0000_2710_0000_0001)) >> 32
    return (value & 0xFFFF_FFFF, leadingZeros)
}

/// 10^0 … 10^22: every one exactly representable as a Double.
private let exactPowersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                         1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]
