import ShapDriftCore

/// A kernel that explains rows tree by tree, a block of rows at a time: what `TreeBlockSchedule`
/// drives. One instance per worker owns that worker's scratch buffers and frees them when it goes
/// away (`~Copyable` with `deinit`: a copy cannot double-free, a forgotten free cannot leak).
protocol TreeBlockWorker: ~Copyable, SendableMetatype {
    /// Called once per tree before its blocks (e.g. to build the tree's tables).
    func prepare(tree: Int)
    /// Adds `tree`'s attributions for `count` ≤ `TreeBlockSchedule.blockRows` consecutive rows
    /// (`rows`, row-major) to `columns`: the block's attributions column-major, `blockRows`
    /// rows per column, starting at the tree's first output column.
    func explain(tree: Int, rows: UnsafePointer<Double>, count: Int, view: TreeEnsembleView, columns: UnsafeMutablePointer<Double>)
}

/// Runs a `TreeBlockWorker` over a batch: rows split across cores (`Parallel.forEachRange`), each worker's
/// range processed tree by tree in blocks of `blockRows`, so a tree's nodes and tables stay in
/// cache while every block passes through it. Output is kept column-major per block (one column
/// per output and feature), so a leaf's contributions to the block's rows land in contiguous
/// memory, and transposed into the row-major result at the end. The summation order per row
/// (trees, then leaves, in model order) does not depend on the split, so results are the same
/// for any thread count.
enum TreeBlockSchedule {
    static let blockRows = 64
    /// Each worker builds every tree's tables once per range, so ranges are kept long enough
    /// (here ~2% of a range's time goes to table builds on T1–T3).
    static let minimumRowsPerWorker = 1024

    /// Rows per range for a batch of `rows` on `threads` cores: `minimumRowsPerWorker` when the
    /// batch gives every core a range that long, else an even split into one range per core (at
    /// least a block each). A small batch — an hourly check of a few thousand rows, one shard of
    /// a split, the first blocks of any check — was a single range on one core; the extra table
    /// builds (a tree's tables cost about what ~30 rows do) are far cheaper than an idle core.
    static func rowsPerRange(rows: Int, threads: Int) -> Int {
        guard threads > 1, rows < threads * minimumRowsPerWorker else { return minimumRowsPerWorker }
        return max(blockRows, rows / threads)
    }

    static func explain<Worker: TreeBlockWorker & ~Copyable>(_ batch: FeatureBatch, ensemble: TreeEnsemble, threads: Int,
                                                  makeWorker: @Sendable () -> Worker) -> [Double] {
        let rows = batch.rowCount
        let features = ensemble.numFeatures
        let width = ensemble.numOutputs * features
        var phi = [Double](repeating: 0, count: rows * width)
        phi.withUnsafeMutableBufferPointer { output in
            batch.values.withUnsafeBufferPointer { input in
                Parallel.forEachRange(rowCount: rows, threads: threads, minimumRowsPerTask: rowsPerRange(rows: rows, threads: threads)) { range in
                    let blocks = (range.count + blockRows - 1) / blockRows
                    let worker = makeWorker()
                    let columns = UnsafeMutablePointer<Double>.allocate(capacity: blocks * blockRows * width)
                    columns.initialize(repeating: 0, count: blocks * blockRows * width)
                    ensemble.withUnsafeView { view in
                        for tree in 0..<ensemble.treeCount {
                            worker.prepare(tree: tree)
                            let outputOffset = view.leafWidth == 1 ? Int(ensemble.treeOutput[tree]) * features : 0
                            for block in 0..<blocks {
                                let first = range.lowerBound + block * blockRows
                                worker.explain(tree: tree, rows: input.baseAddress! + first * features,
                                               count: min(blockRows, range.upperBound - first), view: view,
                                               columns: columns + block * blockRows * width + outputOffset * blockRows)
                            }
                        }
                    }
                    for (offset, row) in range.enumerated() {
                        let block = columns + (offset / blockRows) * blockRows * width + offset % blockRows
                        let target = output.baseAddress! + row * width
                        // column < width: the block holds width columns of blockRows rows.
                        for column in 0..<width { target[column] = block[column &* blockRows] }
                    }
                    columns.deallocate()
                }
            }
        }
        return phi
    }
}
