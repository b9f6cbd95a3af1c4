import ShapDriftCore

/// What a LightGBM objective means for explaining its model: LightGBM folds the boosting start
/// score into the first trees' leaves (`GBDT::BoostFromAverage`, `Tree::AddBias` in
/// `src/boosting/gbdt.cpp`), so there is no base-score link; the objective decides only how the
/// raw score becomes the prediction (`ObjectiveFunction::ConvertOutput`, the identity unless
/// overridden; sources under `src/objective/`).
///
/// The `objective=` line is the objective's `ToString()`: its name, then parameters such as
/// `sigmoid:1`, `num_class:3` or `sqrt`. A model trained with a custom objective has no such line
/// (`GBDT::SaveModelToString` writes it only when there is an objective function), and LightGBM
/// then predicts the raw score. An objective this table does not know is explained in the raw
/// score, and says so in a warning.
struct LightGBMObjective {
    let transform: OutputTransform
    let warning: String?

    /// LightGBM's objective aliases (`ParseObjectiveAlias` in `include/LightGBM/config.h`).
    static let aliases: [String: String] = [
        "regression_l2": "regression", "mean_squared_error": "regression", "mse": "regression", "l2": "regression",
        "l2_root": "regression", "root_mean_squared_error": "regression", "rmse": "regression",
        "mean_absolute_error": "regression_l1", "l1": "regression_l1", "mae": "regression_l1",
        "softmax": "multiclass", "multiclass_ova": "multiclassova", "ova": "multiclassova", "ovr": "multiclassova",
        "xentropy": "cross_entropy", "xentlambda": "cross_entropy_lambda", "mean_absolute_percentage_error": "mape",
        "xendcg": "rank_xendcg", "xe_ndcg": "rank_xendcg", "xe_ndcg_mart": "rank_xendcg", "xendcg_mart": "rank_xendcg",
        "none": "custom", "null": "custom", "na": "custom",
    ]

    /// The objective of the `objective=` line's value `line`, for a model of `outputs` outputs.
    /// - Throws: a message when the line contradicts itself or the model (LightGBM refuses it too).
    static func parse(_ line: Substring, outputs: Int) throws(ObjectiveLineError) -> LightGBMObjective {
        let tokens = line.split(separator: " ").map(String.init)
        guard let first = tokens.first else { throw ObjectiveLineError("the objective line is empty") }
        let name = aliases[first] ?? first
        var parameters: [String: String] = [:]
        for token in tokens.dropFirst() {
            let parts = token.split(separator: ":", maxSplits: 1).map(String.init)
            parameters[parts[0]] = parts.count == 2 ? parts[1] : ""
        }
        let sqrt = parameters["sqrt"] != nil
        switch name {
        case "regression", "regression_l1", "quantile", "mape", "fair":
            // `RegressionL2loss::ConvertOutput` (inherited): sign(r)·r² with `reg_sqrt`.
            return LightGBMObjective(transform: sqrt ? .signedSquare : .identity, warning: nil)
        case "huber", "lambdarank", "rank_xendcg", "custom":
            // Huber disables `sqrt` when it is loaded (`RegressionHuberLoss`); ranking and custom
            // objectives return the raw score.
            return LightGBMObjective(transform: .identity, warning: nil)
        case "poisson", "gamma", "tweedie":
            // `RegressionPoissonLoss::ConvertOutput` (inherited by gamma and Tweedie): e^r.
            return LightGBMObjective(transform: .exponential, warning: nil)
        case "binary", "multiclassova":
            // `BinaryLogloss`, `MulticlassOVA`: 1/(1 + e^(−σ·r)) per output; both refuse a
            // missing or non-positive σ when loaded.
            guard let text = parameters["sigmoid"], let sigmoid = parseDouble(text), sigmoid.isFinite, sigmoid > 0 else {
                throw ObjectiveLineError("\(name) needs a positive sigmoid:σ parameter, found \(parameters["sigmoid"].map { "sigmoid:\($0)" } ?? "none")")
            }
            if name == "multiclassova" { try checkClasses(parameters, outputs: outputs, name: name) }
            return LightGBMObjective(transform: .logistic(sigmoid: sigmoid), warning: nil)
        case "multiclass":
            try checkClasses(parameters, outputs: outputs, name: name)
            return LightGBMObjective(transform: .softmax, warning: nil)
        case "cross_entropy":
            // `CrossEntropy::ConvertOutput`: 1/(1 + e^(−r)).
            return LightGBMObjective(transform: .logistic, warning: nil)
        case "cross_entropy_lambda":
            // `CrossEntropyLambda::ConvertOutput`: log(1 + e^r), an intensity, not a probability.
            return LightGBMObjective(transform: .softplus, warning: nil)
        default:
            return LightGBMObjective(
                transform: .identity,
                warning: "objective \(first) is not one ShapDrift knows: attributions explain the raw score, and the prediction is taken to be the raw score (identity transform)")
        }
    }

    /// The `num_class:` parameter must name the model's outputs (`MulticlassSoftmax`,
    /// `MulticlassOVA` read it; the trees per iteration follow it).
    private static func checkClasses(_ parameters: [String: String], outputs: Int, name: String) throws(ObjectiveLineError) {
        guard let text = parameters["num_class"], let classes = Int(text) else {
            throw ObjectiveLineError("\(name) needs a num_class:N parameter")
        }
        guard classes == outputs else {
            throw ObjectiveLineError("\(name) says num_class:\(classes), but the model has \(outputs) trees per iteration")
        }
    }

    /// Why an objective line cannot be read.
    struct ObjectiveLineError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }
}
