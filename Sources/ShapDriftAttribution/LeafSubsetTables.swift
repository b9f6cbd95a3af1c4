import ShapDriftCore

/// Per-leaf tables that turn path-dependent TreeSHAP for short paths into lookups: the idea of
/// Fast TreeSHAP v2 (Yang 2021, "Fast TreeSHAP: Accelerating SHAP Value Computation for Trees":
/// precompute per leaf over the subsets of its path features, reuse across rows), in a smaller
/// form derived from the quadrature identity.
///
/// For a leaf with value v, k unique path features with zero fractions z_j, and a row that agrees
/// with the path on the subset Q of them (one fraction o_j = 1 for j ∈ Q, else 0), the Owen
/// integral of the product game (see `QuadratureTreeSHAP`) splits into a factor that depends on
/// Q only and one that depends on Q without the feature itself:
///
///     Z(Q) = Π_{j∉Q} z_j,   J(R) = ∫₀¹ (1 − t)^{k−|R|−1} · Π_{j∈R} (t + (1 − t)·z_j) dt,
///     φ_i = v·Z(Q)·(1 − z_i)·J(Q∖{i})   for i ∈ Q,
///     φ_i = −v·Z(Q)·J(Q)                 for i ∉ Q (the same for every such feature).
///
/// So two numbers per subset (2^k pairs per leaf, not the paper's k·2^k) make a leaf's k
/// contributions k multiply-adds per row. J is integrated exactly by a ⌈k/2⌉-point Gauss–Legendre
/// rule (its integrand has degree k − 1), and both factors are built over the subsets in
/// increasing order, each from the subset without its lowest element: one vector product per
/// entry, no divisions, so zero covers need no special case.
///
/// Tables are built per tree into a worker's scratch and reused by every row of its block, so
/// memory stays at one tree's tables per worker however large the model.
enum LeafSubsetTables {
    /// Paths longer than this are integrated per row: the table (2^k pairs) would outgrow the
    /// caches and cost more to build than the rows of a block save.
    static let maximumLimit = 14

    /// Table entries one tree may use (16 bytes each: 16 MiB per worker); a tree's leaves past
    /// this are integrated per row, so very large trees cannot exhaust memory.
    static let treeBudget = 1 << 20

    /// Fills `table[2·(offset + Q)]` with Z(Q) and `table[2·(offset + Q) + 1]` with J(Q) for
    /// every subset Q of the leaf's k features (J of the full set, never read, is 0).
    ///
    /// - Parameters:
    ///   - zeros: the leaf's k zero fractions, in slot order.
    ///   - products: scratch for 2^k · chunks vectors; `subsetZero`: scratch for 2^k values.
    ///
    /// Indices are below 2^k · chunks with k ≤ `maximumLimit` (the caller sized the scratch), so
    /// their arithmetic wraps (`&*`, `&+`) rather than checking for an overflow that cannot happen.
    static func build(zeros: UnsafePointer<Double>, count k: Int, ruleNode: UnsafePointer<SIMD4<Double>>,
                      ruleWeight: UnsafePointer<SIMD4<Double>>, chunks: Int, weightedPowers: UnsafeMutablePointer<SIMD4<Double>>,
                      products: UnsafeMutablePointer<SIMD4<Double>>, subsetZero: UnsafeMutablePointer<Double>,
                      into table: UnsafeMutablePointer<Double>) {
        let subsets = 1 << k
        let full = subsets - 1
        // weightedPowers[e·chunks + c] = w·(1 − t)^e at the rule's nodes.
        for chunk in 0..<chunks {
            var power = ruleWeight[chunk]
            let complement = 1 - ruleNode[chunk]
            for exponent in 0..<k {
                weightedPowers[exponent &* chunks &+ chunk] = power
                power *= complement
            }
        }
        for chunk in 0..<chunks { products[chunk] = SIMD4(repeating: 1) }
        subsetZero[0] = 1
        for subset in 1..<subsets {
            let lowest = subset.trailingZeroBitCount
            let rest = subset & (subset - 1)
            let z = zeros[lowest]
            subsetZero[subset] = subsetZero[rest] * z
            for chunk in 0..<chunks {
                let t = ruleNode[chunk]
                products[subset &* chunks &+ chunk] = products[rest &* chunks &+ chunk] * (t + (1 - t) * z)
            }
        }
        for subset in 0..<subsets {
            table[subset &<< 1] = subsetZero[full ^ subset]
            var integral = 0.0
            if subset != full {
                let exponent = k &- subset.nonzeroBitCount &- 1
                var sum = SIMD4<Double>(repeating: 0)
                for chunk in 0..<chunks { sum += products[subset &* chunks &+ chunk] * weightedPowers[exponent &* chunks &+ chunk] }
                integral = sum.sum()
            }
            table[(subset &<< 1) &+ 1] = integral
        }
    }
}
