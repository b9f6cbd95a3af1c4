import Foundation
import ShapDriftCore

/// The JSON files of a report set: sorted keys, two-space indentation, no escaped slashes, and a
/// final newline, so the same report always gives the same bytes.
public enum ReportJSON {
    /// - Throws: `NumericalError` if a value JSON cannot hold slipped in.
    /// - Complexity: O(size of the value).
    public static func bytes<T: Encodable>(_ value: T) throws(NumericalError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value)) + [0x0A]
        } catch {
            throw NumericalError(operation: "report encoding", "cannot encode the report: \(error)")
        }
    }
}
