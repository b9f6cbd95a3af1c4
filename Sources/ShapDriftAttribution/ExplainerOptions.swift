import ShapDriftCore

/// Settings of the methods that sample or change the explained output.
public struct ExplainerOptions: Sendable {
    /// The sampling budget: KernelSHAP's coalitions (`nil`: 2·M + 2048, shap's default) and the
    /// correlation-aware linear method's permutations above 14 features (`nil`: 1,000).
    public var samples: Int?
    /// Seed of every sampling step.
    public var seed: UInt64
    public var outputSpace: OutputSpace

    public init(samples: Int? = nil, seed: UInt64 = 0, outputSpace: OutputSpace = .raw) {
        self.samples = samples
        self.seed = seed
        self.outputSpace = outputSpace
    }
}
