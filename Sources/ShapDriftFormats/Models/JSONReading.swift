import ShapDriftCore
/// Typed access to a JSON model document, with errors that name the file and the JSON path.
///
/// Loaders walk a document with this instead of raw pattern matching so that every missing
/// member or wrong type is reported the same way: `model.json: learner.objective.name: expected a string`.
struct JSONReading {
    let file: String
    let value: JSONValue
    let path: String

    init(file: String, value: JSONValue, path: String = "") {
        self.file = file
        self.value = value
        self.path = path
    }

    func fail(_ message: String) -> InputError {
        InputError(file: file, field: path.isEmpty ? nil : path, message)
    }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member `key`, required.
    func member(_ key: String) throws(InputError) -> JSONReading {
        guard case .object(let members) = value else { throw fail("expected an object") }
        guard let child = members[key] else {
            throw InputError(file: file, field: childPath(key), "missing (required)")
        }
        return JSONReading(file: file, value: child, path: childPath(key))
    }

    /// The member `key`, or `nil` when absent or JSON `null`.
    func optionalMember(_ key: String) throws(InputError) -> JSONReading? {
        guard case .object(let members) = value else { throw fail("expected an object") }
        guard let child = members[key], child != .null else { return nil }
        return JSONReading(file: file, value: child, path: childPath(key))
    }

    func string() throws(InputError) -> String {
        guard let text = value.stringValue else { throw fail("expected a string") }
        return text
    }

    /// A number, also accepted as a string holding one (XGBoost writes scalars as strings).
    func number() throws(InputError) -> Double {
        guard let number = value.numberValue else { throw fail("expected a number, found \(summary)") }
        return number
    }

    /// A whole number within `range`.
    func integer(in range: ClosedRange<Int> = 0...Int(Int32.max)) throws(InputError) -> Int {
        let number = try number()
        guard number.rounded() == number, number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            throw fail("expected a whole number in \(range.lowerBound)...\(range.upperBound), found \(number)")
        }
        return Int(number)
    }

    func array() throws(InputError) -> [JSONReading] {
        guard let items = value.arrayValue else { throw fail("expected an array") }
        return items.enumerated().map { JSONReading(file: file, value: $1, path: "\(path)[\($0)]") }
    }

    /// An array of numbers, checked to have `count` elements when given.
    func numbers(count: Int? = nil) throws(InputError) -> [Double] {
        if case .numbers(let values) = value {
            if let count, values.count != count { throw fail("has \(values.count) elements, expected \(count)") }
            return values
        }
        guard case .array(let items) = value else { throw fail("expected an array of numbers") }
        if let count, items.count != count {
            throw fail("has \(items.count) elements, expected \(count)")
        }
        var result = [Double]()
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            switch item {
            case .number(let number): result.append(number)
            case .bool(let flag): result.append(flag ? 1 : 0)
            default: throw InputError(file: file, field: "\(path)[\(index)]", "expected a number")
            }
        }
        return result
    }

    /// An array of whole numbers (indices, flags), checked like `numbers(count:)`.
    func integers(count: Int? = nil) throws(InputError) -> [Int32] {
        let values = try numbers(count: count)
        var result = [Int32]()
        result.reserveCapacity(values.count)
        for (index, number) in values.enumerated() {
            guard number.rounded() == number, abs(number) < 2_147_483_648 else {
                throw InputError(file: file, field: "\(path)[\(index)]", "expected a whole number, found \(number)")
            }
            result.append(Int32(number))
        }
        return result
    }

    func strings() throws(InputError) -> [String] {
        try array().map { item throws(InputError) in try item.string() }
    }

    private var summary: String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return "\(flag)"
        case .number(let number): return "\(number)"
        case .string(let text): return "\"\(text.prefix(40))\""
        case .array, .numbers: return "an array"
        case .object: return "an object"
        }
    }
}
