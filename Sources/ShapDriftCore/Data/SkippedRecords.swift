/// One bad record a read skipped, as quoted in reports: where it is and what was wrong.
public struct SkippedRecord: Codable, Equatable, Sendable {
    public var file: String
    /// 1-based line of the file (the physical line; for CSV the header is line 1).
    public var line: Int?
    public var reason: BadRecordReason
    /// The record's error without its location, e.g. `amount: expected a finite number …, found 'abc'`.
    public var message: String

    public init(file: String, line: Int?, reason: BadRecordReason, message: String) {
        self.file = file
        self.line = line
        self.reason = reason
        self.message = message
    }

    /// `file:line: message (reason)`, as printed.
    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
    }
}

/// The tally of the bad records a read skipped under a `BadRecordPolicy`: how many, by reason,
/// and the first `quotedLimit` quoted with their file, line and message.
public struct SkippedRecords: Codable, Equatable, Sendable {
    /// How many skipped records are quoted (`first`).
    public static let quotedLimit = 10

    public private(set) var count = 0
    public private(set) var byReason: [BadRecordReason: Int] = [:]
    /// The first skipped records, in reading order, at most `quotedLimit`.
    public private(set) var first: [SkippedRecord] = []

    public init() {}

    /// Counts one skipped record.
    public mutating func add(_ error: InputError, reason: BadRecordReason) {
        count += 1
        byReason[reason, default: 0] += 1
        if first.count < Self.quotedLimit {
            var unlocated = error
            unlocated.file = nil
            unlocated.line = nil
            unlocated.column = nil
            first.append(SkippedRecord(file: error.file ?? "<input>", line: error.line, reason: reason,
                                       message: unlocated.description + (error.column.map { " (column \($0))" } ?? "")))
        }
    }

    /// Adds the records another part of the same input skipped: counts add up; the quoted records
    /// are the first `quotedLimit` of both by file and line (the order of a single read of files
    /// taken in path order, as directories are).
    /// - Complexity: O(quotedLimit · log quotedLimit).
    public mutating func merge(_ other: SkippedRecords) {
        count += other.count
        byReason.merge(other.byReason, uniquingKeysWith: +)
        first = Array((first + other.first).sorted { ($0.file, $0.line ?? 0) < ($1.file, $1.line ?? 0) }.prefix(Self.quotedLimit))
    }

    /// The counts by reason in words, most frequent first: `not a number 2, malformed JSON 1`.
    public var reasonsText: String {
        byReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
    }

    enum CodingKeys: String, CodingKey { case count = "skipped", byReason = "by_reason", first = "first_skipped" }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decode(Int.self, forKey: .count)
        let reasons = try container.decode([String: Int].self, forKey: .byReason)
        for (name, value) in reasons {
            guard let reason = BadRecordReason(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: .byReason, in: container, debugDescription: "unknown reason \(name)")
            }
            byReason[reason] = value
        }
        first = try container.decode([SkippedRecord].self, forKey: .first)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(Dictionary(uniqueKeysWithValues: byReason.map { ($0.key.rawValue, $0.value) }), forKey: .byReason)
        try container.encode(first, forKey: .first)
    }
}
