import Foundation
import ShapDriftCore

/// Exact path-dependent TreeSHAP, the default engine: the same values as Algorithm 2
/// (`PathDependentTreeSHAP`), computed leaf by leaf from precomputed paths.
///
/// For one leaf with value v and unique path features j (zero fraction z_j: the product of the
/// cover ratios of the path's nodes on j; one fraction o_j ∈ {0, 1}: whether the row follows the
/// path at all of them), path-dependent TreeSHAP gives each path feature the Shapley value of the
/// product game v·Π_{j∈S} o_j·Π_{j∉S} z_j, which by the multilinear-extension (Owen) integral is
///
///     φ_i = v·(o_i − z_i)·∫₀¹ Π_{j≠i} (z_j + t·(o_j − z_j)) dt.
///
/// The integrand is a polynomial of degree k − 1 in t, so a Gauss–Legendre rule with ⌈k/2⌉ nodes
/// integrates it exactly (the quadrature form xgboost 3 adopted; cf. Yu et al. 2022, "Linear
/// TreeShap", for the polynomial view). The integral depends on the row only through the set Q of
/// path features the row agrees with, so:
///
/// - leaves with at most `subsetTableLimit` unique features look their values up in tables built
///   once per tree and block of rows (`LeafSubsetTables`): k multiply-adds per leaf and row;
/// - longer paths are integrated per row. Cold features (o_j = 0) all have the factor
///   z_j·(1 − t) and receive the same value −v·Z_c·∫(1−t)^{c−1}·Π_hot dt (Z_c the product of the
///   c cold zero fractions: z_i cancels), so leave-one-out products are needed for the hot
///   features only, four quadrature nodes per `SIMD4<Double>`.
///
/// Rows are processed tree by tree within a worker's block, so a tree's nodes and tables stay in
/// cache while every row of the block passes through it. Per row and tree, one pass over the
/// internal nodes in preorder yields the split decisions and every leaf's agreement mask Q.
package struct QuadratureTreeSHAP: Sendable {
    /// The table limit used unless a caller asks otherwise. Measured on T1–T3 (docs/performance.md),
    /// every step up to the maximum paid for its builds on blocks of a few hundred rows.
    package static let defaultSubsetTableLimit = LeafSubsetTables.maximumLimit

    package let ensemble: TreeEnsemble
    let paths: LeafPaths
    /// The base value of every output: the cover-weighted expected tree output plus the base offset.
    package let baseValues: [Double]

    /// - Parameter subsetTableLimit: leaves with at most this many unique path features use
    ///   subset tables (0: integrate every leaf per row; at most `LeafSubsetTables.maximumLimit`).
    package init(ensemble: TreeEnsemble, subsetTableLimit: Int = Self.defaultSubsetTableLimit) {
        self.ensemble = ensemble
        baseValues = ensemble.expectedValue()
        paths = LeafPaths(ensemble: ensemble, subsetTableLimit: subsetTableLimit)
    }

    /// - Complexity: O(rows · trees · leaves · path length), plus O(2^k) per leaf with k ≤ the
    ///   table limit unique features, once per tree and worker range.
    package func explain(_ batch: FeatureBatch, threads: Int = ProcessorCount.available) -> AttributionBatch {
        let paths = paths
        let phi = TreeBlockSchedule.explain(batch, ensemble: ensemble, threads: threads) { QuadratureScratch(paths: paths) }
        return AttributionBatch(rowCount: batch.rowCount, numOutputs: ensemble.numOutputs, numFeatures: ensemble.numFeatures,
                                values: phi, baseValues: baseValues)
    }
}

/// One worker's buffers: the current tree's subset tables, and for a block of rows their split
/// decisions and leaf agreement masks, plus the per-leaf buffers of the quadrature for long paths.
///
/// A block goes through a tree in two passes: row by row, one pass over the internal nodes gives
/// the decisions and every leaf's mask; then leaf by leaf, every row of the block looks up that
/// leaf's table, which stays in L1 while it serves the block.
struct QuadratureScratch: ~Copyable, TreeBlockWorker {
    static let blockRows = TreeBlockSchedule.blockRows
    let paths: LeafPaths

    let table: UnsafeMutablePointer<Double>
    let products: UnsafeMutablePointer<SIMD4<Double>>
    let weightedPowers: UnsafeMutablePointer<SIMD4<Double>>
    let subsetZero: UnsafeMutablePointer<Double>
    /// Per block row and tree-local node: decision (1 = left); the current row's node masks;
    /// per tree leaf and block row: the leaf's mask.
    let decision: UnsafeMutablePointer<UInt8>
    let nodeMask: UnsafeMutablePointer<UInt32>
    let leafMask: UnsafeMutablePointer<UInt32>
    /// Per block row, for the leaf being looked up: its subset Q and v·Z(Q); the two factors of
    /// the feature being added, −1 (cold) and 1 − z (hot).
    let subsets: UnsafeMutablePointer<UInt32>
    let scaledZero: UnsafeMutablePointer<Double>
    let factor2: UnsafeMutablePointer<Double>
    let localNodes: Int
    let one: UnsafeMutablePointer<UInt8>
    let hot: UnsafeMutablePointer<Int32>
    let factor: UnsafeMutablePointer<SIMD4<Double>>
    let suffix: UnsafeMutablePointer<SIMD4<Double>>
    let integral: UnsafeMutablePointer<SIMD4<Double>>

    init(paths: LeafPaths) {
        self.paths = paths
        let limit = paths.subsetTableLimit
        let subsetChunks = LeafPaths.chunks(points: max(1, (limit + 1) / 2))
        table = .allocate(capacity: max(1, 2 * paths.maxTableSize))
        products = .allocate(capacity: (1 << limit) * subsetChunks)
        weightedPowers = .allocate(capacity: max(1, limit) * subsetChunks)
        subsetZero = .allocate(capacity: 1 << limit)
        localNodes = max(1, paths.maxLocalNodes)
        decision = .allocate(capacity: Self.blockRows * localNodes)
        nodeMask = .allocate(capacity: localNodes)
        leafMask = .allocate(capacity: max(1, paths.maxTreeLeaves) * Self.blockRows)
        subsets = .allocate(capacity: Self.blockRows)
        scaledZero = .allocate(capacity: Self.blockRows)
        factor2 = .allocate(capacity: 2)
        let size = paths.maxUnique + 1
        one = .allocate(capacity: size)
        hot = .allocate(capacity: size)
        factor = .allocate(capacity: size)
        suffix = .allocate(capacity: size)
        integral = .allocate(capacity: size)
    }

    deinit {
        table.deallocate()
        products.deallocate()
        weightedPowers.deallocate()
        subsetZero.deallocate()
        decision.deallocate()
        nodeMask.deallocate()
        leafMask.deallocate()
        subsets.deallocate()
        scaledZero.deallocate()
        factor2.deallocate()
        one.deallocate()
        hot.deallocate()
        factor.deallocate()
        suffix.deallocate()
        integral.deallocate()
    }

    /// Builds the subset tables of every short-path leaf of `tree`.
    func prepare(tree: Int) {
        let firstLeaf = Int(paths.treeLeafStart[tree])
        for leaf in firstLeaf..<(firstLeaf + Int(paths.treeLeafCount[tree])) {
            let offset = Int(paths.leafTableOffset[leaf])
            if offset < 0 { continue }
            let k = Int(paths.leafFeatureCount[leaf])
            let rule = Int(paths.subsetRuleStart[k])
            LeafSubsetTables.build(zeros: paths.uniqueZero.baseAddress! + Int(paths.leafFeatureStart[leaf]), count: k,
                                   ruleNode: paths.ruleNode.baseAddress! + rule, ruleWeight: paths.ruleWeight.baseAddress! + rule,
                                   chunks: Int(paths.subsetRuleCount[k]), weightedPowers: weightedPowers,
                                   products: products, subsetZero: subsetZero, into: table + 2 * offset)
        }
    }

    func explain(tree: Int, rows: UnsafePointer<Double>, count: Int, view: TreeEnsembleView, columns: UnsafeMutablePointer<Double>) {
        let firstLeaf = Int(paths.treeLeafStart[tree])
        let leaves = Int(paths.treeLeafCount[tree])
        let features = view.numFeatures
        for index in 0..<count {
            paths.agreement(tree: tree, row: rows + index * features, view: view, nodeMask: nodeMask,
                            decision: decision + index * localNodes, leafMasks: leafMask + index, stride: Self.blockRows)
        }
        for position in 0..<leaves {
            let leaf = firstLeaf + position
            if paths.leafFeatureCount[leaf] == 0 { continue }
            if paths.leafTableOffset[leaf] >= 0 {
                lookUp(leaf: leaf, masks: leafMask + position * Self.blockRows, count: count, view: view, paths: paths, columns: columns)
            } else {
                for index in 0..<count {
                    integrate(leaf: leaf, tree: tree, decision: decision + index * localNodes, view: view, paths: paths,
                              target: columns + index)
                }
            }
        }
    }

    /// A short-path leaf's contributions to each row of the block from its subset table
    /// (`LeafSubsetTables`), one feature at a time so that the rows' updates are contiguous.
    ///
    /// Whether a row agrees with feature i is data, so the hot/cold choice is made without a
    /// branch: both cases read J at Q without i (Q∖{i} when hot, Q itself when cold) and differ
    /// only in the factor, (1 − z_i) or −1, picked by indexing with the agreement bit.
    ///
    /// Index arithmetic here wraps (`&*`, `&<<`) instead of trapping: subsets are below 2^k with
    /// k ≤ `LeafSubsetTables.maximumLimit`, table offsets and columns come from `LeafPaths`,
    /// which sized every buffer, so no product can overflow; a trap check per row and feature was
    /// measurable in T1–T3 (docs/performance.md, "Safe builds").
    @inline(__always)
    private func lookUp(leaf: Int, masks: UnsafePointer<UInt32>, count: Int, view: TreeEnsembleView, paths: LeafPaths,
                        columns: UnsafeMutablePointer<Double>) {
        let k = Int(paths.leafFeatureCount[leaf])
        let full = UInt32((1 << k) - 1)
        let featureStart = Int(paths.leafFeatureStart[leaf])
        let entries = table + 2 * Int(paths.leafTableOffset[leaf])
        let integrals = entries + 1
        let node = Int(paths.leafNode[leaf])
        let width = view.leafWidth
        for output in 0..<width {
            let value = view.leafValues[node * width + output]
            for index in 0..<count {
                let subset = masks[index] & full
                subsets[index] = subset
                scaledZero[index] = entries[Int(subset) &<< 1] * value
            }
            factor2[0] = -1
            for slot in 0..<k {
                let column = columns + (output &* view.numFeatures &+ Int(paths.uniqueFeature[featureStart &+ slot])) &* Self.blockRows
                factor2[1] = paths.uniqueOneMinusZero[featureStart &+ slot]
                let shift = UInt32(slot)
                let clear = ~(UInt32(1) &<< shift)
                for index in 0..<count {
                    let subset = subsets[index]
                    let agrees = Int((subset &>> shift) & 1)
                    column[index] += scaledZero[index] * factor2[agrees] * integrals[Int(subset & clear) &<< 1]
                }
            }
        }
    }

    /// A long-path leaf's contributions by Gauss–Legendre quadrature over the tree's rule.
    /// `decision`: the row's decisions by tree-local node.
    private func integrate(leaf: Int, tree: Int, decision: UnsafePointer<UInt8>, view: TreeEnsembleView, paths: LeafPaths,
                           target: UnsafeMutablePointer<Double>) {
        let k = Int(paths.leafFeatureCount[leaf])
        let featureStart = Int(paths.leafFeatureStart[leaf])
        let ruleStart = Int(paths.treeRuleStart[tree])
        let chunks = Int(paths.treeRuleCount[tree])
        for slot in 0..<k { one[slot] = 1 }
        let pathStart = Int(paths.leafPathStart[leaf])
        for step in pathStart..<(pathStart + Int(paths.leafPathCount[leaf])) where decision[Int(paths.pathLocal[step])] != paths.pathLeft[step] {
            one[Int(paths.pathSlot[step])] = 0
        }
        // Split the features into hot (o = 1) and cold (o = 0); Z_c = Π cold z.
        var hotCount = 0
        var coldCount = 0
        var coldProduct = 1.0
        for slot in 0..<k {
            if one[slot] != 0 {
                hot[hotCount] = Int32(slot)
                hotCount += 1
            } else {
                coldCount += 1
                coldProduct *= paths.uniqueZero[featureStart + slot]
            }
        }
        var coldIntegral = SIMD4<Double>(repeating: 0)
        for index in 0..<hotCount { integral[index] = SIMD4(repeating: 0) }
        for chunk in ruleStart..<(ruleStart + chunks) {
            let t = paths.ruleNode[chunk]
            let complement = 1 - t
            // (1 − t)^(c − 1) and (1 − t)^c.
            var power = SIMD4<Double>(repeating: 1)
            if coldCount > 1 { for _ in 1..<coldCount { power *= complement } }
            let weighted = paths.ruleWeight[chunk] * power
            for index in 0..<hotCount {
                let z = paths.uniqueZero[featureStart + Int(hot[index])]
                factor[index] = z + t * (1 - z)
            }
            suffix[hotCount] = SIMD4(repeating: 1)
            var index = hotCount - 1
            while index >= 0 {
                suffix[index] = suffix[index + 1] * factor[index]
                index -= 1
            }
            if coldCount > 0 { coldIntegral += weighted * suffix[0] }
            var prefix = coldCount > 0 ? weighted * complement : weighted
            for position in 0..<hotCount {
                integral[position] += prefix * suffix[position + 1]
                prefix *= factor[position]
            }
        }
        let node = Int(paths.leafNode[leaf])
        let coldShare = -coldProduct * coldIntegral.sum()
        for slot in 0..<k where one[slot] == 0 {
            add(coldShare, feature: Int(paths.uniqueFeature[featureStart + slot]), node: node, view: view, target: target)
        }
        for position in 0..<hotCount {
            let slot = Int(hot[position])
            let share = paths.uniqueOneMinusZero[featureStart + slot] * coldProduct * integral[position].sum()
            add(share, feature: Int(paths.uniqueFeature[featureStart + slot]), node: node, view: view, target: target)
        }
    }

    /// φ[feature] += share · leaf value, for every output the leaf feeds (in the block's
    /// column-major layout).
    @inline(__always)
    private func add(_ share: Double, feature: Int, node: Int, view: TreeEnsembleView, target: UnsafeMutablePointer<Double>) {
        let width = view.leafWidth
        for output in 0..<width {
            target[(output * view.numFeatures + feature) * Self.blockRows] += share * view.leafValues[node * width + output]
        }
    }
}
