/// A stream of rows aligned to a model's features, read in blocks so memory stays flat.
///
/// The readers of `ShapDriftFormats` (CSV, JSON Lines, SageMaker capture, chains of files) are
/// sources; so is `InMemoryFeatureSource`, for rows a program already holds.
public protocol FeatureSource: AnyObject {
    /// The next block of at most `maxRows` rows, or `nil` at the end.
    func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch?
    /// The error to report when the source turned out to hold no rows at all.
    var noRowsError: InputError { get }
    /// What was read so far besides the rows (records, absent and extra columns, capture times).
    var statistics: SourceStatistics { get }
}

extension FeatureSource {
    /// A source that keeps no statistics reports none.
    public var statistics: SourceStatistics { SourceStatistics() }
}

/// Rows already in memory, handed out in blocks.
public final class InMemoryFeatureSource: FeatureSource {
    private var pending: [FeatureBatch]
    private var offset = 0
    private let name: String
    public private(set) var statistics = SourceStatistics()

    /// - Parameter batches: the rows, in order; `name` is used in messages.
    public init(_ batches: [FeatureBatch], name: String = "<memory>") {
        pending = batches.filter { $0.rowCount > 0 }.reversed()
        self.name = name
    }

    /// - Complexity: O(maxRows × features) per call.
    public func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch? {
        guard let batch = pending.last else { return nil }
        let take = min(maxRows, batch.rowCount - offset)
        let width = batch.numFeatures
        let piece = FeatureBatch(numFeatures: width, values: Array(batch.values[(offset * width)..<((offset + take) * width)]),
                                 sourceLines: Array(batch.sourceLines[offset..<(offset + take)]), file: batch.file,
                                 recordKeys: Array(batch.recordKeys[offset..<(offset + take)]))
        offset += take
        statistics.records += UInt64(take)
        statistics.rows += UInt64(take)
        if offset == batch.rowCount {
            pending.removeLast()
            offset = 0
        }
        return piece
    }

    public var noRowsError: InputError { InputError(file: name, "no data rows") }
}
