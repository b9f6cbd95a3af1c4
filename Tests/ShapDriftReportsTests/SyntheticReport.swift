import Foundation
import ShapDriftCore
import ShapDriftDrift

/// Reports of made-up attributions, for the writers' tests: `features` features and `outputs`
/// outputs, φ of feature j drawn around a scale that falls with j, and in the current sample the
/// features in `shifted` scaled up fivefold (so they breach), computed by the real comparator
/// from real profiles, so every number in the report is one a check could produce.
enum SyntheticReport {
    static func names(_ count: Int) -> [String] { (0..<count).map { "feature_\($0)" } }

    static func profile(identity: ProfileIdentity, rows: Int, seed: UInt64, shifted: Set<Int>) -> AttributionProfile {
        let features = identity.featureNames.count
        let outputs = identity.numOutputs
        var random = SplitMix64(seed: seed)
        var values: [Double] = []
        var phi: [Double] = []
        for _ in 0..<rows {
            for feature in 0..<features { values.append(random.nextUnit() * 10 + (shifted.contains(feature) ? 20 : 0)) }
            for _ in 0..<outputs {
                for feature in 0..<features {
                    let scale = 1 / Double(feature + 1) * (shifted.contains(feature) ? 5 : 1)
                    phi.append((random.nextUnit() - 0.4) * scale)
                }
            }
        }
        var profile = AttributionProfile(identity: identity, baseValues: (0..<outputs).map { -0.5 + Double($0) })
        profile.add(FeatureBatch(numFeatures: features, rows: values),
                    AttributionBatch(rowCount: rows, numOutputs: outputs, numFeatures: features, values: phi,
                                     baseValues: (0..<outputs).map { -0.5 + Double($0) }))
        return profile
    }

    /// The report of a check whose `shifted` features moved, as `DriftMonitor` builds it.
    static func make(features: Int = 8, outputs: Int = 1, shifted: Set<Int> = [3, 5], rows: Int = 400,
                     names: [String]? = nil) -> (report: DriftReport, current: AttributionProfile) {
        let identity = ProfileIdentity(modelSHA256: String(repeating: "ab", count: 32), modelFormat: .inMemory, objective: "binary:logistic",
                                       transform: .logistic, featureNames: names ?? Self.names(features), method: .treePathDependent,
                                       outputSpace: .raw, numOutputs: outputs)
        let baseline = profile(identity: identity, rows: rows * 2, seed: 1, shifted: [])
        let current = profile(identity: identity, rows: rows, seed: 2, shifted: shifted)
        var report = DriftComparator().compare(baseline: baseline, current: current, bootstrap: nil)
        report.distributions = ReportDistributions(report: report, baseline: baseline, current: current)
        return (report, current)
    }
}
