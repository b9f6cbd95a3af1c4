/// A numerical computation that could not produce a trustworthy result: a LAPACK routine that
/// failed, or attributions that do not add up to the model's output.
///
/// Unlike an `InputError` there is no line of a file to fix; the message says what failed and,
/// where one helps, what to change (more background rows, fewer features, another method).
public struct NumericalError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The computation that failed, e.g. `LAPACK dposv` or `additivity`.
    public var operation: String
    /// What went wrong, with the values that show it.
    public var message: String

    public init(operation: String, _ message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }
}
