import Foundation
import ShapDriftCore

/// The attribution profile of a dataset: per model output and feature, the summary of φ; per
/// feature, the summary of its raw values. Written by `shapdrift baseline` (schema in
/// `docs/baseline-profile.md`), built in memory for the current data by `shapdrift check`.
///
/// Profiles are mergeable: `merge` of the profiles of two parts of a dataset is the profile of the
/// whole — counts and sums exactly (`ExactSum`), sketches bucket for bucket.
public struct AttributionProfile: Codable, Equatable, Sendable {
    /// The format this build writes. Format 2 added typed identity fields (`transform`,
    /// `output_space` as `raw`/`probability`) and `writer`; format 3 the checksum of the contents
    /// (`integrity`, `ProfileIntegrity`), required from then on. Formats 1 and 2 are still read,
    /// without a checksum to verify.
    public static let currentFormatVersion = 3
    /// The formats this build reads.
    public static let readableFormatVersions: ClosedRange<Int> = 1...3
    /// The most rows a profile holds (`StreamSummary.maximumCount`, 2⁵³).
    public static let maximumRows = StreamSummary.maximumCount

    public var formatVersion = AttributionProfile.currentFormatVersion
    /// The tool and version that wrote the profile (`shapdrift 0.2.0`); absent in format 1.
    public var writer: String? = ShapDriftVersion.writer
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
        case formatVersion = "format_version", writer, identity = "model", rows, outputs, featureValues = "feature_values"
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
    /// - Complexity: O(rows × outputs × features).
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
            batch.values.withUnsafeBufferPointer { values in
                attributions.values.withUnsafeBufferPointer { phi in
                    Parallel.forEach(count: valueGroups + phiGroups, threads: threads) { index in
                        let (values, phi) = (values.baseAddress!, phi.baseAddress!)
                        if index < valueGroups {
                            let first = index * group
                            StreamSummary.add(to: buffer.baseAddress! + first, columns: Swift.min(group, features - first),
                                              values: values + first, rows: rowCount, stride: features)
                        } else {
                            let first = (index - valueGroups) * group
                            StreamSummary.add(to: buffer.baseAddress! + features + first, columns: Swift.min(group, outputCount * features - first),
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

    /// Adds the rows of `other`, which must have the same identity (model, method, features,
    /// background and sampling settings).
    /// - Throws: `.incompatible` naming what differs; `.numerical` when the merge would hold more
    ///   than `maximumRows` rows (every count of a summary is at most its profile's rows, so this
    ///   one check keeps every count exact and every addition below from overflowing).
    /// - Complexity: O(outputs × features × sketch buckets).
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
}
