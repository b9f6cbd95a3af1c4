/// Which part of the data one run of a split job reads: shard `index` (0-based) of `count`.
///
/// Split jobs run on the batch engines users already have (Kubernetes Indexed Jobs, AWS Batch
/// array jobs, SageMaker Processing, Spark): each shard is profiled on its own and the partial
/// profiles are merged, exactly, into the profile of the whole (`docs/scaling.md`). For that every
/// record must land in exactly one shard, by a rule that needs no coordination between them:
///
/// - **by file** (the default): the files of the input, sorted by the name their rows are keyed
///   by (`RecordKey`: the path below the data directory, or the file name; ties by path), are
///   dealt out in turn: file k goes to shard k mod count. A shard opens only its own files, so
///   reading and parsing split `count` ways, which is what scales to an hour of capture in many
///   files. It balances when files are many and alike (SageMaker writes many); a shard may get
///   none.
/// - **by record**: a record goes to the shard a hash of its key picks (`eventId` for capture,
///   else source name and line), so shards balance whatever the files (one large file, standard
///   input), at the price of every shard reading every file. The hash is a draw of its own,
///   independent of record sampling and of the bootstrap's weights on the same keys.
/// - **by the engine**: the engine already split the input (SageMaker Processing's
///   `ShardedByS3Key`, a Spark partition): every record given belongs to this shard, and `index`
///   and `count` only say which part of the whole it is, so merges can check that the parts
///   cover it once.
public struct ShardSelection: Codable, Hashable, Sendable, CustomStringConvertible {
    public enum Unit: String, Codable, Sendable, CaseIterable {
        case file, record, engine
    }

    public let index: Int
    public let count: Int
    public let unit: Unit

    /// Shards a split may have at most: far beyond any engine's array size (AWS Batch allows
    /// 10,000 children, a Kubernetes Indexed Job 100,000 completions), small enough that a merge
    /// can track each one.
    public static let maximumCount = 1_000_000

    /// - Throws: `ConfigurationError.outOfRange` unless 1 ≤ count ≤ `maximumCount` and
    ///   0 ≤ index < count.
    public init(index: Int, count: Int, unit: Unit = .file) throws(ConfigurationError) {
        guard (1...Self.maximumCount).contains(count) else {
            throw .outOfRange(setting: "shard count", value: "\(count)", allowed: "from 1 to \(Self.maximumCount)")
        }
        guard (0..<count).contains(index) else {
            throw .outOfRange(setting: "shard index", value: "\(index)", allowed: "from 0 to \(count - 1) (shards are numbered from 0)")
        }
        self.index = index
        self.count = count
        self.unit = unit
    }

    private init(uncheckedIndex index: Int, count: Int, unit: Unit) {
        self.index = index
        self.count = count
        self.unit = unit
    }

    /// All of the data, in one piece.
    public static let whole = ShardSelection(uncheckedIndex: 0, count: 1, unit: .file)

    public var isWhole: Bool { count == 1 }

    /// Whether this shard's reader must filter records by their keys.
    public var filtersRecords: Bool { unit == .record && count > 1 }

    /// Whether this shard's reader must filter the input's files.
    public var filtersFiles: Bool { unit == .file && count > 1 }

    /// The shard a record keyed `key` belongs to when splitting by record: two rounds of
    /// SplitMix64 over the key and a salt of this rule's own (record sampling and the bootstrap
    /// hash the same keys with one round and other constants), mapped to 0..<count by the high
    /// half of a 128-bit product, which is uniform without a division.
    @inline(__always)
    public static func recordShard(of key: UInt64, count: Int) -> Int {
        let draw = SplitMix64.mix(SplitMix64.mix(key ^ 0xC3A5_C85C_97CB_3127) &+ 0xB492_B66F_BE98_F273)
        return Int(truncatingIfNeeded: draw.multipliedFullWidth(by: UInt64(count)).high)
    }

    /// Whether the record keyed `key` is this shard's (always, unless splitting by record).
    @inline(__always)
    public func ownsRecord(_ key: UInt64) -> Bool {
        !filtersRecords || Self.recordShard(of: key, count: count) == index
    }

    /// Whether the file at `position` in the sorted list of the input's files is this shard's
    /// (always, unless splitting by file).
    public func ownsFile(at position: Int) -> Bool {
        !filtersFiles || position % count == index
    }

    /// `2/7 by file` (0-based index).
    public var description: String {
        isWhole ? "the whole input" : "shard \(index)/\(count) by \(unit.rawValue)"
    }

    /// Reads `i/n` (0-based i): what `--shard` takes.
    /// - Throws: `ConfigurationError.outOfRange` for anything else.
    public static func parse(_ text: String, unit: Unit = .file) throws(ConfigurationError) -> ShardSelection {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw .outOfRange(setting: "shard", value: "'\(text)'", allowed: "expected INDEX/COUNT with INDEX from 0, e.g. 0/4")
        }
        return try ShardSelection(index: index, count: count, unit: unit)
    }

    enum CodingKeys: String, CodingKey { case index, count, unit = "by" }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(index: container.decode(Int.self, forKey: .index), count: container.decode(Int.self, forKey: .count),
                          unit: container.decode(Unit.self, forKey: .unit))
        } catch let error as ConfigurationError {
            throw DecodingError.dataCorruptedError(forKey: .index, in: container, debugDescription: error.description)
        }
    }
}
