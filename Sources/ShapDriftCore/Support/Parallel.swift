import Dispatch

/// Runs independent pieces of work on all cores: contiguous row ranges (`forEachRange`) or single
/// indices handed out one at a time (`forEach`).
///
/// The bodies are not `@Sendable`: they capture the buffers they write, and every caller hands
/// each call a disjoint part of them (its rows, its column, its replicates), which is what makes
/// the concurrent calls race-free. This file is the one place where that promise is turned into
/// `Sendable` for Dispatch (`UncheckedSendable`); callers keep plain captures.
package enum Parallel {
    /// Splits `rowCount` rows into contiguous ranges and calls `body` once per range, on up to
    /// `threads` cores. Each range holds at least `minimumRowsPerTask` rows (except a shorter
    /// last one), so a worker's scratch set-up is paid per range, never per row.
    /// - Complexity: `body`'s work plus O(tasks).
    package static func forEachRange(rowCount: Int, threads: Int, minimumRowsPerTask: Int = 16,
                                     _ body: (Range<Int>) -> Void) {
        guard rowCount > 0 else { return }
        let tasks = max(1, min(threads * 4, rowCount / max(1, minimumRowsPerTask)))
        if tasks == 1 || threads <= 1 {
            body(0..<rowCount)
            return
        }
        let perTask = (rowCount + tasks - 1) / tasks
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: tasks) { task in
                let start = task * perTask
                let end = min(rowCount, start + perTask)
                if start < end { shared.value(start..<end) }
            }
        }
    }

    /// Calls `body` for every index in `0..<count`, on up to `threads` cores, indices handed out
    /// one at a time so uneven pieces (e.g. one summary per feature) balance.
    /// - Complexity: `body`'s work.
    package static func forEach(count: Int, threads: Int, _ body: (Int) -> Void) {
        if threads <= 1 || count <= 1 {
            for index in 0..<count { body(index) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: count) { shared.value($0) }
        }
    }
}

/// A value the caller guarantees is used without data races: here, a work body whose concurrent
/// calls touch disjoint memory (see `Parallel`).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
