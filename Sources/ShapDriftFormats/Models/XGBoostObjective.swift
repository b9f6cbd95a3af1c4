import Foundation
import ShapDriftCore

/// What an XGBoost objective means for explaining its model: SHAP explains the raw margin
/// whatever the objective; the objective decides only how `base_score` becomes the margin offset
/// (`ObjFunction::ProbToMargin`, called on the stored base score when the learner is configured,
/// `src/learner.cc`) and how the library turns margins into predictions (`PredTransform`).
///
/// Rules as xgboost 3.4 defines them (sources under `src/objective/`; the table with every
/// objective is in `Tests/Fixtures/objectives/README.md`). An objective this table does not know
/// is explained in the raw margin with the identity link, and says so in a warning.
struct XGBoostObjective {
    let transform: OutputTransform
    let link: BaseScoreLink

    /// `ProbToMargin` of each objective: how a stored `base_score` becomes the margin offset.
    enum BaseScoreLink {
        /// The default `ObjFunction::ProbToMargin` (`include/xgboost/objective.h`): the stored
        /// value is the margin, whatever it nominally is (binary:logitraw stores a probability
        /// and uses it as a margin; multi-class stores centred log-shares, already margins).
        case identity
        /// `LogisticRegression::ProbToMargin` (`regression_loss.h`): logit after clamping to
        /// [kRtEps, 1 − kRtEps].
        case logit
        /// log (`GammaDeviance`, Poisson, Tweedie, Cox in `regression_obj.cu`; AFT in `aft_obj.cu`).
        case log
        /// `ExpectileRegression::ProbToMargin` (`regression_obj.cu`): the first value as is, each
        /// next one softplus⁻¹(bⱼ − bⱼ₋₁ − kRtEps), softplus⁻¹ clamping its argument to ≥ kRtEps.
        case expectile

        /// xgboost's `kRtEps` (`include/xgboost/base.h`), a float.
        static let epsilon = Double(Float(1e-6))

        /// The margin offsets of the stored base scores (one per output).
        func margins(_ values: [Double]) -> [Double] {
            switch self {
            case .identity:
                return values
            case .logit:
                return values.map { value in
                    let clamped = min(max(value, Self.epsilon), Double(Float(1) - Float(1e-6)))
                    return -Foundation.log(1 / clamped - 1)
                }
            case .log:
                return values.map { Foundation.log($0) }
            case .expectile:
                return values.indices.map { index in
                    index == 0 ? values[0] : Self.inverseSoftplus(values[index] - values[index - 1] - Self.epsilon)
                }
            }
        }

        /// `common::SoftPlusInv` (`src/common/math.h`).
        static func inverseSoftplus(_ x: Double) -> Double {
            let clamped = max(x, epsilon)
            return clamped + Foundation.log(-expm1(-clamped))
        }
    }

    /// The objectives xgboost 3.x registers (`XGBOOST_REGISTER_OBJECTIVE`), by saved name.
    static let known: [String: XGBoostObjective] = [
        "reg:squarederror": .init(transform: .identity, link: .identity),
        "reg:linear": .init(transform: .identity, link: .identity),
        "reg:squaredlogerror": .init(transform: .identity, link: .identity),
        "reg:pseudohubererror": .init(transform: .identity, link: .identity),
        "reg:absoluteerror": .init(transform: .identity, link: .identity),
        "reg:quantileerror": .init(transform: .sortedQuantiles, link: .identity),
        "reg:expectileerror": .init(transform: .cumulativeSoftplus, link: .expectile),
        "reg:logistic": .init(transform: .logistic, link: .logit),
        "binary:logistic": .init(transform: .logistic, link: .logit),
        "binary:logitraw": .init(transform: .identity, link: .identity),
        "binary:hinge": .init(transform: .step, link: .identity),
        "count:poisson": .init(transform: .exponential, link: .log),
        "reg:gamma": .init(transform: .exponential, link: .log),
        "reg:tweedie": .init(transform: .exponential, link: .log),
        "survival:cox": .init(transform: .exponential, link: .log),
        "survival:aft": .init(transform: .exponential, link: .log),
        "multi:softprob": .init(transform: .softmax, link: .identity),
        "multi:softmax": .init(transform: .argmax, link: .identity),
        "rank:ndcg": .init(transform: .identity, link: .identity),
        "rank:map": .init(transform: .identity, link: .identity),
        "rank:pairwise": .init(transform: .identity, link: .identity),
    ]

    /// The rule for `name`, and the warning to carry when there is none.
    static func rule(for name: String) -> (objective: XGBoostObjective, warning: String?) {
        if let objective = known[name] { return (objective, nil) }
        return (XGBoostObjective(transform: .identity, link: .identity),
                "objective \(name) is not one ShapDrift knows: attributions explain the raw margin, and base_score is taken as the margin offset as stored (identity link); if the objective has another link, the base value and every raw prediction are off by the same constant")
    }
}
