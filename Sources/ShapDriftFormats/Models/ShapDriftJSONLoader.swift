import ShapDriftCore
/// Reads the ShapDrift JSON model schema (`docs/shapdrift-json.md`), written by the
/// `shapdrift_export` Python package for scikit-learn linear and tree models.
package struct ShapDriftJSONLoader {
    /// Schema versions this build reads.
    package static let supportedVersions: ClosedRange<Int> = 1...1

    package init() {}

    package func load(document: JSONValue, file: String) throws(InputError) -> Model {
        let root = JSONReading(file: file, value: document)
        let version = try root.member("schema_version").integer()
        guard Self.supportedVersions.contains(version) else {
            throw InputError(file: file, field: "schema_version",
                             "schema version \(version) is not supported by this build (supported: \(Self.supportedVersions.lowerBound)…\(Self.supportedVersions.upperBound)); upgrade shapdrift")
        }
        let numFeatures = try root.member("n_features").integer(in: 1...Int(Int32.max))
        let outputsField = try root.member("n_outputs")
        let numOutputs = try outputsField.integer(in: 1...Int(Int32.max))
        if let problem = ModelLimits.shapeProblem(numFeatures: numFeatures, numOutputs: numOutputs) {
            throw outputsField.fail(problem)
        }
        let transformField = try root.member("output_transform")
        let transformName = try transformField.string()
        guard let transform = OutputTransform(name: transformName) else {
            throw transformField.fail("unknown output transform \(transformName), expected one of \(OutputTransform.parameterFreeCases.map(\.name).joined(separator: ", ")) or logistic(sigmoid=σ)")
        }
        let objective = try root.optionalMember("estimator")?.string() ?? "unknown estimator"
        var featureNames: [String]? = nil
        if let names = try root.optionalMember("feature_names") {
            let list = try names.strings()
            guard list.count == numFeatures else { throw names.fail("has \(list.count) names for \(numFeatures) features") }
            try FeatureNameRules.checkUnique(list, in: names)
            featureNames = list
        }
        var outputNames: [String]? = nil
        if let names = try root.optionalMember("output_names") {
            let list = try names.strings()
            guard list.count == numOutputs else { throw names.fail("has \(list.count) names for \(numOutputs) outputs") }
            outputNames = list
        }
        let modelType = try root.member("model_type")
        let predictor: Predictor
        var warnings: [String] = []
        switch try modelType.string() {
        case "linear":
            predictor = .linear(try readLinear(root.member("linear"), numFeatures: numFeatures, numOutputs: numOutputs))
        case "tree_ensemble":
            predictor = .trees(try readTrees(root.member("tree_ensemble"), numFeatures: numFeatures, numOutputs: numOutputs,
                                             warnings: &warnings))
        case let other:
            throw modelType.fail("unknown model type \(other), expected linear or tree_ensemble")
        }
        var model = Model(format: .shapdriftJSON, objective: objective, transform: transform,
                          featureNames: featureNames, predictor: predictor, warnings: warnings, fingerprint: "")
        model.outputNames = outputNames
        return model
    }

    private func readLinear(_ linear: JSONReading, numFeatures: Int, numOutputs: Int) throws(InputError) -> LinearModel {
        let rows = try linear.member("coefficients").array()
        guard rows.count == numOutputs else { throw linear.fail("coefficients: \(rows.count) rows for \(numOutputs) outputs") }
        var coefficients: [Double] = []
        for row in rows { coefficients += try row.numbers(count: numFeatures) }
        let intercept = try linear.member("intercept").numbers(count: numOutputs)
        let means = try linear.optionalMember("feature_means")?.numbers(count: numFeatures)
        do {
            return try LinearModel(numFeatures: numFeatures, numOutputs: numOutputs, coefficients: coefficients,
                                   intercept: intercept, featureMeans: means)
        } catch {
            throw linear.fail(error.description)
        }
    }

    private func readTrees(_ section: JSONReading, numFeatures: Int, numOutputs: Int,
                           warnings: inout [String]) throws(InputError) -> TreeEnsemble {
        let rule = try section.member("split_rule")
        let semantics: SplitSemantics
        switch try rule.string() {
        case "float32_less_equal": semantics = .sklearn
        case "float64_less_equal": semantics = .sklearnFloat64
        case let other: throw rule.fail("unknown split rule \(other), expected float32_less_equal or float64_less_equal")
        }
        let leafWidth = try section.member("leaf_width").integer(in: 1...numOutputs)
        guard leafWidth == 1 || leafWidth == numOutputs else {
            throw section.fail("leaf_width must be 1 or n_outputs (\(numOutputs)), found \(leafWidth)")
        }
        let baseOffset = try section.member("base_offset").numbers(count: numOutputs)
        var builder = TreeEnsembleBuilder(semantics: semantics, numFeatures: numFeatures, numOutputs: numOutputs, leafWidth: leafWidth)
        for tree in try section.member("trees").array() {
            let left = try tree.member("children_left").integers()
            let count = left.count
            let right = try tree.member("children_right").integers(count: count)
            let feature = try tree.member("feature").integers(count: count)
            let threshold = try tree.member("threshold").numbers(count: count)
            let cover = try tree.member("cover").numbers(count: count)
            let missingLeft = try tree.optionalMember("missing_go_to_left")?.integers(count: count)
                ?? Array(repeating: 0, count: count)
            let valueRows = try tree.member("value").array()
            guard valueRows.count == count else { throw tree.fail("value: \(valueRows.count) rows for \(count) nodes") }
            // Rows are read one by one, each checked to hold leaf_width numbers, so nothing is
            // sized by the declared width before the file has shown it holds the values.
            var values: [Double] = []
            for row in valueRows { values += try row.numbers(count: leafWidth) }
            let output = try tree.optionalMember("output")?.integer() ?? 0
            let nodes = TreeNodes(
                left: left.map { $0 < 0 ? -1 : $0 }, right: right.map { $0 < 0 ? -1 : $0 },
                feature: feature, threshold: threshold,
                flags: missingLeft.map { $0 != 0 ? TreeEnsemble.defaultLeftFlag : 0 },
                cover: cover, leafValues: values)
            do {
                try builder.addTree(nodes, output: output)
            } catch {
                throw tree.fail(error.description)
            }
        }
        guard builder.treeCount > 0 else { throw section.fail("trees: the model has no trees") }
        do {
            let ensemble = try builder.build(baseOffset: baseOffset)
            warnings += builder.warnings
            return ensemble
        } catch {
            throw section.fail(error.description)
        }
    }
}
