import Foundation

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
    init(ensemble: TreeEnsemble, subsetTableLimit: Int) {
        var treeLeafStart: [Int32] = [], treeLeafCount: [Int32] = [], treeRuleStart: [Int32] = [], treeRuleCount: [Int32] = []
        var treeWalkStart: [Int32] = [], treeWalkCount: [Int32] = []
        var walkNode: [Int32] = [], walkLocal: [Int32] = [], walkLeftLocal: [Int32] = [], walkRightLocal: [Int32] = []
        var walkBit: [UInt32] = []
        var leafNode: [Int32] = [], leafLocal: [Int32] = [], leafFeatureStart: [Int32] = [], leafFeatureCount: [Int32] = []
        var leafPathStart: [Int32] = [], leafPathCount: [Int32] = [], leafTableOffset: [Int32] = []
        var uniqueFeature: [Int32] = [], uniqueZero: [Double] = []
        var pathLocal: [Int32] = [], pathLeft: [UInt8] = [], pathSlot: [Int32] = []
        var ruleNode: [SIMD4<Double>] = [], ruleWeight: [SIMD4<Double>] = []
        var rules: [Int: Int] = [:]
        var maxUnique = 0, maxLocalNodes = 0, maxTreeLeaves = 0, maxTableSize = 0

        /// The start (in vectors) of the `points`-point rule, added on first use.
        func rule(points: Int) -> Int32 {
            if let start = rules[points] { return Int32(start) }
            let start = ruleNode.count
            rules[points] = start
            let (nodes, weights) = Self.gaussLegendre(points)
            for chunk in 0..<Self.chunks(points: points) {
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

        let limit = max(0, min(subsetTableLimit, LeafSubsetTables.maximumLimit))
        var subsetRuleStart: [Int32] = [], subsetRuleCount: [Int32] = []
        for k in 0...limit {
            let points = max(1, (k + 1) / 2)
            subsetRuleStart.append(rule(points: points))
            subsetRuleCount.append(Int32(Self.chunks(points: points)))
        }

        struct Pending {
            let node: Int
            let local: Int
            /// (node, its tree-local index, went left) from the root.
            let path: [(node: Int, local: Int, wentLeft: Bool)]
        }
        for tree in 0..<ensemble.treeCount {
            treeLeafStart.append(Int32(leafNode.count))
            treeWalkStart.append(Int32(walkNode.count))
            var treeMaxUnique = 0
            var locals = 1
            var tableSize = 0
            var stack = [Pending(node: Int(ensemble.treeRoot[tree]), local: 0, path: [])]
            while let pending = stack.popLast() {
                let node = pending.node
                // The unique features of the path so far, in first-occurrence order.
                var slots: [Int32: Int] = [:]
                var zeros: [Double] = []
                var features: [Int32] = []
                for (parent, _, wentLeft) in pending.path {
                    let feature = ensemble.feature[parent]
                    let child = wentLeft ? ensemble.left[parent] : ensemble.right[parent]
                    let ratio = ensemble.cover[Int(child)] / ensemble.cover[parent]
                    if let slot = slots[feature] {
                        zeros[slot] *= ratio
                    } else {
                        slots[feature] = zeros.count
                        zeros.append(ratio)
                        features.append(feature)
                    }
                }
                if ensemble.left[node] >= 0 {
                    let slot = slots[ensemble.feature[node]] ?? slots.count
                    let leftLocal = locals, rightLocal = locals + 1
                    locals += 2
                    walkNode.append(Int32(node))
                    walkLocal.append(Int32(pending.local))
                    walkLeftLocal.append(Int32(leftLocal))
                    walkRightLocal.append(Int32(rightLocal))
                    // Slots past 31 only matter to leaves too long for a table, which read the
                    // per-node decisions instead of the mask.
                    walkBit.append(slot < 32 ? UInt32(1) << UInt32(slot) : 0)
                    stack.append(Pending(node: Int(ensemble.right[node]), local: rightLocal, path: pending.path + [(node, pending.local, false)]))
                    stack.append(Pending(node: Int(ensemble.left[node]), local: leftLocal, path: pending.path + [(node, pending.local, true)]))
                    continue
                }
                let k = features.count
                leafNode.append(Int32(node))
                leafLocal.append(Int32(pending.local))
                leafFeatureStart.append(Int32(uniqueFeature.count))
                leafFeatureCount.append(Int32(k))
                leafPathStart.append(Int32(pathLocal.count))
                leafPathCount.append(Int32(pending.path.count))
                uniqueFeature.append(contentsOf: features)
                uniqueZero.append(contentsOf: zeros)
                for (parent, parentLocal, wentLeft) in pending.path {
                    pathLocal.append(Int32(parentLocal))
                    pathLeft.append(wentLeft ? 1 : 0)
                    pathSlot.append(Int32(slots[ensemble.feature[parent]]!))
                }
                if k > 0 && k <= limit && tableSize + (1 << k) <= LeafSubsetTables.treeBudget {
                    leafTableOffset.append(Int32(tableSize))
                    tableSize += 1 << k
                } else {
                    leafTableOffset.append(-1)
                    treeMaxUnique = max(treeMaxUnique, k)
                }
                maxUnique = max(maxUnique, k)
            }
            treeLeafCount.append(Int32(leafNode.count) - treeLeafStart[tree])
            treeWalkCount.append(Int32(walkNode.count) - treeWalkStart[tree])
            maxLocalNodes = max(maxLocalNodes, locals)
            maxTreeLeaves = max(maxTreeLeaves, Int(treeLeafCount[tree]))
            maxTableSize = max(maxTableSize, tableSize)
            let points = max(1, (treeMaxUnique + 1) / 2)
            treeRuleStart.append(rule(points: points))
            treeRuleCount.append(Int32(Self.chunks(points: points)))
        }

        self.treeLeafStart = Self.freeze(treeLeafStart)
        self.treeLeafCount = Self.freeze(treeLeafCount)
        self.treeRuleStart = Self.freeze(treeRuleStart)
        self.treeRuleCount = Self.freeze(treeRuleCount)
        self.treeWalkStart = Self.freeze(treeWalkStart)
        self.treeWalkCount = Self.freeze(treeWalkCount)
        self.walkNode = Self.freeze(walkNode)
        self.walkLocal = Self.freeze(walkLocal)
        self.walkLeftLocal = Self.freeze(walkLeftLocal)
        self.walkRightLocal = Self.freeze(walkRightLocal)
        self.walkBit = Self.freeze(walkBit)
        self.leafNode = Self.freeze(leafNode)
        self.leafLocal = Self.freeze(leafLocal)
        self.leafFeatureStart = Self.freeze(leafFeatureStart)
        self.leafFeatureCount = Self.freeze(leafFeatureCount)
        self.leafPathStart = Self.freeze(leafPathStart)
        self.leafPathCount = Self.freeze(leafPathCount)
        self.leafTableOffset = Self.freeze(leafTableOffset)
        self.uniqueFeature = Self.freeze(uniqueFeature)
        self.uniqueZero = Self.freeze(uniqueZero)
        self.uniqueOneMinusZero = Self.freeze(uniqueZero.map { 1 - $0 })
        self.pathLocal = Self.freeze(pathLocal)
        self.pathLeft = Self.freeze(pathLeft)
        self.pathSlot = Self.freeze(pathSlot)
        self.ruleNode = Self.freeze(ruleNode)
        self.ruleWeight = Self.freeze(ruleWeight)
        self.subsetRuleStart = Self.freeze(subsetRuleStart)
        self.subsetRuleCount = Self.freeze(subsetRuleCount)
        self.maxUnique = maxUnique
        self.maxLocalNodes = maxLocalNodes
        self.maxTreeLeaves = maxTreeLeaves
        self.maxTableSize = maxTableSize
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
}
