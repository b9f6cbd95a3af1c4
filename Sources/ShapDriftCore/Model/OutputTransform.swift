import Foundation

/// How a model turns its raw output (the margin, where attributions live) into a prediction.
///
/// SHAP values are computed in the raw space, where a tree ensemble or linear model is additive;
/// the transform is recorded so reports can say what the raw space means (log-odds, log-rate…),
/// so `predictions(margins:outputs:)` gives what the library's own `predict` returns, and so
/// KernelSHAP can explain a classifier's probability. Each case cites the library code it follows.
///
/// Encoded (in profiles, and as ShapDrift JSON's `output_transform`) by `name`: the four
/// original names are unchanged, so profiles written before the other cases existed still read.
public enum OutputTransform: Sendable, Hashable {
    /// The raw output is the prediction (regression, ranking, `binary:logitraw`).
    case identity
    /// Probability = 1 / (1 + e^(−margin)); the raw space is log-odds (xgboost
    /// `common::Sigmoid`, LightGBM `CrossEntropy::ConvertOutput`). With several outputs, one
    /// sigmoid per output (one-vs-rest: LightGBM `multiclassova`), not normalised.
    case logistic
    /// Probability = 1 / (1 + e^(−σ·margin)) for LightGBM's `sigmoid:σ` ≠ 1 (`binary`,
    /// `multiclassova`; `BinaryLogloss::ConvertOutput` in `src/objective/binary_objective.hpp`).
    case scaledLogistic(sigmoid: Double)
    /// Class probabilities = softmax over the per-class margins.
    case softmax
    /// Prediction = e^margin (Poisson, gamma, Tweedie, Cox, AFT); the raw space is log-mean.
    case exponential
    /// Prediction = sign(m)·m² (LightGBM `reg_sqrt`: `RegressionL2loss::ConvertOutput` in
    /// `src/objective/regression_objective.hpp`); the raw space is the signed square root.
    case signedSquare
    /// Prediction = log(1 + e^margin) (LightGBM `cross_entropy_lambda`:
    /// `CrossEntropyLambda::ConvertOutput` in `src/objective/xentropy_objective.hpp`).
    case softplus
    /// Prediction = 1 when margin > 0, else 0 (xgboost `binary:hinge`: `HingeObj::PredTransform`
    /// in `src/objective/hinge.cu`).
    case step
    /// Prediction = the index of the largest margin, one value per row (xgboost `multi:softmax`:
    /// `SoftmaxMultiClassObj::Transform` in `src/objective/multiclass_obj.cu`).
    case argmax
    /// Prediction = each row's margins sorted ascending, so quantiles never cross (xgboost
    /// `reg:quantileerror`: `QuantileRegression::PredTransform` in `src/objective/quantile_obj.cu`).
    case sortedQuantiles
    /// Prediction p₀ = m₀, pⱼ = pⱼ₋₁ + 10⁻⁶ + softplus(mⱼ): non-decreasing expectiles (xgboost
    /// `reg:expectileerror`: `ExpectileRegression::PredTransform` in
    /// `src/objective/regression_obj.cu`, with `kRtEps` = 1e-6).
    case cumulativeSoftplus

    /// The transforms without a parameter, in declaration order.
    public static let parameterFreeCases: [OutputTransform] = [
        .identity, .logistic, .softmax, .exponential, .signedSquare, .softplus, .step, .argmax, .sortedQuantiles,
        .cumulativeSoftplus,
    ]

    /// The logistic transform with LightGBM's `sigmoid` parameter: `.logistic` when it is 1.
    public static func logistic(sigmoid: Double) -> OutputTransform {
        sigmoid == 1 ? .logistic : .scaledLogistic(sigmoid: sigmoid)
    }

    /// The name the transform is written with: `identity`, `logistic`, `logistic(sigmoid=2)`…
    public var name: String {
        switch self {
        case .identity: return "identity"
        case .logistic: return "logistic"
        case .scaledLogistic(let sigmoid): return "logistic(sigmoid=\(sigmoid))"
        case .softmax: return "softmax"
        case .exponential: return "exponential"
        case .signedSquare: return "signed_square"
        case .softplus: return "softplus"
        case .step: return "step"
        case .argmax: return "argmax"
        case .sortedQuantiles: return "sorted_quantiles"
        case .cumulativeSoftplus: return "cumulative_softplus"
        }
    }

    /// The transform written as `name`, or `nil` for an unknown name (or a sigmoid that is not a
    /// positive finite number).
    public init?(name: String) {
        if let fixed = Self.parameterFreeCases.first(where: { $0.name == name }) {
            self = fixed
            return
        }
        guard name.hasPrefix("logistic(sigmoid="), name.hasSuffix(")"),
              let sigmoid = Double(name.dropFirst("logistic(sigmoid=".count).dropLast()), sigmoid.isFinite, sigmoid > 0 else {
            return nil
        }
        self = .logistic(sigmoid: sigmoid)
    }

    /// What the raw (explained) output space is, in words. The descriptions of `identity`,
    /// `logistic`, `softmax` and `exponential` are part of profile format 1 and never change.
    public var rawSpaceDescription: String {
        switch self {
        case .identity: return "model output"
        case .logistic: return "log-odds"
        case .scaledLogistic(let sigmoid): return "log-odds divided by the sigmoid parameter \(sigmoid)"
        case .softmax: return "per-class margin (softmax input)"
        case .exponential: return "log of the predicted mean"
        case .signedSquare: return "signed square root of the prediction"
        case .softplus: return "softplus input (the prediction is log(1 + e^margin))"
        case .step: return "hinge margin (the prediction is 1 above 0, else 0)"
        case .argmax: return "per-class margin (the prediction is the class with the largest)"
        case .sortedQuantiles: return "per-quantile margin (the prediction sorts each row's outputs)"
        case .cumulativeSoftplus: return "expectile margin (output 0 is the lowest expectile; each next one adds softplus of its margin)"
        }
    }

    /// For a classifier, the transform that gives its probabilities (of the positive class, or
    /// of each class): itself for the logistic and softmax transforms, softmax for `argmax`
    /// (xgboost `multi:softmax` picks the class `multi:softprob` of the same margins gives the
    /// highest probability); `nil` for models whose prediction is not a probability. What
    /// KernelSHAP's probability space explains.
    public var probabilities: OutputTransform? {
        switch self {
        case .logistic, .scaledLogistic, .softmax: return self
        case .argmax: return .softmax
        case .identity, .exponential, .signedSquare, .softplus, .step, .sortedQuantiles, .cumulativeSoftplus: return nil
        }
    }

    /// Values per row of the prediction, for `outputs` margins per row.
    public func predictionWidth(outputs: Int) -> Int { self == .argmax ? 1 : outputs }

    /// The library's prediction from consecutive rows of `outputs` margins each:
    /// `predictionWidth(outputs:)` values per row.
    /// - Complexity: O(margins.count), O(outputs log outputs) per row for `sortedQuantiles`.
    public func predictions(margins: [Double], outputs: Int) -> [Double] {
        precondition(outputs > 0 && margins.count % outputs == 0)
        if self == .argmax {
            return stride(from: 0, to: margins.count, by: outputs).map { start in
                Double(margins[start..<(start + outputs)].indices.max { margins[$0] < margins[$1] }! - start)
            }
        }
        var values = margins
        apply(to: &values, outputs: outputs)
        return values
    }

    /// Replaces consecutive rows of `outputs` margins by the prediction, in place: for every
    /// transform but `argmax`, whose prediction has one value per row.
    /// - Complexity: O(values.count), O(outputs log outputs) per row for `sortedQuantiles`.
    public func apply(to values: inout [Double], outputs: Int) {
        precondition(self != .argmax && outputs > 0 && values.count % outputs == 0)
        for start in stride(from: 0, to: values.count, by: outputs) {
            transformRow(&values, start: start, count: outputs)
        }
    }

    private func transformRow(_ values: inout [Double], start: Int, count: Int) {
        let row = start..<(start + count)
        switch self {
        case .identity, .argmax:
            break
        case .logistic:
            for index in row { values[index] = 1 / (1 + exp(-values[index])) }
        case .scaledLogistic(let sigmoid):
            for index in row { values[index] = 1 / (1 + exp(-sigmoid * values[index])) }
        case .softmax:
            let top = values[row].max() ?? 0
            var total = 0.0
            for index in row {
                values[index] = exp(values[index] - top)
                total += values[index]
            }
            for index in row { values[index] /= total }
        case .exponential:
            for index in row { values[index] = exp(values[index]) }
        case .signedSquare:
            for index in row { values[index] = (values[index] < 0 ? -1 : 1) * values[index] * values[index] }
        case .softplus:
            for index in row { values[index] = Self.softplus(values[index]) }
        case .step:
            for index in row { values[index] = values[index] > 0 ? 1 : 0 }
        case .sortedQuantiles:
            values[row].sort()
        case .cumulativeSoftplus:
            for index in row.dropFirst() { values[index] = values[index - 1] + Self.expectileGap + Self.softplus(values[index]) }
        }
    }

    /// xgboost's `kRtEps` (`include/xgboost/base.h`): the least gap between consecutive expectiles.
    public static let expectileGap = 1e-6

    /// log(1 + e^x) without overflow: xgboost `common::SoftPlus` (`src/common/math.h`).
    public static func softplus(_ x: Double) -> Double {
        x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }
}

extension OutputTransform: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let transform = OutputTransform(name: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown output transform \(name)")
        }
        self = transform
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
