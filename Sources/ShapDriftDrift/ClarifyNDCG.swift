import Foundation
import ShapDriftCore

/// Feature-attribution drift as SageMaker Clarify scores it: the NDCG of the current ranking of
/// features, with the *baseline* attributions as gains.
///
/// F = features sorted by baseline attribution a(f) (descending), F′ = sorted by current
/// attribution; DCG = Σᵢ a(F′ᵢ)/log₂(i+1), iDCG = Σᵢ a(Fᵢ)/log₂(i+1), NDCG = DCG/iDCG, over all m
/// features (SageMaker Model Monitor, "Monitor feature attribution drift"). Only the order F′
/// comes from the current data. Ties are broken by feature order (model order), as the fixture
/// reference does. 1 means the ranking is unchanged; Clarify alerts below 0.90.
public enum ClarifyNDCG {
    /// - Parameters:
    ///   - baseline: a(f), the baseline attribution of each feature (mean |φ|).
    ///   - current: the current attribution of each feature, same order.
    /// - Returns: NDCG in [0, 1]; 1 when every baseline attribution is zero.
    public static func score(baseline: [Double], current: [Double]) -> Double {
        precondition(baseline.count == current.count)
        let ideal = ranking(baseline)
        let observed = ranking(current)
        var dcg = 0.0
        var idcg = 0.0
        for position in 0..<baseline.count {
            let discount = log2(Double(position + 2))
            dcg += baseline[observed[position]] / discount
            idcg += baseline[ideal[position]] / discount
        }
        return idcg > 0 ? dcg / idcg : 1
    }

    /// Feature indices by descending attribution, ties by index.
    public static func ranking(_ attributions: [Double]) -> [Int] {
        attributions.indices.sorted { attributions[$0] != attributions[$1] ? attributions[$0] > attributions[$1] : $0 < $1 }
    }
}
