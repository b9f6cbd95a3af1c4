import ShapDriftCore

/// Exact path-dependent TreeSHAP: Lundberg et al., "From local explanations to global
/// understanding with explainable AI for trees", Nature Machine Intelligence 2020, Algorithm 2.
///
/// For every tree the recursion walks all paths from the root, keeping the "unique path" of
/// features met so far with the fraction of zero paths (training weight flowing down, from the
/// covers) and one paths (does the row follow this branch) for each; `extend`, `unwind` and
/// `unwoundPathSum` maintain the permutation weights of the path's subsets. A feature met twice
/// on a path is unwound and extended again with the product of its fractions. Cost per row:
/// O(trees · leaves · depth²), in Double throughout.
///
/// The path buffer is laid out as in shap's `tree_shap.h`: each recursion level owns a segment
/// after its parent's, so one buffer of (D+2)(D+3)/2 elements per worker serves a whole tree.
///
/// `explain` uses `QuadratureTreeSHAP`, which computes the same values faster; this
/// implementation of the published algorithm is kept as the oracle the tests hold it to.
package struct PathDependentTreeSHAP: Sendable {
    package let ensemble: TreeEnsemble
    /// The base value of every output: the cover-weighted expected tree output plus the base offset.
    package let baseValues: [Double]

    package init(ensemble: TreeEnsemble) {
        self.ensemble = ensemble
        baseValues = ensemble.expectedValue()
    }

    /// Attributions for every row of `batch` (whose features are in model order).
    /// - Complexity: O(rows · trees · leaves · depth²).
    package func explain(_ batch: FeatureBatch, threads: Int = ProcessorCount.available) -> AttributionBatch {
        let rows = batch.rowCount
        let width = ensemble.numOutputs * ensemble.numFeatures
        var phi = [Double](repeating: 0, count: rows * width)
        phi.withUnsafeMutableBufferPointer { output in
            batch.values.withUnsafeBufferPointer { input in
                Parallel.forEachRange(rowCount: rows, threads: threads) { range in
                    var workspace = TreeSHAPWorkspace(maxDepth: ensemble.maxDepth)
                    ensemble.withUnsafeView { view in
                        for row in range {
                            let x = UnsafeBufferPointer(rebasing: input[(row * ensemble.numFeatures)..<((row + 1) * ensemble.numFeatures)])
                            let rowPhi = UnsafeMutableBufferPointer(rebasing: output[(row * width)..<((row + 1) * width)])
                            workspace.explain(row: x, ensemble: ensemble, view: view, into: rowPhi)
                        }
                    }
                }
            }
        }
        return AttributionBatch(rowCount: rows, numOutputs: ensemble.numOutputs, numFeatures: ensemble.numFeatures,
                                values: phi, baseValues: baseValues)
    }
}

/// One worker's scratch space for `PathDependentTreeSHAP`: the unique-path buffer as parallel arrays.
struct TreeSHAPWorkspace: ~Copyable {
    private let feature: UnsafeMutablePointer<Int32>
    private let zeroFraction: UnsafeMutablePointer<Double>
    private let oneFraction: UnsafeMutablePointer<Double>
    private let weight: UnsafeMutablePointer<Double>
    private let capacity: Int

    init(maxDepth: Int) {
        let levels = maxDepth + 3
        capacity = levels * (levels + 1) / 2 + 1
        feature = .allocate(capacity: capacity)
        zeroFraction = .allocate(capacity: capacity)
        oneFraction = .allocate(capacity: capacity)
        weight = .allocate(capacity: capacity)
    }

    deinit {
        feature.deallocate()
        zeroFraction.deallocate()
        oneFraction.deallocate()
        weight.deallocate()
    }

    /// Adds the attributions of one row to `phi` (`numOutputs × numFeatures`, zeroed by the caller).
    mutating func explain(row x: UnsafeBufferPointer<Double>, ensemble: TreeEnsemble, view: TreeEnsembleView,
                          into phi: UnsafeMutableBufferPointer<Double>) {
        for index in 0..<ensemble.treeCount {
            let root = Int(ensemble.treeRoot[index])
            if view.left[root] < 0 { continue }
            let outputPhi = view.leafWidth == 1
                ? phi.baseAddress! + Int(ensemble.treeOutput[index]) * view.numFeatures
                : phi.baseAddress!
            recurse(view, row: x, phi: outputPhi, node: root, uniqueDepth: 0, parentPath: 0,
                    parentZero: 1, parentOne: 1, parentFeature: -1)
        }
    }

    /// Algorithm 2's RECURSE. `parentPath` is the offset of the parent's path segment.
    private func recurse(_ tree: TreeEnsembleView, row: UnsafeBufferPointer<Double>, phi: UnsafeMutablePointer<Double>, node: Int, uniqueDepth depthIn: Int,
                         parentPath: Int, parentZero: Double, parentOne: Double, parentFeature: Int32) {
        var uniqueDepth = depthIn
        let path = parentPath + uniqueDepth + 1
        // Copy the parent's path into this level's segment, then extend it.
        (feature + path).update(from: feature + parentPath, count: uniqueDepth + 1)
        (zeroFraction + path).update(from: zeroFraction + parentPath, count: uniqueDepth + 1)
        (oneFraction + path).update(from: oneFraction + parentPath, count: uniqueDepth + 1)
        (weight + path).update(from: weight + parentPath, count: uniqueDepth + 1)
        extend(path, uniqueDepth, parentZero, parentOne, parentFeature)

        let leftChild = Int(tree.left[node])
        if leftChild < 0 {
            let width = tree.leafWidth
            let numFeatures = tree.numFeatures
            for i in stride(from: 1, through: uniqueDepth, by: 1) {
                // An element with equal fractions contributes nothing; skipping it also keeps a
                // zero-cover branch (both fractions 0) from dividing by zero.
                let difference = oneFraction[path + i] - zeroFraction[path + i]
                if difference == 0 { continue }
                let w = unwoundPathSum(path, uniqueDepth, i) * difference
                let target = Int(feature[path + i])
                if width == 1 {
                    phi[target] += w * tree.leafValues[node]
                } else {
                    for k in 0..<width { phi[k * numFeatures + target] += w * tree.leafValues[node * width + k] }
                }
            }
            return
        }

        let rightChild = Int(tree.right[node])
        let splitFeature = tree.feature[node]
        let goesLeft = tree.goesLeft(node: node, value: row[Int(splitFeature)])
        let hot = goesLeft ? leftChild : rightChild
        let cold = goesLeft ? rightChild : leftChild
        let nodeCover = tree.cover[node]
        let hotZero = tree.cover[hot] / nodeCover
        let coldZero = tree.cover[cold] / nodeCover
        var incomingZero = 1.0
        var incomingOne = 1.0

        var pathIndex = 0
        while pathIndex <= uniqueDepth, feature[path + pathIndex] != splitFeature { pathIndex += 1 }
        if pathIndex <= uniqueDepth {
            incomingZero = zeroFraction[path + pathIndex]
            incomingOne = oneFraction[path + pathIndex]
            unwind(path, uniqueDepth, pathIndex)
            uniqueDepth -= 1
        }
        recurse(tree, row: row, phi: phi, node: hot, uniqueDepth: uniqueDepth + 1, parentPath: path,
                parentZero: hotZero * incomingZero, parentOne: incomingOne, parentFeature: splitFeature)
        recurse(tree, row: row, phi: phi, node: cold, uniqueDepth: uniqueDepth + 1, parentPath: path,
                parentZero: coldZero * incomingZero, parentOne: 0, parentFeature: splitFeature)
    }

    /// EXTEND: adds a feature with zero fraction `z` and one fraction `o` at position `depth`.
    @inline(__always)
    private func extend(_ path: Int, _ depth: Int, _ z: Double, _ o: Double, _ featureIndex: Int32) {
        feature[path + depth] = featureIndex
        zeroFraction[path + depth] = z
        oneFraction[path + depth] = o
        weight[path + depth] = depth == 0 ? 1 : 0
        let scale = 1 / Double(depth + 1)
        var i = depth - 1
        while i >= 0 {
            weight[path + i + 1] += o * weight[path + i] * Double(i + 1) * scale
            weight[path + i] = z * weight[path + i] * Double(depth - i) * scale
            i -= 1
        }
    }

    /// UNWIND: removes the element at `index`, undoing its EXTEND.
    @inline(__always)
    private func unwind(_ path: Int, _ depth: Int, _ index: Int) {
        let o = oneFraction[path + index]
        let z = zeroFraction[path + index]
        var nextOnePortion = weight[path + depth]
        var i = depth - 1
        while i >= 0 {
            if o != 0 {
                let saved = weight[path + i]
                weight[path + i] = nextOnePortion * Double(depth + 1) / (Double(i + 1) * o)
                nextOnePortion = saved - weight[path + i] * z * Double(depth - i) / Double(depth + 1)
            } else {
                weight[path + i] = weight[path + i] * Double(depth + 1) / (z * Double(depth - i))
            }
            i -= 1
        }
        var j = index
        while j < depth {
            feature[path + j] = feature[path + j + 1]
            zeroFraction[path + j] = zeroFraction[path + j + 1]
            oneFraction[path + j] = oneFraction[path + j + 1]
            j += 1
        }
    }

    /// The total permutation weight of the path with element `index` unwound, without modifying it.
    @inline(__always)
    private func unwoundPathSum(_ path: Int, _ depth: Int, _ index: Int) -> Double {
        let o = oneFraction[path + index]
        let z = zeroFraction[path + index]
        var nextOnePortion = weight[path + depth]
        var total = 0.0
        var i = depth - 1
        if o != 0 {
            while i >= 0 {
                let part = nextOnePortion * Double(depth + 1) / (Double(i + 1) * o)
                total += part
                nextOnePortion = weight[path + i] - part * z * (Double(depth - i) / Double(depth + 1))
                i -= 1
            }
        } else if z != 0 {
            while i >= 0 {
                total += (weight[path + i] / z) / (Double(depth - i) / Double(depth + 1))
                i -= 1
            }
        }
        return total
    }
}
