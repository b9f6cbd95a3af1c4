import Foundation
import ShapDriftCore
import ShapDriftDrift
import ShapDriftTestSupport
import Testing
@testable import ShapDriftReports

@Suite("history")
struct HistoryTests {
    /// Six checks an hour apart, given out of order; the last three drifted.
    static func entries() -> [ReportHistory.Entry] {
        let clean = SyntheticReport.make(shifted: []).report
        let drifted = SyntheticReport.make(shifted: [6, 7]).report
        return [5, 0, 3, 1, 4, 2].map { hour in
            let time = 1_714_557_600 + Double(hour) * 3600
            return ReportHistory.Entry(name: "report-\(hour)", time: time, timeText: "2024-05-01T1\(hour):00:00Z",
                                       report: hour >= 3 ? drifted : clean)
        }
    }

    @Test("oldest first in text and HTML, the drop at the drifted hours visible in both, with the trend flagged")
    func history() throws {
        let history = ReportHistory(Self.entries())
        #expect(history.entries.map(\.name) == (0..<6).map { "report-\($0)" })
        let clean = history.entries[0].report, drifted = history.entries[5].report
        #expect(drifted.ndcg < clean.ndcg && drifted.driftDetected && !clean.driftDetected)
        let text = history.text()
        let lines = text.split(separator: "\n")
        #expect(lines[1].contains("report-0") && lines[1].contains(String(format: "%.3f", clean.ndcg)) && lines[1].contains("no drift"))
        #expect(lines[6].contains("report-5") && lines[6].contains(String(format: "%.3f", drifted.ndcg)) && lines[6].contains("DRIFT"))
        let trend = try #require(history.trend)
        #expect(trend.statistic < 0 && trend.slope <= 0)
        let page = history.page()
        #expect(!page.contains("<script") && !page.contains("href=") && !page.contains("src="))
        let ndcg = try #require(HTMLReportTests.charts(page).first)
        // The chart's text alternative has every check's NDCG, oldest first.
        var position = ndcg.startIndex
        for entry in history.entries {
            let needle = "\(entry.timeText) \(String(format: "%.3f", entry.report.ndcg))"
            let found = try #require(ndcg[position...].range(of: needle), "\(needle)")
            position = found.upperBound
        }
        #expect(ndcg.contains("class=\"point below\"") == (drifted.ndcg < drifted.threshold))
        #expect(HTMLReportTests.charts(page).count == 1 + min(ReportHistory.topFeatures, 8))
    }
}
