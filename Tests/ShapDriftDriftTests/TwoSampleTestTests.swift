import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftDrift
import ShapDriftTestSupport

/// The permutation tests' p-values against exact references computed here independently: the
/// hypergeometric distribution for binary data (Fisher's exact test), Monte Carlo permutations
/// for continuous data, and the exact rejection rate of the whole test under the null.
@Suite("Permutation tests and the family-wise procedure")
struct TwoSampleTestTests {
    /// log P(X = k) for X hypergeometric: k marked units among n drawn from N holding K marked.
    static func logHypergeometric(_ k: Int, total: Int, marked: Int, drawn: Int) -> Double {
        func logChoose(_ n: Int, _ r: Int) -> Double { lgamma(Double(n + 1)) - lgamma(Double(r + 1)) - lgamma(Double(n - r + 1)) }
        return logChoose(marked, k) + logChoose(total - marked, drawn - k) - logChoose(total, drawn)
    }

    /// The exact upper tail P(X ≥ k) and mid-p P(X > k) + P(X = k)/2, summed term by term.
    static func exactTails(_ k: Int, total: Int, marked: Int, drawn: Int) -> (exact: Double, mid: Double) {
        let terms = (k...min(marked, drawn)).map { exp(logHypergeometric($0, total: total, marked: marked, drawn: drawn)) }
        let exact = terms.reduce(0, +)
        return (exact, exact - terms[0] / 2)
    }

    static func binaryPValue(marked k: Int, drawn n: Int, pooledMarked: Int, total: Int) -> Double {
        PermutationTest.twoSidedPValue(scores: [0, 1], pooled: [Double(total - pooledMarked), Double(pooledMarked)],
                                       current: [Double(n - k), Double(k)])
    }

    @Test("binary data: the saddlepoint p-value lies between the exact mid-p and the exact p-value of Fisher's test",
          arguments: [(200, 60, 1200), (200, 12, 1200), (400, 70, 1400), (2000, 150, 3000), (50, 5, 1050)])
    func binaryMatchesHypergeometric(_ drawn: Int, _ marked: Int, _ total: Int) {
        let mean = Double(drawn * marked) / Double(total)
        for step in 1...4 {
            let k = Int(mean.rounded(.up)) + step * max(2, Int((mean * 0.5).squareRoot()) + 1)
            guard k <= min(drawn, marked) else { continue }
            let (exact, mid) = Self.exactTails(k, total: total, marked: marked, drawn: drawn)
            let p = Self.binaryPValue(marked: k, drawn: drawn, pooledMarked: marked, total: total) / 2
            // The saddlepoint approximates the mid-p value (within 15 % once the expected count is
            // 10 or more); for a rare category's few counts it may fall to about half of it; it
            // never exceeds the exact tail.
            #expect(p <= exact * 1.0001, "k \(k): \(p) vs exact \(exact)")
            #expect(p >= 0.45 * mid, "k \(k): \(p) vs mid-p \(mid)")
            if mid > 1e-4, mean >= 10 { #expect(abs(p - mid) <= 0.15 * mid, "k \(k): \(p) vs mid-p \(mid)") }
        }
    }

    /// The probability, over baselines and current samples of a binary feature with the same
    /// share, that the test rejects at level a: summed exactly over every outcome.
    static func exactRejectionRate(share: Double, baseline: Int, current: Int, level: Double) -> Double {
        let total = baseline + current
        var rate = 0.0
        for marked in 1..<total {
            let logCount: Double = lgamma(Double(total + 1)) - lgamma(Double(marked + 1)) - lgamma(Double(total - marked + 1))
            let logWeight: Double = logCount + Double(marked) * log(share) + Double(total - marked) * log(1 - share)
            let weight = exp(logWeight)
            guard weight > 1e-12 else { continue }
            for k in max(0, marked - baseline)...min(current, marked) {
                let probability = exp(Self.logHypergeometric(k, total: total, marked: marked, drawn: current))
                guard probability > 1e-14 else { continue }
                if Self.binaryPValue(marked: k, drawn: current, pooledMarked: marked, total: total) <= level {
                    rate += weight * probability
                }
            }
        }
        return rate
    }

    @Test("under the null a rare binary feature is rejected at most at the nominal level (the normal approximation: 2.5×)",
          arguments: [(0.01, 200), (0.05, 200), (0.05, 400), (0.3, 200)])
    func binaryCalibration(_ share: Double, _ current: Int) {
        let level = 6.25e-4 // 0.01 over 16 tests
        let rate = Self.exactRejectionRate(share: share, baseline: 1000, current: current, level: level)
        #expect(rate <= 1.05 * level, "share \(share), \(current) rows: rejection rate \(rate / level) × nominal")
        #expect(rate >= 0.3 * level, "share \(share): the test should not be needlessly conservative (\(rate / level) × nominal)")
    }

    @Test("continuous data: rank-sum and mean p-values agree with 200,000 random permutations")
    func continuousMatchesMonteCarlo() {
        var generator = SplitMix64(seed: 5)
        // A skewed baseline (exponential) and a current sample shifted upward a little.
        let baseline = (0..<60).map { _ in -log(1 - generator.nextUnit()) }
        let current = (0..<30).map { _ in -log(1 - generator.nextUnit()) * 1.9 + 0.1 }
        let pooledValues = (baseline + current).sorted()
        let values = Array(Set(pooledValues)).sorted()
        let sample = PooledSample(values: values, baseline: values.map { v in Double(baseline.filter { $0 == v }.count) },
                                  current: values.map { v in Double(current.filter { $0 == v }.count) })
        let ranks = Dictionary(uniqueKeysWithValues: zip(values, sample.midranks))
        // Two-sided as the test defines it: 2 × the smaller one-sided mid-p tail.
        func monteCarlo(_ score: (Double) -> Double) -> Double {
            let pooled = baseline + current
            let scores = pooled.map(score)
            let observed = current.map(score).reduce(0, +)
            var indices = Array(pooled.indices)
            var (above, below) = (0.0, 0.0)
            var permutations = SplitMix64(seed: 9)
            let trials = 200_000
            for _ in 0..<trials {
                for i in 0..<current.count {
                    let j = i + Int(permutations.next() % UInt64(pooled.count - i))
                    indices.swapAt(i, j)
                }
                let statistic = indices.prefix(current.count).reduce(0) { $0 + scores[$1] }
                if abs(statistic - observed) <= 1e-9 * abs(observed) {
                    above += 0.5
                    below += 0.5
                } else if statistic > observed {
                    above += 1
                } else {
                    below += 1
                }
            }
            return 2 * min(above, below) / Double(trials)
        }
        let rank = monteCarlo { ranks[$0]! }
        let mean = monteCarlo { $0 }
        #expect(rank > 1e-4 && rank < 0.05, "the reference case should sit in the tail: \(rank)")
        #expect(abs(sample.rankSumPValue - rank) <= 0.12 * rank, "rank sum \(sample.rankSumPValue) vs permutations \(rank)")
        #expect(abs(sample.meanPValue { $0 } - mean) <= 0.12 * mean, "mean \(sample.meanPValue { $0 }) vs permutations \(mean)")
    }

    /// The raw samples as a `PooledSample` (every distinct value its own point).
    static func exact(_ baseline: [Double], _ current: [Double]) -> PooledSample {
        var counts: [Double: (Double, Double)] = [:]
        for value in baseline { counts[value, default: (0, 0)].0 += 1 }
        for value in current { counts[value, default: (0, 0)].1 += 1 }
        let values = counts.keys.sorted()
        return PooledSample(values: values, baseline: values.map { counts[$0]!.0 }, current: values.map { counts[$0]!.1 })
    }

    static func sketched(_ baseline: [Double], _ current: [Double]) -> PooledSample {
        var a = QuantileSketch()
        var b = QuantileSketch()
        baseline.forEach { a.add($0) }
        current.forEach { b.add($0) }
        return PooledSample(baseline: a, current: b)
    }

    @Test("the sketch's 1 % buckets keep the tests' level and cost little power (heavy-tailed values, 1,000 vs 200 rows)")
    func bucketingKeepsLevelAndPower() {
        var generator = SplitMix64(seed: 17)
        // Log-normal values (σ = 1.5: heavy right tail), both signs, as attributions have.
        func draw(_ count: Int, scale: Double) -> [Double] {
            (0..<count).map { _ in
                let u = max(generator.nextUnit(), 1e-300)
                let z = (-2 * log(u)).squareRoot() * cos(2 * Double.pi * generator.nextUnit())
                return (generator.nextUnit() < 0.3 ? -1 : 1) * scale * exp(1.5 * z)
            }
        }
        let trials = 200
        var rejected = (rawNull: 0, bucketedNull: 0, rawShift: 0, bucketedShift: 0)
        for _ in 0..<trials {
            let baseline = draw(1000, scale: 1)
            let null = draw(200, scale: 1)
            let shifted = draw(200, scale: 1.5)
            if Self.exact(baseline, null).rankSumPValue <= 0.05 { rejected.rawNull += 1 }
            if Self.sketched(baseline, null).rankSumPValue <= 0.05 { rejected.bucketedNull += 1 }
            if Self.exact(baseline, shifted).meanPValue(score: abs) <= 0.05 { rejected.rawShift += 1 }
            if Self.sketched(baseline, shifted).meanPValue(score: abs) <= 0.05 { rejected.bucketedShift += 1 }
        }
        // Level: 10 expected of 200; 19 or more has probability < 0.5 % at the nominal rate.
        #expect(rejected.rawNull <= 18 && rejected.bucketedNull <= 18, "\(rejected)")
        // Bucketing moves values by under 1 %: the same samples almost always get the same verdict.
        #expect(abs(rejected.rawNull - rejected.bucketedNull) <= 3, "\(rejected)")
        #expect(abs(rejected.rawShift - rejected.bucketedShift) <= 6, "\(rejected)")
        print("bucketing: rejections of \(trials) at 0.05 — null raw \(rejected.rawNull), bucketed \(rejected.bucketedNull); scale × 1.5 raw \(rejected.rawShift), bucketed \(rejected.bucketedShift)")
    }

    @Test("identical samples give p = 1; one-valued data cannot be tested; extremes get the exact probability")
    func edgeCases() {
        #expect(PermutationTest.twoSidedPValue(scores: [1, 2, 3], pooled: [20, 40, 20], current: [5, 10, 5]) == 1)
        #expect(PermutationTest.twoSidedPValue(scores: [4], pooled: [100], current: [30]) == 1)
        #expect(PermutationTest.twoSidedPValue(scores: [1, 2], pooled: [10, 10], current: [0, 0]) == 1)
        // All 10 current units in the top category of 10 out of 110: P = 1/C(110, 10) per side.
        let extreme = PermutationTest.twoSidedPValue(scores: [0, 1], pooled: [100, 10], current: [0, 10])
        let exact = 2 * exp(-(lgamma(111) - lgamma(11) - lgamma(101)))
        #expect(abs(extreme - exact) <= 1e-9 * exact)
    }

    @Test("Holm-adjusted p-values match the step-down rule worked by hand")
    func holm() {
        // Sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.02, 0.03, 0.06, 0.04 → running max.
        #expect(HolmProcedure.adjusted([0.01, 0.04, 0.03, 0.005]) == [0.03, 0.06, 0.06, 0.02])
        #expect(HolmProcedure.adjusted([0.6, 0.9]) == [1, 1])
        #expect(HolmProcedure.adjusted([]) == [])
    }

    @Test("normal quantiles invert the tail to 1e-14 over the whole range")
    func normalQuantile() {
        #expect(abs(NormalDistribution.quantile(0.975) - 1.959963984540054) < 1e-14)
        for p in [1e-300, 1e-12, 1e-5, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-9] {
            let x = NormalDistribution.quantile(p)
            let back = p < 0.5 ? NormalDistribution.upperTail(-x) : 1 - NormalDistribution.upperTail(x)
            #expect(abs(back - p) <= 1e-13 * p + 1e-16, "p \(p): \(back)")
        }
    }

    @Test("Poisson draws have the stated mean and variance for small and large means", arguments: [0.7, 4.0, 12.0, 60.0, 5e5])
    func poisson(_ mean: Double) {
        var sampler = PoissonSampler(seed: UInt64(mean * 10))
        let draws = (0..<40_000).map { _ in sampler.next(mean: mean) }
        let average = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.map { ($0 - average) * ($0 - average) }.reduce(0, +) / Double(draws.count - 1)
        #expect(draws.allSatisfy { $0 >= 0 && $0 == $0.rounded() })
        // Five standard errors of the mean; the variance within 5 % (its standard error ~0.7 %).
        #expect(abs(average - mean) <= 5 * (mean / Double(draws.count)).squareRoot(), "mean \(average)")
        #expect(abs(variance - mean) <= 0.05 * mean, "variance \(variance)")
    }

    @Test("pooled sketches align bucket by bucket; distances are those of the bucketed samples")
    func pooledSketches() {
        var a = QuantileSketch()
        var b = QuantileSketch()
        [1.0, 2, 2, 3, -1, 0].forEach { a.add($0) }
        [2.0, 3, 3, 4].forEach { b.add($0) }
        let pooled = PooledSample(baseline: a, current: b)
        #expect(pooled.baselineTotal == 6 && pooled.currentTotal == 4)
        #expect(pooled.values == pooled.values.sorted() && Set(pooled.values).count == pooled.values.count)
        #expect(pooled.values.count == 6)
        // KS: after 3 (baseline all 6/6 vs current 3/4) the gap is 1/4; after 2: 5/6 vs 1/4.
        #expect(abs(pooled.kolmogorovDistance - (5.0 / 6 - 1.0 / 4)) < 1e-12)
        // W1 by hand from the two step CDFs between consecutive support points −1, 0, 1, 2, 3, 4
        // (the sketch's representatives, each within 1 % of the value).
        let v = pooled.values
        let gaps = [1.0 / 6, 2.0 / 6, 3.0 / 6, 5.0 / 6 - 1.0 / 4, 1 - 3.0 / 4]
        let byHand = (0..<5).reduce(0.0) { $0 + gaps[$1] * (v[$1 + 1] - v[$1]) }
        #expect(abs(pooled.wasserstein1 - byHand) < 1e-12)
        #expect(pooled.midranks.first == 1 && pooled.midranks.last == 10)
    }
}
