/// How a tree's internal node routes a feature value; each model format has its own rule.
///
/// The three families differ in the comparison operator, in the precision of the comparison and
/// in how missing values travel (see `docs/format-rules.md`). Getting any of them wrong changes
/// which leaf a row reaches, so they are kept exactly as the native libraries implement them.
public enum SplitSemantics: String, Sendable {
    /// XGBoost: left when `Float(x) < Float(threshold)`; NaN takes the default child; a category
    /// in the node's set goes right (`src/predictor/predict_fn.h`, `src/common/categorical.h`).
    case xgboost
    /// LightGBM: left when `x <= threshold` in Double; the node's missing type decides whether
    /// NaN or zero take the default child; a category in the node's bitset goes left
    /// (`include/LightGBM/tree.h`).
    case lightgbm
    /// scikit-learn trees and forests: left when `Double(Float(x)) <= threshold`; NaN takes the
    /// default child (`missing_go_to_left`).
    case sklearn
    /// scikit-learn `HistGradientBoosting*`: left when `x <= threshold` in Double (its inputs are
    /// float64); NaN takes the default child (`missing_go_to_left`).
    case sklearnFloat64 = "sklearn-float64"

    /// LightGBM's zero threshold for missing type Zero: `const double kZeroThreshold = 1e-35f;`
    /// in `include/LightGBM/meta.h`, i.e. the *float* 1e-35 widened to double
    /// (1.0000000180025095e-35), not the double 1e-35. A value with |x| at or below it is read
    /// as 0 (`lightGBMInput`), so a split of missing type Zero sends it to the default child.
    public static let lightGBMZeroThreshold = Double(Float(1e-35))

    /// A value as LightGBM's predictors see it: every input with |x| ≤ `lightGBMZeroThreshold`
    /// is dropped from the sparse row they build and read back as exactly 0 (`src/c_api.cpp`
    /// `RowPairFunctionFromDenseMatric`, the text parsers in `src/io/parser.hpp`), before any
    /// split sees it. NaN is kept.
    @inline(__always)
    public static func lightGBMInput(_ x: Double) -> Double {
        abs(x) <= lightGBMZeroThreshold ? 0 : x
    }

    /// LightGBM categories are `int` (`Tree::CategoricalDecision` casts `fval` to int): values at
    /// or above 2^31 are not categories and go right, as NaN and negative values do.
    public static let lightGBMCategoryLimit = 2_147_483_648.0

    /// XGBoost reads categories as float32 and treats values at or beyond 2^24 (where float32
    /// stops holding every integer) as invalid (`src/common/categorical.h`, `InvalidCat`): they
    /// go left, as negative values do.
    public static let xgboostCategoryLimit: Float = 16_777_216
}

/// LightGBM's per-node missing-value type (bits 2–3 of `decision_type`).
public enum MissingType: UInt8, Sendable {
    case none = 0
    case zero = 1
    case nan = 2
}

/// A forest of binary decision trees held as flat struct-of-arrays over all nodes of all trees.
///
/// Node `i` of the ensemble is described by `left[i]`, `right[i]`, `feature[i]`, `threshold[i]`,
/// `flags[i]`, `cover[i]` and its leaf value(s) `leafValues[i * leafWidth ..< (i+1) * leafWidth]`.
/// Child indices are absolute (into these arrays); a leaf has `left[i] == -1`. This is the layout
/// of xgboost's and shap's own tree code: traversal is index arithmetic over contiguous memory.
///
/// An ensemble is built only through `TreeEnsembleBuilder`, which validates every tree, so the
/// attribution kernels can index without bounds worries.
public struct TreeEnsemble: Sendable {
    /// Split routing rule shared by every node.
    public let semantics: SplitSemantics
    /// Number of input features the trees may split on.
    public let numFeatures: Int
    /// Number of model outputs (classes for multi-class models, 1 otherwise).
    public let numOutputs: Int
    /// Values per leaf: 1 (each tree feeds one output, `treeOutput`) or `numOutputs` (each tree
    /// feeds every output, as scikit-learn classifier forests do).
    public let leafWidth: Int

    /// Root node of each tree.
    public let treeRoot: [Int32]
    /// Output fed by each tree when `leafWidth == 1`.
    public let treeOutput: [Int32]
    /// Depth of each tree (a single leaf has depth 0).
    public let treeDepth: [Int32]

    public let left: [Int32]
    public let right: [Int32]
    public let feature: [Int32]
    public let threshold: [Double]
    /// Bit 0: missing values go left. Bit 1: categorical split. Bits 2–3: `MissingType`.
    public let flags: [UInt8]
    /// Categorical nodes: the first word of the node's category bitset in `categoryWords`.
    public let categoryStart: [Int32]
    /// Categorical nodes: the number of 32-bit words in the node's bitset.
    public let categoryCount: [Int32]
    /// Category bitsets: bit `c % 32` of word `c / 32` set when category `c` is in the set.
    public let categoryWords: [UInt32]
    /// Training weight reaching each node (hessian sum or sample count): TreeSHAP's covers.
    public let cover: [Double]
    public let leafValues: [Double]
    /// Per output, the constant added to the sum of the trees (base score in margin space).
    public let baseOffset: [Double]

    public static let defaultLeftFlag: UInt8 = 1
    public static let categoricalFlag: UInt8 = 2

    public var treeCount: Int { treeRoot.count }
    public var nodeCount: Int { left.count }
    public var maxDepth: Int { Int(treeDepth.max() ?? 0) }
    public var leafCount: Int { left.reduce(0) { $0 + ($1 < 0 ? 1 : 0) } }

    package init(semantics: SplitSemantics, numFeatures: Int, numOutputs: Int, leafWidth: Int,
         treeRoot: [Int32], treeOutput: [Int32], treeDepth: [Int32], left: [Int32], right: [Int32],
         feature: [Int32], threshold: [Double], flags: [UInt8], categoryStart: [Int32],
         categoryCount: [Int32], categoryWords: [UInt32], cover: [Double], leafValues: [Double],
         baseOffset: [Double]) {
        self.semantics = semantics
        self.numFeatures = numFeatures
        self.numOutputs = numOutputs
        self.leafWidth = leafWidth
        self.treeRoot = treeRoot
        self.treeOutput = treeOutput
        self.treeDepth = treeDepth
        self.left = left
        self.right = right
        self.feature = feature
        self.threshold = threshold
        self.flags = flags
        self.categoryStart = categoryStart
        self.categoryCount = categoryCount
        self.categoryWords = categoryWords
        self.cover = cover
        self.leafValues = leafValues
        self.baseOffset = baseOffset
    }

    /// Whether a row whose value of this node's feature is `x` goes to the left child.
    public func goesLeft(node: Int, value x: Double) -> Bool {
        withUnsafeView { $0.goesLeft(node: node, value: x) }
    }

    /// Calls `body` with a view of the node arrays as raw buffers: what the hot loops use, so
    /// they touch contiguous memory and no reference counts.
    package func withUnsafeView<Result>(_ body: (TreeEnsembleView) throws -> Result) rethrows -> Result {
        try left.withUnsafeBufferPointer { left in
        try right.withUnsafeBufferPointer { right in
        try feature.withUnsafeBufferPointer { feature in
        try threshold.withUnsafeBufferPointer { threshold in
        try flags.withUnsafeBufferPointer { flags in
        try cover.withUnsafeBufferPointer { cover in
        try leafValues.withUnsafeBufferPointer { leafValues in
        try categoryStart.withUnsafeBufferPointer { categoryStart in
        try categoryCount.withUnsafeBufferPointer { categoryCount in
        try categoryWords.withUnsafeBufferPointer { categoryWords in
            try body(TreeEnsembleView(
                semantics: semantics, numFeatures: numFeatures, numOutputs: numOutputs, leafWidth: leafWidth,
                left: left, right: right, feature: feature, threshold: threshold, flags: flags, cover: cover,
                leafValues: leafValues, categoryStart: categoryStart, categoryCount: categoryCount,
                categoryWords: categoryWords))
        }}}}}}}}}}
    }

    /// The raw (margin-space) outputs of consecutive rows (`rows.count / numFeatures` of them) into
    /// `output` (`numOutputs` per row), setting up the node buffers once for all of them.
    /// - Complexity: O(rows × trees × depth).
    package func predict(rows: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
        let count = rows.count / numFeatures
        withUnsafeView { view in
            for row in 0..<count {
                let x = UnsafeBufferPointer(rebasing: rows[(row * numFeatures)..<((row + 1) * numFeatures)])
                let out = output.baseAddress! + row * numOutputs
                for k in 0..<numOutputs { out[k] = baseOffset[k] }
                for tree in 0..<treeCount {
                    let leaf = view.leaf(from: Int(treeRoot[tree]), row: x)
                    if leafWidth == 1 {
                        out[Int(treeOutput[tree])] += view.leafValues[leaf]
                    } else {
                        for k in 0..<leafWidth { out[k] += view.leafValues[leaf * leafWidth + k] }
                    }
                }
            }
        }
    }

    /// Per output, the cover-weighted mean of the leaves plus the base offset: the model's expected
    /// output under the training distribution the covers record, which is the base value of
    /// path-dependent TreeSHAP (xgboost `src/predictor/interpretability/shap.cc`, LightGBM
    /// `Tree::ExpectedValue`).
    /// - Complexity: O(nodes).
    public func expectedValue() -> [Double] {
        var expected = baseOffset
        for tree in 0..<treeCount {
            let root = Int(treeRoot[tree])
            let rootCover = cover[root]
            var stack = [root]
            while let node = stack.popLast() {
                if left[node] >= 0 {
                    stack.append(Int(left[node]))
                    stack.append(Int(right[node]))
                    continue
                }
                let weight = node == root ? 1 : cover[node] / rootCover
                if leafWidth == 1 {
                    expected[Int(treeOutput[tree])] += leafValues[node] * weight
                } else {
                    for k in 0..<leafWidth { expected[k] += leafValues[node * leafWidth + k] * weight }
                }
            }
        }
        return expected
    }
}

/// A `TreeEnsemble`'s node arrays as raw buffers, valid inside `TreeEnsemble.withUnsafeView`.
///
/// The one implementation of each format's split rule lives here (`goesLeft`), used by
/// prediction and by every attribution kernel.
package struct TreeEnsembleView {
    package let semantics: SplitSemantics
    package let numFeatures: Int
    package let numOutputs: Int
    package let leafWidth: Int
    package let left: UnsafeBufferPointer<Int32>
    package let right: UnsafeBufferPointer<Int32>
    package let feature: UnsafeBufferPointer<Int32>
    package let threshold: UnsafeBufferPointer<Double>
    package let flags: UnsafeBufferPointer<UInt8>
    package let cover: UnsafeBufferPointer<Double>
    package let leafValues: UnsafeBufferPointer<Double>
    let categoryStart: UnsafeBufferPointer<Int32>
    let categoryCount: UnsafeBufferPointer<Int32>
    let categoryWords: UnsafeBufferPointer<UInt32>

    /// The leaf a row reaches from `node`.
    @inline(__always)
    package func leaf(from node: Int, row: UnsafeBufferPointer<Double>) -> Int {
        var current = node
        while left[current] >= 0 {
            current = Int(goesLeft(node: current, value: row[Int(feature[current])]) ? left[current] : right[current])
        }
        return current
    }

    /// The decision of every internal node of the ensemble for one row: `decisions[node]` = 1
    /// when the row goes left. Kernels that visit nodes many times per row compute them once.
    package func decide(row: UnsafeBufferPointer<Double>, into decisions: UnsafeMutablePointer<UInt8>) {
        for node in 0..<left.count where left[node] >= 0 {
            decisions[node] = goesLeft(node: node, value: row[Int(feature[node])]) ? 1 : 0
        }
    }

    /// Whether a row whose value of this node's feature is `x` goes to the left child.
    @inline(__always)
    package func goesLeft(node: Int, value x: Double) -> Bool {
        let nodeFlags = flags[node]
        if nodeFlags & TreeEnsemble.categoricalFlag != 0 {
            return categoricalGoesLeft(node: node, value: x, flags: nodeFlags)
        }
        switch semantics {
        case .xgboost:
            if x.isNaN { return nodeFlags & TreeEnsemble.defaultLeftFlag != 0 }
            return Float(x) < Float(threshold[node])
        case .sklearn:
            if x.isNaN { return nodeFlags & TreeEnsemble.defaultLeftFlag != 0 }
            return Double(Float(x)) <= threshold[node]
        case .sklearnFloat64:
            if x.isNaN { return nodeFlags & TreeEnsemble.defaultLeftFlag != 0 }
            return x <= threshold[node]
        case .lightgbm:
            let missing = (nodeFlags >> 2) & 3
            var value = SplitSemantics.lightGBMInput(x)
            if missing != MissingType.nan.rawValue, value.isNaN { value = 0 }
            if (missing == MissingType.zero.rawValue && value == 0) || (missing == MissingType.nan.rawValue && value.isNaN) {
                return nodeFlags & TreeEnsemble.defaultLeftFlag != 0
            }
            return value <= threshold[node]
        }
    }

    private func categoricalGoesLeft(node: Int, value x: Double, flags nodeFlags: UInt8) -> Bool {
        switch semantics {
        case .lightgbm:
            // `Tree::CategoricalDecision`: NaN goes right; otherwise the category is `int(x)`,
            // truncated towards zero (so −0.5 is category 0), and a negative one goes right; one
            // in the bitset goes left.
            let value = SplitSemantics.lightGBMInput(x)
            if value.isNaN || value <= -1 || value >= SplitSemantics.lightGBMCategoryLimit { return false }
            return categoryIsInSet(node: node, category: Int(value))
        case .xgboost, .sklearn, .sklearnFloat64:
            // NaN takes the default child; an invalid category goes left; one in the set goes right.
            if x.isNaN { return nodeFlags & TreeEnsemble.defaultLeftFlag != 0 }
            let category = Float(x)
            if category < 0 || category >= SplitSemantics.xgboostCategoryLimit { return true }
            return !categoryIsInSet(node: node, category: Int(category))
        }
    }

    @inline(__always)
    private func categoryIsInSet(node: Int, category: Int) -> Bool {
        let word = category >> 5
        guard word < Int(categoryCount[node]) else { return false }
        return categoryWords[Int(categoryStart[node]) + word] & (1 << UInt32(category & 31)) != 0
    }
}
