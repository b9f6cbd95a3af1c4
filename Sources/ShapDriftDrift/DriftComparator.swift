import Foundation
import ShapDriftCore

/// Compares a current profile with the baseline and decides.
///
/// Verdict: drift when, for any output, NDCG < `thresholds.ndcg` or any feature breaches
/// (shift ≥ `featureShift` and PSI ≥ `psi`). Features are ranked by shift — how far the
/// feature's own φ distribution moved, as a fraction of the output's total attribution — not by
/// their change of share, because when one feature's attribution grows every other share shrinks
/// without any change in those features' behaviour.
public struct DriftComparator: Sendable {
    public let thresholds: DriftThresholds
    public let aggregation: AttributionAggregation

    public init(thresholds: DriftThresholds = DriftThresholds(), aggregation: AttributionAggregation = .meanAbs) {
        self.thresholds = thresholds
        self.aggregation = aggregation
    }

    /// Compares `current` with `baseline`; the NDCG interval comes from `current`'s bootstrap
    /// when it has one, and the report's `records` from what reading it found.
    /// - Precondition: the profiles have the same identity (`ProfileIdentity.mismatch` is `nil`).
    /// - Complexity: O(outputs × (features × sketch buckets + replicates × features log features)).
    public func compare(baseline: AttributionProfile, current: AttributionProfile) -> DriftReport {
        let bootstrap = current.bootstrap
        let names = baseline.identity.featureNames
        var outputs: [OutputDrift] = []
        for output in 0..<baseline.outputs.count {
            let base = baseline.outputs[output].features
            let now = current.outputs[output].features
            let baseMeans = base.map(\.meanAbs)
            let currentMeans = now.map(\.meanAbs)
            let baseGlobal = base.map(aggregation.globalAttribution)
            let currentGlobal = now.map(aggregation.globalAttribution)
            let ndcg = ClarifyNDCG.score(baseline: baseGlobal, current: currentGlobal)
            var interval: ConfidenceInterval? = nil
            // The streaming bootstrap keeps weighted sums of |φ|, so it serves mean_abs only.
            if let bootstrap, bootstrap.replicates > 0, aggregation == .meanAbs {
                let scores = (0..<bootstrap.replicates).map { replicate in
                    ClarifyNDCG.score(baseline: baseMeans, current: bootstrap.meanAbsolute(replicate: replicate, output: output, features: names.count))
                }.sorted()
                interval = ConfidenceInterval(lower: Self.percentile(scores, 0.025), upper: Self.percentile(scores, 0.975), level: 0.95)
            }
            let baseTotal = baseMeans.reduce(0, +)
            let currentTotal = currentMeans.reduce(0, +)
            let baseRanks = Self.ranks(baseGlobal)
            let currentRanks = Self.ranks(currentGlobal)
            var features: [FeatureShift] = []
            for (index, name) in names.enumerated() {
                let wasserstein = DistributionDistance.wasserstein1(base[index].sketch, now[index].sketch)
                let psi = DistributionDistance.psi(baseline: base[index].sketch, current: now[index].sketch)
                let shift = baseTotal > 0 ? wasserstein / baseTotal : 0
                features.append(FeatureShift(
                    name: name, output: output, baselineMeanAbsShap: baseMeans[index], currentMeanAbsShap: currentMeans[index],
                    baselineShare: baseTotal > 0 ? baseMeans[index] / baseTotal : 0,
                    currentShare: currentTotal > 0 ? currentMeans[index] / currentTotal : 0,
                    baselineRank: baseRanks[index], currentRank: currentRanks[index],
                    rankChange: baseRanks[index] - currentRanks[index],
                    baselineMeanShap: base[index].mean, currentMeanShap: now[index].mean,
                    signFlip: base[index].mean * now[index].mean < 0,
                    wasserstein: wasserstein, psi: psi, shift: shift,
                    breached: shift >= thresholds.featureShift && psi >= thresholds.psi))
            }
            features.sort(by: Self.byShift)
            let below = ndcg < thresholds.ndcg
            outputs.append(OutputDrift(
                output: output, label: "label\(output)", ndcg: ndcg, ndcgInterval: interval,
                intervalStraddlesThreshold: interval.map { $0.straddles(thresholds.ndcg) },
                ndcgBelowThreshold: below, baselineExpectedValue: baseline.outputs[output].baseValue,
                driftDetected: below || features.contains(where: \.breached), features: features))
        }
        let worst = outputs.min { $0.ndcg < $1.ndcg } ?? outputs[0]
        var strongest: [String: FeatureShift] = [:]
        for feature in outputs.flatMap(\.features) where (strongest[feature.name]?.shift ?? -1) < feature.shift {
            strongest[feature.name] = feature
        }
        let features = names.compactMap { strongest[$0] }.sorted(by: Self.byShift)
        let drift = outputs.contains(where: \.driftDetected)
        var report = DriftReport(
            verdict: drift ? .drift : .noDrift, driftDetected: drift, ndcg: worst.ndcg, ndcgInterval: worst.ndcgInterval,
            intervalStraddlesThreshold: worst.intervalStraddlesThreshold, threshold: thresholds.ndcg, thresholds: thresholds,
            rows: current.rows, baselineRows: baseline.rows,
            bootstrapReplicates: aggregation == .meanAbs ? bootstrap?.replicates ?? 0 : 0,
            bootstrapSeed: bootstrap?.seed ?? 0, aggregation: aggregation, model: baseline.identity,
            breachedFeatures: features.filter(\.breached).map(\.name), features: features, outputs: outputs,
            note: "A drift finding means investigate: look at the breached features and the data feeding them. It is not a reason to retrain or roll back automatically.")
        report.sampling = SamplingSummary(baseline: baseline, current: current)
        report.records = current.records
        return report
    }

    /// Largest shift first; ties by PSI, then by name.
    static func byShift(_ a: FeatureShift, _ b: FeatureShift) -> Bool {
        if a.shift != b.shift { return a.shift > b.shift }
        if a.psi != b.psi { return a.psi > b.psi }
        return a.name < b.name
    }

    /// 1-based rank of each feature by descending value, ties by feature order.
    static func ranks(_ values: [Double]) -> [Int] {
        var ranks = [Int](repeating: 0, count: values.count)
        for (position, index) in ClarifyNDCG.ranking(values).enumerated() { ranks[index] = position + 1 }
        return ranks
    }

    /// Linear-interpolation percentile of sorted values.
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
