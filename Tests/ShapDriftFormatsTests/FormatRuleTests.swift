import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftAttribution
import ShapDriftTestSupport

/// Each format rule pinned by a small real export (made by `Fixtures/make_format_rule_models.py`
/// with xgboost 3.4.1 and LightGBM 4.7.0); the references are the native libraries' own raw
/// predictions and SHAP values on rows chosen to exercise the rule.
@Suite("Format rules, pinned with real exports")
struct FormatRuleTests {
    struct RuleCase: CustomTestStringConvertible, Sendable {
        let name: String
        let classes: Int
        var isXGBoost: Bool { name.hasPrefix("xgb") }
        var modelPath: String { Fixtures.path("format_rules", name, isXGBoost ? "model.json" : "model.txt") }
        var dataPath: String { Fixtures.path("format_rules", name, "data.csv") }
        var testDescription: String { name }
        func path(_ file: String) -> String { Fixtures.path("format_rules", name, file) }
    }

    static let cases: [RuleCase] = [
        .init(name: "xgb_float32_boundary", classes: 1), .init(name: "xgb_default_left", classes: 1),
        .init(name: "xgb_base_score_array", classes: 1), .init(name: "xgb_base_score_plain", classes: 1),
        .init(name: "xgb_poisson", classes: 1), .init(name: "xgb_multiclass", classes: 3),
        .init(name: "lgbm_categorical_missing", classes: 1), .init(name: "lgbm_multiclass", classes: 3),
        .init(name: "xgb_categorical", classes: 1), .init(name: "lgbm_zero_missing_type", classes: 1),
        .init(name: "lgbm_zero_input", classes: 1), .init(name: "lgbm_sigmoid", classes: 1), .init(name: "lgbm_reg_sqrt", classes: 1),
        .init(name: "lgbm_custom_objective", classes: 1), .init(name: "xgb_early_stopping", classes: 1),
    ]

    @Test("predictions and attributions agree with the native library", arguments: cases)
    func agreesWithNativeLibrary(_ rule: RuleCase) throws {
        let (model, batch) = try loadModelAndData(model: rule.modelPath, data: rule.dataPath)
        let raw = try RawPredictor(model: model).predict(batch)
        let native = try ReferenceTable(path: rule.path("predictions.csv"))
        let attributions = try Explainer(model: model).explain(batch)
        for output in 0..<rule.classes {
            let expected = try #require(native.column(rule.classes > 1 ? "raw_output_class\(output)" : "raw_output"))
            for (row, value) in expected.enumerated() {
                let tolerance = rule.isXGBoost ? 1e-5 * max(1, abs(value)) : 1e-12 * max(1, abs(value))
                #expect(abs(raw[row * rule.classes + output] - value) <= tolerance, "row \(row), output \(output)")
            }
            let reference = try ReferenceTable(path: rule.path(rule.classes > 1 ? "contribs_class\(output).csv" : "contribs.csv"))
            let result = compareAttributions(attributions, output: output, featureNames: model.displayFeatureNames, reference: reference)
            #expect(result.problems.isEmpty, "\(result.problems)")
            let tolerance = rule.isXGBoost ? max(1e-5, 1e-5 * result.scale) : 1e-9 * max(1, result.scale)
            #expect(result.featureError <= tolerance)
            #expect(result.baseError <= tolerance)
        }
    }

    @Test("XGBoost compares in float32: a double just below the threshold that rounds to it goes right")
    func xgboostFloat32Boundary() throws {
        let rule = Self.cases[0]
        let (model, batch) = try loadModelAndData(model: rule.modelPath, data: rule.dataPath)
        guard case .trees(let ensemble) = model.predictor else { throw TestFailure("expected trees") }
        let root = Int(ensemble.treeRoot[0])
        let feature = Int(ensemble.feature[root])
        // Rows: exactly on the threshold, a double below it that is the same float32, the next float32 below.
        #expect(batch[0, feature] == ensemble.threshold[root])
        #expect(batch[1, feature] < ensemble.threshold[root])
        #expect(!ensemble.goesLeft(node: root, value: batch[0, feature]))
        #expect(!ensemble.goesLeft(node: root, value: batch[1, feature]))
        #expect(ensemble.goesLeft(node: root, value: batch[2, feature]))
    }

    @Test("XGBoost missing values follow default_left, and the export has splits of both directions")
    func xgboostDefaultLeft() throws {
        let rule = Self.cases[1]
        let (model, batch) = try loadModelAndData(model: rule.modelPath, data: rule.dataPath)
        guard case .trees(let ensemble) = model.predictor else { throw TestFailure("expected trees") }
        let splits = ensemble.left.indices.filter { ensemble.left[$0] >= 0 }
        let defaultLeft = splits.filter { ensemble.flags[$0] & TreeEnsemble.defaultLeftFlag != 0 }
        #expect(!defaultLeft.isEmpty && defaultLeft.count < splits.count)
        for node in splits {
            #expect(ensemble.goesLeft(node: node, value: .nan) == defaultLeft.contains(node))
        }
        #expect((0..<model.numFeatures).allSatisfy { batch[0, $0].isNaN })
    }

    @Test("XGBoost base_score as an array string and as a plain number becomes logit(p) in margin space")
    func xgboostBaseScoreForms() throws {
        let plain = try ModelLoader().load(path: Self.cases[3].modelPath)
        guard case .trees(let plainTrees) = plain.predictor else { throw TestFailure("expected trees") }
        #expect(abs(plainTrees.baseOffset[0] - log(Double(Float(0.35)) / (1 - Double(Float(0.35))))) < 1e-15)

        let arrayModel = try ModelLoader().load(path: Self.cases[2].modelPath)
        guard case .trees(let arrayTrees) = arrayModel.predictor else { throw TestFailure("expected trees") }
        let text = try String(contentsOfFile: Self.cases[2].modelPath, encoding: .utf8)
        let stored = try #require(text.firstMatch(of: /"base_score":\s*"\[([^\]]+)\]"/)).1
        let probability = Double(Float(try #require(Double(stored))))
        #expect(abs(arrayTrees.baseOffset[0] - log(probability / (1 - probability))) < 1e-15)
    }

    @Test("XGBoost count:poisson turns base_score into margin space with log")
    func xgboostPoissonLink() throws {
        let model = try ModelLoader().load(path: Self.cases[4].modelPath)
        guard case .trees(let trees) = model.predictor else { throw TestFailure("expected trees") }
        let text = try String(contentsOfFile: Self.cases[4].modelPath, encoding: .utf8)
        let stored = try #require(text.firstMatch(of: /"base_score":\s*"\[([^\]]+)\]"/)).1
        #expect(abs(trees.baseOffset[0] - log(Double(Float(try #require(Double(stored)))))) < 1e-15)
        #expect(model.transform == .exponential)
    }

    @Test("multi-class trees are grouped by tree_info (XGBoost) and interleaved by class (LightGBM)")
    func multiClassGrouping() throws {
        for rule in [Self.cases[5], Self.cases[7]] {
            let model = try ModelLoader().load(path: rule.modelPath)
            guard case .trees(let trees) = model.predictor else { throw TestFailure("expected trees") }
            #expect(model.numOutputs == 3)
            #expect(trees.treeOutput == (0..<trees.treeCount).map { Int32($0 % 3) })
        }
    }

    @Test("LightGBM categorical bitsets spanning several words, with NaN, negative and unseen categories")
    func lightgbmCategoricalBitsets() throws {
        let rule = Self.cases[6]
        let (model, batch) = try loadModelAndData(model: rule.modelPath, data: rule.dataPath)
        guard case .trees(let trees) = model.predictor else { throw TestFailure("expected trees") }
        let categorical = trees.left.indices.filter { trees.left[$0] >= 0 && trees.flags[$0] & TreeEnsemble.categoricalFlag != 0 }
        #expect(!categorical.isEmpty)
        #expect(categorical.contains { trees.categoryCount[$0] > 1 })
        let catColumn = try #require(model.featureNames?.firstIndex(of: "cat"))
        #expect(batch[10, catColumn].isNaN && batch[11, catColumn] == -1 && batch[12, catColumn] == 99)
        for node in categorical {
            #expect(!trees.goesLeft(node: node, value: .nan))
            #expect(!trees.goesLeft(node: node, value: -1))
        }
    }

    @Test("XGBoost categorical splits: a category in the set goes right, missing takes the default child")
    func xgboostCategorical() throws {
        let rule = Self.cases[8]
        let model = try ModelLoader().load(path: rule.modelPath)
        guard case .trees(let trees) = model.predictor else { throw TestFailure("expected trees") }
        let text = try String(contentsOfFile: rule.modelPath, encoding: .utf8)
        let listed = try #require(text.firstMatch(of: /"categories":\[([0-9,]*)\]/)).1.split(separator: ",").compactMap { Int($0) }
        let root = Int(trees.treeRoot[0])
        #expect(trees.flags[root] & TreeEnsemble.categoricalFlag != 0)
        for category in 0..<40 {
            #expect(trees.goesLeft(node: root, value: Double(category)) == !listed.contains(category), "category \(category)")
        }
        #expect(trees.goesLeft(node: root, value: .nan) == (trees.flags[root] & TreeEnsemble.defaultLeftFlag != 0))
        #expect(trees.goesLeft(node: root, value: -3))
    }

    @Test("LightGBM feature names with spaces (written as underscores) match data columns with spaces")
    func lightgbmUnderscoreNames() throws {
        let model = try ModelLoader().load(path: Self.cases[6].modelPath)
        #expect(model.featureNames?.first == "x_one")
        let reader = try CSVFeatureReader(path: Self.cases[6].dataPath, schema: FeatureSchema(model: model))
        #expect(reader.header.first == "x one")
    }

    @Test("LightGBM missing type Zero: a value between 1e-35 and the float 1e-35 widened takes the default child")
    func lightgbmZeroThresholdBoundary() throws {
        let rule = Self.cases[9]
        let (model, batch) = try loadModelAndData(model: rule.modelPath, data: rule.dataPath)
        guard case .trees(let trees) = model.predictor else { throw TestFailure("expected trees") }
        let root = Int(trees.treeRoot[0])
        #expect(trees.feature[root] == 0 && (trees.flags[root] >> 2) & 3 == MissingType.zero.rawValue)
        let defaultLeft = trees.flags[root] & TreeEnsemble.defaultLeftFlag != 0
        let between = batch[2, 0], atThreshold = batch[3, 0], above = batch[4, 0]
        #expect(between > 1e-35 && between < SplitSemantics.lightGBMZeroThreshold)
        #expect(atThreshold == SplitSemantics.lightGBMZeroThreshold && above == atThreshold.nextUp)
        #expect(trees.goesLeft(node: root, value: between) == defaultLeft)
        #expect(trees.goesLeft(node: root, value: atThreshold) == defaultLeft)
        #expect(trees.goesLeft(node: root, value: above) != defaultLeft)
        // LightGBM's own predictions: the in-between value as 0, the next double above not.
        let native = try #require(try ReferenceTable(path: rule.path("predictions.csv")).column("raw_output"))
        #expect(native[2] == native[0] && native[4] != native[0])
    }

    @Test("LightGBM reads |x| ≤ kZeroThreshold as 0 at every split: -kZeroThreshold is right of a threshold -kZeroThreshold, -0.5 is category 0")
    func lightgbmTinyInputsAreZero() throws {
        let rule = Self.cases[10]
        let model = try ModelLoader().load(path: rule.modelPath)
        guard case .trees(let trees) = model.predictor else { throw TestFailure("expected trees") }
        let root = Int(trees.treeRoot[0])
        let zero = SplitSemantics.lightGBMZeroThreshold
        #expect(trees.threshold[root] == -zero && (trees.flags[root] >> 2) & 3 == MissingType.none.rawValue)
        #expect(!trees.goesLeft(node: root, value: -zero))
        #expect(trees.goesLeft(node: root, value: (-zero).nextDown))
        let categorical = try #require(trees.left.indices.first { trees.left[$0] >= 0 && trees.flags[$0] & TreeEnsemble.categoricalFlag != 0 })
        #expect(trees.goesLeft(node: categorical, value: -0.5) == trees.goesLeft(node: categorical, value: 0))
        #expect(trees.goesLeft(node: categorical, value: -1e-40) == trees.goesLeft(node: categorical, value: 0))
        #expect(!trees.goesLeft(node: categorical, value: -1))
    }

    @Test("LightGBM's transforms give LightGBM's own predict(): sigmoid:2.5, reg_sqrt, and the raw score of a custom objective (no objective line)",
          arguments: [(11, OutputTransform.scaledLogistic(sigmoid: 2.5)), (12, OutputTransform.signedSquare), (13, OutputTransform.identity)])
    func lightgbmParameterisedTransforms(_ index: Int, _ transform: OutputTransform) throws {
        let rule = Self.cases[index]
        let model = try ModelLoader().load(path: rule.modelPath)
        #expect(model.transform == transform)
        let raw = try #require(try ReferenceTable(path: rule.path("predictions.csv")).column("raw_output"))
        let predicted = try #require(try ReferenceTable(path: rule.path("predicted.csv")).column("prediction"))
        let ours = model.transform.predictions(margins: raw, outputs: 1)
        for (row, value) in predicted.enumerated() {
            #expect(abs(ours[row] - value) <= 1e-12 * max(1, abs(value)), "row \(row)")
        }
        #expect(Set(predicted.map { $0 < 0 }).count == (index == 11 ? 1 : 2))
        if index == 13 {
            #expect(!(try String(contentsOfFile: rule.modelPath, encoding: .utf8)).contains("\nobjective=") && model.objective == "custom")
        }
    }

    @Test("XGBoost early stopping: every round is explained, as Booster.predict does, and a warning names the best round, whose margins the wrapper's predict gives")
    func xgboostEarlyStopping() throws {
        let rule = Self.cases[14]
        let model = try ModelLoader().load(path: rule.modelPath)
        let warning = try #require(model.warnings.first { $0.contains("early stopping") })
        #expect(warning.contains("best round is 6 of the 9") && warning.contains("booster[:6]"), "\(warning)")
        // The rounds the warning counts are xgboost's: the file cut to the first 6 trees predicts
        // what iteration_range=(0, best_iteration + 1) predicted.
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: rule.modelPath))) as? [String: Any])
        var learner = try #require(document["learner"] as? [String: Any])
        var booster = try #require(learner["gradient_booster"] as? [String: Any])
        var trees = try #require(booster["model"] as? [String: Any])
        trees["trees"] = Array(try #require(trees["trees"] as? [Any]).prefix(6))
        trees["tree_info"] = Array(try #require(trees["tree_info"] as? [Any]).prefix(6))
        trees["iteration_indptr"] = Array(try #require(trees["iteration_indptr"] as? [Any]).prefix(7))
        trees["gbtree_model_param"] = ["num_parallel_tree": "1", "num_trees": "6"]
        booster["model"] = trees
        learner["gradient_booster"] = booster
        learner["attributes"] = [String: Any]()
        document["learner"] = learner
        let cut = try ModelLoader().load(bytes: Array(try JSONSerialization.data(withJSONObject: document)), file: "cut.json")
        #expect(!cut.warnings.contains { $0.contains("early stopping") })
        let batch = try CSVFeatureReader(path: rule.dataPath, schema: FeatureSchema(model: cut)).readAll()
        let margins = try RawPredictor(model: cut).predict(batch)
        let expected = try #require(try ReferenceTable(path: rule.path("predicted_best.csv")).column("raw_output"))
        let all = try #require(try ReferenceTable(path: rule.path("predictions.csv")).column("raw_output"))
        #expect(expected != all)
        for (row, value) in expected.enumerated() {
            #expect(abs(margins[row] - value) <= 1e-5 * max(1, abs(value)), "row \(row)")
        }
    }
}
