import Foundation
import ShapDriftCore

/// The distributions a report draws for its breached features, summarised so that the report
/// can be rendered again from `report.json` alone (`shapdrift report DIR`) and never carries a
/// row: per breached feature and output, its φ histogram pair; per breached feature, its input
/// values' histogram pair and missing rates (`docs/report.md`, `distributions`).
///
/// At most `maxFeaturesPerOutput` features per output (those with the largest shift) and
/// `maxFeatures` in all, so a wide model whose every feature breached still gives a small report;
/// the ranked table has the numbers of the rest.
public struct ReportDistributions: Codable, Equatable, Sendable {
    public static let maxFeaturesPerOutput = 8
    public static let maxFeatures = 16

    /// Bins per histogram.
    public var bins: Int
    /// φ of a feature for one output, baseline → current.
    public var attributions: [Attribution]
    /// A feature's input values, baseline → current.
    public var values: [Values]

    public struct Attribution: Codable, Equatable, Sendable {
        public var name: String
        public var output: Int
        public var histogram: HistogramPair
    }

    public struct Values: Codable, Equatable, Sendable {
        public var name: String
        public var histogram: HistogramPair
        /// Missing values / all values, in each sample.
        public var baselineMissingRate: Double
        public var currentMissingRate: Double

        enum CodingKeys: String, CodingKey {
            case name, histogram, baselineMissingRate = "baseline_missing_rate", currentMissingRate = "current_missing_rate"
        }
    }

    /// The distributions of `report`'s breached features, from the profiles it was computed from.
    /// - Complexity: O(breached features × (sketch buckets + bins)).
    public init(report: DriftReport, baseline: AttributionProfile, current: AttributionProfile, bins: Int = HistogramPair.defaultBins) {
        self.bins = bins
        let names = baseline.identity.featureNames
        var chosen: [(output: Int, feature: Int)] = []
        for output in report.outputs {
            for shift in output.features.filter(\.breached).prefix(Self.maxFeaturesPerOutput) {
                if chosen.count < Self.maxFeatures, let index = names.firstIndex(of: shift.name) { chosen.append((output.output, index)) }
            }
        }
        attributions = chosen.map { pick in
            Attribution(name: names[pick.feature], output: pick.output,
                        histogram: HistogramPair(baseline: baseline.outputs[pick.output].features[pick.feature].sketch,
                                                 current: current.outputs[pick.output].features[pick.feature].sketch, bins: bins))
        }
        var seen = Set<Int>()
        values = chosen.compactMap { pick in
            guard seen.insert(pick.feature).inserted else { return nil }
            let before = baseline.featureValues[pick.feature]
            let now = current.featureValues[pick.feature]
            func missingRate(_ summary: StreamSummary) -> Double {
                let all = summary.count + summary.missing
                return all > 0 ? Double(summary.missing) / Double(all) : 0
            }
            return Values(name: names[pick.feature], histogram: HistogramPair(baseline: before.sketch, current: now.sketch, bins: bins),
                          baselineMissingRate: missingRate(before), currentMissingRate: missingRate(now))
        }
    }
}
