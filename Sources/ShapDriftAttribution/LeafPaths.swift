import Foundation
import ShapDriftCore

/// Everything path-dependent TreeSHAP needs about a model's trees that does not depend on the
/// row, computed once per model and flattened into contiguous buffers:
///
/// - per leaf, its unique path features with their zero fractions, and its path nodes with the
///   direction taken and the unique-feature slot each belongs to;
/// - per tree, its internal nodes in preorder with the slot of their feature on the paths below
///   them, so a row's agreement mask of every leaf comes from one pass over the nodes;
/// - per leaf, where its subset table (`LeafSubsetTables`) sits in a tree's table block, or −1
///   when the leaf is explained by quadrature instead;
/// - Gauss–Legendre rules on [0, 1].
///
/// The buffers are immutable after `init`, so workers share one instance without copying.
final class LeafPaths: @unchecked Sendable {
    /// Per tree: first leaf record and leaf count; the quadrature rule for its longest
    /// integrated path; first preorder record and count.
    let treeLeafStart, treeLeafCount, treeRuleStart, treeRuleCount: UnsafeBufferPointer<Int32>
    let treeWalkStart, treeWalkCount: UnsafeBufferPointer<Int32>
    /// Per internal node in preorder: the node, its own and its children's tree-local indices,
    /// and the slot of its feature among the unique features of the paths through it (the root
    /// has local index 0).
    let walkNode, walkLocal, walkLeftLocal, walkRightLocal: UnsafeBufferPointer<Int32>
    let walkBit: UnsafeBufferPointer<UInt32>
    /// Per leaf record.
    let leafNode, leafLocal, leafFeatureStart, leafFeatureCount, leafPathStart, leafPathCount: UnsafeBufferPointer<Int32>
    let leafTableOffset: UnsafeBufferPointer<Int32>
    /// Per unique feature of a leaf: the feature, z and 1 − z.
    let uniqueFeature: UnsafeBufferPointer<Int32>
    let uniqueZero, uniqueOneMinusZero: UnsafeBufferPointer<Double>
    /// Per path node of a leaf, its tree-local index.
    let pathLocal: UnsafeBufferPointer<Int32>
    let pathLeft: UnsafeBufferPointer<UInt8>
    let pathSlot: UnsafeBufferPointer<Int32>
    /// Gauss–Legendre nodes on [0, 1] and weights, four to a vector (padded with weight 0), all
    /// rules concatenated; rule starts and lengths count vectors.
    let ruleNode, ruleWeight: UnsafeBufferPointer<SIMD4<Double>>
    /// The rule for a leaf with k unique features (k ≤ `subsetTableLimit`): ⌈k/2⌉ points.
    let subsetRuleStart, subsetRuleCount: UnsafeBufferPointer<Int32>

    let maxUnique: Int
    let maxLocalNodes: Int
    let maxTreeLeaves: Int
    let maxTableSize: Int
    let subsetTableLimit: Int

    /// - Parameter subsetTableLimit: leaves with at most this many unique path features get a
    ///   subset table; longer paths are integrated per row.
    /// - Complexity: O(Σ over leaves of depth) time and memory.
    init(ensemble: TreeEnsemble, subsetTableLimit: Int) {
        var builder = LeafPathsBuilder(subsetTableLimit: max(0, min(subsetTableLimit, LeafSubsetTables.maximumLimit)))
        for tree in 0..<ensemble.treeCount { builder.addTree(tree, of: ensemble) }
        let b = builder
        let limit = b.subsetTableLimit
        self.treeLeafStart = Self.freeze(b.treeLeafStart)
        self.treeLeafCount = Self.freeze(b.treeLeafCount)
        self.treeRuleStart = Self.freeze(b.treeRuleStart)
        self.treeRuleCount = Self.freeze(b.treeRuleCount)
        self.treeWalkStart = Self.freeze(b.treeWalkStart)
        self.treeWalkCount = Self.freeze(b.treeWalkCount)
        self.walkNode = Self.freeze(b.walkNode)
        self.walkLocal = Self.freeze(b.walkLocal)
        self.walkLeftLocal = Self.freeze(b.walkLeftLocal)
        self.walkRightLocal = Self.freeze(b.walkRightLocal)
        self.walkBit = Self.freeze(b.walkBit)
        self.leafNode = Self.freeze(b.leafNode)
        self.leafLocal = Self.freeze(b.leafLocal)
        self.leafFeatureStart = Self.freeze(b.leafFeatureStart)
        self.leafFeatureCount = Self.freeze(b.leafFeatureCount)
        self.leafPathStart = Self.freeze(b.leafPathStart)
        self.leafPathCount = Self.freeze(b.leafPathCount)
        self.leafTableOffset = Self.freeze(b.leafTableOffset)
        self.uniqueFeature = Self.freeze(b.uniqueFeature)
        self.uniqueZero = Self.freeze(b.uniqueZero)
        self.uniqueOneMinusZero = Self.freeze(b.uniqueZero.map { 1 - $0 })
        self.pathLocal = Self.freeze(b.pathLocal)
        self.pathLeft = Self.freeze(b.pathLeft)
        self.pathSlot = Self.freeze(b.pathSlot)
        self.ruleNode = Self.freeze(b.ruleNode)
        self.ruleWeight = Self.freeze(b.ruleWeight)
        self.subsetRuleStart = Self.freeze(b.subsetRuleStart)
        self.subsetRuleCount = Self.freeze(b.subsetRuleCount)
        self.maxUnique = b.maxUnique
        self.maxLocalNodes = b.maxLocalNodes
        self.maxTreeLeaves = b.maxTreeLeaves
        self.maxTableSize = b.maxTableSize
        self.subsetTableLimit = limit
    }

    deinit {
        for buffer in [treeLeafStart, treeLeafCount, treeRuleStart, treeRuleCount, treeWalkStart, treeWalkCount,
                       walkNode, walkLocal, walkLeftLocal, walkRightLocal, leafNode,
                       leafLocal, leafFeatureStart, leafFeatureCount, leafPathStart, leafPathCount, leafTableOffset,
                       uniqueFeature, pathLocal, pathSlot, subsetRuleStart, subsetRuleCount] {
            buffer.deallocate()
        }
        walkBit.deallocate()
        uniqueZero.deallocate()
        uniqueOneMinusZero.deallocate()
        pathLeft.deallocate()
        ruleNode.deallocate()
        ruleWeight.deallocate()
    }

    /// One row's pass over `tree`'s internal nodes in preorder: its decision at each (1 = left,
    /// by tree-local index) and the agreement mask of each of the tree's leaves (bit s set when
    /// the row follows the leaf's path at every node on its slot-s feature), written to
    /// `leafMasks[position · stride]` for the tree's leaves in order.
    @inline(__always)
    func agreement(tree: Int, row x: UnsafePointer<Double>, view: TreeEnsembleView, nodeMask: UnsafeMutablePointer<UInt32>,
                   decision: UnsafeMutablePointer<UInt8>, leafMasks: UnsafeMutablePointer<UInt32>, stride: Int) {
        let firstWalk = Int(treeWalkStart[tree])
        nodeMask[0] = .max
        for step in firstWalk..<(firstWalk + Int(treeWalkCount[tree])) {
            let node = Int(walkNode[step])
            let goesLeft = view.goesLeft(node: node, value: x[Int(view.feature[node])])
            let local = Int(walkLocal[step])
            decision[local] = goesLeft ? 1 : 0
            let parent = nodeMask[local]
            let disagreed = parent & ~walkBit[step]
            nodeMask[Int(walkLeftLocal[step])] = goesLeft ? parent : disagreed
            nodeMask[Int(walkRightLocal[step])] = goesLeft ? disagreed : parent
        }
        let firstLeaf = Int(treeLeafStart[tree])
        for position in 0..<Int(treeLeafCount[tree]) {
            leafMasks[position * stride] = nodeMask[Int(leafLocal[firstLeaf + position])]
        }
    }

    private static func freeze<Element>(_ array: [Element]) -> UnsafeBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(1, array.count))
        _ = buffer.initialize(from: array)
        return UnsafeBufferPointer(rebasing: buffer[0..<array.count])
    }

    static func chunks(points: Int) -> Int { (points + 3) / 4 }

    /// Newton's method stops when a step is below this, less than half the spacing of doubles
    /// near ±1 where the outermost roots of P_n lie (2^−53 ≈ 1.1e-16)…
    static let newtonTolerance = 1e-16
    /// … or after this many steps (from the initial guess cos(π(i + 3/4)/(n + 1/2)) it takes a few).
    static let newtonIterations = 100

    /// Gauss–Legendre nodes and weights mapped to [0, 1], by Newton's method on P_n
    /// (Abramowitz & Stegun 25.4.29); exact for polynomials of degree ≤ 2n − 1.
    static func gaussLegendre(_ n: Int) -> ([Double], [Double]) {
        var nodes = [Double](repeating: 0, count: n)
        var weights = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<Self.newtonIterations {
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
                if abs(step) < Self.newtonTolerance { break }
            }
            nodes[i] = (1 - x) / 2
            weights[i] = 1 / ((1 - x * x) * derivative * derivative)
        }
        return (nodes, weights)
    }
}

/// Collects `LeafPaths`' arrays tree by tree: the walk of one tree (`addTree`), what each internal
/// node (`addSplit`) and each leaf (`addLeaf`) contributes, and the quadrature rules on first use.
private struct LeafPathsBuilder {
    let subsetTableLimit: Int
    var treeLeafStart: [Int32] = [], treeLeafCount: [Int32] = [], treeRuleStart: [Int32] = [], treeRuleCount: [Int32] = []
    var treeWalkStart: [Int32] = [], treeWalkCount: [Int32] = []
    var walkNode: [Int32] = [], walkLocal: [Int32] = [], walkLeftLocal: [Int32] = [], walkRightLocal: [Int32] = []
    var walkBit: [UInt32] = []
    var leafNode: [Int32] = [], leafLocal: [Int32] = [], leafFeatureStart: [Int32] = [], leafFeatureCount: [Int32] = []
    var leafPathStart: [Int32] = [], leafPathCount: [Int32] = [], leafTableOffset: [Int32] = []
    var uniqueFeature: [Int32] = [], uniqueZero: [Double] = []
    var pathLocal: [Int32] = [], pathLeft: [UInt8] = [], pathSlot: [Int32] = []
    var ruleNode: [SIMD4<Double>] = [], ruleWeight: [SIMD4<Double>] = []
    var subsetRuleStart: [Int32] = [], subsetRuleCount: [Int32] = []
    var rules: [Int: Int] = [:]
    var maxUnique = 0, maxLocalNodes = 0, maxTreeLeaves = 0, maxTableSize = 0

    /// A node still to visit: its tree-local index and the (node, local index, went left) steps
    /// from the root.
    struct Pending {
        let node: Int
        let local: Int
        let path: [(node: Int, local: Int, wentLeft: Bool)]
    }

    /// The unique features of a path in first-occurrence order, with their zero fractions (the
    /// product of the cover ratios of the path's nodes on each) and each feature's slot.
    struct UniqueFeatures {
        var slots: [Int32: Int] = [:]
        var zeros: [Double] = []
        var features: [Int32] = []
    }

    init(subsetTableLimit: Int) {
        self.subsetTableLimit = subsetTableLimit
        for k in 0...subsetTableLimit {
            let points = max(1, (k + 1) / 2)
            subsetRuleStart.append(rule(points: points))
            subsetRuleCount.append(Int32(LeafPaths.chunks(points: points)))
        }
    }

    /// The start (in vectors) of the `points`-point rule, added on first use. Padding lanes have
    /// weight 0 (and a harmless node, 1/2), so they add nothing to an integral.
    mutating func rule(points: Int) -> Int32 {
        if let start = rules[points] { return Int32(start) }
        let start = ruleNode.count
        rules[points] = start
        let (nodes, weights) = LeafPaths.gaussLegendre(points)
        for chunk in 0..<LeafPaths.chunks(points: points) {
            var node = SIMD4<Double>(repeating: 0.5)
            var weight = SIMD4<Double>(repeating: 0)
            for lane in 0..<4 where chunk * 4 + lane < points {
                node[lane] = nodes[chunk * 4 + lane]
                weight[lane] = weights[chunk * 4 + lane]
            }
            ruleNode.append(node)
            ruleWeight.append(weight)
        }
        return Int32(start)
    }

    /// Walks `tree` depth first, left before right, recording its internal nodes in preorder
    /// and its leaves in the same order.
    mutating func addTree(_ tree: Int, of ensemble: TreeEnsemble) {
        treeLeafStart.append(Int32(leafNode.count))
        treeWalkStart.append(Int32(walkNode.count))
        var treeMaxUnique = 0
        var locals = 1
        var tableSize = 0
        var stack = [Pending(node: Int(ensemble.treeRoot[tree]), local: 0, path: [])]
        while let pending = stack.popLast() {
            let unique = Self.uniqueFeatures(of: pending.path, in: ensemble)
            if ensemble.left[pending.node] >= 0 {
                addSplit(pending, unique: unique, ensemble: ensemble, locals: &locals, stack: &stack)
            } else {
                addLeaf(pending, unique: unique, ensemble: ensemble, tableSize: &tableSize, treeMaxUnique: &treeMaxUnique)
            }
        }
        treeLeafCount.append(Int32(leafNode.count) - treeLeafStart[tree])
        treeWalkCount.append(Int32(walkNode.count) - treeWalkStart[tree])
        maxLocalNodes = max(maxLocalNodes, locals)
        maxTreeLeaves = max(maxTreeLeaves, Int(treeLeafCount[tree]))
        maxTableSize = max(maxTableSize, tableSize)
        let points = max(1, (treeMaxUnique + 1) / 2)
        treeRuleStart.append(rule(points: points))
        treeRuleCount.append(Int32(LeafPaths.chunks(points: points)))
    }

    static func uniqueFeatures(of path: [(node: Int, local: Int, wentLeft: Bool)], in ensemble: TreeEnsemble) -> UniqueFeatures {
        var unique = UniqueFeatures()
        for (parent, _, wentLeft) in path {
            let feature = ensemble.feature[parent]
            let child = wentLeft ? ensemble.left[parent] : ensemble.right[parent]
            let ratio = ensemble.cover[Int(child)] / ensemble.cover[parent]
            if let slot = unique.slots[feature] {
                unique.zeros[slot] *= ratio
            } else {
                unique.slots[feature] = unique.zeros.count
                unique.zeros.append(ratio)
                unique.features.append(feature)
            }
        }
        return unique
    }

    /// An internal node: its preorder record, and its children pushed (right first, so the left
    /// subtree is walked first).
    mutating func addSplit(_ pending: Pending, unique: UniqueFeatures, ensemble: TreeEnsemble, locals: inout Int,
                           stack: inout [Pending]) {
        let node = pending.node
        let slot = unique.slots[ensemble.feature[node]] ?? unique.slots.count
        let leftLocal = locals, rightLocal = locals + 1
        locals += 2
        walkNode.append(Int32(node))
        walkLocal.append(Int32(pending.local))
        walkLeftLocal.append(Int32(leftLocal))
        walkRightLocal.append(Int32(rightLocal))
        // Slots past 31 only matter to leaves too long for a table, which read the per-node
        // decisions instead of the mask.
        walkBit.append(slot < 32 ? UInt32(1) << UInt32(slot) : 0)
        stack.append(Pending(node: Int(ensemble.right[node]), local: rightLocal, path: pending.path + [(node, pending.local, false)]))
        stack.append(Pending(node: Int(ensemble.left[node]), local: leftLocal, path: pending.path + [(node, pending.local, true)]))
    }

    /// A leaf: its unique features and path nodes, and a subset table slot when it fits the
    /// limit and the tree's table budget (else it is integrated per row).
    mutating func addLeaf(_ pending: Pending, unique: UniqueFeatures, ensemble: TreeEnsemble, tableSize: inout Int,
                          treeMaxUnique: inout Int) {
        let k = unique.features.count
        leafNode.append(Int32(pending.node))
        leafLocal.append(Int32(pending.local))
        leafFeatureStart.append(Int32(uniqueFeature.count))
        leafFeatureCount.append(Int32(k))
        leafPathStart.append(Int32(pathLocal.count))
        leafPathCount.append(Int32(pending.path.count))
        uniqueFeature.append(contentsOf: unique.features)
        uniqueZero.append(contentsOf: unique.zeros)
        for (parent, parentLocal, wentLeft) in pending.path {
            pathLocal.append(Int32(parentLocal))
            pathLeft.append(wentLeft ? 1 : 0)
            pathSlot.append(Int32(unique.slots[ensemble.feature[parent]]!))
        }
        if k > 0 && k <= subsetTableLimit && tableSize + (1 << k) <= LeafSubsetTables.treeBudget {
            leafTableOffset.append(Int32(tableSize))
            tableSize += 1 << k
        } else {
            leafTableOffset.append(-1)
            treeMaxUnique = max(treeMaxUnique, k)
        }
        maxUnique = max(maxUnique, k)
    }
}
