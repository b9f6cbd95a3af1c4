import Foundation
import Testing
@testable import ShapDriftCore

@Suite("Shard selection")
struct ShardSelectionTests {
    @Test("INDEX/COUNT is read 0-based; anything else is refused with the range")
    func parsing() throws {
        let shard = try ShardSelection.parse("3/8", unit: .record)
        #expect(shard.index == 3 && shard.count == 8 && shard.unit == .record && shard.description == "shard 3/8 by record")
        #expect(try ShardSelection.parse("0/1").isWhole)
        for bad in ["8/8", "-1/4", "1/0", "2", "a/b", "1/2/3", "1/2000000"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try ShardSelection.parse(bad) }
        }
    }

    @Test("by record every key lands in exactly one shard, the shards balance, and the draw is independent of sampling")
    func recordShards() {
        var generator = SplitMix64(seed: 11)
        let keys = (0..<70_000).map { _ in generator.next() }
        let count = 7
        let shards = (0..<count).map { try! ShardSelection(index: $0, count: count, unit: .record) }
        let sampling = RecordSampling(rate: 0.3, seed: 5)
        var joint = [[Int]](repeating: [0, 0], count: count)
        for key in keys {
            let owners = shards.filter { $0.ownsRecord(key) }
            #expect(owners.count == 1)
            joint[owners[0].index][sampling.keeps(key) ? 1 : 0] += 1
        }
        // Each shard holds 1/7 of the keys and, within it, 30 % are sampled (binomial: 4 σ).
        for counts in joint {
            let total = Double(counts[0] + counts[1])
            #expect(abs(total - 10_000) < 4 * (70_000 * (1.0 / 7) * (6.0 / 7)).squareRoot())
            #expect(abs(Double(counts[1]) / total - 0.3) < 4 * (0.3 * 0.7 / total).squareRoot())
        }
    }

    @Test("by file the files are dealt out in turn; by the engine nothing is filtered")
    func fileAndEngineShards() throws {
        let shard = try ShardSelection(index: 1, count: 3, unit: .file)
        #expect((0..<9).filter { shard.ownsFile(at: $0) } == [1, 4, 7])
        #expect(shard.ownsRecord(42) && !shard.filtersRecords && shard.filtersFiles)
        let engine = try ShardSelection(index: 1, count: 3, unit: .engine)
        #expect(engine.ownsFile(at: 0) && engine.ownsRecord(42) && !engine.filtersFiles && !engine.filtersRecords)
    }
}
