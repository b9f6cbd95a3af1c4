import Foundation
import ShapDriftCore
import Testing
@testable import ShapDriftDrift

@Suite("Trend test (Mann–Kendall)")
struct TrendTestTests {
    /// A standard normal draw (Box–Muller).
    static func normal(_ random: inout SplitMix64) -> Double {
        let u = max(random.nextUnit(), 1e-300), v = random.nextUnit()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    @Test("exact p-values: a strictly falling series of n has p = 1/n!, a rising one p = 1")
    func exactExtremes() throws {
        let falling = try #require(TrendTest([4, 3, 2, 1]))
        #expect(falling.exact && falling.statistic == -6 && abs(falling.pValue - 1.0 / 24) < 1e-15 && falling.declining)
        let six = try #require(TrendTest([0.99, 0.98, 0.97, 0.9, 0.85, 0.8]))
        #expect(abs(six.pValue - 1.0 / 720) < 1e-15 && six.declining && six.slope < 0)
        #expect(try #require(TrendTest([1, 2, 3, 4, 5])).pValue == 1)
        #expect(TrendTest([1, 2, 3]) == nil)
    }

    @Test("the exact table counts permutations by inversions (n = 4: 1 3 5 6 5 3 1)")
    func mahonian() {
        #expect(TrendTest.inversionCounts(4) == [1, 3, 5, 6, 5, 3, 1])
        #expect(TrendTest.inversionCounts(7).reduce(0, +) == 5040)
    }

    @Test("false alarms at most 5 % on exchangeable series (normal, with ties), power on a slow decline")
    func falseAlarmsAndPower() throws {
        var random = SplitMix64(seed: 2026)
        let trials = 2000
        for (length, ties) in [(6, false), (12, false), (24, true), (80, false)] {
            var alarms = 0
            for _ in 0..<trials {
                let series = (0..<length).map { _ in ties ? (Self.normal(&random) * 4).rounded() / 4 : Self.normal(&random) }
                if try #require(TrendTest(series)).declining { alarms += 1 }
            }
            // 5 % plus three binomial standard errors (0.49 % at 2,000 trials).
            #expect(Double(alarms) / Double(trials) <= 0.05 + 3 * 0.0049, "n = \(length): \(alarms) alarms")
        }
        // A decline of one standard deviation over 12 checks is flagged most of the time.
        var detected = 0
        for _ in 0..<trials {
            let series = (0..<12).map { Double($0) * -1.0 / 11 * 1.5 + Self.normal(&random) * 0.5 }
            if try #require(TrendTest(series)).declining { detected += 1 }
        }
        #expect(Double(detected) / Double(trials) > 0.8, "\(detected) of \(trials)")
    }
}
