import ShapDriftCore

/// Holm's step-down procedure (Holm, "A simple sequentially rejective multiple test procedure",
/// Scandinavian Journal of Statistics 6, 1979): rejects hypotheses so that the probability of
/// rejecting any true one — the family-wise error rate — is at most α, for any dependence
/// between the tests. Uniformly more powerful than Bonferroni.
public enum HolmProcedure {
    /// Holm-adjusted p-values, in the order given: hypothesis i is rejected at level α exactly
    /// when `adjusted[i] ≤ α`. With p₍₁₎ ≤ … ≤ p₍ₘ₎, adjusted p₍ᵢ₎ = max over k ≤ i of
    /// min(1, (m − k + 1)·p₍ₖ₎).
    /// - Complexity: O(m log m).
    public static func adjusted(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] != pValues[$1] ? pValues[$0] < pValues[$1] : $0 < $1 }
        var result = [Double](repeating: 1, count: m)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = Swift.max(running, Swift.min(1, Double(m - rank) * pValues[index]))
            result[index] = running
        }
        return result
    }
}
