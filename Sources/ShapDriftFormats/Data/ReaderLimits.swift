/// The bounds the data readers hold every input to, so that no file, however large or hostile,
/// makes a reader allocate more than the bound says (`docs/robustness.md`).
public struct ReaderLimits: Sendable, Equatable {
    /// 16 MiB: a SageMaker capture record holds one request of at most 6 MB (the real-time
    /// endpoint's invocation payload limit), which base64 (4/3) and JSON escaping grow to under
    /// 9 MB; a CSV or JSON Lines row of millions of features fits too.
    public static let defaultMaxLineBytes = 16 << 20

    /// The longest line (a CSV row, a JSON Lines record, a capture record) accepted, in bytes.
    /// A longer one is a located error; memory for a line is at most this plus one read block.
    public var maxLineBytes: Int

    public init(maxLineBytes: Int = ReaderLimits.defaultMaxLineBytes) {
        precondition(maxLineBytes > 0)
        self.maxLineBytes = maxLineBytes
    }
}
