import ShapDriftCore

/// A model's raw (margin-space) outputs, the value its attributions add up to: what `predict`
/// prints and what additivity is checked against.
public struct RawPredictor: Sendable {
    public let model: Model

    public init(model: Model) {
        self.model = model
        if case .linear = model.predictor { BLASThreading.keepOnCallingThread() }
    }

    /// `rows × numOutputs` raw outputs, row-major, on up to `threads` cores.
    /// - Throws: `InputError` when a linear model is given a missing value.
    /// - Complexity: O(rows × trees × depth) for trees, O(rows × outputs × features) for linear models.
    public func predict(_ batch: FeatureBatch, threads: Int = ProcessorCount.available) throws(InputError) -> [Double] {
        switch model.predictor {
        case .trees(let ensemble):
            var result = [Double](repeating: 0, count: batch.rowCount * ensemble.numOutputs)
            result.withUnsafeMutableBufferPointer { output in
                batch.values.withUnsafeBufferPointer { input in
                    Parallel.forEachRange(rowCount: batch.rowCount, threads: threads) { range in
                        ensemble.predict(
                            rows: UnsafeBufferPointer(rebasing: input[(range.lowerBound * ensemble.numFeatures)..<(range.upperBound * ensemble.numFeatures)]),
                            into: UnsafeMutableBufferPointer(rebasing: output[(range.lowerBound * ensemble.numOutputs)..<(range.upperBound * ensemble.numOutputs)]))
                    }
                }
            }
            return result
        case .linear(let linear):
            do {
                try Explainer.requireComplete(batch, model: model)
            } catch {
                guard case .input(let located) = error else { preconditionFailure("requireComplete throws input errors only") }
                throw located
            }
            return LinearSHAP.predict(linear, batch)
        }
    }
}
