import Foundation
import Testing
@testable import ShapDrift

@Suite("Clarify NDCG")
struct ClarifyNDCGTests {
    @Test("the documented SageMaker example scores 0.688")
    func documentedExample() {
        // Baseline SAT 0.70, GPA 0.50, class rank 0.05; current 0.10, 0.20, 0.70.
        let score = ClarifyNDCG.score(baseline: [0.70, 0.50, 0.05], current: [0.10, 0.20, 0.70])
        #expect(String(format: "%.3f", score) == "0.688")
        // By hand: DCG = 0.05/1 + 0.50/log2(3) + 0.70/2; iDCG = 0.70 + 0.50/log2(3) + 0.05/2.
        let expected = (0.05 + 0.50 / log2(3) + 0.70 / 2) / (0.70 + 0.50 / log2(3) + 0.05 / 2)
        #expect(abs(score - expected) < 1e-15)
    }

    @Test("an unchanged ranking scores 1 whatever the magnitudes; ties keep feature order")
    func unchangedRanking() {
        #expect(ClarifyNDCG.score(baseline: [3, 2, 1], current: [300, 20, 0.1]) == 1)
        #expect(ClarifyNDCG.ranking([1, 2, 2, 0]) == [1, 2, 0, 3])
        #expect(ClarifyNDCG.score(baseline: [0, 0], current: [1, 2]) == 1)
    }
}

@Suite("Drift check on the drift fixture")
struct DriftCheckTests {
    static let folder = Fixtures.path("shap", "drift_xgb_reg")
    static var modelPath: String { folder + "/model.json" }

    static func profile(_ paths: [String], format: InputFormat = .auto, window: CaptureTimeWindow = CaptureTimeWindow(),
                        bootstrap: inout PoissonBootstrap?) throws -> AttributionProfile {
        let model = try ModelLoader().load(path: modelPath)
        let builder = ProfileBuilder(explainer: try Explainer(model: model))
        return try builder.build(from: FeatureSourceChain(paths: paths, schema: FeatureSchema(model: model), format: format, window: window),
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
        #expect(report.breachedFeatures.sorted() == ["d5", "d6"])
        #expect(report.driftDetected && report.verdict == "drift")
        #expect(report.rows == 500 && report.baselineRows == 800)
    }

    @Test("fresh data from the baseline distribution: no breach, NDCG 1.0, no drift")
    func noDriftData() throws {
        let report = try Self.check([Self.folder + "/current_nodrift.csv"])
        #expect(abs(report.ndcg - (try Self.recordedNDCG("current_nodrift"))) <= 1e-5)
        #expect(report.breachedFeatures.isEmpty && !report.driftDetected)
        let interval = try #require(report.ndcgInterval)
        #expect(interval[0] <= report.ndcg + 1e-12 && report.ndcg <= interval[1] + 1e-12)
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
        #expect(driftReport.breachedFeatures.sorted() == ["d5", "d6"] && driftReport.driftDetected)
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

    @Test("the bootstrap does not depend on how rows are split into blocks")
    func bootstrapIsBlockIndependent() throws {
        let model = try ModelLoader().load(path: Self.modelPath)
        var results: [[Double]] = []
        for block in [7, 4096] {
            var builder = ProfileBuilder(explainer: try Explainer(model: model))
            builder.blockRows = block
            var bootstrap: PoissonBootstrap? = PoissonBootstrap(replicates: 20, seed: 3, width: 8)
            _ = try builder.build(from: FeatureSourceChain(paths: [Self.folder + "/current.csv"], schema: FeatureSchema(model: model)), bootstrap: &bootstrap)
            results.append((0..<20).flatMap { bootstrap!.meanAbsolute(replicate: $0, output: 0, features: 8) })
        }
        for (a, b) in zip(results[0], results[1]) { #expect(abs(a - b) <= 1e-12 * max(1, abs(a))) }
    }
}

/// The encodings a SageMaker capture record's payload may have.
enum CaptureEncoding: String, CaseIterable, Sendable {
    case csv = "CSV", json = "JSON", base64 = "BASE64"
}

/// Writes a CSV file's rows as SageMaker data-capture JSON Lines.
enum CaptureFile {
    static func write(from csvPath: String, encoding: CaptureEncoding, rowsPerRecord: Int, to path: String, hour: Int = 17) throws -> String {
        let table = try ReferenceTable(path: csvPath)
        var records: [String] = []
        var index = 0
        while index < table.rows.count {
            let rows = Array(table.rows[index..<min(index + rowsPerRecord, table.rows.count)])
            let contentType: String
            let data: String
            switch encoding {
            case .csv:
                contentType = "text/csv"
                data = rows.map { $0.map(\.description).joined(separator: ",") }.joined(separator: "\n")
            case .json:
                contentType = "application/json"
                let objects = rows.map { row in "{" + zip(table.header, row).map { "\"\($0.0)\":\($0.1.description)" }.joined(separator: ",") + "}" }
                data = objects.count == 1 ? objects[0] : "{\"instances\":[" + objects.joined(separator: ",") + "]}"
            case .base64:
                contentType = "text/csv"
                data = Data(rows.map { $0.map(\.description).joined(separator: ",") }.joined(separator: "\n").utf8).base64EncodedString()
            }
            let payload = try JSONSerialization.data(withJSONObject: ["data": data])
            let dataField = String(decoding: payload, as: UTF8.self).dropFirst("{\"data\":".count).dropLast()
            let second = String(format: "%02d", index % 60)
            records.append("""
            {"captureData":{"endpointInput":{"observedContentType":"\(contentType)","mode":"INPUT","data":\(dataField),"encoding":"\(encoding.rawValue)"},"endpointOutput":{"observedContentType":"text/csv","mode":"OUTPUT","data":"0.5","encoding":"CSV"}},"eventMetadata":{"eventId":"e-\(index)","inferenceTime":"2024-05-01T\(hour):\(String(format: "%02d", index / 60 % 60)):\(second)Z"},"eventVersion":"0"}
            """)
            index += rowsPerRecord
        }
        try records.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

@Suite("Sketches, sums and distances")
struct DriftStatisticsTests {
    @Test("exact sums do not depend on the order of additions and merges")
    func exactSumIsAssociative() {
        let values: [Double] = [1e16, 1, -1e16, 3.14159, 1e-10, -2.5, 7e15, 0.1, 0.2, 0.3]
        var forward = ExactSum()
        values.forEach { forward.add($0) }
        var halves = ExactSum()
        var second = ExactSum()
        values.prefix(5).reversed().forEach { halves.add($0) }
        values.suffix(5).forEach { second.add($0) }
        halves.merge(second)
        #expect(forward.value == halves.value)
        // Python's math.fsum and exact rational arithmetic both give 7000000000000002.0.
        #expect(forward.value == 7_000_000_000_000_002)
        // Cases a naive sum gets wrong: 1e16 + 1 − 1e16 = 1, and ten 0.1s round to exactly 1.
        var cancelling = ExactSum()
        [1e16, 1, -1e16].forEach { cancelling.add($0) }
        #expect(cancelling.value == 1)
        var tenths = ExactSum()
        (0..<10).forEach { _ in tenths.add(0.1) }
        #expect(tenths.value == 1)
    }

    /// The block path sums through a fixed-point superaccumulator, the one-by-one path through
    /// Shewchuk expansions: they must agree on every exact sum. Powers of two 54 apart keep every
    /// term apart; subnormals (and squares that underflow), values whose squares come near the
    /// largest double, cancellations and random values over the whole exponent range reach every chunk;
    /// NaN and infinities count as missing.
    @Test("a column added as a block summarises exactly as its values added one by one")
    func blockAddEqualsValueByValue() throws {
        var values = (0..<30).map { Double(sign: $0 % 2 == 0 ? .plus : .minus, exponent: 510 - 54 * $0, significand: 1) }
        values += [1e16, 1, -1e16, 0.1, .nan, 3.5, -.infinity, 0, -0.0, -2.25e-300]
        values += [.leastNonzeroMagnitude, -.leastNonzeroMagnitude, 3 * .leastNonzeroMagnitude, .leastNormalMagnitude,
                   -.leastNormalMagnitude.nextDown, 0x1.fffffffffffffp510, -1e153, -0x1p-1000]
        values += (0..<500).map { Double($0 % 17) * 0.37 - 2.1 }
        var generator = SplitMix64(seed: 7)
        values += (0..<2000).map { _ in
            let bits = generator.next()
            let exponent = Int(bits % 1520) - 1020
            let significand = 1 + Double(bits >> 11) * 0x1p-53
            return Double(sign: bits & 1 == 0 ? .plus : .minus, exponent: exponent, significand: significand)
        }
        var single = StreamSummary()
        values.forEach { single.add($0) }
        var block = StreamSummary()
        // Interleaved with a second column, as attributions are laid out.
        let interleaved = values.flatMap { [$0, 99.0] }
        interleaved.withUnsafeBufferPointer { block.add($0.baseAddress!, count: values.count, stride: 2) }
        #expect(block == single)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(block) == encoder.encode(single))
    }

    /// Bucket boundaries are part of stored baselines, so the fast index must be the libm
    /// definition exactly: on random magnitudes over the sketch's whole range, and on every
    /// boundary γ^i of a wide range with its neighbouring doubles, where the two could split.
    @Test("the fast sketch bucket index equals ⌈log x / log γ⌉ as libm computes it")
    func fastBucketIndexIsExact() {
        var magnitudes: [Double] = []
        var generator = SplitMix64(seed: 11)
        for _ in 0..<200_000 {
            let bits = generator.next()
            magnitudes.append(Double(sign: .plus, exponent: Int(bits % 2020) - 996, significand: 1 + Double(bits >> 11) * 0x1p-53))
        }
        for bucket in -2000...2000 {
            let boundary = Foundation.pow(QuantileSketch.gamma, Double(bucket))
            magnitudes += [boundary, boundary.nextUp, boundary.nextDown, boundary.nextUp.nextUp, boundary.nextDown.nextDown]
        }
        magnitudes += [QuantileSketch.zeroThreshold, .greatestFiniteMagnitude, 1, 1.nextUp, 1.nextDown, 2, 0.5]
        let fast = BucketIndex.shared
        let mismatches = magnitudes.filter { fast.index(of: $0) != QuantileSketch.index(of: $0) }
        #expect(mismatches.isEmpty, "first: \(mismatches.prefix(5))")
    }

    @Test("sketch quantiles are within the stated relative accuracy of the sample's")
    func sketchAccuracy() {
        var sketch = QuantileSketch()
        let values = (1...10_000).map { Double($0) * 0.37 - 900 }
        values.forEach { sketch.add($0) }
        let sorted = values.sorted()
        for q in [0.01, 0.1, 0.5, 0.9, 0.99] {
            let exact = sorted[Int(q * Double(sorted.count - 1))]
            let estimate = sketch.quantile(q) ?? .nan
            #expect(abs(estimate - exact) <= QuantileSketch.relativeAccuracy * abs(exact) + 1e-12)
        }
    }

    @Test("Wasserstein-1 between sketches matches the exact sample distance within the sketch accuracy")
    func wassersteinMatchesSamples() {
        var a = QuantileSketch()
        var b = QuantileSketch()
        let first = (0..<2000).map { sin(Double($0)) * 3 }
        let second = (0..<2000).map { sin(Double($0) * 1.3) * 3 + 0.8 }
        first.forEach { a.add($0) }
        second.forEach { b.add($0) }
        // Equal sample sizes: W1 = mean |sorted difference|.
        let exact = zip(first.sorted(), second.sorted()).map { abs($0 - $1) }.reduce(0, +) / 2000
        let estimate = DistributionDistance.wasserstein1(a, b)
        #expect(abs(estimate - exact) <= 2 * QuantileSketch.relativeAccuracy * 3)
        #expect(DistributionDistance.wasserstein1(a, a) == 0)
        #expect(DistributionDistance.psi(baseline: a, current: a) == 0)
    }
}
