import Foundation
import ShapDrift

// The example of the DocC article "Use ShapDrift as a library": baseline the bundled fraud model,
// check a clean and a drifted hour of captured traffic. Run from the repository root:
//   swift run --package-path Examples/embedding embed-example models/fraud-xgb
let folder = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "models/fraud-xgb"
do {
    let model = try ModelLoader().load(path: folder + "/model.json")
    let schema = FeatureSchema(model: model)
    let profiler = AttributionProfiler(explainer: try Explainer(model: model))
    let baseline = try profiler.profile(FeatureSourceChain(paths: [folder + "/baseline.csv"], schema: schema))
    let monitor = try DriftMonitor(baseline: baseline, model: model)
    var verdicts: [Verdict] = []
    for hour in [11, 14] {
        let since = ISO8601Time.seconds("2024-05-01T\(hour):00:00Z")!
        let check = try monitor.check(FeatureSourceChain(paths: [folder + "/capture"], schema: schema,
                                                         window: CaptureTimeWindow(since: since, until: since + 3599)))
        print("\(hour):00 \(check.report.verdict.rawValue) breached: \(check.report.breachedFeatures)")
        verdicts.append(check.report.verdict)
    }
    guard verdicts == [.noDrift, .drift] else {
        print("unexpected verdicts \(verdicts)")
        exit(1)
    }
} catch {
    print("embed-example: \(error)")
    exit(2)
}
