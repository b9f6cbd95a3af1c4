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

    /// Adds `count` values `stride` apart, the same as adding each in turn: the three exact sums
    /// go through small superaccumulators (`SmallSuperaccumulator`), drained into the totals at
    /// the end (or whenever one is full), so the totals are the same exact numbers.
    public mutating func add(_ values: UnsafePointer<Double>, count valueCount: Int, stride: Int) {
        let chunks = SmallSuperaccumulator.chunkCount
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: 3 * chunks) { storage in
            let sums = SmallSuperaccumulator(storage: storage.baseAddress!)
            let sumsAbs = SmallSuperaccumulator(storage: storage.baseAddress! + chunks)
            let sumsSquares = SmallSuperaccumulator(storage: storage.baseAddress! + 2 * chunks)
            var low = min, high = max
            var finite: UInt64 = 0
            var sinceDrain = 0
            for index in 0..<valueCount {
                let value = values[index * stride]
                guard value.isFinite else {
                    missing += 1
                    continue
                }
                if sinceDrain == SmallSuperaccumulator.capacity {
                    drain(sums, sumsAbs, sumsSquares)
                    sinceDrain = 0
                }
                sinceDrain += 1
                finite += 1
                let pieces = SmallSuperaccumulator.Pieces(value)
                sums.add(pieces)
                sumsAbs.addMagnitude(pieces)
                sumsSquares.addMagnitude(SmallSuperaccumulator.Pieces(value * value))
                if value < low { low = value }
                if value > high { high = value }
                sketch.add(value)
            }
            count += finite
            min = low
            max = high
            drain(sums, sumsAbs, sumsSquares)
        }
    }

    private mutating func drain(_ sums: SmallSuperaccumulator, _ sumsAbs: SmallSuperaccumulator, _ sumsSquares: SmallSuperaccumulator) {
        sums.drain { sum.add($0) }
        sumsAbs.drain { sumAbs.add($0) }
        sumsSquares.drain { sumSquares.add($0) }
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

    enum CodingKeys: String, CodingKey {
        case modelSHA256 = "model_sha256", modelFormat = "model_format", objective, featureNames = "feature_names"
        case method, outputSpace = "output_space", numOutputs = "n_outputs"
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
        columns.withUnsafeMutableBufferPointer { buffer in
            let summaries = UncheckedSendable(buffer)
            batch.values.withUnsafeBufferPointer { values in
                attributions.values.withUnsafeBufferPointer { phi in
                    let data = UncheckedSendable((values, phi))
                    ColumnParallel.forEach(count: summaries.value.count, threads: threads) { column in
                        let (values, phi) = data.value
                        if column < features {
                            summaries.value[column].add(values.baseAddress! + column, count: rowCount, stride: features)
                        } else {
                            let output = column / features - 1
                            let feature = column % features
                            summaries.value[column].add(phi.baseAddress! + output * features + feature, count: rowCount,
                                                        stride: outputCount * features)
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

    /// Adds the rows of `other`, which must come from the same model, method and features.
    public mutating func merge(_ other: AttributionProfile) throws(InputError) {
        guard other.identity == identity else {
            throw InputError("profiles from different models, methods or features cannot be merged")
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
