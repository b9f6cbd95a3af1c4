import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftDrift
import ShapDriftTestSupport

@Suite("Clarify NDCG")
struct ClarifyNDCGTests {
    @Test("the documented SageMaker example scores 0.688")
    func documentedExample() {
        // Baseline SAT 0.70, GPA 0.50, class rank 0.05; current 0.10, 0.20, 0.70.
        let score = ClarifyNDCG.score(baseline: [0.70, 0.50, 0.05], current: [0.10, 0.20, 0.70])
        #expect(String(format: "%.3f", score) == "0.688")
        // By hand: DCG = 0.05/1 + 0.50/log2(3) + 0.70/2; iDCG = 0.70 + 0.50/log2(3) + 0.05/2.
        let expected = (0.05 + 0.50 / log2(3) + 0.70 / 2) / (0.70 + 0.50 / log2(3) + 0.05 / 2)
        #expect(abs(score - expected) < 1e-15)
    }

    @Test("an unchanged ranking scores 1 whatever the magnitudes; ties keep feature order")
    func unchangedRanking() {
        #expect(ClarifyNDCG.score(baseline: [3, 2, 1], current: [300, 20, 0.1]) == 1)
        #expect(ClarifyNDCG.ranking([1, 2, 2, 0]) == [1, 2, 0, 3])
        #expect(ClarifyNDCG.score(baseline: [0, 0], current: [1, 2]) == 1)
    }
}

@Suite("Sketches, sums and distances")
struct DriftStatisticsTests {
    @Test("exact sums do not depend on the order of additions and merges")
    func exactSumIsAssociative() {
        let values: [Double] = [1e16, 1, -1e16, 3.14159, 1e-10, -2.5, 7e15, 0.1, 0.2, 0.3]
        var forward = ExactSum()
        values.forEach { forward.add($0) }
        var halves = ExactSum()
        var second = ExactSum()
        values.prefix(5).reversed().forEach { halves.add($0) }
        values.suffix(5).forEach { second.add($0) }
        halves.merge(second)
        #expect(forward.value == halves.value)
        // Python's math.fsum and exact rational arithmetic both give 7000000000000002.0.
        #expect(forward.value == 7_000_000_000_000_002)
        // Cases a naive sum gets wrong: 1e16 + 1 − 1e16 = 1, and ten 0.1s round to exactly 1.
        var cancelling = ExactSum()
        [1e16, 1, -1e16].forEach { cancelling.add($0) }
        #expect(cancelling.value == 1)
        var tenths = ExactSum()
        (0..<10).forEach { _ in tenths.add(0.1) }
        #expect(tenths.value == 1)
    }

    /// The block path sums through a fixed-point superaccumulator, the one-by-one path through
    /// Shewchuk expansions: they must agree on every exact sum. Powers of two 54 apart keep every
    /// term apart; subnormals (and squares that underflow), values whose squares come near the
    /// largest double, cancellations and random values over the whole exponent range reach every chunk;
    /// NaN and infinities count as missing.
    @Test("a column added as a block summarises exactly as its values added one by one")
    func blockAddEqualsValueByValue() throws {
        var values = (0..<30).map { Double(sign: $0 % 2 == 0 ? .plus : .minus, exponent: 510 - 54 * $0, significand: 1) }
        values += [1e16, 1, -1e16, 0.1, .nan, 3.5, -.infinity, 0, -0.0, -2.25e-300]
        values += [.leastNonzeroMagnitude, -.leastNonzeroMagnitude, 3 * .leastNonzeroMagnitude, .leastNormalMagnitude,
                   -.leastNormalMagnitude.nextDown, 0x1.fffffffffffffp510, -1e153, -0x1p-1000]
        values += (0..<500).map { Double($0 % 17) * 0.37 - 2.1 }
        var generator = SplitMix64(seed: 7)
        values += (0..<2000).map { _ in
            let bits = generator.next()
            let exponent = Int(bits % 1520) - 1020
            let significand = 1 + Double(bits >> 11) * 0x1p-53
            return Double(sign: bits & 1 == 0 ? .plus : .minus, exponent: exponent, significand: significand)
        }
        var single = StreamSummary()
        values.forEach { single.add($0) }
        var block = StreamSummary()
        // Interleaved with a second column, as attributions are laid out.
        let interleaved = values.flatMap { [$0, 99.0] }
        interleaved.withUnsafeBufferPointer { block.add($0.baseAddress!, count: values.count, stride: 2) }
        #expect(block == single)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(block) == encoder.encode(single))
    }

    /// Bucket boundaries are part of stored baselines, so the fast index must be the libm
    /// definition exactly: on random magnitudes over the sketch's whole range, and on every
    /// boundary γ^i of a wide range with its neighbouring doubles, where the two could split.
    @Test("the fast sketch bucket index equals ⌈log x / log γ⌉ as libm computes it")
    func fastBucketIndexIsExact() {
        var magnitudes: [Double] = []
        var generator = SplitMix64(seed: 11)
        for _ in 0..<200_000 {
            let bits = generator.next()
            magnitudes.append(Double(sign: .plus, exponent: Int(bits % 2020) - 996, significand: 1 + Double(bits >> 11) * 0x1p-53))
        }
        for bucket in -2000...2000 {
            let boundary = Foundation.pow(QuantileSketch.gamma, Double(bucket))
            magnitudes += [boundary, boundary.nextUp, boundary.nextDown, boundary.nextUp.nextUp, boundary.nextDown.nextDown]
        }
        magnitudes += [QuantileSketch.zeroThreshold, .greatestFiniteMagnitude, 1, 1.nextUp, 1.nextDown, 2, 0.5]
        // Every boundary of the whole range, and doubles at the edges of its libm window (2^24
        // ulps) and of the table's threshold unit (2^23 ulps), where the table hands over.
        for bucket in BucketStore.indexRange {
            let boundary = Foundation.exp(Double(bucket) * QuantileSketch.logGamma)
            guard boundary.isFinite, boundary >= QuantileSketch.zeroThreshold else { continue }
            for ulps: Int64 in [1, 2, 1 << 22, 1 << 23, (1 << 23) + 1, 1 << 24, (1 << 24) + 1, 3 << 23, 1 << 25] {
                for signed in [ulps, -ulps] {
                    let neighbour = Double(bitPattern: UInt64(bitPattern: Int64(bitPattern: boundary.bitPattern) + signed))
                    if neighbour.isFinite, neighbour >= QuantileSketch.zeroThreshold { magnitudes.append(neighbour) }
                }
            }
            magnitudes.append(boundary)
        }
        // The first and last double of every cell of the table (1/64 of a binade).
        for key in (QuantileSketch.zeroThreshold.bitPattern >> 46)...(Double.greatestFiniteMagnitude.bitPattern >> 46) {
            let low = Double(bitPattern: key << 46)
            magnitudes += [low, low.nextDown, low.nextUp].filter { $0.isFinite && $0 >= QuantileSketch.zeroThreshold }
        }
        let fast = BucketIndex.shared
        let mismatches = magnitudes.filter { fast.index(of: $0) != QuantileSketch.index(of: $0) }
        #expect(mismatches.isEmpty, "first: \(mismatches.prefix(5))")
    }

    /// The block path lists a tile's buckets and sets each store's range once per tile; the
    /// one-by-one path grows and collapses the store value by value. They must agree when a
    /// bucket passes 65,535 inside a tile (the counts widen mid-list), when a column spans more
    /// than 2,048 buckets (the lowest collapse, in either order of arrival), and over many tiles
    /// of a strided group of columns.
    @Test("a strided group of columns summarises as its values added one by one, through widening and collapsing stores")
    func groupAddEqualsValueByValue() throws {
        var generator = SplitMix64(seed: 12)
        // One bucket for nearly every value, so its count passes 65,535 within a tile; and
        // attribution-like values with missing ones.
        let many = (0..<66_000).map { row -> [Double] in
            let bits = generator.next()
            return [row % 1000 == 0 ? -3.0 : 1.0, row % 977 == 0 ? .nan : (Double(bits >> 11) * 0x1p-53 - 0.5) * 3]
        }
        // Magnitudes from 2^-960 to 2^500 (about 51,000 buckets), first rising, so the top
        // bucket climbs and the bottom collapses, then at random, far below the top.
        let wide = (0..<5000).map { row -> [Double] in
            let bits = generator.next()
            let exponent = row < 2500 ? -960 + (1460 * row) / 2500 : Int(bits % 1460) - 960
            return [Double(sign: bits & 1 == 0 ? .plus : .minus, exponent: exponent, significand: 1 + Double(bits >> 12) * 0x1p-52)]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for rows in [many, wide] {
            let width = rows[0].count
            var expected = [StreamSummary](repeating: StreamSummary(), count: width)
            for row in rows { for column in 0..<width { expected[column].add(row[column]) } }
            // A column beyond the group's, as the rest of a row of attributions.
            let interleaved = rows.flatMap { $0 + [42.0] }
            var block = [StreamSummary](repeating: StreamSummary(), count: width)
            interleaved.withUnsafeBufferPointer { values in
                block.withUnsafeMutableBufferPointer {
                    StreamSummary.add(to: $0.baseAddress!, columns: width, values: values.baseAddress!, rows: rows.count, stride: width + 1)
                }
            }
            for column in 0..<width {
                let same = try block[column] == expected[column] && encoder.encode(block[column]) == encoder.encode(expected[column])
                #expect(same, "column \(column) of \(width): count \(block[column].count), sum \(block[column].sum.value) against \(expected[column].sum.value)")
            }
        }
        var collapsed = StreamSummary()
        wide.forEach { collapsed.add($0[0]) }
        #expect(collapsed.sketch.positive.counts.count == BucketStore.maximumSpan)
    }

    @Test("sketch quantiles are within the stated relative accuracy of the sample's")
    func sketchAccuracy() {
        var sketch = QuantileSketch()
        let values = (1...10_000).map { Double($0) * 0.37 - 900 }
        values.forEach { sketch.add($0) }
        let sorted = values.sorted()
        for q in [0.01, 0.1, 0.5, 0.9, 0.99] {
            let exact = sorted[Int(q * Double(sorted.count - 1))]
            let estimate = sketch.quantile(q) ?? .nan
            #expect(abs(estimate - exact) <= QuantileSketch.relativeAccuracy * abs(exact) + 1e-12)
        }
    }

    @Test("Wasserstein-1 between sketches matches the exact sample distance within the sketch accuracy")
    func wassersteinMatchesSamples() {
        var a = QuantileSketch()
        var b = QuantileSketch()
        let first = (0..<2000).map { sin(Double($0)) * 3 }
        let second = (0..<2000).map { sin(Double($0) * 1.3) * 3 + 0.8 }
        first.forEach { a.add($0) }
        second.forEach { b.add($0) }
        // Equal sample sizes: W1 = mean |sorted difference|.
        let exact = zip(first.sorted(), second.sorted()).map { abs($0 - $1) }.reduce(0, +) / 2000
        let estimate = PooledSample(baseline: a, current: b).wasserstein1
        #expect(abs(estimate - exact) <= 2 * QuantileSketch.relativeAccuracy * 3)
        #expect(PooledSample(baseline: a, current: a).wasserstein1 == 0)
        #expect(DistributionDistance.psi(baseline: a, current: a) == 0)
    }
}
