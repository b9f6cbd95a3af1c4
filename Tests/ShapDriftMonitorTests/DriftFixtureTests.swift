import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftFormats
@testable import ShapDriftAttribution
@testable import ShapDriftDrift
@testable import ShapDriftMonitor
@testable import ShapDriftReports
import ShapDriftTestSupport

@Suite("Drift check on the drift fixture")
struct DriftCheckTests {
    static let folder = Fixtures.path("shap", "drift_xgb_reg")
    static var modelPath: String { folder + "/model.json" }

    static func profile(_ paths: [String], format: InputFormat = .auto, window: CaptureTimeWindow = CaptureTimeWindow(),
                        bootstrap: inout PoissonBootstrap?) throws -> AttributionProfile {
        let model = try ModelLoader().load(path: modelPath)
        let builder = AttributionProfiler(explainer: try Explainer(model: model))
        return try builder.profile(FeatureSourceChain(paths: paths, schema: FeatureSchema(model: model), format: format, window: window),
                                 bootstrap: &bootstrap)
    }

    static func baseline() throws -> AttributionProfile {
        var none: PoissonBootstrap? = nil
        return try profile([folder + "/baseline.csv"], bootstrap: &none)
    }

    static func check(_ paths: [String], format: InputFormat = .auto) throws -> DriftReport {
        var bootstrap: PoissonBootstrap? = PoissonBootstrap(replicates: 100, seed: 7, width: 8)
        let current = try profile(paths, format: format, bootstrap: &bootstrap)
        return DriftComparator().compare(baseline: try baseline(), current: current, bootstrap: bootstrap)
    }

    static func recordedNDCG(_ file: String) throws -> Double {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/case.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let drift = try #require(document["drift"] as? [String: Any])
        return try #require((drift["ndcg"] as? [String: Any])?[file] as? Double)
    }

    @Test("drifted data: NDCG equals Clarify's recorded 0.930 (above 0.90), but d5 and d6 breach and rank first")
    func driftedData() throws {
        let report = try Self.check([Self.folder + "/current_drift.csv"])
        #expect(abs(report.ndcg - (try Self.recordedNDCG("current_drift"))) <= 1e-5)
        #expect(report.ndcg > 0.90)
        #expect(Array(report.features.prefix(2).map(\.name)).sorted() == ["d5", "d6"])
        // The drifted features breach because their own inputs shifted; any other breach must be
        // one moved through them (its input unchanged, a partner named).
        #expect(Set(["d5", "d6"]).isSubset(of: report.breachedFeatures))
        for feature in report.features where feature.breached {
            if ["d5", "d6"].contains(feature.name) {
                #expect(feature.cause == .input && feature.values.shifted)
            } else {
                #expect(feature.cause == .interaction && !feature.partners.isEmpty, "\(feature.name)")
            }
        }
        #expect(report.driftDetected && report.verdict == .drift)
        #expect(report.rows == 500 && report.baselineRows == 800)
    }

    @Test("fresh data from the baseline distribution: no breach, NDCG 1.0, no drift")
    func noDriftData() throws {
        let report = try Self.check([Self.folder + "/current_nodrift.csv"])
        #expect(abs(report.ndcg - (try Self.recordedNDCG("current_nodrift"))) <= 1e-5)
        #expect(report.breachedFeatures.isEmpty && !report.driftDetected)
        let interval = try #require(report.ndcgInterval)
        #expect(interval.lower <= report.ndcg + 1e-12 && report.ndcg <= interval.upper + 1e-12 && interval.level == 0.95)
        #expect(report.intervalStraddlesThreshold == false)
    }

    @Test("the same checks pass on SageMaker data capture in CSV, JSON and BASE64 encodings", arguments: CaptureEncoding.allCases)
    func captureEncodings(_ encoding: CaptureEncoding) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let drifted = try CaptureFile.write(from: Self.folder + "/current_drift.csv", encoding: encoding, rowsPerRecord: 3, to: directory.appendingPathComponent("drift.jsonl").path)
        let fresh = try CaptureFile.write(from: Self.folder + "/current_nodrift.csv", encoding: encoding, rowsPerRecord: 1, to: directory.appendingPathComponent("nodrift.jsonl").path)
        let driftReport = try Self.check([drifted])
        #expect(driftReport.rows == 500)
        #expect(abs(driftReport.ndcg - (try Self.recordedNDCG("current_drift"))) <= 1e-5)
        #expect(Set(["d5", "d6"]).isSubset(of: driftReport.breachedFeatures) && driftReport.driftDetected)
        let freshReport = try Self.check([fresh])
        #expect(freshReport.rows == 500 && !freshReport.driftDetected)
    }

    @Test("a capture directory tree is read in time order and filtered by --since/--until")
    func captureDirectoryAndWindow() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let hours = ["2024/05/01/10", "2024/05/01/11", "2024/05/01/12"]
        for (index, hour) in hours.enumerated() {
            let folder = directory.appendingPathComponent("endpoint/AllTraffic/\(hour)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            _ = try CaptureFile.write(from: Self.folder + "/current_nodrift.csv", encoding: .csv, rowsPerRecord: 1,
                                      to: folder.appendingPathComponent("capture.jsonl").path, hour: 10 + index)
        }
        var none: PoissonBootstrap? = nil
        let all = try Self.profile([directory.path], bootstrap: &none)
        #expect(all.rows == 1500)
        let window = CaptureTimeWindow(since: ISO8601Time.seconds("2024-05-01T11:00:00Z"), until: ISO8601Time.seconds("2024-05-01T11:59:59Z"))
        let hour = try Self.profile([directory.path], window: window, bootstrap: &none)
        #expect(hour.rows == 500)
    }

    @Test("JSON Lines keyed by feature name give the same profile as the CSV")
    func jsonLines() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let table = try ReferenceTable(path: Self.folder + "/current_nodrift.csv")
        let lines = table.rows.map { row in
            "{" + zip(table.header, row).reversed().map { "\"\($0.0)\": \($0.1.description)" }.joined(separator: ", ") + "}"
        }
        let path = directory.appendingPathComponent("rows.jsonl").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        var none: PoissonBootstrap? = nil
        #expect(try Self.profile([path], bootstrap: &none) == (try Self.profile([Self.folder + "/current_nodrift.csv"], bootstrap: &none)))
    }

    @Test("profiles of two halves merge into exactly the profile of the whole")
    func mergeIsExact() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = try String(contentsOfFile: Self.folder + "/baseline.csv", encoding: .utf8).split(separator: "\n")
        let first = directory.appendingPathComponent("first.csv").path
        let second = directory.appendingPathComponent("second.csv").path
        try ([lines[0]] + lines[1..<301]).joined(separator: "\n").write(toFile: first, atomically: true, encoding: .utf8)
        try ([lines[0]] + lines[301...]).joined(separator: "\n").write(toFile: second, atomically: true, encoding: .utf8)
        var none: PoissonBootstrap? = nil
        var merged = try Self.profile([second], bootstrap: &none)
        try merged.merge(try Self.profile([first], bootstrap: &none))
        let whole = try Self.baseline()
        #expect(merged.rows == whole.rows)
        for output in 0..<whole.outputs.count {
            for (a, b) in zip(merged.outputs[output].features, whole.outputs[output].features) {
                #expect(a.count == b.count && a.sum.value == b.sum.value && a.sumAbs.value == b.sumAbs.value)
                #expect(a.sumSquares.value == b.sumSquares.value && a.min == b.min && a.max == b.max)
                #expect(a.sketch == b.sketch)
            }
        }
        #expect(merged == whole)
        // The profile survives a round trip through its JSON file.
        let path = directory.appendingPathComponent("profile.json").path
        try writeAtomically(merged.encoded(), to: path)
        #expect(try AttributionProfile.load(path: path) == whole)
    }

    @Test("mean_sq and median aggregations rank features as shap's reference attributions do")
    func aggregations() throws {
        var none: PoissonBootstrap? = nil
        let baseline = try Self.baseline()
        let current = try Self.profile([Self.folder + "/current_drift.csv"], bootstrap: &none)
        let referenceBaseline = try ReferenceTable(path: Self.folder + "/shap_tree_path_dependent.baseline.csv")
        let referenceCurrent = try ReferenceTable(path: Self.folder + "/shap_tree_path_dependent.current_drift.csv")
        let names = baseline.identity.featureNames
        func meanSquare(_ table: ReferenceTable) throws -> [Double] {
            try names.map { name in
                let column = try #require(table.column(name))
                return column.map { $0 * $0 }.reduce(0, +) / Double(column.count)
            }
        }
        func median(_ table: ReferenceTable) throws -> [Double] {
            try names.map { name in
                let sorted = try #require(table.column(name)).map(abs).sorted()
                return sorted[(sorted.count - 1) / 2]
            }
        }
        let squared = DriftComparator(aggregation: .meanSq).compare(baseline: baseline, current: current, bootstrap: nil)
        let expected = ClarifyNDCG.score(baseline: try meanSquare(referenceBaseline), current: try meanSquare(referenceCurrent))
        // The reference attributions are xgboost's float32 values: agreement to float32 rounding.
        #expect(abs(squared.ndcg - expected) <= 1e-6)
        #expect(squared.aggregation == .meanSq)
        let medians = DriftComparator(aggregation: .median).compare(baseline: baseline, current: current, bootstrap: nil)
        let exactRanking = ClarifyNDCG.ranking(try median(referenceCurrent)).map { names[$0] }
        let ranked = medians.outputs[0].features.sorted { $0.currentRank < $1.currentRank }.map(\.name)
        #expect(ranked == exactRanking)
    }

    @Test("the bootstrap does not depend on how rows are split into blocks, to the bit")
    func bootstrapIsBlockIndependent() throws {
        let model = try ModelLoader().load(path: Self.modelPath)
        var results: [[Double]] = []
        for block in [7, 4096] {
            var builder = AttributionProfiler(explainer: try Explainer(model: model))
            builder.blockRows = block
            var bootstrap: PoissonBootstrap? = PoissonBootstrap(replicates: 20, seed: 3, width: 8)
            _ = try builder.profile(FeatureSourceChain(paths: [Self.folder + "/current.csv"], schema: FeatureSchema(model: model)), bootstrap: &bootstrap)
            results.append((0..<20).flatMap { bootstrap!.meanAbsolute(replicate: $0, output: 0, features: 8) })
        }
        #expect(results[0] == results[1])
    }
}
