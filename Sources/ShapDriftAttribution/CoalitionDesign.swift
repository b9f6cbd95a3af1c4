import ShapDriftCore

/// The coalitions KernelSHAP evaluates and their weights (summing to 1), chosen as shap's
/// `KernelExplainer` chooses them (`shap/explainers/_kernel.py`, `explain`): every proper
/// coalition when 2^M − 2 fit the budget; otherwise whole coalition sizes s and M − s, from the
/// smallest inwards, while the budget share their Shapley-kernel weight earns covers every subset
/// of that size, and the rest drawn in complementary pairs in proportion to the remaining weight.
struct CoalitionDesign {
    /// A size is enumerated when its share of the budget covers every subset of it to within this
    /// relative tolerance (shap's `KernelExplainer.explain` tests the same share against
    /// `1.0 - 1e-8`), so rounding in the weights does not drop a size that fits.
    static let completeSizeTolerance = 1e-8
    /// Remaining kernel weight (as a fraction of the total) below which nothing is left to sample:
    /// what is left after enumerating every size is rounding, not coalitions.
    static let negligibleWeight = 1e-12

    var masks: [UInt8] = []
    var weights: [Double] = []

    init(features m: Int, budget: Int, seed: UInt64) {
        guard m > 1 else { return }
        let proper = m < 62 ? (1 << m) - 2 : Int.max
        if proper <= budget {
            for subset in 1...proper {
                let size = subset.nonzeroBitCount
                append((0..<m).map { UInt8((subset >> $0) & 1) }, weight: Double(m - 1) / (binomial(m, size) * Double(size * (m - size))))
            }
            normalise()
            return
        }
        // shap's scheme: subset sizes s and M−s paired; enumerate whole sizes while they fit.
        let sizes = (m - 1 + 1) / 2
        let paired = m / 2
        var sizeWeight = (1...sizes).map { s in Double(m - 1) / Double(s * (m - s)) * (s <= paired && s != m - s ? 2 : 1) }
        let totalWeight = sizeWeight.reduce(0, +)
        sizeWeight = sizeWeight.map { $0 / totalWeight }
        var remaining = budget
        var remainingWeight = 1.0
        var complete = 0
        for s in 1...sizes {
            let isPaired = s <= paired && s != m - s
            let count = binomial(m, s) * (isPaired ? 2 : 1)
            // Enumerate the whole size when the budget share it would get covers every subset of it.
            guard remainingWeight > 0,
                  Double(remaining) * (sizeWeight[s - 1] / remainingWeight) / count >= 1 - Self.completeSizeTolerance else { break }
            complete = s
            let each = sizeWeight[s - 1] / count
            for subset in Self.subsets(of: m, size: s) {
                append(subset, weight: each)
                if isPaired { append(subset.map { 1 - $0 }, weight: each) }
            }
            remaining -= Int(count)
            remainingWeight -= sizeWeight[s - 1]
        }
        if complete < sizes, remaining > 1, remainingWeight > Self.negligibleWeight {
            var generator = SplitMix64(seed: seed)
            let left = Array(sizeWeight[complete...]).map { $0 / remainingWeight }
            var seen: [[UInt8]: Int] = [:]
            let each = remainingWeight / Double(remaining - remaining % 2)
            var drawn = 0
            while drawn + 2 <= remaining {
                var pick = generator.nextUnit()
                var sizeIndex = 0
                while sizeIndex < left.count - 1, pick >= left[sizeIndex] { pick -= left[sizeIndex]; sizeIndex += 1 }
                let size = complete + 1 + sizeIndex
                var order = Array(0..<m)
                for i in 0..<size { order.swapAt(i, i + Int(generator.next() % UInt64(m - i))) }
                var mask = [UInt8](repeating: 0, count: m)
                for i in 0..<size { mask[order[i]] = 1 }
                for candidate in [mask, mask.map { 1 - $0 }] {
                    if let index = seen[candidate] {
                        weights[index] += each
                    } else {
                        seen[candidate] = weights.count
                        append(candidate, weight: each)
                    }
                }
                drawn += 2
            }
        }
        normalise()
    }

    private mutating func append(_ mask: [UInt8], weight: Double) {
        masks += mask
        weights.append(weight)
    }

    private mutating func normalise() {
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
    }

    static func subsets(of m: Int, size: Int) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var chosen: [Int] = []
        func extend(from start: Int) {
            if chosen.count == size {
                var mask = [UInt8](repeating: 0, count: m)
                for index in chosen { mask[index] = 1 }
                result.append(mask)
                return
            }
            guard start < m else { return }
            for index in start..<m where m - index >= size - chosen.count {
                chosen.append(index)
                extend(from: index + 1)
                chosen.removeLast()
            }
        }
        extend(from: 0)
        return result
    }
}

/// C(n, k) as a Double.
func binomial(_ n: Int, _ k: Int) -> Double {
    var result = 1.0
    for i in 0..<min(k, n - k) { result = result * Double(n - i) / Double(i + 1) }
    return result.rounded()
}
