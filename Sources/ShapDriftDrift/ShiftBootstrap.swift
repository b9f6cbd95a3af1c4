import ShapDriftCore

/// An interval for a feature's `shift` (Wasserstein-1 between its baseline and current
/// attributions over the output's attribution mass) by resampling both samples.
///
/// Each replicate redraws every bucket count of both samples as Poisson(count) — the Poisson
/// bootstrap (Hanley & MacGibbon 2006), applied to the bucketed samples the sketches hold, so both
/// samples' noise enters — and recomputes the distance; the attribution mass it is divided by is
/// held at its observed value. W1 is never negative and sampling noise alone makes it positive,
/// so the percentile interval would sit above the truth; the basic (reverse-percentile)
/// interval [2ŵ − q₀.₉₇₅, 2ŵ − q₀.₀₂₅] corrects that first-order bias (Davison & Hinkley,
/// "Bootstrap methods and their application", 1997, §5.2), clamped to [0, 1]. Judge whether a
/// shift is more than noise by its p-value; the interval says how large it could be.
public enum ShiftBootstrap {
    /// Poisson draws a check spends on shift intervals at most (measured ~30 ns each, so well
    /// under a second): beyond it, each interval gets fewer replicates than `--bootstrap`, at
    /// least 20.
    public static let drawBudget = 20_000_000

    /// - Parameters:
    ///   - sample: the bucketed baseline and current attributions.
    ///   - mass: what W1 is divided by (Σ mean |φ| of the output in both samples).
    ///   - replicates: resamples (≥ 20 for an interval; fewer give `nil`).
    ///   - seed: the resamples are a pure function of it.
    /// - Complexity: O(replicates × support).
    public static func interval(_ sample: PooledSample, mass: Double, replicates: Int, seed: UInt64,
                                level: Double = 0.95) -> ConfidenceInterval? {
        guard replicates >= 20, mass > 0, sample.baselineTotal > 0, sample.currentTotal > 0 else { return nil }
        let estimate = Swift.min(1, sample.wasserstein1 / mass)
        var sampler = PoissonSampler(seed: seed)
        var distances: [Double] = []
        distances.reserveCapacity(replicates)
        let support = sample.values.count
        var baseline = [Double](repeating: 0, count: support)
        var current = [Double](repeating: 0, count: support)
        for _ in 0..<replicates {
            // Redraw both samples' counts, then W1 between the step CDFs (`PooledSample.wasserstein1`).
            var (baseTotal, currentTotal) = (0.0, 0.0)
            for index in 0..<support {
                baseline[index] = sampler.next(mean: sample.baseline[index])
                current[index] = sampler.next(mean: sample.current[index])
                baseTotal += baseline[index]
                currentTotal += current[index]
            }
            guard baseTotal > 0, currentTotal > 0 else { continue }
            var (a, b, distance) = (0.0, 0.0, 0.0)
            for index in 0..<(support - 1) {
                a += baseline[index]
                b += current[index]
                distance += abs(a / baseTotal - b / currentTotal) * (sample.values[index + 1] - sample.values[index])
            }
            distances.append(distance / mass)
        }
        guard distances.count >= 20 else { return nil }
        distances.sort()
        let low = DriftComparator.percentile(distances, (1 - level) / 2)
        let high = DriftComparator.percentile(distances, (1 + level) / 2)
        return ConfidenceInterval(lower: Swift.min(1, Swift.max(0, 2 * estimate - high)),
                                  upper: Swift.min(1, Swift.max(0, 2 * estimate - low)), level: level)
    }
}
