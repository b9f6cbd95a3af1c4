import CBLAS

/// Keeps OpenBLAS on the calling thread, once per process.
///
/// ShapDrift's parallelism is its own row and column workers; its BLAS calls are single products
/// inside or between those phases. An OpenBLAS thread pool would busy-wait (`sched_yield`) after
/// each product on the very cores the workers need, so every engine that calls BLAS asks for
/// this first (an embedding program does not have to know).
package enum BLASThreading {
    private static let configured: Void = {
        openblas_set_num_threads(1)
    }()

    /// Sets OpenBLAS to one thread the first time it is called; later calls do nothing.
    package static func keepOnCallingThread() {
        _ = configured
    }
}
