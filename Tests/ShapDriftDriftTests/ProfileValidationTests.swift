import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftDrift
import ShapDriftTestSupport

/// What `ProfileValidation` refuses in the members a current profile adds (`bootstrap`, `records`,
/// `column_counts`) and the cell budget of format 4's summaries block: every case one that once
/// trapped (`check --current-profile`, `merge`) or allocated by DEFLATE's ratio.
@Suite("Profile validation")
struct ProfileValidationTests {
    /// A current profile of the fraud fixture's profile: its bootstrap over its rows (4 replicates),
    /// what reading found and the columns its rows carried, all consistent.
    static func current() throws -> AttributionProfile {
        var profile = try AttributionProfile.load(path: Fixtures.path("profiles", "fraud-xgb.format3.json"))
        let width = profile.outputs.count * profile.identity.featureNames.count
        var bootstrap = PoissonBootstrap(replicates: 4, seed: 1, width: width)
        let (batch, keys) = BootstrapTests.batch(rows: Int(profile.rows), width: width, seed: 3)
        try bootstrap.add(batch, recordKeys: keys)
        profile.bootstrap = bootstrap
        profile.records = try records(read: Int(profile.rows) + 2, skipped: 2, byReason: ["malformed JSON": 2])
        var counts = ColumnStatistics()
        counts.rows = profile.rows
        counts.absentFeatureRows = [1: 3]
        counts.extraColumns = ["label": profile.rows]
        profile.columnCounts = counts
        return profile
    }

    /// What reading found, as a profile stores it (`skipped` and `by_reason` are read-only in code).
    static func records(read: Int, skipped: Int, byReason: [String: Int], outsideWindow: Int = 0) throws -> RecordSummary {
        let object: [String: Any] = ["read": read, "skipped": skipped, "by_reason": byReason, "first_skipped": [], "outside_window": outsideWindow,
                                     "files_read": 1, "files_outside_window": 0, "variants": []]
        return try JSONDecoder().decode(RecordSummary.self, from: JSONSerialization.data(withJSONObject: object))
    }

    static func field(_ profile: AttributionProfile) -> String? {
        ProfileValidation.violation(of: profile)?.field ?? nil
    }

    @Test("a consistent current profile passes, and reads back after it is written")
    func consistentCurrentProfilePasses() throws {
        let profile = try Self.current()
        #expect(ProfileValidation.violation(of: profile) == nil)
        let read = try AttributionProfile.decode(try profile.encoded(), file: "current.json")
        #expect(read.bootstrap == profile.bootstrap && read.records == profile.records && read.columnCounts == profile.columnCounts)
    }

    @Test("a bootstrap whose width is not outputs × features is refused (it indexed past its columns)")
    func bootstrapWidthMustBeOutputsTimesFeatures() throws {
        var profile = try Self.current()
        profile.bootstrap = PoissonBootstrap(replicates: 4, seed: 1, width: 1)
        let problem = try #require(ProfileValidation.violation(of: profile))
        #expect(problem.field == "bootstrap.width" && problem.message.contains("but the model has"), "\(problem)")
    }

    @Test("a bootstrap of other rows than the profile's is refused")
    func bootstrapRowsMustBeTheProfilesRows() throws {
        var unchanged = try Self.current()
        let width = unchanged.outputs.count * unchanged.identity.featureNames.count
        unchanged.bootstrap = PoissonBootstrap(replicates: 4, seed: 1, width: width)
        let empty = try #require(ProfileValidation.violation(of: unchanged))
        #expect(empty.field == "bootstrap.rows" && empty.message.contains("but the profile holds \(unchanged.rows)"), "\(empty)")
    }

    @Test("bootstrap weight totals and sums beyond what the rows can give are refused, located, from the file")
    func bootstrapSumsAreBoundedByTheRows() throws {
        let profile = try Self.current()
        var document = try #require(try JSONSerialization.jsonObject(with: Data(try profile.encoded())) as? [String: Any])
        let original = try #require(document["bootstrap"] as? [String: Any])
        var bootstrap = original
        var totals = try #require(bootstrap["weight_totals"] as? [UInt64])
        totals[2] = 21 * profile.rows
        bootstrap["weight_totals"] = totals
        document["bootstrap"] = bootstrap
        let error = #expect(throws: InputError.self) {
            try AttributionProfile.decode(Array(try ProfileFormatTests.withChecksum(document)), file: "current.json")
        }
        #expect(error?.description.contains("current.json: bootstrap.weight_totals[2]: ") == true, "\(String(describing: error))")
        // Sums: each replicate's one column past its weight total × 2^24.
        let width = profile.outputs.count * profile.identity.featureNames.count
        var deltas = [Int64](repeating: 0, count: 4 * 2 * width)
        deltas[0] = Int64(1) << 62
        bootstrap["weight_totals"] = original["weight_totals"]
        bootstrap["sums"] = VarintCoding.encode(deltas)
        bootstrap["top_bins"] = [Int](repeating: 40, count: width)
        document["bootstrap"] = bootstrap
        let sums = #expect(throws: InputError.self) {
            try AttributionProfile.decode(Array(try ProfileFormatTests.withChecksum(document)), file: "current.json")
        }
        #expect(sums?.description.contains("bootstrap.sums: replicate 0's sum for column 0") == true, "\(String(describing: sums))")
    }

    @Test("negative or huge record counts, more skipped than read, and reasons not adding up are refused")
    func recordCountsAreBounded() throws {
        var profile = try Self.current()
        let rows = Int(profile.rows)
        let cases: [(RecordSummary, String)] = [
            (try Self.records(read: rows, skipped: -1, byReason: [:]), "records.skipped"),
            (try Self.records(read: 1 << 62, skipped: 0, byReason: [:]), "records.read"),
            (try Self.records(read: rows, skipped: 0, byReason: [:], outsideWindow: -5), "records.outside_window"),
            (try Self.records(read: rows, skipped: 1, byReason: ["malformed JSON": -1, "not a number": 2]), "records.by_reason.malformed JSON"),
            (try Self.records(read: 3, skipped: 4, byReason: ["malformed JSON": 4]), "records.skipped"),
            (try Self.records(read: rows, skipped: 3, byReason: ["malformed JSON": 2]), "records.by_reason"),
        ]
        for (records, field) in cases {
            profile.records = records
            #expect(Self.field(profile) == field, "\(records)")
        }
    }

    @Test("column counts of other rows, absent rows past the rows, and keys that are not feature indices are refused")
    func columnCountsAreBoundedByTheRows() throws {
        var profile = try Self.current()
        let good = try #require(profile.columnCounts)
        var counts = good
        counts.rows = UInt64.max
        profile.columnCounts = counts
        #expect(Self.field(profile) == "column_counts.rows")
        counts = good
        counts.absentFeatureRows = [99: 1]
        profile.columnCounts = counts
        #expect(ProfileValidation.violation(of: profile)?.message.contains("not a feature index") == true)
        counts.absentFeatureRows = [0: profile.rows + 1]
        profile.columnCounts = counts
        #expect(Self.field(profile) == "column_counts.absent_feature_rows.0")
        counts = good
        counts.extraColumns = ["label": profile.rows + 1]
        profile.columnCounts = counts
        #expect(Self.field(profile) == "column_counts.extra_columns.label")
    }

    @Test("under record sampling the column counts are of the rows read before sampling")
    func sampledColumnCountsAreOfTheRowsSeen() throws {
        var profile = try Self.current()
        profile.recordSampling = RecordSampling(rate: 0.5, seed: 1)
        profile.rowsSeen = profile.rows * 2
        #expect(Self.field(profile) == "column_counts.rows")
        var counts = try #require(profile.columnCounts)
        counts.rows = profile.rows * 2
        profile.columnCounts = counts
        #expect(ProfileValidation.violation(of: profile) == nil)
        profile.rowsSeen = profile.rows - 1
        #expect(Self.field(profile) == "rows_seen")
        profile.rowsSeen = profile.rows * 2
        profile.recordSampling = nil
        #expect(ProfileValidation.violation(of: profile)?.message.contains("without record_sampling") == true)
    }

    @Test("a merge whose record counts would pass 2^53 is refused, located, and changes nothing")
    func mergedRecordCountsPastTheBoundAreRefused() throws {
        var first = try Self.current()
        first.records = try Self.records(read: 1 << 53, skipped: 0, byReason: [:])
        #expect(ProfileValidation.violation(of: first) == nil)
        let before = first
        let error = #expect(throws: ShapDriftError.self) { try first.merge(before) }
        guard case .input(let input)? = error else {
            Issue.record("expected an input error, got \(String(describing: error))")
            return
        }
        #expect(input.field == "records.read" && input.message.contains("18014398509481984"), "\(input)")
        #expect(first == before)
        var valid = try Self.current()
        try valid.merge(try Self.current())
        #expect(valid.records?.read == 2 * (Int(before.rows) + 2))
    }

    @Test("stores spanning more cells than the budget are refused before their counts are allocated")
    func summaryStoresAreChargedAgainstTheBudget() throws {
        var summary = StreamSummary()
        for value in [1e-6, 1, 1e6] { summary.add(value) }
        let bytes = SummaryCoding.encode([summary, summary])
        let span = summary.sketch.positive.counts.count
        #expect(try SummaryCoding.decode(bytes, count: 2, cellBudget: 2 * span) == [summary, summary])
        let error = #expect(throws: SummaryCoding.InvalidSummary.self) { try SummaryCoding.decode(bytes, count: 2, cellBudget: 2 * span - 1) }
        #expect(error?.summary == 1 && error?.message.contains("span more than \(2 * span - 1) buckets") == true, "\(String(describing: error))")
        let block = Deflate.compress(bytes)
        let limit = #expect(throws: Deflate.Failure.self) { try Deflate.decompress(block, size: bytes.count, limit: bytes.count - 1) }
        #expect(limit?.message.contains("more than the \(bytes.count - 1)") == true, "\(String(describing: limit))")
    }

    @Test("a wide model’s profile of 1,000 rows (denser per byte than the old one-cell-per-byte rule allowed) loads within the budget")
    func wideProfileOfFewRowsFitsTheBudget() throws {
        let (outputs, features, rows) = (10, 1_000, 1_000)
        let names = (0..<features).map { "x\($0)" }
        let identity = ProfileIdentity(modelSHA256: String(repeating: "cd", count: 32), modelFormat: .inMemory, objective: "multi:softmax",
                                       transform: .softmax, featureNames: names, method: .linear, outputSpace: .raw,
                                       numOutputs: outputs)
        var profile = AttributionProfile(identity: identity, baseValues: [Double](repeating: 0, count: outputs))
        var generator = SplitMix64(seed: 8)
        func normal() -> Double { (-2 * log(1 - generator.nextUnit())).squareRoot() * cos(2 * Double.pi * generator.nextUnit()) }
        let coefficients = (0..<(outputs * features)).map { _ in 0.1 * normal() }
        let values = (0..<(rows * features)).map { _ in normal() }
        var phi = [Double](repeating: 0, count: rows * outputs * features)
        for row in 0..<rows {
            for index in 0..<(outputs * features) { phi[row * outputs * features + index] = coefficients[index] * values[row * features + index % features] }
        }
        profile.add(FeatureBatch(numFeatures: features, rows: values),
                    AttributionBatch(rowCount: rows, numOutputs: outputs, numFeatures: features, values: phi, baseValues: [Double](repeating: 0, count: outputs)))
        let bytes = try profile.encoded()
        let cells = (profile.featureValues + profile.outputs.flatMap(\.features))
            .reduce(0) { $0 + $1.sketch.positive.counts.count + $1.sketch.negative.counts.count }
        // Denser than the base and one cell per byte allow (the JSON formats' old rule): 8 per byte is needed.
        #expect(cells > ProfileValidation.baseBucketCells + bytes.count, "\(cells) cells in \(bytes.count) bytes")
        #expect(cells <= ProfileValidation.cellBudget(fileSize: bytes.count))
        let read = try AttributionProfile.decode(bytes, file: "wide.json")
        #expect(read.outputs == profile.outputs)
    }
}
