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
/// features the model has, numerical thresholds that are not NaN (±infinity is allowed), finite
/// leaf values and covers. The attribution kernels rely on these and do no checking of their own.
public struct TreeEnsembleBuilder {
    /// Deeper trees are refused: TreeSHAP's scratch memory grows with the square of the depth.
    public static let maximumDepth = 1024

    public let semantics: SplitSemantics
    public let numFeatures: Int
    public let numOutputs: Int
    public let leafWidth: Int

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

    public init(semantics: SplitSemantics, numFeatures: Int, numOutputs: Int, leafWidth: Int = 1) {
        self.semantics = semantics
        self.numFeatures = numFeatures
        self.numOutputs = numOutputs
        self.leafWidth = leafWidth
    }

    public var treeCount: Int { treeRoot.count }

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
    private func validate(_ tree: TreeNodes, output: Int) throws(TreeStructureError) -> Int {
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
            let leftChild = Int(tree.left[node])
            if leftChild < 0 {
                guard leftChild == -1 else {
                    throw TreeStructureError(node: node, message: "child index \(leftChild) is out of range 0..<\(count)")
                }
                for k in 0..<leafWidth where !tree.leafValues[node * leafWidth + k].isFinite {
                    throw TreeStructureError(node: node, message: "leaf value \(tree.leafValues[node * leafWidth + k]) is not finite")
                }
                continue
            }
            let rightChild = Int(tree.right[node])
            for child in [leftChild, rightChild] where !(0..<count).contains(child) || child == node {
                throw TreeStructureError(node: node, message: "child index \(child) is out of range 1..<\(count) or points to itself")
            }
            let splitFeature = Int(tree.feature[node])
            guard (0..<numFeatures).contains(splitFeature) else {
                throw TreeStructureError(node: node, message: "splits on feature index \(splitFeature), but the model has \(numFeatures) features (0..<\(numFeatures))")
            }
            guard coverValue > 0 else {
                throw TreeStructureError(node: node, message: "internal node has zero cover; TreeSHAP needs the training weight of every split")
            }
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

    /// The finished ensemble, with `baseOffset` (one value per output) added to every prediction.
    public func build(baseOffset: [Double]) throws(TreeStructureError) -> TreeEnsemble {
        guard baseOffset.count == numOutputs else {
            throw TreeStructureError(node: nil, message: "\(baseOffset.count) base offsets for \(numOutputs) outputs")
        }
        guard baseOffset.allSatisfy(\.isFinite) else {
            throw TreeStructureError(node: nil, message: "base score \(baseOffset) is not finite in margin space")
        }
        return TreeEnsemble(
            semantics: semantics, numFeatures: numFeatures, numOutputs: numOutputs, leafWidth: leafWidth,
            treeRoot: treeRoot, treeOutput: treeOutput, treeDepth: treeDepth, left: left, right: right,
            feature: feature, threshold: threshold, flags: flags, categoryStart: categoryStart,
            categoryCount: categoryCount, categoryWords: categoryWords, cover: cover,
            leafValues: leafValues, baseOffset: baseOffset)
    }
}
