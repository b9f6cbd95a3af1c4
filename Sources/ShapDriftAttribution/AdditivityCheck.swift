import ShapDriftCore

/// Efficiency, checked on every attributed row: base value + Σⱼ φⱼ must equal the model's own
/// output for the row (Lundberg & Lee 2017, property 1, "local accuracy"). Every engine here
/// satisfies it exactly in real arithmetic, so a row that misses it by more than rounding —
/// magnitudes whose sums overflow or cancel away, or a defect — gets an error naming it, never a
/// silent number in an explanation, a profile or a verdict.
///
/// The tolerance is relative to the magnitudes involved: |base + Σφ − f(x)| ≤ τ · S with
/// τ = `relativeTolerance` and S = |f(x)| + |base| + Σⱼ |φⱼ| + the model's own scale per output
/// (`modelScale`). Rounding in a tree ensemble's attributions grows with its leaf values even
/// where they cancel between trees, so for trees that scale is |base offset| + Σ over the trees
/// of the largest |leaf value|; for a linear model, |intercept| + Σⱼ |wⱼ μⱼ| (the terms of the
/// base value). S bounds every term the sums round, so τ covers the rounding of 10⁶ terms many
/// times over, while a row whose sums overflowed (∞ or NaN) always fails.
struct AdditivityCheck: Sendable {
    /// τ: rounding leaves |error| ≤ n·2⁻⁵³·S for n terms; 1e-9 allows n up to millions.
    static let relativeTolerance = 1e-9

    /// Per output, the model magnitude added to each row's scale.
    let modelScale: [Double]
    /// What the outputs are, for messages: `raw`, or `probability`.
    let space: OutputSpace

    /// - Parameter means: the feature means a linear engine measures from (nil otherwise).
    init(model: Model, space: OutputSpace, means: [Double]?) {
        self.space = space
        let outputs = model.numOutputs
        var scale = [Double](repeating: 0, count: outputs)
        guard space == .raw else {
            modelScale = scale
            return
        }
        switch model.predictor {
        case .trees(let ensemble):
            for output in 0..<outputs { scale[output] = abs(ensemble.baseOffset[output]) }
            let width = ensemble.leafWidth
            for tree in 0..<ensemble.treeRoot.count {
                let first = Int(ensemble.treeRoot[tree])
                let end = tree + 1 < ensemble.treeRoot.count ? Int(ensemble.treeRoot[tree + 1]) : ensemble.left.count
                var largest = [Double](repeating: 0, count: width)
                for node in first..<end where ensemble.left[node] < 0 {
                    for k in 0..<width { largest[k] = max(largest[k], abs(ensemble.leafValues[node * width + k])) }
                }
                if width == 1 {
                    scale[Int(ensemble.treeOutput[tree])] += largest[0]
                } else {
                    for k in 0..<width { scale[k] += largest[k] }
                }
            }
        case .linear(let linear):
            for output in 0..<outputs {
                var total = abs(linear.intercept[output])
                if let means {
                    for feature in 0..<linear.numFeatures {
                        total += abs(linear.coefficients[output * linear.numFeatures + feature] * means[feature])
                    }
                }
                scale[output] = total
            }
        }
        modelScale = scale
    }

    /// Checks every row and output of `attributions` against `predictions` (rows × outputs,
    /// row-major), rows split across `threads` (each row's sum is added in feature order
    /// whatever the split, so the totals do not depend on it).
    /// - Returns: the totals it checked, base value + Σⱼ φⱼ per row and output (`AttributionBatch.totals`).
    /// - Throws: `.numerical` naming the first row (file and line) and output that fails.
    /// - Complexity: O(rows × outputs × features).
    func verify(_ attributions: AttributionBatch, predictions: [Double], batch: FeatureBatch,
                threads: Int = 1) throws(ShapDriftError) -> [Double] {
        let (rows, outputs, features) = (attributions.rowCount, attributions.numOutputs, attributions.numFeatures)
        precondition(predictions.count == rows * outputs)
        // Per row and output, 1 where a range's first failure is (later rows of that range go unchecked).
        var failed = [UInt8](repeating: 0, count: rows * outputs)
        var totals = [Double](repeating: 0, count: rows * outputs)
        attributions.values.withUnsafeBufferPointer { phi in
            predictions.withUnsafeBufferPointer { predictions in
                totals.withUnsafeMutableBufferPointer { totals in
                    failed.withUnsafeMutableBufferPointer { failed in
                        Parallel.forEachRange(rowCount: rows, threads: threads, minimumRowsPerTask: Self.minimumRowsPerTask) { range in
                            if let index = firstFailure(phi, attributions.baseValues, predictions, totals, rows: range, outputs: outputs, features: features) {
                                failed[index] = 1
                            }
                        }
                    }
                }
            }
        }
        guard let index = failed.firstIndex(of: 1) else { return totals }
        let expected = predictions[index]
        let failure = (row: index / outputs, output: index % outputs, total: totals[index], tolerance: tolerance(attributions, index, expected: expected))
        let output = outputs > 1 ? ", output \(failure.output)" : ""
        throw .numerical(NumericalError(
            operation: "additivity",
            "\(batch.file):\(batch.sourceLines[failure.row])\(output): the attributions add up to \(failure.total) (base value included), "
                + "but the model's \(space.rawValue) output for the row is \(expected); they differ by more than the tolerance "
                + "\(failure.tolerance) (\(Self.relativeTolerance) of the magnitudes involved), so its attributions cannot be trusted "
                + "(values or model parameters beyond double precision, or a defect)"))
    }

    /// Rows a task of `verify` checks at least: a block's few rows stay on one core.
    static let minimumRowsPerTask = 64

    /// Sums base value + Σⱼ φⱼ into `totals` for every row of `range` and output, and returns the
    /// first (row-major index) that misses its prediction by more than the tolerance, or `nil`.
    private func firstFailure(_ phi: UnsafeBufferPointer<Double>, _ baseValues: [Double], _ predictions: UnsafeBufferPointer<Double>,
                              _ totals: UnsafeMutableBufferPointer<Double>, rows range: Range<Int>, outputs: Int, features: Int) -> Int? {
        for row in range {
            for output in 0..<outputs {
                let index = row * outputs + output
                let (total, magnitude) = sums(phi, base: baseValues[output], output: output, offset: index * features, features: features)
                totals[index] = total
                let expected = predictions[index]
                // Written so that NaN and infinities fail: a comparison with NaN is false.
                if !(abs(total - expected) <= Self.tolerance(magnitude: magnitude, expected: expected)) { return index }
            }
        }
        return nil
    }

    /// base + Σⱼ φⱼ, added in feature order, and the scale S the tolerance is relative to (less |f(x)|).
    @inline(__always)
    private func sums(_ phi: UnsafeBufferPointer<Double>, base: Double, output: Int, offset: Int, features: Int) -> (total: Double, magnitude: Double) {
        var total = base
        var magnitude = abs(base) + modelScale[output]
        for feature in 0..<features {
            total += phi[offset + feature]
            magnitude += abs(phi[offset + feature])
        }
        return (total, magnitude)
    }

    /// The tolerance of the row and output at row-major `index` whose model output is `expected`,
    /// for the error message.
    private func tolerance(_ attributions: AttributionBatch, _ index: Int, expected: Double) -> Double {
        let output = index % attributions.numOutputs
        let magnitude = attributions.values.withUnsafeBufferPointer { phi in
            sums(phi, base: attributions.baseValues[output], output: output, offset: index * attributions.numFeatures, features: attributions.numFeatures).magnitude
        }
        return Self.tolerance(magnitude: magnitude, expected: expected)
    }

    /// τ · S: `magnitude` is S less |f(x)|, and `expected` is f(x).
    @inline(__always)
    private static func tolerance(magnitude: Double, expected: Double) -> Double {
        relativeTolerance * (magnitude + abs(expected))
    }
}
