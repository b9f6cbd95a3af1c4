import ShapDriftCore

/// Formats attributions and predictions as CSV with full precision.
///
/// Numbers are written as the shortest decimal that reads back as the same Double (Swift's
/// `description`), so a round trip through the file loses nothing.
public enum AttributionCSVWriter {
    /// `row,output,<features…>,base_value`: one line per input row per model output. `row` is the
    /// 0-based index of the data row (`firstRow + r`, or `rowNumbers[r]` when given: the numbers
    /// skipped bad records leave); `output` the class index (0 for single-output models).
    public static func attributions(_ batch: AttributionBatch, featureNames: [String], firstRow: Int = 0,
                                    rowNumbers: [Int]? = nil, includeHeader: Bool = true) -> [UInt8] {
        var text = ""
        text.reserveCapacity(batch.rowCount * batch.numOutputs * (batch.numFeatures + 3) * 20)
        if includeHeader {
            text += (["row", "output"] + featureNames.map(csvField) + ["base_value"]).joined(separator: ",")
            text += "\n"
        }
        for row in 0..<batch.rowCount {
            for output in 0..<batch.numOutputs {
                text += String(rowNumbers?[row] ?? firstRow + row)
                text += ","
                text += String(output)
                for feature in 0..<batch.numFeatures {
                    text += ","
                    text += batch[row, output, feature].description
                }
                text += ","
                text += batch.baseValues[output].description
                text += "\n"
            }
        }
        return Array(text.utf8)
    }

    /// `row,output,value`: the model's raw outputs, `rows × numOutputs` row-major, rows
    /// numbered from `firstRow` (or by `rowNumbers`, as for `attributions`).
    public static func predictions(_ values: [Double], numOutputs: Int, firstRow: Int = 0, rowNumbers: [Int]? = nil,
                                   includeHeader: Bool = true) -> [UInt8] {
        var text = includeHeader ? "row,output,value\n" : ""
        for (index, value) in values.enumerated() {
            text += "\(rowNumbers?[index / numOutputs] ?? firstRow + index / numOutputs),\(index % numOutputs),\(value.description)\n"
        }
        return Array(text.utf8)
    }

    /// Quotes a header field when it holds a comma, quote or line break.
    static func csvField(_ name: String) -> String {
        guard name.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return name }
        return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
