import ShapDriftCore
/// Reads a LightGBM model saved with `Booster.save_model("model.txt")` (LightGBM 3.x and 4.x).
///
/// The rules it maps (see `docs/format-rules.md`, LightGBM `include/LightGBM/tree.h` and
/// `src/io/tree.cpp`): internal nodes `0…num_leaves−2`, a negative child `c` is leaf `~c`;
/// `decision_type` bit 0 = categorical, bit 1 = default left, bits 2–3 = missing type; numerical
/// splits `x <= threshold` in Double; categorical splits look `Int(x)` up in the bitset
/// `cat_threshold[cat_boundaries[t] ..< cat_boundaries[t+1]]` with `t = Int(threshold)`, a hit
/// goes left; covers are `internal_count`/`leaf_count`; multi-class trees interleave (tree `i`
/// feeds class `i % num_tree_per_iteration`); `average_output` (random-forest mode) averages the
/// trees instead of summing them. The boosting start score is already inside the first trees.
package struct LightGBMTextLoader {
    /// Objectives by the first word of the `objective=` line, with their output transform.
    static let objectives: [String: OutputTransform] = [
        "regression": .identity, "regression_l2": .identity, "l2": .identity, "mean_squared_error": .identity,
        "mse": .identity, "regression_l1": .identity, "l1": .identity, "huber": .identity, "fair": .identity,
        "quantile": .identity, "mape": .identity,
        "binary": .logistic, "cross_entropy": .logistic, "xentropy": .logistic,
        "multiclass": .softmax, "softmax": .softmax, "multiclassova": .logistic,
        "poisson": .exponential, "gamma": .exponential, "tweedie": .exponential,
        "lambdarank": .identity, "rank_xendcg": .identity,
        // Trained with a custom objective function: the raw score is still what SHAP explains.
        "custom": .identity, "none": .identity,
    ]

    package init() {}

    /// One `key=value` line of the file, with its 1-based line number.
    struct Entry {
        let value: Substring
        let line: Int
    }

    package func load(text: String, file: String) throws(InputError) -> Model {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, first.trimmingCharacters(in: .whitespaces) == "tree" else {
            throw InputError(file: file, line: 1, "not a LightGBM text model: the first line must be \"tree\"")
        }
        var header: [String: Entry] = [:]
        var index = 1
        while index < lines.count, !lines[index].hasPrefix("Tree=") {
            let line = lines[index]
            if line.hasPrefix("end of trees") { break }
            if let equals = line.firstIndex(of: "=") {
                header[String(line[..<equals])] = Entry(value: line[line.index(after: equals)...], line: index + 1)
            } else if !line.isEmpty {
                header[String(line)] = Entry(value: "", line: index + 1)
            }
            index += 1
        }

        func required(_ key: String) throws(InputError) -> Entry {
            guard let entry = header[key] else { throw InputError(file: file, field: key, "missing (required) in the model header") }
            return entry
        }
        func integer(_ entry: Entry, key: String) throws(InputError) -> Int {
            guard let value = Int(entry.value.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw InputError(file: file, line: entry.line, field: key, "expected a non-negative whole number, found \"\(entry.value)\"")
            }
            return value
        }

        let objectiveEntry = try required("objective")
        let objective = objectiveEntry.value.split(separator: " ").first.map(String.init) ?? ""
        guard let transform = Self.objectives[objective] else {
            throw InputError(file: file, line: objectiveEntry.line, field: "objective",
                             "unsupported objective \(objective), supported: \(Self.objectives.keys.sorted().joined(separator: ", "))")
        }
        let numClass = try integer(required("num_class"), key: "num_class")
        let treesPerIteration = try integer(required("num_tree_per_iteration"), key: "num_tree_per_iteration")
        guard treesPerIteration >= 1, numClass >= 1 else {
            throw InputError(file: file, field: "num_tree_per_iteration", "must be at least 1")
        }
        let numFeatures = try integer(required("max_feature_idx"), key: "max_feature_idx") + 1
        let namesEntry = try required("feature_names")
        let names = namesEntry.value.split(separator: " ").map(String.init)
        guard names.count == numFeatures else {
            throw InputError(file: file, line: namesEntry.line, field: "feature_names",
                             "has \(names.count) names for \(numFeatures) features (max_feature_idx + 1)")
        }
        let averageOutput = header["average_output"] != nil

        var trees: [(nodes: TreeNodes, line: Int)] = []
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("end of trees") { break }
            guard line.hasPrefix("Tree=") else {
                index += 1
                continue
            }
            let treeLine = index + 1
            var block: [String: Entry] = [:]
            index += 1
            while index < lines.count, !lines[index].isEmpty, !lines[index].hasPrefix("Tree="),
                  !lines[index].hasPrefix("end of trees") {
                let entryLine = lines[index]
                if let equals = entryLine.firstIndex(of: "=") {
                    block[String(entryLine[..<equals])] = Entry(value: entryLine[entryLine.index(after: equals)...], line: index + 1)
                }
                index += 1
            }
            trees.append((try readTree(block, treeLine: treeLine, file: file), treeLine))
        }
        guard index < lines.count, lines[index].hasPrefix("end of trees") else {
            throw InputError(file: file, line: lines.count, "the file ends before \"end of trees\" (truncated?)")
        }
        guard !trees.isEmpty else { throw InputError(file: file, "the model has no trees") }
        guard trees.count % treesPerIteration == 0 else {
            throw InputError(file: file, "\(trees.count) trees is not a multiple of num_tree_per_iteration \(treesPerIteration)")
        }

        var builder = TreeEnsembleBuilder(semantics: .lightgbm, numFeatures: numFeatures, numOutputs: treesPerIteration)
        let scale = averageOutput ? 1 / Double(trees.count / treesPerIteration) : 1
        for (treeIndex, tree) in trees.enumerated() {
            var nodes = tree.nodes
            if averageOutput { nodes.leafValues = nodes.leafValues.map { $0 * scale } }
            do {
                try builder.addTree(nodes, output: treeIndex % treesPerIteration)
            } catch {
                throw InputError(file: file, line: tree.line, field: "Tree=\(treeIndex)", error.description)
            }
        }
        let ensemble: TreeEnsemble
        do {
            ensemble = try builder.build(baseOffset: Array(repeating: 0, count: treesPerIteration))
        } catch {
            throw InputError(file: file, error.description)
        }
        return Model(format: .lightgbmText, objective: String(objectiveEntry.value), transform: transform,
                     featureNames: names, predictor: .trees(ensemble), fingerprint: "")
    }

    /// Maps one `Tree=` block to tree-local nodes: internal node `i` → `i`, leaf `j` → `num_leaves − 1 + j`.
    private func readTree(_ block: [String: Entry], treeLine: Int, file: String) throws(InputError) -> TreeNodes {
        func entry(_ key: String) throws(InputError) -> Entry {
            guard let entry = block[key] else {
                throw InputError(file: file, line: treeLine, field: key, "missing (required) in this tree")
            }
            return entry
        }
        func numbers(_ key: String, count: Int) throws(InputError) -> [Double] {
            let found = try entry(key)
            let tokens = found.value.split(separator: " ")
            guard tokens.count == count else {
                throw InputError(file: file, line: found.line, field: key, "has \(tokens.count) values, expected \(count)")
            }
            var result = [Double]()
            result.reserveCapacity(count)
            for (position, token) in tokens.enumerated() {
                guard let number = parseDouble(token) else {
                    throw InputError(file: file, line: found.line, field: "\(key)[\(position)]", "expected a number, found \"\(token)\"")
                }
                result.append(number)
            }
            return result
        }
        func integers(_ key: String, count: Int) throws(InputError) -> [Int32] {
            let values = try numbers(key, count: count)
            for (position, value) in values.enumerated() where value.rounded() != value || abs(value) > 4_294_967_295 {
                throw InputError(file: file, line: block[key]?.line, field: "\(key)[\(position)]", "expected a whole number, found \(value)")
            }
            return values.map { Int32(truncatingIfNeeded: Int64($0)) }
        }

        let leavesEntry = try entry("num_leaves")
        guard let numLeaves = Int(leavesEntry.value), numLeaves >= 1, numLeaves < Int(Int32.max) / 2 else {
            throw InputError(file: file, line: leavesEntry.line, field: "num_leaves", "expected a positive whole number, found \"\(leavesEntry.value)\"")
        }
        if let linear = block["is_linear"], linear.value != "0" {
            throw InputError(file: file, line: linear.line, field: "is_linear", "linear trees (linear_tree=true) are not supported")
        }
        let leafValue = try numbers("leaf_value", count: numLeaves)
        if numLeaves == 1 {
            return TreeNodes(left: [-1], right: [-1], feature: [0], threshold: [0], flags: [0], cover: [1], leafValues: leafValue)
        }
        let internalCount = numLeaves - 1
        let splitFeature = try integers("split_feature", count: internalCount)
        let threshold = try numbers("threshold", count: internalCount)
        let decisionType = try integers("decision_type", count: internalCount)
        let leftChild = try integers("left_child", count: internalCount)
        let rightChild = try integers("right_child", count: internalCount)
        let leafCount = try numbers("leaf_count", count: numLeaves)
        let internalCover = try numbers("internal_count", count: internalCount)

        func local(_ child: Int32) -> Int32 { child >= 0 ? child : Int32(internalCount) + ~child }
        var nodes = TreeNodes(
            left: leftChild.map(local) + Array(repeating: -1, count: numLeaves),
            right: rightChild.map(local) + Array(repeating: -1, count: numLeaves),
            feature: splitFeature + Array(repeating: 0, count: numLeaves),
            threshold: threshold + Array(repeating: 0, count: numLeaves),
            flags: decisionType.map { type in
                let bits = UInt8(truncatingIfNeeded: type)
                return (bits & 2 != 0 ? TreeEnsemble.defaultLeftFlag : 0) | (bits & 1 != 0 ? TreeEnsemble.categoricalFlag : 0) | (bits & 0b1100)
            } + Array(repeating: 0, count: numLeaves),
            cover: internalCover + leafCount,
            leafValues: Array(repeating: 0, count: internalCount) + leafValue)
        for child in leftChild + rightChild where child < 0 && Int(~child) >= numLeaves {
            throw InputError(file: file, line: block["left_child"]?.line, field: "left_child/right_child",
                             "leaf child \(child) (leaf \(~child)) is out of range: the tree has \(numLeaves) leaves")
        }
        for (node, type) in decisionType.enumerated() where (type >> 2) & 3 == 3 {
            throw InputError(file: file, line: block["decision_type"]?.line, field: "decision_type[\(node)]", "unknown missing type 3")
        }
        if decisionType.contains(where: { $0 & 1 != 0 }) {
            let numCat = Int(try entry("num_cat").value) ?? -1
            guard numCat >= 1 else {
                throw InputError(file: file, line: block["num_cat"]?.line, field: "num_cat", "categorical splits need num_cat ≥ 1")
            }
            let boundaries = try integers("cat_boundaries", count: numCat + 1)
            let wordCount = Int(boundaries.last ?? 0)
            let words = try numbers("cat_threshold", count: wordCount)
            for (node, type) in decisionType.enumerated() where type & 1 != 0 {
                let setIndex = Int(threshold[node])
                guard setIndex >= 0, setIndex < numCat, Double(setIndex) == threshold[node],
                      boundaries[setIndex] >= 0, boundaries[setIndex] <= boundaries[setIndex + 1],
                      Int(boundaries[setIndex + 1]) <= wordCount else {
                    throw InputError(file: file, line: block["threshold"]?.line, field: "threshold[\(node)]",
                                     "categorical split names category set \(threshold[node]); the tree has \(numCat) sets")
                }
                nodes.categories[node] = words[Int(boundaries[setIndex])..<Int(boundaries[setIndex + 1])].map { UInt32(truncatingIfNeeded: Int64($0)) }
            }
        }
        return nodes
    }
}
