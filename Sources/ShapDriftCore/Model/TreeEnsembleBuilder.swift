/// One tree as a loader reads it, in tree-local node indices (root = node 0, leaf child = -1).
public struct TreeNodes: Sendable {
    public var left: [Int32]
    public var right: [Int32]
    public var feature: [Int32]
    public var threshold: [Double]
    public var flags: [UInt8]
    public var cover: [Double]
    /// `leafWidth` values per node; only leaves' entries are used.
    public var leafValues: [Double]
    /// Category bitset words of each categorical node (empty for numerical nodes).
    public var categories: [Int: [UInt32]]

    public init(left: [Int32], right: [Int32], feature: [Int32], threshold: [Double], flags: [UInt8],
                cover: [Double], leafValues: [Double], categories: [Int: [UInt32]] = [:]) {
        self.left = left
        self.right = right
        self.feature = feature
        self.threshold = threshold
        self.flags = flags
        self.cover = cover
        self.leafValues = leafValues
        self.categories = categories
    }

    public var count: Int { left.count }
}

/// A structural defect found while validating a tree: which node and what is wrong.
public struct TreeStructureError: Error, CustomStringConvertible, Sendable {
    public var node: Int?
    public var message: String
    public var description: String { node.map { "node \($0): \(message)" } ?? message }
}

/// Validates trees one by one and appends them to flat struct-of-arrays storage.
///
/// Every loader goes through here, so every format gets the same guarantees: child indices in
/// range, every node reached at most once from the root (no cycles, no shared subtrees), split
/// features the model has, numerical thresholds that are not NaN (±infinity is allowed), leaf
/// values and base offsets within `ModelLimits.maximumMagnitude`, covers that are finite,
/// non-negative, positive at splits, within `ModelLimits.coverRange` and never larger at a child
/// than at its parent, and every output fed by a tree. The attribution kernels rely on these and
/// do no checking of their own. Covers that do not add up (a parent's cover is not its
/// children's sum within the format's rounding) are explained as recorded, with a warning.
public struct TreeEnsembleBuilder {
    /// Deeper trees are refused: TreeSHAP's scratch memory grows with the square of the depth.
    public static let maximumDepth = 1024

    public let semantics: SplitSemantics
    public let numFeatures: Int
    public let numOutputs: Int
    public let leafWidth: Int
    /// How far, relative to the parent's cover, a parent's cover may differ from the sum of its
    /// children's before the covers count as not adding up (`warnings`).
    public let coverTolerance: Double

    private var treeRoot: [Int32] = []
    private var treeOutput: [Int32] = []
    private var treeDepth: [Int32] = []
    private var left: [Int32] = []
    private var right: [Int32] = []
    private var feature: [Int32] = []
    private var threshold: [Double] = []
    private var flags: [UInt8] = []
    private var categoryStart: [Int32] = []
    private var categoryCount: [Int32] = []
    private var categoryWords: [UInt32] = []
    private var cover: [Double] = []
    private var leafValues: [Double] = []
    private var coverMismatches = 0
    private var firstCoverMismatch: String?

    /// - Parameter coverTolerance: the format's rounding of covers, relative; `nil` takes
    ///   `defaultCoverTolerance(for:)`.
    public init(semantics: SplitSemantics, numFeatures: Int, numOutputs: Int, leafWidth: Int = 1, coverTolerance: Double? = nil) {
        self.semantics = semantics
        self.numFeatures = numFeatures
        self.numOutputs = numOutputs
        self.leafWidth = leafWidth
        self.coverTolerance = coverTolerance ?? Self.defaultCoverTolerance(for: semantics)
    }

    /// The rounding of each format's covers, relative to the parent's cover: XGBoost stores its
    /// hessian sums as float32, each rounded on its own (2^-20, sixteen float32 ulps; real exports
    /// stay below 2e-7); LightGBM's `internal_count`/`leaf_count` are integer counts, exact;
    /// scikit-learn's weighted sample counts are float64 sums in different orders (2^-30).
    public static func defaultCoverTolerance(for semantics: SplitSemantics) -> Double {
        switch semantics {
        case .xgboost: return 0x1p-20
        case .lightgbm: return 0
        case .sklearn, .sklearnFloat64: return 0x1p-30
        }
    }

    public var treeCount: Int { treeRoot.count }

    /// What the trees added so far do not vouch for (covers that do not add up), one sentence each.
    public var warnings: [String] {
        guard let firstCoverMismatch else { return [] }
        return ["covers do not add up at \(coverMismatches) split(s) (first: \(firstCoverMismatch)): path-dependent TreeSHAP weighs each branch by its share of the recorded cover, so the attributions follow these covers, not necessarily the training data's"]
    }

    /// Validates `tree` and appends it, feeding `output` (ignored when `leafWidth > 1`).
    public mutating func addTree(_ tree: TreeNodes, output: Int) throws(TreeStructureError) {
        let depth = try validate(tree, output: output)
        let offset = Int32(left.count)
        treeRoot.append(offset)
        treeOutput.append(Int32(leafWidth == 1 ? output : 0))
        treeDepth.append(Int32(depth))
        for node in 0..<tree.count {
            let isLeaf = tree.left[node] < 0
            left.append(isLeaf ? -1 : tree.left[node] + offset)
            right.append(isLeaf ? -1 : tree.right[node] + offset)
            feature.append(isLeaf ? 0 : tree.feature[node])
            threshold.append(isLeaf ? 0 : tree.threshold[node])
            flags.append(isLeaf ? 0 : tree.flags[node])
            cover.append(tree.cover[node])
            if let words = tree.categories[node], !isLeaf {
                categoryStart.append(Int32(categoryWords.count))
                categoryCount.append(Int32(words.count))
                categoryWords.append(contentsOf: words)
            } else {
                categoryStart.append(0)
                categoryCount.append(0)
            }
        }
        leafValues.append(contentsOf: tree.leafValues)
    }

    /// Returns the tree's depth, or throws the first defect found.
    private mutating func validate(_ tree: TreeNodes, output: Int) throws(TreeStructureError) -> Int {
        let count = tree.count
        guard count > 0 else { throw TreeStructureError(node: nil, message: "tree has no nodes") }
        guard tree.right.count == count, tree.feature.count == count, tree.threshold.count == count,
              tree.flags.count == count, tree.cover.count == count, tree.leafValues.count == count * leafWidth else {
            throw TreeStructureError(node: nil, message: "node arrays have different lengths")
        }
        guard count < Int(Int32.max) / 2 else { throw TreeStructureError(node: nil, message: "too many nodes") }
        if leafWidth == 1, !(0..<numOutputs).contains(output) {
            throw TreeStructureError(node: nil, message: "tree feeds output \(output), but the model has \(numOutputs) output(s)")
        }
        var visited = [Bool](repeating: false, count: count)
        var stack: [(node: Int, depth: Int)] = [(0, 0)]
        var maxDepth = 0
        while let (node, depth) = stack.popLast() {
            if visited[node] {
                throw TreeStructureError(node: node, message: "reached twice from the root (a cycle or a shared subtree)")
            }
            visited[node] = true
            maxDepth = max(maxDepth, depth)
            if depth > Self.maximumDepth {
                throw TreeStructureError(node: node, message: "tree deeper than \(Self.maximumDepth)")
            }
            let coverValue = tree.cover[node]
            guard coverValue.isFinite, coverValue >= 0 else {
                throw TreeStructureError(node: node, message: "cover \(coverValue) is not a finite non-negative number")
            }
            guard coverValue == 0 || ModelLimits.coverRange.contains(coverValue) else {
                throw TreeStructureError(node: node, message: "cover \(coverValue) is outside 2^-500...2^500, where the ratios of covers TreeSHAP takes stay exact")
            }
            let leftChild = Int(tree.left[node])
            if leftChild < 0 {
                guard leftChild == -1 else {
                    throw TreeStructureError(node: node, message: "child index \(leftChild) is out of range 0..<\(count)")
                }
                for k in 0..<leafWidth {
                    if let problem = ModelLimits.magnitudeProblem(tree.leafValues[node * leafWidth + k], what: "leaf value") {
                        throw TreeStructureError(node: node, message: problem)
                    }
                }
                continue
            }
            let rightChild = Int(tree.right[node])
            for child in [leftChild, rightChild] where !(0..<count).contains(child) || child == node {
                throw TreeStructureError(node: node, message: "child index \(child) is out of range 1..<\(count) or points to itself")
            }
            if visited[leftChild] || visited[rightChild] {
                throw TreeStructureError(node: visited[leftChild] ? leftChild : rightChild,
                                         message: "reached twice from the root (a cycle or a shared subtree)")
            }
            let splitFeature = Int(tree.feature[node])
            guard (0..<numFeatures).contains(splitFeature) else {
                throw TreeStructureError(node: node, message: "splits on feature index \(splitFeature), but the model has \(numFeatures) features (0..<\(numFeatures))")
            }
            guard coverValue > 0 else {
                throw TreeStructureError(node: node, message: "internal node has zero cover; TreeSHAP needs the training weight of every split")
            }
            try checkChildCovers(tree, node: node, children: (leftChild, rightChild))
            if tree.flags[node] & TreeEnsemble.categoricalFlag != 0 {
                guard tree.categories[node] != nil else {
                    throw TreeStructureError(node: node, message: "categorical split without a category set")
                }
            } else if tree.threshold[node].isNaN {
                // ±infinity is a legal numerical threshold (scikit-learn's HistGradientBoosting
                // bins end at ±inf, LightGBM writes `inf`): every finite value goes one way.
                throw TreeStructureError(node: node, message: "split threshold \(tree.threshold[node]) is not a number")
            }
            stack.append((leftChild, depth + 1))
            stack.append((rightChild, depth + 1))
        }
        return maxDepth
    }

    /// A child's cover above its parent's is refused: covers are the training weight reaching a
    /// node, so no child holds more than its parent, and path-dependent TreeSHAP's branch weights
    /// (a child's share of its parent) must not exceed one, or their products can overflow. A
    /// parent's cover that is not its children's sum is recorded for `warnings`. Children whose
    /// own covers are bad are left to their own visit, which refuses them.
    private mutating func checkChildCovers(_ tree: TreeNodes, node: Int, children: (Int, Int)) throws(TreeStructureError) {
        let parent = tree.cover[node]
        let (leftCover, rightCover) = (tree.cover[children.0], tree.cover[children.1])
        guard leftCover.isFinite, rightCover.isFinite, leftCover >= 0, rightCover >= 0 else { return }
        let slack = coverTolerance * parent
        if leftCover - parent > slack || rightCover - parent > slack {
            let (child, childCover) = leftCover - parent > slack ? (children.0, leftCover) : (children.1, rightCover)
            throw TreeStructureError(node: node, message: "child node \(child) has cover \(childCover), more than its parent's \(parent): covers are training weights and cannot grow from a node to its child")
        }
        if abs(parent - (leftCover + rightCover)) > slack {
            coverMismatches += 1
            if firstCoverMismatch == nil {
                firstCoverMismatch = "tree \(treeCount), node \(node): \(parent), but its children's covers sum to \(leftCover + rightCover)"
            }
        }
    }

    /// The finished ensemble, with `baseOffset` (one value per output) added to every prediction.
    /// - Throws: when a base offset is too large, or (for one value per leaf) an output is fed by no tree.
    public func build(baseOffset: [Double]) throws(TreeStructureError) -> TreeEnsemble {
        guard baseOffset.count == numOutputs else {
            throw TreeStructureError(node: nil, message: "\(baseOffset.count) base offsets for \(numOutputs) outputs")
        }
        guard baseOffset.allSatisfy(\.isFinite) else {
            throw TreeStructureError(node: nil, message: "base score \(baseOffset) is not finite in margin space")
        }
        for value in baseOffset {
            if let problem = ModelLimits.magnitudeProblem(value, what: "base offset") { throw TreeStructureError(node: nil, message: problem) }
        }
        guard !treeRoot.isEmpty else { throw TreeStructureError(node: nil, message: "the model has no trees") }
        if leafWidth == 1 {
            var fed = [Bool](repeating: false, count: numOutputs)
            for output in treeOutput { fed[Int(output)] = true }
            if let unfed = fed.firstIndex(of: false) {
                throw TreeStructureError(node: nil, message: "output \(unfed) of \(numOutputs) is fed by no tree: the model declares more outputs than its trees hold")
            }
        }
        return TreeEnsemble(
            semantics: semantics, numFeatures: numFeatures, numOutputs: numOutputs, leafWidth: leafWidth,
            treeRoot: treeRoot, treeOutput: treeOutput, treeDepth: treeDepth, left: left, right: right,
            feature: feature, threshold: threshold, flags: flags, categoryStart: categoryStart,
            categoryCount: categoryCount, categoryWords: categoryWords, cover: cover,
            leafValues: leafValues, baseOffset: baseOffset)
    }
}
