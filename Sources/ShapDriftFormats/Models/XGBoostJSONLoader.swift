import Foundation
import ShapDriftCore

/// Reads an XGBoost model saved with `Booster.save_model("model.json")` (xgboost 1.x to 3.x).
///
/// The rules it maps (see `docs/format-rules.md`): splits `Float(x) < Float(threshold)`, missing
/// values follow `default_left`, a leaf's value is its `split_conditions` entry, covers are
/// `sum_hessian`, `base_score` is stored in the objective's output space (a number, or an array
/// string such as `"[6.274165E-1]"` with one value per class in xgboost 3) and is turned into
/// margin space through the objective's link, and `tree_info[i]` names the output of tree `i`.
package struct XGBoostJSONLoader {
    /// Objectives whose raw margin ShapDrift explains, with their output transform and the link
    /// that maps `base_score` into margin space.
    static let objectives: [String: (transform: OutputTransform, link: BaseScoreLink)] = [
        "reg:squarederror": (.identity, .identity),
        "reg:linear": (.identity, .identity),
        "reg:logistic": (.logistic, .logit),
        "binary:logistic": (.logistic, .logit),
        "binary:logitraw": (.identity, .identity),
        "multi:softprob": (.softmax, .identity),
        "multi:softmax": (.softmax, .identity),
        "count:poisson": (.exponential, .log),
        "reg:tweedie": (.exponential, .log),
        "reg:gamma": (.exponential, .log),
    ]

    enum BaseScoreLink {
        case identity, logit, log

        func apply(_ value: Double) -> Double {
            switch self {
            case .identity: return value
            case .logit: return -Foundation.log(1 / value - 1)
            case .log: return Foundation.log(value)
            }
        }
    }

    package init() {}

    package func load(document: JSONValue, file: String) throws(InputError) -> Model {
        let root = JSONReading(file: file, value: document)
        let learner = try root.member("learner")
        let objective = try learner.member("objective").member("name").string()
        guard let rule = Self.objectives[objective] else {
            throw InputError(file: file, field: "learner.objective.name",
                             "unsupported objective \(objective), supported: \(Self.objectives.keys.sorted().joined(separator: ", "))")
        }
        let booster = try learner.member("gradient_booster")
        let boosterName = try booster.member("name").string()
        guard boosterName == "gbtree" else {
            throw InputError(file: file, field: "learner.gradient_booster.name",
                             "unsupported booster \(boosterName), supported: gbtree")
        }
        let parameters = try learner.member("learner_model_param")
        let numFeatures = try parameters.member("num_feature").integer(in: 1...Int(Int32.max))
        let numClass = try parameters.member("num_class").integer(in: 0...100_000)
        let numTarget = try parameters.optionalMember("num_target")?.integer(in: 1...100_000) ?? 1
        let numOutputs = max(numClass, numTarget, 1)
        let baseOffset = try marginBaseScore(parameters.member("base_score"), link: rule.link, numOutputs: numOutputs)

        let model = try booster.member("model")
        let trees = try model.member("trees").array()
        let treeInfo = try model.member("tree_info").integers(count: trees.count)
        var builder = TreeEnsembleBuilder(semantics: .xgboost, numFeatures: numFeatures, numOutputs: numOutputs)
        for (index, tree) in trees.enumerated() {
            let nodes = try readTree(tree)
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

        var featureNames: [String]? = nil
        if let names = try learner.optionalMember("feature_names")?.strings(), !names.isEmpty {
            guard names.count == numFeatures else {
                throw InputError(file: file, field: "learner.feature_names",
                                 "has \(names.count) names for \(numFeatures) features")
            }
            featureNames = names
        }
        return Model(format: .xgboostJSON, objective: objective, transform: rule.transform,
                     featureNames: featureNames, predictor: .trees(ensemble), fingerprint: "")
    }

    /// `base_score` in margin space, one value per output.
    private func marginBaseScore(_ field: JSONReading, link: BaseScoreLink, numOutputs: Int) throws(InputError) -> [Double] {
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
        let margins = values.map { link.apply(Double(Float($0))) }
        if let bad = zip(values, margins).first(where: { !$0.1.isFinite }) {
            throw field.fail("base score \(bad.0) has no finite margin under the objective's link")
        }
        return margins
    }

    private func readTree(_ tree: JSONReading) throws(InputError) -> TreeNodes {
        let parameters = try tree.member("tree_param")
        let count = try parameters.member("num_nodes").integer(in: 1...Int(Int32.max))
        if let leafVector = try parameters.optionalMember("size_leaf_vector"), try leafVector.integer() > 1 {
            throw leafVector.fail("vector-leaf trees (multi_strategy=\"multi_output_tree\") are not supported")
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
            try readCategories(tree, splitType: splitType, into: &nodes)
        }
        return nodes
    }

    /// Categorical splits: `categories_nodes[i]` has the category values
    /// `categories[categories_segments[i] ..< + categories_sizes[i]]`; they become a bitset.
    private func readCategories(_ tree: JSONReading, splitType: [Int32], into nodes: inout TreeNodes) throws(InputError) {
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
            var words = [UInt32]()
            for category in categories[start..<end] {
                guard (0..<16_777_216).contains(category) else {
                    throw tree.fail("categories: category \(category) is out of range 0..<2^24")
                }
                let word = Int(category) >> 5
                if words.count <= word { words.append(contentsOf: repeatElement(0, count: word + 1 - words.count)) }
                words[word] |= 1 << UInt32(category & 31)
            }
            nodes.categories[Int(node)] = words
        }
        for node in 0..<splitType.count where splitType[node] != 0 {
            nodes.flags[node] |= TreeEnsemble.categoricalFlag
        }
    }
}
