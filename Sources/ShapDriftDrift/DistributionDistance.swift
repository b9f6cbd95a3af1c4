import Foundation
import ShapDriftCore

/// Distances between two distributions held as `QuantileSketch`es.
///
/// Both sketches use the same buckets (fixed by the relative accuracy), so the distances are
/// computed exactly between the bucketed distributions: the error against the raw samples is
/// bounded by the sketch's relative accuracy.
public enum DistributionDistance {
    /// Wasserstein-1 (earth mover's) distance: ∫ |F_a(x) − F_b(x)| dx over the merged support.
    public static func wasserstein1(_ a: QuantileSketch, _ b: QuantileSketch) -> Double {
        guard a.count > 0, b.count > 0 else { return 0 }
        let left = a.distribution
        let right = b.distribution
        let totalA = Double(a.count)
        let totalB = Double(b.count)
        var i = 0
        var j = 0
        var cdfA = 0.0
        var cdfB = 0.0
        var previous: Double? = nil
        var distance = 0.0
        while i < left.count || j < right.count {
            let x = min(i < left.count ? left[i].value : .infinity, j < right.count ? right[j].value : .infinity)
            if let previous { distance += abs(cdfA - cdfB) * (x - previous) }
            while i < left.count, left[i].value == x {
                cdfA += Double(left[i].count) / totalA
                i += 1
            }
            while j < right.count, right[j].value == x {
                cdfB += Double(right[j].count) / totalB
                j += 1
            }
            previous = x
        }
        return distance
    }

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
