import Foundation
import ShapDriftCore

/// What a profile file must satisfy before and after it is decoded. A profile is read by
/// `check` and `merge` from wherever it was stored, so every count and range in it is checked
/// with arithmetic that cannot overflow, and every size it implies is bounded by the file's own
/// size before anything is allocated: a bucket index of −2⁶³ once aborted `check` trying to
/// allocate 18446744073709549240 bytes, and index ranges a few bytes long asked for gigabytes.
enum ProfileValidation {
    /// Dense sketch cells (8 bytes each) all bucket stores of one profile may span together:
    /// `baseBucketCells` (4 Mi, 32 MiB) plus `cellsPerFileByte` per byte of the file — in the JSON
    /// stores of formats 1–3 and the compressed summaries block of format 4 alike
    /// (`cellBudget`). A few bytes declaring a range of 70,000 buckets, or a block of zero bytes
    /// that DEFLATE squeezes 1,000 : 1, do not fit; what ShapDrift writes does, by a margin. A
    /// written store's buckets are mostly non-zero, each a varint delta of its Poisson noise, so
    /// the file pays for them; measured on format 4 (docs/robustness.md): 1.4 cells per file
    /// byte for the 10-class, 1,000-feature W1 baseline of 40,000 rows, 1.7 at 10,000, 2.3 at
    /// 1,000, 3.0 at 100 (the most), 0.3 at 2; current profiles, with their bootstrap, fewer.
    /// Empty buckets between far-apart values cost almost nothing compressed, so no bound holds
    /// for every legitimate file (a profile of two rows with values 10^17 apart spans 2,048
    /// buckets a store, like a bomb): a profile over budget is refused naming it.
    static let baseBucketCells = 1 << 22
    /// Cells allowed per byte of the profile file, past `baseBucketCells`.
    static let cellsPerFileByte = 8
    /// Bytes format 4's decompressed summaries block may declare per cell of the budget: a
    /// bucket is one to three bytes of varint, and each summary's fixed part (counts, min, max,
    /// the exact sums' terms) under a hundred; ShapDrift's blocks hold at most 3.2 bytes per
    /// cell (a 2-row profile, whose stores are one bucket each), far below the budget's 4 × 8 per byte.
    static let blockBytesPerCell = 4

    /// The cells a profile of `fileSize` bytes may span: `baseBucketCells` + `cellsPerFileByte` × the size.
    static func cellBudget(fileSize: Int) -> Int {
        baseBucketCells + cellsPerFileByte * Swift.min(fileSize, Int.max / (2 * cellsPerFileByte * blockBytesPerCell))
    }

    /// The budget handed to the decoder (`JSONDecoder.userInfo[budgetKey]`) for format 4's block:
    /// the cells the JSON stores left, and the bytes the block may declare.
    struct Budget: Sendable {
        let cells: Int
        let blockBytes: Int
        /// The cells format 5's derived attribution summaries may span: `derivedCellsPerCell`
        /// times the whole budget.
        let derivedCells: Int

        init(fileSize: Int, cellsUsed: Int) {
            let total = ProfileValidation.cellBudget(fileSize: fileSize)
            cells = Swift.max(0, total - cellsUsed)
            blockBytes = total * ProfileValidation.blockBytesPerCell
            derivedCells = total.multipliedReportingOverflow(by: ProfileValidation.derivedCellsPerCell).partialValue
        }
    }

    /// Derived cells allowed per cell of the budget. A linear model's profile stores each
    /// feature's centred summary once and derives one per output (`LinearAttributionFactors`),
    /// so its memory is its outputs times what the file pays for. 8 covers what ShapDrift writes
    /// by a margin above 10: W1's 10 classes over 1,000 features need 0.69 of the budget at 40,000
    /// rows and 0.46 at 99 (measured: the coefficients, written in the open, grow the file, and
    /// so the budget, with the outputs). A hostile file gets at most 8 derived 2-byte counts per
    /// budget cell: 16 bytes, where the stores it holds may take 8.
    static let derivedCellsPerCell = 8

    static let budgetKey = CodingUserInfoKey(rawValue: "shapdrift.profile-budget")!

    /// Checks, on the parsed document and before decoding allocates, every bucket store (any
    /// object with `indices` and `counts`): indices whole, within `BucketStore.indexRange` and
    /// increasing; counts whole and at most `StreamSummary.maximumCount`; and the dense range
    /// they span, summed over the file, within `cellBudget(fileSize:)`.
    /// - Returns: the cells the JSON stores span (format 4's block is charged the rest).
    @discardableResult
    static func checkBounds(_ document: JSONValue, fileSize: Int, file: String) throws(InputError) -> Int {
        var cells = 0
        let budget = cellBudget(fileSize: fileSize)
        var path: [String] = []
        try walk(document, path: &path, file: file) { (store: [String: JSONValue], path: [String]) throws(InputError) in
            func fail(_ message: String) -> InputError { InputError(file: file, field: fieldName(path), message) }
            guard let indices = store["indices"]?.arrayValue, let counts = store["counts"]?.arrayValue else {
                throw fail("expected indices and counts arrays of whole numbers")
            }
            guard indices.count == counts.count else {
                throw fail("\(indices.count) indices but \(counts.count) counts")
            }
            var previous: Int? = nil
            for item in indices {
                guard let value = item.numberValue, value.rounded() == value,
                      value >= Double(BucketStore.indexRange.lowerBound), value <= Double(BucketStore.indexRange.upperBound) else {
                    throw fail("bucket index \(describe(item)) is outside \(BucketStore.indexRange.lowerBound)...\(BucketStore.indexRange.upperBound), the buckets finite values fall in")
                }
                let index = Int(value)
                if let previous, index <= previous {
                    throw fail("bucket indices must increase, found \(index) after \(previous)")
                }
                previous = index
            }
            for item in counts {
                guard let value = item.numberValue, value.rounded() == value, value >= 0, value <= Double(StreamSummary.maximumCount) else {
                    throw fail("bucket count \(describe(item)) is not a whole number in 0...2^53")
                }
            }
            if let first = indices.first?.numberValue, let last = indices.last?.numberValue {
                cells += Int(last - first) + 1
                guard cells <= budget else {
                    throw fail("the sketches' bucket ranges span more than \(budget) buckets in all, more than a profile of \(fileSize) bytes can hold")
                }
            }
        }
        return cells
    }

    /// Calls `body` for every object with `indices` and `counts` members, depth first, with its path, and
    /// refuses the bare `NaN` and `Infinity` tokens our parser reads for model files: a profile
    /// never holds them (the decoder would refuse them without saying where).
    private static func walk(_ value: JSONValue, path: inout [String], file: String,
                             _ body: ([String: JSONValue], [String]) throws(InputError) -> Void) throws(InputError) {
        switch value {
        case .object(let members):
            // A bucket store (`{indices, counts}`); a shard list has `indices` alone.
            if members["indices"] != nil, members["counts"] != nil {
                try body(members, path)
                return
            }
            for (key, member) in members {
                path.append(".\(key)")
                try walk(member, path: &path, file: file, body)
                path.removeLast()
            }
        case .array(let items):
            for (index, item) in items.enumerated() {
                path.append("[\(index)]")
                try walk(item, path: &path, file: file, body)
                path.removeLast()
            }
        case .number(let number) where !number.isFinite:
            throw InputError(file: file, field: fieldName(path), "\(number) is not a finite number")
        case .numbers(let numbers):
            if let index = numbers.firstIndex(where: { !$0.isFinite }) {
                throw InputError(file: file, field: fieldName(path) + "[\(index)]", "\(numbers[index]) is not a finite number")
            }
        default:
            return
        }
    }

    /// A stored number as written (whole numbers without a fraction), for messages.
    private static func describe(_ value: JSONValue) -> String {
        guard let number = value.numberValue else { return "that is not a number" }
        if number.rounded() == number, abs(number) < 1e18 { return String(Int64(number)) }
        return "\(number)"
    }

    private static func fieldName(_ path: [String]) -> String {
        let joined = path.joined()
        return joined.hasPrefix(".") ? String(joined.dropFirst()) : joined
    }

    /// The first invariant a decoded profile breaks, as (field, what is wrong), or `nil`:
    /// at most 2⁵³ rows (and rows seen); one output summary list per output, in order, with finite
    /// base values; distinct feature names; every summary, the predictions' too, consistent with
    /// the rows (`StreamSummary`); and category counts that add up to at most the rows.
    static func violation(of profile: AttributionProfile) -> (field: String?, message: String)? {
        let rows = profile.rows
        guard rows <= StreamSummary.maximumCount else {
            return ("rows", "\(rows) rows is more than the 2^53 a profile counts exactly")
        }
        let names = profile.identity.featureNames
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            return ("model.feature_names", "feature name '\(name)' appears more than once: features are compared by name")
        }
        guard profile.identity.numOutputs >= 1 else { return ("model.n_outputs", "expected at least one output") }
        for (index, output) in profile.outputs.enumerated() {
            guard output.output == index else { return ("outputs[\(index)].output", "expected \(index), found \(output.output)") }
            guard output.baseValue.isFinite else { return ("outputs[\(index)].base_value", "expected a finite number") }
            for (feature, summary) in output.features.enumerated() {
                if let problem = summary.violation(rows: rows) {
                    return ("outputs[\(index)].features[\(feature)] ('\(names[feature])')", problem)
                }
            }
        }
        for (feature, summary) in profile.featureValues.enumerated() {
            if let problem = summary.violation(rows: rows) { return ("feature_values[\(feature)] ('\(names[feature])')", problem) }
        }
        for prediction in profile.predictions ?? [] {
            if let problem = prediction.value.violation(rows: rows) { return ("predictions[\(prediction.output)].value", problem) }
            if let problem = prediction.probability?.violation(rows: rows) { return ("predictions[\(prediction.output)].probability", problem) }
        }
        if let seen = profile.rowsSeen, seen > StreamSummary.maximumCount {
            return ("rows_seen", "\(seen) rows is more than the 2^53 a profile counts exactly")
        }
        for (index, category) in (profile.categories ?? []).enumerated() {
            // Added with overflow checks: a category's counts are at most the profile's rows.
            var total: UInt64 = 0
            for count in category.counts.values {
                let (sum, overflow) = total.addingReportingOverflow(count)
                guard !overflow, sum <= rows else {
                    return ("categories[\(index)] ('\(names[category.feature])')", "the category counts add up to more than the profile's \(rows) rows")
                }
                total = sum
            }
        }
        if let seen = profile.rowsSeen {
            // Without sampling the column counts are of `rows`: a stray `rows_seen` would let a
            // merge add them past what the rows bound.
            guard profile.recordSampling != nil else { return ("rows_seen", "present without record_sampling: only a sampled profile has rows read before sampling") }
            guard rows <= seen else { return ("rows_seen", "\(seen) rows read before sampling, fewer than the \(rows) profiled") }
        }
        // A linear model's derived profile bootstraps the centred values: one column per feature.
        let width = (profile.linearFactors == nil ? profile.identity.numOutputs : 1).multipliedReportingOverflow(by: names.count)
        if let bootstrap = profile.bootstrap, let (field, message) = bootstrap.violation(rows: rows, width: width.overflow ? -1 : width.partialValue) {
            return ("bootstrap.\(field)", message)
        }
        if let records = profile.records, let problem = recordsViolation(records) { return problem }
        if let counts = profile.columnCounts, let problem = columnCountsViolation(counts, rows: profile.rowsSeen ?? rows, features: names.count) {
            return problem
        }
        return nil
    }

    /// The first count of `records` (what reading found) out of bounds, as (key path, what is
    /// wrong), or `nil`: every count in 0…2⁵³ (so a merge of two adds without overflow, and
    /// `mergedRecordsViolation` refuses a sum past the bound), at most `read` records skipped,
    /// the skipped records by reason adding up to them, and at most `SkippedRecords.quotedLimit`
    /// of them quoted.
    static func recordsViolation(_ records: RecordSummary) -> (field: String?, message: String)? {
        let bound = Int(StreamSummary.maximumCount)
        let counts = [("read", records.read), ("skipped", records.skipped.count), ("outside_window", records.outsideWindow),
                      ("files_read", records.filesRead), ("files_outside_window", records.filesOutsideWindow)]
            + records.skipped.byReason.sorted { $0.key.rawValue < $1.key.rawValue }.map { ("by_reason.\($0.key.rawValue)", $0.value) }
        for (key, count) in counts where !(0...bound).contains(count) {
            return ("records.\(key)", "\(count) is not a count in 0...2^53")
        }
        guard records.skipped.count <= records.read else {
            return ("records.skipped", "\(records.skipped.count) records skipped, more than the \(records.read) read")
        }
        // Each at most 2^53: the sum of the few reasons cannot overflow.
        let byReason = records.skipped.byReason.values.reduce(0, +)
        guard byReason == records.skipped.count else {
            return ("records.by_reason", "the skipped records by reason add up to \(byReason), not the \(records.skipped.count) skipped")
        }
        guard records.skipped.first.count <= Swift.min(SkippedRecords.quotedLimit, records.skipped.count) else {
            return ("records.first_skipped", "\(records.skipped.first.count) records quoted, more than the \(Swift.min(SkippedRecords.quotedLimit, records.skipped.count)) kept")
        }
        return nil
    }

    /// The first count of `counts` (which columns the rows carried) out of bounds, for a profile
    /// whose source handed out `rows` rows (its `rows_seen` under sampling, else its rows) over
    /// `features` features, or `nil`: `rows` those rows, each feature's absent rows and each extra
    /// column's rows at most them, feature keys indices of the model's features. Merged counts
    /// then stay at most the merged rows, which `merge` bounds by 2⁵³.
    static func columnCountsViolation(_ counts: ColumnStatistics, rows: UInt64, features: Int) -> (field: String?, message: String)? {
        guard counts.rows == rows else {
            return ("column_counts.rows", "\(counts.rows) rows, but the profile's source handed out \(rows)")
        }
        for (feature, count) in counts.absentFeatureRows.sorted(by: { $0.key < $1.key }) {
            guard (0..<features).contains(feature) else {
                return ("column_counts.absent_feature_rows.\(feature)", "not a feature index: the model has \(features) features")
            }
            guard count <= rows else {
                return ("column_counts.absent_feature_rows.\(feature)", "\(count) rows without the column, more than the \(rows) rows")
            }
        }
        for (name, count) in counts.extraColumns.sorted(by: { $0.key < $1.key }) where count > rows {
            return ("column_counts.extra_columns.\(name)", "\(count) rows carrying the column, more than the \(rows) rows")
        }
        return nil
    }
}

extension StreamSummary {
    /// The largest count a summary or profile holds: 2⁵³, so every count is exact as a Double
    /// (means, shares) and merging two profiles cannot overflow a UInt64.
    public static let maximumCount: UInt64 = 1 << 53

    /// What is inconsistent in a summary of a profile of `rows` rows, or `nil`: count + missing =
    /// rows (without overflow); the sketch's buckets add up to its count (checked sums); an empty
    /// summary has zero sums and no range; otherwise min ≤ max, both finite, the sums finite with
    /// Σ|x| ≥ |Σx| and Σx² ≥ 0, and the sketch's signs and largest buckets within min and max.
    func violation(rows: UInt64) -> String? {
        guard count <= Self.maximumCount, missing <= Self.maximumCount, count + missing == rows else {
            return "count \(count) + missing \(missing) is not the profile's \(rows) rows"
        }
        guard let bucketTotal = sketch.bucketTotal, bucketTotal == count else {
            return "the sketch's buckets do not add up to its count \(count)"
        }
        let (total, absolute, squares) = (sum.value, sumAbs.value, sumSquares.value)
        guard total.isFinite, absolute.isFinite, squares.isFinite else { return "a sum is not finite" }
        guard count > 0 else {
            guard total == 0, absolute == 0, squares == 0, min == .infinity, max == -.infinity else {
                return "no values counted, yet sums or a range are recorded"
            }
            return nil
        }
        guard min.isFinite, max.isFinite, min <= max else { return "min \(min) and max \(max) are not a finite range" }
        guard absolute >= Swift.abs(total), squares >= 0 else {
            return "sum \(total), sum_abs \(absolute) and sum_squares \(squares) are inconsistent (Σ|x| must be at least |Σx|, Σx² non-negative)"
        }
        if let problem = sketch.rangeViolation(min: min, max: max) { return problem }
        return nil
    }
}
