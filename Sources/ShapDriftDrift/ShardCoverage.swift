import ShapDriftCore

/// Which shards of a split (`ShardSelection`) a profile holds: the split's size and rule, and
/// the shard indices merged into it. A merge refuses a shard twice (its rows would count twice)
/// and splits of another size or rule; a check refuses a profile missing shards, so a job whose
/// shard failed cannot report on part of the data as if it were the whole.
public struct ShardCoverage: Codable, Equatable, Sendable {
    public let count: Int
    public let unit: ShardSelection.Unit
    /// The shards held, ascending.
    public private(set) var indices: [Int]

    /// The coverage of one shard's profile; `nil` for the whole input.
    public init?(_ shard: ShardSelection) {
        guard !shard.isWhole else { return nil }
        count = shard.count
        unit = shard.unit
        indices = [shard.index]
    }

    public var isComplete: Bool { indices.count == count }

    /// The shards not held, for messages: the first ten, then how many more.
    /// - Complexity: O(count).
    public var missingDescription: String {
        let held = Set(indices)
        let missing = (0..<count).filter { !held.contains($0) }
        let shown = missing.prefix(10).map(String.init).joined(separator: ", ")
        return missing.count > 10 ? "\(shown) and \(missing.count - 10) more" : shown
    }

    /// Adds the shards of `other`.
    /// - Throws: `IncompatibilityError` for a split of another size or rule, or a shard held by both.
    /// - Complexity: O(shards held).
    public mutating func merge(_ other: ShardCoverage) throws(IncompatibilityError) {
        guard other.count == count, other.unit == unit else {
            throw IncompatibilityError(setting: .shards, recorded: "a split into \(count) by \(unit.rawValue)",
                                       given: "a split into \(other.count) by \(other.unit.rawValue)",
                                       consequence: "shards of different splits overlap")
        }
        var merged: [Int] = []
        merged.reserveCapacity(indices.count + other.indices.count)
        var (left, right) = (0, 0)
        while left < indices.count || right < other.indices.count {
            let a = left < indices.count ? indices[left] : Int.max
            let b = right < other.indices.count ? other.indices[right] : Int.max
            if a == b {
                throw IncompatibilityError(setting: .shards, recorded: "shard \(a) of \(count)", given: "shard \(a) again",
                                           consequence: "its rows would be counted twice")
            }
            merged.append(Swift.min(a, b))
            if a < b { left += 1 } else { right += 1 }
        }
        indices = merged
    }

    /// The refusal of a profile that holds only these shards, named by its `role` in the check
    /// ("baseline", "current profile"); `nil` when every shard is held.
    public func incompleteError(role: String) -> InputError? {
        guard !isComplete else { return nil }
        return InputError(field: "shards", "the \(role) holds \(indices.count) of the \(count) shards of its split (by \(unit.rawValue)); "
                                             + "missing: \(missingDescription). Merge every shard's profile")
    }

    enum CodingKeys: String, CodingKey { case count, unit = "by", indices }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decode(Int.self, forKey: .count)
        unit = try container.decode(ShardSelection.Unit.self, forKey: .unit)
        indices = try container.decode([Int].self, forKey: .indices)
        guard (2...ShardSelection.maximumCount).contains(count), !indices.isEmpty,
              zip(indices, indices.dropFirst()).allSatisfy({ $0 < $1 }), indices.first! >= 0, indices.last! < count else {
            throw DecodingError.dataCorruptedError(forKey: .indices, in: container,
                                                   debugDescription: "expected ascending shard indices from 0 to count - 1, count 2 or more")
        }
    }
}
