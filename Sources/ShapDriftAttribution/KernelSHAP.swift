import CBLAS
import Foundation
import ShapDriftCore

/// Model-agnostic KernelSHAP (Lundberg & Lee 2017, §4.1 and Theorem 2): Shapley values as the
/// solution of a weighted least-squares problem over coalitions z ∈ {0,1}^M with the Shapley
/// kernel weight (M−1)/(C(M,|z|)·|z|·(M−|z|)), the value of a coalition being the model's expected
/// output when the features outside it are taken from the background rows.
///
/// Efficiency (Σφ = f(x) − E f) is imposed exactly by eliminating the last feature, as shap's
/// `KernelExplainer` does. All 2^M − 2 proper coalitions are enumerated when they fit the sample
/// budget (the result is then the exact Shapley values w.r.t. the background); otherwise complete
/// coalition sizes are enumerated from the smallest and largest inwards while the budget allows
/// and the rest sampled in complementary pairs with a seeded generator (shap's scheme). The
/// coalitions are the same for every row, so the weighted least squares reduces to one matrix
/// A = (XᵀWX)⁺XᵀW (LAPACK `dsyevd` for the pseudo-inverse) and the attributions of a whole block
/// of rows to one BLAS product Φ = A·Ỹ.
package struct KernelSHAP: Sendable {
    package let model: Model
    /// Background rows (model feature order) and their weights (summing to 1).
    package let background: FeatureBatch
    package let backgroundWeights: [Double]
    package let outputSpace: OutputSpace
    /// E f over the (weighted) background, per output, in the explained space: the base value.
    package let baseValues: [Double]
    /// Coalitions × features, 1 = the feature takes the explained row's value.
    let coalitions: [UInt8]
    let coalitionWeights: [Double]
    /// (M−1) × K: the least-squares solution operator.
    let solver: [Double]

    /// Background rows beyond this are summarised by a seeded uniform sample of this many rows.
    package static let maximumBackgroundRows = 200

    /// shap's default budget for M features.
    package static func defaultSamples(features: Int) -> Int { 2 * features + 2048 }

    /// Values the least-squares operator may hold ((M − 1) × coalitions doubles: 256 MiB), so a
    /// budget far beyond what the features can use is refused before anything is allocated.
    package static let maximumSolverValues = 1 << 25

    /// - Throws: `ShapDriftError.input` for an empty background, `.configuration` for an output
    ///   space the model cannot give or a budget out of range, `.numerical` when LAPACK fails.
    /// - Complexity: O(K·M² + M³) for K coalitions of M features, plus K·M model evaluations' set-up.
    package init(model: Model, background: FeatureBatch, outputSpace: OutputSpace, samples: Int?, seed: UInt64) throws(ShapDriftError) {
        let features = model.numFeatures
        guard background.rowCount > 0 else { throw .input(InputError(file: background.file, "the background has no rows")) }
        if outputSpace == .probability, model.transform.probabilities == nil {
            throw .configuration(.probabilityRequiresClassifier(model.transform))
        }
        let budget = samples ?? Self.defaultSamples(features: features)
        let minimum = features > 1 ? 2 * features : 1
        guard budget >= minimum else {
            throw .configuration(.tooFewSamples(requested: budget, minimum: minimum, features: features))
        }
        let proper = features < 62 ? (1 << features) - 2 : Int.max
        let coalitionCount = min(budget, proper)
        guard coalitionCount <= Self.maximumSolverValues / max(1, features - 1) else {
            throw .configuration(.outOfRange(setting: "sample budget", value: String(budget),
                                             allowed: "at most \(Self.maximumSolverValues / max(1, features - 1)) coalitions for \(features) features"))
        }
        BLASThreading.keepOnCallingThread()
        self.model = model
        self.outputSpace = outputSpace
        (self.background, self.backgroundWeights) = Self.summarise(background, seed: seed)
        let design = CoalitionDesign(features: features, budget: budget, seed: seed)
        coalitions = design.masks
        coalitionWeights = design.weights
        do {
            solver = try Self.solverMatrix(masks: design.masks, weights: design.weights, features: features)
        } catch {
            throw .numerical(error)
        }
        baseValues = Self.baseValues(model: model, outputSpace: outputSpace, background: self.background, weights: self.backgroundWeights)
    }

    /// All rows when there are few; else a seeded uniform sample (equal weights).
    static func summarise(_ background: FeatureBatch, seed: UInt64) -> (FeatureBatch, [Double]) {
        let rows = background.rowCount
        guard rows > maximumBackgroundRows else {
            return (background, [Double](repeating: 1 / Double(rows), count: rows))
        }
        var generator = SplitMix64(seed: seed ^ 0xB4C6_0000)
        var indices = Array(0..<rows)
        for i in 0..<maximumBackgroundRows {
            let j = i + Int(generator.next() % UInt64(rows - i))
            indices.swapAt(i, j)
        }
        var sample = FeatureBatch(numFeatures: background.numFeatures, file: background.file)
        for index in indices.prefix(maximumBackgroundRows).sorted() {
            sample.values += background.values[(index * background.numFeatures)..<((index + 1) * background.numFeatures)]
            sample.sourceLines.append(background.sourceLines[index])
        }
        return (sample, [Double](repeating: 1 / Double(maximumBackgroundRows), count: maximumBackgroundRows))
    }

    /// Eigenvalues of the normal matrix at or below λ_max · n · ε · this are treated as zero in its
    /// pseudo-inverse: the usual rank cut-off of a symmetric eigensolver (NumPy's `pinv` uses
    /// λ_max · n · ε), with a safety factor because N is formed as a product and carries its
    /// rounding.
    static let pseudoInverseCutoffScale = 16.0

    /// A = (XᵀWX)⁺XᵀW with X_kj = z_kj − z_k,M−1 (j < M−1).
    static func solverMatrix(masks: [UInt8], weights: [Double], features: Int) throws(NumericalError) -> [Double] {
        let unknowns = features - 1
        guard unknowns > 0 else { return [] }
        let count = weights.count
        var design = [Double](repeating: 0, count: count * unknowns)
        var weighted = design
        for k in 0..<count {
            let last = Double(masks[k * features + unknowns])
            for j in 0..<unknowns {
                let value = Double(masks[k * features + j]) - last
                design[k * unknowns + j] = value
                weighted[k * unknowns + j] = value * weights[k]
            }
        }
        // Normal matrix N = Xᵀ(WX), right-hand side (WX)ᵀ, solved as N·A = (WX)ᵀ.
        var normal = [Double](repeating: 0, count: unknowns * unknowns)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(unknowns), Int32(unknowns), Int32(count), 1,
                    design, Int32(unknowns), weighted, Int32(unknowns), 0, &normal, Int32(unknowns))
        // A = N⁺·(WX)ᵀ with the pseudo-inverse of the symmetric N, so a budget whose coalitions do
        // not determine every attribution still gives the minimum-norm least-squares solution (as
        // shap falls back to least squares) instead of failing.
        var eigenvalues = [Double](repeating: 0, count: unknowns)
        let status = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")), Int32(unknowns),
                                    &normal, Int32(unknowns), &eigenvalues)
        guard status == 0 else {
            throw NumericalError(operation: "LAPACK dsyevd", "the KernelSHAP normal equations could not be solved (status \(status))")
        }
        let cutoff = (eigenvalues.map(abs).max() ?? 0) * Double(unknowns) * Double.ulpOfOne * Self.pseudoInverseCutoffScale
        var inverse = [Double](repeating: 0, count: unknowns * unknowns)
        for e in 0..<unknowns where eigenvalues[e] > cutoff {
            let scale = 1 / eigenvalues[e]
            for i in 0..<unknowns {
                let vi = normal[i * unknowns + e] * scale
                for j in 0..<unknowns { inverse[i * unknowns + j] += vi * normal[j * unknowns + e] }
            }
        }
        var solution = [Double](repeating: 0, count: unknowns * count)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(unknowns), Int32(count), Int32(unknowns), 1,
                    inverse, Int32(unknowns), weighted, Int32(unknowns), 0, &solution, Int32(count))
        return solution
    }

    /// f(x) or its link, per output, for `rows` rows of model-order values.
    func evaluate(_ rows: FeatureBatch) -> [Double] {
        Self.evaluate(rows, model: model, outputSpace: outputSpace)
    }

    static func evaluate(_ rows: FeatureBatch, model: Model, outputSpace: OutputSpace) -> [Double] {
        let outputs = model.numOutputs
        var raw: [Double]
        switch model.predictor {
        case .trees(let ensemble):
            raw = [Double](repeating: 0, count: rows.rowCount * outputs)
            raw.withUnsafeMutableBufferPointer { out in
                rows.values.withUnsafeBufferPointer { input in ensemble.predict(rows: input, into: out) }
            }
        case .linear(let linear):
            raw = LinearSHAP.predict(linear, rows)
        }
        if outputSpace == .probability { applyLink(model.transform, to: &raw, outputs: outputs) }
        return raw
    }

    /// The model's probabilities from its margins, for the classifiers KernelSHAP's probability
    /// space accepts (`OutputTransform.probabilities`).
    static func applyLink(_ transform: OutputTransform, to values: inout [Double], outputs: Int) {
        transform.probabilities?.apply(to: &values, outputs: outputs)
    }

    /// For each row of `rows`, E_r f(x_S, r_S̄) for every coalition S (`coalitions × outputs`, in
    /// the explained space), handed to `body(row, expectations)`. Tree ensembles of up to 64 features
    /// get their coalition values from `TreeCoalitionValues`; other models are evaluated on the
    /// synthetic rows.
    private func coalitionExpectations(rows: Range<Int>, batch: FeatureBatch, _ body: (Int, [Double]) -> Void) {
        let features = model.numFeatures
        let outputs = model.numOutputs
        let count = coalitionWeights.count
        var expected = [Double](repeating: 0, count: count * outputs)
        let references = background.rowCount
        if case .trees(let ensemble) = model.predictor, features <= TreeCoalitionValues.maximumFeatures {
            let walker = TreeCoalitionValues(ensemble: ensemble, coalitions: coalitions, count: count)
            var values = [Double](repeating: 0, count: count * outputs)
            var terms: [TermKey: Int] = [:]
            var termValues: [Double] = []
            ensemble.withUnsafeView { view in
                batch.values.withUnsafeBufferPointer { input in
                    background.values.withUnsafeBufferPointer { reference in
                        for row in rows {
                            for index in expected.indices { expected[index] = 0 }
                            let x = UnsafeBufferPointer(rebasing: input[(row * features)..<((row + 1) * features)])
                            for r in 0..<references {
                                let backgroundRow = UnsafeBufferPointer(rebasing: reference[(r * features)..<((r + 1) * features)])
                                values.withUnsafeMutableBufferPointer { out in
                                    walker.values(view: view, x: x, r: backgroundRow, terms: &terms, termValues: &termValues, into: out.baseAddress!)
                                }
                                if outputSpace == .probability { Self.applyLink(model.transform, to: &values, outputs: outputs) }
                                let weight = backgroundWeights[r]
                                for index in 0..<(count * outputs) { expected[index] += weight * values[index] }
                            }
                            body(row, expected)
                        }
                    }
                }
            }
            return
        }
        var synthetic = FeatureBatch(numFeatures: features, values: [Double](repeating: 0, count: references * features),
                                     sourceLines: [Int](repeating: 0, count: references))
        for row in rows {
            let x = batch.values[(row * features)..<((row + 1) * features)]
            for k in 0..<count {
                let mask = coalitions[(k * features)..<((k + 1) * features)]
                for r in 0..<references {
                    for (j, take) in mask.enumerated() {
                        synthetic.values[r * features + j] = take != 0 ? x[x.startIndex + j] : background.values[r * features + j]
                    }
                }
                let values = evaluate(synthetic)
                for o in 0..<outputs {
                    expected[k * outputs + o] = (0..<references).reduce(0) { $0 + backgroundWeights[$1] * values[$1 * outputs + o] }
                }
            }
            body(row, expected)
        }
    }

    /// E f over the background, per output.
    static func baseValues(model: Model, outputSpace: OutputSpace, background: FeatureBatch, weights: [Double]) -> [Double] {
        let values = evaluate(background, model: model, outputSpace: outputSpace)
        let outputs = model.numOutputs
        return (0..<outputs).map { k in (0..<background.rowCount).reduce(0) { $0 + weights[$1] * values[$1 * outputs + k] } }
    }

    /// - Complexity: O(rows · coalitions · (background rows · model cost + features)).
    package func explain(_ batch: FeatureBatch, threads: Int = ProcessorCount.available) -> AttributionBatch {
        let rows = batch.rowCount
        let features = model.numFeatures
        let outputs = model.numOutputs
        let count = coalitionWeights.count
        let base = baseValues
        let predictions = evaluate(batch)
        // Ỹ: coalitions × (rows · outputs), filled in parallel over rows.
        var targets = [Double](repeating: 0, count: count * rows * outputs)
        let columns = rows * outputs
        targets.withUnsafeMutableBufferPointer { buffer in
            Parallel.forEachRange(rowCount: rows, threads: threads, minimumRowsPerTask: 1) { range in
                coalitionExpectations(rows: range, batch: batch) { row, expected in
                    for k in 0..<count {
                        let last = Double(coalitions[k * features + features - 1])
                        for o in 0..<outputs {
                            let total = predictions[row * outputs + o] - base[o]
                            buffer[k * columns + row * outputs + o] = expected[k * outputs + o] - base[o] - last * total
                        }
                    }
                }
            }
        }
        var phi = [Double](repeating: 0, count: rows * outputs * features)
        let unknowns = features - 1
        var solved = [Double](repeating: 0, count: max(1, unknowns) * columns)
        if unknowns > 0 {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(unknowns), Int32(columns), Int32(count), 1,
                        solver, Int32(count), targets, Int32(columns), 0, &solved, Int32(columns))
        }
        for row in 0..<rows {
            for o in 0..<outputs {
                let total = predictions[row * outputs + o] - base[o]
                var sum = 0.0
                let offset = (row * outputs + o) * features
                for j in 0..<unknowns {
                    let value = solved[j * columns + row * outputs + o]
                    phi[offset + j] = value
                    sum += value
                }
                phi[offset + features - 1] = total - sum
            }
        }
        return AttributionBatch(rowCount: rows, numOutputs: outputs, numFeatures: features, values: phi, baseValues: base)
    }
}
