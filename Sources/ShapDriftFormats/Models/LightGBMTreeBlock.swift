import ShapDriftCore

/// One `Tree=` block of a LightGBM text model, read into tree-local nodes: internal node `i` →
/// `i`, leaf `j` → `num_leaves − 1 + j` (LightGBM `src/io/tree.cpp`, `Tree::Tree(const char*)`).
struct LightGBMTreeBlock {
    typealias Entry = LightGBMHeader.Entry

    /// The block's `key=value` lines.
    let entries: [String: Entry]
    /// The 1-based line of its `Tree=` line.
    let line: Int
    /// The index of the line after the block.
    let end: Int
    let file: String

    /// The block starting at `lines[start]` (a `Tree=` line), up to an empty line, the next
    /// block or `end of trees`; `end` is the index of the line after it.
    init(lines: [Substring], start: Int, file: String) {
        line = start + 1
        self.file = file
        var entries: [String: Entry] = [:]
        var index = start + 1
        while index < lines.count, !lines[index].isEmpty, !lines[index].hasPrefix("Tree="), !lines[index].hasPrefix("end of trees") {
            let entryLine = lines[index]
            if let equals = entryLine.firstIndex(of: "=") {
                entries[String(entryLine[..<equals])] = Entry(value: entryLine[entryLine.index(after: equals)...], line: index + 1)
            }
            index += 1
        }
        self.entries = entries
        end = index
    }

    /// The tree's nodes, every child, split feature, flag and category set checked.
    /// - Throws: `InputError` naming the line and key (with the node) of what is wrong.
    /// - Complexity: O(nodes + category words).
    func nodes() throws(InputError) -> TreeNodes {
        let leavesEntry = try entry("num_leaves")
        guard let numLeaves = Int(leavesEntry.value), numLeaves >= 1, numLeaves < Int(Int32.max) / 2 else {
            throw InputError(file: file, line: leavesEntry.line, field: "num_leaves", "expected a positive whole number, found \"\(leavesEntry.value)\"")
        }
        if let linear = entries["is_linear"], linear.value != "0" {
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
        for (node, type) in decisionType.enumerated() where (type >> 2) & 3 == 3 {
            throw InputError(file: file, line: entries["decision_type"]?.line, field: "decision_type[\(node)]", "unknown missing type 3")
        }
        let leafCount = try numbers("leaf_count", count: numLeaves)
        let internalCover = try numbers("internal_count", count: internalCount)
        let (left, right) = try children(internalCount: internalCount, numLeaves: numLeaves)
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
        if decisionType.contains(where: { $0 & 1 != 0 }) {
            try readCategorySets(into: &nodes, decisionType: decisionType, threshold: threshold)
        }
        return nodes
    }

    /// Tree-local children of every internal node: internal node `c` for c ≥ 0, leaf `~c`
    /// (stored after the internal nodes) for c < 0. Both must exist, whatever the file's layout:
    /// an internal index past the internal nodes or a leaf past the leaves is refused here, where
    /// the side and node are known (cycles are the builder's check).
    private func children(internalCount: Int, numLeaves: Int) throws(InputError) -> (left: [Int32], right: [Int32]) {
        func local(_ child: Int64, node: Int, key: String) throws(InputError) -> Int32 {
            if child >= 0 {
                guard child < Int64(internalCount) else {
                    throw InputError(file: file, line: entries[key]?.line, field: "\(key)[\(node)]",
                                     "internal child \(child) is out of range: the tree has \(internalCount) internal nodes (0...\(internalCount - 1))")
                }
                return Int32(child)
            }
            guard ~child < Int64(numLeaves) else {
                throw InputError(file: file, line: entries[key]?.line, field: "\(key)[\(node)]",
                                 "leaf child \(child) (leaf \(~child)) is out of range: the tree has \(numLeaves) leaves")
            }
            return Int32(Int64(internalCount) + ~child)
        }
        let leftChild = try integers("left_child", count: internalCount)
        let rightChild = try integers("right_child", count: internalCount)
        var left: [Int32] = [], right: [Int32] = []
        left.reserveCapacity(internalCount + numLeaves)
        right.reserveCapacity(internalCount + numLeaves)
        for node in 0..<internalCount {
            left.append(try local(leftChild[node], node: node, key: "left_child"))
            right.append(try local(rightChild[node], node: node, key: "right_child"))
        }
        return (left, right)
    }

    /// The category sets of the categorical splits: split `t` goes left for the categories in the
    /// bitset `cat_threshold[cat_boundaries[t] ..< cat_boundaries[t+1]]`, `t = Int(threshold)`.
    private func readCategorySets(into nodes: inout TreeNodes, decisionType: [Int64], threshold: [Double]) throws(InputError) {
        let numCat = Int(try entry("num_cat").value) ?? -1
        // Each set has a boundary in the file, so a valid count is far below Int32.max.
        guard numCat >= 1, numCat < Int(Int32.max) else {
            throw InputError(file: file, line: entries["num_cat"]?.line, field: "num_cat", "categorical splits need num_cat ≥ 1")
        }
        let boundaries = try integers("cat_boundaries", count: numCat + 1)
        let wordCount = Int(boundaries.last ?? 0)
        guard wordCount >= 0 else {
            throw InputError(file: file, line: entries["cat_boundaries"]?.line, field: "cat_boundaries[\(numCat)]",
                             "expected a non-negative word count, found \(wordCount)")
        }
        let words = try integers("cat_threshold", count: wordCount, in: 0...4_294_967_295)
        for (node, type) in decisionType.enumerated() where type & 1 != 0 {
            let setIndex = (0..<Double(numCat)).contains(threshold[node]) ? Int(threshold[node]) : -1
            guard setIndex >= 0, Double(setIndex) == threshold[node],
                  boundaries[setIndex] >= 0, boundaries[setIndex] <= boundaries[setIndex + 1],
                  Int(boundaries[setIndex + 1]) <= wordCount else {
                throw InputError(file: file, line: entries["threshold"]?.line, field: "threshold[\(node)]",
                                 "categorical split names category set \(threshold[node]); the tree has \(numCat) sets")
            }
            nodes.categories[node] = words[Int(boundaries[setIndex])..<Int(boundaries[setIndex + 1])].map { UInt32($0) }
        }
    }

    private func entry(_ key: String) throws(InputError) -> Entry {
        guard let entry = entries[key] else {
            throw InputError(file: file, line: line, field: key, "missing (required) in this tree")
        }
        return entry
    }

    /// The `count` numbers of `key`; the count is checked against the tokens before anything is
    /// reserved for it.
    private func numbers(_ key: String, count: Int) throws(InputError) -> [Double] {
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
    private func integers(_ key: String, count: Int, in range: ClosedRange<Double> = -2_147_483_648...2_147_483_647) throws(InputError) -> [Int64] {
        let values = try numbers(key, count: count)
        for (position, value) in values.enumerated() where value.rounded() != value || !range.contains(value) {
            throw InputError(file: file, line: entries[key]?.line, field: "\(key)[\(position)]",
                             "expected a whole number in \(Int64(range.lowerBound))...\(Int64(range.upperBound)), found \(value)")
        }
        return values.map { Int64($0) }
    }
}
