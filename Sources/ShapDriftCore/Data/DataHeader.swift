/// The column names a data file's header gave rows that were matched to a model by position
/// (the model has no feature names): what names the features in outputs, profiles and reports.
public struct DataHeader: Sendable, Equatable {
    /// One name per model feature, in model order.
    public let names: [String]
    /// The file the header is in, as named in messages.
    public let file: String

    public init(names: [String], file: String) {
        self.names = names
        self.file = file
    }

    /// The error for a header whose names are not `expected` (a baseline's, or the first data
    /// file's), at the first column that differs; `nil` when they agree.
    public func mismatch(with expected: [String], expectedFrom source: String) -> InputError? {
        guard names != expected else { return nil }
        guard let column = zip(names, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset else {
            return InputError(file: file, line: 1, "the header has \(names.count) columns, \(source) has \(expected.count) features")
        }
        return InputError(file: file, line: 1, column: column + 1, field: names[column],
                          "column \(column + 1) is '\(names[column])', but \(source) names feature \(column + 1) '\(expected[column])': the model has no feature names, so columns are taken in order and must keep their names")
    }
}
