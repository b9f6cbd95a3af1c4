/// Every way a ShapDrift operation can fail, for callers that switch on the kind: bad input at
/// a location, settings that do not fit, a baseline or profile that does not match, a numerical
/// failure, an output that cannot be written.
///
/// The library's entry points (`Explainer`, `AttributionProfiler`, `DriftMonitor`) throw this;
/// the readers underneath throw the narrower `InputError`.
public enum ShapDriftError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Something in a model or data file (or an in-memory batch) is wrong, at a location.
    case input(InputError)
    /// The chosen settings do not fit each other or the model.
    case configuration(ConfigurationError)
    /// A baseline or profile does not describe the same attributions.
    case incompatible(IncompatibilityError)
    /// A computation failed (LAPACK, additivity).
    case numerical(NumericalError)
    /// An output could not be written.
    case output(OutputError)

    public var description: String {
        switch self {
        case .input(let error): return error.description
        case .configuration(let error): return error.description
        case .incompatible(let error): return error.description
        case .numerical(let error): return error.description
        case .output(let error): return error.description
        }
    }
}
