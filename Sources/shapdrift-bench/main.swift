import Dispatch
import Foundation
import ShapDrift

/// In-process kernel timings for `make bench`, for workloads whose inputs are too large to pass
/// through files without the file dominating (L1: linear SHAP over 1,000,000 × 100 values).
///
/// Also the fold of one block into a profile and the bootstrap (`fold`: the per-block work of
/// `check` besides attribution), on one core, to measure its cost per value; and `shards`, which
/// writes COUNT shard profiles (ROWS rows each, the 200-replicate bootstrap, shard i of COUNT)
/// into DIRECTORY for timing `shapdrift merge` over them. `fold-kernel` times the per-value kernel
/// alone (FEATURES columns of ROWS values each, laid out column by column, one core), whose
/// seconds divided by ROWS × FEATURES are its cost per value.
///
/// `fold-centred` times one block of a linear model's fold (each feature's values and centred
/// values) on one core, REPEAT blocks into one profile.
///
/// Usage: shapdrift-bench linear|fold|fold-kernel|fold-centred ROWS FEATURES REPEAT, or shapdrift-bench shards ROWS FEATURES COUNT DIRECTORY
/// Prints one JSON object: {"workload", "rows", "features", "seconds" (median), "threads"}.
struct Arguments {
    let workload: String
    let rows: Int
    let features: Int
    let repeats: Int
    let directory: String?

    init?(_ arguments: [String]) {
        guard arguments.count >= 5, ["linear", "fold", "fold-kernel", "fold-centred", "shards"].contains(arguments[1]), let rows = Int(arguments[2]),
              let features = Int(arguments[3]), let repeats = Int(arguments[4]), rows > 0, features > 0, repeats > 0,
              arguments.count == (arguments[1] == "shards" ? 6 : 5) else { return nil }
        workload = arguments[1]
        self.rows = rows
        self.features = features
        self.repeats = repeats
        directory = arguments.count == 6 ? arguments[5] : nil
    }
}

/// Deterministic uniform values in [−1, 1) (a 64-bit LCG's high bits), so runs are comparable.
func values(count: Int, seed: UInt64) -> [Double] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 52) - 1
    }
}

guard let arguments = Arguments(CommandLine.arguments) else {
    FileHandle.standardError.write(Data("usage: shapdrift-bench linear|fold|fold-kernel|fold-centred ROWS FEATURES REPEAT | shards ROWS FEATURES COUNT DIRECTORY\n".utf8))
    exit(2)
}
let model = try LinearModel(numFeatures: arguments.features, numOutputs: 1, coefficients: values(count: arguments.features, seed: 1),
                            intercept: [0.5], featureMeans: values(count: arguments.features, seed: 2))
let explainer = LinearSHAP(model: model, means: model.featureMeans ?? [])
let batch = FeatureBatch(numFeatures: arguments.features, values: values(count: arguments.rows * arguments.features, seed: 3),
                         sourceLines: Array(1...arguments.rows))
var timings: [Double] = []
var threads = ProcessorCount.available
if arguments.workload == "linear" {
    for _ in 0..<arguments.repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        let attributions = explainer.explain(batch)
        timings.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        precondition(attributions.values.count == arguments.rows * arguments.features)
    }
} else if arguments.workload == "fold-kernel" {
    threads = 1
    // Attribution-like columns: each feature's values scaled by its own coefficient.
    let columns = values(count: arguments.rows * arguments.features, seed: 3).enumerated().map { $0.element * model.coefficients[$0.offset / arguments.rows] }
    for _ in 0..<arguments.repeats {
        var summaries = [StreamSummary](repeating: StreamSummary(), count: arguments.features)
        let start = DispatchTime.now().uptimeNanoseconds
        columns.withUnsafeBufferPointer { columns in
            for feature in 0..<arguments.features {
                summaries[feature].add(columns.baseAddress! + feature * arguments.rows, count: arguments.rows, stride: 1)
            }
        }
        timings.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        precondition(summaries.allSatisfy { $0.count == UInt64(arguments.rows) })
    }
} else if arguments.workload == "fold-centred" {
    // One block of a linear model's fold on one core, as W1 folds it: every feature's values
    // and its centred values (the attributions' summaries are derived once, at the end).
    threads = 1
    let identity = ProfileIdentity(modelSHA256: "", modelFormat: .inMemory, objective: "regression", transform: .identity,
                                   featureNames: (0..<arguments.features).map { "f\($0)" }, method: .linear, outputSpace: .raw, numOutputs: 1)
    let attributions = explainer.explain(batch)
    var profile = AttributionProfile(identity: identity, baseValues: [0], linearCoefficients: model.coefficients)
    for _ in 0..<arguments.repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        profile.add(batch, attributions, threads: threads, centredOn: explainer.means)
        timings.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    precondition(profile.rows == UInt64(arguments.rows * arguments.repeats))
} else if arguments.workload == "shards", let directory = arguments.directory {
    // Shard i gets its own rows (and record keys), so the merge adds up distinct data.
    let identity = ProfileIdentity(modelSHA256: "", modelFormat: .inMemory, objective: "regression", transform: .identity,
                                   featureNames: (0..<arguments.features).map { "f\($0)" }, method: .linear, outputSpace: .raw, numOutputs: 1)
    let start = DispatchTime.now().uptimeNanoseconds
    for shard in 0..<arguments.repeats {
        let rows = FeatureBatch(numFeatures: arguments.features, values: values(count: arguments.rows * arguments.features, seed: UInt64(shard) + 10),
                                sourceLines: Array(1...arguments.rows), file: "shard-\(shard).csv")
        let attributions = explainer.explain(rows)
        var profile = AttributionProfile(identity: identity, baseValues: [0])
        var bootstrap = PoissonBootstrap(replicates: 200, seed: 1, width: arguments.features)
        profile.add(rows, attributions, threads: threads)
        try! bootstrap.add(attributions, recordKeys: rows.recordKeys, threads: threads)
        profile.bootstrap = bootstrap
        profile.shards = ShardCoverage(try! ShardSelection(index: shard, count: arguments.repeats, unit: .engine))
        try! Data(try! profile.encoded()).write(to: URL(fileURLWithPath: directory).appendingPathComponent(String(format: "shard-%05d.json", shard)))
    }
    timings.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
} else {
    threads = 1
    let attributions = explainer.explain(batch)
    let identity = ProfileIdentity(modelSHA256: "", modelFormat: .inMemory, objective: "regression", transform: .identity,
                                   featureNames: (0..<arguments.features).map { "f\($0)" }, method: .linear, outputSpace: .raw, numOutputs: 1)
    for _ in 0..<arguments.repeats {
        var profile = AttributionProfile(identity: identity, baseValues: [0])
        var bootstrap = PoissonBootstrap(replicates: 200, seed: 1, width: arguments.features)
        let start = DispatchTime.now().uptimeNanoseconds
        profile.add(batch, attributions, threads: threads)
        let mid = DispatchTime.now().uptimeNanoseconds
        FileHandle.standardError.write(Data("fold \(Double(mid - start) / 1e9)\n".utf8))
        try! bootstrap.add(attributions, recordKeys: batch.recordKeys, threads: threads)
        timings.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        precondition(profile.rows == UInt64(arguments.rows))
    }
}
let median = timings.sorted()[timings.count / 2]
print("{\"workload\": \"\(arguments.workload)\", \"rows\": \(arguments.rows), \"features\": \(arguments.features), \"seconds\": \(median), \"threads\": \(threads)}")
