import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftAttribution
import ShapDriftTestSupport

/// Every real export of `Fixtures/objectives` (made by `Fixtures/make_objective_models.py` with
/// xgboost 3.4.1, LightGBM 4.7.0, scikit-learn 1.9.1 and shap 0.54.1), held to the libraries' own
/// numbers: raw margins, SHAP values (`pred_contribs` / `pred_contrib` / shap's TreeExplainer),
/// additivity against the library's margin, and the output transform against the library's
/// `predict`. Exports ShapDrift must refuse are refused with a message that says what to do.
@Suite("Real exports of every objective")
struct ObjectiveFixtureTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        var testDescription: String { name }
        var library: String { name.hasPrefix("xgb") ? "xgboost" : name.hasPrefix("lgb") ? "lightgbm" : "sklearn" }
        func path(_ file: String) -> String { Fixtures.path("objectives", name, file) }
        var modelPath: String { path(library == "lightgbm" ? "model.txt" : "model.json") }
        var caseInfo: [String: Any] {
            get throws {
                let data = try Data(contentsOf: URL(fileURLWithPath: path("case.json")))
                return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            }
        }
        /// xgboost computes in float32 (as `FormatRuleTests`); LightGBM and scikit-learn in float64.
        func tolerance(_ scale: Double) -> Double {
            library == "xgboost" ? max(1e-5, 1e-5 * scale) : 1e-9 * max(1, scale)
        }
    }

    static let loaded: [Case] = [
        "lgb_binary", "lgb_cross_entropy", "lgb_cross_entropy_lambda", "lgb_dart", "lgb_fair", "lgb_gamma", "lgb_huber",
        "lgb_lambdarank", "lgb_mape", "lgb_multiclass", "lgb_multiclassova", "lgb_numpy_no_names", "lgb_poisson",
        "lgb_quantile", "lgb_rank_xendcg", "lgb_regression", "lgb_regression_l1", "lgb_regression_nan_deep", "lgb_tweedie",
        "sklearn_gbc_numpy_no_names", "sklearn_hgb_nan",
        "xgb_binary_hinge", "xgb_binary_logistic", "xgb_binary_logitraw", "xgb_count_poisson", "xgb_dart",
        "xgb_multi_softmax", "xgb_multi_softprob", "xgb_numpy_no_names", "xgb_rank_map", "xgb_rank_ndcg",
        "xgb_rank_pairwise", "xgb_reg_absoluteerror", "xgb_reg_expectileerror", "xgb_reg_gamma", "xgb_reg_logistic",
        "xgb_reg_pseudohubererror", "xgb_reg_quantileerror", "xgb_reg_squarederror", "xgb_reg_squaredlogerror",
        "xgb_reg_tweedie", "xgb_survival_aft", "xgb_survival_cox",
    ].map(Case.init)

    /// The cases to refuse, with a phrase the message must hold and what it must tell the user to do.
    static let refused: [(Case, String, String)] = [
        (Case(name: "xgb_gblinear"), "booster gblinear", "booster=\"gbtree\""),
        (Case(name: "xgb_multi_output_tree"), "vector-leaf trees", "one_output_per_tree"),
        (Case(name: "lgb_linear_tree"), "linear trees", "train without linear_tree"),
    ]

    @Test("the fixture folder holds exactly these cases")
    func everyFixtureIsCovered() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("objectives"))
            .filter { Fixtures.exists(Fixtures.path("objectives", $0, "case.json")) }
        #expect(Set(folders) == Set(Self.loaded.map(\.name) + Self.refused.map(\.0.name)))
        for testCase in Self.loaded {
            #expect((try testCase.caseInfo["shapdrift_expected"] as? String)?.hasPrefix("loaded") == true, "\(testCase.name)")
        }
    }

    /// The model, its rows, and the names the data gives its features (the header, when the
    /// model has none).
    func load(_ testCase: Case) throws -> (Model, FeatureBatch, [String]) {
        let model = try ModelLoader().load(path: testCase.modelPath)
        let reader = try CSVFeatureReader(path: testCase.path("data.csv"), schema: FeatureSchema(model: model))
        return (model, try reader.readAll(), model.featureNames ?? reader.header)
    }

    @Test("raw margins, SHAP values and additivity agree with the library", arguments: loaded)
    func agreesWithLibrary(_ testCase: Case) throws {
        let (model, batch, names) = try load(testCase)
        #expect(model.warnings.isEmpty, "\(model.warnings)")
        let outputs = model.numOutputs
        let margins = try ReferenceTable(path: testCase.path("margin.csv"))
        #expect(margins.header.count == outputs && margins.rows.count == batch.rowCount)
        let raw = try RawPredictor(model: model).predict(batch)
        let attributions = try Explainer(model: model).explain(batch)
        for output in 0..<outputs {
            let reference = try ReferenceTable(path: testCase.path(
                testCase.library == "sklearn" ? "shap.csv" : outputs > 1 ? "contribs_output\(output).csv" : "contribs.csv"))
            let result = compareAttributions(attributions, output: output, featureNames: names, reference: reference)
            #expect(result.problems.isEmpty, "\(result.problems)")
            #expect(result.featureError <= testCase.tolerance(result.scale), "output \(output): \(result.featureError)")
            #expect(result.baseError <= testCase.tolerance(result.scale), "output \(output): base \(result.baseError)")
            for row in 0..<batch.rowCount {
                let libraryMargin = margins.rows[row][output]
                let ours = raw[row * outputs + output]
                #expect(abs(ours - libraryMargin) <= testCase.tolerance(abs(libraryMargin)), "row \(row), output \(output)")
                var total = attributions.baseValues[output]
                for feature in 0..<model.numFeatures { total += attributions[row, output, feature] }
                #expect(abs(total - ours) <= 1e-12 * max(1, abs(ours)), "additivity, row \(row), output \(output)")
                #expect(abs(total - libraryMargin) <= testCase.tolerance(abs(libraryMargin)), "additivity against the library, row \(row)")
            }
        }
    }

    @Test("the output transform turns the library's margins into the library's predictions", arguments: loaded)
    func transformMatchesPredict(_ testCase: Case) throws {
        let model = try ModelLoader().load(path: testCase.modelPath)
        let margins = try ReferenceTable(path: testCase.path("margin.csv"))
        let predictions = try ReferenceTable(path: testCase.path("prediction.csv"))
        let ours = model.transform.predictions(margins: margins.rows.flatMap { $0 }, outputs: model.numOutputs)
        let width = model.transform.predictionWidth(outputs: model.numOutputs)
        #expect(predictions.header.count == width)
        for (row, expected) in predictions.rows.enumerated() {
            for (k, value) in expected.enumerated() {
                // xgboost transforms float32 margins in float32; LightGBM in double.
                let tolerance = testCase.library == "xgboost" ? 1e-5 * max(1, abs(value)) : 1e-12 * max(1, abs(value))
                #expect(abs(ours[row * width + k] - value) <= tolerance, "row \(row), value \(k): \(ours[row * width + k]) vs \(value)")
            }
        }
    }

    @Test("XGBoost base scores become the margin offsets the library's contributions imply",
          arguments: loaded.filter { $0.library == "xgboost" })
    func xgboostMarginOffset(_ testCase: Case) throws {
        let model = try ModelLoader().load(path: testCase.modelPath)
        guard case .trees(let ensemble) = model.predictor else { throw TestFailure("expected trees") }
        let offsets = try #require(try testCase.caseInfo["margin_offset"] as? [Double])
        #expect(ensemble.baseOffset.count == offsets.count)
        for (ours, theirs) in zip(ensemble.baseOffset, offsets) {
            #expect(abs(ours - theirs) <= 1e-5 * max(1, abs(theirs)), "\(ours) vs \(theirs)")
        }
    }

    @Test("DART: every tree's leaves are weighted by weight_drop, as xgboost predicts")
    func dartWeights() throws {
        let testCase = Case(name: "xgb_dart")
        let model = try ModelLoader().load(path: testCase.modelPath)
        guard case .trees(let ensemble) = model.predictor else { throw TestFailure("expected trees") }
        let weights = try #require(try testCase.caseInfo["weight_drop"] as? [Double])
        let data = try Data(contentsOf: URL(fileURLWithPath: testCase.modelPath))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let trees = try #require(((document["learner"] as? [String: Any])?["gradient_booster"] as? [String: Any])?["model"] as? [String: Any])
        let stored = try #require(trees["trees"] as? [[String: Any]])
        #expect(weights.count == ensemble.treeCount && weights.contains { $0 != 1 })
        for (tree, json) in stored.enumerated() {
            let conditions = try #require(json["split_conditions"] as? [Double])
            let left = try #require(json["left_children"] as? [Int])
            let root = Int(ensemble.treeRoot[tree])
            for node in left.indices where left[node] == -1 {
                let expected = Double(Float(conditions[node])) * Double(Float(weights[tree]))
                #expect(ensemble.leafValues[root + node] == expected, "tree \(tree), leaf \(node)")
            }
        }
    }

    @Test("exports ShapDrift cannot explain are refused with what to do instead", arguments: refused.map(\.0.name))
    func refusals(_ name: String) throws {
        let (testCase, phrase, advice) = try #require(Self.refused.first { $0.0.name == name })
        let error = try #require(throws: InputError.self) { try ModelLoader().load(path: testCase.modelPath) }
        #expect(error.file == testCase.modelPath && (error.field != nil || error.line != nil))
        #expect(error.message.contains(phrase) && error.message.contains(advice), "\(error)")
        #expect((try testCase.caseInfo["shapdrift_expected"] as? String)?.hasPrefix("refused") == true)
    }

    @Test("models trained without names have none, whatever placeholder the library wrote")
    func namelessModels() throws {
        for name in ["xgb_numpy_no_names", "lgb_numpy_no_names", "sklearn_gbc_numpy_no_names"] {
            let model = try ModelLoader().load(path: Case(name: name).modelPath)
            #expect(model.featureNames == nil, "\(name)")
        }
        // LightGBM wrote placeholders Column_0 … Column_3 into the file.
        let text = try String(contentsOfFile: Case(name: "lgb_numpy_no_names").modelPath, encoding: .utf8)
        #expect(text.contains("feature_names=Column_0 Column_1 Column_2 Column_3"))
    }

    @Test("LightGBM: an `inf` threshold loads, and every number goes left of it while NaN takes the default")
    func lightgbmInfiniteThreshold() throws {
        let model = try ModelLoader().load(path: Case(name: "lgb_regression_nan_deep").modelPath)
        guard case .trees(let ensemble) = model.predictor else { throw TestFailure("expected trees") }
        let nodes = ensemble.left.indices.filter { ensemble.left[$0] >= 0 && ensemble.threshold[$0] == .infinity }
        #expect(!nodes.isEmpty)
        for node in nodes {
            #expect(ensemble.goesLeft(node: node, value: Double.greatestFiniteMagnitude))
            #expect(ensemble.goesLeft(node: node, value: .nan) == (ensemble.flags[node] & TreeEnsemble.defaultLeftFlag != 0))
        }
    }

    @Test("LightGBM's sigmoid parameter sets the logistic scale of binary and one-vs-rest models")
    func lightgbmSigmoid() throws {
        let text = try String(contentsOfFile: Case(name: "lgb_binary").modelPath, encoding: .utf8)
        #expect(text.contains("objective=binary sigmoid:1\n"))
        let scaled = text.replacingOccurrences(of: "objective=binary sigmoid:1\n", with: "objective=binary sigmoid:2.5\n")
        let model = try ModelLoader().load(bytes: Array(scaled.utf8), file: "scaled.txt")
        #expect(model.transform == .scaledLogistic(sigmoid: 2.5))
        let probability = model.transform.predictions(margins: [0.4], outputs: 1)[0]
        #expect(abs(probability - 1 / (1 + exp(-2.5 * 0.4))) < 1e-15)
        let missing = text.replacingOccurrences(of: "objective=binary sigmoid:1\n", with: "objective=binary\n")
        let error = try #require(throws: InputError.self) { try ModelLoader().load(bytes: Array(missing.utf8), file: "m.txt") }
        #expect(error.field == "objective" && error.line != nil && error.message.contains("sigmoid"))
    }

    @Test("KernelSHAP's probability space uses the classifier's own probabilities: LightGBM's sigmoid scale, multi:softmax's softmax",
          arguments: ["lgb_binary", "xgb_multi_softmax"])
    func kernelProbabilities(_ name: String) throws {
        let testCase = Case(name: name)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: testCase.modelPath)))
        if name == "lgb_binary" {
            bytes = Array(String(decoding: bytes, as: UTF8.self)
                .replacingOccurrences(of: "objective=binary sigmoid:1\n", with: "objective=binary sigmoid:2.5\n").utf8)
        }
        let model = try ModelLoader().load(bytes: bytes, file: testCase.modelPath)
        let batch = try CSVFeatureReader(path: testCase.path("data.csv"), schema: FeatureSchema(model: model)).readAll()
        let background = FeatureBatch(numFeatures: batch.numFeatures, rows: Array(batch.values.prefix(20 * batch.numFeatures)))
        let explainer = try Explainer(model: model, method: .kernel, background: background,
                                      options: ExplainerOptions(samples: nil, seed: 0, outputSpace: .probability))
        let attributions = try explainer.explain(batch)
        let raw = try RawPredictor(model: model).predict(batch)
        // The probabilities, computed here from the margins as the libraries define them.
        let outputs = model.numOutputs
        var probabilities: [Double] = []
        for row in 0..<batch.rowCount {
            let margins = raw[(row * outputs)..<((row + 1) * outputs)]
            if name == "lgb_binary" {
                probabilities.append(1 / (1 + exp(-2.5 * margins.first!)))
            } else {
                let exps = margins.map { exp($0 - margins.max()!) }
                probabilities += exps.map { $0 / exps.reduce(0, +) }
            }
        }
        // Four features: every coalition fits the budget, so KernelSHAP is exact and additive.
        #expect(additivityError(attributions, output: 0, raw: probabilities) < 1e-9)
        if outputs > 1 { #expect(additivityError(attributions, output: 2, raw: probabilities) < 1e-9) }
    }

    @Test("DART as xgboost 1.x–2.x saved it (booster dart, weights beside the tree model) loads as xgboost 3's gbtree")
    func dartOlderLayout() throws {
        let testCase = Case(name: "xgb_dart")
        let data = try Data(contentsOf: URL(fileURLWithPath: testCase.modelPath))
        var document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var learner = try #require(document["learner"] as? [String: Any])
        let booster = try #require(learner["gradient_booster"] as? [String: Any])
        var model = try #require(booster["model"] as? [String: Any])
        let weights = try #require(model["weight_drop"])
        model["weight_drop"] = nil
        learner["gradient_booster"] = ["name": "dart", "gbtree": ["name": "gbtree", "model": model], "weight_drop": weights]
        document["learner"] = learner
        let older = try ModelLoader().load(bytes: [UInt8](try JSONSerialization.data(withJSONObject: document)), file: "dart.json")
        let current = try ModelLoader().load(path: testCase.modelPath)
        guard case .trees(let olderTrees) = older.predictor, case .trees(let currentTrees) = current.predictor else {
            throw TestFailure("expected trees")
        }
        #expect(olderTrees.leafValues == currentTrees.leafValues && olderTrees.baseOffset == currentTrees.baseOffset)
        #expect(olderTrees.leafValues != Self.unweightedLeaves(of: testCase.modelPath))
    }

    /// The DART fixture's leaves as stored, without weights (float32 widened).
    static func unweightedLeaves(of path: String) -> [Double] {
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        text = text.replacingOccurrences(of: "\"weight_drop\"", with: "\"unused_weights\"")
        guard let model = try? ModelLoader().load(bytes: Array(text.utf8), file: path), case .trees(let trees) = model.predictor else { return [] }
        return trees.leafValues
    }
}
