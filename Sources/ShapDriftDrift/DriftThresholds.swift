import Foundation
import ShapDriftCore

/// The thresholds a check applies; defaults are documented in `docs/drift.md`.
public struct DriftThresholds: Codable, Equatable, Sendable {
    /// Drift when NDCG falls below this (SageMaker Clarify's default).
    public var ndcg = 0.90
    /// A feature breaches when its shift (Wasserstein-1 of its φ distribution / total baseline
    /// mean |φ| of the output) reaches this …
    public var featureShift = 0.05
    /// … and its PSI over baseline-decile bins reaches this.
    public var psi = 0.20

    public init(ndcg: Double = 0.90, featureShift: Double = 0.05, psi: Double = 0.20) {
        self.ndcg = ndcg
        self.featureShift = featureShift
        self.psi = psi
    }

    enum CodingKeys: String, CodingKey { case ndcg, featureShift = "feature_shift", psi }
}
