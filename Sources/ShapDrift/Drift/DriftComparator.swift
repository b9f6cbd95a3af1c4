import Foundation

/// How per-row attributions become a feature's global attribution (SageMaker Clarify's
/// `agg_method`): the value NDCG and the ranks use.
public enum AttributionAggregation: String, Codable, Sendable, CaseIterable {
    /// Mean |φ| (Clarify's default).
    case meanAbs = "mean_abs"
    /// Median |φ| (from the sketch, within its relative accuracy).
    case median
    /// Mean φ².
    case meanSq = "mean_sq"

    public func globalAttribution(_ summary: StreamSummary) -> Double {
        switch self {
        case .meanAbs: return summary.meanAbs
        case .median: return summary.sketch.magnitudeQuantile(0.5) ?? 0
        case .meanSq: return summary.meanSquare
        }
    }
}

/// The thresholds a check applies; defaults are documented in `docs/drift.md`.
public struct DriftThresholds: Codable, Equatable, Sendable {
    /// Drift when NDCG falls below this (SageMaker Clarify's default).
    public var ndcg = 0.90
    /// A feature breaches when its shift (Wasserstein-1 of its φ distribution / total baseline
    /// mean |φ| of the output) reaches this …
    public var featureShift = 0.05
    /// … and its PSI over baseline-decile bins reaches this.
    public var psi = 0.20

    public init(ndcg: Double = 0.90, featureShift: Double = 0.05, psi: Double = 0.20) {
        self.ndcg = ndcg
        self.featureShift = featureShift
        self.psi = psi
    }

    enum CodingKeys: String, CodingKey { case ndcg, featureShift = "feature_shift", psi }
}

/// How one feature's attributions moved between the baseline and the current data.
public struct FeatureShift: Codable, Equatable, Sendable {
    public var name: String
    public var output: Int
    public var baselineMeanAbsShap: Double
    public var currentMeanAbsShap: Double
    /// mean |φ| of the feature / Σ over features of mean |φ|.
    public var baselineShare: Double
    public var currentShare: Double
    public var baselineRank: Int
    public var currentRank: Int
    /// baseline rank − current rank: positive when the feature moved up.
    public var rankChange: Int
    public var baselineMeanShap: Double
    public var currentMeanShap: Double
    /// The mean φ changed sign: the feature now pushes predictions the other way on average.
    public var signFlip: Bool
    public var wasserstein: Double
    public var psi: Double
    /// Wasserstein-1 / total baseline mean |φ|: the fraction of the model's attribution mass that
    /// moved. Features are ranked by it.
    public var shift: Double
    public var breached: Bool

    enum CodingKeys: String, CodingKey {
        case name, output, baselineMeanAbsShap = "baseline_mean_abs_shap", currentMeanAbsShap = "current_mean_abs_shap"
        case baselineShare = "baseline_share", currentShare = "current_share", baselineRank = "baseline_rank"
        case currentRank = "current_rank", rankChange = "rank_change", baselineMeanShap = "baseline_mean_shap"
        case currentMeanShap = "current_mean_shap", signFlip = "sign_flip", wasserstein, psi, shift, breached
    }
}

/// The result for one model output.
public struct OutputDrift: Codable, Equatable, Sendable {
    public var output: Int
    public var label: String
    public var ndcg: Double
    /// Bootstrap percentile interval of NDCG (2.5 %, 97.5 %); `nil` without replicates.
    public var ndcgInterval: [Double]?
    public var intervalStraddlesThreshold: Bool?
    public var ndcgBelowThreshold: Bool
    public var baselineExpectedValue: Double
    public var driftDetected: Bool
    /// Sorted by shift, largest first.
    public var features: [FeatureShift]

    enum CodingKeys: String, CodingKey {
        case output, label, ndcg, ndcgInterval = "ndcg_interval", intervalStraddlesThreshold = "interval_straddles_threshold"
        case ndcgBelowThreshold = "ndcg_below_threshold", baselineExpectedValue = "baseline_expected_value"
        case driftDetected = "drift_detected", features
    }
}

/// Everything a check found: the content of `report.json` (schema in `docs/report.md`).
public struct DriftReport: Codable, Equatable, Sendable {
    public static let schemaVersion = 1

    public var schemaVersion = DriftReport.schemaVersion
    public var verdict: String
    public var driftDetected: Bool
    /// The lowest NDCG over the outputs.
    public var ndcg: Double
    public var ndcgInterval: [Double]?
    public var intervalStraddlesThreshold: Bool?
    public var threshold: Double
    public var thresholds: DriftThresholds
    public var rows: UInt64
    public var baselineRows: UInt64
    public var bootstrapReplicates: Int
    public var bootstrapSeed: UInt64
    /// How global attributions (NDCG's gains, the ranks) were aggregated from per-row values.
    public var aggregation: AttributionAggregation
    public var model: ProfileIdentity
    public var breachedFeatures: [String]
    /// Every feature once, at the output where it shifted most, sorted by shift.
    public var features: [FeatureShift]
    public var outputs: [OutputDrift]
    public var note: String

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", verdict, driftDetected = "drift_detected", ndcg, ndcgInterval = "ndcg_interval"
        case intervalStraddlesThreshold = "interval_straddles_threshold", threshold, thresholds, rows
        case baselineRows = "baseline_rows", bootstrapReplicates = "bootstrap_replicates", bootstrapSeed = "bootstrap_seed", aggregation
        case model, breachedFeatures = "breached_features", features, outputs, note
    }
}

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

    public func compare(baseline: AttributionProfile, current: AttributionProfile, bootstrap: PoissonBootstrap?) -> DriftReport {
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
            var interval: [Double]? = nil
            // The streaming bootstrap keeps weighted sums of |φ|, so it serves mean_abs only.
            if let bootstrap, bootstrap.replicates > 0, aggregation == .meanAbs {
                let scores = (0..<bootstrap.replicates).map { replicate in
                    ClarifyNDCG.score(baseline: baseMeans, current: bootstrap.meanAbsolute(replicate: replicate, output: output, features: names.count))
                }.sorted()
                interval = [Self.percentile(scores, 0.025), Self.percentile(scores, 0.975)]
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
                intervalStraddlesThreshold: interval.map { $0[0] < thresholds.ndcg && thresholds.ndcg <= $0[1] },
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
        return DriftReport(
            verdict: drift ? "drift" : "no_drift", driftDetected: drift, ndcg: worst.ndcg, ndcgInterval: worst.ndcgInterval,
            intervalStraddlesThreshold: worst.intervalStraddlesThreshold, threshold: thresholds.ndcg, thresholds: thresholds,
            rows: current.rows, baselineRows: baseline.rows,
            bootstrapReplicates: aggregation == .meanAbs ? bootstrap?.replicates ?? 0 : 0,
            bootstrapSeed: bootstrap?.seed ?? 0, aggregation: aggregation, model: baseline.identity,
            breachedFeatures: features.filter(\.breached).map(\.name), features: features, outputs: outputs,
            note: "A drift finding means investigate: look at the breached features and the data feeding them. It is not a reason to retrain or roll back automatically.")
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
