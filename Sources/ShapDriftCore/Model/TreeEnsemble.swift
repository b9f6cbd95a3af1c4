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
    /// (1.0000000180025095e-35, = `Double(Float(1e-35))`, pinned by a test), not the double 1e-35.
    /// A value with |x| at or below it is read as 0 (`lightGBMInput`), so a split of missing type
    /// Zero sends it to the default child. (A literal in an `@inlinable` getter, so the kernels
    /// read a constant rather than a lazily initialised global.)
    @inlinable public static var lightGBMZeroThreshold: Double { 1.0000000180025095e-35 }

    /// A value as LightGBM's predictors see it: every input with |x| ≤ `lightGBMZeroThreshold`
    /// is dropped from the sparse row they build and read back as exactly 0 (`src/c_api.cpp`
    /// `RowPairFunctionFromDenseMatric`, the text parsers in `src/io/parser.hpp`), before any
    /// split sees it. NaN is kept.
    @inlinable @inline(__always)
    public static func lightGBMInput(_ x: Double) -> Double {
        abs(x) <= lightGBMZeroThreshold ? 0 : x
    }

    /// LightGBM categories are `int` (`Tree::CategoricalDecision` casts `fval` to int): values at
    /// or above 2^31 are not categories and go right, as NaN and negative values do.
    @inlinable public static var lightGBMCategoryLimit: Double { 2_147_483_648.0 }

    /// XGBoost reads categories as float32 and treats values at or beyond 2^24 (where float32
    /// stops holding every integer) as invalid (`src/common/categorical.h`, `InvalidCat`): they
    /// go left, as negative values do.
    @inlinable public static var xgboostCategoryLimit: Float { 16_777_216 }
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

    @inlinable public static var defaultLeftFlag: UInt8 { 1 }
    @inlinable public static var categoricalFlag: UInt8 { 2 }

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
