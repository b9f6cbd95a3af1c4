import ShapDriftCore

/// Assigns JSON values to model features: by key (exact, or with spaces as underscores) for
/// objects, by position for arrays.
struct JSONRowDecoder {
    let schema: FeatureSchema
    let file: String
    private let indexOfName: [String: Int]

    init(schema: FeatureSchema, file: String) {
        self.schema = schema
        self.file = file
        var map: [String: Int] = [:]
        for (index, name) in (schema.names ?? []).enumerated() { map[name] = index }
        indexOfName = map
    }

    /// One row from an object keyed by feature name; every feature must be present, unless the
    /// schema takes absent columns as missing (then `columns` counts them). Keys that are not
    /// features are counted in `columns` as extra columns.
    func row(fromObject members: [String: JSONValue], line: Int, into row: inout [Double],
             columns: inout ColumnStatistics) throws(BadRecord) {
        guard let names = schema.names else {
            throw BadRecord(.notARow, InputError(file: file, line: line, "objects keyed by name need a model with feature names, and this one has none (its columns are taken in order): send rows as arrays in model order, or as CSV, whose header then names the features"))
        }
        var seen = [Bool](repeating: false, count: schema.count)
        for (key, value) in members {
            columns.columnNames.insert(key)
            guard let index = indexOfName[key] ?? indexOfName[key.replacingOccurrences(of: " ", with: "_")] else {
                columns.extraColumns[key, default: 0] += 1
                continue
            }
            row[index] = try number(value, line: line, field: key)
            seen[index] = true
        }
        guard let missing = seen.firstIndex(of: false) else { return }
        guard schema.absentColumns == .treatAsMissing else {
            throw BadRecord(.missingFeature, InputError(file: file, line: line, field: names[missing], "feature missing from the record (use null for a missing value)"))
        }
        for index in seen.indices where !seen[index] {
            row[index] = .nan
            columns.absentFeatureRows[index, default: 0] += 1
        }
    }

    /// One row from an array of values in model feature order.
    func row(fromArray items: [JSONValue], line: Int, into row: inout [Double]) throws(BadRecord) {
        guard items.count == schema.count else {
            throw BadRecord(.fieldCount, InputError(file: file, line: line, "record has \(items.count) values, the model has \(schema.count) features"))
        }
        for (index, item) in items.enumerated() {
            row[index] = try number(item, line: line, field: schema.names?[index] ?? "feature \(index)")
        }
    }

    func number(_ value: JSONValue, line: Int, field: String) throws(BadRecord) -> Double {
        switch value {
        case .number(let number):
            guard !number.isInfinite else {
                throw BadRecord(.notANumber, InputError(file: file, line: line, field: field, "expected a finite number or null, found \(number)"))
            }
            return number
        case .null: return .nan
        case .string(let text):
            var copy = text
            if let parsed = copy.withUTF8({ CSVSyntax.parseCell($0) }) { return parsed }
            throw BadRecord(.notANumber, InputError(file: file, line: line, field: field, "\(CSVSyntax.expectedCell), found \"\(text)\""))
        default:
            throw BadRecord(.notANumber, InputError(file: file, line: line, field: field, "expected a number or null"))
        }
    }
}
