/// A block of rows aligned to a model's features: contiguous row-major `Double`, NaN = missing.
///
/// `values[r * numFeatures + j]` is feature `j` (in model order) of row `r`. Batches are what the
/// readers hand to the attribution engines; captured data is streamed as a sequence of them.
public struct FeatureBatch: Sendable {
    public let numFeatures: Int
    public var values: [Double]
    /// The 1-based line of the input file each row came from, for error messages.
    public var sourceLines: [Int]

    public init(numFeatures: Int, values: [Double] = [], sourceLines: [Int] = []) {
        precondition(numFeatures > 0 && values.count == sourceLines.count * numFeatures)
        self.numFeatures = numFeatures
        self.values = values
        self.sourceLines = sourceLines
    }

    public var rowCount: Int { sourceLines.count }

    /// Feature `feature` of row `row`.
    public subscript(row: Int, feature: Int) -> Double { values[row * numFeatures + feature] }

    /// Appends the rows of `other` (same features).
    public mutating func append(contentsOf other: FeatureBatch) {
        precondition(other.numFeatures == numFeatures)
        values += other.values
        sourceLines += other.sourceLines
    }
}
