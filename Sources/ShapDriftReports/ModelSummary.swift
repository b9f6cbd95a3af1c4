import ShapDriftCore

/// What `shapdrift inspect` prints about a loaded model.
public struct ModelSummary: Sendable {
    public let lines: [(String, String)]

    public init(model: Model, file: String) {
        var lines: [(String, String)] = [
            ("file", file),
            ("format", model.format.rawValue),
            ("objective", model.objective),
            ("output transform", "\(model.transform.name) (attributions in raw space: \(model.transform.rawSpaceDescription))"),
            ("outputs", "\(model.numOutputs)"),
        ]
        switch model.predictor {
        case .trees(let ensemble):
            lines.append(("model", "tree ensemble (\(ensemble.semantics.rawValue) split rules)"))
            lines.append(("trees", "\(ensemble.treeCount)"))
            lines.append(("max depth", "\(ensemble.maxDepth)"))
            lines.append(("leaves", "\(ensemble.leafCount)"))
            let categorical = ensemble.flags.filter { $0 & TreeEnsemble.categoricalFlag != 0 }.count
            if categorical > 0 { lines.append(("categorical splits", "\(categorical)")) }
            lines.append(("base offset (margin)", ensemble.baseOffset.map(\.description).joined(separator: ", ")))
        case .linear(let linear):
            lines.append(("model", "linear"))
            lines.append(("intercept", linear.intercept.map(\.description).joined(separator: ", ")))
            lines.append(("feature means", linear.featureMeans == nil ? "not exported (linear SHAP then needs a background sample)" : "exported"))
        }
        let names = model.featureNames.map { $0.joined(separator: ", ") }
            ?? "(no names: columns are taken in order, and a CSV header names them)"
        lines.append(("features", "\(model.numFeatures): \(names)"))
        lines += model.warnings.map { ("warning", $0) }
        self.lines = lines
    }

    public var text: String {
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { key, value in
            key + String(repeating: " ", count: width - key.count) + "  " + value
        }.joined(separator: "\n") + "\n"
    }
}
