import CBLAS
import ShapDriftCore

/// Linear SHAP with independent features (Lundberg & Lee 2017, §4 "Linear SHAP"; shap's
/// `LinearExplainer` with an `Independent` masker): for output k, φ_kj = w_kj · (x_j − μ_j) and
/// the base value is b_k + Σ_j w_kj · μ_j, where μ is the mean of the background data.
///
/// The background mean (μ = Xᵀ·1/n) and the base values (W·μ) are BLAS matrix–vector products;
/// the attributions themselves are one fused, vectorisable pass over each row, which is what a
/// memory-bound elementwise product wants (no temporaries).
package struct LinearSHAP: Sendable {
    package let model: LinearModel
    /// μ: the feature means the attributions are measured from.
    package let means: [Double]
    /// b + W·μ per output: the base value.
    package let baseValues: [Double]

    package init(model: LinearModel, means: [Double]) {
        BLASThreading.keepOnCallingThread()
        precondition(means.count == model.numFeatures)
        self.model = model
        self.means = means
        baseValues = Self.baseValues(model, means: means)
    }

    /// Column means of `background` (at least one row), as Xᵀ·(1/n) with BLAS.
    /// - Complexity: O(rows × features).
    package static func backgroundMeans(_ background: FeatureBatch) -> [Double] {
        let rows = background.rowCount
        let columns = background.numFeatures
        var means = [Double](repeating: 0, count: columns)
        let weights = [Double](repeating: 1 / Double(rows), count: rows)
        background.values.withUnsafeBufferPointer { x in
            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(columns), 1, x.baseAddress, Int32(columns),
                        weights, 1, 0, &means, 1)
        }
        return means
    }

    /// b + W·μ per output.
    static func baseValues(_ model: LinearModel, means: [Double]) -> [Double] {
        var base = model.intercept
        model.coefficients.withUnsafeBufferPointer { w in
            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(model.numOutputs), Int32(model.numFeatures), 1,
                        w.baseAddress, Int32(model.numFeatures), means, 1, 1, &base, 1)
        }
        return base
    }

    /// Attributions for every row of `batch` (a missing value gives NaN attributions: callers reject them first).
    /// - Complexity: O(rows × outputs × features).
    package func explain(_ batch: FeatureBatch, threads: Int = ProcessorCount.available) -> AttributionBatch {
        let rows = batch.rowCount
        let features = model.numFeatures
        let outputs = model.numOutputs
        // Written once by the workers, so not zero-filled first: each page is touched by the
        // core that fills it, and a memory-bound pass does not pay for a second one.
        let phi = [Double](unsafeUninitializedCapacity: rows * outputs * features) { output, initialized in
            batch.values.withUnsafeBufferPointer { input in
                model.coefficients.withUnsafeBufferPointer { weights in
                    means.withUnsafeBufferPointer { mu in
                        Parallel.forEachRange(rowCount: rows, threads: threads, minimumRowsPerTask: 4096) { range in
                            for row in range {
                                let x = input.baseAddress! + row * features
                                for k in 0..<outputs {
                                    let target = output.baseAddress! + (row * outputs + k) * features
                                    let coefficients = weights.baseAddress! + k * features
                                    for j in 0..<features { target[j] = coefficients[j] * (x[j] - mu[j]) }
                                }
                            }
                        }
                    }
                }
            }
            initialized = rows * outputs * features
        }
        return AttributionBatch(rowCount: rows, numOutputs: outputs, numFeatures: features, values: phi, baseValues: baseValues)
    }

    /// Raw outputs X·Wᵀ + b for every row, as one BLAS matrix product.
    /// - Complexity: O(rows × outputs × features).
    package static func predict(_ model: LinearModel, _ batch: FeatureBatch) -> [Double] {
        let rows = batch.rowCount
        var result = [Double](repeating: 0, count: rows * model.numOutputs)
        for row in 0..<rows {
            for k in 0..<model.numOutputs { result[row * model.numOutputs + k] = model.intercept[k] }
        }
        batch.values.withUnsafeBufferPointer { x in
            model.coefficients.withUnsafeBufferPointer { w in
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(model.numOutputs),
                            Int32(model.numFeatures), 1, x.baseAddress, Int32(model.numFeatures), w.baseAddress,
                            Int32(model.numFeatures), 1, &result, Int32(model.numOutputs))
            }
        }
        return result
    }
}
