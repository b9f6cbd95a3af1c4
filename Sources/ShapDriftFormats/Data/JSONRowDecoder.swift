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
    /// schema treats absent columns as missing (then `statistics` counts them). Keys that are not
    /// features are counted in `statistics` as extra columns.
    func row(fromObject members: [String: JSONValue], line: Int, into row: inout [Double],
             statistics: inout SourceStatistics) throws(InputError) {
        guard let names = schema.names else {
            throw InputError(file: file, line: line, "objects keyed by name need a model with feature names; send rows as arrays in model order")
        }
        var seen = [Bool](repeating: false, count: schema.count)
        for (key, value) in members {
            statistics.columnNames.insert(key)
            guard let index = indexOfName[key] ?? indexOfName[key.replacingOccurrences(of: " ", with: "_")] else {
                statistics.extraColumns[key, default: 0] += 1
                continue
            }
            row[index] = try number(value, line: line, field: key)
            seen[index] = true
        }
        guard let missing = seen.firstIndex(of: false) else { return }
        guard schema.absentColumns == .treatAsMissing else {
            throw InputError(file: file, line: line, field: names[missing], "feature missing from the record (use null for a missing value)")
        }
        for index in seen.indices where !seen[index] {
            row[index] = .nan
            statistics.absentFeatureRows[index, default: 0] += 1
        }
    }

    /// One row from an array of values in model feature order.
    func row(fromArray items: [JSONValue], line: Int, into row: inout [Double]) throws(InputError) {
        guard items.count == schema.count else {
            throw InputError(file: file, line: line, "record has \(items.count) values, the model has \(schema.count) features")
        }
        for (index, item) in items.enumerated() {
            row[index] = try number(item, line: line, field: schema.names?[index] ?? "feature \(index)")
        }
    }

    func number(_ value: JSONValue, line: Int, field: String) throws(InputError) -> Double {
        switch value {
        case .number(let number):
            guard !number.isInfinite else {
                throw InputError(file: file, line: line, field: field, "expected a finite number or null, found \(number)")
            }
            return number
        case .null: return .nan
        case .string(let text):
            var copy = text
            if let parsed = copy.withUTF8({ CSVSyntax.parseCell($0) }) { return parsed }
            throw InputError(file: file, line: line, field: field, "\(CSVSyntax.expectedCell), found \"\(text)\"")
        default:
            throw InputError(file: file, line: line, field: field, "expected a number or null")
        }
    }
}
