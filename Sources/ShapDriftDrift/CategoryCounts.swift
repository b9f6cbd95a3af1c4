import ShapDriftCore

/// Exact counts of each value of a categorical feature, mergeable: the category shares a
/// two-sample test compares and the set of categories a baseline has seen (SageMaker's
/// `categorical_values_check`). Sketch buckets cannot serve: above 50, neighbouring integer codes
/// share a 1 % bucket.
///
/// At most `limit` distinct values are kept; a feature with more (not a category code) is marked
/// `overflowed` and its counts dropped, so memory stays bounded whatever the data. Whether the
/// limit is passed depends only on the set of values, so merges stay exact in any order.
public struct CategoryCounts: Codable, Equatable, Sendable {
    /// Distinct values kept at most.
    public static let limit = 4096

    /// The feature's index in model order.
    public let feature: Int
    public private(set) var counts: [Double: UInt64] = [:]
    public private(set) var overflowed = false

    public init(feature: Int) {
        self.feature = feature
    }

    /// Counts one value (missing values are the feature's summary's to count).
    @inline(__always)
    public mutating func add(_ value: Double) {
        guard !overflowed, value.isFinite else { return }
        // −0 and +0 are one category.
        counts[value == 0 ? 0 : value, default: 0] += 1
        if counts.count > Self.limit { overflow() }
    }

    public mutating func merge(_ other: CategoryCounts) {
        guard !overflowed else { return }
        guard !other.overflowed else { return overflow() }
        for (value, count) in other.counts { counts[value, default: 0] += count }
        if counts.count > Self.limit { overflow() }
    }

    private mutating func overflow() {
        overflowed = true
        counts = [:]
    }

    /// Values seen, increasing.
    public var values: [Double] { counts.keys.sorted() }

    public var total: UInt64 { counts.values.reduce(0, +) }

    enum CodingKeys: String, CodingKey { case feature, values, counts, overflowed }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        feature = try container.decode(Int.self, forKey: .feature)
        overflowed = try container.decodeIfPresent(Bool.self, forKey: .overflowed) ?? false
        let values = try container.decode([Double].self, forKey: .values)
        let numbers = try container.decode([UInt64].self, forKey: .counts)
        guard values.count == numbers.count, values.count <= Self.limit, !(overflowed && !values.isEmpty) else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: container,
                                                   debugDescription: "category values and counts differ in length, exceed \(Self.limit), or accompany an overflow")
        }
        for (value, count) in zip(values, numbers) {
            guard value.isFinite, counts[value] == nil else {
                throw DecodingError.dataCorruptedError(forKey: .values, in: container, debugDescription: "category values must be finite and distinct")
            }
            counts[value] = count
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(feature, forKey: .feature)
        let sorted = values
        try container.encode(sorted, forKey: .values)
        try container.encode(sorted.map { counts[$0] ?? 0 }, forKey: .counts)
        try container.encode(overflowed, forKey: .overflowed)
    }
}
