/// A stream of rows aligned to a model's features, read in blocks so memory stays flat.
///
/// The readers of `ShapDriftFormats` (CSV, JSON Lines, SageMaker capture, chains of files) are
/// sources; so is `InMemoryFeatureSource`, for rows a program already holds.
public protocol FeatureSource: AnyObject {
    /// The next block of at most `maxRows` rows, or `nil` at the end.
    func nextBatch(maxRows: Int) throws(InputError) -> FeatureBatch?
    /// The error to report when the source turned out to hold no rows at all.
    var noRowsError: InputError { get }
    /// What the read found so far (records read and skipped, the time window, variants), for
    /// sources that read files; `nil` for rows given in memory.
    var recordSummary: RecordSummary? { get }
    /// The header naming the columns, when the rows are matched by position to a model without
    /// feature names and the data has one (a CSV file); `nil` otherwise.
    var dataHeader: DataHeader? { get }
    /// Which columns the rows read so far carried (absent features, extra columns, names).
    var columnStatistics: ColumnStatistics { get }
}

extension FeatureSource {
    public var recordSummary: RecordSummary? { nil }
    /// A source that does not see columns (rows in memory) reports none.
    public var columnStatistics: ColumnStatistics { ColumnStatistics() }
    /// Sources without a header (in memory, JSON Lines, capture) name no features.
    public var dataHeader: DataHeader? { nil }
}

/// Rows already in memory, handed out in blocks.
public final class InMemoryFeatureSource: FeatureSource {
    private var pending: [FeatureBatch]
    private var offset = 0
    private let name: String

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
        var piece = FeatureBatch(numFeatures: width, values: Array(batch.values[(offset * width)..<((offset + take) * width)]),
                                 sourceLines: Array(batch.sourceLines[offset..<(offset + take)]), file: batch.file,
                                 recordKeys: Array(batch.recordKeys[offset..<(offset + take)]))
        // Skipped records before a row go with it; those after the last row with the last piece.
        let last = offset + take == batch.rowCount
        piece.skippedBefore = batch.skippedBefore.filter { $0 >= offset && ($0 < offset + take || last) }.map { $0 - offset }
        offset += take
        if offset == batch.rowCount {
            pending.removeLast()
            offset = 0
        }
        return piece
    }

    public var noRowsError: InputError { InputError(file: name, "no data rows") }
}
