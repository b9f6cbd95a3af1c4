import Foundation
import ShapDriftCore
import ShapDriftDrift

/// `report.html`: one self-contained page a person reads in a minute and a ticket can carry —
/// the verdict banner (what triggered it, NDCG with its interval against the threshold), what
/// was checked, and per model output the charts (mean |φ| baseline vs current for the features
/// that shifted most, the rank slope chart, each breached feature's φ and input-value
/// distributions) above the full ranked table that holds the numbers behind them.
///
/// Rendered from the `DriftReport` alone (`report.json` is enough: `shapdrift report DIR`), with
/// no row of data in it: the distributions come from the report's `distributions`, histograms of
/// the profiles' sketches. Inline CSS and SVG, no script, nothing fetched (`HTMLTemplates`).
public enum HTMLReport {
    /// Features in the mean |φ| chart at most (the largest shifts).
    public static let barFeatures = 20

    /// The page.
    /// - Complexity: O(outputs × features log features).
    public static func page(_ report: DriftReport) -> String {
        HTMLTemplates.render(ReportPage(report), template: "report")
    }
}

/// The view model of `report.html`: every value the template shows, formatted.
struct ReportPage {
    struct Fact { var key: String; var value: String }
    struct Row { var breached: Bool; var cells: [String] }

    struct Distribution {
        var name: String
        var sentence: String
        var outputNote: String
        var shap: SVGScene
        var values: SVGScene?
        var missingNote: String
    }

    struct Output {
        var anchor: String
        var heading: String
        var multiple: Bool
        var ndcg: String
        var ndcgInterval: String?
        var belowThreshold: Bool
        var breachedSentence: String
        var bars: SVGScene
        var barCount: Int
        var slopes: SVGScene
        var hasDistributions: Bool
        var distributions: [Distribution]
        var omitted: String?
        var noBreach: Bool
        var columns: [String]
        var rows: [Row]
    }

    var writer: String
    var pageTitle: String
    var verdictClass: String
    var verdictWord: String
    var verdictSentence: String
    var hasReasons: Bool
    var reasons: [String]
    var ndcg: String
    var ndcgInterval: String?
    var threshold: String
    var ndcgRule: String
    var straddles: Bool
    var facts: [Fact]
    var hasWarnings: Bool
    var warnings: [String]
    var outputs: [Output]
    var hasRecords: Bool
    var records: [Fact]
    var rule: String
    var note: String

    static let columns = ["rank", "feature", "shift", "PSI", "mean |SHAP| baseline", "mean |SHAP| current", "rank baseline → current",
                          "mean SHAP baseline", "mean SHAP current", "sign flip", "breached"]

    init(_ report: DriftReport) {
        writer = report.writer
        let drift = report.driftDetected
        verdictClass = drift ? "drift" : "quiet"
        verdictWord = drift ? "DRIFT" : "NO DRIFT"
        pageTitle = "\(verdictWord): ShapDrift report, NDCG \(ChartNumbers.fixed(report.ndcg, 3))"
        verdictSentence = drift
            ? "The features driving the model's attributions have shifted. Investigate the features named below and the data feeding them."
            : "The features driving the model's attributions have not shifted beyond the thresholds."
        var reasons: [String] = []
        for output in report.outputs where output.ndcgBelowThreshold {
            reasons.append("NDCG \(ChartNumbers.fixed(output.ndcg, 3)) below \(report.threshold.description)\(report.outputs.count > 1 ? " for \(output.label)" : "")")
        }
        if !report.breachedFeatures.isEmpty {
            reasons.append("breached feature\(report.breachedFeatures.count == 1 ? "" : "s"): \(report.breachedFeatures.joined(separator: ", "))")
        }
        self.reasons = reasons
        hasReasons = !reasons.isEmpty
        ndcg = ChartNumbers.fixed(report.ndcg, 3)
        ndcgInterval = report.ndcgInterval.map { "\(ChartNumbers.fixed($0.lower, 3))–\(ChartNumbers.fixed($0.upper, 3))" }
        threshold = ChartNumbers.fixed(report.threshold, 3)
        ndcgRule = report.ndcg < report.threshold ? "below it, drift by SageMaker Clarify's rule" : "at or above it"
        straddles = report.intervalStraddlesThreshold == true
        facts = Self.provenance(report)
        warnings = report.warnings
        hasWarnings = !warnings.isEmpty
        outputs = report.outputs.map { Self.output($0, report: report) }
        records = Self.records(report)
        hasRecords = !records.isEmpty
        rule = "Drift when NDCG (SageMaker Clarify's score of the global SHAP ranking) is below \(report.threshold.description), or when a feature breaches: "
            + "its SHAP distribution moved by at least \(ChartNumbers.percent(report.thresholds.featureShift)) of the total attribution "
            + "(Wasserstein-1; the shift column) and its PSI is at least \(report.thresholds.psi.description)."
        note = report.note
    }

    static func provenance(_ report: DriftReport) -> [Fact] {
        let model = report.model
        var facts = [
            Fact(key: "Model", value: "\(model.modelFormat.rawValue) \(model.objective), SHA-256 \(model.modelSHA256.prefix(16))…, \(model.featureNames.count) features, \(model.numOutputs) output\(model.numOutputs == 1 ? "" : "s")"),
            Fact(key: "Method", value: "\(model.method.rawValue), attributions in the \(model.outputSpace.rawValue) output space; global SHAP by \(report.aggregation.rawValue)"),
            Fact(key: "Rows", value: "\(report.rows) current, \(report.baselineRows) baseline"),
        ]
        if let records = report.records {
            if let window = records.window { facts.append(Fact(key: "Time window", value: window.description)) }
            if let seen = records.timesSeen { facts.append(Fact(key: "Record times in the files read", value: seen.description)) }
        }
        facts.append(Fact(key: "Baseline", value: "\(report.baselineRows) rows, profiled by \(model.method.rawValue)"
            + (model.backgroundSHA256.map { ", background SHA-256 \($0.prefix(16))…" } ?? "")))
        if let sampling = report.sampling {
            facts.append(Fact(key: "Sampling", value: "\(ChartNumbers.percent(sampling.rate)) of the records (seed \(sampling.seed)): \(sampling.rowsProfiled) of \(sampling.rowsSeen) rows"))
        }
        facts.append(Fact(key: "Bootstrap", value: report.bootstrapReplicates > 0 ? "\(report.bootstrapReplicates) replicates, seed \(report.bootstrapSeed)" : "none"))
        return facts
    }

    static func records(_ report: DriftReport) -> [Fact] {
        guard let records = report.records else { return [] }
        var facts = [Fact(key: "Records", value: "\(records.read) read, \(records.skipped.count) skipped as bad, \(records.outsideWindow) outside the window")]
        facts.append(Fact(key: "Files", value: "\(records.filesRead) read\(records.filesOutsideWindow > 0 ? ", \(records.filesOutsideWindow) outside the window not opened" : "")"))
        if !records.variants.isEmpty { facts.append(Fact(key: "Capture variants", value: records.variants.joined(separator: ", "))) }
        if records.skipped.count > 0 {
            let reasons = records.skipped.byReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
            facts.append(Fact(key: "Skipped by reason", value: reasons))
        }
        return facts
    }

    static func output(_ output: OutputDrift, report: DriftReport) -> Output {
        let multiple = report.outputs.count > 1
        let byShift = output.features
        let top = Array(byShift.prefix(HTMLReport.barFeatures))
        let breached = byShift.filter(\.breached)
        let id = "o\(output.output)"
        let chosen = (report.distributions?.attributions ?? []).filter { $0.output == output.output }
        let values = Dictionary((report.distributions?.values ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let shifts = Dictionary(byShift.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let distributions = chosen.enumerated().map { index, pick -> ReportPage.Distribution in
            let shift = shifts[pick.name]
            let value = values[pick.name]
            var sentence = "Shift \(ChartNumbers.percent(shift?.shift ?? 0)) of the attribution mass, PSI \(ChartNumbers.fixed(shift?.psi ?? 0, 2)); "
            sentence += "mean |SHAP| \(ChartNumbers.significant(shift?.baselineMeanAbsShap ?? 0)) → \(ChartNumbers.significant(shift?.currentMeanAbsShap ?? 0)), "
            sentence += "mean SHAP \(ChartNumbers.significant(shift?.baselineMeanShap ?? 0)) → \(ChartNumbers.significant(shift?.currentMeanShap ?? 0))"
            sentence += shift?.signFlip == true ? " (the sign flipped)." : "."
            return ReportPage.Distribution(
                name: pick.name, sentence: sentence, outputNote: multiple ? " for \(output.label)" : "",
                shap: ReportCharts.histogram(pick.histogram, title: "SHAP values of \(pick.name), baseline and current", id: "\(id)-shap\(index)", zeroLine: true),
                values: value.map { ReportCharts.histogram($0.histogram, title: "Input values of \(pick.name), baseline and current", id: "\(id)-values\(index)", zeroLine: false) },
                missingNote: value.map { " (missing: \(ChartNumbers.percent($0.baselineMissingRate)) → \(ChartNumbers.percent($0.currentMissingRate)))" } ?? "")
        }
        let omitted = breached.count > distributions.count
            ? "\(breached.count - distributions.count) more breached feature\(breached.count - distributions.count == 1 ? "" : "s") not drawn (a report draws at most \(ReportDistributions.maxFeaturesPerOutput) per output); the table has their numbers."
            : nil
        let rows = byShift.enumerated().map { rank, f in
            Row(breached: f.breached, cells: [
                "\(rank + 1)", f.name + (f.breached ? " ▲" : ""), ChartNumbers.percent(f.shift, 2), ChartNumbers.fixed(f.psi, 3),
                ChartNumbers.significant(f.baselineMeanAbsShap, 4), ChartNumbers.significant(f.currentMeanAbsShap, 4),
                "\(f.baselineRank) → \(f.currentRank)", ChartNumbers.significant(f.baselineMeanShap, 4), ChartNumbers.significant(f.currentMeanShap, 4),
                f.signFlip ? "yes" : "", f.breached ? "yes" : "",
            ])
        }
        let names = breached.map(\.name)
        return Output(
            anchor: "output-\(output.output)",
            heading: multiple ? "Output \(output.output) (\(output.label))" : "Attributions",
            multiple: multiple, ndcg: ChartNumbers.fixed(output.ndcg, 3),
            ndcgInterval: output.ndcgInterval.map { "\(ChartNumbers.fixed($0.lower, 3))–\(ChartNumbers.fixed($0.upper, 3))" },
            belowThreshold: output.ndcgBelowThreshold,
            breachedSentence: names.isEmpty ? "No feature breached." : "Breached: \(names.joined(separator: ", ")).",
            bars: ReportCharts.meanAbsBars(top, id: "\(id)-bars"), barCount: top.count,
            slopes: ReportCharts.rankSlopes(byShift, id: "\(id)-ranks"),
            hasDistributions: !distributions.isEmpty || omitted != nil, distributions: distributions, omitted: omitted,
            noBreach: breached.isEmpty, columns: columns, rows: rows)
    }
}
