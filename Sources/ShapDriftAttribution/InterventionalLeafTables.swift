import ShapDriftCore

/// Interventional TreeSHAP as per-leaf tables over a fixed background, so explaining a row costs
/// O(leaves · path features) per tree whatever the background size.
///
/// For a leaf with k unique path features, let A be the features on whose conditions the
/// explained row x agrees with the leaf's path, and B those the background row r agrees on. The
/// hybrid row (x_S, r_S̄) reaches the leaf iff every path feature is in A when taken from x and
/// in B when taken from r, so the leaf's game is zero unless A ∪ B is the whole path; then the
/// features in A ∖ B must come from x (a of them), those outside A from r (b = k − |A|), and the
/// rest are dummies. That unanimity game gives each of the a features v·(a−1)!·b!/(a+b)! and
/// each of the b features −v·a!·(b−1)!/(a+b)! — the leaf rule of `PairWalker`, reorganised by
/// leaf instead of by walk (cf. Lundberg et al. 2020, Methods, "Interventional Tree SHAP";
/// Laberge & Pequignot 2022 for the leaf-wise view).
///
/// The values depend on r only through B, so per leaf the background becomes a histogram over
/// B, and for every A the k per-feature values, averaged over the background, are tabulated
/// (k·2^k values per leaf, without the leaf value so multi-output leaves share them). A row then
/// needs its agreement mask A per leaf (one pass over the tree's nodes) and k loads.
final class InterventionalLeafTables: @unchecked Sendable {
    /// Leaves with more unique path features than this make the model use the walks instead.
    static let featureLimit = 10
    /// Values all tables may take together (8 bytes each: 256 MiB).
    static let budget = 32 << 20

    /// Per leaf record: first value of its table (k values per subset A, A = 0..<2^k).
    let offsets: UnsafeBufferPointer<Int>
    let values: UnsafeMutableBufferPointer<Double>

    /// `nil` when a leaf's path is too long or the tables would exceed the budget.
    init?(paths: LeafPaths, ensemble: TreeEnsemble, background: FeatureBatch) {
        var offsets = [Int]()
        var total = 0
        for leaf in 0..<paths.leafNode.count {
            let k = Int(paths.leafFeatureCount[leaf])
            if k > Self.featureLimit { return nil }
            offsets.append(total)
            total += k << k
            if total > Self.budget { return nil }
        }
        let offsetBuffer = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(1, offsets.count))
        _ = offsetBuffer.initialize(from: offsets)
        self.offsets = UnsafeBufferPointer(offsetBuffer)
        values = .allocate(capacity: max(1, total))
        values.initialize(repeating: 0)

        let rows = background.rowCount
        let weights = SidedShapleyWeights(maxSize: Self.featureLimit)
        let nodeMask = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, paths.maxLocalNodes))
        let decision = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, paths.maxLocalNodes))
        let masks = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, paths.maxTreeLeaves * rows))
        let counts = UnsafeMutablePointer<Int32>.allocate(capacity: 1 << Self.featureLimit)
        defer {
            nodeMask.deallocate()
            decision.deallocate()
            masks.deallocate()
            counts.deallocate()
        }
        let scale = 1 / Double(rows)
        ensemble.withUnsafeView { view in
            background.values.withUnsafeBufferPointer { data in
                for tree in 0..<ensemble.treeCount {
                    for row in 0..<rows {
                        paths.agreement(tree: tree, row: data.baseAddress! + row * background.numFeatures, view: view,
                                        nodeMask: nodeMask, decision: decision, leafMasks: masks + row, stride: rows)
                    }
                    let firstLeaf = Int(paths.treeLeafStart[tree])
                    for position in 0..<Int(paths.treeLeafCount[tree]) {
                        let leaf = firstLeaf + position
                        let k = Int(paths.leafFeatureCount[leaf])
                        if k == 0 { continue }
                        let full = (1 << k) - 1
                        counts.initialize(repeating: 0, count: 1 << k)
                        for row in 0..<rows { counts[Int(masks[position &* rows &+ row]) & full] &+= 1 }
                        fill(table: values.baseAddress! + offsets[leaf], k: k, counts: counts, scale: scale, weights: weights)
                    }
                }
            }
        }
    }

    /// Adds every background agreement set B (with its count) to the table: each A ⊇ (full ∖ B)
    /// reaches the leaf with a = |full ∖ B| features from x and b = k − |A| from r. Subsets are
    /// below 2^k with k ≤ `featureLimit`, so the index arithmetic wraps rather than checking.
    private func fill(table: UnsafeMutablePointer<Double>, k: Int, counts: UnsafePointer<Int32>, scale: Double,
                      weights: borrowing SidedShapleyWeights) {
        let full = (1 << k) - 1
        for agreed in 0...full where counts[agreed] > 0 {
            let share = Double(counts[agreed]) * scale
            let fromX = full & ~agreed
            let a = fromX.nonzeroBitCount
            var dummies = agreed
            while true {
                let subset = fromX | dummies
                let b = k &- subset.nonzeroBitCount
                if a &+ b > 0 {
                    let row = table + subset &* k
                    let up = share * weights.positive(a, b)
                    let down = share * weights.negative(a, b)
                    var bits = fromX
                    while bits != 0 {
                        row[bits.trailingZeroBitCount] += up
                        bits &= bits &- 1
                    }
                    bits = full & ~subset
                    while bits != 0 {
                        row[bits.trailingZeroBitCount] -= down
                        bits &= bits &- 1
                    }
                }
                if dummies == 0 { break }
                dummies = (dummies &- 1) & agreed
            }
        }
    }

    deinit {
        offsets.deallocate()
        values.deallocate()
    }
}

/// The Shapley values of a unanimity game with a required players on one side and b on the
/// other: (a−1)!·b!/(a+b)! for each of the a, a!·(b−1)!/(a+b)! for each of the b.
struct SidedShapleyWeights: ~Copyable {
    private let positiveTable: UnsafeMutablePointer<Double>
    private let negativeTable: UnsafeMutablePointer<Double>
    private let stride: Int

    init(maxSize: Int) {
        stride = maxSize + 1
        positiveTable = .allocate(capacity: stride * stride)
        negativeTable = .allocate(capacity: stride * stride)
        for a in 0..<stride {
            for b in 0..<stride {
                // 1 / (a · C(a+b, a)) and 1 / (b · C(a+b, b)), the binomial built by exact products.
                var binomial = 1.0
                for i in 0..<min(a, b) { binomial = binomial * Double(a + b - i) / Double(i + 1) }
                positiveTable[a * stride + b] = a > 0 ? 1 / (Double(a) * binomial) : 0
                negativeTable[a * stride + b] = b > 0 ? 1 / (Double(b) * binomial) : 0
            }
        }
    }

    @inline(__always) func positive(_ a: Int, _ b: Int) -> Double { positiveTable[a &* stride &+ b] }
    @inline(__always) func negative(_ a: Int, _ b: Int) -> Double { negativeTable[a &* stride &+ b] }

    deinit {
        positiveTable.deallocate()
        negativeTable.deallocate()
    }
}
