import ShapDriftCore

/// Loads a model file of any supported format, recognising the format from the content: the file
/// name does not matter (xgboost writes UBJSON or JSON by the name's extension, and files get renamed).
public struct ModelLoader {
    public init() {}

    /// Reads and parses `path`; the model's fingerprint is the SHA-256 of the file's bytes.
    /// - Complexity: O(file size).
    /// - Throws: `InputError` naming the file and, where it can, the line, column or JSON path.
    public func load(path: String) throws(InputError) -> Model {
        let bytes = try FileReading.bytes(path)
        return try load(bytes: bytes, file: path)
    }

    /// Parses a model file's bytes; `file` names it in messages.
    /// - Complexity: O(bytes).
    public func load(bytes: [UInt8], file: String) throws(InputError) -> Model {
        var model = try parse(bytes: bytes, file: file)
        model.fingerprint = ContentDigest.sha256(bytes)
        return model
    }

    private func parse(bytes: [UInt8], file: String) throws(InputError) -> Model {
        if Self.isUBJSONObject(bytes) {
            let document = try UBJSONReader.parse(bytes, file: file)
            guard document["learner"] != nil else {
                throw InputError(file: file, "UBJSON model of unknown kind: expected an XGBoost model (a \"learner\" member)")
            }
            return try XGBoostJSONLoader().load(document: document, file: file)
        }
        guard let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) else {
            throw InputError(file: file, "the model file is empty")
        }
        if first == UInt8(ascii: "{") {
            let document = try JSONValue.parse(bytes, file: file)
            if document["learner"] != nil {
                return try XGBoostJSONLoader().load(document: document, file: file)
            }
            if document["format"]?.stringValue == "shapdrift" {
                return try ShapDriftJSONLoader().load(document: document, file: file)
            }
            throw InputError(file: file, "JSON model of unknown kind: expected an XGBoost model (a \"learner\" member) or a ShapDrift model (\"format\": \"shapdrift\")")
        }
        if bytes.starts(with: Array("tree".utf8)) {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw InputError(file: file, "LightGBM model is not valid UTF-8 text")
            }
            return try LightGBMTextLoader().load(text: text, file: file)
        }
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "b") {
            throw InputError(file: file, "looks like an XGBoost legacy binary model: load it with xgboost and save it with Booster.save_model(\"model.json\") or save_model(\"model.ubj\")")
        }
        throw InputError(file: file, "unrecognised model format: expected XGBoost JSON (save_model(\"model.json\")), LightGBM text (save_model(\"model.txt\")) or ShapDrift JSON")
    }

    /// A UBJSON object: `{` and then what can follow it in UBJSON but never in JSON (whose `{` is
    /// followed by white space, `"` or `}`): a member name's length marker (`L` is what xgboost
    /// writes; other integer markers, and optimized objects' `#` and `$`, are other writers' UBJSON,
    /// which the reader refuses with a located message rather than a JSON syntax error).
    private static func isUBJSONObject(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == UInt8(ascii: "{") && Array("LlIUi#$".utf8).contains(bytes[1])
    }
}
