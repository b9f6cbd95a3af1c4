import Foundation
import ShapDriftCore

/// The checksum a profile carries from format `AttributionProfile.firstFormatWithIntegrity` (4) on (`integrity`): SHA-256 of everything else in
/// the file, and a short digest per part, so a profile changed after it was written — an edited
/// digit, a truncated copy that still parses, a model fingerprint swapped by hand — is refused
/// with the part that changed named (`outputs[0].features[3] ('d3')`).
///
/// The digest is of the document's *values*, not its bytes, so re-indenting a profile does not
/// break it while any changed number, name or count does. The canonical form, which a reader in
/// another language can reproduce (`docs/robustness.md`): each value as a tag byte and payload —
/// `n` null; `f`/`t` false/true; `d` + the number as an IEEE 754 binary64, little-endian; `s` +
/// the UTF-8 length as a little-endian UInt64 + the bytes; `a` + the element count as UInt64 +
/// the elements; `o` + the member count as UInt64 + the members in increasing order of their
/// names' UTF-8 bytes, each as its name (a string) then its value. The profile's digest is of the
/// top-level object without its `integrity` member. The model fingerprint a profile was built
/// with (`model.model_sha256`) is part of that object, so it is covered too.
///
/// This guards against accidents and hand edits, not an adversary: anyone can recompute a SHA-256.
struct ProfileIntegrity: Codable, Equatable, Sendable {
    /// SHA-256 of the canonical form of the profile without `integrity`, 64 hex digits.
    var sha256: String
    /// Per part (`ProfileIntegrity.parts(of:)`), the first 16 hex digits of its digest.
    var parts: [String: String]

    static let member = "integrity"
    static let partDigestLength = 16

    /// The integrity record of a profile document (a top-level object).
    init(document: JSONValue) {
        let members = document.objectValue ?? [:]
        sha256 = Self.digest(.object(members.filter { $0.key != Self.member }))
        // A top-level member named like an element's part (`columns[1]` beside a `columns` array)
        // is nothing ShapDrift writes, but a file may hold one: of two parts of one name the
        // smaller digest is kept (members come in no fixed order). The parts only name what
        // changed; the digest of the whole document decides.
        parts = Dictionary(Self.parts(of: members).map { ($0.name, String(Self.digest($0.value).prefix(Self.partDigestLength))) },
                           uniquingKeysWith: { Swift.min($0, $1) })
    }

    /// Checks a profile document against the integrity record it carries.
    /// - Throws: `InputError` when the record is missing or malformed, or the contents differ
    ///   from it, naming the parts that changed.
    static func verify(_ document: JSONValue, file: String) throws(InputError) {
        guard let members = document.objectValue, let record = members[member] else {
            throw InputError(file: file, field: member, "missing: a profile of format \(AttributionProfile.firstFormatWithIntegrity) or later carries the checksum of its contents")
        }
        guard let recorded = record["sha256"]?.stringValue, recorded.count == 64,
              let recordedParts = record["parts"]?.objectValue else {
            throw InputError(file: file, field: member, "expected {\"sha256\": 64 hex digits, \"parts\": {…}}")
        }
        let computed = ProfileIntegrity(document: document)
        guard computed.sha256 != recorded else { return }
        let names = Set(computed.parts.keys).union(recordedParts.keys)
        let changed = names.filter { computed.parts[$0] != recordedParts[$0]?.stringValue }.sorted(by: partOrder)
        let featureNames = members["model"]?["feature_names"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let shown = changed.prefix(5).map { describe($0, featureNames: featureNames) }.joined(separator: ", ")
        let more = changed.count > 5 ? " and \(changed.count - 5) more" : ""
        let what = changed.isEmpty ? "its contents" : shown + more
        throw InputError(file: file, field: member,
                         "the profile does not match its checksum: \(what) changed after it was written (a hand edit, or a damaged copy); make the baseline again")
    }

    /// The parts a profile is checked by: each top-level member; an array member by element; an
    /// element's `features` array by feature (the rest of the element is one more part).
    static func parts(of members: [String: JSONValue]) -> [(name: String, value: JSONValue)] {
        var result: [(String, JSONValue)] = []
        for (key, value) in members where key != member {
            guard let items = value.arrayValue else {
                result.append((key, value))
                continue
            }
            for (index, item) in items.enumerated() {
                let name = "\(key)[\(index)]"
                guard var fields = item.objectValue, let features = fields["features"]?.arrayValue else {
                    result.append((name, item))
                    continue
                }
                fields["features"] = nil
                result.append((name, .object(fields)))
                for (feature, summary) in features.enumerated() { result.append(("\(name).features[\(feature)]", summary)) }
            }
        }
        return result
    }

    /// A part's name for a person, with the feature's name where the part is one feature's.
    static func describe(_ part: String, featureNames: [String]) -> String {
        for marker in [".features[", "feature_values["] {
            guard let range = part.range(of: marker, options: .backwards), let close = part[range.upperBound...].firstIndex(of: "]"),
                  let index = Int(part[range.upperBound..<close]), featureNames.indices.contains(index) else { continue }
            return "\(part) ('\(featureNames[index])')"
        }
        return part
    }

    /// Orders part names as they appear in a profile: by name, then by the numbers in them.
    static func partOrder(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: .numeric) == .orderedAscending
    }

    /// SHA-256 of the canonical form of `value` (see the type's description), as hex.
    static func digest(_ value: JSONValue) -> String {
        var digest = ContentDigest()
        append(value, to: &digest)
        return digest.finish()
    }

    private static func append(_ value: JSONValue, to digest: inout ContentDigest) {
        func tag(_ character: Unicode.Scalar) {
            var byte = UInt8(character.value)
            withUnsafeBytes(of: &byte) { digest.add($0) }
        }
        func count(_ count: Int) {
            var length = UInt64(count).littleEndian
            withUnsafeBytes(of: &length) { digest.add($0) }
        }
        func number(_ number: Double) {
            tag("d")
            var bits = number.bitPattern.littleEndian
            withUnsafeBytes(of: &bits) { digest.add($0) }
        }
        func string(_ text: String) {
            tag("s")
            var copy = text
            copy.withUTF8 { bytes in
                count(bytes.count)
                digest.add(UnsafeRawBufferPointer(bytes))
            }
        }
        switch value {
        case .null: tag("n")
        case .bool(let flag): tag(flag ? "t" : "f")
        case .number(let value): number(value)
        case .string(let text): string(text)
        case .numbers(let values):
            tag("a")
            count(values.count)
            for value in values { number(value) }
        case .array(let items):
            tag("a")
            count(items.count)
            for item in items { append(item, to: &digest) }
        case .object(let members):
            tag("o")
            count(members.count)
            for (key, member) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                string(key)
                append(member, to: &digest)
            }
        }
    }
}
