import ShapDriftCore

extension TreeEnsemble {
    /// Whether a row whose value of this node's feature is `x` goes to the left child.
    public func goesLeft(node: Int, value x: Double) -> Bool {
        withUnsafeView { $0.goesLeft(node: node, value: x) }
    }

    /// Calls `body` with a view of the node arrays as raw buffers: what the hot loops use, so
    /// they touch contiguous memory and no reference counts.
    package func withUnsafeView<Result>(_ body: (TreeEnsembleView) throws -> Result) rethrows -> Result {
        try left.withUnsafeBufferPointer { left in
        try right.withUnsafeBufferPointer { right in
        try feature.withUnsafeBufferPointer { feature in
        try threshold.withUnsafeBufferPointer { threshold in
        try flags.withUnsafeBufferPointer { flags in
        try cover.withUnsafeBufferPointer { cover in
        try leafValues.withUnsafeBufferPointer { leafValues in
        try categoryStart.withUnsafeBufferPointer { categoryStart in
        try categoryCount.withUnsafeBufferPointer { categoryCount in
        try categoryWords.withUnsafeBufferPointer { categoryWords in
            try body(TreeEnsembleView(
                semantics: semantics, numFeatures: numFeatures, numOutputs: numOutputs, leafWidth: leafWidth,
                left: left, right: right, feature: feature, threshold: threshold, flags: flags, cover: cover,
                leafValues: leafValues, categoryStart: categoryStart, categoryCount: categoryCount,
                categoryWords: categoryWords))
        }}}}}}}}}}
    }

    /// The raw (margin-space) outputs of consecutive rows (`rows.count / numFeatures` of them) into
    /// `output` (`numOutputs` per row), setting up the node buffers once for all of them.
    /// - Complexity: O(rows × trees × depth).
    package func predict(rows: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
        let count = rows.count / numFeatures
        withUnsafeView { view in
            for row in 0..<count {
                let x = UnsafeBufferPointer(rebasing: rows[(row * numFeatures)..<((row + 1) * numFeatures)])
                let out = output.baseAddress! + row * numOutputs
                for k in 0..<numOutputs { out[k] = baseOffset[k] }
                for tree in 0..<treeCount {
                    let leaf = view.leaf(from: Int(treeRoot[tree]), row: x)
                    if leafWidth == 1 {
                        out[Int(treeOutput[tree])] += view.leafValues[leaf]
                    } else {
                        for k in 0..<leafWidth { out[k] += view.leafValues[leaf * leafWidth + k] }
                    }
                }
            }
        }
    }
}

/// A `TreeEnsemble`'s node arrays as raw buffers, valid inside `TreeEnsemble.withUnsafeView`.
///
/// The one implementation of each format's split rule lives here (`goesLeft`), used by
/// prediction and by every attribution kernel. It lives beside the kernels, not with the model's
/// data in ShapDriftCore, because the kernels must inline it: a call per node decision across the
/// module boundary cost ~8 % of T2's instructions (measured with callgrind).
package struct TreeEnsembleView {
    package let semantics: SplitSemantics
    package let numFeatures: Int
    package let numOutputs: Int
    package let leafWidth: Int
    package let left: UnsafeBufferPointer<Int32>
    package let right: UnsafeBufferPointer<Int32>
    package let feature: UnsafeBufferPointer<Int32>
    package let threshold: UnsafeBufferPointer<Double>
    package let flags: UnsafeBufferPointer<UInt8>
    package let cover: UnsafeBufferPointer<Double>
    package let leafValues: UnsafeBufferPointer<Double>
    package let categoryStart: UnsafeBufferPointer<Int32>
    package let categoryCount: UnsafeBufferPointer<Int32>
    package let categoryWords: UnsafeBufferPointer<UInt32>

    /// The leaf a row reaches from `node`.
    @inline(__always)
    package func leaf(from node: Int, row: UnsafeBufferPointer<Double>) -> Int {
        var current = node
        while left[current] >= 0 {
            current = Int(goesLeft(node: current, value: row[Int(feature[current])]) ? left[current] : right[current])
        }
        return current
    }

    /// The decision of every internal node of the ensemble for one row: `decisions[node]` = 1
    /// when the row goes left. Kernels that visit nodes many times per row compute them once.
    package func decide(row: UnsafeBufferPointer<Double>, into decisions: UnsafeMutablePointer<UInt8>) {
        for node in 0..<left.count where left[node] >= 0 {
            decisions[node] = goesLeft(node: node, value: row[Int(feature[node])]) ? 1 : 0
        }
    }

    /// Whether a row whose value of this node's feature is `x` goes to the left child.
    @inline(__always)
    package func goesLeft(node: Int, value x: Double) -> Bool {
        let nodeFlags = flags[node]
        if nodeFlags & TreeEnsemble.categoricalFlag != 0 {
            return categoricalGoesLeft(node: node, value: x, flags: nodeFlags)
        }
        switch semantics {
        case .xgboost:
            if x.isNaN { return nodeFlags & TreeEnsemble.defaultLeftFlag != 0 }
            return Float(x) < Float(threshold[node])
        case .sklearn:
            if x.isNaN { return nodeFlags & TreeEnsemble.defaultLeftFlag != 0 }
            return Double(Float(x)) <= threshold[node]
        case .sklearnFloat64:
            if x.isNaN { return nodeFlags & TreeEnsemble.defaultLeftFlag != 0 }
            return x <= threshold[node]
        case .lightgbm:
            let missing = (nodeFlags >> 2) & 3
            var value = SplitSemantics.lightGBMInput(x)
            if missing != MissingType.nan.rawValue, value.isNaN { value = 0 }
            if (missing == MissingType.zero.rawValue && value == 0) || (missing == MissingType.nan.rawValue && value.isNaN) {
                return nodeFlags & TreeEnsemble.defaultLeftFlag != 0
            }
            return value <= threshold[node]
        }
    }

    package func categoricalGoesLeft(node: Int, value x: Double, flags nodeFlags: UInt8) -> Bool {
        switch semantics {
        case .lightgbm:
            // `Tree::CategoricalDecision`: NaN goes right; otherwise the category is `int(x)`,
            // truncated towards zero (so −0.5 is category 0), and a negative one goes right; one
            // in the bitset goes left.
            let value = SplitSemantics.lightGBMInput(x)
            if value.isNaN || value <= -1 || value >= SplitSemantics.lightGBMCategoryLimit { return false }
            return categoryIsInSet(node: node, category: Int(value))
        case .xgboost, .sklearn, .sklearnFloat64:
            // NaN takes the default child; an invalid category goes left; one in the set goes right.
            if x.isNaN { return nodeFlags & TreeEnsemble.defaultLeftFlag != 0 }
            let category = Float(x)
            if category < 0 || category >= SplitSemantics.xgboostCategoryLimit { return true }
            return !categoryIsInSet(node: node, category: Int(category))
        }
    }

    @inline(__always)
    package func categoryIsInSet(node: Int, category: Int) -> Bool {
        let word = category >> 5
        guard word < Int(categoryCount[node]) else { return false }
        return categoryWords[Int(categoryStart[node]) + word] & (1 << UInt32(category & 31)) != 0
    }
}
