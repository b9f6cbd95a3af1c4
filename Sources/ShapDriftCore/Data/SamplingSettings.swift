/// The settings of a sampling attribution method (KernelSHAP's coalition budget, the
/// correlation-aware linear method's permutation count) that change its attributions, recorded in
/// a profile's identity so that only attributions of the same game are compared.
public struct SamplingSettings: Codable, Equatable, Hashable, Sendable {
    /// The budget as given; 0 means the method's default.
    public var samples: Int
    /// The seed of every random step.
    public var seed: UInt64

    public init(samples: Int, seed: UInt64) {
        self.samples = samples
        self.seed = seed
    }
}
