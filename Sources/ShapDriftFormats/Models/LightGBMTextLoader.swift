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

    /// - Throws: `InputError` naming the line and key of what is wrong (`LightGBMHeader`,
    ///   `LightGBMTreeBlock`), or the tree the ensemble's checks refuse.
    /// - Complexity: O(file size).
    package func load(text: String, file: String) throws(InputError) -> Model {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let header = try LightGBMHeader(lines: lines, file: file)
        let treesPerIteration = header.treesPerIteration
        var trees: [(nodes: TreeNodes, line: Int)] = []
        var index = header.end
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("end of trees") { break }
            guard line.hasPrefix("Tree=") else {
                index += 1
                continue
            }
            let block = LightGBMTreeBlock(lines: lines, start: index, file: file)
            trees.append((try block.nodes(), block.line))
            index = block.end
        }
        guard index < lines.count, lines[index].hasPrefix("end of trees") else {
            throw InputError(file: file, line: lines.count, "the file ends before \"end of trees\" (truncated?)")
        }
        guard !trees.isEmpty else { throw InputError(file: file, line: index + 1, "the model has no trees") }
        guard trees.count % treesPerIteration == 0 else {
            throw InputError(file: file, "\(trees.count) trees is not a multiple of num_tree_per_iteration \(treesPerIteration)")
        }

        var builder = TreeEnsembleBuilder(semantics: .lightgbm, numFeatures: header.numFeatures, numOutputs: treesPerIteration)
        let scale = header.averageOutput ? 1 / Double(trees.count / treesPerIteration) : 1
        for (treeIndex, tree) in trees.enumerated() {
            var nodes = tree.nodes
            if header.averageOutput { nodes.leafValues = nodes.leafValues.map { $0 * scale } }
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
        let names = header.featureNames
        return Model(format: .lightgbmText, objective: header.objectiveName, transform: header.objective.transform,
                     featureNames: FeatureNameRules.areLightGBMPlaceholders(names) ? nil : names, predictor: .trees(ensemble),
                     warnings: (header.objective.warning.map { [$0] } ?? []) + builder.warnings, fingerprint: "")
    }
}
