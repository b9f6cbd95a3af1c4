import Foundation
import ShapDriftCore

/// Reads an XGBoost model saved with `Booster.save_model("model.json")` (xgboost 1.x to 3.x).
///
/// The rules it maps (see `docs/format-rules.md`): splits `Float(x) < Float(threshold)`, missing
/// values follow `default_left`, a leaf's value is its `split_conditions` entry, covers are
/// `sum_hessian`, `base_score` is stored in the objective's output space (a number, or an array
/// string such as `"[6.274165E-1]"` with one value per output in xgboost 3) and is turned into
/// margin space through the objective's link (`XGBoostObjective`), `tree_info[i]` names the
/// output of tree `i`, and DART's `weight_drop[i]` scales tree `i`.
package struct XGBoostJSONLoader {
    package init() {}

    package func load(document: JSONValue, file: String) throws(InputError) -> Model {
        let root = JSONReading(file: file, value: document)
        let learner = try root.member("learner")
        let objectiveName = try learner.member("objective").member("name").string()
        let (objective, objectiveWarning) = XGBoostObjective.rule(for: objectiveName)
        let booster = try treeBooster(learner.member("gradient_booster"))
        let parameters = try learner.member("learner_model_param")
        let numFeaturesField = try parameters.member("num_feature")
        let numFeatures = try numFeaturesField.integer(in: 1...Int(Int32.max))
        let numClassField = try parameters.member("num_class")
        let numClass = try numClassField.integer(in: 0...Int(Int32.max))
        let numTarget = try parameters.optionalMember("num_target")?.integer(in: 1...Int(Int32.max)) ?? 1
        let numOutputs = max(numClass, numTarget, 1)
        if let problem = ModelLimits.shapeProblem(numFeatures: numFeatures, numOutputs: numOutputs) {
            throw parameters.fail(problem)
        }
        let trees = try booster.model.member("trees").array()
        // Every output is fed by its own trees, so a file holds at least one tree per output it
        // declares; checked before anything is sized by the declaration.
        guard numOutputs <= max(1, trees.count) else {
            throw numClassField.fail("the model declares \(numOutputs) outputs (num_class \(numClass), num_target \(numTarget)) but has only \(trees.count) tree(s)")
        }
        let baseOffset = try marginBaseScore(parameters.member("base_score"), link: objective.link, numOutputs: numOutputs)
        let treeInfo = try booster.model.member("tree_info").integers(count: trees.count)
        let weights = try treeWeights(booster.weights, treeCount: trees.count)

        var builder = TreeEnsembleBuilder(semantics: .xgboost, numFeatures: numFeatures, numOutputs: numOutputs)
        var categoryWords = 0
        for (index, tree) in trees.enumerated() {
            var nodes = try readTree(tree, categoryWords: &categoryWords)
            if let weights {
                // DART: prediction and pred_contribs weigh tree i by weight_drop[i] (float32), its
                // leaves unscaled in the file (`cpu_predictor.cc`, `interpretability/shap.cc`).
                nodes.leafValues = nodes.leafValues.map { $0 * weights[index] }
            }
            do {
                try builder.addTree(nodes, output: Int(treeInfo[index]))
            } catch {
                throw tree.fail(error.description)
            }
        }
        let ensemble: TreeEnsemble
        do {
            ensemble = try builder.build(baseOffset: baseOffset)
        } catch {
            throw parameters.fail(error.description)
        }

        // A model trained on an array without names has `feature_names: []`.
        var featureNames: [String]? = nil
        if let namesField = try learner.optionalMember("feature_names") {
            let names = try namesField.strings()
            if !names.isEmpty {
                guard names.count == numFeatures else {
                    throw namesField.fail("has \(names.count) names for \(numFeatures) features")
                }
                try FeatureNameRules.checkUnique(names, in: namesField)
                featureNames = names
            }
        }
        let stoppingWarning = try earlyStoppingWarning(learner: learner, model: booster.model, trees: trees.count, numOutputs: numOutputs)
        return Model(format: .xgboostJSON, objective: objectiveName, transform: objective.transform,
                     featureNames: featureNames, predictor: .trees(ensemble),
                     warnings: (objectiveWarning.map { [$0] } ?? []) + (stoppingWarning.map { [$0] } ?? []) + builder.warnings,
                     fingerprint: "")
    }

    /// A warning when the file records early stopping before its last round. Training with
    /// `early_stopping_rounds` keeps the rounds after the best one and stores
    /// `learner.attributes.best_iteration`; `Booster.predict` (and ShapDrift, and SageMaker's
    /// XGBoost container) use every round, while the scikit-learn wrapper's `predict` stops at the
    /// best one (`iteration_range=(0, best_iteration + 1)`, `python-package/xgboost/sklearn.py`).
    /// Which of the two models the endpoint serves is not in the file, so the explained one is
    /// named. A round is `num_parallel_tree` trees per output.
    private func earlyStoppingWarning(learner: JSONReading, model: JSONReading, trees: Int, numOutputs: Int) throws(InputError) -> String? {
        guard let text = try learner.optionalMember("attributes")?.optionalMember("best_iteration")?.string(),
              let best = Int(text), best >= 0 else { return nil }
        let parallel = try model.optionalMember("gbtree_model_param")?.optionalMember("num_parallel_tree")?.integer(in: 1...Int(Int32.max)) ?? 1
        let (perRound, overflow) = parallel.multipliedReportingOverflow(by: numOutputs)
        guard !overflow, trees % perRound == 0 else { return nil }
        let rounds = trees / perRound
        guard best + 1 < rounds else { return nil }
        return "the model was trained with early stopping: its best round is \(best + 1) of the \(rounds) it holds "
            + "(attributes.best_iteration \(best)). ShapDrift explains all \(rounds) rounds, as Booster.predict does; the "
            + "scikit-learn wrapper's predict uses the first \(best + 1). If the endpoint serves those, save "
            + "booster[:\(best + 1)] and explain that file"
    }

    /// The tree model of a tree booster and its DART weights, if any. xgboost 3 saves DART as
    /// `gbtree` with `model.weight_drop`; xgboost 1.x–2.x wrote `{"name": "dart", "gbtree":
    /// {…}, "weight_drop": […]}`; `GBTree::LoadModel` (`src/gbm/gbtree.cc`) reads both, and a
    /// `weight_drop` beside a `gbtree` model.
    private func treeBooster(_ booster: JSONReading) throws(InputError) -> (model: JSONReading, weights: JSONReading?) {
        let nameField = try booster.member("name")
        switch try nameField.string() {
        case "gbtree":
            let model = try booster.member("model")
            return (model, try weightsField(beside: booster, in: model))
        case "dart":
            let model = try booster.member("gbtree").member("model")
            return (model, try weightsField(beside: booster, in: model))
        case "gblinear":
            throw nameField.fail("booster gblinear is a linear model, and ShapDrift explains XGBoost tree boosters: train with booster=\"gbtree\", or fit a scikit-learn linear model and export it with shapdrift_export")
        case let other:
            throw nameField.fail("unsupported booster \(other), supported: gbtree (and dart)")
        }
    }

    /// `weight_drop` beside the tree model (older files; read last by `GBTree::LoadModel`, so it
    /// wins) or inside it.
    private func weightsField(beside booster: JSONReading, in model: JSONReading) throws(InputError) -> JSONReading? {
        if let beside = try booster.optionalMember("weight_drop") { return beside }
        return try model.optionalMember("weight_drop")
    }

    /// DART's per-tree weights as float32 values widened, or `nil` when there are none (an empty
    /// list, as xgboost's `TreeWeights()`, means every tree weighs 1).
    private func treeWeights(_ field: JSONReading?, treeCount: Int) throws(InputError) -> [Double]? {
        guard let field else { return nil }
        let values = try field.numbers()
        if values.isEmpty { return nil }
        // xgboost checks `weight_drop.size() <= trees.size()` and then reads one weight per tree.
        guard values.count == treeCount else {
            throw field.fail("has \(values.count) weights for \(treeCount) trees: DART weighs every tree")
        }
        for (index, value) in values.enumerated() where !value.isFinite || abs(value) > Double(Float.greatestFiniteMagnitude) {
            throw InputError(file: field.file, field: "\(field.path)[\(index)]", "tree weight \(value) is not a finite float32")
        }
        return values.map { Double(Float($0)) }
    }

    /// `base_score` in margin space, one value per output.
    private func marginBaseScore(_ field: JSONReading, link: XGBoostObjective.BaseScoreLink, numOutputs: Int) throws(InputError) -> [Double] {
        var values: [Double]
        if case .number(let number) = field.value {
            values = [number]
        } else {
            let text = try field.string().trimmingCharacters(in: .whitespaces)
            let inner = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
            values = []
            for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
                guard let number = parseDouble(part.trimmingCharacters(in: .whitespaces)) else {
                    throw field.fail("expected a number or an array of numbers such as \"[5E-1]\", found \"\(text)\"")
                }
                values.append(number)
            }
        }
        if values.count == 1, numOutputs > 1 { values = Array(repeating: values[0], count: numOutputs) }
        guard values.count == numOutputs else {
            throw field.fail("has \(values.count) values for \(numOutputs) outputs")
        }
        // xgboost keeps the base score as float32.
        let margins = link.margins(values.map { Double(Float($0)) })
        if let bad = zip(values, margins).first(where: { !$0.1.isFinite }) {
            throw field.fail("base score \(bad.0) has no finite margin under the objective's link")
        }
        return margins
    }

    private func readTree(_ tree: JSONReading, categoryWords: inout Int) throws(InputError) -> TreeNodes {
        let parameters = try tree.member("tree_param")
        let count = try parameters.member("num_nodes").integer(in: 1...Int(Int32.max))
        if let leafVector = try parameters.optionalMember("size_leaf_vector"), try leafVector.integer() > 1 {
            throw leafVector.fail("vector-leaf trees (multi_strategy=\"multi_output_tree\") are not supported: train with multi_strategy=\"one_output_per_tree\" (the default), one tree per output, which ShapDrift explains exactly")
        }
        let left = try tree.member("left_children").integers(count: count)
        let right = try tree.member("right_children").integers(count: count)
        let splitIndices = try tree.member("split_indices").integers(count: count)
        let conditions = try tree.member("split_conditions").numbers(count: count)
        let defaultLeft = try tree.member("default_left").integers(count: count)
        let hessian = try tree.member("sum_hessian").numbers(count: count)
        let splitType = try tree.optionalMember("split_type")?.integers(count: count) ?? []

        var nodes = TreeNodes(
            left: left, right: right, feature: splitIndices,
            threshold: conditions.map { Double(Float($0)) },
            flags: defaultLeft.map { $0 != 0 ? TreeEnsemble.defaultLeftFlag : 0 },
            cover: hessian.map { Double(Float($0)) },
            leafValues: conditions.map { Double(Float($0)) })
        if splitType.contains(where: { $0 != 0 }) {
            try readCategories(tree, splitType: splitType, into: &nodes, words: &categoryWords)
        }
        return nodes
    }

    /// Categorical splits: `categories_nodes[i]` has the category values
    /// `categories[categories_segments[i] ..< + categories_sizes[i]]`; they become a bitset as
    /// long as the largest, all of the model's within `ModelLimits.maximumCategoryWords` (`words`
    /// counts them), checked before each is allocated.
    private func readCategories(_ tree: JSONReading, splitType: [Int32], into nodes: inout TreeNodes,
                                words total: inout Int) throws(InputError) {
        let categoryNodes = try tree.member("categories_nodes").integers()
        let segments = try tree.member("categories_segments").integers(count: categoryNodes.count)
        let sizes = try tree.member("categories_sizes").integers(count: categoryNodes.count)
        let categories = try tree.member("categories").integers()
        for (index, node) in categoryNodes.enumerated() {
            let start = Int(segments[index])
            let end = start + Int(sizes[index])
            guard (0..<splitType.count).contains(Int(node)), start >= 0, sizes[index] >= 0, end <= categories.count else {
                throw tree.fail("categories_nodes[\(index)]: node \(node) or segment \(start)..<\(end) is out of range")
            }
            let segment = categories[start..<end]
            if let bad = segment.first(where: { !(0..<16_777_216).contains($0) }) {
                throw tree.fail("categories: category \(bad) is out of range 0..<2^24")
            }
            let wordCount = segment.max().map { Int($0) / 32 + 1 } ?? 0
            guard wordCount <= ModelLimits.maximumCategoryWords - total else {
                throw tree.fail("categories_nodes[\(index)]: a bitset up to category \(segment.max() ?? 0) would take the model's category bitsets past \(ModelLimits.maximumCategoryWords) words (64 MiB)")
            }
            total += wordCount
            var words = [UInt32](repeating: 0, count: wordCount)
            for category in segment {
                words[Int(category) >> 5] |= 1 << UInt32(category & 31)
            }
            nodes.categories[Int(node)] = words
        }
        for node in 0..<splitType.count where splitType[node] != 0 {
            nodes.flags[node] |= TreeEnsemble.categoricalFlag
        }
    }
}
