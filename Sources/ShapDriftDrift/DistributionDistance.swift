import Foundation
import ShapDriftCore

/// The population stability index between two distributions held as `QuantileSketch`es
/// (reported for people used to it; the other distances are `PooledSample`'s).
///
/// Both sketches use the same buckets (fixed by the relative accuracy), so it is computed exactly
/// between the bucketed distributions.
public enum DistributionDistance {
    /// Floor on a bin's proportion in PSI, so an empty bin gives a large but finite term.
    public static let psiFloor = 1e-4

    /// Population stability index over bins cut at the baseline's deciles (duplicate cut points,
    /// from ties, merged): PSI = Σ_bins (c − b)·ln(c/b), proportions floored at `psiFloor`.
    public static func psi(baseline: QuantileSketch, current: QuantileSketch, bins: Int = 10) -> Double {
        guard baseline.count > 0, current.count > 0 else { return 0 }
        var edges: [Double] = []
        for step in 1..<bins {
            if let edge = baseline.quantile(Double(step) / Double(bins)), edges.last != edge { edges.append(edge) }
        }
        func proportions(_ sketch: QuantileSketch) -> [Double] {
            var counts = [Double](repeating: 0, count: edges.count + 1)
            for (value, count) in sketch.distribution {
                var bin = 0
                while bin < edges.count, value > edges[bin] { bin += 1 }
                counts[bin] += Double(count)
            }
            return counts.map { max($0 / Double(sketch.count), psiFloor) }
        }
        let expected = proportions(baseline)
        let observed = proportions(current)
        return zip(expected, observed).reduce(0) { $0 + ($1.1 - $1.0) * log($1.1 / $1.0) }
    }
}
