import Foundation
import ShapDriftCore

/// Reading and writing profiles as JSON (schema in `docs/baseline-profile.md`).
extension AttributionProfile {
    /// The profile as deterministic, human-readable JSON, in the current format, with this build
    /// as its writer (a merge of older profiles is written by this build) and the checksum of its
    /// contents (`ProfileIntegrity`).
    /// - Throws: `NumericalError` if a value JSON cannot hold slipped in (profiles refuse
    ///   non-finite sums as they fold, so this does not happen for profiles built here).
    /// - Complexity: O(size of the profile).
    public func encoded() throws(NumericalError) -> [UInt8] {
        var current = self
        current.formatVersion = Self.currentFormatVersion
        current.writer = ShapDriftVersion.writer
        let plain = try Self.encode(Envelope(profile: current, integrity: nil))
        let document: JSONValue
        do {
            document = try JSONValue.parse(plain)
        } catch {
            throw NumericalError(operation: "profile encoding", "the encoded profile does not parse: \(error)")
        }
        return try Self.encode(Envelope(profile: current, integrity: ProfileIntegrity(document: document))) + [0x0A]
    }

    private static func encode(_ envelope: Envelope) throws(NumericalError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            return Array(try encoder.encode(envelope))
        } catch {
            throw NumericalError(operation: "profile encoding", "cannot encode the profile: \(error)")
        }
    }

    /// A profile with its integrity record as one more top-level member.
    private struct Envelope: Encodable {
        let profile: AttributionProfile
        let integrity: ProfileIntegrity?

        enum CodingKeys: String, CodingKey { case integrity }

        func encode(to encoder: Encoder) throws {
            try profile.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(integrity, forKey: .integrity)
        }
    }

    /// Reads a profile written by `shapdrift baseline`, `profile` or `merge` (formats 1 to 5).
    /// - Throws: `InputError` naming the file and the key path of what is wrong.
    /// - Complexity: O(file size).
    public static func load(path: String) throws(InputError) -> AttributionProfile {
        try decode(FileReading.bytes(path), file: path)
    }

    /// Reads a profile from its bytes; `file` names it in messages. In order: the JSON syntax
    /// (our own parser, for a located error; a member name given twice is refused), the format
    /// version, the checksum (format 4 on), the bounds of every size the file implies
    /// (`ProfileValidation.checkBounds`, before decoding allocates), the decoding itself, and the
    /// invariants that tie counts, sums and ranges together (`ProfileValidation.violation`).
    /// - Throws: `InputError` naming the file and the key path of what is wrong.
    /// - Complexity: O(bytes).
    public static func decode(_ bytes: [UInt8], file path: String) throws(InputError) -> AttributionProfile {
        let document = try JSONValue.parse(bytes, file: path, duplicateMembers: .refused)
        guard document.objectValue != nil else { throw InputError(file: path, "expected a JSON object: not a ShapDrift baseline profile") }
        guard let version = document["format_version"]?.numberValue else {
            throw InputError(file: path, field: "format_version", "missing: not a ShapDrift baseline profile")
        }
        guard version.rounded() == version, Double(readableFormatVersions.lowerBound)...Double(readableFormatVersions.upperBound) ~= version else {
            throw InputError(file: path, field: "format_version",
                             "profile format \(version) is not supported by this build (supported: \(readableFormatVersions.lowerBound)…\(readableFormatVersions.upperBound))")
        }
        if Int(version) >= firstFormatWithIntegrity { try ProfileIntegrity.verify(document, file: path) }
        let cells = try ProfileValidation.checkBounds(document, fileSize: bytes.count, file: path)
        let profile: AttributionProfile
        do {
            let decoder = JSONDecoder()
            // What the JSON stores left of the budget goes to format 4's summaries block.
            decoder.userInfo[ProfileValidation.budgetKey] = ProfileValidation.Budget(fileSize: bytes.count, cellsUsed: cells)
            profile = try decoder.decode(AttributionProfile.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, context) {
            throw InputError(file: path, field: fieldName(context.codingPath + [key]), "missing (required)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context), let DecodingError.dataCorrupted(context) {
            throw InputError(file: path, field: fieldName(context.codingPath), context.debugDescription)
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
        if let (field, message) = ProfileValidation.violation(of: profile) {
            throw InputError(file: path, field: field, message)
        }
        return profile
    }

    /// A decoding path as the file's key path: `outputs[0].features[3].sketch`.
    private static func fieldName(_ path: [any CodingKey]) -> String? {
        guard !path.isEmpty else { return nil }
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}
