import Foundation
import ShapDriftDrift

/// The charts of `report.html`, as `SVGScene`s: the geometry is computed here from the report's
/// numbers, which also go into each chart's text alternative.
enum ReportCharts {
    static let width = 560.0

    /// Paired horizontal bars: each feature's mean |φ| in the baseline (solid) and the current
    /// data (hatched by its lighter fill and outline), for `features` in the order given (the
    /// top by shift).
    static func meanAbsBars(_ features: [FeatureShift], id: String) -> SVGScene {
        let labelRight = 150.0, plotLeft = 158.0, plotRight = width - 44, top = 46.0, row = 26.0
        let height = top + Double(features.count) * row + 8
        let largest = features.map { max($0.baselineMeanAbsShap, $0.currentMeanAbsShap) }.max() ?? 0
        let ticks = ChartNumbers.ticks(0, largest > 0 ? largest : 1, count: 4)
        let scaleMax = max(ticks.last ?? 1, largest > 0 ? largest : 1)
        func x(_ value: Double) -> Double { plotLeft + (plotRight - plotLeft) * value / scaleMax }
        let summary = features.map { f in
            "\(f.name) \(ChartNumbers.significant(f.baselineMeanAbsShap)) → \(ChartNumbers.significant(f.currentMeanAbsShap))\(f.breached ? " (breached)" : "")"
        }.joined(separator: "; ")
        var scene = SVGScene(id: id, width: width, height: height,
                             title: "Mean |SHAP| per feature, baseline and current (the \(features.count) that shifted most)",
                             desc: "Mean |SHAP|, baseline → current: \(summary).")
        legend(&scene, x: plotLeft, y: 8)
        for tick in ticks {
            scene.lines.append(.init(x(tick), top - 6, x(tick), height - 8, cls: "grid"))
            scene.texts.append(.init(x(tick), top - 10, ChartNumbers.significant(tick, 2), cls: "tick", anchor: "middle"))
        }
        for (index, feature) in features.enumerated() {
            let y = top + Double(index) * row
            scene.texts.append(.init(labelRight, y + 16, SVGScene.short(feature.name, 20) + (feature.breached ? " ▲" : ""),
                                     cls: feature.breached ? "label breached" : "label", anchor: "end"))
            scene.rects.append(.init(x: plotLeft, y: y + 3, width: x(feature.baselineMeanAbsShap) - plotLeft, height: 9, cls: "b"))
            scene.rects.append(.init(x: plotLeft, y: y + 13, width: x(feature.currentMeanAbsShap) - plotLeft, height: 9, cls: "c"))
            scene.texts.append(.init(x(feature.baselineMeanAbsShap) + 4, y + 11, ChartNumbers.significant(feature.baselineMeanAbsShap), cls: "value"))
            scene.texts.append(.init(x(feature.currentMeanAbsShap) + 4, y + 21, ChartNumbers.significant(feature.currentMeanAbsShap), cls: "value"))
        }
        scene.lines.append(.init(plotLeft, top - 6, plotLeft, height - 8, cls: "axis"))
        return scene
    }

    /// A slope chart of ranks, baseline (left, circles) → current (right, squares): the features
    /// in either ranking's top `top`, and every breached one, at most `limit` (largest shift
    /// first). Rows are the ranks that occur, in order, so a feature far down the ranking does not
    /// stretch the chart; a gap in the ranks is marked with a dotted rule.
    static func rankSlopes(_ all: [FeatureShift], id: String, top: Int = 10, limit: Int = 20) -> SVGScene {
        let shown = Array(all.filter { $0.baselineRank <= top || $0.currentRank <= top || $0.breached }.prefix(limit))
        let ranks = Array(Set(shown.flatMap { [$0.baselineRank, $0.currentRank] })).sorted()
        let rowOf = Dictionary(uniqueKeysWithValues: ranks.enumerated().map { ($1, $0) })
        let left = 200.0, right = width - 200, top0 = 44.0, row = 20.0
        let height = top0 + Double(max(1, ranks.count)) * row + 4
        func y(_ rank: Int) -> Double { top0 + Double(rowOf[rank] ?? 0) * row + row / 2 }
        let summary = shown.map { "\($0.name) \($0.baselineRank) → \($0.currentRank)\($0.breached ? " (breached)" : "")" }.joined(separator: "; ")
        var scene = SVGScene(id: id, width: width, height: height,
                             title: "Importance rank, baseline → current (1 = most important)",
                             desc: "Rank by global SHAP value, baseline → current: \(summary).")
        scene.texts.append(.init(left, 16, "baseline rank", cls: "head", anchor: "middle"))
        scene.texts.append(.init(right, 16, "current rank", cls: "head", anchor: "middle"))
        scene.lines.append(.init(left, top0 - 6, left, height - 4, cls: "axis"))
        scene.lines.append(.init(right, top0 - 6, right, height - 4, cls: "axis"))
        for (index, rank) in ranks.enumerated() where index > 0 && rank > ranks[index - 1] + 1 {
            let gap = top0 + Double(index) * row
            scene.lines.append(.init(left - 40, gap, right + 40, gap, cls: "gap"))
        }
        for feature in shown {
            let (y0, y1) = (y(feature.baselineRank), y(feature.currentRank))
            let direction = feature.currentRank < feature.baselineRank ? "up" : feature.currentRank > feature.baselineRank ? "down" : "flat"
            scene.lines.append(.init(left, y0, right, y1, cls: "slope \(direction)\(feature.breached ? " breached" : "")"))
            scene.circles.append(.init(left, y0, r: 4, cls: "b"))
            scene.rects.append(.init(x: right - 4, y: y1 - 4, width: 8, height: 8, cls: "c"))
            let label = SVGScene.short(feature.name, 22) + (feature.breached ? " ▲" : "")
            let cls = feature.breached ? "label breached" : "label"
            scene.texts.append(.init(left - 10, y0 + 4, "\(label)  \(feature.baselineRank)", cls: cls, anchor: "end"))
            scene.texts.append(.init(right + 10, y1 + 4, "\(feature.currentRank)  \(label)", cls: cls, anchor: "start"))
        }
        return scene
    }

    /// Two distributions on shared bins: the baseline as solid bars, the current data as a
    /// stepped outline over them.
    static func histogram(_ pair: HistogramPair, title: String, id: String, zeroLine: Bool) -> SVGScene {
        let width = 340.0, height = 176.0, left = 12.0, right = width - 12, top = 28.0, bottom = 146.0
        let bins = pair.baseline.count
        let largest = max(pair.baseline.max() ?? 0, pair.current.max() ?? 0)
        func x(_ index: Int) -> Double { left + (right - left) * Double(index) / Double(max(1, bins)) }
        func y(_ share: Double) -> Double { bottom - (bottom - top) * (largest > 0 ? share / largest : 0) }
        let low = pair.edges.first ?? 0, high = pair.edges.last ?? 1
        func shares(_ values: [Double]) -> String { values.map { ChartNumbers.fixed($0, 3) }.joined(separator: " ") }
        var scene = SVGScene(id: id, width: width, height: height, title: title,
                             desc: "Share of rows in \(bins) equal bins from \(ChartNumbers.significant(low)) to \(ChartNumbers.significant(high)) (the end bins hold the tails). Baseline: \(shares(pair.baseline)). Current: \(shares(pair.current)).")
        legend(&scene, x: left, y: 6, compact: true)
        for (index, share) in pair.baseline.enumerated() where share > 0 {
            scene.rects.append(.init(x: x(index) + 0.5, y: y(share), width: x(index + 1) - x(index) - 1, height: bottom - y(share), cls: "b"))
        }
        var step: [(Double, Double)] = [(x(0), bottom)]
        for (index, share) in pair.current.enumerated() {
            step.append((x(index), y(share)))
            step.append((x(index + 1), y(share)))
        }
        step.append((x(bins), bottom))
        scene.paths.append(.init(points: step, cls: "c step"))
        scene.lines.append(.init(left, bottom, right, bottom, cls: "axis"))
        scene.texts.append(.init(left, bottom + 16, ChartNumbers.significant(low), cls: "tick", anchor: "start"))
        scene.texts.append(.init(right, bottom + 16, ChartNumbers.significant(high), cls: "tick", anchor: "end"))
        if zeroLine, low < 0, high > 0 {
            let zero = left + (right - left) * (0 - low) / (high - low)
            scene.lines.append(.init(zero, top - 4, zero, bottom, cls: "zero"))
            // The label only where it does not run into the end labels.
            if zero - left > 44, right - zero > 44 { scene.texts.append(.init(zero, bottom + 16, "0", cls: "tick", anchor: "middle")) }
        }
        return scene
    }

    /// A categorical feature's input values: each category's share, baseline and current, as
    /// paired bars (the categories whose share changed most, as the report lists them).
    static func categoryShares(_ categories: CategoryShares, name: String, id: String) -> SVGScene {
        let shares = Array(categories.shares.prefix(10))
        let width = 340.0, labelRight = 60.0, plotLeft = 66.0, plotRight = width - 44, top = 26.0, row = 24.0
        let height = top + Double(max(1, shares.count)) * row + 8
        let largest = max(shares.map { max($0.baseline, $0.current) }.max() ?? 0, 1e-12)
        func x(_ share: Double) -> Double { plotLeft + (plotRight - plotLeft) * share / largest }
        let summary = shares.map { "\(ReportText.number($0.value)): \(ChartNumbers.percent($0.baseline)) → \(ChartNumbers.percent($0.current))" }
            .joined(separator: "; ")
        var scene = SVGScene(id: id, width: width, height: height, title: "Category shares of \(name), baseline and current",
                             desc: "Share of rows per category, baseline → current: \(summary); unseen in the baseline: \(ChartNumbers.percent(categories.unseenShare)).")
        legend(&scene, x: plotLeft, y: 4, compact: true)
        for (index, share) in shares.enumerated() {
            let y = top + Double(index) * row
            scene.texts.append(.init(labelRight, y + 15, ReportText.number(share.value), cls: "label", anchor: "end"))
            scene.rects.append(.init(x: plotLeft, y: y + 2, width: x(share.baseline) - plotLeft, height: 9, cls: "b"))
            scene.rects.append(.init(x: plotLeft, y: y + 12, width: x(share.current) - plotLeft, height: 9, cls: "c"))
            scene.texts.append(.init(x(share.current) + 4, y + 20, ChartNumbers.percent(share.current), cls: "value"))
        }
        return scene
    }

    /// The key: a solid swatch for the baseline, an outlined one for the current data.
    static func legend(_ scene: inout SVGScene, x: Double, y: Double, compact: Bool = false) {
        scene.rects.append(.init(x: x, y: y, width: 12, height: 10, cls: "b"))
        scene.texts.append(.init(x + 16, y + 9, "baseline", cls: "key"))
        let second = x + (compact ? 80 : 96)
        scene.rects.append(.init(x: second, y: y, width: 12, height: 10, cls: "c"))
        scene.texts.append(.init(second + 16, y + 9, "current", cls: "key"))
    }
}
