import Foundation
import ShapDriftCore
import ShapDriftDrift
import ShapDriftTestSupport
import Testing
@testable import ShapDriftReports

/// The metric files against the report they come from. (The Python tests run the real parsers:
/// promtool and prometheus_client on the Prometheus file, jsonschema with the published EMF
/// schema on the EMF lines; notebooks-export/tests/test_metrics.py.)
@Suite("Metric files")
struct MetricsTests {
    static let time = Date(timeIntervalSince1970: 1_714_575_599)

    /// The lines of a JSON Lines file as objects, with every top-level number read back by
    /// Swift's `Double(String)` (exact), since Foundation's JSON parser does not round every
    /// number correctly. Keys are sorted and nested objects come after the top-level members
    /// before them, so a key's first occurrence is the top-level one when it has one.
    static func objects(_ bytes: [UInt8]) throws -> [[String: Any]] {
        try String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { line in
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            var replaced = Set<String>()
            for match in line.matches(of: /"([^"]+)":(-?[0-9][0-9.eE+-]*)/) {
                let key = String(match.1)
                guard object[key] is NSNumber, !(object[key] is Bool), replaced.insert(key).inserted else { continue }
                let value: Double = try #require(Double(String(match.2)))
                object[key] = value
            }
            return object
        }
    }

    @Test("EMF documents name only members they carry, as numbers and strings, with the report's values to full precision")
    func embeddedMetricFormat() throws {
        let (report, _) = SyntheticReport.make()
        let check = try CheckMetrics(report: report, settings: MetricsSettings(endpoint: "fraud-scoring", schedule: "hourly"), timestamp: Self.time)
        let documents = try Self.objects(try EmbeddedMetricFormat.lines(check))
        #expect(documents.count == 2)
        var seen: [String: Double] = [:]
        for document in documents {
            let metadata = try #require(document["_aws"] as? [String: Any])
            #expect(metadata["Timestamp"] as? Int == 1_714_575_599_000)
            let directives = try #require(metadata["CloudWatchMetrics"] as? [[String: Any]])
            for directive in directives {
                #expect(directive["Namespace"] as? String == "ShapDrift")
                let sets = try #require(directive["Dimensions"] as? [[String]])
                for name in sets.flatMap({ $0 }) { #expect(document[name] is String, "dimension \(name)") }
                let metrics = try #require(directive["Metrics"] as? [[String: String]])
                #expect(metrics.count <= EmbeddedMetricFormat.maxMetricsPerDocument)
                for metric in metrics {
                    let name = try #require(metric["Name"])
                    seen[name] = try #require(document[name] as? Double, "metric \(name)")
                }
            }
        }
        #expect(seen["FeatureAttributionNDCG"] == report.ndcg)
        #expect(seen["FeatureAttributionDriftDetected"] == (report.driftDetected ? 1 : 0))
        #expect(seen["BreachedFeatures"] == Double(report.breachedFeatures.count) && seen["RowsChecked"] == Double(report.rows))
        #expect(seen["ExpectedValue"] == report.outputs[0].baselineExpectedValue)
        for feature in report.outputs[0].features { #expect(seen["feature_\(feature.name)"] == feature.currentMeanAbsShap) }
        #expect((documents[0]["BreachedFeatureNames"] as? [String]) == report.breachedFeatures)
    }

    @Test("a wide model's per-output metrics split into documents of at most 100 definitions, none lost")
    func wideModelSplits() throws {
        let (report, _) = SyntheticReport.make(features: 150, outputs: 2, shifted: [1])
        let check = try CheckMetrics(report: report, timestamp: Self.time)
        let documents = try Self.objects(try EmbeddedMetricFormat.lines(check))
        let counts = try documents.map { document in
            try #require(((document["_aws"] as? [String: Any])?["CloudWatchMetrics"] as? [[String: Any]])?.first?["Metrics"] as? [Any]).count
        }
        // The check's 4, then per output 2 + 150 = 152 in two documents.
        #expect(counts == [4, 100, 52, 100, 52])
        #expect(documents.filter { $0["Label"] as? String == "label1" }.count == 2)
        #expect(documents.allSatisfy { ($0["_aws"] as? [String: Any])?["CloudWatchMetrics"] != nil })
    }

    @Test("Prometheus text: HELP and TYPE before each family, escaped labels, no timestamps, values round-trip")
    func prometheusText() throws {
        let awkward = ["plain", "quote\"d", "back\\slash", "new\nline"]
        let (report, _) = SyntheticReport.make(features: 4, shifted: [1], names: awkward)
        let check = try CheckMetrics(report: report, settings: MetricsSettings(endpoint: "e"), timestamp: Self.time)
        let text = PrometheusMetrics.text(check)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        var family = ""
        var samples: [String: Double] = [:]
        for line in lines {
            if line.hasPrefix("# HELP ") {
                family = String(line.dropFirst(7).prefix { $0 != " " })
                continue
            }
            if line.hasPrefix("# TYPE ") {
                #expect(line == "# TYPE \(family) gauge")
                continue
            }
            #expect(line.hasPrefix(family + "{endpoint=\"e\""), "\(line)")
            // name{labels} value: exactly two fields after the labels, so no timestamp.
            let value = try #require(line.split(separator: " ").last)
            let number: Double = try #require(Double(String(value)))
            samples[String(line.dropLast(value.count + 1))] = number
        }
        #expect(samples["shapdrift_feature_attribution_ndcg{endpoint=\"e\",output=\"label0\"}"] == report.ndcg)
        #expect(samples["shapdrift_check_timestamp_seconds{endpoint=\"e\"}"] == 1_714_575_599)
        let shift = try #require(report.outputs[0].features.first { $0.name == "quote\"d" })
        #expect(samples[#"shapdrift_feature_mean_abs_shap{endpoint="e",output="label0",feature="quote\"d",sample="current"}"#] == shift.currentMeanAbsShap)
        #expect(text.contains(#"feature="back\\slash""#) && text.contains(#"feature="new\nline""#))
    }

    @Test("the JSON line and the SageMaker lines carry report.json's NDCG; labels that do not match the outputs are refused")
    func jsonLineAndLabels() throws {
        let (report, _) = SyntheticReport.make(outputs: 2)
        var settings = MetricsSettings(kinds: MetricsKind.allCases, labels: ["fraud", "legit"])
        let files = try MetricsFiles.render(report, settings: settings, timestamp: Self.time)
        #expect(files.map(\.name) == ["cloudwatch-emf.jsonl", "sagemaker-metrics.jsonl", "shapdrift.prom", "metrics.jsonl"])
        let line = try #require(try Self.objects(files[3].bytes).first)
        #expect(line["ndcg"] as? Double == report.ndcg && line["drift_detected"] as? Bool == report.driftDetected)
        #expect((line["outputs"] as? [[String: Any]])?.map { $0["label"] as? String } == ["fraud", "legit"])
        let sagemaker = try Self.objects(files[1].bytes)
        let ndcgs = sagemaker.filter { $0["MetricName"] as? String == "FeatureAttributionNDCG" }.map { $0["Value"] as? Double }
        #expect(ndcgs == report.outputs.map(\.ndcg))
        settings.labels = ["only-one"]
        #expect(throws: ShapDriftError.self) { try MetricsFiles.render(report, settings: settings, timestamp: Self.time) }
    }
}
