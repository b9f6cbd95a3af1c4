import Foundation
import ShapDriftCore
import ShapDriftDrift
import ShapDriftTestSupport
import Testing
@testable import ShapDriftReports

@Suite("report.html")
struct HTMLReportTests {
    /// The `<svg …>…</svg>` elements of a page.
    static func charts(_ page: String) -> [Substring] {
        page.matches(of: /<svg[^>]*>(?s:.*?)<\/svg>/).map(\.output)
    }

    @Test("self-contained: no script, stylesheet link, import or url(), and no src or href anywhere")
    func selfContained() {
        let page = HTMLReport.page(SyntheticReport.make().report)
        for forbidden in ["<script", "<link", "@import", "url(", "src=", "href=", "<iframe", "<img"] {
            #expect(!page.lowercased().contains(forbidden), "\(forbidden)")
        }
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("<style>") && page.hasSuffix("</html>\n"))
    }

    @Test("the drifted report: verdict, breached names, NDCG to 3 decimals, the charts as SVG with text alternatives")
    func driftedReport() throws {
        let (report, _) = SyntheticReport.make(shifted: [3, 5])
        #expect(report.driftDetected && Set(report.breachedFeatures) == ["feature_3", "feature_5"])
        let page = HTMLReport.page(report)
        #expect(page.contains("<p class=\"word\">DRIFT</p>"))
        for name in report.breachedFeatures { #expect(page.contains("<h3>\(name)</h3>")) }
        #expect(page.contains("NDCG <b>\(String(format: "%.3f", report.ndcg))</b>"))
        let charts = Self.charts(page)
        // Bars, slopes, and per breached feature its SHAP and its input values.
        #expect(charts.count == 2 + 2 * report.breachedFeatures.count)
        for chart in charts {
            #expect(chart.contains("<title id=") && chart.contains("<desc id="))
            #expect(chart.contains("role=\"img\""))
        }
        // The text alternative of the bars names every shown feature with its numbers.
        for feature in report.outputs[0].features {
            #expect(charts[0].contains("\(feature.name) \(ChartNumbers.significant(feature.baselineMeanAbsShap)) → \(ChartNumbers.significant(feature.currentMeanAbsShap))"))
        }
    }

    @Test("bar lengths are proportional to mean |SHAP|, and the table holds every feature's numbers")
    func barGeometry() throws {
        let (report, _) = SyntheticReport.make()
        let page = HTMLReport.page(report)
        let bars = try #require(Self.charts(page).first)
        let widths = bars.matches(of: /<rect x="158" y="[^"]+" width="([^"]+)" height="9" class="(b|c)"\/>/).map { Double(String($0.1))! }
        let features = report.outputs[0].features
        #expect(widths.count == 2 * features.count)
        let values = features.flatMap { [$0.baselineMeanAbsShap, $0.currentMeanAbsShap] }
        // The least-squares scale of widths against values; each width is then within its rounding.
        let scale = zip(widths, values).reduce(0) { $0 + $1.0 * $1.1 } / values.reduce(0) { $0 + $1 * $1 }
        for (width, value) in zip(widths, values) {
            // Widths are written to 0.1 unit.
            #expect(abs(width - value * scale) <= 0.1)
        }
        for (rank, feature) in features.enumerated() {
            #expect(page.contains("<td>\(rank + 1)</td><td>\(feature.name)\(feature.breached ? " ▲" : "")</td><td>\(ChartNumbers.percent(feature.shift, 2))</td>"))
        }
    }

    @Test("names are escaped: a feature called <script> stays text")
    func escaping() {
        let names = ["<script>alert(1)</script>", "a&b", "\"quoted\"", "ok"]
        let page = HTMLReport.page(SyntheticReport.make(features: 4, shifted: [0], names: names).report)
        #expect(!page.contains("<script>"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && page.contains("a&amp;b") && page.contains("&quot;quoted&quot;"))
    }

    @Test("report.json alone renders the same page (shapdrift report DIR)")
    func rerenderFromJSON() throws {
        let (report, _) = SyntheticReport.make(outputs: 2)
        let decoded = try JSONDecoder().decode(DriftReport.self, from: Data(try ReportJSON.bytes(report)))
        #expect(HTMLReport.page(decoded) == HTMLReport.page(report))
    }

    @Test("a 100-feature model with every feature breached on 3 outputs stays under 300 KB")
    func sizeBound() throws {
        let (report, _) = SyntheticReport.make(features: 100, outputs: 3, shifted: Set(0..<100), rows: 200)
        #expect(report.breachedFeatures.count > ReportDistributions.maxFeaturesPerOutput)
        let page = HTMLReport.page(report)
        #expect(page.utf8.count <= 300_000, "\(page.utf8.count) bytes")
        #expect(Self.charts(page).count == 3 * 2 + 2 * ReportDistributions.maxFeatures)
        #expect(page.contains("more breached features not drawn"))
    }

    @Test("one section per output for a multi-output model")
    func outputsSections() {
        let page = HTMLReport.page(SyntheticReport.make(outputs: 3).report)
        for output in 0..<3 { #expect(page.contains("<h2>Output \(output) (label\(output))</h2>")) }
    }
}

@Suite("Histogram pairs")
struct HistogramPairTests {
    @Test("shares add up to 1 on shared increasing bins, and their bin-centre means follow the samples' means")
    func sharesAndMeans() {
        var baseline = QuantileSketch()
        var current = QuantileSketch()
        var random = SplitMix64(seed: 11)
        var sums = (0.0, 0.0)
        for _ in 0..<5000 {
            let x = random.nextUnit() * 4 + 1
            baseline.add(x)
            current.add(x + 2)
            sums.0 += x
            sums.1 += x + 2
        }
        let pair = HistogramPair(baseline: baseline, current: current, bins: 24)
        #expect(pair.edges.count == 25 && zip(pair.edges, pair.edges.dropFirst()).allSatisfy { $0 < $1 })
        #expect(abs(pair.baseline.reduce(0, +) - 1) < 1e-12 && abs(pair.current.reduce(0, +) - 1) < 1e-12)
        let width = pair.edges[1] - pair.edges[0]
        func mean(_ shares: [Double]) -> Double {
            shares.enumerated().reduce(0) { $0 + $1.element * (pair.edges[$1.offset] + width / 2) }
        }
        #expect(abs(mean(pair.baseline) - sums.0 / 5000) < width)
        #expect(abs(mean(pair.current) - sums.1 / 5000) < width)
        // The current sample starts 2 above the baseline's: nothing of it in the lowest bins.
        #expect(pair.current.prefix(Int(1.9 / width)).allSatisfy { $0 == 0 })
    }

    @Test("a constant and an empty sample give one bin around the value and all-zero shares")
    func degenerate() {
        var constant = QuantileSketch()
        for _ in 0..<10 { constant.add(3) }
        let pair = HistogramPair(baseline: constant, current: QuantileSketch(), bins: 4)
        #expect(pair.edges.first! < 3 && pair.edges.last! > 3)
        #expect(abs(pair.baseline.reduce(0, +) - 1) < 1e-12 && pair.current == [0, 0, 0, 0])
    }
}
