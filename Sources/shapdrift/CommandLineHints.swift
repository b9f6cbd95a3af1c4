import ShapDrift

/// The library's errors as the command line reports them: the library's message, plus the flag
/// that changes the setting at fault (the library itself never names a flag).
enum CommandLineHints {
    /// The one-line message for one of ShapDrift's errors, or `nil` for an argument-parsing error.
    static func message(for error: any Error) -> String? {
        switch error {
        case let error as ShapDriftError: return describe(error)
        case let error as InputError: return error.description + hint(for: error)
        case let error as OutputError: return error.description
        case let error as IncompatibilityError: return describe(.incompatible(error))
        case let error as ConfigurationError: return describe(.configuration(error))
        case let error as NumericalError: return error.description
        case let error as CommandFailure: return error.message
        default: return nil
        }
    }

    static func describe(_ error: ShapDriftError) -> String {
        switch error {
        case .input(let input): return input.description + hint(for: input)
        case .configuration(let configuration): return "\(configuration.description)\(hint(for: configuration))"
        case .incompatible(let mismatch): return "\(mismatch.description)\(hint(for: mismatch))"
        default: return error.description
        }
    }

    static func hint(for error: ConfigurationError) -> String {
        switch error {
        case .backgroundRequired, .featureMeansRequired: return " (pass --background DATA)"
        case .methodDoesNotFitModel(_, _, let suggestion): return " (--method \(suggestion.rawValue))"
        case .outputSpaceRequiresKernel: return " (--output-space probability needs --method kernel)"
        case .probabilityRequiresClassifier: return " (use --output-space raw)"
        case .tooFewSamples: return " (--samples)"
        case .outOfRange(let setting, _, _):
            return ["sample budget": " (--samples)", "time window": " (--since, --until)", "sample rate": " (--sample-rate)",
                    "output names": " (--output-names)", "metric labels": " (--metrics-label, one per output)",
                    "metrics namespace": " (--metrics-namespace)", "shard": " (--shard)", "shard count": " (--shard)",
                    "shard index": " (--shard)", "bootstrap replicates": " (--bootstrap)"][setting] ?? ""
        case .shardAssignment: return " (or give --shard INDEX/COUNT)"
        }
    }

    static func hint(for error: IncompatibilityError) -> String {
        switch error.setting {
        case .model: return " (shapdrift baseline --model …)"
        case .background: return " (pass the same --background as to shapdrift baseline)"
        case .sampling: return " (pass the same --samples and --seed as to shapdrift baseline)"
        case .recordSampling: return " (merge profiles made with the same --sample-rate and --sample-seed)"
        case .bootstrap: return " (merge profiles made with the same --bootstrap and --seed)"
        case .shards: return " (merge the profiles of one split: the same --shard COUNT and --shard-by)"
        case .attributionSummaries: return " (make the baseline and the profiles with one ShapDrift version)"
        case .featureNames, .method, .outputSpace, .formatVersion: return ""
        }
    }

    /// The flags that change the data settings some input errors are about (`DataErrorField`).
    static func hint(for error: InputError) -> String {
        if case .lineBytes? = error.exceededLimit { return " (raise the limit with --max-line-bytes)" }
        switch error.field {
        case DataErrorField.badRecords: return " (--max-bad-records N, --max-bad-fraction F)"
        case DataErrorField.timeColumn: return " (--time-column NAME)"
        case DataErrorField.variants: return " (--variant NAME, repeatable)"
        case DataErrorField.keyColumn: return " (--key-column NAME)"
        default: return ""
        }
    }
}

/// A failure the command line composes itself (e.g. a check's error together with the error of
/// marking its report directory failed), printed as its message.
struct CommandFailure: Error {
    let message: String
}
