import Foundation

/// Exact path-dependent TreeSHAP in quadrature form: the same values as Algorithm 2
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
/// TreeShap", for the polynomial view). Because o_j ∈ {0, 1}, the cold features (o_j = 0) all have
/// the factor z_j·(1 − t), and each of them receives the same value −v·Z_c·∫(1−t)^{c−1}·Π_hot dt
/// (Z_c the product of the c cold zero fractions: z_i cancels), so leave-one-out products are
/// needed for the hot features only. The quadrature nodes are processed four at a time
/// (`SIMD4<Double>`). Per row and tree the cost is one split decision per node plus, per leaf,
/// O(depth + hot features) vector operations — no divisions and no recursion. Paths, zero
/// fractions and rules are built once per model.
public struct QuadratureTreeSHAP: Sendable {
    public let ensemble: TreeEnsemble
    let paths: LeafPaths

    public init(ensemble: TreeEnsemble) {
        self.ensemble = ensemble
        paths = LeafPaths(ensemble: ensemble)
    }

    public var baseValues: [Double] { ensemble.expectedValue() }

    public func explain(_ batch: FeatureBatch, threads: Int = RowParallel.defaultThreads) -> AttributionBatch {
        let rows = batch.rowCount
        let features = ensemble.numFeatures
        let width = ensemble.numOutputs * features
        var phi = [Double](repeating: 0, count: rows * width)
        phi.withUnsafeMutableBufferPointer { output in
            let out = UncheckedSendable(output)
            batch.values.withUnsafeBufferPointer { input in
                let data = UncheckedSendable(input)
                RowParallel.forEachRange(rowCount: rows, threads: threads) { range in
                    let scratch = QuadratureScratch(nodes: ensemble.nodeCount, maxUnique: paths.maxUnique)
                    ensemble.withUnsafeView { view in
                        paths.withUnsafeTables { tables in
                            for row in range {
                                let x = UnsafeBufferPointer(rebasing: data.value[(row * features)..<((row + 1) * features)])
                                scratch.explain(row: x, view: view, tables: tables, ensemble: ensemble,
                                                phi: out.value.baseAddress! + row * width)
                            }
                        }
                    }
                    scratch.deallocate()
                }
            }
        }
        return AttributionBatch(rowCount: rows, numOutputs: ensemble.numOutputs, numFeatures: features, values: phi, baseValues: baseValues)
    }
}

/// Every leaf's path, flattened: per leaf its unique features with zero fractions, and its
/// path nodes with the direction taken and the unique-feature slot they belong to.
struct LeafPaths: Sendable {
    /// Per tree: first leaf record and leaf count; the tree's quadrature rule.
    var treeLeafStart: [Int32] = []
    var treeLeafCount: [Int32] = []
    var treeRuleStart: [Int32] = []
    var treeRuleCount: [Int32] = []
    /// Per leaf record.
    var leafNode: [Int32] = []
    var leafFeatureStart: [Int32] = []
    var leafFeatureCount: [Int32] = []
    var leafPathStart: [Int32] = []
    var leafPathCount: [Int32] = []
    /// Per unique feature of a leaf.
    var uniqueFeature: [Int32] = []
    var uniqueZero: [Double] = []
    /// Per path node of a leaf.
    var pathNode: [Int32] = []
    var pathLeft: [UInt8] = []
    var pathSlot: [Int32] = []
    /// Gauss–Legendre nodes on [0, 1] and weights, four to a vector (padded with weight 0), all
    /// rules concatenated; `treeRuleStart`/`treeRuleCount` count vectors.
    var ruleNode: [SIMD4<Double>] = []
    var ruleWeight: [SIMD4<Double>] = []
    var maxUnique = 0

    init(ensemble: TreeEnsemble) {
        var rules: [Int: Int] = [:]
        for tree in 0..<ensemble.treeCount {
            treeLeafStart.append(Int32(leafNode.count))
            var treeMaxUnique = 0
            // Depth-first over the tree, carrying the path (node, went left).
            var stack: [(node: Int, path: [(Int, Bool)])] = [(Int(ensemble.treeRoot[tree]), [])]
            while let (node, path) = stack.popLast() {
                if ensemble.left[node] >= 0 {
                    stack.append((Int(ensemble.right[node]), path + [(node, false)]))
                    stack.append((Int(ensemble.left[node]), path + [(node, true)]))
                    continue
                }
                var slots: [Int32: Int] = [:]
                let featureStart = uniqueFeature.count
                leafNode.append(Int32(node))
                leafFeatureStart.append(Int32(featureStart))
                leafPathStart.append(Int32(pathNode.count))
                for (parent, wentLeft) in path {
                    let feature = ensemble.feature[parent]
                    let child = wentLeft ? ensemble.left[parent] : ensemble.right[parent]
                    let ratio = ensemble.cover[Int(child)] / ensemble.cover[parent]
                    let slot: Int
                    if let existing = slots[feature] {
                        slot = existing
                        uniqueZero[featureStart + slot] *= ratio
                    } else {
                        slot = slots.count
                        slots[feature] = slot
                        uniqueFeature.append(feature)
                        uniqueZero.append(ratio)
                    }
                    pathNode.append(Int32(parent))
                    pathLeft.append(wentLeft ? 1 : 0)
                    pathSlot.append(Int32(slot))
                }
                leafFeatureCount.append(Int32(slots.count))
                leafPathCount.append(Int32(path.count))
                treeMaxUnique = max(treeMaxUnique, slots.count)
            }
            treeLeafCount.append(Int32(leafNode.count) - treeLeafStart[tree])
            maxUnique = max(maxUnique, treeMaxUnique)
            let points = max(1, (treeMaxUnique + 1) / 2)
            let chunks = (points + 3) / 4
            if rules[points] == nil {
                rules[points] = ruleNode.count
                let (nodes, weights) = Self.gaussLegendre(points)
                for chunk in 0..<chunks {
                    var node = SIMD4<Double>(repeating: 0.5)
                    var weight = SIMD4<Double>(repeating: 0)
                    for lane in 0..<4 where chunk * 4 + lane < points {
                        node[lane] = nodes[chunk * 4 + lane]
                        weight[lane] = weights[chunk * 4 + lane]
                    }
                    ruleNode.append(node)
                    ruleWeight.append(weight)
                }
            }
            treeRuleStart.append(Int32(rules[points]!))
            treeRuleCount.append(Int32(chunks))
        }
    }

    /// Gauss–Legendre nodes and weights mapped to [0, 1], by Newton's method on P_n
    /// (Abramowitz & Stegun 25.4.29); exact for polynomials of degree ≤ 2n − 1.
    static func gaussLegendre(_ n: Int) -> ([Double], [Double]) {
        var nodes = [Double](repeating: 0, count: n)
        var weights = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                // P_{n−1}(x) and P_n(x) by the three-term recurrence.
                var previous = 1.0
                var current = x
                if n >= 2 {
                    for k in 2...n {
                        let next = ((2 * Double(k) - 1) * x * current - (Double(k) - 1) * previous) / Double(k)
                        previous = current
                        current = next
                    }
                }
                derivative = Double(n) * (x * current - previous) / (x * x - 1)
                let step = current / derivative
                x -= step
                if abs(step) < 1e-16 { break }
            }
            nodes[i] = (1 - x) / 2
            weights[i] = 1 / ((1 - x * x) * derivative * derivative)
        }
        return (nodes, weights)
    }

    /// The tables as raw buffers for the row loop.
    func withUnsafeTables<Result>(_ body: (LeafPathTables) -> Result) -> Result {
        treeLeafStart.withUnsafeBufferPointer { a in treeLeafCount.withUnsafeBufferPointer { b in
        treeRuleStart.withUnsafeBufferPointer { c in treeRuleCount.withUnsafeBufferPointer { d in
        leafNode.withUnsafeBufferPointer { e in leafFeatureStart.withUnsafeBufferPointer { f in
        leafFeatureCount.withUnsafeBufferPointer { g in leafPathStart.withUnsafeBufferPointer { h in
        leafPathCount.withUnsafeBufferPointer { i in uniqueFeature.withUnsafeBufferPointer { j in
        uniqueZero.withUnsafeBufferPointer { k in pathNode.withUnsafeBufferPointer { l in
        pathLeft.withUnsafeBufferPointer { m in pathSlot.withUnsafeBufferPointer { n in
        ruleNode.withUnsafeBufferPointer { o in ruleWeight.withUnsafeBufferPointer { p in
            body(LeafPathTables(treeLeafStart: a, treeLeafCount: b, treeRuleStart: c, treeRuleCount: d, leafNode: e,
                                leafFeatureStart: f, leafFeatureCount: g, leafPathStart: h, leafPathCount: i,
                                uniqueFeature: j, uniqueZero: k, pathNode: l, pathLeft: m, pathSlot: n,
                                ruleNode: o, ruleWeight: p))
        }}}}}}}}}}}}}}}}
    }
}

struct LeafPathTables {
    let treeLeafStart, treeLeafCount, treeRuleStart, treeRuleCount: UnsafeBufferPointer<Int32>
    let leafNode, leafFeatureStart, leafFeatureCount, leafPathStart, leafPathCount: UnsafeBufferPointer<Int32>
    let uniqueFeature: UnsafeBufferPointer<Int32>
    let uniqueZero: UnsafeBufferPointer<Double>
    let pathNode: UnsafeBufferPointer<Int32>
    let pathLeft: UnsafeBufferPointer<UInt8>
    let pathSlot: UnsafeBufferPointer<Int32>
    let ruleNode, ruleWeight: UnsafeBufferPointer<SIMD4<Double>>
}

/// One worker's buffers: the split decisions of every node for the current row, and per leaf
/// the one fractions, the hot features' factors, suffix products and integrals.
struct QuadratureScratch {
    let decision: UnsafeMutablePointer<UInt8>
    let one: UnsafeMutablePointer<UInt8>
    let hot: UnsafeMutablePointer<Int32>
    let factor: UnsafeMutablePointer<SIMD4<Double>>
    let suffix: UnsafeMutablePointer<SIMD4<Double>>
    let integral: UnsafeMutablePointer<SIMD4<Double>>

    init(nodes: Int, maxUnique: Int) {
        decision = .allocate(capacity: max(1, nodes))
        let size = maxUnique + 1
        one = .allocate(capacity: size)
        hot = .allocate(capacity: size)
        factor = .allocate(capacity: size)
        suffix = .allocate(capacity: size)
        integral = .allocate(capacity: size)
    }

    func deallocate() {
        decision.deallocate()
        one.deallocate()
        hot.deallocate()
        factor.deallocate()
        suffix.deallocate()
        integral.deallocate()
    }

    func explain(row x: UnsafeBufferPointer<Double>, view: TreeEnsembleView, tables: LeafPathTables,
                 ensemble: TreeEnsemble, phi: UnsafeMutablePointer<Double>) {
        let width = view.leafWidth
        let features = view.numFeatures
        view.decide(row: x, into: decision)
        for tree in 0..<tables.treeLeafStart.count {
            let target = width == 1 ? phi + Int(ensemble.treeOutput[tree]) * features : phi
            let ruleStart = Int(tables.treeRuleStart[tree])
            let chunks = Int(tables.treeRuleCount[tree])
            let firstLeaf = Int(tables.treeLeafStart[tree])
            for leaf in firstLeaf..<(firstLeaf + Int(tables.treeLeafCount[tree])) {
                let k = Int(tables.leafFeatureCount[leaf])
                if k == 0 { continue }
                let featureStart = Int(tables.leafFeatureStart[leaf])
                for slot in 0..<k { one[slot] = 1 }
                let pathStart = Int(tables.leafPathStart[leaf])
                for step in pathStart..<(pathStart + Int(tables.leafPathCount[leaf])) where decision[Int(tables.pathNode[step])] != tables.pathLeft[step] {
                    one[Int(tables.pathSlot[step])] = 0
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
                        coldProduct *= tables.uniqueZero[featureStart + slot]
                    }
                }
                var coldIntegral = SIMD4<Double>(repeating: 0)
                for index in 0..<hotCount { integral[index] = SIMD4(repeating: 0) }
                for chunk in ruleStart..<(ruleStart + chunks) {
                    let t = tables.ruleNode[chunk]
                    let complement = 1 - t
                    // (1 − t)^(c − 1) and (1 − t)^c.
                    var power = SIMD4<Double>(repeating: 1)
                    if coldCount > 1 { for _ in 1..<coldCount { power *= complement } }
                    let weighted = tables.ruleWeight[chunk] * power
                    for index in 0..<hotCount {
                        let z = tables.uniqueZero[featureStart + Int(hot[index])]
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
                let node = Int(tables.leafNode[leaf])
                let coldShare = -coldProduct * coldIntegral.sum()
                for slot in 0..<k where one[slot] == 0 {
                    add(coldShare, feature: Int(tables.uniqueFeature[featureStart + slot]), node: node, view: view, target: target)
                }
                for position in 0..<hotCount {
                    let slot = Int(hot[position])
                    let share = (1 - tables.uniqueZero[featureStart + slot]) * coldProduct * integral[position].sum()
                    add(share, feature: Int(tables.uniqueFeature[featureStart + slot]), node: node, view: view, target: target)
                }
            }
        }
    }

    /// φ[feature] += share · leaf value, for every output the leaf feeds.
    @inline(__always)
    private func add(_ share: Double, feature: Int, node: Int, view: TreeEnsembleView, target: UnsafeMutablePointer<Double>) {
        let width = view.leafWidth
        if width == 1 {
            target[feature] += share * view.leafValues[node]
        } else {
            for output in 0..<width { target[output * view.numFeatures + feature] += share * view.leafValues[node * width + output] }
        }
    }
}
