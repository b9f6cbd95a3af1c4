import Dispatch
import Foundation
import ShapDrift

/// In-process kernel timings for `make bench`, for workloads whose inputs are too large to pass
/// through files without the file dominating (L1: linear SHAP over 1,000,000 × 100 values).
///
/// Usage: shapdrift-bench linear ROWS FEATURES REPEAT
/// Prints one JSON object: {"workload", "rows", "features", "seconds" (median), "threads"}.
struct Arguments {
    let rows: Int
    let features: Int
    let repeats: Int

    init?(_ arguments: [String]) {
        guard arguments.count == 5, arguments[1] == "linear", let rows = Int(arguments[2]), let features = Int(arguments[3]),
              let repeats = Int(arguments[4]), rows > 0, features > 0, repeats > 0 else { return nil }
        self.rows = rows
        self.features = features
        self.repeats = repeats
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
    FileHandle.standardError.write(Data("usage: shapdrift-bench linear ROWS FEATURES REPEAT\n".utf8))
    exit(2)
}
RowParallel.keepBLASOnCallingThread()
let model = try LinearModel(numFeatures: arguments.features, numOutputs: 1, coefficients: values(count: arguments.features, seed: 1),
                            intercept: [0.5], featureMeans: values(count: arguments.features, seed: 2))
let explainer = LinearSHAP(model: model, means: model.featureMeans ?? [])
let batch = FeatureBatch(numFeatures: arguments.features, values: values(count: arguments.rows * arguments.features, seed: 3),
                         sourceLines: Array(1...arguments.rows))
var timings: [Double] = []
for _ in 0..<arguments.repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    let attributions = explainer.explain(batch)
    timings.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    precondition(attributions.values.count == arguments.rows * arguments.features)
}
let median = timings.sorted()[timings.count / 2]
print("{\"workload\": \"L1\", \"rows\": \(arguments.rows), \"features\": \(arguments.features), \"seconds\": \(median), \"threads\": \(RowParallel.defaultThreads)}")
