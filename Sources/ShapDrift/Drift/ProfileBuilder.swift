/// Streams rows from a source through an explainer into an attribution profile, one block at a
/// time: parse → attribute (all cores) → fold. Memory is bounded by the block size, not the data.
public struct ProfileBuilder {
    /// Rows per block: large enough to keep every core busy, small enough to stay in cache-sized memory.
    public static let defaultBlockRows = 4096

    public let explainer: Explainer
    public let identity: ProfileIdentity
    public var blockRows = ProfileBuilder.defaultBlockRows
    public var threads = RowParallel.defaultThreads

    public init(explainer: Explainer) {
        self.explainer = explainer
        identity = ProfileIdentity(model: explainer.model, method: explainer.method, outputSpace: explainer.outputSpace)
    }

    /// The profile of every row of `source`; also feeds `bootstrap` when given.
    /// - Throws: `InputError` from the data, or when the source holds no rows.
    public func build(from source: FeatureSourceChain, bootstrap: inout PoissonBootstrap?) throws(InputError) -> AttributionProfile {
        var profile = AttributionProfile(identity: identity, baseValues: explainer.baseValues)
        var rowsSeen = 0
        while let batch = try source.nextBatch(maxRows: blockRows) {
            let attributions = try explainer.explain(batch, file: source.currentFile, threads: threads)
            profile.add(batch, attributions)
            bootstrap?.add(attributions, firstRow: rowsSeen)
            rowsSeen += batch.rowCount
        }
        guard rowsSeen > 0 else {
            throw InputError(file: source.filesRead.joined(separator: ", "), "no data rows (after the time window, if one was given)")
        }
        return profile
    }
}

extension ProfileIdentity {
    /// The identity of profiles made of `model`'s attributions by `method`.
    public init(model: Model, method: AttributionMethod, outputSpace: OutputSpace = .raw) {
        let space = outputSpace == .raw ? "raw (\(model.transform.rawSpaceDescription))" : "probability"
        self.init(modelSHA256: model.sha256, modelFormat: model.format.rawValue, objective: model.objective,
                  featureNames: model.displayFeatureNames, method: method.rawValue,
                  outputSpace: space, numOutputs: model.numOutputs)
    }

    /// Why a baseline with this identity cannot be compared with `other` (the model given now), or `nil`.
    public func mismatch(with other: ProfileIdentity) -> String? {
        if modelSHA256 != other.modelSHA256 {
            return "the baseline was made for another model file (SHA-256 \(modelSHA256.prefix(12))…, \(modelFormat) \(objective)); this model's SHA-256 is \(other.modelSHA256.prefix(12))…: re-run shapdrift baseline with this model"
        }
        if featureNames != other.featureNames {
            let changed = zip(featureNames, other.featureNames).first { $0 != $1 }
            let detail = changed.map { "'\($0.0)' vs '\($0.1)'" } ?? "\(featureNames.count) vs \(other.featureNames.count) features"
            return "the baseline's feature names differ from the model's (\(detail))"
        }
        if method != other.method {
            return "the baseline was computed with method \(method), not \(other.method): attributions of different methods are not comparable"
        }
        if outputSpace != other.outputSpace || numOutputs != other.numOutputs {
            return "the baseline's output space (\(outputSpace), \(numOutputs) outputs) differs from this model's (\(other.outputSpace), \(other.numOutputs))"
        }
        return nil
    }
}
