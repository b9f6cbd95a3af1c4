import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftDrift
import ShapDriftTestSupport

@Suite("Linear attributions derived from centred values")
struct LinearAttributionFactorsTests {
    /// An error-free product, the reference `ExactSum.scaled` is checked against term by term.
    private func twoProduct(_ a: Double, _ b: Double) -> [Double] {
        let product = a * b
        return [product, (-product).addingProduct(a, b)]
    }

    private func normal(_ generator: inout SplitMix64) -> Double {
        (-2 * log(1 - generator.nextUnit())).squareRoot() * cos(2 * Double.pi * generator.nextUnit())
    }

    @Test("a scaled exact sum is the exact sum of every term's exact product, and scaling commutes with merging")
    func scaledSumIsExact() throws {
        var generator = SplitMix64(seed: 31)
        for trial in 0..<50 {
            let terms = (0..<200).map { _ in normal(&generator) * Double(sign: .plus, exponent: Int(generator.next() % 80) - 40, significand: 1) }
            let factor = trial == 0 ? -0x1p-7 : normal(&generator) * 1e3
            let whole = ExactSum(terms: terms)
            let scaled = try #require(whole.scaled(by: factor))
            #expect(scaled == ExactSum(terms: terms.flatMap { twoProduct($0, factor) }), "trial \(trial)")
            var halves = try #require(ExactSum(terms: Array(terms[..<77])).scaled(by: factor))
            halves.merge(try #require(ExactSum(terms: Array(terms[77...])).scaled(by: factor)))
            #expect(halves == scaled && halves.canonicalPartials == scaled.canonicalPartials, "trial \(trial)")
        }
        #expect(ExactSum(terms: [1e300]).scaled(by: 1e10) == nil)
    }

    /// Folds `values` through a centred summary and derives w·x, against folding each w·x.
    private func derivedAndFolded(_ values: [Double], factor: Double) -> (derived: StreamSummary, folded: StreamSummary, products: [Double]) {
        var centred = StreamSummary()
        values.forEach { centred.add($0) }
        let products = values.map { factor * $0 }
        var folded = StreamSummary()
        products.forEach { folded.add($0) }
        let derived = centred.scaled(by: factor, buckets: RepresentedBuckets(centred.sketch))!
        return (derived, folded, products)
    }

    @Test("a derived summary counts, bounds and sums the attributions as folding them does, its quantiles within (1 + α)² − 1")
    func derivedSummaryMatchesFoldedAttributions() throws {
        var generator = SplitMix64(seed: 5)
        let samples: [(String, [Double])] = [
            ("normal", (0..<20_000).map { _ in normal(&generator) }),
            ("skewed", (0..<20_000).map { _ in exp(2 * normal(&generator)) - 1 }),
            ("with zeros", (0..<5_000).map { index in index % 7 == 0 ? 0 : normal(&generator) * 1e-3 }),
        ]
        let bound = (1 + QuantileSketch.relativeAccuracy) * (1 + QuantileSketch.relativeAccuracy) - 1
        for (name, values) in samples {
            for factor in [0.37, -2.5, 1e-5, -7e4] {
                let (derived, folded, products) = derivedAndFolded(values, factor: factor)
                #expect(derived.violation(rows: UInt64(values.count)) == nil, "\(name) × \(factor)")
                #expect(derived.count == folded.count && derived.missing == folded.missing, "\(name) × \(factor)")
                #expect(derived.min == folded.min && derived.max == folded.max, "\(name) × \(factor)")
                #expect(derived.sketch.zeroCount == folded.sketch.zeroCount, "\(name) × \(factor)")
                // The derived sums are exact sums of the real products; the folded ones of the
                // rounded products: they differ by at most half an ulp of each product.
                let slack = products.reduce(0) { $0 + $1.magnitude.ulp / 2 }
                #expect(abs(derived.sum.value - folded.sum.value) <= slack + derived.sum.value.magnitude.ulp, "\(name) × \(factor)")
                #expect(abs(derived.sumAbs.value - folded.sumAbs.value) <= slack + derived.sumAbs.value.ulp, "\(name) × \(factor)")
                let squareSlack = products.reduce(0) { $0 + ($1 * $1).ulp * 2 }
                #expect(abs(derived.sumSquares.value - folded.sumSquares.value) <= squareSlack + derived.sumSquares.value.ulp, "\(name) × \(factor)")
                let sorted = products.sorted()
                for q in [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0] {
                    let exact = sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]
                    let estimate = try #require(derived.sketch.quantile(q))
                    #expect(abs(estimate - exact) <= bound * abs(exact) + 1e-300, "\(name) × \(factor), q \(q): \(estimate) against \(exact)")
                }
            }
        }
    }

    @Test("a store built from mostly ascending counts is the one adding each in turn makes, through out-of-order adds, collapses and wide counts")
    func storeBuilderAddsAsTheStoreDoes() {
        var generator = SplitMix64(seed: 17)
        for trial in 0..<200 {
            var builder = StoreBuilder()
            var reference = BucketStore()
            let first = Int(generator.next() % 4000) - 2000
            var index = first
            for _ in 0..<(1 + Int(generator.next() % 300)) {
                switch generator.next() % 20 {
                case 0: index -= Int(generator.next() % 50)
                // Either side of the widest span the first bucket allows, and far past it.
                case 1: index = first + BucketStore.maximumSpan - 3 + Int(generator.next() % 6)
                case 2: index += 3 * BucketStore.maximumSpan
                default: index += Int(generator.next() % 4)
                }
                let count = generator.next() % 8 == 0 ? 60_000 + generator.next() % 10_000 : 1 + generator.next() % 100
                builder.add(index, count: count)
                reference.add(index, count: count)
            }
            let built = builder.store
            #expect(built.offset == reference.offset && built.counts == reference.counts, "trial \(trial)")
        }
        // Ending at the widest span and one past it.
        for last in [BucketStore.maximumSpan - 1, BucketStore.maximumSpan] {
            var builder = StoreBuilder()
            var reference = BucketStore()
            for index in [0, 5, last] {
                builder.add(index, count: 2)
                reference.add(index, count: 2)
            }
            #expect(builder.store.offset == reference.offset && builder.store.counts == reference.counts, "last \(last)")
        }
    }

    @Test("derived sketches stay within their range: zero and tiny factors, values at the zero threshold, buckets clamped at min and max")
    func derivedSketchesStayConsistent() throws {
        var generator = SplitMix64(seed: 9)
        let cases: [(String, [Double], Double)] = [
            ("zero factor", (0..<100).map { _ in normal(&generator) }, 0),
            ("tiny centred values scaled up", (0..<100).map { _ in 5e-301 * (1 + generator.nextUnit()) }, 1e6),
            ("tiny negatives scaled up", (0..<100).map { _ in -5e-301 * (1 + generator.nextUnit()) }, -40),
            ("values scaled below the threshold", (0..<100).map { _ in 1e-290 * (1 + generator.nextUnit()) }, 1e-12),
            ("one value", [0.731], 1.9),
            ("two values", [1.004, -1e17], -3.3),
        ]
        for (name, values, factor) in cases {
            let (derived, folded, _) = derivedAndFolded(values, factor: factor)
            #expect(derived.violation(rows: UInt64(values.count)) == nil, "\(name): \(String(describing: derived.violation(rows: UInt64(values.count))))")
            #expect(derived.count == folded.count && derived.min == folded.min && derived.max == folded.max, "\(name)")
            for q in [0.0, 0.5, 1.0] {
                let estimate = try #require(derived.sketch.quantile(q))
                #expect(estimate >= derived.min * (derived.min < 0 ? 1.03 : 0.97) - 1e-300
                        && estimate <= derived.max * (derived.max > 0 ? 1.03 : 0.97) + 1e-300, "\(name), q \(q): \(estimate)")
            }
        }
    }

    private func identity(outputs: Int, features: Int) -> ProfileIdentity {
        ProfileIdentity(modelSHA256: String(repeating: "ab", count: 32), modelFormat: .inMemory, objective: "multi:softmax",
                        transform: .softmax, featureNames: (0..<features).map { "x\($0)" }, method: .linear, outputSpace: .raw,
                        numOutputs: outputs)
    }

    /// Rows of a linear model's features, their attributions w·(x − μ) and the model's factors.
    private struct LinearCase {
        let outputs: Int, features: Int, rows: Int
        let coefficients: [Double]
        let means: [Double]
        let values: [Double]

        init(outputs: Int, features: Int, rows: Int, seed: UInt64) {
            var generator = SplitMix64(seed: seed)
            func normal() -> Double { (-2 * log(1 - generator.nextUnit())).squareRoot() * cos(2 * Double.pi * generator.nextUnit()) }
            (self.outputs, self.features, self.rows) = (outputs, features, rows)
            coefficients = (0..<(outputs * features)).map { index in index % 5 == 4 ? 0 : normal() }
            means = (0..<features).map { _ in normal() * 0.3 }
            values = (0..<(rows * features)).map { index in 2 * normal() + Double(index % features) }
        }

        func batch(_ range: Range<Int>) -> (FeatureBatch, AttributionBatch) {
            let values = Array(self.values[(range.lowerBound * features)..<(range.upperBound * features)])
            var phi = [Double](repeating: 0, count: range.count * outputs * features)
            for row in 0..<range.count {
                for output in 0..<outputs {
                    for feature in 0..<features {
                        phi[(row * outputs + output) * features + feature] = coefficients[output * features + feature] * (values[row * features + feature] - means[feature])
                    }
                }
            }
            return (FeatureBatch(numFeatures: features, rows: values),
                    AttributionBatch(rowCount: range.count, numOutputs: outputs, numFeatures: features, values: phi, baseValues: [Double](repeating: 0.5, count: outputs)))
        }
    }

    private func profile(of linear: LinearCase, parts: [Range<Int>], derived: Bool, threads: Int = 2) throws -> AttributionProfile {
        let identity = identity(outputs: linear.outputs, features: linear.features)
        var profile = AttributionProfile(identity: identity, baseValues: [Double](repeating: 0.5, count: linear.outputs),
                                         linearCoefficients: derived ? linear.coefficients : nil)
        for part in parts {
            let (batch, attributions) = linear.batch(part)
            profile.add(batch, attributions, threads: threads, centredOn: derived ? linear.means : nil)
        }
        try profile.deriveAttributions(threads: threads)
        return profile
    }

    @Test("a profile derived from centred values holds each output's attributions as folding them does, and its feature values the same")
    func derivedProfileMatchesFoldedProfile() throws {
        let linear = LinearCase(outputs: 3, features: 13, rows: 700, seed: 2)
        let derived = try profile(of: linear, parts: [0..<300, 300..<700], derived: true)
        let folded = try profile(of: linear, parts: [0..<700], derived: false, threads: 1)
        #expect(derived.featureValues == folded.featureValues)
        #expect(derived.predictions == folded.predictions)
        for output in 0..<linear.outputs {
            for feature in 0..<linear.features {
                let (mine, theirs) = (derived.outputs[output].features[feature], folded.outputs[output].features[feature])
                #expect(mine.count == theirs.count && mine.min == theirs.min && mine.max == theirs.max, "output \(output), feature \(feature)")
                #expect(abs(mine.meanAbs - theirs.meanAbs) <= 1e-12 * max(1, theirs.meanAbs), "output \(output), feature \(feature)")
            }
        }
        // The centred summaries are of x − μ, folded value by value.
        for feature in 0..<linear.features {
            var expected = StreamSummary()
            for row in 0..<linear.rows { expected.add(linear.values[row * linear.features + feature] - linear.means[feature]) }
            #expect(derived.linearFactors?.centred[feature] == expected, "feature \(feature)")
        }
    }

    @Test("merged parts of a derived profile equal the single pass, written byte for byte, whatever the split")
    func mergedPartsEqualSinglePass() throws {
        let linear = LinearCase(outputs: 4, features: 9, rows: 1_000, seed: 4)
        let whole = try profile(of: linear, parts: [0..<1_000], derived: true)
        let expected = try whole.encoded()
        for cuts in [[0, 1_000], [0, 500, 1_000], [0, 1, 333, 1_000], [0, 100, 200, 300, 450, 600, 999, 1_000]] {
            let parts = zip(cuts, cuts.dropFirst()).map { $0..<$1 }
            var merged: AttributionProfile? = nil
            for part in parts {
                let piece = try profile(of: linear, parts: [part], derived: true, threads: 1)
                if merged == nil { merged = piece } else { try merged!.merge(piece) }
            }
            let result = try #require(merged)
            #expect(result == whole, "\(parts.count) parts")
            #expect(try result.encoded() == expected, "\(parts.count) parts")
        }
    }

    @Test("a derived profile's bootstrap of |x − μ| gives each output's replicate means as the bootstrap of every |φ| does, within its binning error")
    func derivedBootstrapMatchesAttributionBootstrap() throws {
        let linear = LinearCase(outputs: 3, features: 7, rows: 500, seed: 12)
        let (batch, attributions) = linear.batch(0..<500)
        let keys = (0..<500).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
        var everyAttribution = PoissonBootstrap(replicates: 30, seed: 3, width: 21)
        try everyAttribution.add(attributions, recordKeys: keys, threads: 2)
        var centred = PoissonBootstrap(replicates: 30, seed: 3, width: 7)
        try centred.add(LinearAttributionFactors.centredMagnitudes(batch, means: linear.means, threads: 2), recordKeys: keys)
        let factors = LinearAttributionFactors(coefficients: linear.coefficients, outputs: 3, features: 7)
        for replicate in 0..<30 {
            for output in 0..<3 {
                let expected = everyAttribution.meanAbsolute(replicate: replicate, output: output, features: 7)
                let derived = centred.meanAbsolute(replicate: replicate, output: output, features: 7, factors: factors)
                for feature in 0..<7 {
                    #expect(abs(derived[feature] - expected[feature]) <= 1e-5 * expected[feature] + 1e-300,
                            "replicate \(replicate), output \(output), feature \(feature): \(derived[feature]) against \(expected[feature])")
                }
            }
        }
    }

    @Test("a derived profile reads back as written, storing one centred summary per feature, and refuses to merge with a folded one")
    func derivedProfileRoundTrips() throws {
        let linear = LinearCase(outputs: 5, features: 20, rows: 400, seed: 6)
        let derived = try profile(of: linear, parts: [0..<400], derived: true)
        let bytes = try derived.encoded()
        let read = try AttributionProfile.decode(bytes, file: "derived.json")
        #expect(read == derived)
        #expect(read.formatVersion == 5 && read.linearFactors?.coefficients == linear.coefficients)
        let document = try JSONValue.parse(bytes)
        #expect(document["summaries"]?["count"]?.numberValue == Double(2 * linear.features + linear.outputs + linear.outputs))
        var folded = try profile(of: linear, parts: [0..<400], derived: false)
        let error = #expect(throws: ShapDriftError.self) { try folded.merge(read) }
        guard case .incompatible(let incompatibility)? = error else {
            Issue.record("expected an incompatibility, got \(String(describing: error))")
            return
        }
        #expect(incompatibility.setting == .attributionSummaries)
        #expect(derived.foldingMismatch(with: read) == nil && folded.foldingMismatch(with: derived) != nil)
    }

    @Test("a derived profile file with wrong coefficients, an inconsistent centred summary or too many derived buckets is refused, located")
    func hostileDerivedProfilesAreRefused() throws {
        let linear = LinearCase(outputs: 2, features: 3, rows: 50, seed: 8)
        let derived = try profile(of: linear, parts: [0..<50], derived: true)
        let original = try #require(try JSONSerialization.jsonObject(with: Data(derived.encoded())) as? [String: Any])
        func refusal(_ edit: (inout [String: Any]) -> Void) throws -> InputError? {
            var document = original
            edit(&document)
            let bytes = try Array(ProfileFormatTests.withChecksum(document))
            return #expect(throws: InputError.self) { try AttributionProfile.decode(bytes, file: "hostile.json") }
        }
        let short = try refusal { $0["linear_factors"] = ["coefficients": [[1.0, 2.0, 3.0]]] }
        #expect(short?.field == "linear_factors" && short?.message.contains("3 coefficients for each of the 2 outputs") == true, "\(String(describing: short))")
        let infinite = try refusal { $0["linear_factors"] = ["coefficients": [[1.0, 2.0, 3.0], [1.0, 1e308, 1e308]]] }
        #expect(infinite != nil, "\(String(describing: infinite))")
        // Edited coefficients read (the checksum redone), but do not merge with the original.
        var edited = original
        edited["linear_factors"] = ["coefficients": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]
        var other = try AttributionProfile.decode(Array(ProfileFormatTests.withChecksum(edited)), file: "edited.json")
        let mismatch = #expect(throws: ShapDriftError.self) { try other.merge(derived) }
        guard case .incompatible(let incompatibility)? = mismatch else {
            Issue.record("expected an incompatibility, got \(String(describing: mismatch))")
            return
        }
        #expect(incompatibility.setting == .attributionSummaries && incompatibility.recorded.contains("coefficient 0"), "\(incompatibility)")
        #expect(derived.coefficientMismatch(with: linear.coefficients) == nil)
        // A small file claiming a million outputs' derivations of wide stores: over the budget.
        var wide = StreamSummary()
        [1e-10, 1e9].forEach { wide.add($0) }
        let factors = LinearAttributionFactors(coefficients: [Double](repeating: 1, count: 1 << 20), outputs: 1 << 20, centred: [wide])
        #expect(factors.derivedCellBound > ProfileValidation.Budget(fileSize: 1 << 20, cellsUsed: 0).derivedCells)
    }
}
