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
/// trees instead of summing them. The boosting start score is already inside the first trees;
/// the objective decides only the output transform (`LightGBMObjective`).
package struct LightGBMTextLoader {
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
            guard let value = Int(entry.value.trimmingCharacters(in: .whitespaces)), value >= 0, value < Int(Int32.max) else {
                throw InputError(file: file, line: entry.line, field: key, "expected a whole number in 0..<\(Int32.max), found \"\(entry.value)\"")
            }
            return value
        }

        let numClassEntry = try required("num_class")
        let numClass = try integer(numClassEntry, key: "num_class")
        let treesEntry = try required("num_tree_per_iteration")
        let treesPerIteration = try integer(treesEntry, key: "num_tree_per_iteration")
        guard treesPerIteration >= 1, numClass >= 1 else {
            throw InputError(file: file, line: treesEntry.line, field: "num_tree_per_iteration", "must be at least 1")
        }
        // GBDT sets num_tree_per_iteration from num_class (one tree per class and iteration).
        guard numClass == treesPerIteration else {
            throw InputError(file: file, line: numClassEntry.line, field: "num_class",
                             "num_class \(numClass) differs from num_tree_per_iteration \(treesPerIteration)")
        }
        let featuresEntry = try required("max_feature_idx")
        let numFeatures = try integer(featuresEntry, key: "max_feature_idx") + 1
        let namesEntry = try required("feature_names")
        let names = namesEntry.value.split(separator: " ").map(String.init)
        guard names.count == numFeatures else {
            throw InputError(file: file, line: namesEntry.line, field: "feature_names",
                             "has \(names.count) names for \(numFeatures) features (max_feature_idx + 1)")
        }
        if let problem = ModelLimits.shapeProblem(numFeatures: numFeatures, numOutputs: treesPerIteration) {
            throw InputError(file: file, line: featuresEntry.line, field: "max_feature_idx", problem)
        }
        if let duplicate = FeatureSchema.firstDuplicate(in: names) {
            throw InputError(file: file, line: namesEntry.line, field: "feature_names[\(duplicate.second)]",
                             "feature name '\(duplicate.name)' appears twice (also at [\(duplicate.first)]): features are matched and reported by name")
        }
        let objectiveName: String
        let objective: LightGBMObjective
        if let objectiveEntry = header["objective"] {
            do {
                objective = try LightGBMObjective.parse(objectiveEntry.value, outputs: treesPerIteration)
            } catch {
                throw InputError(file: file, line: objectiveEntry.line, field: "objective", error.message)
            }
            objectiveName = String(objectiveEntry.value)
        } else {
            // No objective line: trained with a custom objective, and LightGBM predicts raw scores.
            objective = LightGBMObjective(transform: .identity, warning: nil)
            objectiveName = "custom"
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
        guard !trees.isEmpty else { throw InputError(file: file, line: index + 1, "the model has no trees") }
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
        return Model(format: .lightgbmText, objective: objectiveName, transform: objective.transform,
                     featureNames: FeatureNameRules.areLightGBMPlaceholders(names) ? nil : names, predictor: .trees(ensemble),
                     warnings: (objective.warning.map { [$0] } ?? []) + builder.warnings, fingerprint: "")
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
        /// Whole numbers within `range` (LightGBM writes them as `int`).
        func integers(_ key: String, count: Int, in range: ClosedRange<Double> = -2_147_483_648...2_147_483_647) throws(InputError) -> [Int64] {
            let values = try numbers(key, count: count)
            for (position, value) in values.enumerated() where value.rounded() != value || !range.contains(value) {
                throw InputError(file: file, line: block[key]?.line, field: "\(key)[\(position)]",
                                 "expected a whole number in \(Int64(range.lowerBound))...\(Int64(range.upperBound)), found \(value)")
            }
            return values.map { Int64($0) }
        }

        let leavesEntry = try entry("num_leaves")
        guard let numLeaves = Int(leavesEntry.value), numLeaves >= 1, numLeaves < Int(Int32.max) / 2 else {
            throw InputError(file: file, line: leavesEntry.line, field: "num_leaves", "expected a positive whole number, found \"\(leavesEntry.value)\"")
        }
        if let linear = block["is_linear"], linear.value != "0" {
            throw InputError(file: file, line: linear.line, field: "is_linear",
                             "linear trees (linear_tree=true) are not supported: their leaves are linear models, and LightGBM itself gives no SHAP values (pred_contrib) for them; train without linear_tree to explain the model")
        }
        let leafValue = try numbers("leaf_value", count: numLeaves)
        if numLeaves == 1 {
            return TreeNodes(left: [-1], right: [-1], feature: [0], threshold: [0], flags: [0], cover: [1], leafValues: leafValue)
        }
        let internalCount = numLeaves - 1
        let splitFeature = try integers("split_feature", count: internalCount)
        let threshold = try numbers("threshold", count: internalCount)
        // decision_type is an int8 of four flag bits (categorical, default left, missing type).
        let decisionType = try integers("decision_type", count: internalCount, in: 0...15)
        let leftChild = try integers("left_child", count: internalCount)
        let rightChild = try integers("right_child", count: internalCount)
        let leafCount = try numbers("leaf_count", count: numLeaves)
        let internalCover = try numbers("internal_count", count: internalCount)

        /// Tree-local index of child `c` of internal node `node`: internal node `c` for c ≥ 0,
        /// leaf `~c` (stored after the internal nodes) for c < 0. Both must exist, whatever the
        /// file's layout: an internal index past the internal nodes or a leaf past the leaves is
        /// refused here, where the side and node are known (cycles are the builder's check).
        func local(_ child: Int64, node: Int, key: String) throws(InputError) -> Int32 {
            if child >= 0 {
                guard child < Int64(internalCount) else {
                    throw InputError(file: file, line: block[key]?.line, field: "\(key)[\(node)]",
                                     "internal child \(child) is out of range: the tree has \(internalCount) internal nodes (0...\(internalCount - 1))")
                }
                return Int32(child)
            }
            guard ~child < Int64(numLeaves) else {
                throw InputError(file: file, line: block[key]?.line, field: "\(key)[\(node)]",
                                 "leaf child \(child) (leaf \(~child)) is out of range: the tree has \(numLeaves) leaves")
            }
            return Int32(Int64(internalCount) + ~child)
        }
        var left: [Int32] = [], right: [Int32] = []
        left.reserveCapacity(internalCount + numLeaves)
        right.reserveCapacity(internalCount + numLeaves)
        for node in 0..<internalCount {
            left.append(try local(leftChild[node], node: node, key: "left_child"))
            right.append(try local(rightChild[node], node: node, key: "right_child"))
        }
        var nodes = TreeNodes(
            left: left + Array(repeating: -1, count: numLeaves),
            right: right + Array(repeating: -1, count: numLeaves),
            feature: splitFeature.map { Int32($0) } + Array(repeating: 0, count: numLeaves),
            threshold: threshold + Array(repeating: 0, count: numLeaves),
            flags: decisionType.map { type in
                let bits = UInt8(type)
                return (bits & 2 != 0 ? TreeEnsemble.defaultLeftFlag : 0) | (bits & 1 != 0 ? TreeEnsemble.categoricalFlag : 0) | (bits & 0b1100)
            } + Array(repeating: 0, count: numLeaves),
            cover: internalCover + leafCount,
            leafValues: Array(repeating: 0, count: internalCount) + leafValue)
        for (node, type) in decisionType.enumerated() where (type >> 2) & 3 == 3 {
            throw InputError(file: file, line: block["decision_type"]?.line, field: "decision_type[\(node)]", "unknown missing type 3")
        }
        if decisionType.contains(where: { $0 & 1 != 0 }) {
            let numCat = Int(try entry("num_cat").value) ?? -1
            // Each set has a boundary in the file, so a valid count is far below Int32.max.
            guard numCat >= 1, numCat < Int(Int32.max) else {
                throw InputError(file: file, line: block["num_cat"]?.line, field: "num_cat", "categorical splits need num_cat ≥ 1")
            }
            let boundaries = try integers("cat_boundaries", count: numCat + 1)
            let wordCount = Int(boundaries.last ?? 0)
            guard wordCount >= 0 else {
                throw InputError(file: file, line: block["cat_boundaries"]?.line, field: "cat_boundaries[\(numCat)]", "expected a non-negative word count, found \(wordCount)")
            }
            let words = try integers("cat_threshold", count: wordCount, in: 0...4_294_967_295)
            for (node, type) in decisionType.enumerated() where type & 1 != 0 {
                let setIndex = (0..<Double(numCat)).contains(threshold[node]) ? Int(threshold[node]) : -1
                guard setIndex >= 0, Double(setIndex) == threshold[node],
                      boundaries[setIndex] >= 0, boundaries[setIndex] <= boundaries[setIndex + 1],
                      Int(boundaries[setIndex + 1]) <= wordCount else {
                    throw InputError(file: file, line: block["threshold"]?.line, field: "threshold[\(node)]",
                                     "categorical split names category set \(threshold[node]); the tree has \(numCat) sets")
                }
                nodes.categories[node] = words[Int(boundaries[setIndex])..<Int(boundaries[setIndex + 1])].map { UInt32($0) }
            }
        }
        return nodes
    }
}
