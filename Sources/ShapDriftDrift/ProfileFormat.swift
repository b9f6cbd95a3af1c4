import Foundation
import ShapDriftCore

/// A profile's JSON in each format: formats 4 and 5 (5 is written) keep the top level readable —
/// identity, rows, sampling, shards, what reading found, category counts, per output its base
/// value and each feature's mean |φ| — and hold the summaries as one block of `SummaryCoding`
/// records, DEFLATE-compressed and in base64 (`summaries`); format 5 adds a linear model's
/// `linear_factors`, whose block holds centred values in place of attributions. Formats 1 to 3
/// held every summary as JSON (`outputs[].features`, `feature_values`, `predictions`), and are
/// still read.
extension AttributionProfile {
    /// Per output, what the current format (`currentFormatVersion`, from 4 on) writes in the open: the base value and, for people, each
    /// feature's mean |φ| (ignored when read: the summaries hold it).
    struct OutputHeader: Codable {
        var output: Int
        var baseValue: Double
        var meanAbs: [Double]?

        enum CodingKeys: String, CodingKey { case output, baseValue = "base_value", meanAbs = "mean_abs" }
    }

    /// Per output, which prediction summaries the block holds (the value; the probability too
    /// for a classifier explained in raw space).
    struct PredictionHeader: Codable {
        var output: Int
        var probability: Bool
    }

    /// The summaries block: how many, in which order, and the bytes.
    struct EncodedSummaries: Codable {
        /// The summaries: feature by feature (model order), its values then its attributions for
        /// each output; then each output's prediction value and probability (when it has one).
        var count: Int
        var encoding = EncodedSummaries.encoding
        /// Bytes before compression.
        var size: Int
        var data: String

        static let encoding = "shapdrift-summaries-1, deflate, base64"
    }

    /// Format 5's `linear_factors`: the coefficients each output's attribution summaries are
    /// derived through (one list per output, model feature order); the centred summaries are in
    /// the summaries block, each feature's after its values.
    struct FactorsHeader: Codable {
        var coefficients: [[Double]]
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try container.decode(Int.self, forKey: .formatVersion)
        writer = try container.decodeIfPresent(String.self, forKey: .writer)
        created = try container.decodeIfPresent(String.self, forKey: .created)
        identity = try container.decode(ProfileIdentity.self, forKey: .identity)
        rows = try container.decode(UInt64.self, forKey: .rows)
        recordSampling = try container.decodeIfPresent(RecordSampling.self, forKey: .recordSampling)
        rowsSeen = try container.decodeIfPresent(UInt64.self, forKey: .rowsSeen)
        categories = try container.decodeIfPresent([CategoryCounts].self, forKey: .categories)
        columns = try container.decodeIfPresent([String].self, forKey: .columns)
        bootstrap = try container.decodeIfPresent(PoissonBootstrap.self, forKey: .bootstrap)
        records = try container.decodeIfPresent(RecordSummary.self, forKey: .records)
        columnCounts = try container.decodeIfPresent(ColumnStatistics.self, forKey: .columnCounts)
        shards = try container.decodeIfPresent(ShardCoverage.self, forKey: .shards)
        guard formatVersion >= 4 else {
            outputs = try container.decode([OutputAttributions].self, forKey: .outputs)
            featureValues = try container.decode([StreamSummary].self, forKey: .featureValues)
            predictions = try container.decodeIfPresent([PredictionSummary].self, forKey: .predictions)
            return
        }
        let headers = try container.decode([OutputHeader].self, forKey: .outputs)
        let predictionHeaders = try container.decodeIfPresent([PredictionHeader].self, forKey: .predictions)
        let block = try container.decode(EncodedSummaries.self, forKey: .summaries)
        func corrupt(_ message: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: .summaries, in: container, debugDescription: message)
        }
        let features = identity.featureNames.count
        let factors = formatVersion >= 5 ? try container.decodeIfPresent(FactorsHeader.self, forKey: .linearFactors) : nil
        if let factors {
            guard factors.coefficients.count == headers.count, factors.coefficients.allSatisfy({ $0.count == features }) else {
                throw DecodingError.dataCorruptedError(forKey: .linearFactors, in: container,
                                                       debugDescription: "expected \(features) coefficients for each of the \(headers.count) outputs")
            }
            guard factors.coefficients.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
                throw DecodingError.dataCorruptedError(forKey: .linearFactors, in: container, debugDescription: "coefficients must be finite numbers")
            }
        }
        // Per feature: its values, then its centred values (format 5's linear factors) or its
        // attributions for each output.
        let stride = factors == nil ? headers.count + 1 : 2
        let predictionCount = (predictionHeaders ?? []).reduce(0) { $0 + ($1.probability ? 2 : 1) }
        let (product, overflow) = features.multipliedReportingOverflow(by: stride)
        guard !overflow, block.count == product + predictionCount else {
            let parts = factors == nil ? "\(headers.count) outputs + their values" : "their values + their centred values"
            throw corrupt("\(block.count) summaries, expected \(features) features × (\(parts)) + \(predictionCount) of predictions")
        }
        guard block.encoding == EncodedSummaries.encoding else { throw corrupt("unknown encoding \(block.encoding)") }
        guard let compressed = Data(base64Encoded: block.data) else { throw corrupt("data is not valid base64") }
        let summaries: [StreamSummary]
        do {
            // The file's budget (`ProfileValidation.cellBudget`), when the reader passed one.
            let budget = decoder.userInfo[ProfileValidation.budgetKey] as? ProfileValidation.Budget
            let bytes = try Deflate.decompress(Array(compressed), size: block.size, limit: budget?.blockBytes ?? .max)
            summaries = try SummaryCoding.decode(bytes, count: block.count, cellBudget: budget?.cells ?? .max)
        } catch let failure as Deflate.Failure {
            throw corrupt("data: \(failure.message)")
        } catch let invalid as SummaryCoding.InvalidSummary {
            let (feature, slot) = invalid.summary.quotientAndRemainder(dividingBy: stride)
            let place = invalid.summary >= product ? "prediction summary \(invalid.summary - product)"
                : slot == 0 ? "the values of feature \(feature)"
                : factors == nil ? "output \(slot - 1)'s attributions of feature \(feature)" : "the centred values of feature \(feature)"
            throw corrupt("\(place): \(invalid.message)")
        }
        featureValues = (0..<features).map { summaries[$0 * stride] }
        if let factors {
            let linear = LinearAttributionFactors(coefficients: factors.coefficients.flatMap { $0 }, outputs: headers.count,
                                                  centred: (0..<features).map { summaries[$0 * stride + 1] })
            // The derived stores span at most the centred ones' cells, per output: charged to the
            // file's budget before they are made.
            let budget = decoder.userInfo[ProfileValidation.budgetKey] as? ProfileValidation.Budget
            let allowed = budget?.derivedCells ?? .max
            guard linear.derivedCellBound <= allowed else {
                throw DecodingError.dataCorruptedError(forKey: .linearFactors, in: container, debugDescription:
                    "deriving \(headers.count) outputs' attributions would span up to \(linear.derivedCellBound) sketch buckets, more than the \(allowed) a profile of this size may")
            }
            for (feature, summary) in linear.centred.enumerated() {
                if let problem = summary.violation(rows: rows) { throw corrupt("the centred values of feature \(feature): \(problem)") }
            }
            guard let derived = linear.derivedOutputs() else {
                throw DecodingError.dataCorruptedError(forKey: .linearFactors, in: container, debugDescription: "a derived attribution sum overflows")
            }
            linearFactors = linear
            outputs = headers.enumerated().map { index, header in
                OutputAttributions(output: header.output, baseValue: header.baseValue, features: derived[index])
            }
        } else {
            outputs = headers.enumerated().map { index, header in
                OutputAttributions(output: header.output, baseValue: header.baseValue,
                                   features: (0..<features).map { summaries[$0 * stride + index + 1] })
            }
        }
        var next = product
        predictions = predictionHeaders?.map { header in
            var prediction = PredictionSummary(output: header.output, withProbability: header.probability)
            prediction.value = summaries[next]
            next += 1
            if header.probability {
                prediction.probability = summaries[next]
                next += 1
            }
            return prediction
        }
    }

    /// Writes the current format (5).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.currentFormatVersion, forKey: .formatVersion)
        try container.encodeIfPresent(writer, forKey: .writer)
        try container.encodeIfPresent(created, forKey: .created)
        try container.encode(identity, forKey: .identity)
        try container.encode(rows, forKey: .rows)
        try container.encodeIfPresent(recordSampling, forKey: .recordSampling)
        try container.encodeIfPresent(rowsSeen, forKey: .rowsSeen)
        try container.encodeIfPresent(categories, forKey: .categories)
        try container.encodeIfPresent(columns, forKey: .columns)
        try container.encodeIfPresent(records, forKey: .records)
        try container.encodeIfPresent(columnCounts, forKey: .columnCounts)
        try container.encodeIfPresent(shards, forKey: .shards)
        try container.encode(outputs.map { OutputHeader(output: $0.output, baseValue: $0.baseValue, meanAbs: $0.features.map(\.meanAbs)) },
                             forKey: .outputs)
        try container.encodeIfPresent(predictions?.map { PredictionHeader(output: $0.output, probability: $0.probability != nil) },
                                      forKey: .predictions)
        let predictionSummaries = (predictions ?? []).flatMap { [$0.value] + ($0.probability.map { [$0] } ?? []) }
        // Feature by feature (its values, then its attributions for each output): the summaries of
        // one feature are alike across outputs, and adjacent they fall within DEFLATE's 32 KB
        // window (a 10-class model over 1,000 features: 14 % smaller than output by output).
        let byFeature = featureValues.indices.flatMap { feature in
            [featureValues[feature]] + (linearFactors.map { [$0.centred[feature]] } ?? outputs.map { $0.features[feature] })
        }
        if let factors = linearFactors {
            let features = factors.features
            try container.encode(FactorsHeader(coefficients: (0..<factors.outputs).map { Array(factors.coefficients[($0 * features)..<(($0 + 1) * features)]) }),
                                 forKey: .linearFactors)
        }
        let summaries = byFeature + predictionSummaries
        let bytes = SummaryCoding.encode(summaries)
        try container.encode(EncodedSummaries(count: summaries.count, size: bytes.count,
                                              data: Data(Deflate.compress(bytes)).base64EncodedString()), forKey: .summaries)
        try container.encodeIfPresent(bootstrap, forKey: .bootstrap)
    }
}
