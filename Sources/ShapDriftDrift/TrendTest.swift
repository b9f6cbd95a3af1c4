import Foundation

/// The Mann–Kendall test for a monotonic trend in a series in time order (Mann 1945, Kendall
/// 1975), one-sided for a decline, with Sen's slope (Sen 1968) as its size: what `shapdrift
/// history` runs on the NDCG of a run of checks, to see a slow drift that no single check
/// breached.
///
/// S = Σ_{i<j} sign(x_j − x_i). Under the null hypothesis — the values are exchangeable (e.g.
/// independent checks of the same unchanged traffic against one baseline) — every order is
/// equally likely; the p-value of a decline is P(S ≤ s). Without ties it is exact: S = P − Q
/// where Q, the number of discordant pairs, is distributed as the inversions of a random
/// permutation (Mahonian numbers, by the recurrence over n). With ties, the normal approximation
/// with the tie-corrected variance n(n−1)(2n+5)/18 − Σ t(t−1)(2t+5)/18 and a continuity
/// correction. A decline is flagged when p ≤ `alpha` and Sen's slope is negative: the
/// false-alarm rate is at most `alpha` over series of exchangeable values (measured in the
/// tests), whatever their distribution.
public struct TrendTest: Equatable, Sendable {
    /// The level of `declining`.
    public static let alpha = 0.05
    /// Fewest points the test runs on (with 3, the smallest one-sided p-value is 1/6).
    public static let minimumCount = 4
    /// The largest series whose p-value is exact (the table is O(n³) to build).
    static let exactLimit = 60

    public var count: Int
    /// Mann–Kendall's S.
    public var statistic: Int
    /// P(S ≤ observed) under no trend.
    public var pValue: Double
    /// Whether the p-value is exact (no ties, n ≤ `exactLimit`) or the normal approximation.
    public var exact: Bool
    /// Sen's slope: the median of (x_j − x_i) / (j − i) over i < j, per step of the series.
    public var slope: Double
    /// p ≤ `alpha` and a negative slope.
    public var declining: Bool

    /// The test of `values` (oldest first); `nil` for fewer than `minimumCount` values.
    /// - Complexity: O(n²) (O(n³) once for the exact table).
    public init?(_ values: [Double], alpha: Double = TrendTest.alpha) {
        let n = values.count
        guard n >= Self.minimumCount else { return nil }
        var s = 0
        var slopes: [Double] = []
        for i in 0..<n {
            for j in (i + 1)..<n {
                s += values[j] > values[i] ? 1 : values[j] < values[i] ? -1 : 0
                slopes.append((values[j] - values[i]) / Double(j - i))
            }
        }
        slopes.sort()
        let middle = slopes.count / 2
        slope = slopes.count % 2 == 1 ? slopes[middle] : (slopes[middle - 1] + slopes[middle]) / 2
        count = n
        statistic = s
        let ties = Dictionary(grouping: values, by: { $0 }).values.map(\.count).filter { $0 > 1 }
        if ties.isEmpty, n <= Self.exactLimit {
            exact = true
            // S = pairs − 2Q, with Q the discordant pairs: S ≤ s ⇔ Q ≥ (pairs − s) / 2.
            let pairs = n * (n - 1) / 2
            let counts = Self.inversionCounts(n)
            let total = counts.reduce(0, +)
            let least = (pairs - s) / 2
            pValue = min(1, counts[least...].reduce(0, +) / total)
        } else {
            exact = false
            let tieTerm = ties.reduce(0.0) { $0 + Double($1 * ($1 - 1) * (2 * $1 + 5)) }
            let variance = (Double(n * (n - 1) * (2 * n + 5)) - tieTerm) / 18
            let z = variance > 0 ? (Double(s) + (s < 0 ? 1 : s > 0 ? -1 : 0)) / variance.squareRoot() : 0
            pValue = 0.5 * erfc(-z / 2.squareRoot())
        }
        declining = pValue <= alpha && slope < 0
    }

    /// How many permutations of n items have k inversions, k = 0…n(n−1)/2, as Doubles (exact to
    /// 2⁵³; beyond, relative rounding only).
    static func inversionCounts(_ n: Int) -> [Double] {
        var counts: [Double] = [1]
        for size in 1..<max(1, n) {
            var next = [Double](repeating: 0, count: counts.count + size)
            for (k, value) in counts.enumerated() {
                for extra in 0...size { next[k + extra] += value }
            }
            counts = next
        }
        return counts
    }
}
