import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftDrift
import ShapDriftTestSupport

/// The Poisson bootstrap's reproducible sums (`PoissonBootstrap`), against the rule its
/// documentation states, computed here another way.
@Suite("Bootstrap sums")
struct BootstrapTests {
    /// Random attributions of magnitudes 1e-3…1e1 (some zero), `rows × width`, with record keys.
    static func batch(rows: Int, width: Int, seed: UInt64) -> (AttributionBatch, [UInt64]) {
        var generator = SplitMix64(seed: seed)
        let values = (0..<(rows * width)).map { _ -> Double in
            let u = generator.nextUnit()
            if u < 0.05 { return 0 }
            return (generator.nextUnit() < 0.5 ? -1 : 1) * pow(10, -3 + 4 * generator.nextUnit())
        }
        let keys = (0..<rows).map { _ in generator.next() }
        return (AttributionBatch(rowCount: rows, numOutputs: 1, numFeatures: width, values: values, baseValues: [0]), keys)
    }

    /// Poisson(1) by inversion, its CDF summed here: the smallest k with u ≤ P(K ≤ k).
    static func weight(seed: UInt64, key: UInt64, replicate: Int) -> UInt64 {
        let bits = SplitMix64.mix(SplitMix64.mix(seed &+ key) ^ (UInt64(replicate) &* 0x9E37_79B9_7F4A_7C15))
        let u = Double(bits >> 11) * 0x1p-53
        var term = exp(-1.0)
        var cumulative = term
        var k: UInt64 = 0
        while u > cumulative, k < 20 {
            k += 1
            term /= Double(k)
            cumulative += term
        }
        return k
    }

    /// Per replicate and column, the documented sums: the top bin T holds the leading bit of
    /// the largest |φ| (bit p weighs 2^(p − 1074), bins of 24 positions), and each value adds
    /// w × ⌊|φ| / 2^(24(T−1) − 1074)⌋, split into its high and low 24 bits.
    static func reference(_ attributions: AttributionBatch, keys: [UInt64], replicates: Int, seed: UInt64) -> [[(top: Int, high: UInt64, low: UInt64)]] {
        let width = attributions.numFeatures
        return (0..<replicates).map { replicate in
            (0..<width).map { column in
                let magnitudes = (0..<attributions.rowCount).map { abs(attributions[$0, 0, column]) }
                guard let largest = magnitudes.max(), largest > 0 else { return (-1, 0, 0) }
                let top = (Int(largest.exponent) + 1074) / 24
                var (high, low): (UInt64, UInt64) = (0, 0)
                for (row, magnitude) in magnitudes.enumerated() where magnitude > 0 {
                    let scaled = (magnitude * pow(2, Double(-(24 * (top - 1) - 1074)))).rounded(.down)
                    let w = weight(seed: seed, key: keys[row], replicate: replicate)
                    high += w * UInt64(scaled / 0x1p24)
                    low += w * UInt64(scaled.truncatingRemainder(dividingBy: 0x1p24))
                }
                return (top, high, low)
            }
        }
    }

    @Test("the replicates' sums are the documented integer sums of each value's two top bins")
    func sumsFollowTheRule() throws {
        let (attributions, keys) = Self.batch(rows: 700, width: 5, seed: 1)
        var bootstrap = PoissonBootstrap(replicates: 12, seed: 99, width: 5)
        try bootstrap.add(attributions, recordKeys: keys, threads: 2)
        let expected = Self.reference(attributions, keys: keys, replicates: 12, seed: 99)
        for replicate in 0..<12 {
            for column in 0..<5 {
                let ours = bootstrap.sums(replicate: replicate, column: column)
                let theirs = expected[replicate][column]
                #expect(ours.top == theirs.top && ours.high == theirs.high && ours.low == theirs.low, "replicate \(replicate), column \(column)")
            }
        }
        #expect(bootstrap.rows == 700)
    }

    @Test("the replicate means are within the documented bound of the weighted means in floating point")
    func meansWithinBound() throws {
        let (attributions, keys) = Self.batch(rows: 2000, width: 4, seed: 2)
        var bootstrap = PoissonBootstrap(replicates: 10, seed: 5, width: 4)
        try bootstrap.add(attributions, recordKeys: keys)
        for replicate in 0..<10 {
            let weights = keys.map { Double(Self.weight(seed: 5, key: $0, replicate: replicate)) }
            let means = bootstrap.meanAbsolute(replicate: replicate, output: 0, features: 4)
            for column in 0..<4 {
                let magnitudes = (0..<2000).map { abs(attributions[$0, 0, column]) }
                let exact = zip(weights, magnitudes).map { $0 * $1 }.reduce(0, +) / weights.reduce(0, +)
                // Each value loses less than 2^-24 of the column's largest, so the mean does too.
                let bound = 0x1p-24 * (magnitudes.max() ?? 0) + 1e-12 * exact
                #expect(means[column] <= exact * (1 + 1e-12) && exact - means[column] <= bound, "replicate \(replicate), column \(column)")
            }
        }
    }

    @Test("any split into chunks, any order, any thread count and any merge give the same bootstrap")
    func orderAndMergeIndependent() throws {
        let (attributions, keys) = Self.batch(rows: 900, width: 6, seed: 3)
        func part(_ rows: [Int]) -> (AttributionBatch, [UInt64]) {
            let values = rows.flatMap { row in (0..<6).map { attributions[row, 0, $0] } }
            return (AttributionBatch(rowCount: rows.count, numOutputs: 1, numFeatures: 6, values: values, baseValues: [0]), rows.map { keys[$0] })
        }
        var whole = PoissonBootstrap(replicates: 40, seed: 8, width: 6)
        try whole.add(attributions, recordKeys: keys, threads: 1)
        // The largest value last, then first: the window rises at different times.
        var generator = SplitMix64(seed: 4)
        let shuffled = (0..<900).map { ($0, generator.next()) }.sorted { $0.1 < $1.1 }.map(\.0)
        for threads in [1, 3] {
            var chunked = PoissonBootstrap(replicates: 40, seed: 8, width: 6)
            for start in stride(from: 0, to: 900, by: 77) {
                let (chunk, chunkKeys) = part(Array(shuffled[start..<min(900, start + 77)]))
                try chunked.add(chunk, recordKeys: chunkKeys, threads: threads)
            }
            #expect(chunked == whole)
        }
        var merged = PoissonBootstrap(replicates: 40, seed: 8, width: 6)
        for shard in 0..<3 {
            var piece = PoissonBootstrap(replicates: 40, seed: 8, width: 6)
            let (rows, rowKeys) = part(shuffled.filter { $0 % 3 == shard })
            try piece.add(rows, recordKeys: rowKeys)
            try merged.merge(piece)
        }
        #expect(merged == whole)
        let other = PoissonBootstrap(replicates: 40, seed: 9, width: 6)
        #expect(throws: ShapDriftError.self) { try merged.merge(other) }
    }

    @Test("a bootstrap reads back equal; damaged encodings are refused")
    func coding() throws {
        let (attributions, keys) = Self.batch(rows: 300, width: 3, seed: 6)
        var bootstrap = PoissonBootstrap(replicates: 25, seed: 1, width: 3)
        try bootstrap.add(attributions, recordKeys: keys)
        let data = try JSONEncoder().encode(bootstrap)
        #expect(try JSONDecoder().decode(PoissonBootstrap.self, from: data) == bootstrap)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        func refused(_ change: (inout [String: Any]) -> Void) throws -> Bool {
            var damaged = object
            change(&damaged)
            let bytes = try JSONSerialization.data(withJSONObject: damaged)
            return (try? JSONDecoder().decode(PoissonBootstrap.self, from: bytes)) == nil
        }
        #expect(try refused { $0["replicates"] = 26 })
        #expect(try refused { $0["sums"] = "not base64!" })
        #expect(try refused { $0["sums"] = VarintCoding.encode([Int64](repeating: 1, count: 25 * 3 * 2 - 1)) })
        #expect(try refused { $0["top_bins"] = [-1, 90, 3] })
        #expect(try refused { $0["top_bins"] = [-1, -1, -1] })
        #expect(try refused { $0["rows"] = PoissonBootstrap.capacity + 1 })
        #expect(try refused { $0["bin_bits"] = 32 })
    }

    @Test("past its capacity a bootstrap refuses rows rather than overflow")
    func capacity() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(PoissonBootstrap(replicates: 2, seed: 0, width: 1))) as? [String: Any])
        object["rows"] = PoissonBootstrap.capacity
        var full = try JSONDecoder().decode(PoissonBootstrap.self, from: JSONSerialization.data(withJSONObject: object))
        let (attributions, keys) = Self.batch(rows: 1, width: 1, seed: 7)
        #expect(throws: NumericalError.self) { try full.add(attributions, recordKeys: keys) }
    }

    @Test("varints: zigzag round trips of the extremes; short, long and malformed texts refused")
    func varints() throws {
        let values: [Int64] = [0, 1, -1, 63, -64, 64, 1 << 40, -(1 << 40), .max, .min]
        #expect(try VarintCoding.decode(VarintCoding.encode(values), count: values.count) == values)
        #expect(throws: VarintCoding.Failure.self) { try VarintCoding.decode(VarintCoding.encode(values), count: values.count + 1) }
        #expect(throws: VarintCoding.Failure.self) { try VarintCoding.decode(VarintCoding.encode(values), count: values.count - 1) }
        #expect(throws: VarintCoding.Failure.self) { try VarintCoding.decode(Data([0xFF, 0xFF]).base64EncodedString(), count: 1) }
        #expect(throws: VarintCoding.Failure.self) { try VarintCoding.decode(Data([UInt8](repeating: 0xFF, count: 10) + [0x7F]).base64EncodedString(), count: 1) }
    }
}

@Suite("Shard coverage")
struct ShardCoverageTests {
    @Test("shards merge once each, in any grouping; a split's missing shards are named")
    func coverage() throws {
        func shard(_ index: Int, of count: Int = 5) throws -> ShardCoverage {
            try #require(ShardCoverage(try ShardSelection(index: index, count: count, unit: .record)))
        }
        #expect(ShardCoverage(.whole) == nil)
        var left = try shard(3)
        try left.merge(try shard(0))
        var right = try shard(4)
        try right.merge(left)
        #expect(right.indices == [0, 3, 4] && !right.isComplete && right.missingDescription == "1, 2")
        #expect(throws: IncompatibilityError.self) { try right.merge(try shard(3)) }
        #expect(throws: IncompatibilityError.self) { try right.merge(try shard(1, of: 6)) }
        try right.merge(try shard(1))
        try right.merge(try shard(2))
        #expect(right.isComplete)
        var many = try #require(ShardCoverage(try ShardSelection(index: 0, count: 40, unit: .file)))
        try many.merge(try #require(ShardCoverage(try ShardSelection(index: 39, count: 40, unit: .file))))
        #expect(many.missingDescription == "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 28 more")
    }
}

@Suite("Profile format 4")
struct ProfileFormatTests {
    @Test("a format-3 profile read and written again in the current format reads back equal, in a fraction of the bytes")
    func formatThreeRoundTrip() throws {
        let path = Fixtures.path("profiles", "lgbm-regression-categorical.format3.json")
        let old = try AttributionProfile.load(path: path)
        #expect(old.formatVersion == 3 && old.predictions != nil && old.categories != nil)
        let bytes = try old.encoded()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rewritten = directory.appendingPathComponent("four.json").path
        try Data(bytes).write(to: URL(fileURLWithPath: rewritten))
        var again = try AttributionProfile.load(path: rewritten)
        #expect(again.formatVersion == AttributionProfile.currentFormatVersion)
        again.formatVersion = 3
        #expect(again == old)
        #expect(bytes.count * 5 < (try Data(contentsOf: URL(fileURLWithPath: path))).count)
    }

    @Test("a refused merge leaves the profile as it was, though its shards would have merged")
    func refusedMergeChangesNothing() throws {
        let profile = try AttributionProfile.load(path: Fixtures.path("profiles", "fraud-xgb.format3.json"))
        let width = profile.outputs.count * profile.identity.featureNames.count
        var first = profile
        first.shards = try #require(ShardCoverage(try ShardSelection(index: 0, count: 2, unit: .record)))
        first.bootstrap = PoissonBootstrap(replicates: 4, seed: 1, width: width)
        var second = profile
        second.shards = try #require(ShardCoverage(try ShardSelection(index: 1, count: 2, unit: .record)))
        second.bootstrap = PoissonBootstrap(replicates: 5, seed: 1, width: width)
        let before = first
        let error = #expect(throws: ShapDriftError.self) { try first.merge(second) }
        #expect(error.map { "\($0)" }?.contains("replicates") == true, "\(String(describing: error))")
        #expect(first == before)
    }

    @Test("damaged summaries are refused with the summary at fault")
    func damagedSummaries() throws {
        let profile = try AttributionProfile.load(path: Fixtures.path("profiles", "fraud-xgb.format3.json"))
        var document = try #require(try JSONSerialization.jsonObject(with: Data(try profile.encoded())) as? [String: Any])
        var block = try #require(document["summaries"] as? [String: Any])
        let text = try #require(block["data"] as? String)
        let size = try #require(block["size"] as? Int)
        let compressed = try #require(Data(base64Encoded: text))
        var raw = try Deflate.decompress(Array(compressed), size: size)
        // The first summary's count, one more: its sketch then holds one value too few.
        raw[0] = raw[0] &+ 1
        block["data"] = Data(Deflate.compress(raw)).base64EncodedString()
        document["summaries"] = block
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("damaged.json").path
        // With the checksum recomputed, so the damage reaches the summaries' reader.
        try Self.withChecksum(document).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: InputError.self) { try AttributionProfile.load(path: path) }
        #expect(error?.description.contains("the values of feature 0") == true && error?.description.contains("the sketch holds") == true,
                "\(String(describing: error))")
        block["size"] = 10_000_000_000
        document["summaries"] = block
        try Self.withChecksum(document).write(to: URL(fileURLWithPath: path))
        let bomb = #expect(throws: InputError.self) { try AttributionProfile.load(path: path) }
        #expect(bomb?.description.contains("cannot hold the 10000000000 declared") == true, "\(String(describing: bomb))")
    }

    /// `document` (a profile's JSON with some damage) as bytes carrying a checksum of what it now holds.
    static func withChecksum(_ document: [String: Any]) throws -> Data {
        var document = document
        document["integrity"] = nil
        let parsed = try JSONValue.parse(Array(try JSONSerialization.data(withJSONObject: document)), file: "damaged.json")
        let integrity = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ProfileIntegrity(document: parsed)))
        document["integrity"] = integrity
        return try JSONSerialization.data(withJSONObject: document)
    }

    @Test("a bucket store collapses its lowest buckets past its span, and merges as the whole would")
    func collapsingStore() {
        var whole = BucketStore()
        var low = BucketStore()
        var high = BucketStore()
        for index in stride(from: -3000, through: 1000, by: 7) {
            whole.add(index)
            if index < 0 { low.add(index) } else { high.add(index) }
        }
        // The highest bucket is 997 (−3000 + 7 × 571): the store keeps 997 − 2047 and above.
        #expect(whole.counts.count <= BucketStore.maximumSpan && whole.offset == 997 - BucketStore.maximumSpan + 1)
        #expect(whole.nonZeroBuckets.first?.count == UInt64((-1050 + 3000) / 7 + 1))
        var merged = high
        merged.merge(low)
        #expect(merged == whole)
        var reversed = low
        reversed.merge(high)
        #expect(reversed == whole && whole.nonZeroBuckets.reduce(0) { $0 + $1.count } == UInt64((4000 / 7) + 1))
    }
}
