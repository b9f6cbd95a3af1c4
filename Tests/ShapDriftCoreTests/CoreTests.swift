import Foundation
import Testing
@testable import ShapDriftCore
import ShapDriftTestSupport

@Suite("Core support")
struct CoreTests {
    @Test("JSON numbers follow RFC 8259's grammar: no leading +, no bare fraction, no leading zeros")
    func jsonNumberGrammar() throws {
        for good in ["0", "-0", "7", "-12.5", "1e5", "1E-5", "2.5e+10", "0.000125"] {
            #expect(try JSONValue.parse(Array("[\(good)]".utf8)) == .numbers([Double(good)!]), "\(good)")
        }
        for bad in ["+7", ".5", "5.", "01", "-", "1e", "1e+", "--1", "1.2.3", "0x10"] {
            #expect(throws: InputError.self, "\(bad)") { try JSONValue.parse(Array("[\(bad)]".utf8)) }
        }
    }

    @Test("a cgroup quota caps the cores, rounded up; no quota means no cap")
    func cgroupQuota() {
        #expect(ProcessorCount.cpus(quota: 150_000, period: 100_000) == 2)
        #expect(ProcessorCount.cpus(quota: 100_000, period: 100_000) == 1)
        #expect(ProcessorCount.cpus(quota: 10_000, period: 100_000) == 1)
        #expect(ProcessorCount.cpus(quota: -1, period: 100_000) == nil)
        #expect(ProcessorCount.available >= 1)
        if let affinity = ProcessorCount.affinityCount() { #expect(ProcessorCount.available <= affinity) }
    }

    @Test("output transforms are written by name and read back; the four original names and descriptions are unchanged")
    func outputTransformNames() throws {
        let all = OutputTransform.parameterFreeCases + [.scaledLogistic(sigmoid: 2.5), .scaledLogistic(sigmoid: 0.1)]
        for transform in all {
            #expect(OutputTransform(name: transform.name) == transform, "\(transform.name)")
            let encoded = try JSONEncoder().encode([transform])
            #expect(try JSONDecoder().decode([OutputTransform].self, from: encoded) == [transform])
        }
        #expect(Set(all.map(\.name)).count == all.count && Set(all.map(\.rawSpaceDescription)).count == all.count)
        // Profile format 1 recorded these words; they are a file format, not prose.
        #expect(OutputTransform.parameterFreeCases.prefix(4).map { "\($0.name)=\($0.rawSpaceDescription)" } == [
            "identity=model output", "logistic=log-odds", "softmax=per-class margin (softmax input)",
            "exponential=log of the predicted mean",
        ])
        #expect(OutputTransform.logistic(sigmoid: 1) == .logistic && OutputTransform(name: "logistic(sigmoid=2.5)") == .scaledLogistic(sigmoid: 2.5))
        for bad in ["logistic(sigmoid=0)", "logistic(sigmoid=-1)", "logistic(sigmoid=nan)", "sigmoid", ""] {
            #expect(OutputTransform(name: bad) == nil, "\(bad)")
        }
    }

    @Test("LightGBM's zero threshold is the float 1e-35 widened, as its meta.h defines it")
    func lightGBMZeroThreshold() {
        #expect(SplitSemantics.lightGBMZeroThreshold == Double(Float(1e-35)))
        #expect(SplitSemantics.lightGBMZeroThreshold == 1.0000000180025095e-35)
        #expect(SplitSemantics.lightGBMZeroThreshold > 1e-35)
    }

    @Test("a model built in code is fingerprinted by its content")
    func contentFingerprint() throws {
        func model(_ coefficient: Double) throws -> Model {
            let linear = try LinearModel(numFeatures: 2, numOutputs: 1, coefficients: [coefficient, 2], intercept: [0.5], featureMeans: nil)
            return Model(objective: "regression", transform: .identity, featureNames: ["a", "b"], predictor: .linear(linear))
        }
        let first = try model(1)
        #expect(first.fingerprint.count == 64 && first.format == .inMemory)
        #expect(try model(1).fingerprint == first.fingerprint)
        #expect(try model(1.0000000000000002).fingerprint != first.fingerprint)
    }

    @Test("an in-memory source hands out its rows in blocks, with their positions")
    func inMemorySource() throws {
        let source = InMemoryFeatureSource([FeatureBatch(numFeatures: 2, rows: [1, 2, 3, 4, 5, 6], name: "rows")])
        let first = try #require(try source.nextBatch(maxRows: 2))
        #expect(first.values == [1, 2, 3, 4] && first.sourceLines == [1, 2] && first.file == "rows")
        let second = try #require(try source.nextBatch(maxRows: 2))
        #expect(second.values == [5, 6] && second.sourceLines == [3])
        #expect(try source.nextBatch(maxRows: 2) == nil)
    }

    @Test("parallel ranges cover every row exactly once, whatever the thread count")
    func parallelRanges() {
        for threads in [1, 2, 3, 7, 64] {
            var seen = [Int](repeating: 0, count: 1000)
            seen.withUnsafeMutableBufferPointer { counts in
                Parallel.forEachRange(rowCount: 1000, threads: threads, minimumRowsPerTask: 10) { range in
                    for row in range { counts[row] += 1 }
                }
            }
            #expect(seen.allSatisfy { $0 == 1 }, "threads \(threads)")
        }
    }
}
