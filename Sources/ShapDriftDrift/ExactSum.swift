import ShapDriftCore

/// A sum of Doubles kept exactly, as a list of non-overlapping partials (Shewchuk, "Adaptive
/// precision floating-point arithmetic and fast robust geometric predicates", 1997, §2 — the
/// algorithm behind Python's `math.fsum`).
///
/// Why exact: profiles are merged across shards, and the sum of two halves must equal the sum of
/// the whole regardless of order. Floating-point addition is not associative; an exact sum is, and
/// `value` is the correctly rounded total whatever the order of additions and merges.
public struct ExactSum: Codable, Equatable, Sendable {
    private var partials: [Double] = []

    public init() {}

    /// The sum of `terms` (finite doubles).
    init(terms: [Double]) {
        for term in terms { add(term) }
    }

    /// Adds a finite value exactly (non-finite values are the caller's to filter): Shewchuk's
    /// grow-expansion with zero elimination, which leaves at most one more partial.
    public mutating func add(_ value: Double) {
        var x = value
        var kept = 0
        for index in partials.indices {
            var y = partials[index]
            if abs(x) < abs(y) { swap(&x, &y) }
            let high = x + y
            let low = y - (high - x)
            if low != 0 {
                partials[kept] = low
                kept += 1
            }
            x = high
        }
        if kept < partials.count {
            partials[kept] = x
            partials.removeLast(partials.count - kept - 1)
        } else {
            partials.append(x)
        }
    }

    public mutating func merge(_ other: ExactSum) {
        for partial in other.partials { add(partial) }
    }

    /// `factor` × this sum, exactly: each partial p is split into its rounded product p·factor
    /// and that product's rounding error fma(p, factor, −p·factor), both added (an error-free
    /// product: Ogita, Rump & Oishi, "Accurate sum and dot product", 2005, §3). What a linear
    /// model's derived attribution sums rest on (`LinearAttributionFactors`): the sum of w·x over
    /// a dataset is w times the exact sum of x, and scaling the merge of two sums equals merging
    /// them scaled. Exact unless a product falls below 2⁻⁹⁶⁹ (about 1e-292), where its error is
    /// subnormal and may lose bits below 2⁻¹⁰⁷⁴.
    /// - Returns: `nil` when a product overflows.
    /// - Complexity: O(partials).
    func scaled(by factor: Double) -> ExactSum? {
        var result = ExactSum()
        for partial in partials {
            let product = partial * factor
            guard product.isFinite else { return nil }
            result.add(product)
            let error = (-product).addingProduct(partial, factor)
            if error != 0 { result.add(error) }
        }
        return result
    }

    /// The correctly rounded sum.
    public var value: Double {
        guard var index = partials.indices.last else { return 0 }
        var high = partials[index]
        var low = 0.0
        while index > 0 {
            index -= 1
            let x = high
            let y = partials[index]
            high = x + y
            let yr = high - x
            low = y - yr
            if low != 0 { break }
        }
        // Round half-even correction, as in fsum: if the remaining partials push past a tie, adjust.
        if index > 0, (low < 0 && partials[index - 1] < 0) || (low > 0 && partials[index - 1] > 0) {
            let y = low * 2
            let x = high + y
            if y == x - high { high = x }
        }
        return high
    }

    public static func == (lhs: ExactSum, rhs: ExactSum) -> Bool { lhs.value == rhs.value }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let values = try container.decode([Double].self)
        guard values.allSatisfy(\.isFinite) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "an exact sum's terms must be finite numbers")
        }
        partials = []
        for value in values { add(value) }
    }

    /// The same exact sum as the unique expansion v₁ + v₂ + … where v₁ is the correctly rounded
    /// total and each next term the correctly rounded remainder; written smallest first. Different
    /// orders of additions leave different partials, but the same canonical terms, so equal sums
    /// serialise to equal bytes.
    var canonicalPartials: [Double] {
        var remainder = self
        var terms: [Double] = []
        while true {
            let term = remainder.value
            if term == 0 || terms.count > 40 { break }
            terms.append(term)
            remainder.add(-term)
        }
        return terms.reversed()
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(canonicalPartials)
    }
}
