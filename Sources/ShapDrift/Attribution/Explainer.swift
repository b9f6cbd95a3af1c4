/// Chooses and prepares an attribution engine for a model, and runs it on batches of rows.
///
/// This is the one place that checks a method fits a model and that the data suits the method
/// (a linear model cannot take missing values), so every command behaves the same.
public struct Explainer: Sendable {
    public let model: Model
    public let method: AttributionMethod
    public let outputSpace: OutputSpace
    /// SHA-256 of the background rows as read (model feature order, doubles), `none` when the
    /// method could take a background and was given none, `nil` when the method takes none:
    /// part of a profile's identity, since the background changes every attribution.
    public let backgroundSHA256: String?
    /// `--samples` (0 = default) and `--seed` for the methods that sample; `nil` otherwise.
    public let sampling: (samples: Int, seed: UInt64)?
    private let engine: Engine

    private enum Engine: Sendable {
        case pathDependent(QuadratureTreeSHAP)
        case interventional(InterventionalTreeSHAP)
        case linear(LinearSHAP)
        case correlation(CorrelationLinearSHAP)
        case kernel(KernelSHAP)
    }

    /// - Parameters:
    ///   - method: `nil` picks `AttributionMethod.automatic(for:)`.
    ///   - background: rows in model feature order, for methods that measure against a sample.
    ///   - backgroundFile: where `background` came from, for error messages.
    public init(model: Model, method: AttributionMethod? = nil, background: FeatureBatch? = nil,
                backgroundFile: String = "background", options: ExplainerOptions = ExplainerOptions()) throws(InputError) {
        self.model = model
        let chosen = method ?? .automatic(for: model)
        self.method = chosen
        outputSpace = options.outputSpace
        switch chosen {
        case .treePathDependent:
            backgroundSHA256 = nil
        case .treeInterventional, .linear, .linearCorrelation, .kernel:
            backgroundSHA256 = background.map(Self.digest) ?? "none"
        }
        sampling = chosen == .kernel || chosen == .linearCorrelation ? (options.samples ?? 0, options.seed) : nil
        if options.outputSpace != .raw, chosen != .kernel {
            throw InputError("--output-space \(options.outputSpace.rawValue) is available with --method kernel only; \(chosen.rawValue) explains the raw output")
        }
        switch (chosen, model.predictor) {
        case (.kernel, _):
            guard let background else {
                throw InputError("method kernel needs --background DATA: the rows absent features are taken from")
            }
            engine = .kernel(try KernelSHAP(model: model, background: background, backgroundFile: backgroundFile,
                                            outputSpace: options.outputSpace, samples: options.samples, seed: options.seed))
        case (.treePathDependent, .trees(let ensemble)):
            engine = .pathDependent(QuadratureTreeSHAP(ensemble: ensemble))
        case (.treeInterventional, .trees(let ensemble)):
            guard let background else {
                throw InputError("method tree-interventional needs --background DATA: the rows the features are set to when absent")
            }
            guard background.rowCount > 0 else { throw InputError(file: backgroundFile, "the background has no rows") }
            engine = .interventional(InterventionalTreeSHAP(ensemble: ensemble, background: background))
        case (.linear, .linear(let linear)):
            let means: [Double]
            if let background {
                guard background.rowCount > 0 else { throw InputError(file: backgroundFile, "the background has no rows") }
                try Self.requireComplete(background, model: model, file: backgroundFile)
                means = LinearSHAP.backgroundMeans(background)
            } else if let exported = linear.featureMeans {
                means = exported
            } else {
                throw InputError("linear SHAP needs the feature means: pass --background DATA, or export the model with its feature means")
            }
            engine = .linear(LinearSHAP(model: linear, means: means))
        case (.linearCorrelation, .linear(let linear)):
            guard let background else {
                throw InputError("method linear-correlation needs --background DATA: its mean and covariance describe the features")
            }
            try Self.requireComplete(background, model: model, file: backgroundFile)
            do {
                engine = .correlation(try CorrelationLinearSHAP(model: linear, background: background, permutations: options.samples, seed: options.seed))
            } catch {
                throw error.inFile(backgroundFile)
            }
        case (.treePathDependent, .linear), (.treeInterventional, .linear):
            throw InputError("method \(chosen.rawValue) needs a tree model, and this is a linear model; use --method linear")
        case (.linear, .trees), (.linearCorrelation, .trees):
            throw InputError("method \(chosen.rawValue) needs a linear model, and this is a tree ensemble; use --method tree-path-dependent")
        }
    }

    /// Base value (expected model output) per output.
    public var baseValues: [Double] {
        switch engine {
        case .pathDependent(let engine): return engine.baseValues
        case .interventional(let engine): return engine.baseValues
        case .linear(let engine): return engine.baseValues
        case .correlation(let engine): return engine.baseValues
        case .kernel(let engine): return engine.baseValues
        }
    }

    /// Attributions for `batch` (features in model order) read from `file`.
    public func explain(_ batch: FeatureBatch, file: String, threads: Int = RowParallel.defaultThreads) throws(InputError) -> AttributionBatch {
        switch engine {
        case .pathDependent(let engine):
            return engine.explain(batch, threads: threads)
        case .interventional(let engine):
            return engine.explain(batch, threads: threads)
        case .linear(let engine):
            try Self.requireComplete(batch, model: model, file: file)
            return engine.explain(batch, threads: threads)
        case .correlation(let engine):
            try Self.requireComplete(batch, model: model, file: file)
            return engine.explain(batch)
        case .kernel(let engine):
            if case .linear = model.predictor { try Self.requireComplete(batch, model: model, file: file) }
            return engine.explain(batch, threads: threads)
        }
    }

    /// SHA-256 of a batch's values as little-endian doubles, row-major.
    static func digest(_ batch: FeatureBatch) -> String {
        batch.values.withUnsafeBytes { ModelFingerprint.sha256(Array($0)) }
    }

    static func requireComplete(_ batch: FeatureBatch, model: Model, file: String) throws(InputError) {
        guard let index = batch.values.firstIndex(where: { $0.isNaN }) else { return }
        throw InputError(file: file, line: batch.sourceLines[index / batch.numFeatures],
                         field: model.displayFeatureNames[index % batch.numFeatures],
                         "missing value: a linear model needs every feature")
    }
}

/// The model's raw (margin-space) outputs, `rows × numOutputs` row-major.
public func predictRaw(_ model: Model, _ batch: FeatureBatch, file: String) throws(InputError) -> [Double] {
    switch model.predictor {
    case .trees(let ensemble):
        var result = [Double](repeating: 0, count: batch.rowCount * ensemble.numOutputs)
        result.withUnsafeMutableBufferPointer { output in
            let out = UncheckedSendable(output)
            batch.values.withUnsafeBufferPointer { input in
                let data = UncheckedSendable(input)
                RowParallel.forEachRange(rowCount: batch.rowCount) { range in
                    ensemble.predict(
                        rows: UnsafeBufferPointer(rebasing: data.value[(range.lowerBound * ensemble.numFeatures)..<(range.upperBound * ensemble.numFeatures)]),
                        into: UnsafeMutableBufferPointer(rebasing: out.value[(range.lowerBound * ensemble.numOutputs)..<(range.upperBound * ensemble.numOutputs)]))
                }
            }
        }
        return result
    case .linear(let linear):
        try Explainer.requireComplete(batch, model: model, file: file)
        return LinearSHAP.predict(linear, batch)
    }
}
