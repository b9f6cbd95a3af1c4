import Foundation
import ShapDriftCore
import ShapDriftDrift

/// A run of checks in time order (`shapdrift history`): NDCG and the features that shifted most,
/// oldest first, as text and as `history.html` (NDCG over time with its intervals and the
/// threshold; small multiples of the top features' mean |φ| over time), and the trend test
/// (`TrendTest`) that flags a steady decline of NDCG even when no single check breached.
public struct ReportHistory: Sendable {
    /// One check.
    public struct Entry: Sendable {
        /// What the entry is called (its report directory).
        public var name: String
        /// When its data started, in seconds since 1970, when known (`time` is how it sorts).
        public var time: Double?
        /// The same time as text (RFC 3339), or the name when unknown.
        public var timeText: String
        public var report: DriftReport

        public init(name: String, time: Double?, timeText: String, report: DriftReport) {
            self.name = name
            self.time = time
            self.timeText = timeText
            self.report = report
        }
    }

    /// Features in the small multiples and in the text's top list, at most.
    public static let topFeatures = 6

    /// Oldest first (entries without a time after those with one, by name).
    public let entries: [Entry]
    /// The trend test of NDCG, when there are enough checks.
    public let trend: TrendTest?

    public init(_ entries: [Entry]) {
        self.entries = entries.sorted { a, b in
            switch (a.time, b.time) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.name < b.name
            }
        }
        trend = TrendTest(self.entries.map(\.report.ndcg))
    }

    /// The features with the largest shift at any check, largest first.
    public var topFeatures: [String] {
        var largest: [String: Double] = [:]
        for entry in entries {
            for feature in entry.report.features { largest[feature.name] = max(largest[feature.name] ?? 0, feature.shift) }
        }
        return largest.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(Self.topFeatures).map(\.key)
    }

    /// The sentence about the trend.
    public var trendSentence: String {
        guard let trend else {
            return "Too few checks for the trend test (it needs \(TrendTest.minimumCount))."
        }
        let p = trend.pValue < 0.001 ? "p < 0.001" : "p = \(ChartNumbers.fixed(trend.pValue, 3))"
        let slope = "Sen's slope \(ChartNumbers.significant(trend.slope)) NDCG per check"
        return trend.declining
            ? "NDCG is declining steadily over these \(trend.count) checks (Mann–Kendall, one-sided \(p); \(slope)): investigate, even where no single check breached."
            : "No steady decline of NDCG over these \(trend.count) checks (Mann–Kendall, one-sided \(p); \(slope))."
    }

    /// The table `history` prints, oldest first: time, NDCG and its interval, verdict, breached
    /// features and the top shifted features; then the trend.
    /// - Complexity: O(checks × features).
    public func text() -> String {
        var lines = [["data from", "report", "NDCG", "95 % interval", "verdict", "breached", "shifted most (shift)"]]
        for entry in entries {
            let report = entry.report
            let top = report.features.prefix(3).map { "\($0.name) \(ChartNumbers.percent($0.shift))" }.joined(separator: ", ")
            lines.append([
                entry.timeText, entry.name, ChartNumbers.fixed(report.ndcg, 3),
                report.ndcgInterval.map { "\(ChartNumbers.fixed($0.lower, 3))–\(ChartNumbers.fixed($0.upper, 3))" } ?? "",
                report.driftDetected ? "DRIFT" : "no drift", report.breachedFeatures.isEmpty ? "-" : report.breachedFeatures.joined(separator: ", "), top,
            ])
        }
        let widths = (0..<lines[0].count).map { column in lines.map { $0[column].count }.max() ?? 0 }
        var text = lines.map { line in
            line.enumerated().map { column, cell in
                column == line.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
        text += "\n\n\(trendSentence)\n"
        return text
    }

    /// `history.html`.
    /// - Complexity: O(checks × features).
    public func page() -> String {
        HTMLTemplates.render(HistoryPage(self), template: "history")
    }
}

/// The view model of `history.html`.
struct HistoryPage {
    struct Row { var breached: Bool; var cells: [String] }

    var writer: String
    var span: String
    var verdictClass: String
    var headline: String
    var summary: String
    var trendSentence: String
    var trendRule: String
    var ndcgChart: SVGScene
    var multiples: [SVGScene]
    var columns: [String]
    var rows: [Row]
    var count: Int

    init(_ history: ReportHistory) {
        let entries = history.entries
        writer = entries.last?.report.writer ?? ShapDriftVersion.writer
        span = "\(entries.first?.timeText ?? "") to \(entries.last?.timeText ?? "")"
        let drifted = entries.filter(\.report.driftDetected)
        let declining = history.trend?.declining == true
        verdictClass = drifted.isEmpty && !declining ? "quiet" : "drift"
        headline = drifted.isEmpty ? (declining ? "DECLINING" : "NO DRIFT") : "DRIFT IN \(drifted.count) OF \(entries.count) CHECKS"
        summary = drifted.isEmpty
            ? "None of the \(entries.count) checks from \(span) found drift."
            : "Drift at \(drifted.map(\.timeText).joined(separator: ", ")); breached: \(Array(Set(drifted.flatMap(\.report.breachedFeatures))).sorted().joined(separator: ", "))."
        trendSentence = history.trendSentence
        trendRule = "The trend test is Mann–Kendall's on the checks' NDCG in time order, one-sided for a decline at level \(TrendTest.alpha): "
            + "it flags a decline when p ≤ \(TrendTest.alpha) and Sen's slope (the median slope over all pairs of checks) is negative. "
            + "Its false-alarm rate is at most \(TrendTest.alpha) when the checks' NDCG values are exchangeable (checks of unchanged traffic against one baseline); it needs \(TrendTest.minimumCount) checks at least."
        ndcgChart = HistoryCharts.ndcg(entries)
        multiples = history.topFeatures.enumerated().map { index, name in HistoryCharts.feature(name, entries: entries, id: "f\(index)") }
        columns = ["data from", "report", "NDCG", "95 % interval", "threshold", "verdict", "breached", "rows", "shifted most"]
        rows = entries.map { entry in
            let report = entry.report
            return Row(breached: report.driftDetected, cells: [
                entry.timeText, entry.name, ChartNumbers.fixed(report.ndcg, 3),
                report.ndcgInterval.map { "\(ChartNumbers.fixed($0.lower, 3))–\(ChartNumbers.fixed($0.upper, 3))" } ?? "",
                ChartNumbers.fixed(report.threshold, 2), report.driftDetected ? "DRIFT" : "no drift",
                report.breachedFeatures.isEmpty ? "" : report.breachedFeatures.joined(separator: ", "), "\(report.rows)",
                report.features.prefix(3).map { "\($0.name) \(ChartNumbers.percent($0.shift))" }.joined(separator: ", "),
            ])
        }
        count = entries.count
    }
}

/// The charts of `history.html`.
enum HistoryCharts {
    /// NDCG per check with its interval as a band, the threshold dashed, points below it red.
    static func ndcg(_ entries: [ReportHistory.Entry]) -> SVGScene {
        let width = 720.0, height = 260.0, left = 48.0, right = width - 16, top = 16.0, bottom = 210.0
        let values = entries.flatMap { e in [e.report.ndcg, e.report.threshold] + [e.report.ndcgInterval?.lower, e.report.ndcgInterval?.upper].compactMap { $0 } }
        let low = max(0, min(values.min() ?? 0, 1) - 0.02), high = 1.0
        func x(_ index: Int) -> Double { entries.count <= 1 ? (left + right) / 2 : left + (right - left) * Double(index) / Double(entries.count - 1) }
        func y(_ value: Double) -> Double { bottom - (bottom - top) * (value - low) / max(1e-9, high - low) }
        let desc = entries.map { e in
            "\(e.timeText) \(ChartNumbers.fixed(e.report.ndcg, 3))" + (e.report.ndcgInterval.map { " [\(ChartNumbers.fixed($0.lower, 3)), \(ChartNumbers.fixed($0.upper, 3))]" } ?? "")
        }.joined(separator: "; ")
        var scene = SVGScene(id: "ndcg", width: width, height: height, title: "NDCG over time, with its 95 % intervals and the threshold",
                             desc: "NDCG per check, oldest first: \(desc). Threshold \(entries.last.map { ChartNumbers.fixed($0.report.threshold, 2) } ?? "").")
        for tick in ChartNumbers.ticks(low, high, count: 5) {
            scene.lines.append(.init(left, y(tick), right, y(tick), cls: "grid"))
            scene.texts.append(.init(left - 6, y(tick) + 4, ChartNumbers.fixed(tick, 2), cls: "tick", anchor: "end"))
        }
        let withIntervals = entries.enumerated().compactMap { index, e in e.report.ndcgInterval.map { (index, $0) } }
        if withIntervals.count >= 2 {
            let upper = withIntervals.map { (x($0.0), y($0.1.upper)) }
            let lower = withIntervals.reversed().map { (x($0.0), y($0.1.lower)) }
            scene.paths.append(.init(points: upper + lower, closed: true, cls: "band"))
        }
        for (index, interval) in withIntervals {
            scene.lines.append(.init(x(index), y(interval.lower), x(index), y(interval.upper), cls: "axis"))
        }
        if let threshold = entries.last?.report.threshold {
            scene.lines.append(.init(left, y(threshold), right, y(threshold), cls: "threshold"))
            scene.texts.append(.init(right, y(threshold) - 5, "threshold \(ChartNumbers.fixed(threshold, 2))", cls: "tick", anchor: "end"))
        }
        scene.paths.append(.init(points: entries.enumerated().map { (x($0.offset), y($0.element.report.ndcg)) }, cls: "series"))
        let labelEvery = max(1, entries.count / 8)
        for (index, entry) in entries.enumerated() {
            let below = entry.report.ndcg < entry.report.threshold
            scene.circles.append(.init(x(index), y(entry.report.ndcg), r: below ? 5 : 4, cls: below ? "point below" : "point"))
            if index % labelEvery == 0 || index == entries.count - 1 {
                let anchor = entries.count > 1 && index == entries.count - 1 ? "end" : index == 0 && entries.count > 1 ? "start" : "middle"
                scene.texts.append(.init(x(index), bottom + 18, shortTime(entry.timeText), cls: "tick", anchor: anchor))
            }
        }
        scene.lines.append(.init(left, bottom, right, bottom, cls: "axis"))
        return scene
    }

    /// One feature's mean |φ| over time: current as the line with points, baseline dashed.
    static func feature(_ name: String, entries: [ReportHistory.Entry], id: String) -> SVGScene {
        let width = 340.0, height = 150.0, left = 40.0, right = width - 10, top = 26.0, bottom = 120.0
        let points = entries.map { entry in entry.report.features.first { $0.name == name } }
        let values = points.flatMap { [$0?.baselineMeanAbsShap, $0?.currentMeanAbsShap].compactMap { $0 } }
        let high = max(values.max() ?? 1, 1e-12) * 1.1
        func x(_ index: Int) -> Double { entries.count <= 1 ? (left + right) / 2 : left + (right - left) * Double(index) / Double(entries.count - 1) }
        func y(_ value: Double) -> Double { bottom - (bottom - top) * value / high }
        let desc = zip(entries, points).map { entry, point in
            "\(entry.timeText) " + (point.map { "\(ChartNumbers.significant($0.baselineMeanAbsShap)) → \(ChartNumbers.significant($0.currentMeanAbsShap))" } ?? "absent")
        }.joined(separator: "; ")
        var scene = SVGScene(id: id, width: width, height: height, title: name, desc: "Mean |SHAP| of \(name), baseline → current, per check: \(desc).")
        scene.texts.append(.init(left, 14, SVGScene.short(name, 34), cls: "head"))
        ReportCharts.legend(&scene, x: width - 170, y: 4, compact: true)
        scene.lines.append(.init(left, bottom, right, bottom, cls: "axis"))
        scene.texts.append(.init(left - 4, y(0) + 4, "0", cls: "tick", anchor: "end"))
        scene.texts.append(.init(left - 4, top + 4, ChartNumbers.significant(high, 2), cls: "tick", anchor: "end"))
        let baseline = points.enumerated().compactMap { index, point in point.map { (x(index), y($0.baselineMeanAbsShap)) } }
        if baseline.count >= 2 { scene.paths.append(.init(points: baseline, cls: "slope down")) }
        let current = points.enumerated().compactMap { index, point in point.map { (x(index), y($0.currentMeanAbsShap)) } }
        if current.count >= 2 { scene.paths.append(.init(points: current, cls: "step")) }
        for (index, point) in points.enumerated() {
            guard let point else { continue }
            scene.rects.append(.init(x: x(index) - 3.5, y: y(point.currentMeanAbsShap) - 3.5, width: 7, height: 7, cls: point.breached ? "c breachedmark" : "c"))
        }
        scene.texts.append(.init(left, bottom + 16, shortTime(entries.first?.timeText ?? ""), cls: "tick", anchor: "start"))
        scene.texts.append(.init(right, bottom + 16, shortTime(entries.last?.timeText ?? ""), cls: "tick", anchor: "end"))
        return scene
    }

    /// `2024-05-01T14:00:00Z` → `05-01 14:00`; other text as it is, cut.
    static func shortTime(_ text: String) -> String {
        let characters = Array(text)
        if characters.count >= 16, characters[4] == "-", characters[10] == "T" {
            return String(characters[5..<10]) + " " + String(characters[11..<16])
        }
        return SVGScene.short(text, 14)
    }
}
