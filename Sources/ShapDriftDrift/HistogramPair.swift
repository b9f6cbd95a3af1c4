import Foundation
import ShapDriftCore

/// Two distributions of the same quantity (a feature's φ, or its input values) in the baseline
/// and the current data, as shares of their finite values on shared bins: what a report carries
/// to draw the two distributions over each other, in place of rows.
///
/// The bins span the 0.5 % to 99.5 % quantiles of both samples together (from their DDSketches),
/// in `bins` equal widths; values beyond that span count in the end bins, so the shares of each
/// side add up to 1 and a long tail does not squeeze the body of the distribution into one bin.
/// Each sketch bucket is placed by its representative value, which is within the sketch's
/// relative accuracy (1 %) of every value it holds.
public struct HistogramPair: Codable, Equatable, Sendable {
    /// The bins a report's histograms have.
    public static let defaultBins = 24
    /// The quantiles the bins span (of both samples together).
    static let span = (lower: 0.005, upper: 0.995)

    /// `bins + 1` increasing bin edges.
    public var edges: [Double]
    /// Share of the baseline's finite values in each bin (all 0 when it had none).
    public var baseline: [Double]
    /// Share of the current data's finite values in each bin.
    public var current: [Double]

    public init(edges: [Double], baseline: [Double], current: [Double]) {
        self.edges = edges
        self.baseline = baseline
        self.current = current
    }

    /// The histograms of two sketches on shared bins.
    /// - Complexity: O(sketch buckets + bins).
    public init(baseline: QuantileSketch, current: QuantileSketch, bins: Int = HistogramPair.defaultBins) {
        let bins = max(1, bins)
        let lows = [baseline, current].compactMap { $0.quantile(Self.span.lower) }
        let highs = [baseline, current].compactMap { $0.quantile(Self.span.upper) }
        var low = lows.min() ?? 0
        var high = highs.max() ?? 1
        if !(high > low) {
            // One value (or none): a bin of ±1 % around it (±0.5 around zero).
            let pad = low == 0 ? 0.5 : abs(low) * 0.01
            low -= pad
            high += pad
        }
        let width = (high - low) / Double(bins)
        edges = (0...bins).map { $0 == bins ? high : low + Double($0) * width }
        func shares(_ sketch: QuantileSketch) -> [Double] {
            var counts = [UInt64](repeating: 0, count: bins)
            for (value, count) in sketch.distribution {
                let position = ((value - low) / width).rounded(.down)
                let index = position.isFinite ? Int(min(max(position, 0), Double(bins - 1))) : 0
                counts[index] += count
            }
            let total = Double(counts.reduce(0, +))
            return counts.map { total > 0 ? Double($0) / total : 0 }
        }
        self.baseline = shares(baseline)
        self.current = shares(current)
    }
}
