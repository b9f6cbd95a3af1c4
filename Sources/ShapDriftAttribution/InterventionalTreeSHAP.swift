import ShapDriftCore

/// Exact interventional TreeSHAP: the Shapley values of the game v(S) = f(x_S, r_S̄) for each
/// background row r, averaged over the background (Lundberg et al. 2020, "From local explanations
/// to global understanding…", Methods, "Interventional Tree SHAP"; shap's `tree_shap_indep`).
///
/// For one pair (x, r) and one tree, only the leaves reachable by some mix of x and r matter. Walk
/// the tree: where x and r take the same child, follow it; where they differ on a feature not yet
/// assigned, branch twice — the feature joins x's side (follow x) or r's side (follow r); a feature
/// already assigned follows its side. A leaf reached with a features on x's side and b on r's side
/// is the value of exactly the coalitions holding those a and none of those b, so it adds
/// v·(a−1)!·b!/(a+b)! to each x-side feature and −v·a!·(b−1)!/(a+b)! to each r-side feature.
/// Cost: O(trees · leaves reached · depth) per pair, no coalition enumeration. Routing uses the
/// model's own split rules (`TreeEnsembleView.goesLeft`), so categorical splits, missing values and
/// values on a threshold go where the model sends them. Every node's decision is computed once per
/// explained row and, while they fit in `precomputedDecisionBytes`, once per background row (they
/// do not depend on the explained row), so the walks themselves only compare bits.
///
/// When the model's paths are short enough, the same leaf rule is tabulated per leaf over the
/// background once (`InterventionalLeafTables`) and rows are explained from the tables, at a cost
/// that does not grow with the background; the walks remain for longer paths.
package struct InterventionalTreeSHAP: Sendable {
    package let ensemble: TreeEnsemble
    /// Background rows, model feature order.
    package let background: FeatureBatch
    /// The mean raw output over the background: the base value of the interventional game.
    package let baseValues: [Double]

    /// Background decisions are kept for every node when they take at most this many bytes;
    /// beyond that they are recomputed per use, so memory stays bounded.
    package static let precomputedDecisionBytes = 64 << 20
    let decisionBudget: Int
    let paths: LeafPaths
    /// Per-leaf tables over the background (`InterventionalLeafTables`), when they fit; else
    /// rows are explained by walking every (row, background row) pair.
    let tables: InterventionalLeafTables?

    /// - Parameter useTables: `false` forces the pair walks (tests compare the two).
    package init(ensemble: TreeEnsemble, background: FeatureBatch, decisionBudget: Int = InterventionalTreeSHAP.precomputedDecisionBytes,
                useTables: Bool = true) {
        self.decisionBudget = decisionBudget
        precondition(background.rowCount > 0 && background.numFeatures == ensemble.numFeatures)
        self.ensemble = ensemble
        self.background = background
        paths = LeafPaths(ensemble: ensemble, subsetTableLimit: 0)
        tables = useTables ? InterventionalLeafTables(paths: paths, ensemble: ensemble, background: background) : nil
        baseValues = Self.meanPrediction(of: ensemble, over: background)
    }

    /// The mean raw output over the background: the base value of the interventional game.
    static func meanPrediction(of ensemble: TreeEnsemble, over background: FeatureBatch) -> [Double] {
        let outputs = ensemble.numOutputs
        var predictions = [Double](repeating: 0, count: background.rowCount * outputs)
        background.values.withUnsafeBufferPointer { rows in
            predictions.withUnsafeMutableBufferPointer { out in ensemble.predict(rows: rows, into: out) }
        }
        return (0..<outputs).map { k in
            (0..<background.rowCount).reduce(0) { $0 + predictions[$1 * outputs + k] } / Double(background.rowCount)
        }
    }

    /// - Complexity: O(rows · trees · leaves · path length) from the tables, else
    ///   O(rows · background rows · trees · depth) by the walks.
    package func explain(_ batch: FeatureBatch, threads: Int = ProcessorCount.available) -> AttributionBatch {
        if let tables {
            let paths = paths
            let phi = TreeBlockSchedule.explain(batch, ensemble: ensemble, threads: threads) {
                InterventionalTableWorker(paths: paths, tables: tables)
            }
            return AttributionBatch(rowCount: batch.rowCount, numOutputs: ensemble.numOutputs, numFeatures: ensemble.numFeatures,
                                    values: phi, baseValues: baseValues)
        }
        return explainByWalks(batch, threads: threads)
    }

    /// Every (row, background row, tree) walked by `PairWalker`.
    func explainByWalks(_ batch: FeatureBatch, threads: Int) -> AttributionBatch {
        let rows = batch.rowCount
        let features = ensemble.numFeatures
        let width = ensemble.numOutputs * features
        let scale = 1 / Double(background.rowCount)
        var phi = [Double](repeating: 0, count: rows * width)
        phi.withUnsafeMutableBufferPointer { output in
            batch.values.withUnsafeBufferPointer { input in
                let nodes = ensemble.nodeCount
                let precompute = background.rowCount * nodes <= decisionBudget
                let backgroundDecisions = precompute ? Self.decisions(of: background, ensemble: ensemble) : []
                backgroundDecisions.withUnsafeBufferPointer { backgroundBits in
                    Parallel.forEachRange(rowCount: rows, threads: threads, minimumRowsPerTask: 1) { range in
                        let walker = PairWalker(maxDepth: ensemble.maxDepth, numFeatures: features)
                        var rowBits = [UInt8](repeating: 0, count: nodes)
                        var scratchBits = [UInt8](repeating: 0, count: precompute ? 0 : nodes)
                        ensemble.withUnsafeView { view in
                            for row in range {
                                let x = UnsafeBufferPointer(rebasing: input[(row * features)..<((row + 1) * features)])
                                rowBits.withUnsafeMutableBufferPointer { view.decide(row: x, into: $0.baseAddress!) }
                                let rowPhi = output.baseAddress! + row * width
                                rowBits.withUnsafeBufferPointer { xBits in
                                    for backgroundRow in 0..<background.rowCount {
                                        let walkTrees = { (rBits: UnsafePointer<UInt8>) in
                                            for tree in 0..<ensemble.treeCount {
                                                let target = view.leafWidth == 1 ? rowPhi + Int(ensemble.treeOutput[tree]) * features : rowPhi
                                                walker.walk(view, xLeft: xBits.baseAddress!, rLeft: rBits, node: Int(ensemble.treeRoot[tree]),
                                                            xSide: 0, rSide: 0, phi: target)
                                            }
                                        }
                                        if precompute {
                                            walkTrees(backgroundBits.baseAddress! + backgroundRow * nodes)
                                        } else {
                                            background.values.withUnsafeBufferPointer { values in
                                                scratchBits.withUnsafeMutableBufferPointer {
                                                    view.decide(row: UnsafeBufferPointer(rebasing: values[(backgroundRow * features)..<((backgroundRow + 1) * features)]),
                                                                into: $0.baseAddress!)
                                                }
                                            }
                                            scratchBits.withUnsafeBufferPointer { walkTrees($0.baseAddress!) }
                                        }
                                    }
                                }
                                for index in 0..<width { rowPhi[index] *= scale }
                            }
                        }
                    }
                }
            }
        }
        return AttributionBatch(rowCount: rows, numOutputs: ensemble.numOutputs, numFeatures: features, values: phi, baseValues: baseValues)
    }

    /// Whether each row goes left at each node (1) or not (0): `rows × nodes`.
    static func decisions(of batch: FeatureBatch, ensemble: TreeEnsemble) -> [UInt8] {
        let nodes = ensemble.nodeCount
        var bits = [UInt8](repeating: 0, count: batch.rowCount * nodes)
        ensemble.withUnsafeView { view in
            batch.values.withUnsafeBufferPointer { values in
                bits.withUnsafeMutableBufferPointer { out in
                    for row in 0..<batch.rowCount {
                        view.decide(row: UnsafeBufferPointer(rebasing: values[(row * batch.numFeatures)..<((row + 1) * batch.numFeatures)]),
                                    into: out.baseAddress! + row * nodes)
                    }
                }
            }
        }
        return bits
    }
}

/// One worker's buffers for explaining blocks of rows from `InterventionalLeafTables`: per row
/// one pass over the tree gives every leaf's agreement mask A, then each leaf adds its table's
/// row A to the block, feature by feature.
struct InterventionalTableWorker: ~Copyable, TreeBlockWorker {
    let paths: LeafPaths
    let tables: InterventionalLeafTables
    private let nodeMask: UnsafeMutablePointer<UInt32>
    private let decision: UnsafeMutablePointer<UInt8>
    private let leafMask: UnsafeMutablePointer<UInt32>

    init(paths: LeafPaths, tables: InterventionalLeafTables) {
        self.paths = paths
        self.tables = tables
        nodeMask = .allocate(capacity: max(1, paths.maxLocalNodes))
        decision = .allocate(capacity: max(1, paths.maxLocalNodes))
        leafMask = .allocate(capacity: max(1, paths.maxTreeLeaves) * TreeBlockSchedule.blockRows)
    }

    func prepare(tree: Int) {}

    func explain(tree: Int, rows: UnsafePointer<Double>, count: Int, view: TreeEnsembleView, columns: UnsafeMutablePointer<Double>) {
        let blockRows = TreeBlockSchedule.blockRows
        let features = view.numFeatures
        for index in 0..<count {
            paths.agreement(tree: tree, row: rows + index * features, view: view, nodeMask: nodeMask, decision: decision,
                            leafMasks: leafMask + index, stride: blockRows)
        }
        let firstLeaf = Int(paths.treeLeafStart[tree])
        let width = view.leafWidth
        for position in 0..<Int(paths.treeLeafCount[tree]) {
            let leaf = firstLeaf + position
            let k = Int(paths.leafFeatureCount[leaf])
            if k == 0 { continue }
            let full = UInt32((1 << k) - 1)
            let table = tables.values.baseAddress! + tables.offsets[leaf]
            let masks = leafMask + position * blockRows
            let featureStart = Int(paths.leafFeatureStart[leaf])
            let node = Int(paths.leafNode[leaf])
            for output in 0..<width {
                let value = view.leafValues[node * width + output]
                for slot in 0..<k {
                    let column = columns + (output * features + Int(paths.uniqueFeature[featureStart + slot])) * blockRows
                    // A leaf's table holds k values per subset of its k ≤ featureLimit features.
                    for index in 0..<count {
                        column[index] += value * table[Int(masks[index] & full) &* k &+ slot]
                    }
                }
            }
        }
    }

    deinit {
        nodeMask.deallocate()
        decision.deallocate()
        leafMask.deallocate()
    }
}

/// One worker's state for walking (x, r) pairs: which side each feature is on, the features on
/// each side as stacks, and the Shapley weights by side sizes. Used when a model's paths are too
/// long for `InterventionalLeafTables`.
struct PairWalker: ~Copyable {
    private let side: UnsafeMutablePointer<UInt8>
    private let xFeatures: UnsafeMutablePointer<Int32>
    private let rFeatures: UnsafeMutablePointer<Int32>
    private let weights: SidedShapleyWeights
    private let numFeatures: Int

    init(maxDepth: Int, numFeatures: Int) {
        self.numFeatures = numFeatures
        weights = SidedShapleyWeights(maxSize: maxDepth + 1)
        side = .allocate(capacity: numFeatures)
        side.initialize(repeating: 0, count: numFeatures)
        xFeatures = .allocate(capacity: maxDepth + 2)
        rFeatures = .allocate(capacity: maxDepth + 2)
    }

    deinit {
        side.deallocate()
        xFeatures.deallocate()
        rFeatures.deallocate()
    }

    /// `xLeft`/`rLeft`: the two rows' decisions at every node (1 = left).
    func walk(_ tree: TreeEnsembleView, xLeft xBits: UnsafePointer<UInt8>, rLeft rBits: UnsafePointer<UInt8>, node: Int,
              xSide: Int, rSide: Int, phi: UnsafeMutablePointer<Double>) {
        var current = node
        while tree.left[current] >= 0 {
            let feature = Int(tree.feature[current])
            let xLeft = xBits[current] != 0
            switch side[feature] {
            case 1:
                current = Int(xLeft ? tree.left[current] : tree.right[current])
            case 2:
                current = Int(rBits[current] != 0 ? tree.left[current] : tree.right[current])
            default:
                let rLeft = rBits[current] != 0
                if xLeft == rLeft {
                    current = Int(xLeft ? tree.left[current] : tree.right[current])
                    continue
                }
                side[feature] = 1
                xFeatures[xSide] = Int32(feature)
                walk(tree, xLeft: xBits, rLeft: rBits, node: Int(xLeft ? tree.left[current] : tree.right[current]), xSide: xSide + 1, rSide: rSide, phi: phi)
                side[feature] = 2
                rFeatures[rSide] = Int32(feature)
                walk(tree, xLeft: xBits, rLeft: rBits, node: Int(rLeft ? tree.left[current] : tree.right[current]), xSide: xSide, rSide: rSide + 1, phi: phi)
                side[feature] = 0
                return
            }
        }
        if xSide + rSide == 0 { return }
        let up = weights.positive(xSide, rSide)
        let down = weights.negative(xSide, rSide)
        let width = tree.leafWidth
        for k in 0..<width {
            let value = tree.leafValues[current * width + k]
            let target = phi + k * numFeatures
            for i in 0..<xSide { target[Int(xFeatures[i])] += value * up }
            for i in 0..<rSide { target[Int(rFeatures[i])] -= value * down }
        }
    }
}
