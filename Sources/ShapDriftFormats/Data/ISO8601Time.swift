import ShapDriftCore

/// RFC 3339 timestamps, as SageMaker writes `inferenceTime` (`2022-02-14T17:25:49Z`, optional
/// fraction, `Z` or a `±hh:mm` offset), read by a hand-checked fixed-layout parser: no regular
/// expression, no formatter, no string per record. Reading the window's times through a `Regex`
/// cost ~200 µs per record, ten times the rest of the check.
///
/// Accepted: `YYYY-MM-DD`, then `T`, `t` or a space, `hh:mm:ss`, an optional `.` and one or more
/// digits, then `Z`, `z`, `±hh:mm` or `±hhmm` (RFC 3339 § 5.6; the last is ISO 8601's basic
/// offset). Months, days (with leap years), hours, minutes and seconds are range-checked (second
/// 60, a leap second, is accepted, as § 5.7 allows). A time without an offset is refused: it
/// would be read in an unknown zone.
public enum ISO8601Time {
    /// Seconds since 1970-01-01T00:00:00Z, or `nil` when `text` is not such a time.
    public static func seconds(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { seconds($0) }
    }

    /// The hot path: the time in `bytes`, or `nil`.
    @inline(__always)
    package static func seconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        if case .time(let value) = parse(bytes) { return value }
        return nil
    }

    /// What is wrong with `text` as a time, e.g. `character 11: expected T or a space`; `nil`
    /// when it is a valid time.
    public static func problem(_ text: String) -> String? {
        var copy = text
        return copy.withUTF8 { bytes in
            guard case .invalid(let offset, let expected) = parse(bytes) else { return nil }
            return offset < bytes.count ? "character \(offset + 1): expected \(expected)" : "ends early: expected \(expected)"
        }
    }

    /// What an error message shows as the expected form.
    public static let expectedForm = "an RFC 3339 time such as 2024-05-01T17:25:49Z or 2024-05-01T17:25:49.5+02:00"

    enum Parsed {
        case time(Double)
        /// The byte offset of the first character that does not fit, and what would.
        case invalid(at: Int, expected: StaticString)
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Parsed {
        var index = 0
        let count = bytes.count

        /// `width` digits at `index` as a number, or -1.
        func digits(_ width: Int) -> Int {
            guard index + width <= count else { return -1 }
            var value = 0
            for offset in 0..<width {
                let digit = Int(bytes[index + offset]) &- 48
                guard digit >= 0, digit <= 9 else { return -1 }
                value = value * 10 + digit
            }
            index += width
            return value
        }
        func failure(_ expected: StaticString) -> Parsed {
            // Point at the first character that is not a digit when digits were expected.
            while index < count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            return .invalid(at: index, expected: expected)
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        let start = index
        let year = digits(4)
        guard year >= 0 else { index = start; return failure("a four-digit year") }
        guard expect(UInt8(ascii: "-")) else { return .invalid(at: index, expected: "'-' after the year") }
        let monthStart = index
        let month = digits(2)
        guard (1...12).contains(month) else { index = monthStart; return .invalid(at: monthStart, expected: "a two-digit month 01-12") }
        guard expect(UInt8(ascii: "-")) else { return .invalid(at: index, expected: "'-' after the month") }
        let dayStart = index
        let day = digits(2)
        guard day >= 1, day <= daysIn(month: month, year: year) else {
            return .invalid(at: dayStart, expected: "a two-digit day that exists in that month")
        }
        guard index < count, bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: "t") || bytes[index] == 0x20 else {
            return .invalid(at: index, expected: "'T' between the date and the time")
        }
        index += 1
        let hourStart = index
        let hour = digits(2)
        guard (0...23).contains(hour) else { return .invalid(at: hourStart, expected: "a two-digit hour 00-23") }
        guard expect(UInt8(ascii: ":")) else { return .invalid(at: index, expected: "':' after the hour") }
        let minuteStart = index
        let minute = digits(2)
        guard (0...59).contains(minute) else { return .invalid(at: minuteStart, expected: "two-digit minutes 00-59") }
        guard expect(UInt8(ascii: ":")) else { return .invalid(at: index, expected: "':' after the minutes") }
        let secondStart = index
        let second = digits(2)
        guard (0...60).contains(second) else { return .invalid(at: secondStart, expected: "two-digit seconds 00-60") }
        var nanoseconds = 0
        if expect(UInt8(ascii: ".")) {
            let fractionStart = index
            var scale = 100_000_000
            while index < count, bytes[index] >= 48, bytes[index] <= 57 {
                nanoseconds += Int(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > fractionStart else { return .invalid(at: index, expected: "digits after the decimal point") }
        }
        var offset = 0
        guard index < count else { return .invalid(at: index, expected: "a time zone: Z or ±hh:mm") }
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[index] == UInt8(ascii: "+") ? 1 : -1
            index += 1
            let zoneStart = index
            let hours = digits(2)
            guard (0...23).contains(hours) else { return .invalid(at: zoneStart, expected: "a two-digit offset hour 00-23") }
            _ = expect(UInt8(ascii: ":"))
            let minutesStart = index
            let minutes = digits(2)
            guard (0...59).contains(minutes) else { return .invalid(at: minutesStart, expected: "two-digit offset minutes 00-59") }
            offset = sign * (hours * 3600 + minutes * 60)
        default:
            return .invalid(at: index, expected: "a time zone: Z or ±hh:mm")
        }
        guard index == count else { return .invalid(at: index, expected: "the end of the time") }
        let whole = daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return .time(Double(whole) + Double(nanoseconds) / 1e9)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `seconds` since 1970 in RFC 3339, UTC, with the fraction to the millisecond when there
    /// is one: `2024-05-01T11:00:00Z`, `2024-05-01T11:00:00.250Z`.
    public static func string(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.down))
        let milliseconds = Int(((seconds - Double(whole)) * 1000).rounded())
        let (wholeSeconds, fraction) = milliseconds == 1000 ? (whole + 1, 0) : (whole, milliseconds)
        let days = Int((Double(wholeSeconds) / 86_400).rounded(.down))
        let secondOfDay = wholeSeconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        if fraction > 0 { text += "." + String(String(fraction + 1000).dropFirst()) }
        return text + "Z"
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible
    /// low-level date algorithms", `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of day `days` since 1970-01-01 (Hinnant, `civil_from_days`).
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
