import CBLAS
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Splits `rowCount` rows into contiguous ranges and runs `body` on them on all cores.
///
/// Each call of `body` owns its range, so workers write disjoint parts of the output without
/// locks; a worker allocates its scratch space once per range, never per row.
public enum RowParallel {
    /// Worker count used when the caller does not choose one.
    public static var defaultThreads: Int { max(1, ProcessInfoCores.active) }

    public static func forEachRange(rowCount: Int, threads: Int = defaultThreads, minimumRowsPerTask: Int = 16,
                                    _ body: @Sendable (Range<Int>) -> Void) {
        guard rowCount > 0 else { return }
        let tasks = max(1, min(threads * 4, rowCount / max(1, minimumRowsPerTask)))
        if tasks == 1 || threads == 1 {
            body(0..<rowCount)
            return
        }
        let perTask = (rowCount + tasks - 1) / tasks
        DispatchQueue.concurrentPerform(iterations: tasks) { task in
            let start = task * perTask
            let end = min(rowCount, start + perTask)
            if start < end { body(start..<end) }
        }
    }
}

extension RowParallel {
    /// Makes OpenBLAS run on the calling thread. ShapDrift's parallelism is its row workers; its
    /// BLAS calls are single products between parallel phases, and an OpenBLAS thread pool
    /// would busy-wait after each of them on the cores the workers need. Call once at startup.
    public static func keepBLASOnCallingThread() {
        openblas_set_num_threads(1)
    }
}

/// Runs independent per-column work (e.g. one summary per feature) on all cores, columns handed
/// out one at a time so uneven columns balance.
public enum ColumnParallel {
    public static func forEach(count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        if threads <= 1 || count <= 1 {
            for column in 0..<count { body(column) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}

/// The number of cores this process may use.
enum ProcessInfoCores {
    static var active: Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }
}
