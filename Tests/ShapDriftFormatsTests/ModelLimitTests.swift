import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
import ShapDriftTestSupport

/// Model files that declare more than they hold, or hold values no sum can carry, are refused
/// with the file and key path before anything is sized by the declaration (`ModelLimits`,
/// `docs/format-rules.md` "Limits"); structures LightGBM's own loader would misread are refused
/// where they are mapped.
@Suite("Model limits and hostile structures")
struct ModelLimitTests {
    static let xgbModel = Fixtures.path("format_rules", "xgb_float32_boundary", "model.json")

    /// The XGBoost fixture as a JSON object, edited by `edit`, loaded; the error it gives.
    func xgboostError(_ edit: (inout [String: Any]) throws -> Void) throws -> InputError {
        var document = try xgboostDocument()
        try edit(&document)
        let bytes = [UInt8](try JSONSerialization.data(withJSONObject: document))
        return try #require(throws: InputError.self) { try ModelLoader().load(bytes: bytes, file: "m.json") }
    }

    func xgboostDocument() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.xgbModel))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Applies `edit` to `document[path[0]][path[1]]…`.
    func edit(_ document: inout [String: Any], _ path: [String], _ change: (inout [String: Any]) -> Void) {
        guard let key = path.first else { return change(&document) }
        var child = document[key] as? [String: Any] ?? [:]
        edit(&child, Array(path.dropFirst()), change)
        document[key] = child
    }

    /// A LightGBM model of one tree over features `a`, `b` (node 0 → node 1 and leaf 1; node 1 →
    /// leaves 0 and 2), with `replacements` applied line by line (`key=` → the given line; a
    /// replacement for `num_cat=` may hold several lines).
    func lightgbm(_ replacements: [String: String] = [:]) -> [UInt8] {
        let lines = [
            "tree", "version=v4", "num_class=1", "num_tree_per_iteration=1", "label_index=0", "max_feature_idx=1",
            "objective=regression", "feature_names=a b", "feature_infos=[-1:1] [-1:1]", "", "Tree=0", "num_leaves=3",
            "num_cat=0", "split_feature=0 1", "split_gain=1 1", "threshold=0.5 0.25", "decision_type=2 2",
            "left_child=1 -1", "right_child=-2 -3", "leaf_value=1 2 3", "leaf_weight=1 1 1", "leaf_count=10 10 40",
            "internal_value=0 0", "internal_weight=0 0", "internal_count=60 50", "is_linear=0", "shrinkage=1", "", "",
            "end of trees",
        ]
        let edited = lines.map { line in
            guard let equals = line.firstIndex(of: "=") else { return line }
            return replacements[String(line[...equals])] ?? line
        }
        return Array(edited.joined(separator: "\n").utf8)
    }

    func lightgbmError(_ replacements: [String: String]) throws -> InputError {
        let bytes = lightgbm(replacements)
        return try #require(throws: InputError.self) { try ModelLoader().load(bytes: bytes, file: "m.txt") }
    }

    /// A ShapDrift JSON tree ensemble of one tree (root → two leaves) with members overridden.
    func shapdrift(_ overrides: [String: Any] = [:], tree treeOverrides: [String: Any] = [:],
                   ensemble ensembleOverrides: [String: Any] = [:]) throws -> [UInt8] {
        var tree: [String: Any] = ["children_left": [1, -1, -1], "children_right": [2, -1, -1], "feature": [0, 0, 0],
                                   "threshold": [0.5, 0, 0], "cover": [10, 4, 6], "value": [[0], [1], [2]]]
        tree.merge(treeOverrides) { $1 }
        var ensemble: [String: Any] = ["split_rule": "float64_less_equal", "leaf_width": 1, "base_offset": [0.25], "trees": [tree]]
        ensemble.merge(ensembleOverrides) { $1 }
        var document: [String: Any] = ["format": "shapdrift", "schema_version": 1, "model_type": "tree_ensemble", "n_features": 2,
                                       "n_outputs": 1, "output_transform": "identity", "feature_names": ["x", "y"],
                                       "tree_ensemble": ensemble]
        document.merge(overrides) { $1 }
        return [UInt8](try JSONSerialization.data(withJSONObject: document))
    }

    func shapdriftError(_ overrides: [String: Any] = [:], tree: [String: Any] = [:], ensemble: [String: Any] = [:]) throws -> InputError {
        let bytes = try shapdrift(overrides, tree: tree, ensemble: ensemble)
        return try #require(throws: InputError.self) { try ModelLoader().load(bytes: bytes, file: "m.json") }
    }

    @Test("the hand-made files load as they are, so each refusal below is the edit's")
    func baselinesLoad() throws {
        _ = try ModelLoader().load(bytes: lightgbm(), file: "m.txt")
        _ = try ModelLoader().load(bytes: try shapdrift(), file: "m.json")
        _ = try ModelLoader().load(path: Self.xgbModel)
    }

    @Test("XGBoost: num_class far beyond the trees the file holds is refused before anything is sized by it")
    func xgboostOutputsBeyondTrees() throws {
        let error = try xgboostError { document in
            edit(&document, ["learner", "learner_model_param"]) { $0["num_class"] = "100000" }
        }
        #expect(error.file == "m.json" && error.field == "learner.learner_model_param.num_class")
        #expect(error.message.contains("declares 100000 outputs"), "\(error)")
    }

    @Test("a shape beyond the attribution values a row may hold is refused, in every format")
    func rowWidthLimit() throws {
        let xgboost = try xgboostError { document in
            edit(&document, ["learner", "learner_model_param"]) { $0["num_feature"] = "2147483647" }
        }
        #expect(xgboost.field == "learner.learner_model_param" && xgboost.message.contains("attribution values per row"))
        let shapdrift = try shapdriftError(["n_outputs": 300_000], ensemble: ["leaf_width": 300_000])
        #expect(shapdrift.field == "n_outputs" && shapdrift.message.contains("attribution values per row"))
        let huge = try lightgbmError(["max_feature_idx=": "max_feature_idx=9223372036854775807"])
        #expect(huge.line == 6 && huge.field == "max_feature_idx")
    }

    @Test("ShapDrift JSON: a leaf width the value rows do not hold is refused at the first short row")
    func shapdriftWideLeavesWithoutValues() throws {
        let error = try shapdriftError(["n_outputs": 100_000], ensemble: ["leaf_width": 100_000, "base_offset": [Double](repeating: 0, count: 100_000)])
        #expect(error.field == "tree_ensemble.trees[0].value[0]" && error.message.contains("expected 100000"), "\(error)")
    }

    @Test("an output no tree feeds is refused: the file does not hold the outputs it declares")
    func unfedOutput() throws {
        let error = try shapdriftError(["n_outputs": 3, "output_transform": "softmax"], ensemble: ["base_offset": [0, 0, 0]])
        #expect(error.field == "tree_ensemble" && error.message.contains("output 1 of 3 is fed by no tree"), "\(error)")
    }

    @Test("XGBoost: dense category bitsets past the model's budget are refused before they are allocated")
    func categoryBitsetBudget() throws {
        let error = try xgboostError { document in
            edit(&document, ["learner", "gradient_booster", "model"]) { model in
                var tree = (model["trees"] as? [[String: Any]] ?? [])[0]
                let nodes = (tree["left_children"] as? [Int] ?? []).count
                tree["split_type"] = [1] + [Int](repeating: 0, count: nodes - 1)
                tree["categories_nodes"] = [0]
                tree["categories_segments"] = [0]
                tree["categories_sizes"] = [1]
                tree["categories"] = [16_777_215]
                model["trees"] = [[String: Any]](repeating: tree, count: 40)
                model["tree_info"] = [Int](repeating: 0, count: 40)
                var parameters = model["gbtree_model_param"] as? [String: Any] ?? [:]
                parameters["num_trees"] = "40"
                model["gbtree_model_param"] = parameters
            }
        }
        // Each bitset up to category 2^24 − 1 takes 2^19 words: 32 fit in 2^24.
        #expect(error.field == "learner.gradient_booster.model.trees[32]" && error.message.contains("64 MiB"), "\(error)")
    }

    @Test("covers outside 2^-500...2^500 and children heavier than their parent are refused; covers that do not add up warn")
    func covers() throws {
        for cover in [[1e308, 4e307, 6e307], [1e-300, 4e-301, 6e-301]] {
            let error = try shapdriftError(tree: ["cover": cover])
            #expect(error.field == "tree_ensemble.trees[0]" && error.message.contains("node 0") && error.message.contains("2^-500"), "\(error)")
        }
        let heavy = try shapdriftError(tree: ["cover": [10, 12, 6]])
        #expect(heavy.message.contains("child node 1 has cover 12.0, more than its parent's 10.0"), "\(heavy)")
        let model = try ModelLoader().load(bytes: try shapdrift(tree: ["cover": [10, 3, 4]]), file: "m.json")
        #expect(model.warnings.count == 1 && model.warnings[0].contains("covers do not add up at 1 split(s)")
                && model.warnings[0].contains("tree 0, node 0: 10.0, but its children's covers sum to 7.0"), "\(model.warnings)")
        // LightGBM's counts are exact, XGBoost's float32 hessian sums are not.
        let lightgbm = try ModelLoader().load(bytes: lightgbm(["leaf_count=": "leaf_count=10 10 39"]), file: "m.txt")
        #expect(lightgbm.warnings.count == 1)
        #expect(try ModelLoader().load(path: Self.xgbModel).warnings.isEmpty)
    }

    @Test("values whose sums could overflow are refused with the key path: leaves, base offsets, linear parameters")
    func magnitudes() throws {
        let leaf = try shapdriftError(tree: ["value": [[0], [1e308], [2]]])
        #expect(leaf.field == "tree_ensemble.trees[0]" && leaf.message.contains("node 1: leaf value 1e+308 exceeds 2^500"), "\(leaf)")
        let base = try shapdriftError(ensemble: ["base_offset": [1e200]])
        #expect(base.field == "tree_ensemble" && base.message.contains("base offset 1e+200 exceeds 2^500"), "\(base)")
        let lightgbm = try lightgbmError(["leaf_value=": "leaf_value=1 1e308 3"])
        #expect(lightgbm.line == 11 && lightgbm.field == "Tree=0" && lightgbm.message.contains("exceeds 2^500"), "\(lightgbm)")
        for (member, values) in [("coefficients", [[1e308, 1]] as Any), ("feature_means", [1e300, 0] as Any)] {
            var linear: [String: Any] = ["coefficients": [[1, 2]], "intercept": [0], "feature_means": [0, 0]]
            linear[member] = values
            let document: [String: Any] = ["format": "shapdrift", "schema_version": 1, "model_type": "linear", "n_features": 2,
                                           "n_outputs": 1, "output_transform": "identity", "linear": linear]
            let bytes = [UInt8](try JSONSerialization.data(withJSONObject: document))
            let error = try #require(throws: InputError.self) { try ModelLoader().load(bytes: bytes, file: "m.json") }
            #expect(error.field == "linear" && error.message.contains("exceeds 2^500"), "\(error)")
        }
    }

    @Test("LightGBM: a child index past the tree's nodes, of any layout, is refused where it is mapped")
    func lightgbmChildIndices() throws {
        let inner = try lightgbmError(["left_child=": "left_child=19 -1"])
        #expect(inner.line == 18 && inner.field == "left_child[0]" && inner.message.contains("internal child 19 is out of range"), "\(inner)")
        let leaf = try lightgbmError(["right_child=": "right_child=-2 -9"])
        #expect(leaf.line == 19 && leaf.field == "right_child[1]" && leaf.message.contains("leaf child -9"), "\(leaf)")
        let wrapped = try lightgbmError(["left_child=": "left_child=4294967295 -1"])
        #expect(wrapped.line == 18 && wrapped.field == "left_child[0]" && wrapped.message.contains("-2147483648...2147483647"), "\(wrapped)")
        let cycle = try lightgbmError(["left_child=": "left_child=1 0"])
        #expect(cycle.field == "Tree=0" && cycle.message.contains("reached twice"), "\(cycle)")
        let type = try lightgbmError(["decision_type=": "decision_type=2 258"])
        #expect(type.field == "decision_type[1]", "\(type)")
        let classes = try lightgbmError(["num_class=": "num_class=100000"])
        #expect(classes.line == 3 && classes.message.contains("differs from num_tree_per_iteration"), "\(classes)")
    }

    @Test("LightGBM: a categorical split naming a set far out of range is refused, not trapped on")
    func lightgbmCategorySetIndex() throws {
        let error = try lightgbmError(["decision_type=": "decision_type=3 2", "threshold=": "threshold=1e300 0.25",
                                       "num_cat=": "num_cat=1\ncat_boundaries=0 1\ncat_threshold=5"])
        #expect(error.field == "threshold[0]" && error.message.contains("category set"), "\(error)")
    }

    @Test("a feature name that appears twice in a model is refused, in every format")
    func duplicateModelNames() throws {
        let xgboost = try xgboostError { document in
            edit(&document, ["learner"]) { $0["feature_names"] = ["a", "a"] }
        }
        #expect(xgboost.field == "learner.feature_names[1]" && xgboost.message.contains("'a' appears twice"), "\(xgboost)")
        let lightgbm = try lightgbmError(["feature_names=": "feature_names=a a"])
        #expect(lightgbm.line == 8 && lightgbm.field == "feature_names[1]" && lightgbm.message.contains("appears twice"), "\(lightgbm)")
        let shapdrift = try shapdriftError(["feature_names": ["x", "x"]])
        #expect(shapdrift.field == "feature_names[1]" && shapdrift.message.contains("appears twice"), "\(shapdrift)")
    }

    @Test("LightGBM names are the model's own unless they are exactly the Column_0, Column_1, … placeholders")
    func lightgbmPlaceholderNames() throws {
        #expect(try ModelLoader().load(bytes: lightgbm(["feature_names=": "feature_names=Column_0 Column_1"]), file: "m.txt").featureNames == nil)
        #expect(try ModelLoader().load(bytes: lightgbm(["feature_names=": "feature_names=Column_1 Column_0"]), file: "m.txt").featureNames
                == ["Column_1", "Column_0"])
    }

    @Test("LightGBM without an objective line (a custom objective) explains the raw score; an unknown objective too, with a warning")
    func lightgbmCustomObjective() throws {
        let text = String(decoding: lightgbm(), as: UTF8.self).replacingOccurrences(of: "objective=regression\n", with: "")
        let model = try ModelLoader().load(bytes: Array(text.utf8), file: "m.txt")
        #expect(model.objective == "custom" && model.transform == .identity && model.warnings.isEmpty)
        let unknown = try ModelLoader().load(bytes: lightgbm(["objective=": "objective=madeup alpha:0.3"]), file: "m.txt")
        #expect(unknown.transform == .identity && unknown.warnings.count == 1 && unknown.warnings[0].contains("objective madeup"))
        let alias = try ModelLoader().load(bytes: lightgbm(["objective=": "objective=xentlambda"]), file: "m.txt")
        #expect(alias.transform == .softplus && alias.warnings.isEmpty)
        let squared = try ModelLoader().load(bytes: lightgbm(["objective=": "objective=regression sqrt"]), file: "m.txt")
        #expect(squared.transform == .signedSquare)
    }

    @Test("XGBoost DART: a weight list that does not give every tree a weight is refused")
    func dartWeightCount() throws {
        let error = try xgboostError { document in
            edit(&document, ["learner", "gradient_booster", "model"]) { $0["weight_drop"] = [0.5] }
        }
        #expect(error.field == "learner.gradient_booster.model.weight_drop" && error.message.contains("1 weights for 4 trees"), "\(error)")
    }
}
