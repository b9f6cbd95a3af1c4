/// The sizes and magnitudes a model may have (`docs/format-rules.md`, "Limits").
///
/// Every loader checks a file against these before it allocates anything the file only
/// declares, so a small file cannot ask for gigabytes, and every model that loads has finite,
/// additive attributions: no sum of its values can overflow.
public enum ModelLimits {
    /// Attribution values per row (outputs × features) at most: 2^18, 2 MiB per row. Attribution
    /// runs on blocks of at least 64 rows, and the tree kernels keep 64 rows of attributions per
    /// worker (`TreeBlockSchedule`), so a model at this limit needs well under 1 GiB of buffers
    /// (128 MiB per worker plus three copies of a 64-row block, 384 MiB), not the gigabytes a
    /// small file declaring 100,000 outputs would have taken.
    public static let maximumRowWidth = 1 << 18

    /// Largest magnitude of a leaf value, base offset, coefficient, intercept or feature mean:
    /// 2^500 (about 3.3e150). A product of two stays below 2^1000, and a sum of up to
    /// `maximumRowWidth` such products or of every leaf of a model stays far below the largest
    /// double, so predictions, base values and attributions cannot overflow.
    public static let maximumMagnitude = 0x1p500

    /// Where a nonzero cover may lie: [2^-500, 2^500]. TreeSHAP uses covers only as ratios of a
    /// child to its parent, so within this range every ratio, and every product of ratios along a
    /// path, is a normal double: nothing overflows or vanishes into subnormals. (XGBoost's float32
    /// hessian sums, LightGBM's counts and scikit-learn's weighted counts all lie well inside.)
    public static let coverRange: ClosedRange<Double> = 0x1p-500...0x1p500

    /// Dense category bitset words a whole model may hold: 2^24 (64 MiB). XGBoost lists each
    /// split's categories, which become a bitset as long as its largest category; without this a
    /// few thousand splits on category 16,777,215 would take gigabytes.
    public static let maximumCategoryWords = 1 << 24

    /// Why a model of this shape cannot be explained within the limits, or `nil` when it can.
    public static func shapeProblem(numFeatures: Int, numOutputs: Int) -> String? {
        guard numFeatures >= 1, numOutputs >= 1 else { return "a model needs at least one feature and one output" }
        guard numFeatures <= maximumRowWidth / numOutputs else {
            return "\(numOutputs) output(s) × \(numFeatures) features is more than \(maximumRowWidth) attribution values per row, the most ShapDrift explains"
        }
        return nil
    }

    /// Why `value` is too large to explain exactly, or `nil`.
    public static func magnitudeProblem(_ value: Double, what: String) -> String? {
        guard value.isFinite else { return "\(what) \(value) is not finite" }
        guard abs(value) <= maximumMagnitude else {
            return "\(what) \(value) exceeds 2^500 (about 3.3e150) in magnitude: sums of such values can overflow"
        }
        return nil
    }
}
