import Foundation
import ShapDriftCore

/// Where a capture file sits in SageMaker's layout,
/// `{prefix}/{endpoint}/{variant}/yyyy/mm/dd/hh/{file}.jsonl`: its hour folder (UTC) and the
/// variant and endpoint above it, read from the path alone, before the file is opened.
struct CaptureLayout: Equatable {
    /// Seconds since 1970 at the start of the hour folder.
    var hourStart: Double
    /// The folder above `yyyy` (the production or shadow variant), when the path has one.
    var variant: String?
    /// The folder above the variant (the endpoint), when the path has one.
    var endpoint: String?

    /// `endpoint/variant`, or the variant alone when the path shows no endpoint.
    var variantName: String? {
        guard let variant else { return nil }
        return endpoint.map { "\($0)/\(variant)" } ?? variant
    }

    /// The layout of `path`, or `nil` when its last four folders are not `yyyy/mm/dd/hh`.
    init?(path: String) {
        var components = (path as NSString).pathComponents.filter { $0 != "/" && $0 != "." }
        guard components.count >= 5 else { return nil }
        components.removeLast()
        let hour = components.removeLast(), day = components.removeLast()
        let month = components.removeLast(), year = components.removeLast()
        guard let y = Self.number(year, digits: 4), let m = Self.number(month, digits: 2), (1...12).contains(m),
              let d = Self.number(day, digits: 2), d >= 1, d <= ISO8601Time.daysIn(month: m, year: y),
              let h = Self.number(hour, digits: 2), h < 24 else { return nil }
        hourStart = Double(ISO8601Time.daysFromCivil(year: y, month: m, day: d) * 86_400 + h * 3600)
        variant = components.last.flatMap { $0 == ".." ? nil : $0 }
        endpoint = components.count >= 2 ? components[components.count - 2] : nil
        if endpoint == ".." { endpoint = nil }
    }

    private static func number(_ text: String, digits: Int) -> Int? {
        guard text.utf8.count == digits, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text)
    }

    /// Whether `name` (a variant, or `endpoint/variant`) selects this file.
    func isSelected(by name: String) -> Bool {
        name == variant || name == variantName
    }
}
