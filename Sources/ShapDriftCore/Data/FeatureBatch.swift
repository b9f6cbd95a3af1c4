/// A block of rows aligned to a model's features: contiguous row-major `Double`, NaN = missing.
///
/// `values[r * numFeatures + j]` is feature `j` (in model order) of row `r`. Batches are what the
/// readers hand to the attribution engines; captured data is streamed as a sequence of them.
public struct FeatureBatch: Sendable {
    public let numFeatures: Int
    public var values: [Double]
    /// The 1-based line of the input file each row came from, for error messages (for rows built
    /// in memory: their 1-based position).
    public var sourceLines: [Int]
    /// The file the rows came from (as the user named it), for error messages; every row of a
    /// batch comes from one file.
    public var file: String
    /// Each row's `RecordKey`: its identity, independent of its position in the run.
    public var recordKeys: [UInt64]
    /// One entry per bad record a reader skipped (`BadRecordPolicy`) among these rows: the index
    /// of the row it preceded (`rowCount` when it came after the last), ascending. Commands that
    /// number rows (`explain`, `predict`) give each skipped record its number, so later rows
    /// keep theirs. Empty when nothing was skipped.
    public var skippedBefore: [Int] = []

    /// - Parameter recordKeys: one per row; `nil` keys each row by `file` and its line.
    /// - Precondition: `numFeatures > 0` and `values.count == sourceLines.count × numFeatures`.
    public init(numFeatures: Int, values: [Double] = [], sourceLines: [Int] = [], file: String = "<memory>",
                recordKeys: [UInt64]? = nil) {
        precondition(numFeatures > 0 && values.count == sourceLines.count * numFeatures)
        precondition(recordKeys == nil || recordKeys?.count == sourceLines.count)
        self.numFeatures = numFeatures
        self.values = values
        self.sourceLines = sourceLines
        self.file = file
        if let recordKeys {
            self.recordKeys = recordKeys
        } else {
            let source = RecordKey.hash(file.utf8)
            self.recordKeys = sourceLines.map { RecordKey.position(source: source, line: $0) }
        }
    }

    /// Rows given in memory, numbered 1, 2, … for messages.
    /// - Precondition: `values.count` is a multiple of `numFeatures`.
    public init(numFeatures: Int, rows values: [Double], name: String = "<memory>") {
        precondition(numFeatures > 0 && values.count % numFeatures == 0)
        self.init(numFeatures: numFeatures, values: values, sourceLines: Array(stride(from: 1, through: values.count / numFeatures, by: 1)),
                  file: name)
    }

    public var rowCount: Int { sourceLines.count }

    /// Feature `feature` of row `row`.
    public subscript(row: Int, feature: Int) -> Double { values[row * numFeatures + feature] }

    /// Appends the rows of `other` (same features).
    /// - Complexity: O(other's values).
    public mutating func append(contentsOf other: FeatureBatch) {
        precondition(other.numFeatures == numFeatures)
        skippedBefore += other.skippedBefore.map { $0 + rowCount }
        values += other.values
        sourceLines += other.sourceLines
        recordKeys += other.recordKeys
    }

    /// The number each row gets when rows are numbered from `first` and every skipped record
    /// takes a number too: row `r` is `first + r + (records skipped before it)`.
    /// - Complexity: O(rows + skipped).
    public func rowNumbers(from first: Int) -> [Int] {
        var numbers = [Int](repeating: 0, count: rowCount)
        var skipped = skippedBefore.startIndex
        for row in 0..<rowCount {
            while skipped < skippedBefore.endIndex, skippedBefore[skipped] <= row { skipped += 1 }
            numbers[row] = first + row + skipped
        }
        return numbers
    }
}
