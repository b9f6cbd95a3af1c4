import Foundation

/// Summary statistics of one stream of numbers (a feature's attributions or raw values),
/// mergeable: counts and sums exactly, quantiles through a `QuantileSketch`.
public struct StreamSummary: Codable, Equatable, Sendable {
    /// Finite values seen.
    public private(set) var count: UInt64 = 0
    /// Missing (NaN) values seen.
    public private(set) var missing: UInt64 = 0
    public private(set) var sum = ExactSum()
    public private(set) var sumAbs = ExactSum()
    public private(set) var sumSquares = ExactSum()
    public private(set) var min = Double.infinity
    public private(set) var max = -Double.infinity
    public private(set) var sketch = QuantileSketch()

    public init() {}

    @inline(__always)
    public mutating func add(_ value: Double) {
        guard value.isFinite else {
            missing += 1
            return
        }
        count += 1
        sum.add(value)
        sumAbs.add(abs(value))
        sumSquares.add(value * value)
        if value < min { min = value }
        if value > max { max = value }
        sketch.add(value)
    }

    public mutating func merge(_ other: StreamSummary) {
        count += other.count
        missing += other.missing
        sum.merge(other.sum)
        sumAbs.merge(other.sumAbs)
        sumSquares.merge(other.sumSquares)
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        sketch.merge(other.sketch)
    }

    /// Adds `count` values `stride` apart, the same as adding each in turn.
    public mutating func add(_ values: UnsafePointer<Double>, count valueCount: Int, stride: Int) {
        withUnsafeMutablePointer(to: &self) { Self.add(to: $0, columns: 1, values: values, rows: valueCount, stride: stride) }
    }

    /// Rows per tile of `add(to:columns:values:rows:stride:)`: a tile of a group's cache lines
    /// (256 lines, 16 KB) stays in L1 while each of the group's columns reads it.
    static let tileRows = 256

    /// Adds `rows` rows of `columns` adjacent columns (column j of row r at
    /// `values[j + r·stride]`) to `summaries[0..<columns]`, each the same as adding its values in
    /// turn. The exact sums go through small superaccumulators (`SmallSuperaccumulator`),
    /// drained into the totals at the end (and before they could fill), so the totals are the
    /// same exact numbers. Rows go tile by tile, so the cache lines a tile loads for the first
    /// column serve the group's other columns: with rows hundreds of values wide, reading one
    /// column at a time fetched a line (and often a page) per value.
    static func add(to summaries: UnsafeMutablePointer<StreamSummary>, columns: Int, values: UnsafePointer<Double>, rows: Int, stride: Int) {
        let chunks = SmallSuperaccumulator.chunkCount
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: 3 * chunks * columns) { storage in
            let registers = storage.baseAddress!
            registers.initialize(repeating: 0, count: 3 * chunks * columns)
            func sums(_ column: Int) -> (SmallSuperaccumulator, SmallSuperaccumulator, SmallSuperaccumulator) {
                let base = registers + 3 * chunks * column
                return (SmallSuperaccumulator(storage: base), SmallSuperaccumulator(storage: base + chunks),
                        SmallSuperaccumulator(storage: base + 2 * chunks))
            }
            var first = 0
            while first < rows {
                let end = Swift.min(rows, first + SmallSuperaccumulator.capacity)
                var tile = first
                while tile < end {
                    let count = Swift.min(end - tile, tileRows)
                    for column in 0..<columns {
                        summaries[column].addTile(values + tile * stride + column, count: count, stride: stride, sums: sums(column))
                    }
                    tile += count
                }
                for column in 0..<columns {
                    let (sum, sumAbs, sumSquares) = sums(column)
                    sum.drain { summaries[column].sum.add($0) }
                    sumAbs.drain { summaries[column].sumAbs.add($0) }
                    sumSquares.drain { summaries[column].sumSquares.add($0) }
                }
                first = end
            }
        }
    }

    @inline(__always)
    private mutating func addTile(_ values: UnsafePointer<Double>, count valueCount: Int, stride: Int,
                                  sums: (SmallSuperaccumulator, SmallSuperaccumulator, SmallSuperaccumulator)) {
        let (sums, sumsAbs, sumsSquares) = sums
        var low = min, high = max
        var finite: UInt64 = 0
        for index in 0..<valueCount {
            let value = values[index * stride]
            guard value.isFinite else {
                missing += 1
                continue
            }
            finite += 1
            let pieces = SmallSuperaccumulator.Pieces(value)
            sums.add(pieces)
            sumsAbs.addMagnitude(pieces)
            sumsSquares.addMagnitude(SmallSuperaccumulator.Pieces(value * value))
            if value < low { low = value }
            if value > high { high = value }
        }
        count += finite
        min = low
        max = high
        // A second pass over the tile, which is in L1 now: the sketch's loop stays short.
        sketch.add(values, count: valueCount, stride: stride, buckets: BucketIndex.shared)
    }

    public var mean: Double { count == 0 ? 0 : sum.value / Double(count) }
    public var meanAbs: Double { count == 0 ? 0 : sumAbs.value / Double(count) }
    public var meanSquare: Double { count == 0 ? 0 : sumSquares.value / Double(count) }

    enum CodingKeys: String, CodingKey {
        case count, missing, sum, sumAbs = "sum_abs", sumSquares = "sum_squares", min, max, sketch
        case mean, meanAbs = "mean_abs", meanSquare = "mean_square", quantiles
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decode(UInt64.self, forKey: .count)
        missing = try container.decode(UInt64.self, forKey: .missing)
        sum = try container.decode(ExactSum.self, forKey: .sum)
        sumAbs = try container.decode(ExactSum.self, forKey: .sumAbs)
        sumSquares = try container.decode(ExactSum.self, forKey: .sumSquares)
        min = try container.decodeIfPresent(Double.self, forKey: .min) ?? .infinity
        max = try container.decodeIfPresent(Double.self, forKey: .max) ?? -.infinity
        sketch = try container.decode(QuantileSketch.self, forKey: .sketch)
        guard sketch.count == count else {
            throw DecodingError.dataCorruptedError(forKey: .sketch, in: container, debugDescription: "sketch count \(sketch.count) differs from count \(count)")
        }
    }

    /// Writes the stored statistics and, for people reading the file, the derived mean, mean |x|,
    /// mean square and quantiles (ignored when read back).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(missing, forKey: .missing)
        try container.encode(mean, forKey: .mean)
        try container.encode(meanAbs, forKey: .meanAbs)
        try container.encode(meanSquare, forKey: .meanSquare)
        if count > 0 {
            try container.encode(min, forKey: .min)
            try container.encode(max, forKey: .max)
            let levels = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
            let quantiles = Dictionary(uniqueKeysWithValues: levels.map { (String(format: "p%02.0f", $0 * 100), sketch.quantile($0) ?? 0) })
            try container.encode(quantiles, forKey: .quantiles)
        }
        try container.encode(sum, forKey: .sum)
        try container.encode(sumAbs, forKey: .sumAbs)
        try container.encode(sumSquares, forKey: .sumSquares)
        try container.encode(sketch, forKey: .sketch)
    }
}

/// What a profile was computed from; profiles are compared or merged only when these agree.
public struct ProfileIdentity: Codable, Equatable, Sendable {
    /// SHA-256 of the model file's bytes, hex.
    public var modelSHA256: String
    public var modelFormat: String
    public var objective: String
    public var featureNames: [String]
    public var method: String
    /// The space attributions are in, e.g. `raw (log-odds)`.
    public var outputSpace: String
    public var numOutputs: Int
    /// For methods that can measure against a background sample: SHA-256 of its rows as read
    /// (model feature order, doubles), or `none` when none was given; absent for other methods
    /// and in profiles written before it was recorded.
    public var backgroundSHA256: String?
    /// For sampling methods (kernel, linear-correlation): `--samples` as given (0 = the default
    /// budget) and `--seed`; absent otherwise.
    public var samples: Int?
    public var seed: UInt64?

    public init(modelSHA256: String, modelFormat: String, objective: String, featureNames: [String], method: String,
                outputSpace: String, numOutputs: Int, backgroundSHA256: String? = nil, samples: Int? = nil, seed: UInt64? = nil) {
        self.modelSHA256 = modelSHA256
        self.modelFormat = modelFormat
        self.objective = objective
        self.featureNames = featureNames
        self.method = method
        self.outputSpace = outputSpace
        self.numOutputs = numOutputs
        self.backgroundSHA256 = backgroundSHA256
        self.samples = samples
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case modelSHA256 = "model_sha256", modelFormat = "model_format", objective, featureNames = "feature_names"
        case method, outputSpace = "output_space", numOutputs = "n_outputs"
        case backgroundSHA256 = "background_sha256", samples, seed
    }
}

/// The attribution profile of a dataset: per model output and feature, the summary of φ; per
/// feature, the summary of its raw values. Written by `shapdrift baseline` (schema in
/// `docs/baseline-profile.md`), built in memory for the current data by `shapdrift check`.
///
/// Profiles are mergeable: `merge` of the profiles of two parts of a dataset is the profile of the
/// whole — counts and sums exactly (`ExactSum`), sketches bucket for bucket.
public struct AttributionProfile: Codable, Equatable, Sendable {
    public static let currentFormatVersion = 1

    public var formatVersion = AttributionProfile.currentFormatVersion
    public var identity: ProfileIdentity
    public private(set) var rows: UInt64 = 0
    /// Per output: base value and one summary of φ per feature (model order).
    public private(set) var outputs: [OutputAttributions]
    /// One summary of raw values per feature (model order).
    public private(set) var featureValues: [StreamSummary]

    public struct OutputAttributions: Codable, Equatable, Sendable {
        public var output: Int
        public var baseValue: Double
        public var features: [StreamSummary]

        enum CodingKeys: String, CodingKey { case output, baseValue = "base_value", features }
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", identity = "model", rows, outputs, featureValues = "feature_values"
    }

    public init(identity: ProfileIdentity, baseValues: [Double]) {
        self.identity = identity
        let features = identity.featureNames.count
        outputs = baseValues.enumerated().map { OutputAttributions(output: $0, baseValue: $1, features: Array(repeating: StreamSummary(), count: features)) }
        featureValues = Array(repeating: StreamSummary(), count: features)
    }

    /// Folds one block of rows and their attributions into the profile. Each summary (a feature's
    /// values, or one output's φ of a feature) takes its values in row order on one worker, so
    /// the result is the same for any thread count.
    public mutating func add(_ batch: FeatureBatch, _ attributions: AttributionBatch, threads: Int = 1) {
        precondition(batch.rowCount == attributions.rowCount && attributions.numOutputs == outputs.count)
        guard batch.rowCount > 0 else { return }
        let features = batch.numFeatures
        let rowCount = batch.rowCount
        let outputCount = outputs.count
        rows += UInt64(rowCount)
        // Move the summaries out so each is uniquely referenced and mutated in place.
        var columns = featureValues
        featureValues = []
        for output in 0..<outputCount {
            columns += outputs[output].features
            outputs[output].features = []
        }
        // Groups of up to 8 adjacent columns (a cache line of a row) from one array: the
        // feature values (stride: features) or the attributions (stride: outputs × features).
        let group = 8
        let valueGroups = (features + group - 1) / group
        let phiGroups = (outputCount * features + group - 1) / group
        columns.withUnsafeMutableBufferPointer { buffer in
            let summaries = UncheckedSendable(buffer.baseAddress!)
            batch.values.withUnsafeBufferPointer { values in
                attributions.values.withUnsafeBufferPointer { phi in
                    let data = UncheckedSendable((values.baseAddress!, phi.baseAddress!))
                    ColumnParallel.forEach(count: valueGroups + phiGroups, threads: threads) { index in
                        let (values, phi) = data.value
                        if index < valueGroups {
                            let first = index * group
                            StreamSummary.add(to: summaries.value + first, columns: Swift.min(group, features - first),
                                              values: values + first, rows: rowCount, stride: features)
                        } else {
                            let first = (index - valueGroups) * group
                            StreamSummary.add(to: summaries.value + features + first, columns: Swift.min(group, outputCount * features - first),
                                              values: phi + first, rows: rowCount, stride: outputCount * features)
                        }
                    }
                }
            }
        }
        featureValues = Array(columns[0..<features])
        for output in 0..<outputCount {
            outputs[output].features = Array(columns[((output + 1) * features)..<((output + 2) * features)])
        }
    }

    /// The first summary whose sum of squares is no longer finite, as (output, feature), output
    /// `nil` for the raw feature values; `nil` when every sum is finite. Magnitudes above ~1.3e154
    /// overflow their squares, and a profile holding them could not be written or compared.
    public func overflowedSummary() -> (output: Int?, feature: Int)? {
        if let feature = featureValues.firstIndex(where: { !$0.sumSquares.value.isFinite }) { return (nil, feature) }
        for output in outputs {
            if let feature = output.features.firstIndex(where: { !$0.sumSquares.value.isFinite }) { return (output.output, feature) }
        }
        return nil
    }

    /// Adds the rows of `other`, which must come from the same model, method and features.
    public mutating func merge(_ other: AttributionProfile) throws(InputError) {
        guard other.identity == identity else {
            throw InputError("profiles from different models, methods, features, backgrounds or sampling settings cannot be merged")
        }
        rows += other.rows
        for output in outputs.indices {
            for feature in outputs[output].features.indices {
                outputs[output].features[feature].merge(other.outputs[output].features[feature])
            }
        }
        for feature in featureValues.indices { featureValues[feature].merge(other.featureValues[feature]) }
    }

    /// Mean |φ| per feature for `output`: the global attribution SageMaker Clarify ranks by.
    public func meanAbsoluteAttribution(output: Int) -> [Double] {
        outputs[output].features.map(\.meanAbs)
    }

    // MARK: Reading and writing

    /// The profile as deterministic, human-readable JSON.
    public func encoded() throws(InputError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            return Array(try encoder.encode(self)) + [0x0A]
        } catch {
            throw InputError("cannot encode the profile: \(error)")
        }
    }

    /// Reads a profile written by `shapdrift baseline`.
    public static func load(path: String) throws(InputError) -> AttributionProfile {
        let bytes = try readFileBytes(path)
        // Our own parser first, for a located syntax error.
        let document = try JSONValue.parse(bytes, file: path)
        guard let version = document["format_version"]?.numberValue else {
            throw InputError(file: path, field: "format_version", "missing: not a ShapDrift baseline profile")
        }
        guard Int(version) == currentFormatVersion else {
            throw InputError(file: path, field: "format_version", "profile format \(version) is not supported by this build (supported: \(currentFormatVersion))")
        }
        let profile: AttributionProfile
        do {
            profile = try JSONDecoder().decode(AttributionProfile.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, context) {
            throw InputError(file: path, field: (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."), "missing (required)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context), let DecodingError.dataCorrupted(context) {
            throw InputError(file: path, field: context.codingPath.map(\.stringValue).joined(separator: "."), context.debugDescription)
        } catch {
            throw InputError(file: path, "not a valid baseline profile: \(error)")
        }
        let features = profile.identity.featureNames.count
        guard profile.outputs.count == profile.identity.numOutputs, profile.featureValues.count == features,
              profile.outputs.allSatisfy({ $0.features.count == features }) else {
            throw InputError(file: path, "the profile's outputs and features do not match its model description")
        }
        return profile
    }
}
