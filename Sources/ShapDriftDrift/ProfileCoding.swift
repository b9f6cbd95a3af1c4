import Foundation
import ShapDriftCore

/// Reading and writing profiles as JSON (schema in `docs/baseline-profile.md`).
extension AttributionProfile {
    /// The profile as deterministic, human-readable JSON, in the current format and with this
    /// build as its writer (a merge of older profiles is written by this build).
    /// - Throws: `NumericalError` if a value JSON cannot hold slipped in (profiles refuse
    ///   non-finite sums as they fold, so this does not happen for profiles built here).
    /// - Complexity: O(size of the profile).
    public func encoded() throws(NumericalError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var current = self
        current.formatVersion = Self.currentFormatVersion
        current.writer = ShapDriftVersion.writer
        do {
            return Array(try encoder.encode(current)) + [0x0A]
        } catch {
            throw NumericalError(operation: "profile encoding", "cannot encode the profile: \(error)")
        }
    }

    /// Reads a profile written by `shapdrift baseline`, `profile` or `merge` (formats 1 to 4).
    /// - Throws: `InputError` naming the file and the key path of what is wrong.
    /// - Complexity: O(file size).
    public static func load(path: String) throws(InputError) -> AttributionProfile {
        let bytes = try FileReading.bytes(path)
        // Our own parser first, for a located syntax error.
        let document = try JSONValue.parse(bytes, file: path)
        guard let version = document["format_version"]?.numberValue else {
            throw InputError(file: path, field: "format_version", "missing: not a ShapDrift baseline profile")
        }
        guard version.rounded() == version, readableFormatVersions.contains(Int(version)) else {
            throw InputError(file: path, field: "format_version",
                             "profile format \(version) is not supported by this build (supported: \(readableFormatVersions.lowerBound)…\(readableFormatVersions.upperBound))")
        }
        let profile: AttributionProfile
        do {
            profile = try JSONDecoder().decode(AttributionProfile.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, context) {
            throw InputError(file: path, field: (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."), "missing (required)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context), let DecodingError.dataCorrupted(context) {
            throw InputError(file: path, field: context.codingPath.map(\.stringValue).joined(separator: "."), context.debugDescription)
        } catch {
            throw InputError(file: path, "not a valid baseline profile: \(error)")
        }
        let features = profile.identity.featureNames.count
        guard profile.outputs.count == profile.identity.numOutputs, profile.featureValues.count == features,
              profile.outputs.allSatisfy({ $0.features.count == features }) else {
            throw InputError(file: path, "the profile's outputs and features do not match its model description")
        }
        if let predictions = profile.predictions {
            guard predictions.map(\.output) == Array(0..<profile.outputs.count) else {
                throw InputError(file: path, field: "predictions", "expected one summary per output, in order")
            }
        }
        if let categories = profile.categories {
            let indices = categories.map(\.feature)
            guard indices.allSatisfy({ (0..<features).contains($0) }), indices == Array(Set(indices)).sorted() else {
                throw InputError(file: path, field: "categories", "feature indices must be distinct, increasing and within the model's features")
            }
        }
        return profile
    }
}
