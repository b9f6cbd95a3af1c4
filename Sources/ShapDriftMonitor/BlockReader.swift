import Dispatch
import ShapDriftCore

/// Reads a source one block ahead on a background queue. One read is in flight at a time and
/// the caller waits for it (`collect`) before asking for the next, so only one thread touches the
/// source at a time and it needs no locks; that discipline is what the `@unchecked Sendable`
/// rests on.
final class BlockReader: @unchecked Sendable {
    private let source: any FeatureSource
    private let queue = DispatchQueue(label: "shapdrift.block-reader")
    private let done = DispatchSemaphore(value: 0)
    private var pending: Result<FeatureBatch?, InputError> = .success(nil)
    private let sampling: RecordSampling
    /// Rows read before sampling; read by the caller only after `collect`.
    private(set) var rowsSeen: UInt64 = 0

    init(source: any FeatureSource, sampling: RecordSampling = .all) {
        self.source = source
        self.sampling = sampling
    }

    /// Starts reading the next block of up to `maxRows` rows (of the sample, when sampling:
    /// blocks that sample to nothing are passed over).
    func readAhead(maxRows: Int) {
        queue.async {
            do throws(InputError) {
                var batch = try self.source.nextBatch(maxRows: maxRows)
                while let read = batch {
                    self.rowsSeen += UInt64(read.rowCount)
                    let kept = self.sampling.sample(read)
                    if kept.rowCount > 0 {
                        batch = kept
                        break
                    }
                    batch = try self.source.nextBatch(maxRows: maxRows)
                }
                self.pending = .success(batch)
            } catch {
                self.pending = .failure(error)
            }
            self.done.signal()
        }
    }

    /// The block the last `readAhead` read, once it is ready.
    func collect() throws(InputError) -> FeatureBatch? {
        done.wait()
        return try queue.sync { pending }.get()
    }

    /// Waits for a read still in flight (when attribution failed), so the source outlives it.
    func drain() {
        queue.sync {}
    }
}
