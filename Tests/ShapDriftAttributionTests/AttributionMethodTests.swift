import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftAttribution
import ShapDriftTestSupport

/// Exact Shapley values of the interventional game v(S) = E_r f(x_S, r_S̄) by enumerating every
/// coalition: the independent reference for interventional TreeSHAP and exact KernelSHAP.
func bruteForceShapley(model: Model, row: [Double], background: FeatureBatch, space: OutputSpace = .raw) throws -> (phi: [[Double]], base: [Double]) {
    let m = model.numFeatures
    let outputs = model.numOutputs
    func value(_ subset: Int) throws -> [Double] {
        var mixed = FeatureBatch(numFeatures: m)
        for r in 0..<background.rowCount {
            for j in 0..<m { mixed.values.append(subset & (1 << j) != 0 ? row[j] : background[r, j]) }
            mixed.sourceLines.append(r)
        }
        var raw = try RawPredictor(model: model).predict(mixed)
        if space == .probability { KernelSHAP.applyLink(model.transform, to: &raw, outputs: outputs) }
        return (0..<outputs).map { k in (0..<background.rowCount).reduce(0) { $0 + raw[$1 * outputs + k] } / Double(background.rowCount) }
    }
    let values = try (0..<(1 << m)).map(value)
    var factorial = [1.0]
    for n in 1...m { factorial.append(factorial[n - 1] * Double(n)) }
    var phi = [[Double]](repeating: [Double](repeating: 0, count: m), count: outputs)
    for i in 0..<m {
        for subset in 0..<(1 << m) where subset & (1 << i) == 0 {
            let size = subset.nonzeroBitCount
            let weight = factorial[size] * factorial[m - size - 1] / factorial[m]
            for k in 0..<outputs { phi[k][i] += weight * (values[subset | (1 << i)][k] - values[subset][k]) }
        }
    }
    return (phi, values[0])
}

@Suite("Interventional TreeSHAP and KernelSHAP")
struct AttributionMethodTests {
    static let interventionalCases = ShapFixtureCase.all.filter { $0.name != "lgbm_reg_categorical" }
        + [ShapFixtureCase(name: "kernel_xgb_small", modelFile: "model.json", classes: 1)]

    func explain(_ path: String, data: String, background: String, method: AttributionMethod,
                 options: ExplainerOptions = ExplainerOptions()) throws -> (Model, FeatureBatch, AttributionBatch) {
        let (model, batch) = try loadModelAndData(model: path, data: data)
        let backgroundBatch = try CSVFeatureReader(path: background, schema: FeatureSchema(model: model)).readAll()
        let explainer = try Explainer(model: model, method: method, background: backgroundBatch, options: options)
        return (model, batch, try explainer.explain(batch))
    }

    @Test("interventional TreeSHAP matches shap's values within 1e-6 of scale", arguments: interventionalCases)
    func interventionalMatchesShap(_ fixture: ShapFixtureCase) throws {
        let (model, batch, attributions) = try explain(fixture.path(fixture.modelFile), data: fixture.path("current.csv"),
                                                       background: fixture.path("background.csv"), method: .treeInterventional)
        let raw = try RawPredictor(model: model).predict(batch)
        for output in 0..<fixture.classes {
            let file = fixture.classes > 1 ? "shap_tree_interventional_class\(output).csv" : "shap_tree_interventional.csv"
            let result = compareAttributions(attributions, output: output, featureNames: model.displayFeatureNames,
                                             reference: try ReferenceTable(path: fixture.path(file)))
            #expect(result.problems.isEmpty, "\(result.problems)")
            #expect(result.featureError <= 1e-6 * max(1, result.scale), "output \(output): \(result.featureError)")
            #expect(result.baseError <= 1e-6 * max(1, result.scale))
            #expect(additivityError(attributions, output: output, raw: raw) <= 1e-9 * max(1, result.scale))
        }
    }

    @Test("interventional pair walks give the same values whether background decisions are precomputed or not")
    func interventionalDecisionBudget() throws {
        let fixture = ShapFixtureCase.all[2]
        let (model, all) = try loadModelAndData(model: fixture.path(fixture.modelFile), data: fixture.path("current.csv"))
        guard case .trees(let ensemble) = model.predictor else { throw TestFailure("expected trees") }
        let background = try CSVFeatureReader(path: fixture.path("background.csv"), schema: FeatureSchema(model: model)).readAll()
        let batch = FeatureBatch(numFeatures: all.numFeatures, values: Array(all.values[0..<(40 * all.numFeatures)]), sourceLines: Array(0..<40))
        let kept = InterventionalTreeSHAP(ensemble: ensemble, background: background, useTables: false).explain(batch)
        let recomputed = InterventionalTreeSHAP(ensemble: ensemble, background: background, decisionBudget: 0, useTables: false).explain(batch)
        #expect(kept.values == recomputed.values)
    }

    @Test("interventional leaf tables equal the pair walks to 1e-12 of scale", arguments: interventionalCases)
    func interventionalTablesEqualWalks(_ fixture: ShapFixtureCase) throws {
        let (model, batch) = try loadModelAndData(model: fixture.path(fixture.modelFile), data: fixture.path("current.csv"))
        guard case .trees(let ensemble) = model.predictor else { throw TestFailure("expected trees") }
        let background = try CSVFeatureReader(path: fixture.path("background.csv"), schema: FeatureSchema(model: model)).readAll()
        let tabled = InterventionalTreeSHAP(ensemble: ensemble, background: background)
        #expect(tabled.tables != nil, "the fixture's paths fit the tables")
        let tables = tabled.explain(batch)
        let walks = InterventionalTreeSHAP(ensemble: ensemble, background: background, useTables: false).explain(batch)
        let scale = max(1, walks.values.map(abs).max() ?? 0)
        let error = zip(tables.values, walks.values).map { abs($0 - $1) }.max() ?? 0
        #expect(error <= 1e-12 * scale, "max difference \(error)")
    }

    /// Small models where shap's interventional algorithm is wrong (LightGBM categorical splits and
    /// multi-class models, values on a split threshold): ShapDrift against brute force.
    @Test("interventional TreeSHAP equals brute-force Shapley values where shap's does not", arguments: [
        ("shap/lgbm_reg_categorical/model.txt", "shap/lgbm_reg_categorical/current.csv", 0..<6, 20..<32),
        ("format_rules/lgbm_multiclass/model.txt", "format_rules/lgbm_multiclass/data.csv", 0..<5, 10..<22),
        ("format_rules/lgbm_categorical_missing/model.txt", "format_rules/lgbm_categorical_missing/data.csv", 0..<14, 20..<40),
        ("format_rules/xgb_float32_boundary/model.json", "format_rules/xgb_float32_boundary/data.csv", 0..<3, 0..<3),
    ])
    func interventionalMatchesBruteForce(_ modelFile: String, _ dataFile: String, _ rows: Range<Int>, _ backgroundRows: Range<Int>) throws {
        let (model, all) = try loadModelAndData(model: Fixtures.path(modelFile), data: Fixtures.path(dataFile))
        let pick = { (range: Range<Int>) in
            FeatureBatch(numFeatures: all.numFeatures, values: Array(all.values[(range.lowerBound * all.numFeatures)..<(range.upperBound * all.numFeatures)]),
                         sourceLines: Array(all.sourceLines[range]))
        }
        let batch = pick(rows)
        let background = pick(backgroundRows)
        let ours = try Explainer(model: model, method: .treeInterventional, background: background).explain(batch)
        for row in 0..<batch.rowCount {
            let x = Array(batch.values[(row * batch.numFeatures)..<((row + 1) * batch.numFeatures)])
            let reference = try bruteForceShapley(model: model, row: x, background: background)
            for k in 0..<model.numOutputs {
                #expect(abs(ours.baseValues[k] - reference.base[k]) <= 1e-12 * max(1, abs(reference.base[k])))
                for j in 0..<model.numFeatures {
                    #expect(abs(ours[row, k, j] - reference.phi[k][j]) <= 1e-10, "row \(row) output \(k) feature \(j)")
                }
            }
        }
    }

    @Test("exact KernelSHAP matches shap's KernelExplainer: a regressor in raw space, a classifier in probability space")
    func kernelMatchesShap() throws {
        let fixture = ShapFixtureCase(name: "kernel_xgb_small", modelFile: "model.json", classes: 1)
        let (model, _, raw) = try explain(fixture.path("model.json"), data: fixture.path("current.csv"),
                                          background: fixture.path("background.csv"), method: .kernel)
        let result = compareAttributions(raw, output: 0, featureNames: model.displayFeatureNames,
                                         reference: try ReferenceTable(path: fixture.path("shap_kernel.csv")))
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.featureError <= 1e-6 * max(1, result.scale) && result.baseError <= 1e-6 * max(1, result.scale))

        let folder = Fixtures.path("kernel_probability")
        let (classifier, batch, probability) = try explain(Fixtures.path("format_rules", "xgb_multiclass", "model.json"),
                                                           data: folder + "/current.csv", background: folder + "/background.csv",
                                                           method: .kernel, options: ExplainerOptions(outputSpace: .probability))
        let probabilities = try ReferenceTable(path: folder + "/predictions.csv")
        for k in 0..<3 {
            let comparison = compareAttributions(probability, output: k, featureNames: classifier.displayFeatureNames,
                                                 reference: try ReferenceTable(path: folder + "/shap_kernel_class\(k).csv"))
            #expect(comparison.problems.isEmpty, "\(comparison.problems)")
            #expect(comparison.featureError <= 1e-6 * max(1, comparison.scale) && comparison.baseError <= 1e-6)
            // Efficiency in probability space: the attributions add up to the predicted probability.
            let column = try #require(probabilities.column("probability_class\(k)"))
            var expected = [Double](repeating: 0, count: batch.rowCount * 3)
            for (row, value) in column.enumerated() { expected[row * 3 + k] = value }
            #expect(additivityError(probability, output: k, raw: expected) <= 1e-6)
        }
    }

    @Test("exact KernelSHAP equals brute-force Shapley values, raw and probability", arguments: OutputSpace.allCases)
    func kernelMatchesBruteForce(_ space: OutputSpace) throws {
        let (model, all) = try loadModelAndData(model: Fixtures.path("format_rules", "lgbm_multiclass", "model.txt"),
                                                data: Fixtures.path("format_rules", "lgbm_multiclass", "data.csv"))
        let background = FeatureBatch(numFeatures: 4, values: Array(all.values[40..<80]), sourceLines: Array(0..<10))
        let batch = FeatureBatch(numFeatures: 4, values: Array(all.values[0..<16]), sourceLines: Array(0..<4))
        let ours = try Explainer(model: model, method: .kernel, background: background,
                                 options: ExplainerOptions(outputSpace: space)).explain(batch)
        for row in 0..<4 {
            let reference = try bruteForceShapley(model: model, row: Array(batch.values[(row * 4)..<(row * 4 + 4)]), background: background, space: space)
            for k in 0..<3 {
                for j in 0..<4 { #expect(abs(ours[row, k, j] - reference.phi[k][j]) <= 1e-10) }
                #expect(abs(ours.baseValues[k] - reference.base[k]) <= 1e-12)
            }
        }
    }

    @Test("correlation-aware linear SHAP equals shap's correlation_dependent values taken over every permutation",
          arguments: ["regression", "logistic"])
    func correlationMatchesShap(_ name: String) throws {
        let folder = Fixtures.path("linear_correlation")
        let (model, batch, attributions) = try explain(folder + "/\(name).json", data: folder + "/current.csv",
                                                       background: folder + "/background.csv", method: .linearCorrelation)
        let result = compareAttributions(attributions, output: 0, featureNames: model.displayFeatureNames,
                                         reference: try ReferenceTable(path: folder + "/shap_\(name).csv"))
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.featureError <= 1e-9 * max(1, result.scale) && result.baseError <= 1e-9 * max(1, result.scale))
        #expect(additivityError(attributions, output: 0, raw: try RawPredictor(model: model).predict(batch)) <= 1e-9)
    }

    @Test("sampled permutations approach the exact correlation-aware transforms")
    func correlationSamplingConverges() throws {
        let folder = Fixtures.path("linear_correlation")
        let model = try ModelLoader().load(path: folder + "/regression.json")
        guard case .linear(let linear) = model.predictor else { throw TestFailure("expected a linear model") }
        let background = try CSVFeatureReader(path: folder + "/background.csv", schema: FeatureSchema(model: model)).readAll()
        let exact = try CorrelationLinearSHAP(model: linear, background: background, permutations: nil, seed: 0)
        let (sampledX, _) = try CorrelationLinearSHAP.sampledTransforms(coefficients: Array(linear.coefficients), covariance: Self.covariance(background),
                                                                        permutations: 4000, seed: 3)
        let scale = exact.xTransforms[0].map(abs).max() ?? 1
        let error = zip(sampledX, exact.xTransforms[0]).map { abs($0 - $1) }.max() ?? 0
        #expect(exact.isExact && error <= 0.05 * scale)
    }

    static func covariance(_ batch: FeatureBatch) -> [Double] {
        let m = batch.numFeatures
        let n = Double(batch.rowCount)
        let means = (0..<m).map { j in (0..<batch.rowCount).reduce(0) { $0 + batch[$1, j] } / n }
        var result = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0..<m {
                result[i * m + j] = (0..<batch.rowCount).reduce(0) { $0 + (batch[$1, i] - means[i]) * (batch[$1, j] - means[j]) } / (n - 1)
            }
        }
        return result
    }

    @Test("sampled KernelSHAP converges to the exact values as the budget grows")
    func kernelSamplingConverges() throws {
        let folder = Fixtures.path("shap", "drift_xgb_reg")
        let (model, all) = try loadModelAndData(model: folder + "/model.json", data: folder + "/current.csv")
        let batch = FeatureBatch(numFeatures: 8, values: Array(all.values[0..<(20 * 8)]), sourceLines: Array(0..<20))
        let background = FeatureBatch(numFeatures: 8, values: Array(all.values[(100 * 8)..<(140 * 8)]), sourceLines: Array(0..<40))
        func run(_ samples: Int) throws -> AttributionBatch {
            try Explainer(model: model, method: .kernel, background: background, options: ExplainerOptions(samples: samples, seed: 11))
                .explain(batch)
        }
        let exact = try run(254)
        let scale = exact.values.map(abs).max() ?? 1
        let errors = try [16, 48, 120, 220].map { samples in
            zip(try run(samples).values, exact.values).map { abs($0 - $1) }.max() ?? 0
        }
        #expect(errors[3] < errors[0])
        #expect(errors[3] <= 0.05 * scale)
        #expect(try run(16).values == run(16).values)
    }
}

/// Shapley axioms on random small tree ensembles and linear models, for every method.
@Suite("Shapley axioms on random models")
struct ShapleyPropertyTests {
    /// Random trees over features 0…3, each also added with features 0 and 1 swapped (so the model
    /// is symmetric in them); feature 4 is never used.
    static func randomModel(seed: UInt64) throws -> Model {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Double { Double(generator.next() >> 11) * 0x1p-53 }
        var builder = TreeEnsembleBuilder(semantics: .xgboost, numFeatures: 5, numOutputs: 1)
        for _ in 0..<6 {
            var left: [Int32] = [], right: [Int32] = [], feature: [Int32] = [], threshold: [Double] = [], cover: [Double] = []
            func grow(_ depth: Int, _ weight: Double) -> Int32 {
                let index = Int32(left.count)
                left.append(-1); right.append(-1); feature.append(0); threshold.append(0); cover.append(weight)
                if depth < 3 {
                    let share = 0.2 + 0.6 * uniform()
                    feature[Int(index)] = Int32(generator.next() % 4)
                    threshold[Int(index)] = Double(Float(uniform() * 2 - 1))
                    let l = grow(depth + 1, weight * share)
                    let r = grow(depth + 1, weight * (1 - share))
                    left[Int(index)] = l
                    right[Int(index)] = r
                }
                return index
            }
            _ = grow(0, 100)
            let values = (0..<left.count).map { _ in uniform() * 4 - 2 }
            let flags = (0..<left.count).map { _ in UInt8(generator.next() % 2) }
            let tree = TreeNodes(left: left, right: right, feature: feature, threshold: threshold, flags: flags, cover: cover, leafValues: values)
            try builder.addTree(tree, output: 0)
            var mirrored = tree
            mirrored.feature = feature.map { $0 == 0 ? 1 : ($0 == 1 ? 0 : $0) }
            try builder.addTree(mirrored, output: 0)
        }
        return Model(format: .xgboostJSON, objective: "reg:squarederror", transform: .identity,
                     featureNames: ["a", "b", "c", "d", "dummy"], predictor: .trees(try builder.build(baseOffset: [0.5])))
    }

    static func rows(seed: UInt64, count: Int) -> FeatureBatch {
        var generator = SplitMix64(seed: seed)
        var batch = FeatureBatch(numFeatures: 5)
        for row in 0..<count {
            let shared = Double(generator.next() >> 11) * 0x1p-52 - 1
            batch.values += [shared, shared] + (0..<3).map { _ in Double(generator.next() >> 11) * 0x1p-52 - 1 }
            batch.sourceLines.append(row)
        }
        return batch
    }

    @Test("efficiency, symmetry and dummy hold for every method", arguments: [1, 2, 3] as [UInt64])
    func axioms(_ seed: UInt64) throws {
        let trees = try Self.randomModel(seed: seed)
        let linear = Model(format: .shapdriftJSON, objective: "test", transform: .identity, featureNames: ["a", "b", "c", "d", "dummy"],
                           predictor: .linear(try LinearModel(numFeatures: 5, numOutputs: 1, coefficients: [1.5, 1.5, -0.7, 2.0, 0],
                                                              intercept: [0.25], featureMeans: nil)))
        let batch = Self.rows(seed: seed &+ 100, count: 12)
        let background = Self.rows(seed: seed &+ 200, count: 15)
        let cases: [(Model, AttributionMethod)] = [(trees, .treePathDependent), (trees, .treeInterventional), (trees, .kernel),
                                                   (linear, .linear), (linear, .kernel), (linear, .linearCorrelation)]
        for (model, method) in cases {
            let attributions = try Explainer(model: model, method: method, background: background).explain(batch)
            let raw = try RawPredictor(model: model).predict(batch)
            #expect(additivityError(attributions, output: 0, raw: raw) <= 1e-10, "\(method) efficiency")
            for row in 0..<batch.rowCount {
                #expect(abs(attributions[row, 0, 0] - attributions[row, 0, 1]) <= 1e-10, "\(method) symmetry")
                // In the conditional game of linear-correlation a zero-coefficient feature still carries
                // information about correlated ones, so the dummy axiom does not apply there.
                if method != .linearCorrelation { #expect(abs(attributions[row, 0, 4]) <= 1e-10, "\(method) dummy") }
            }
        }
    }
}

@Suite("Background and sampling errors")
struct MethodInputErrorTests {
    static let model = Fixtures.path("shap", "kernel_xgb_small", "model.json")
    static let data = Fixtures.path("shap", "kernel_xgb_small", "current.csv")

    @Test("methods measured against data refuse to run without a background, or with an empty one")
    func backgroundRequired() throws {
        let model = try ModelLoader().load(path: Self.model)
        for method in [AttributionMethod.treeInterventional, .kernel] {
            let missing = try #require(throws: ShapDriftError.self) { try Explainer(model: model, method: method) }
            guard case .configuration(.backgroundRequired(method, _)) = missing else { throw TestFailure("\(missing)") }
            let empty = try #require(throws: ShapDriftError.self) {
                try Explainer(model: model, method: method, background: FeatureBatch(numFeatures: 6, file: "empty.csv"))
            }
            guard case .input(let located) = empty, located.file == "empty.csv" else { throw TestFailure("\(empty)") }
        }
        let space = try #require(throws: ShapDriftError.self) {
            try Explainer(model: model, method: .treePathDependent, options: ExplainerOptions(outputSpace: .probability))
        }
        guard case .configuration(.outputSpaceRequiresKernel(.probability, method: .treePathDependent)) = space else { throw TestFailure("\(space)") }
    }

    @Test("too few KernelSHAP samples for the feature count, or probability space for a regressor, are refused", arguments: [
        ["--samples", "5"], ["--output-space", "probability"], ["--samples", "-3"],
    ])
    func kernelSettings(_ extra: [String]) throws {
        let result = try ShapDriftBinary.run(["explain", "--model", Self.model, "--data", Self.data, "--method", "kernel",
                                               "--background", Fixtures.path("shap", "kernel_xgb_small", "background.csv")] + extra)
        #expect(result.status == 2 && !result.stderr.isEmpty)
    }

    @Test("a background missing a feature column is named, exit 2")
    func backgroundMissingFeature() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let background = directory.appendingPathComponent("bg.csv").path
        try "k0,k1,k2,k3,k4\n1,2,3,4,5\n".write(toFile: background, atomically: true, encoding: .utf8)
        let result = try ShapDriftBinary.run(["explain", "--model", Self.model, "--data", Self.data, "--method", "tree-interventional",
                                               "--background", background])
        #expect(result.status == 2 && result.stderr.contains("'k5'") && result.stderr.contains("bg.csv"))
    }
}
