import ShapDriftCore

/// The values f(x_S, r_S̄) of a tree ensemble for every KernelSHAP coalition S at once, without
/// evaluating the model once per coalition.
///
/// Walking a tree for the pair (x, r) as interventional TreeSHAP does yields the leaves some mix
/// of x and r can reach, each with the features that must come from x (A) and from r (B) to reach
/// it; the leaf's value counts for coalition S exactly when A ⊆ S and B ∩ S = ∅. Leaves needing
/// nothing (x and r agree on their whole path) add to every coalition. Pairs (A, B) are merged
/// across trees, then each distinct pair is tested against the coalitions as two bitmask
/// operations. Exact; for up to 64 features.
struct TreeCoalitionValues {
    static let maximumFeatures = 64

    let ensemble: TreeEnsemble
    /// Coalition k as a bitmask of the features taken from x.
    let masks: [UInt64]

    init(ensemble: TreeEnsemble, coalitions: [UInt8], count: Int) {
        precondition(ensemble.numFeatures <= Self.maximumFeatures)
        self.ensemble = ensemble
        let features = ensemble.numFeatures
        masks = (0..<count).map { k in
            (0..<features).reduce(UInt64(0)) { $0 | (coalitions[k * features + $1] != 0 ? 1 << UInt64($1) : 0) }
        }
    }

    /// Raw outputs for every coalition, `coalitions × numOutputs`, for the pair (x, r).
    func values(view: TreeEnsembleView, x: UnsafeBufferPointer<Double>, r: UnsafeBufferPointer<Double>,
                terms: inout [TermKey: Int], termValues: inout [Double], into out: UnsafeMutablePointer<Double>) {
        let outputs = ensemble.numOutputs
        terms.removeAll(keepingCapacity: true)
        termValues.removeAll(keepingCapacity: true)
        var constant = ensemble.baseOffset
        for tree in 0..<ensemble.treeCount {
            walk(view, x: x, r: r, node: Int(ensemble.treeRoot[tree]), fromX: 0, fromR: 0,
                 output: Int(ensemble.treeOutput[tree]), constant: &constant, terms: &terms, termValues: &termValues)
        }
        for k in 0..<masks.count {
            for o in 0..<outputs { out[k * outputs + o] = constant[o] }
        }
        for (key, index) in terms {
            for (k, mask) in masks.enumerated() where mask & key.fromX == key.fromX && mask & key.fromR == 0 {
                for o in 0..<outputs { out[k * outputs + o] += termValues[index * outputs + o] }
            }
        }
    }

    private func walk(_ tree: TreeEnsembleView, x: UnsafeBufferPointer<Double>, r: UnsafeBufferPointer<Double>, node: Int,
                      fromX: UInt64, fromR: UInt64, output: Int, constant: inout [Double],
                      terms: inout [TermKey: Int], termValues: inout [Double]) {
        var current = node
        while tree.left[current] >= 0 {
            let feature = Int(tree.feature[current])
            let bit = UInt64(1) << UInt64(feature)
            let xLeft = tree.goesLeft(node: current, value: x[feature])
            if fromX & bit != 0 {
                current = Int(xLeft ? tree.left[current] : tree.right[current])
                continue
            }
            let rLeft = tree.goesLeft(node: current, value: r[feature])
            if fromR & bit != 0 || xLeft == rLeft {
                current = Int(rLeft ? tree.left[current] : tree.right[current])
                continue
            }
            walk(tree, x: x, r: r, node: Int(xLeft ? tree.left[current] : tree.right[current]), fromX: fromX | bit, fromR: fromR,
                 output: output, constant: &constant, terms: &terms, termValues: &termValues)
            walk(tree, x: x, r: r, node: Int(rLeft ? tree.left[current] : tree.right[current]), fromX: fromX, fromR: fromR | bit,
                 output: output, constant: &constant, terms: &terms, termValues: &termValues)
            return
        }
        let outputs = ensemble.numOutputs
        let width = tree.leafWidth
        if fromX == 0 && fromR == 0 {
            if width == 1 {
                constant[output] += tree.leafValues[current]
            } else {
                for o in 0..<width { constant[o] += tree.leafValues[current * width + o] }
            }
            return
        }
        let key = TermKey(fromX: fromX, fromR: fromR)
        let index: Int
        if let existing = terms[key] {
            index = existing
        } else {
            index = terms.count
            terms[key] = index
            termValues.append(contentsOf: repeatElement(0, count: outputs))
        }
        if width == 1 {
            termValues[index * outputs + output] += tree.leafValues[current]
        } else {
            for o in 0..<width { termValues[index * outputs + o] += tree.leafValues[current * width + o] }
        }
    }
}

/// The features a leaf needs from x and from r.
struct TermKey: Hashable {
    let fromX: UInt64
    let fromR: UInt64
}
