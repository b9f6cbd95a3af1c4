import CBLAS
import ShapDriftCore

/// Correlation-aware linear SHAP: Shapley values of the game v(S) = E[f(X) | X_S = x_S] for a
/// linear model f = c·x + b, with X Gaussian with the background's mean μ and covariance Σ
/// (Aas, Jullum & Løland 2021, "Explaining individual predictions when features are dependent";
/// shap's `LinearExplainer(feature_perturbation="correlation_dependent")`).
///
/// Under a Gaussian, E[f | x_S] = c_S·x_S + c_S̄·(μ_S̄ + Σ_S̄S Σ_SS⁻¹ (x_S − μ_S)): linear in x and
/// μ, g_S(x) = a_S·x + b_S·μ. So every Shapley value is φ_i = T_x[i]·x + T_μ[i]·μ with
/// T = Σ_{S∌i} |S|!(M−|S|−1)!/M! (a_{S∪i} − a_S) (likewise b): two M×M transforms computed once,
/// after which a block of rows costs one BLAS product. ShapDrift computes the transforms exactly,
/// over every subset (one Cholesky solve of Σ_SS each), up to `exactFeatureLimit` features; above
/// that it averages seeded random permutations like shap (whose own code samples 1,000 of them).
/// As in shap, features with (near) zero variance get φ = 0 and a near-singular Σ is regularised
/// with 1e-6·I.
package struct CorrelationLinearSHAP: Sendable {
    let model: LinearModel
    let means: [Double]
    /// b + c·μ per output: g_∅.
    let baseValues: [Double]
    /// Per output: T_x (M×M, row-major) and the constant T_μ·μ.
    let xTransforms: [[Double]]
    let meanTerms: [[Double]]
    /// Whether the transforms were computed over every subset (else from sampled permutations).
    let isExact: Bool

    /// Subsets are enumerated exactly up to this many (non-constant) features.
    static let exactFeatureLimit = 14
    /// Permutations averaged above the limit (shap's `LinearExplainer` samples 1,000).
    static let defaultPermutations = 1000
    /// Features whose background variance is at or below this are constant: φ = 0 (shap's
    /// `LinearExplainer` drops the same features before inverting the covariance).
    static let constantVarianceCutoff = 1e-8
    /// When the covariance's smallest eigenvalue is below this it is near-singular, and …
    static let singularEigenvalueCutoff = 1e-7
    /// … this is added to its diagonal, as shap regularises it.
    static let ridge = 1e-6

    /// - Throws: `.input` when the background has fewer than 2 rows, `.numerical` when LAPACK
    ///   cannot factor a covariance block.
    /// - Complexity: O(2^M · M³) exactly (M ≤ `exactFeatureLimit`), else O(permutations · M⁴).
    init(model: LinearModel, background: FeatureBatch, permutations: Int?, seed: UInt64) throws(ShapDriftError) {
        let m = model.numFeatures
        let n = background.rowCount
        guard n >= 2 else {
            throw .input(InputError(file: background.file, "correlation-aware linear SHAP needs at least 2 background rows to estimate covariances"))
        }
        BLASThreading.keepOnCallingThread()
        self.model = model
        means = LinearSHAP.backgroundMeans(background)
        // Unbiased covariance, as numpy's np.cov.
        var centred = background.values
        for row in 0..<n { for j in 0..<m { centred[row * m + j] -= means[j] } }
        var covariance = [Double](repeating: 0, count: m * m)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(m), Int32(n), 1 / Double(n - 1),
                    centred, Int32(m), centred, Int32(m), 0, &covariance, Int32(m))
        let valid = (0..<m).filter { covariance[$0 * m + $0] > Self.constantVarianceCutoff }
        var reduced = [Double](repeating: 0, count: valid.count * valid.count)
        for (a, i) in valid.enumerated() { for (b, j) in valid.enumerated() { reduced[a * valid.count + b] = covariance[i * m + j] } }
        if Self.smallestEigenvalue(reduced, size: valid.count) < Self.singularEigenvalueCutoff {
            for a in 0..<valid.count { reduced[a * valid.count + a] += Self.ridge }
        }
        isExact = valid.count <= Self.exactFeatureLimit
        var xTransforms: [[Double]] = []
        var meanTerms: [[Double]] = []
        for output in 0..<model.numOutputs {
            let coefficients = valid.map { model.coefficients[output * m + $0] }
            let transforms: ([Double], [Double])
            do {
                transforms = isExact
                    ? try Self.exactTransforms(coefficients: coefficients, covariance: reduced)
                    : try Self.sampledTransforms(coefficients: coefficients, covariance: reduced,
                                                 permutations: permutations ?? Self.defaultPermutations, seed: seed)
            } catch {
                throw .numerical(error)
            }
            let (tx, tmu) = transforms
            // Back to all M features: constant features keep zero rows and columns.
            var full = [Double](repeating: 0, count: m * m)
            var constant = [Double](repeating: 0, count: m)
            let k = valid.count
            for (a, i) in valid.enumerated() {
                for (b, j) in valid.enumerated() {
                    full[i * m + j] = tx[a * k + b]
                    constant[i] += tmu[a * k + b] * means[j]
                }
            }
            xTransforms.append(full)
            meanTerms.append(constant)
        }
        self.xTransforms = xTransforms
        self.meanTerms = meanTerms
        baseValues = Self.baseValues(model, means: means)
    }

    static func baseValues(_ model: LinearModel, means: [Double]) -> [Double] {
        (0..<model.numOutputs).map { k in
            model.intercept[k] + (0..<model.numFeatures).reduce(0) { $0 + model.coefficients[k * model.numFeatures + $1] * means[$1] }
        }
    }

    func explain(_ batch: FeatureBatch) -> AttributionBatch {
        let rows = batch.rowCount
        let m = model.numFeatures
        let outputs = model.numOutputs
        var phi = [Double](repeating: 0, count: rows * outputs * m)
        var block = [Double](repeating: 0, count: rows * m)
        for k in 0..<outputs {
            // Φ_k = X·T_xᵀ + 1·(T_μ μ)ᵀ
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(m), Int32(m), 1,
                        batch.values, Int32(m), xTransforms[k], Int32(m), 0, &block, Int32(m))
            for row in 0..<rows {
                for j in 0..<m { phi[(row * outputs + k) * m + j] = block[row * m + j] + meanTerms[k][j] }
            }
        }
        return AttributionBatch(rowCount: rows, numOutputs: outputs, numFeatures: m, values: phi, baseValues: baseValues)
    }

    /// (a_S, b_S) of g_S(x) = a_S·x + b_S·μ: a_S = c_S + q on S, b_S = c on S̄ and −q on S, where
    /// q = Σ_SS⁻¹ Σ_SS̄ c_S̄.
    static func conditionalForm(members: [Int], coefficients c: [Double], covariance: [Double]) throws(NumericalError) -> (a: [Double], b: [Double]) {
        let m = c.count
        var inS = [Bool](repeating: false, count: m)
        for i in members { inS[i] = true }
        var a = [Double](repeating: 0, count: m)
        var b = [Double](repeating: 0, count: m)
        for j in 0..<m where !inS[j] { b[j] = c[j] }
        let size = members.count
        guard size > 0 else { return (a, b) }
        var system = [Double](repeating: 0, count: size * size)
        var rhs = [Double](repeating: 0, count: size)
        for (p, i) in members.enumerated() {
            for (q, j) in members.enumerated() { system[p * size + q] = covariance[i * m + j] }
            for j in 0..<m where !inS[j] { rhs[p] += covariance[i * m + j] * c[j] }
        }
        if size > 0, members.count < m {
            let status = LAPACKE_dposv(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int32(size), 1, &system, Int32(size), &rhs, 1)
            guard status == 0 else {
                throw NumericalError(operation: "LAPACK dposv", "the background covariance is not positive definite (status \(status))")
            }
        } else {
            rhs = [Double](repeating: 0, count: size)
        }
        for (p, i) in members.enumerated() {
            a[i] = c[i] + rhs[p]
            b[i] = -rhs[p]
        }
        return (a, b)
    }

    static func exactTransforms(coefficients c: [Double], covariance: [Double]) throws(NumericalError) -> ([Double], [Double]) {
        let m = c.count
        var forms: [(a: [Double], b: [Double])] = []
        forms.reserveCapacity(1 << m)
        for subset in 0..<(1 << m) {
            forms.append(try conditionalForm(members: (0..<m).filter { subset & (1 << $0) != 0 }, coefficients: c, covariance: covariance))
        }
        var factorial = [1.0]
        for n in 1...max(1, m) { factorial.append(factorial[n - 1] * Double(n)) }
        var tx = [Double](repeating: 0, count: m * m)
        var tmu = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for subset in 0..<(1 << m) where subset & (1 << i) == 0 {
                let size = subset.nonzeroBitCount
                let weight = factorial[size] * factorial[m - size - 1] / factorial[m]
                let with = forms[subset | (1 << i)]
                let without = forms[subset]
                for j in 0..<m {
                    tx[i * m + j] += weight * (with.a[j] - without.a[j])
                    tmu[i * m + j] += weight * (with.b[j] - without.b[j])
                }
            }
        }
        return (tx, tmu)
    }

    static func sampledTransforms(coefficients c: [Double], covariance: [Double], permutations: Int, seed: UInt64) throws(NumericalError) -> ([Double], [Double]) {
        let m = c.count
        var generator = SplitMix64(seed: seed)
        var tx = [Double](repeating: 0, count: m * m)
        var tmu = [Double](repeating: 0, count: m * m)
        var order = Array(0..<m)
        for _ in 0..<max(1, permutations) {
            for i in stride(from: m - 1, to: 0, by: -1) { order.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
            var previous = try conditionalForm(members: [], coefficients: c, covariance: covariance)
            for position in 0..<m {
                let next = try conditionalForm(members: Array(order[...position]), coefficients: c, covariance: covariance)
                let i = order[position]
                for j in 0..<m {
                    tx[i * m + j] += next.a[j] - previous.a[j]
                    tmu[i * m + j] += next.b[j] - previous.b[j]
                }
                previous = next
            }
        }
        let scale = 1 / Double(max(1, permutations))
        return (tx.map { $0 * scale }, tmu.map { $0 * scale })
    }

    /// The smallest eigenvalue of a symmetric matrix (LAPACK `dsyev`).
    static func smallestEigenvalue(_ matrix: [Double], size: Int) -> Double {
        guard size > 0 else { return .infinity }
        var copy = matrix
        var values = [Double](repeating: 0, count: size)
        let status = LAPACKE_dsyev(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "U")), Int32(size), &copy, Int32(size), &values)
        return status == 0 ? values[0] : 0
    }
}
