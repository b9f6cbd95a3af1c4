import Foundation
import ShapDriftCore

/// The attribution profile of a dataset: per model output and feature, the summary of φ; per
/// feature, the summary of its raw values; per output, the summary of the predictions; for
/// categorical features, exact category counts. Written by `shapdrift baseline` (schema in
/// `docs/baseline-profile.md`), built in memory for the current data by `shapdrift check`.
///
/// Profiles are mergeable: `merge` of the profiles of two parts of a dataset is the profile of the
/// whole — counts and sums exactly (`ExactSum`), sketches bucket for bucket, categories value for
/// value.
public struct AttributionProfile: Codable, Equatable, Sendable {
    /// The format this build writes. Format 5 stores a linear model's attributions through its
    /// coefficients and each feature's centred values (`linear_factors`, `LinearAttributionFactors`),
    /// and the other profiles as format 4 did. Format 4 writes the summaries as compact bytes
    /// (`SummaryCoding`: a wide model's profile went from 254 MB to a few), adds the bootstrap,
    /// what reading found and the shards of a split, and carries the checksum of its contents
    /// (`integrity`, `ProfileIntegrity`), required from then on; format 3 added `predictions`,
    /// `categories`, `columns` and `created`; format 2 typed identity fields (`transform`,
    /// `output_space` as `raw`/`probability`) and `writer`. Formats 1 to 3 are still read, without
    /// a checksum to verify (the checks that need the newer members say they are unavailable).
    public static let currentFormatVersion = 5
    /// The formats this build reads.
    public static let readableFormatVersions: ClosedRange<Int> = 1...5
    /// The first format that carries a checksum.
    public static let firstFormatWithIntegrity = 4
    /// The most rows a profile holds (`StreamSummary.maximumCount`, 2⁵³).
    public static let maximumRows = StreamSummary.maximumCount

    public var formatVersion = AttributionProfile.currentFormatVersion
    /// The tool and version that wrote the profile (`shapdrift 0.2.0`); absent in format 1.
    public var writer: String? = ShapDriftVersion.writer
    /// When `shapdrift baseline` wrote the profile (ISO 8601, UTC), or for a merge the latest of
    /// its parts' times; `nil` for a profile built in memory and in formats 1 and 2.
    public var created: String?
    public var identity: ProfileIdentity
    public internal(set) var rows: UInt64 = 0
    /// The record sampling the rows were drawn with (`RecordSampling`); `nil` when every row was
    /// profiled. Not part of the identity: a sampled profile compares with a full one, but
    /// profiles merge only at the same sampling.
    public var recordSampling: RecordSampling?
    /// With sampling: the rows read before sampling (`rows` were kept).
    public var rowsSeen: UInt64?
    /// Per output: base value and one summary of φ per feature (model order).
    public internal(set) var outputs: [OutputAttributions]
    /// One summary of raw values per feature (model order).
    public internal(set) var featureValues: [StreamSummary]
    /// Per output, the distribution of the model's output; `nil` in formats 1 and 2.
    public internal(set) var predictions: [PredictionSummary]?
    /// Exact category counts of the features the model splits on as categories (model order);
    /// `nil` in formats 1 and 2.
    public internal(set) var categories: [CategoryCounts]?
    /// Every column name the data had (the model's features and any others, such as a label),
    /// sorted; `nil` when the data had no names (header-less payloads) or in formats 1 and 2.
    public var columns: [String]?
    /// The bootstrap of the profiled rows, for the NDCG interval of a check made from this profile
    /// (`shapdrift profile`, and the current profile of `check`); `nil` in baselines.
    public var bootstrap: PoissonBootstrap?
    /// What reading the rows found (records read and skipped, the window, the variants), so a
    /// check from a merged profile reports and budgets them as the single read would; `nil` in
    /// baselines.
    public var records: RecordSummary?
    /// Which columns the profiled rows carried (absent features, extra columns), for a check's
    /// data quality from a merged profile; `nil` in baselines.
    public var columnCounts: ColumnStatistics?
    /// The shards of a split this profile holds (`ShardSelection`); `nil` for a profile of the
    /// whole input (or of parts the user split).
    public var shards: ShardCoverage?
    /// For linear SHAP with independent features: the centred values each output's attribution
    /// summaries are derived from (`LinearAttributionFactors`), in place of folding every
    /// attribution; `nil` for the other methods and for profiles that folded each attribution
    /// (formats 1 to 4, and a check against such a baseline).
    public internal(set) var linearFactors: LinearAttributionFactors?

    public struct OutputAttributions: Codable, Equatable, Sendable {
        public var output: Int
        public var baseValue: Double
        public var features: [StreamSummary]

        enum CodingKeys: String, CodingKey { case output, baseValue = "base_value", features }
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", writer, created, identity = "model", rows, outputs, featureValues = "feature_values"
        case predictions, categories, columns, recordSampling = "record_sampling", rowsSeen = "rows_seen"
        case bootstrap, records, columnCounts = "column_counts", shards, summaries, linearFactors = "linear_factors"
    }

    /// An empty profile.
    /// - Parameter categoricalFeatures: the features (model order) whose categories to count:
    ///   those the model splits on as categories.
    /// - Parameter linearCoefficients: for linear SHAP with independent features, the model's
    ///   coefficients (outputs × features, row-major) to derive its attribution summaries
    ///   through (`LinearAttributionFactors`); `nil` to fold every attribution.
    public init(identity: ProfileIdentity, baseValues: [Double], categoricalFeatures: [Int] = [], linearCoefficients: [Double]? = nil) {
        self.identity = identity
        let features = identity.featureNames.count
        linearFactors = linearCoefficients.map { LinearAttributionFactors(coefficients: $0, outputs: baseValues.count, features: features) }
        outputs = baseValues.enumerated().map { OutputAttributions(output: $0, baseValue: $1, features: Array(repeating: StreamSummary(), count: features)) }
        featureValues = Array(repeating: StreamSummary(), count: features)
        let probabilities = identity.outputSpace == .raw && identity.transform.probabilities != nil
        predictions = baseValues.indices.map { PredictionSummary(output: $0, withProbability: probabilities) }
        categories = categoricalFeatures.filter { (0..<features).contains($0) }.sorted().map { CategoryCounts(feature: $0) }
    }

    /// Folds one block of rows and their attributions into the profile. Each summary (a feature's
    /// values, its centred values, or one output's φ of a feature) takes its values in row order
    /// on one worker, so the result is the same for any thread count.
    ///
    /// A profile with `linearFactors` folds each feature's centred values x_j − μ_j (`means`: the
    /// explainer's μ, subtracted as the attributions subtract it) in place of the attributions,
    /// and leaves `outputs` to `deriveAttributions()`, called once the last block is in.
    /// - Precondition: `means` is given, one per feature, exactly when the profile has `linearFactors`.
    /// - Complexity: O(rows × outputs × features); with `linearFactors` and a batch that carries
    ///   its additivity totals (`AttributionBatch.totals`), O(rows × (features + outputs)).
    public mutating func add(_ batch: FeatureBatch, _ attributions: AttributionBatch, threads: Int = 1, centredOn means: [Double]? = nil) {
        precondition(batch.rowCount == attributions.rowCount && attributions.numOutputs == outputs.count)
        precondition((linearFactors == nil) == (means == nil) && (means?.count ?? batch.numFeatures) == batch.numFeatures)
        guard batch.rowCount > 0 else { return }
        let features = batch.numFeatures
        let rowCount = batch.rowCount
        let width = outputs.count * features
        rows += UInt64(rowCount)
        // Move the summaries out so each is uniquely referenced and mutated in place.
        var values = featureValues
        featureValues = []
        var centredSummaries = linearFactors?.centred ?? []
        linearFactors?.centred = []
        var attributionSummaries: [StreamSummary] = []
        if means == nil {
            attributionSummaries.reserveCapacity(width)
            for output in outputs.indices {
                attributionSummaries += outputs[output].features
                outputs[output].features = []
            }
        }
        values.withUnsafeMutableBufferPointer { valueSummaries in
            centredSummaries.withUnsafeMutableBufferPointer { centredSummaries in
                attributionSummaries.withUnsafeMutableBufferPointer { attributionSummaries in
                    batch.values.withUnsafeBufferPointer { x in
                        (means ?? []).withUnsafeBufferPointer { means in
                            attributions.values.withUnsafeBufferPointer { phi in
                                var sources = [FoldSource(summaries: valueSummaries.baseAddress!, values: x.baseAddress!, columns: features, stride: features,
                                                          centring: means.isEmpty ? nil : (centredSummaries.baseAddress!, means.baseAddress!))]
                                if means.isEmpty {
                                    sources.append(FoldSource(summaries: attributionSummaries.baseAddress!, values: phi.baseAddress!, columns: width, stride: width))
                                }
                                Self.fold(sources, rows: rowCount, threads: threads)
                            }
                        }
                    }
                }
            }
        }
        featureValues = values
        linearFactors?.centred = centredSummaries
        if means == nil {
            for output in outputs.indices {
                outputs[output].features = Array(attributionSummaries[(output * features)..<((output + 1) * features)])
            }
        }
        addPredictions(attributions, threads: threads)
        if var counts = categories {
            for index in counts.indices {
                let feature = counts[index].feature
                for row in 0..<rowCount { counts[index].add(batch.values[row * features + feature]) }
            }
            categories = counts
        }
    }

    /// Folds the block's predictions: per row and output, base value + Σⱼ φ (features summed in
    /// order: the explainer's additivity totals when the batch carries them), and the
    /// class probabilities through the model's link when it has one (`OutputTransform.probabilities`).
    private mutating func addPredictions(_ attributions: AttributionBatch, threads: Int) {
        guard var summaries = predictions else { return }
        let (rows, outputCount) = (attributions.rowCount, attributions.numOutputs)
        let margins = attributions.totals.flatMap { $0.count == rows * outputCount ? $0 : nil }
            ?? Self.totals(attributions, threads: threads)
        var probabilities: [Double] = []
        if summaries.first?.probability != nil, let link = identity.transform.probabilities {
            probabilities = margins
            link.apply(to: &probabilities, outputs: outputCount)
        }
        for output in 0..<outputCount {
            margins.withUnsafeBufferPointer { summaries[output].value.add($0.baseAddress! + output, count: rows, stride: outputCount) }
            if summaries[output].probability != nil {
                probabilities.withUnsafeBufferPointer { summaries[output].probability!.add($0.baseAddress! + output, count: rows, stride: outputCount) }
            }
        }
        predictions = summaries
    }

    /// Base value + Σⱼ φ per row and output, the features added in order (as the explainer's
    /// additivity check adds them), rows split across `threads`.
    /// - Complexity: O(rows × outputs × features).
    private static func totals(_ attributions: AttributionBatch, threads: Int) -> [Double] {
        let (rows, outputCount, features) = (attributions.rowCount, attributions.numOutputs, attributions.numFeatures)
        var margins = [Double](repeating: 0, count: rows * outputCount)
        let baseValues = attributions.baseValues
        attributions.values.withUnsafeBufferPointer { phi in
            margins.withUnsafeMutableBufferPointer { margins in
                Parallel.forEachRange(rowCount: rows, threads: threads, minimumRowsPerTask: 1024) { range in
                    let (phi, margins) = (phi.baseAddress!, margins.baseAddress!)
                    for index in (range.lowerBound * outputCount)..<(range.upperBound * outputCount) {
                        var total = baseValues[index % outputCount]
                        for feature in 0..<features { total += phi[index * features + feature] }
                        margins[index] = total
                    }
                }
            }
        }
        return margins
    }

    /// An array of summaries and the row-major values they fold: column j of row r at
    /// `values[j + r·stride]`.
    private struct FoldSource {
        let summaries: UnsafeMutablePointer<StreamSummary>
        let values: UnsafePointer<Double>
        let columns: Int
        let stride: Int
        /// Summaries of the centred values x − μ, folded from the same tiles.
        var centring: (summaries: UnsafeMutablePointer<StreamSummary>, means: UnsafePointer<Double>)? = nil
    }

    /// Folds every source's rows, in groups of up to 8 adjacent columns (a cache line of a row),
    /// the groups of all sources shared among `threads` workers.
    /// - Complexity: O(rows × Σ columns).
    private static func fold(_ sources: [FoldSource], rows: Int, threads: Int) {
        let group = 8
        var groups: [(source: Int, first: Int)] = []
        for (index, source) in sources.enumerated() {
            for first in Swift.stride(from: 0, to: source.columns, by: group) { groups.append((index, first)) }
        }
        Parallel.forEach(count: groups.count, threads: threads) { index in
            let (which, first) = groups[index]
            let source = sources[which]
            StreamSummary.add(to: source.summaries + first, columns: Swift.min(group, source.columns - first),
                              values: source.values + first, rows: rows, stride: source.stride,
                              centring: source.centring.map { ($0.summaries + first, $0.means + first) })
        }
    }

    /// Derives every output's attribution summaries from `linearFactors`, once the last block is
    /// folded (and after a merge or a read, which call it themselves); does nothing for a
    /// profile without them.
    /// - Throws: `.numerical` when a derived sum overflows (`overflowedSummary()` catches it
    ///   block by block first, at the rows).
    /// - Complexity: O(outputs × (features + Σ centred buckets)).
    public mutating func deriveAttributions(threads: Int = 1) throws(ShapDriftError) {
        guard let factors = linearFactors else { return }
        guard let derived = factors.derivedOutputs(threads: threads) else {
            let place = factors.overflowedSummary().map { " (output \($0.output), feature '\(identity.featureNames[$0.feature])')" } ?? ""
            throw .numerical(NumericalError(operation: "profile", "a derived attribution sum overflows\(place)"))
        }
        for output in outputs.indices { outputs[output].features = derived[output] }
    }

    /// The first summary whose sum of squares is no longer finite, as (output, feature), output
    /// `nil` for the raw feature values; `nil` when every sum is finite. Magnitudes above ~1.3e154
    /// overflow their squares, and a profile holding them could not be written or compared.
    public func overflowedSummary() -> (output: Int?, feature: Int)? {
        if let feature = featureValues.firstIndex(where: { !$0.sumSquares.value.isFinite }) { return (nil, feature) }
        if let factors = linearFactors { return factors.overflowedSummary() }
        for output in outputs {
            if let feature = output.features.firstIndex(where: { !$0.sumSquares.value.isFinite }) { return (output.output, feature) }
        }
        return nil
    }

    /// Adds the rows of `other`, which must have the same identity (model, method, features,
    /// background and sampling settings), the same record sampling and bootstrap settings, and
    /// other shards of the same split (or, like this one, none).
    /// - Throws: `.incompatible` naming what differs; `.numerical` when the bootstrap's exact
    ///   sums or a derived attribution sum (`deriveAttributions`) would overflow, or the merge would hold more than `maximumRows` rows (every count of
    ///   a summary is at most its profile's rows, so this one check keeps every count exact and
    ///   every addition below from overflowing). A refused merge leaves the profile as it was.
    /// - Complexity: O(outputs × features × sketch buckets + replicates × outputs × features).
    public mutating func merge(_ other: AttributionProfile) throws(ShapDriftError) {
        guard other.identity == identity else {
            throw .incompatible(identity.mismatch(with: other.identity) ?? IncompatibilityError(
                setting: .model, recorded: "\(identity.modelFormat.rawValue) \(identity.objective)",
                given: "\(other.identity.modelFormat.rawValue) \(other.identity.objective)",
                consequence: "profiles of different models cannot be merged"))
        }
        guard rows <= Self.maximumRows, other.rows <= Self.maximumRows - rows else {
            throw .numerical(NumericalError(operation: "merge", "\(rows) + \(other.rows) rows is more than the 2^53 a profile counts exactly"))
        }
        guard (recordSampling ?? .all) == (other.recordSampling ?? .all) else {
            func describe(_ sampling: RecordSampling?) -> String {
                sampling.map { "\($0.rate * 100) % of the records (seed \($0.seed))" } ?? "every record"
            }
            throw .incompatible(IncompatibilityError(
                setting: .recordSampling, recorded: describe(recordSampling), given: describe(other.recordSampling),
                consequence: "a merge of differently sampled profiles weighs their rows unequally"))
        }
        if let mismatch = foldingMismatch(with: other) ?? other.linearFactors.flatMap({ coefficientMismatch(with: $0.coefficients) }) {
            throw .incompatible(mismatch)
        }
        // What can refuse the merge is merged into locals first, so a refusal leaves this profile as it was.
        var mergedFactors = linearFactors
        if let theirs = other.linearFactors, var mine = mergedFactors {
            for feature in mine.centred.indices { mine.centred[feature].merge(theirs.centred[feature]) }
            mergedFactors = mine
        }
        var mergedOutputs = outputs
        if mergedFactors != nil {
            var derived = self
            derived.linearFactors = mergedFactors
            try derived.deriveAttributions()
            mergedOutputs = derived.outputs
        } else {
            for output in mergedOutputs.indices {
                for feature in mergedOutputs[output].features.indices {
                    mergedOutputs[output].features[feature].merge(other.outputs[output].features[feature])
                }
            }
        }
        var mergedShards = shards
        switch (shards, other.shards) {
        case (nil, nil): break
        case (var mine?, let theirs?):
            do {
                try mine.merge(theirs)
            } catch {
                throw .incompatible(error)
            }
            mergedShards = mine
        case (let mine, let theirs):
            let sharded = (mine ?? theirs)!
            throw .incompatible(IncompatibilityError(
                setting: .shards, recorded: mine == nil ? "a profile of a whole input" : "shards of a split into \(sharded.count)",
                given: mine == nil ? "shards of a split into \(sharded.count)" : "a profile of a whole input",
                consequence: "a merge cannot tell whether their rows overlap"))
        }
        var mergedBootstrap = bootstrap
        switch (bootstrap, other.bootstrap) {
        case (nil, nil): break
        case (var mine?, let theirs?):
            try mine.merge(theirs)
            mergedBootstrap = mine
        case (let mine, let theirs):
            let replicates = (mine ?? theirs)!.replicates
            throw .incompatible(IncompatibilityError(
                setting: .bootstrap, recorded: mine == nil ? "no bootstrap" : "\(replicates) replicates",
                given: mine == nil ? "\(replicates) replicates" : "no bootstrap",
                consequence: "the merge's interval would leave out the rows of one side"))
        }
        // Counts within 2^53 each (`ProfileValidation`) add without overflow; a sum past the bound
        // is refused, as for the rows, so the merged profile reads back.
        var mergedRecords: RecordSummary? = nil
        if var summary = records, let theirs = other.records {
            summary.merge(theirs, everyPartReadEveryFile: mergedShards?.unit == .record)
            if let (field, message) = ProfileValidation.recordsViolation(summary) {
                throw .input(InputError(field: field, "merged: \(message)"))
            }
            mergedRecords = summary
        }
        if let seen = other.rowsSeen, seen > Self.maximumRows - (rowsSeen ?? 0) {
            throw .input(InputError(field: "rows_seen", "the merge's \(rowsSeen ?? 0) + \(seen) rows read is more than the 2^53 a profile counts exactly"))
        }
        shards = mergedShards
        bootstrap = mergedBootstrap
        records = mergedRecords
        if var counts = columnCounts, let theirs = other.columnCounts {
            counts.merge(theirs)
            columnCounts = counts
        } else {
            columnCounts = nil
        }
        rows += other.rows
        if let seen = other.rowsSeen { rowsSeen = (rowsSeen ?? 0) + seen }
        linearFactors = mergedFactors
        outputs = mergedOutputs
        for feature in featureValues.indices { featureValues[feature].merge(other.featureValues[feature]) }
        // What only one side holds (a part written by an older build) is unknown for the whole.
        if var mine = predictions, let theirs = other.predictions, mine.count == theirs.count {
            for output in mine.indices { mine[output].merge(theirs[output]) }
            predictions = mine
        } else {
            predictions = nil
        }
        if var mine = categories, let theirs = other.categories, mine.map(\.feature) == theirs.map(\.feature) {
            for index in mine.indices { mine[index].merge(theirs[index]) }
            categories = mine
        } else {
            categories = nil
        }
        if let mine = columns, let theirs = other.columns {
            columns = Array(Set(mine).union(theirs)).sorted()
        } else {
            columns = nil
        }
        created = [created, other.created].compactMap { $0 }.max()
    }

    /// Why this profile's attribution summaries cannot be merged or compared with `other`'s, or
    /// `nil`: one derived them from centred values (`linearFactors`), the other folded each
    /// attribution. Their sketches place values in buckets differently (`LinearAttributionFactors`),
    /// and a test with enough rows would see that difference as drift.
    public func foldingMismatch(with other: AttributionProfile) -> IncompatibilityError? {
        guard (linearFactors == nil) != (other.linearFactors == nil) else { return nil }
        func describe(_ profile: AttributionProfile) -> String {
            profile.linearFactors == nil ? "each attribution folded" : "attributions derived from each feature's centred values"
        }
        return IncompatibilityError(setting: .attributionSummaries, recorded: describe(self), given: describe(other),
                                    consequence: "their sketches bucket attributions differently; make both with the same build")
    }

    /// Why this profile's linear coefficients (`linearFactors`) are not `coefficients` (the
    /// model's, or another profile's), or `nil` when they are or the profile has none. The model's
    /// fingerprint already ties a profile to its model; the coefficients are checked as well
    /// because its attribution summaries are derived through them, and a file can be edited.
    /// - Complexity: O(outputs × features).
    public func coefficientMismatch(with coefficients: [Double]) -> IncompatibilityError? {
        guard let factors = linearFactors, factors.coefficients != coefficients else { return nil }
        let first = zip(factors.coefficients, coefficients).enumerated().first { $0.element.0 != $0.element.1 }
        return IncompatibilityError(
            setting: .attributionSummaries,
            recorded: first.map { "coefficient \($0.offset) = \($0.element.0)" } ?? "\(factors.coefficients.count) coefficients",
            given: first.map { "\($0.element.1)" } ?? "\(coefficients.count)",
            consequence: "its attributions are derived through the coefficients it records, which are not the model's")
    }

    /// Mean |φ| per feature for `output`: the global attribution SageMaker Clarify ranks by.
    public func meanAbsoluteAttribution(output: Int) -> [Double] {
        outputs[output].features.map(\.meanAbs)
    }
}
