import ShapDriftCore

/// Two samples held as counts over one increasing support: the pooled values of a baseline and a
/// current sample, with how many of each sample took each value.
///
/// Built from two `QuantileSketch`es (through their public `distribution`), the support is the
/// union of their buckets' representative values: the bucketed samples, which is what every
/// test and distance here compares. Sketches of the same relative accuracy share their bucket
/// boundaries, so equal buckets have equal representatives and align exactly.
public struct PooledSample: Sendable, Equatable {
    /// The support, strictly increasing.
    public let values: [Double]
    /// Baseline count at each value.
    public let baseline: [Double]
    /// Current count at each value.
    public let current: [Double]
    public let baselineTotal: Double
    public let currentTotal: Double

    /// - Precondition: `values` strictly increasing; the three arrays of equal length; counts ≥ 0.
    public init(values: [Double], baseline: [Double], current: [Double]) {
        precondition(values.count == baseline.count && values.count == current.count)
        self.values = values
        self.baseline = baseline
        self.current = current
        baselineTotal = baseline.reduce(0, +)
        currentTotal = current.reduce(0, +)
    }

    /// The bucketed baseline and current samples of two sketches, aligned.
    /// - Complexity: O(buckets of both).
    public init(baseline: QuantileSketch, current: QuantileSketch) {
        let left = baseline.distribution
        let right = current.distribution
        var values: [Double] = []
        var counts: ([Double], [Double]) = ([], [])
        values.reserveCapacity(left.count + right.count)
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            let x = Swift.min(i < left.count ? left[i].value : .infinity, j < right.count ? right[j].value : .infinity)
            var a = 0.0
            var b = 0.0
            if i < left.count, left[i].value == x {
                a = Double(left[i].count)
                i += 1
            }
            if j < right.count, right[j].value == x {
                b = Double(right[j].count)
                j += 1
            }
            values.append(x)
            counts.0.append(a)
            counts.1.append(b)
        }
        self.init(values: values, baseline: counts.0, current: counts.1)
    }

    /// Pooled count at each value.
    public var pooled: [Double] { zip(baseline, current).map { $0 + $1 } }

    /// The midrank of each value in the pooled sample (ties share the mean of their ranks):
    /// the scores of the Wilcoxon–Mann–Whitney rank-sum statistic.
    public var midranks: [Double] {
        var below = 0.0
        return pooled.map { count in
            defer { below += count }
            return below + (count + 1) / 2
        }
    }

    /// Kolmogorov–Smirnov distance: the largest gap between the two empirical CDFs, in [0, 1].
    /// - Complexity: O(support).
    public var kolmogorovDistance: Double {
        guard baselineTotal > 0, currentTotal > 0 else { return 0 }
        var a = 0.0
        var b = 0.0
        var largest = 0.0
        for index in values.indices {
            a += baseline[index]
            b += current[index]
            largest = Swift.max(largest, abs(a / baselineTotal - b / currentTotal))
        }
        return Swift.min(largest, 1)
    }

    /// Wasserstein-1 distance between the two samples: ∫ |F_baseline − F_current| dx.
    /// - Complexity: O(support).
    public var wasserstein1: Double {
        guard baselineTotal > 0, currentTotal > 0, values.count > 1 else { return 0 }
        var a = 0.0
        var b = 0.0
        var distance = 0.0
        for index in 0..<(values.count - 1) {
            a += baseline[index]
            b += current[index]
            distance += abs(a / baselineTotal - b / currentTotal) * (values[index + 1] - values[index])
        }
        return distance
    }

    /// Two-sided p-value of the permutation test of the rank-sum (Wilcoxon–Mann–Whitney)
    /// statistic, ties at midranks (`PermutationTest`).
    public var rankSumPValue: Double {
        PermutationTest.twoSidedPValue(scores: midranks, pooled: pooled, current: current)
    }

    /// Two-sided p-value of the permutation test of the difference in means of `score(value)`
    /// (e.g. |value| for the mean magnitude) between the samples (`PermutationTest`).
    public func meanPValue(score: (Double) -> Double) -> Double {
        PermutationTest.twoSidedPValue(scores: values.map(score), pooled: pooled, current: current)
    }
}
