import Foundation
import ShapDriftCore

/// Poisson(λ) draws from a seeded `SplitMix64`, for any λ ≥ 0: by multiplying uniforms for
/// λ < 10 (Knuth's method), by Hörmann's transformed rejection with squeeze (PTRS: "The
/// transformed rejection method for generating Poisson random variables", Insurance:
/// Mathematics and Economics 12, 1993) above, whose cost does not grow with λ. The constants
/// are Hörmann's, as numpy's `random_poisson_ptrs` uses them.
package struct PoissonSampler {
    private var generator: SplitMix64

    package init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    package mutating func next(mean lambda: Double) -> Double {
        precondition(lambda >= 0 && lambda.isFinite)
        if lambda == 0 { return 0 }
        if lambda < 10 {
            let limit = exp(-lambda)
            var product = generator.nextUnit()
            var count = 0.0
            while product > limit {
                count += 1
                product *= generator.nextUnit()
            }
            return count
        }
        let root = lambda.squareRoot()
        let logLambda = log(lambda)
        let b = 0.931 + 2.53 * root
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let acceptance = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = generator.nextUnit() - 0.5
            let v = generator.nextUnit()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
            if us >= 0.07, v <= acceptance { return k }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(inverseAlpha) - log(a / (us * us) + b) <= -lambda + k * logLambda - lgamma(k + 1) { return k }
        }
    }
}
