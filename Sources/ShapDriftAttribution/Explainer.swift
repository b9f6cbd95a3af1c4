import ShapDriftCore

/// Chooses and prepares an attribution engine for a model, and runs it on batches of rows.
///
/// This is the one place that checks a method fits a model and that the data suits the method
/// (a linear model cannot take missing values), and that every row's attributions add up to the
/// model's output (`AdditivityCheck`), so every caller behaves the same. The engines
/// behind it are exact (path-dependent and interventional TreeSHAP, linear SHAP, exact
/// KernelSHAP) or seeded (sampled KernelSHAP, correlation-aware linear SHAP above 14 features).
///
/// ```swift
/// let explainer = try Explainer(model: model)              // path-dependent TreeSHAP for trees
/// let phi = try explainer.explain(batch)                     // Σφ + base = raw output, per row
/// ```
public struct Explainer: Sendable {
    public let model: Model
    public let method: AttributionMethod
    public let outputSpace: OutputSpace
    /// SHA-256 of the background rows as read (model feature order, doubles), `none` when the
    /// method could take a background and was given none, `nil` when the method takes none:
    /// part of a profile's identity, since the background changes every attribution.
    public let backgroundSHA256: String?
    /// The sample budget and seed, for the methods that sample (kernel, linear-correlation);
    /// `nil` otherwise.
    public let sampling: SamplingSettings?
    /// Base value (expected model output) per output: computed once, the same for every batch.
    public let baseValues: [Double]
    private let engine: Engine
    private let additivity: AdditivityCheck

    private enum Engine: Sendable {
        case pathDependent(QuadratureTreeSHAP)
        case interventional(InterventionalTreeSHAP)
        case linear(LinearSHAP)
        case correlation(CorrelationLinearSHAP)
        case kernel(KernelSHAP)
    }

    /// - Parameters:
    ///   - method: `nil` picks `AttributionMethod.automatic(for:)`.
    ///   - background: rows in model feature order, for methods that measure against a sample
    ///     (its `file` names it in messages).
    /// - Throws: `.configuration` when the method does not fit the model or lacks a background,
    ///   `.input` for a background that cannot serve (empty, missing values for a linear model),
    ///   `.numerical` when a factorisation fails.
    /// - Complexity: the engine's set-up: O(nodes) for path-dependent TreeSHAP, O(background ×
    ///   nodes) for interventional tables, O(coalitions · features²) for KernelSHAP.
    public init(model: Model, method: AttributionMethod? = nil, background: FeatureBatch? = nil,
                options: ExplainerOptions = ExplainerOptions()) throws(ShapDriftError) {
        BLASThreading.keepOnCallingThread()
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
        sampling = chosen == .kernel || chosen == .linearCorrelation ? SamplingSettings(samples: options.samples ?? 0, seed: options.seed) : nil
        if options.outputSpace != .raw, chosen != .kernel {
            throw .configuration(.outputSpaceRequiresKernel(options.outputSpace, method: chosen))
        }
        engine = try Self.engine(chosen, model: model, background: background, options: options)
        var means: [Double]? = nil
        switch engine {
        case .pathDependent(let engine): baseValues = engine.baseValues
        case .interventional(let engine): baseValues = engine.baseValues
        case .linear(let engine):
            baseValues = engine.baseValues
            means = engine.means
        case .correlation(let engine):
            baseValues = engine.baseValues
            means = engine.means
        case .kernel(let engine): baseValues = engine.baseValues
        }
        additivity = AdditivityCheck(model: model, space: options.outputSpace, means: means)
    }

    private static func engine(_ method: AttributionMethod, model: Model, background: FeatureBatch?,
                               options: ExplainerOptions) throws(ShapDriftError) -> Engine {
        switch (method, model.predictor) {
        case (.kernel, _):
            guard let background else { throw .configuration(.backgroundRequired(.kernel, reason: "the rows absent features are taken from")) }
            return .kernel(try KernelSHAP(model: model, background: background, outputSpace: options.outputSpace,
                                          samples: options.samples, seed: options.seed))
        case (.treePathDependent, .trees(let ensemble)):
            return .pathDependent(QuadratureTreeSHAP(ensemble: ensemble))
        case (.treeInterventional, .trees(let ensemble)):
            guard let background else {
                throw .configuration(.backgroundRequired(.treeInterventional, reason: "the rows the features are set to when absent"))
            }
            try requireRows(background)
            return .interventional(InterventionalTreeSHAP(ensemble: ensemble, background: background))
        case (.linear, .linear(let linear)):
            let means: [Double]
            if let background {
                try requireRows(background)
                try requireComplete(background, model: model)
                means = LinearSHAP.backgroundMeans(background)
            } else if let exported = linear.featureMeans {
                means = exported
            } else {
                throw .configuration(.featureMeansRequired)
            }
            return .linear(LinearSHAP(model: linear, means: means))
        case (.linearCorrelation, .linear(let linear)):
            guard let background else {
                throw .configuration(.backgroundRequired(.linearCorrelation, reason: "its mean and covariance describe the features"))
            }
            try requireComplete(background, model: model)
            return .correlation(try CorrelationLinearSHAP(model: linear, background: background, permutations: options.samples, seed: options.seed))
        case (.treePathDependent, .linear), (.treeInterventional, .linear):
            throw .configuration(.methodDoesNotFitModel(method, modelKind: "linear model", suggestion: .linear))
        case (.linear, .trees), (.linearCorrelation, .trees):
            throw .configuration(.methodDoesNotFitModel(method, modelKind: "tree ensemble", suggestion: .treePathDependent))
        }
    }

    /// For linear SHAP with independent features, the factors of every attribution,
    /// φ_kj = w_kj · (x_j − μ_j): the coefficients w (outputs × features, row-major) and the
    /// means μ the attributions are measured from; `nil` for the other methods. What lets a
    /// profile fold each feature's centred values once for all outputs.
    public var linearFactors: (coefficients: [Double], means: [Double])? {
        guard case .linear(let engine) = engine else { return nil }
        return (engine.model.coefficients, engine.means)
    }

    /// Attributions for `batch` (features in model order), on up to `threads` cores. The result
    /// does not depend on the thread count. Every row is checked to add up to the model's output
    /// (`AdditivityCheck`; one prediction per row, a root-to-leaf walk per tree).
    /// - Throws: `.input` when a linear model is given a missing value (at its file and line);
    ///   `.numerical` naming the first row whose attributions do not add up to its prediction.
    /// - Complexity: the engine's cost per row (see each method in `docs/methods.md`) × rows.
    public func explain(_ batch: FeatureBatch, threads: Int = ProcessorCount.available) throws(ShapDriftError) -> AttributionBatch {
        var attributions: AttributionBatch
        switch engine {
        case .pathDependent(let engine):
            attributions = engine.explain(batch, threads: threads)
        case .interventional(let engine):
            attributions = engine.explain(batch, threads: threads)
        case .linear(let engine):
            try Self.requireComplete(batch, model: model)
            attributions = engine.explain(batch, threads: threads)
        case .correlation(let engine):
            try Self.requireComplete(batch, model: model)
            attributions = engine.explain(batch)
        case .kernel(let engine):
            if case .linear = model.predictor { try Self.requireComplete(batch, model: model) }
            attributions = engine.explain(batch, threads: threads)
        }
        attributions.totals = try additivity.verify(attributions, predictions: predictions(batch, threads: threads), batch: batch, threads: threads)
        return attributions
    }

    /// The model's outputs for `batch` in the space attributions are in (the link applied for
    /// probability space, as KernelSHAP evaluates it).
    private func predictions(_ batch: FeatureBatch, threads: Int) throws(ShapDriftError) -> [Double] {
        if case .kernel(let engine) = engine { return engine.evaluate(batch) }
        do {
            return try RawPredictor(model: model).predict(batch, threads: threads)
        } catch {
            throw .input(error)
        }
    }

    /// SHA-256 of a batch's values as little-endian doubles, row-major.
    static func digest(_ batch: FeatureBatch) -> String {
        batch.values.withUnsafeBytes { ContentDigest.sha256($0) }
    }

    static func requireRows(_ background: FeatureBatch) throws(ShapDriftError) {
        guard background.rowCount > 0 else { throw .input(InputError(file: background.file, "the background has no rows")) }
    }

    static func requireComplete(_ batch: FeatureBatch, model: Model) throws(ShapDriftError) {
        guard let index = batch.values.firstIndex(where: { $0.isNaN }) else { return }
        throw .input(InputError(file: batch.file, line: batch.sourceLines[index / batch.numFeatures],
                                field: model.displayFeatureNames[index % batch.numFeatures],
                                "missing value: a linear model needs every feature"))
    }
}
